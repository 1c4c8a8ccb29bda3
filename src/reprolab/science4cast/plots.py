"""Figures: the network's growth per year (as the paper's Fig. 1) and ROC curves."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from reprolab.core.figures import new_figure


def growth_figure(growth: pd.DataFrame) -> Figure:
    """Papers per year, concepts seen so far and cumulative edges against the year, log y."""
    figure, axes = new_figure(1, 1, panel_size=(5.2, 3.6))
    ax = axes[0, 0]
    for column, label in (("papers", "papers that year"), ("concepts", "concepts seen"),
                          ("cumulative_edges", "edges (cumulative)"),
                          ("distinct_pairs", "connected pairs (cumulative)")):
        ax.plot(growth["year"], growth[column], marker=".", label=label)
    ax.set_yscale("log")
    ax.set_xlabel("year")
    ax.set_ylabel("count")
    ax.set_title("Growth of the semantic network")
    ax.legend(loc="lower right")
    return figure


def roc_figure(curves: pd.DataFrame, title: str) -> Figure:
    """ROC curves from a frame with columns method, fpr, tpr, auc (past ten methods the colours
    repeat, dashed)."""
    figure, axes = new_figure(1, 1, panel_size=(4.6, 4.2))
    ax = axes[0, 0]
    for index, (method, curve) in enumerate(curves.groupby("method", sort=False)):
        ax.plot(curve["fpr"], curve["tpr"], linestyle="-" if index < 10 else "--",
                label=f"{method} ({curve['auc'].iloc[0]:.3f})")
    ax.plot([0, 1], [0, 1], color="grey", linestyle=":", linewidth=1)
    ax.set_xlabel("false positive rate")
    ax.set_ylabel("true positive rate")
    ax.set_title(title)
    ax.legend(loc="lower right")
    return figure


def roc_grid(fpr: np.ndarray, tpr: np.ndarray, points: int = 201) -> tuple[np.ndarray, ...]:
    """The curve (fpr, tpr) resampled on `points` evenly spaced false positive rates."""
    grid = np.linspace(0.0, 1.0, points)
    return grid, np.interp(grid, fpr, tpr)
