"""Recovery tables and CNN/CapsNet ratios on hand-made unit rows."""

from __future__ import annotations

import math

import pandas as pd

from reprolab.capsules.metrics import recovery_table, transfer_ratios


def _rows(model: str, batches: list[float | None], k: int = 1) -> list[dict]:
    return [{"model": model, "digit": d, "seed": 0, "k": k, "recovery_batches": b,
             "forgetting": 0.1, "acc_old_before": 0.8} for d, b in enumerate(batches)]


def test_censored_units_count_as_the_budget():
    table = recovery_table(pd.DataFrame(_rows("cnn", [100, None])), cap=300)
    row = table.iloc[0]
    assert row["censored"] == 1 and row["batches_mean"] == 200
    assert 100 <= row["batches_low"] <= row["batches_high"] <= 300


def test_ratio_of_means_with_paired_interval():
    rows = _rows("cnn", [100, 200]) + _rows("capsnet", [10, 10])
    rows += _rows("cnn", [40, 40], k=5) + _rows("capsnet", [4, 4], k=5)
    ratios = transfer_ratios(pd.DataFrame(rows), cap=300).set_index("k")
    assert math.isclose(ratios.loc[1, "ratio"], 15.0)
    assert ratios.loc[1, "ratio_low"] >= 10 and ratios.loc[1, "ratio_high"] <= 20
    assert math.isclose(ratios.loc[5, "ratio"], 10.0) and ratios.loc[5, "ratio_low"] == 10
    # over all k: units' means are cnn (70, 120), capsnet (7, 7) -> 95 / 7
    assert math.isclose(ratios.loc["all", "ratio"], 95 / 7)


def test_no_baseline_no_ratios():
    assert transfer_ratios(pd.DataFrame(_rows("capsnet", [1])), cap=10).empty
