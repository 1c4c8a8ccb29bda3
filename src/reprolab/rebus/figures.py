"""Figures: accuracy by difficulty, ours beside the paper's (`reprolab.core.figures` style)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from reprolab.core.figures import new_figure
from reprolab.rebus.data.published import PublishedRow

SPLIT_COLOURS = {"easy": "#4c9f70", "medium": "#e0a030", "hard": "#c0504d"}


def plot_accuracy_by_difficulty(
    table: pd.DataFrame, published: dict[str, PublishedRow] | None = None,
    title: str = "REBUS accuracy by difficulty",
) -> Figure:
    """Grouped bars of `table` (models x easy/medium/hard, percent), models by overall accuracy;
    a black tick marks the published value where there is one."""
    order = table.sort_values("overall", ascending=True).index
    y = np.arange(len(order))
    height = 0.26
    figure, axes = new_figure(figsize=(8, 0.42 * len(order) + 1.2))
    axis = axes[0, 0]
    for offset, split in zip((height, 0.0, -height), SPLIT_COLOURS, strict=True):
        values = table.loc[order, split].to_numpy(dtype=float)
        axis.barh(y + offset, values, height, color=SPLIT_COLOURS[split], label=split)
        if published:
            paper = [getattr(published[m], split) if m in published else np.nan for m in order]
            axis.scatter(paper, y + offset, marker="|", color="black", s=60, zorder=3,
                         label="published" if split == "easy" else None)
    axis.set_yticks(y, list(order))
    axis.set_xlabel("accuracy (%)")
    axis.set_xlim(0, 100)
    axis.set_title(title)
    axis.legend(loc="lower right", frameon=False)
    return figure
