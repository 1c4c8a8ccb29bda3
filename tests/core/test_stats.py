"""core.stats: the one bootstrap."""

import numpy as np

from reprolab.core.stats import bootstrap_interval, bootstrap_means


def test_constant_columns_have_zero_width_intervals():
    values = np.column_stack([np.zeros(20), np.ones(20)])
    interval = bootstrap_interval(values, n_boot=200, seed=1)
    assert interval.mean.tolist() == [0.0, 1.0]
    assert interval.lower.tolist() == [0.0, 1.0] and interval.upper.tolist() == [0.0, 1.0]
    assert interval.replicates.shape == (200, 2)


def test_paired_draws_keep_column_differences_exact():
    rng = np.random.default_rng(0)
    base = rng.normal(size=50)
    means = bootstrap_means(np.column_stack([base, base + 2.0]), 300, rng)
    assert np.allclose(means[:, 1] - means[:, 0], 2.0)


def test_interval_of_a_proportion_matches_the_binomial_spread():
    # 50 of 100 correct: the bootstrap mean has sd sqrt(.25/100) = .05, a 95% interval ~ +-.098
    values = np.r_[np.ones(50), np.zeros(50)]
    interval = bootstrap_interval(values, n_boot=20_000, seed=3)
    assert interval.mean == 0.5
    assert abs(interval.lower - 0.402) < 0.012 and abs(interval.upper - 0.598) < 0.012


def test_same_seed_same_interval():
    values = np.random.default_rng(5).random(30)
    a, b = (bootstrap_interval(values, n_boot=100, seed=9) for _ in range(2))
    assert a.lower == b.lower and a.upper == b.upper
