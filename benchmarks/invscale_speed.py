"""Benchmark: inverse-scaling evaluation (reprolab) against lm-evaluation-harness (goal: >= 3x).

The same prepared model (default `smollm2-135m`) scores the same items: the first `--limit` items
of each task (default memo-trap and NeQA), one log-likelihood request per class. reprolab runs its
whole per-task path (requests, deduplication, the shared-prefix scorer, the official metrics);
lm-eval's HF backend answers the same requests and accuracy is taken as the argmax, as its
`inverse_scaling_mc` tasks do. Model loading and a warm-up on 4 items per task are outside both
timings. Each task is timed on its own, `--repeats` times alternating the two sides; prints the
median items/s of each per task and overall, the speed ratios, and the largest per-request
log-likelihood difference (must be < 1e-3). Run it on a quiet machine: other jobs on the same
cores change one side's time and not the other's.

Where the ratio comes from: reprolab computes each distinct prefix once per forward pass and the
vocabulary projection only where a continuation token is predicted; lm-eval pads each batch and
projects every position, but it already computes a context once when all its continuations are
one token long (its `logits_cache`). Tasks whose classes are one token (NeQA) therefore gain only
from shared instructions and the skipped projections; multi-token classes (memo-trap) gain most.

    REPROLAB_DATA_DIR=../shared/data uv run python benchmarks/invscale_speed.py
"""

from __future__ import annotations

import argparse
import os
import time
from functools import partial

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy as np
import torch
from lm_eval.api.instance import Instance
from lm_eval.models.huggingface import HFLM

from reprolab.invscale.evaluate import evaluate_examples, requests_for
from reprolab.invscale.tasks import LoadedTask, load_task
from reprolab.lm.encoding import PairEncoder, resolve_max_length
from reprolab.lm.scoring import (
    DEFAULT_MAX_PACKED_TOKENS,
    pack_pass,
    plan_passes,
    score_continuations,
)
from reprolab.lm.zoo import load_model, resolve_model


def run_reprolab(tasks: list[LoadedTask], model, tokenizer, batch_size: int
                 ) -> tuple[float, list[float], list[int]]:
    score = partial(score_continuations, model, tokenizer, batch_size=batch_size, progress=False)
    start = time.perf_counter()
    frames = [evaluate_examples(task.examples, task.task_type, score) for task in tasks]
    seconds = time.perf_counter() - start
    logliks = [lp for frame in frames for row in frame["class_logprobs"] for lp in row]
    correct = [c for frame in frames for c in frame["correct"]]
    return seconds, logliks, correct


def work(task: LoadedTask, model, tokenizer, batch_size: int) -> tuple[int, int, int]:
    """Token positions run through the model: (reprolab forwarded, reprolab projected onto the
    vocabulary, lm-eval forwarded = projected). lm-eval forwards each distinct input once
    (one-token continuations of a context share it) and projects every position; padding is not
    counted."""
    encoder = PairEncoder(tokenizer)
    max_length = resolve_max_length(model.config, tokenizer)
    requests = list(dict.fromkeys(r for e in task.examples for r in requests_for(e)))
    encoded = [encoder.encode(request, max_length) for request in requests]
    forwarded = projected = 0
    for members in plan_passes(encoded, batch_size, DEFAULT_MAX_PACKED_TOKENS):
        tree, scored_nodes = pack_pass(encoded, members)
        forwarded += len(tree)
        projected += len({node for nodes in scored_nodes for node in nodes})
    return forwarded, projected, sum(len(inputs) for inputs in {e.inputs for e in encoded})


def run_lm_eval(tasks: list[LoadedTask], harness: HFLM) -> tuple[float, list[float], list[int]]:
    examples = [e for task in tasks for e in task.examples]
    instances = [Instance("loglikelihood", {}, (r.context, r.continuation), i)
                 for i, r in enumerate(r for e in examples for r in requests_for(e))]
    start = time.perf_counter()
    logliks = [lp for lp, _ in harness.loglikelihood(instances, disable_tqdm=True)]
    correct, position = [], 0
    for example in examples:
        scores = logliks[position:position + len(example.classes)]
        correct.append(int(int(np.argmax(scores)) == example.answer_index))
        position += len(example.classes)
    return time.perf_counter() - start, logliks, correct


def time_task(task: LoadedTask, model, tokenizer, harness: HFLM, batch_size: int,
              repeats: int) -> dict:
    """Median seconds of each side on `task` over `repeats` alternating runs, plus agreement."""
    ours_times, theirs_times = [], []
    for _ in range(repeats):
        ours_s, ours_ll, ours_correct = run_reprolab([task], model, tokenizer, batch_size)
        theirs_s, theirs_ll, theirs_correct = run_lm_eval([task], harness)
        ours_times.append(ours_s)
        theirs_times.append(theirs_s)
    diff = max(abs(a - b) for a, b in zip(ours_ll, theirs_ll, strict=True))
    ours_forward, ours_projected, theirs = work(task, model, tokenizer, batch_size)
    return {"items": len(task.examples), "requests": len(ours_ll),
            "forward": f"{ours_forward}/{theirs}", "projected": f"{ours_projected}/{theirs}",
            "ours_s": float(np.median(ours_times)), "theirs_s": float(np.median(theirs_times)),
            "ours_acc": float(np.mean(ours_correct)), "theirs_acc": float(np.mean(theirs_correct)),
            "max_diff": diff}


def main(model_name: str, task_names: list[str], limit: int, batch_size: int,
         repeats: int) -> None:
    tasks = [load_task(name, limit=limit) for name in task_names]
    folder = resolve_model(model_name)
    model, tokenizer = load_model(folder, device="cpu")
    harness = HFLM(pretrained=folder, batch_size=batch_size, device="cpu", dtype="float32")
    warm_up = [LoadedTask(t.name, t.task_type, t.examples[:4], t.source) for t in tasks]
    run_reprolab(warm_up, model, tokenizer, batch_size)  # first passes pay one-off set-up costs
    run_lm_eval(warm_up, harness)
    rows = {task.name: time_task(task, model, tokenizer, harness, batch_size, repeats)
            for task in tasks}
    print(f"{model_name}, batch size {batch_size}, CPU with {torch.get_num_threads()} thread(s), "
          f"median of {repeats} run(s)")
    print(f"{'task':<12}{'items':>6}{'reprolab it/s':>15}{'lm-eval it/s':>14}{'ratio':>8}"
          f"{'acc (ours/lm-eval)':>20}{'max dlogL':>11}{'tokens forwarded':>18}"
          f"{'projected':>12}")
    for name, row in rows.items():
        print(f"{name:<12}{row['items']:>6}{row['items'] / row['ours_s']:>15.2f}"
              f"{row['items'] / row['theirs_s']:>14.2f}{row['theirs_s'] / row['ours_s']:>7.2f}x"
              f"{row['ours_acc']:>11.4f}/{row['theirs_acc']:.4f}{row['max_diff']:>11.1e}"
              f"{row['forward']:>18}{row['projected']:>12}")
    ratio = sum(r["theirs_s"] for r in rows.values()) / sum(r["ours_s"] for r in rows.values())
    diff = max(r["max_diff"] for r in rows.values())
    print("(tokens forwarded / projected onto the vocabulary: reprolab/lm-eval)")
    print(f"all tasks: speed ratio {ratio:.2f}x (goal >= 3x: {'met' if ratio >= 3 else 'NOT met'});"
          f" max |loglik diff| {diff:.2e} ({'ok' if diff < 1e-3 else 'TOO LARGE'})")


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="smollm2-135m", help="Packaged name or local folder.")
    parser.add_argument("--tasks", default="memo-trap,neqa", help="Comma-separated tasks.")
    parser.add_argument("--limit", type=int, default=100, help="Items per task.")
    parser.add_argument("--batch-size", type=int, default=16, help="Batch size for both.")
    parser.add_argument("--repeats", type=int, default=3, help="Timed runs per side and task.")
    return parser


if __name__ == "__main__":
    args = make_parser().parse_args()
    main(args.model, args.tasks.split(","), args.limit, args.batch_size, args.repeats)
