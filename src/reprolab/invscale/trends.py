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
decade of parameters gets a percentile interval. A call whose probability is below
`CLEAR_TREND` is reported as "no clear trend (estimate: inverse, p=0.59)", never by name.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from reprolab.core.errors import UserError
from reprolab.core.stats import bootstrap_interval

SHAPES = ("positive", "inverse", "U-shaped", "inverted-U", "flat")
CLEAR_TREND = 0.95  # the least probability of a call that is named


def verdict(shape: str, probability: float) -> str:
    """`shape` when `probability >= CLEAR_TREND`, else `no clear trend (estimate: inverse,
    p=0.59)`."""
    if probability >= CLEAR_TREND:
        return shape
    return f"no clear trend (estimate: {shape}, p={probability:.2f})"


def describe(shape: str, probability: float) -> str:
    """`inverse (p=0.99)`, or `no clear trend (estimate: inverse, p=0.59)` below CLEAR_TREND."""
    if probability >= CLEAR_TREND:
        return f"{shape} (p={probability:.2f})"
    return verdict(shape, probability)


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
            raise UserError(f"--n-boot must be >= 10, got {self.n_boot}.")
        if not 0 < self.confidence < 1:
            raise UserError(f"--confidence must be in (0, 1), got {self.confidence}.")
        if self.min_effect < 0:
            raise UserError(f"--min-effect must be >= 0, got {self.min_effect}.")


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

    @property
    def verdict(self) -> str:
        """The shape by name if the call is clear, else `no clear trend (estimate: ...)`."""
        return verdict(self.shape, self.probability)

    def describe(self) -> str:
        """E.g. `inverse (p=0.99)`, or `no clear trend (estimate: inverse, p=0.59)`."""
        return describe(self.shape, self.probability)


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
    interval = bootstrap_interval(values, n_boot=settings.n_boot,
                                  confidence=settings.confidence, seed=settings.seed)
    shapes = Counter(classify_shape(sign * row, settings.min_effect)
                     for row in interval.replicates)
    probabilities = {s: shapes.get(s, 0) / settings.n_boot for s in SHAPES}
    shape = classify_shape(sign * interval.mean, settings.min_effect)
    alpha = (1 - settings.confidence) / 2
    slopes = log_slope(log_sizes, interval.replicates)
    means = interval.mean
    return TrendCall(
        shape=shape,
        probability=probabilities[shape],
        probabilities=probabilities,
        means=tuple(means.tolist()),
        lower=tuple(interval.lower.tolist()),
        upper=tuple(interval.upper.tolist()),
        slope=float(log_slope(log_sizes, means)),
        slope_lower=float(np.quantile(slopes, alpha)),
        slope_upper=float(np.quantile(slopes, 1 - alpha)),
        n_items=len(values),
    )
