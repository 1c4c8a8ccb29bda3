"""Percentile bootstrap intervals, the one implementation every study uses.

Items (rows) are drawn with replacement; with a matrix `values[item, column]` the same draw serves
every column (a paired bootstrap), so differences between columns (models, sizes) are not given
more doubt than they have. Efron & Tibshirani 1993, ch. 13 (percentile intervals).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class BootstrapInterval:
    """Column means of the data with their percentile intervals and the replicates behind them.

    `mean`, `lower`, `upper`: shape `(columns,)` (scalars for 1-D data); `replicates`:
    `(n_boot, columns)` bootstrap means.
    """

    mean: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    replicates: np.ndarray


def bootstrap_means(values: np.ndarray, n_boot: int, rng: np.random.Generator,
                    chunk: int = 64) -> np.ndarray:
    """`(n_boot, *values.shape[1:])` means of `values` over rows drawn with replacement (the
    same draw for every column), `chunk` replicates at a time to bound memory."""
    values = np.asarray(values, dtype=np.float64)
    assert len(values) > 0, "bootstrap needs at least one item"
    n_items = values.shape[0]
    means = np.empty((n_boot, *values.shape[1:]))
    for start in range(0, n_boot, chunk):
        stop = min(start + chunk, n_boot)
        draws = rng.integers(0, n_items, size=(stop - start, n_items))
        means[start:stop] = values[draws].mean(axis=1)
    return means


def bootstrap_interval(values: np.ndarray, *, n_boot: int = 10_000, confidence: float = 0.95,
                       seed: int | np.random.Generator = 0) -> BootstrapInterval:
    """Means of `values` (1-D items, or `(items, columns)`) with `confidence` percentile
    intervals from `n_boot` paired bootstrap replicates; `seed` is a seed or a Generator."""
    assert 0 < confidence < 1, f"confidence must be in (0, 1), got {confidence}"
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    values = np.asarray(values, dtype=np.float64)
    replicates = bootstrap_means(values, n_boot, rng)
    alpha = (1 - confidence) / 2
    lower, upper = np.quantile(replicates, [alpha, 1 - alpha], axis=0)
    return BootstrapInterval(values.mean(axis=0), lower, upper, replicates)
