"""Shape calls, paired bootstrap intervals and slopes on hand-built curves."""

from __future__ import annotations

import numpy as np
import pytest

from reprolab.core.errors import UserError
from reprolab.invscale.trends import (
    TrendSettings,
    classify_shape,
    classify_trend,
    describe,
    verdict,
)


@pytest.mark.parametrize(("curve", "shape"), [
    ([0.5, 0.6, 0.7], "positive"),
    ([0.7, 0.6, 0.5], "inverse"),
    ([0.7, 0.5, 0.6], "U-shaped"),
    ([0.5, 0.7, 0.6], "inverted-U"),
    ([0.5, 0.505, 0.498], "flat"),
    ([0.6, 0.4], "inverse"),
    ([0.5, 0.52, 0.51, 0.6], "positive"),  # a small inner wobble is not a U
])
def test_shapes_of_performance_curves(curve, shape):
    assert classify_shape(curve, min_effect=0.01) == shape


def _columns(*accuracies: float, n: int = 200) -> np.ndarray:
    """Items x models of 0/1 scores whose column means are exactly `accuracies`."""
    return np.column_stack([np.arange(n) < round(a * n) for a in accuracies]).astype(float)


def test_a_clear_inverse_trend_is_called_with_certainty():
    values = _columns(0.9, 0.6, 0.3)
    call = classify_trend(values, [1e8, 1e9, 1e10], higher_is_better=True,
                          settings=TrendSettings(n_boot=300))
    assert call.shape == "inverse" and call.probability == 1.0
    assert call.means == pytest.approx((0.9, 0.6, 0.3))
    assert all(lo <= m <= hi for lo, m, hi in zip(call.lower, call.means, call.upper, strict=True))
    assert call.slope == pytest.approx(-0.3)  # per decade of parameters
    assert call.slope_upper < 0
    assert call.n_items == 200


def test_losses_are_read_with_lower_as_better():
    losses = np.array([[0.3, 0.6, 0.9]] * 20) + np.linspace(0, 0.01, 20)[:, None]
    call = classify_trend(losses, [1e8, 1e9, 1e10], higher_is_better=False,
                          settings=TrendSettings(n_boot=100))
    assert call.shape == "inverse"


def test_a_small_difference_on_few_items_states_its_doubt():
    values = _columns(0.50, 0.56, n=50)
    call = classify_trend(values, [1e8, 1e9], higher_is_better=True,
                          settings=TrendSettings(n_boot=500, seed=3))
    assert call.shape == "positive"
    assert 0.5 < call.probability < 0.95
    assert sum(call.probabilities.values()) == pytest.approx(1.0)
    assert call.lower[1] < 0.5 < call.upper[1]


def test_same_seed_same_call_and_nan_items_are_dropped():
    rng = np.random.default_rng(0)
    values = rng.random((40, 3))
    values[0, 1] = np.nan
    first = classify_trend(values, [1, 10, 100], higher_is_better=True)
    assert first == classify_trend(values, [1, 10, 100], higher_is_better=True)
    assert first.n_items == 39


def test_bad_settings_and_unsorted_sizes_are_refused():
    with pytest.raises(UserError, match="confidence"):
        TrendSettings(confidence=1.5)
    with pytest.raises(AssertionError, match="increasing size"):
        classify_trend(np.ones((3, 2)), [10, 1], higher_is_better=True)


def test_a_call_below_p_095_is_not_named():
    assert verdict("inverse", 0.95) == "inverse"
    assert verdict("inverse", 0.5912) == "no clear trend (estimate: inverse, p=0.59)"
    assert describe("U-shaped", 0.999) == "U-shaped (p=1.00)"
    assert describe("U-shaped", 0.66) == "no clear trend (estimate: U-shaped, p=0.66)"
    call = classify_trend(_columns(0.50, 0.56, n=50), [1e8, 1e9], higher_is_better=True,
                          settings=TrendSettings(n_boot=500, seed=3))
    assert call.verdict.startswith("no clear trend (estimate: positive, p=")
