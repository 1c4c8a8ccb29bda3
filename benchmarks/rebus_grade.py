"""Benchmark: re-grade all 16 x 333 released REBUS answers (goal: well under a second).

Measures, best of `--repeats` runs with a cold normalisation cache each time:

* `grade_answer` alone on the 16 models' 5,328 answers (accents, case, spaces, punctuation,
  both spellings, also-accept), and
* the full `regrade_released` table (mechanical grade, rebuilt authors' grade, deciding rule,
  similarity) for every column of `eval_results.csv`,

beside the peer: lm-evaluation-harness's `exact_match_hf_evaluate` (ignore case and punctuation,
one reference per answer, no accent folding) on the same answer/solution pairs.

    REPROLAB_DATA_DIR=../shared/data uv run python benchmarks/rebus_grade.py
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

from lm_eval.api.metrics import exact_match_hf_evaluate

from reprolab.core.data import dataset_dir
from reprolab.rebus.data.dataset import load_puzzles
from reprolab.rebus.data.released import OUTPUT_FILES, load_released
from reprolab.rebus.scoring.grading import grade_answer, normalise
from reprolab.rebus.scoring.regrade import regrade_released


def best_time(job: Callable[[], object], repeats: int) -> float:
    """Fastest wall time of `job` over `repeats` runs, each after clearing the cache."""
    times = []
    for _ in range(repeats):
        normalise.cache_clear()
        start = time.perf_counter()
        job()
        times.append(time.perf_counter() - start)
    return min(times)


def main(repeats: int) -> None:
    folder = dataset_dir("rebus")
    puzzles = load_puzzles(folder=folder)
    released = load_released(folder)
    pairs = [(released.answers[m][p.id].answer, p) for m in OUTPUT_FILES for p in puzzles]
    predictions = [answer or "" for answer, _ in pairs]
    references = [puzzle.solution for _, puzzle in pairs]

    grade = best_time(lambda: [grade_answer(a, p.accepted) for a, p in pairs], repeats)
    table = best_time(lambda: regrade_released(puzzles, released), repeats)
    peer = best_time(lambda: exact_match_hf_evaluate(
        predictions, references, ignore_case=True, ignore_punctuation=True), repeats)
    print(f"answers graded: {len(pairs)} (16 models x {len(puzzles)} puzzles)")
    print(f"reprolab grade_answer:      {grade * 1e3:7.1f} ms  ({grade / peer:.1f}x the peer)")
    print(f"reprolab regrade_released:  {table * 1e3:7.1f} ms  "
          f"({len(released.models)} columns, both grades, DataFrame)")
    print(f"peer lm-eval exact_match:   {peer * 1e3:7.1f} ms")
    print(f"goal (well under 1 s): {'met' if table < 0.5 else 'NOT met'}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="runs per measurement")
    main(parser.parse_args().repeats)
