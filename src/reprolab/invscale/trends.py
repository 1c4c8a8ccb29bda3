"""Scaling trends: bootstrap confidence intervals and a shape classifier that states its doubt.

Input is a per-item metric matrix `values[item, model]` for models sorted by size (the same items
for every model). Items are resampled with replacement, the same draw for every model (a paired
bootstrap), so the uncertainty of differences between sizes is not overstated.

Shapes follow McKenzie et al. 2023 (sections 1 and 5) and Wei et al. 2022 for U-shapes, always in
terms of *performance* (the metric, negated when lower is better):

- positive: performance rises from the smallest to the largest model;
- inverse: performance falls;
- U-shaped: it falls, then recovers (an inner minimum below both ends);
- inverted-U: it rises, then falls (an inner maximum above both ends);
- flat: no difference larger than `min_effect`.

The call is the shape of the observed means; its probability is the share of bootstrap
replicates with that same shape (every shape's share is kept), and the least-squares slope per
decade of parameters gets a percentile interval.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

SHAPES = ("positive", "inverse", "U-shaped", "inverted-U", "flat")


@dataclass(frozen=True)
class TrendSettings:
    """How trends are estimated."""

    n_boot: int = field(default=1000, metadata={"help": "Bootstrap replicates over items."})
    confidence: float = field(default=0.95, metadata={"help": "Width of the intervals."})
    min_effect: float = field(
        default=0.01,
        metadata={"help": "Smallest change in the metric that counts as a trend (metric units)."})
    seed: int = field(default=0, metadata={"help": "Seed of the bootstrap draws."})

    def __post_init__(self) -> None:
        if self.n_boot < 10:
            raise ValueError(f"n_boot must be >= 10, got {self.n_boot}")
        if not 0 < self.confidence < 1:
            raise ValueError(f"confidence must be in (0, 1), got {self.confidence}")
        if self.min_effect < 0:
            raise ValueError(f"min_effect must be >= 0, got {self.min_effect}")


DEFAULT_TREND_SETTINGS = TrendSettings()


@dataclass(frozen=True)
class TrendCall:
    """A classified trend with its uncertainty.

    `means[j]`, `lower[j]`, `upper[j]`: metric of the j-th smallest model and its interval;
    `probability`: share of bootstrap replicates with shape `shape`; `probabilities`: every
    shape's share; `slope*`: least-squares change of the metric per tenfold parameters.
    """

    shape: str
    probability: float
    probabilities: dict[str, float]
    means: tuple[float, ...]
    lower: tuple[float, ...]
    upper: tuple[float, ...]
    slope: float
    slope_lower: float
    slope_upper: float
    n_items: int

    def describe(self) -> str:
        """E.g. `inverse (p=0.93)`."""
        return f"{self.shape} (p={self.probability:.2f})"


def classify_shape(performance: Sequence[float], min_effect: float) -> str:
    """The shape of one curve of performance values (higher is better), sorted by model size."""
    p = np.asarray(performance, dtype=np.float64)
    assert p.ndim == 1 and len(p) >= 2, "need at least two model sizes"
    first, last = p[0], p[-1]
    if len(p) >= 3:
        inner = p[1:-1]
        dip = min(first, last) - inner.min()
        peak = inner.max() - max(first, last)
        if max(dip, peak) > min_effect:
            return "U-shaped" if dip >= peak else "inverted-U"
    if last - first > min_effect:
        return "positive"
    if first - last > min_effect:
        return "inverse"
    return "flat"


def bootstrap_means(values: np.ndarray, n_boot: int, rng: np.random.Generator,
                    chunk: int = 64) -> np.ndarray:
    """Paired bootstrap: `(n_boot, n_models)` means of `values[item, model]` over items drawn
    with replacement (the same draw for every model), `chunk` replicates at a time."""
    n_items = values.shape[0]
    means = np.empty((n_boot, values.shape[1]))
    for start in range(0, n_boot, chunk):
        stop = min(start + chunk, n_boot)
        draws = rng.integers(0, n_items, size=(stop - start, n_items))
        means[start:stop] = values[draws].mean(axis=1)
    return means


def bootstrap_interval(values: np.ndarray, settings: TrendSettings = DEFAULT_TREND_SETTINGS
                       ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Means of `values[item, model]` with percentile intervals: `(means, lower, upper,
    replicates)`, the replicates `(n_boot, n_models)` from a paired bootstrap seeded by
    `settings.seed`."""
    replicates = bootstrap_means(values, settings.n_boot, np.random.default_rng(settings.seed))
    alpha = (1 - settings.confidence) / 2
    lower, upper = np.quantile(replicates, [alpha, 1 - alpha], axis=0)
    return values.mean(axis=0), lower, upper, replicates


def log_slope(log_sizes: np.ndarray, means: np.ndarray) -> np.ndarray:
    """Least-squares slope of `means[..., j]` against `log_sizes[j]` (last axis)."""
    x = log_sizes - log_sizes.mean()
    return (means - means.mean(axis=-1, keepdims=True)) @ x / (x @ x)


def classify_trend(values: np.ndarray, sizes: Sequence[float], *, higher_is_better: bool,
                   settings: TrendSettings = DEFAULT_TREND_SETTINGS) -> TrendCall:
    """Classify the trend of `values[item, model]` over models of increasing parameter counts
    `sizes`. Items with a NaN for any model are dropped."""
    values = np.asarray(values, dtype=np.float64)
    log_sizes = np.log10(np.asarray(sizes, dtype=np.float64))
    assert values.ndim == 2 and values.shape[1] == len(log_sizes) >= 2, \
        "values must be (items, models) with one size per model and >= 2 models"
    assert np.all(np.diff(log_sizes) > 0), "models must be sorted by strictly increasing size"
    values = values[~np.isnan(values).any(axis=1)]
    assert len(values) > 0, "no item has a value for every model"
    sign = 1.0 if higher_is_better else -1.0
    means, lower, upper, replicates = bootstrap_interval(values, settings)
    shapes = Counter(classify_shape(sign * row, settings.min_effect) for row in replicates)
    probabilities = {s: shapes.get(s, 0) / settings.n_boot for s in SHAPES}
    shape = classify_shape(sign * means, settings.min_effect)
    alpha = (1 - settings.confidence) / 2
    slopes = log_slope(log_sizes, replicates)
    return TrendCall(
        shape=shape,
        probability=probabilities[shape],
        probabilities=probabilities,
        means=tuple(means.tolist()),
        lower=tuple(lower.tolist()),
        upper=tuple(upper.tolist()),
        slope=float(log_slope(log_sizes, means)),
        slope_lower=float(np.quantile(slopes, alpha)),
        slope_upper=float(np.quantile(slopes, 1 - alpha)),
        n_items=len(values),
    )
