"""Accuracy with bootstrap 95% CIs, overall and broken down by puzzle metadata.

Records are one row per (model, puzzle) with a boolean `correct` column (`regrade` and
`evaluate` both produce them); `with_metadata` joins the puzzle fields the breakdowns use:
difficulty, theme, and the exact-spelling, specific-reference and reading flags (the paper's
per-category analyses, Sec. 4).

The CI is the percentile bootstrap over puzzles (`reprolab.core.stats.bootstrap_interval`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from reprolab.core.stats import bootstrap_interval
from reprolab.rebus.data.dataset import Puzzle

BREAKDOWNS: dict[str, str] = {
    "difficulty": "difficulty",
    "theme": "theme",
    "exact spelling": "exact_spelling",
    "specific reference": "specific_reference",
    "reading": "reading",
}


def puzzle_table(puzzles: Sequence[Puzzle]) -> pd.DataFrame:
    """Puzzle metadata as a frame indexed by puzzle id."""
    return pd.DataFrame([{
        "puzzle": p.id, "solution": p.solution, "theme": p.theme, "difficulty": p.difficulty,
        "exact_spelling": p.exact_spelling, "specific_reference": p.specific_reference,
        "reading": p.reading, "author": p.author,
    } for p in puzzles]).set_index("puzzle")


def with_metadata(records: pd.DataFrame, puzzles: Sequence[Puzzle]) -> pd.DataFrame:
    """`records` (with a `puzzle` column) joined with the puzzle metadata it lacks."""
    meta = puzzle_table(puzzles)
    missing = [c for c in meta.columns if c not in records.columns]
    return records.join(meta[missing], on="puzzle")


def accuracy_table(
    records: pd.DataFrame, by: str | None = None, *, column: str = "correct",
    seed: int = 0, n_boot: int = 10_000,
) -> pd.DataFrame:
    """Per model (and per value of `by`): n, correct, accuracy % and its bootstrap 95% CI."""
    rng = np.random.default_rng(seed)
    keys = ["model"] if by is None else ["model", by]
    rows = []
    for key, group in records.groupby(keys, sort=False, dropna=False):
        values = dict(zip(keys, key if isinstance(key, tuple) else (key,), strict=True))
        outcomes = group[column].to_numpy(dtype=float)
        interval = bootstrap_interval(outcomes, n_boot=n_boot, seed=rng)
        rows.append({**values, "n": len(outcomes), "correct": int(outcomes.sum()),
                     "accuracy": 100 * float(interval.mean),
                     "ci_low": 100 * float(interval.lower), "ci_high": 100 * float(interval.upper)})
    return pd.DataFrame(rows)


def breakdown_tables(
    records: pd.DataFrame, *, column: str = "correct", seed: int = 0, n_boot: int = 10_000,
) -> dict[str, pd.DataFrame]:
    """`{"overall": ..., "difficulty": ..., "theme": ..., ...}` accuracy tables."""
    tables = {"overall": accuracy_table(records, column=column, seed=seed, n_boot=n_boot)}
    for name, field in BREAKDOWNS.items():
        tables[name] = accuracy_table(records, field, column=column, seed=seed, n_boot=n_boot)
    return tables


def format_accuracy(table: pd.DataFrame) -> pd.Series:
    """`"41.7 [36.3, 47.1]"` strings for an accuracy table's rows."""
    return table.apply(
        lambda r: f"{r['accuracy']:.1f} [{r['ci_low']:.1f}, {r['ci_high']:.1f}]", axis=1)
