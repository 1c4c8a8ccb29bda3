"""Benchmark: `score_continuations` against lm-evaluation-harness's HF backend (goal: >= 3x).

Same model (a prepared packaged model, default `smollm2-135m`), same items: the first `--limit`
memo-trap items, one request per class (context = prompt, continuation = class). Both answer the
same requests in the same process, `--repeats` times, alternating who goes first; the script prints
the largest |difference| of the per-request log-likelihoods (must be < 1e-3), items/s of each and
the median speed ratio.

    REPROLAB_DATA_DIR=../shared/data HF_HUB_OFFLINE=1 uv run python benchmarks/lm_scoring.py
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import statistics
import time

import torch

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from lm_eval.api.instance import Instance
from lm_eval.models.huggingface import HFLM

import reprolab.core.datasets  # noqa: F401  (registers the datasets)
from reprolab.core.data import dataset_file
from reprolab.lm.requests import LoglikelihoodRequest
from reprolab.lm.scoring import score_continuations
from reprolab.lm.zoo import load_model, prepare_model

MEMO_TRAP = "prize/memo-trap_classification.jsonl"


def memo_trap_requests(limit: int) -> list[LoglikelihoodRequest]:
    """One request per (item, class) for the first `limit` memo-trap items."""
    path = dataset_file("inverse-scaling", MEMO_TRAP)
    with path.open() as handle:
        items = [json.loads(line) for _, line in zip(range(limit), handle, strict=False)]
    return [LoglikelihoodRequest(item["prompt"], choice)
            for item in items for choice in ast.literal_eval(item["classes"])]


def main(model_name: str, limit: int, repeats: int, batch_size: int, threads: int | None) -> None:
    if threads:
        torch.set_num_threads(threads)
    requests = memo_trap_requests(limit)
    folder = prepare_model(model_name)
    model, tokenizer = load_model(folder)
    harness = HFLM(pretrained=str(folder), batch_size=batch_size, device="cpu")
    instances = [Instance("loglikelihood", {}, (r.context, r.continuation), i)
                 for i, r in enumerate(requests)]

    def ours() -> list[float]:
        return [r.logprob for r in score_continuations(
            model, tokenizer, requests, batch_size=batch_size, progress=False)]

    def theirs() -> list[float]:
        return [logprob for logprob, _ in harness.loglikelihood(instances, disable_tqdm=True)]

    ratios, diffs = [], []
    for repeat in range(repeats):
        timings, scores = {}, {}
        for name, job in sorted({"ours": ours, "lm-eval": theirs}.items(),
                                reverse=repeat % 2 == 1):
            start = time.perf_counter()
            scores[name] = job()
            timings[name] = time.perf_counter() - start
        diffs.append(max(abs(a - b) for a, b in zip(scores["ours"], scores["lm-eval"],
                                                    strict=True)))
        ratios.append(timings["lm-eval"] / timings["ours"])
        print(f"repeat {repeat + 1}: reprolab {limit / timings['ours']:6.1f} items/s, "
              f"lm-eval {limit / timings['lm-eval']:6.1f} items/s, ratio {ratios[-1]:.2f}x, "
              f"max |diff| {diffs[-1]:.2e}")
    median = statistics.median(ratios)
    print(f"{model_name}, {limit} memo-trap items ({len(requests)} requests), batch size "
          f"{batch_size}, {torch.get_num_threads()} threads: median ratio {median:.2f}x "
          f"(goal >= 3x: {'met' if median >= 3 else 'NOT met'}), max |diff| {max(diffs):.2e} "
          f"({'ok' if max(diffs) < 1e-3 else 'TOO LARGE'})")


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="smollm2-135m", help="Packaged model name.")
    parser.add_argument("--limit", type=int, default=200, help="Memo-trap items.")
    parser.add_argument("--repeats", type=int, default=3, help="Timed repeats.")
    parser.add_argument("--batch-size", type=int, default=32, help="Batch size, both.")
    parser.add_argument("--threads", type=int, default=None,
                        help="Torch CPU threads for both (default: torch's choice; 1 is steadier "
                             "on a machine shared with other jobs).")
    return parser


if __name__ == "__main__":
    args = make_parser().parse_args()
    main(args.model, args.limit, args.repeats, args.batch_size, args.threads)
