"""Benchmark: inverse-scaling evaluation (reprolab) against lm-evaluation-harness (goal: >= 3x).

The same prepared model (default `smollm2-135m`) scores the same items: the first `--limit` items
of each task (default memo-trap and NeQA), one log-likelihood request per class. reprolab runs its
whole per-task path (requests, deduplication, the shared-prefix scorer, the official metrics);
lm-eval's HF backend answers the same requests and accuracy is taken as the argmax, as its
`inverse_scaling_mc` tasks do. Model loading and a warm-up on 4 items per task are outside both
timings. One run; prints items/s of each, the speed ratio, and the largest per-request
log-likelihood difference (must be < 1e-3). Run it on a quiet machine: other jobs on the same
cores change one side's time and not the other's.

    REPROLAB_DATA_DIR=../shared/data uv run python benchmarks/invscale_speed.py
"""

from __future__ import annotations

import argparse
import os
import time
from functools import partial

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy as np
from lm_eval.api.instance import Instance
from lm_eval.models.huggingface import HFLM

from reprolab.invscale.evaluate import evaluate_examples, requests_for
from reprolab.invscale.tasks import LoadedTask, load_task
from reprolab.lm.scoring import score_continuations
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


def main(model_name: str, task_names: list[str], limit: int, batch_size: int) -> None:
    tasks = [load_task(name, limit=limit) for name in task_names]
    n_items = sum(len(task.examples) for task in tasks)
    folder = resolve_model(model_name)
    model, tokenizer = load_model(folder, device="cpu")
    harness = HFLM(pretrained=folder, batch_size=batch_size, device="cpu", dtype="float32")
    warm_up = [LoadedTask(t.name, t.task_type, t.examples[:4], t.source) for t in tasks]
    run_reprolab(warm_up, model, tokenizer, batch_size)  # first passes pay one-off set-up costs
    run_lm_eval(warm_up, harness)
    ours_s, ours_ll, ours_correct = run_reprolab(tasks, model, tokenizer, batch_size)
    theirs_s, theirs_ll, theirs_correct = run_lm_eval(tasks, harness)
    diff = max(abs(a - b) for a, b in zip(ours_ll, theirs_ll, strict=True))
    ratio = theirs_s / ours_s
    print(f"{model_name} on {', '.join(task_names)} ({n_items} items, {len(ours_ll)} requests, "
          f"batch size {batch_size}, CPU)")
    print(f"reprolab: {n_items / ours_s:7.2f} items/s  accuracy {np.mean(ours_correct):.4f}")
    print(f"lm-eval : {n_items / theirs_s:7.2f} items/s  accuracy {np.mean(theirs_correct):.4f}")
    print(f"speed ratio {ratio:.2f}x (goal >= 3x: {'met' if ratio >= 3 else 'NOT met'}); "
          f"max |loglik diff| {diff:.2e} ({'ok' if diff < 1e-3 else 'TOO LARGE'})")


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="smollm2-135m", help="Packaged name or local folder.")
    parser.add_argument("--tasks", default="memo-trap,neqa", help="Comma-separated tasks.")
    parser.add_argument("--limit", type=int, default=100, help="Items per task.")
    parser.add_argument("--batch-size", type=int, default=16, help="Batch size for both.")
    return parser


if __name__ == "__main__":
    args = make_parser().parse_args()
    main(args.model, args.tasks.split(","), args.limit, args.batch_size)
