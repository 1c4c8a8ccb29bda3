from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from reprolab.rebus.analysis import (
    accuracy_table,
    breakdown_tables,
    format_accuracy,
    with_metadata,
)
from reprolab.rebus.data.dataset import load_local
from reprolab.rebus.data.published import PUBLISHED
from reprolab.rebus.figures import plot_accuracy_by_difficulty


def interval(correct: int, n: int) -> tuple[float, float]:
    records = pd.DataFrame({"model": ["m"] * n, "correct": [1] * correct + [0] * (n - correct)})
    [row] = accuracy_table(records).itertuples()
    return row.ci_low, row.ci_high


def test_bootstrap_interval_of_0_1_outcomes_edges_and_width() -> None:
    assert interval(0, 20) == (0.0, 0.0)
    assert interval(20, 20) == (100.0, 100.0)
    low, high = interval(50, 100)
    # Normal approximation: 50 +/- 1.96 * sqrt(0.25 / 100) * 100 = [40.2, 59.8].
    assert low == pytest.approx(40.0, abs=1.5) and high == pytest.approx(60.0, abs=1.5)


def test_bootstrap_is_seeded() -> None:
    records = pd.DataFrame({"model": ["m"] * 7, "correct": [1, 0, 1, 1, 0, 0, 1]})
    assert accuracy_table(records, seed=3).equals(accuracy_table(records, seed=3))


def test_breakdowns_by_metadata(rebus_folder: Path) -> None:
    puzzles = load_local(rebus_folder)
    records = with_metadata(pd.DataFrame({
        "model": ["m", "m", "m"], "puzzle": ["0001", "0002", "0003"],
        "correct": [True, False, True]}), puzzles)
    tables = breakdown_tables(records, n_boot=200)
    assert set(tables) == {"overall", "difficulty", "theme", "exact spelling",
                           "specific reference", "reading"}
    difficulty = tables["difficulty"].set_index("difficulty")
    assert difficulty.loc["Medium", ["n", "correct", "accuracy"]].tolist() == [2, 1, 50.0]
    reading = tables["reading"].set_index("reading")
    assert reading.loc[True, "accuracy"] == 100.0  # only 0003 needs reading
    assert format_accuracy(tables["overall"]).iloc[0].startswith("66.7 [")


def test_figure_has_three_bars_per_model_and_published_ticks() -> None:
    table = pd.DataFrame({"overall": [41.7, 5.0], "easy": [52.4, 6.0], "medium": [32.5, 4.0],
                          "hard": [7.1, 0.0]}, index=["GPT-4o", "Unpublished"])
    figure = plot_accuracy_by_difficulty(table, PUBLISHED)
    axis = figure.axes[0]
    assert len(axis.patches) == 6
    ticks = np.concatenate([c.get_offsets()[:, 0] for c in axis.collections])
    assert sorted(t for t in ticks if not np.isnan(t)) == [7.1, 32.5, 52.4]
