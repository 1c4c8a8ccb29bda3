"""Scaling plots in the style of McKenzie et al. 2023 (Figures 2-12): the metric against model
parameters on a log axis, one line per model family, bootstrap intervals as bands, and a dashed
random-chance line for accuracy."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from matplotlib.figure import Figure
from matplotlib.ticker import FixedLocator, NullLocator

from reprolab.core.figures import new_figure
from reprolab.invscale.trends import TrendCall


@dataclass(frozen=True)
class Series:
    """One line: a family's models of parameter counts `sizes` (increasing) and their trend."""

    label: str
    sizes: tuple[float, ...]
    call: TrendCall


@dataclass(frozen=True)
class Panel:
    """One subplot: a task and metric with its lines, for accuracy the chance level, and the
    x quantity (parameters, or training FLOPs)."""

    title: str
    ylabel: str
    series: tuple[Series, ...]
    chance: float | None = None
    xlabel: str = "Parameters"


def short_number(value: float) -> str:
    """125M, 1.3B, 175B; large FLOP counts as 1.6e+21."""
    if value >= 1e15:
        return f"{value:.1e}"
    for scale, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")):
        if value >= scale:
            return f"{value / scale:.3g}{suffix}"
    return f"{value:.3g}"


def draw_panel(ax, panel: Panel) -> None:
    """Draw `panel` on matplotlib axes `ax`."""
    for series in panel.series:
        call = series.call
        line, = ax.plot(series.sizes, call.means, marker="o",
                        label=f"{series.label}: {call.describe()}")
        ax.fill_between(series.sizes, call.lower, call.upper, color=line.get_color(), alpha=0.2)
    if panel.chance is not None:
        ax.axhline(panel.chance, color="black", linestyle="--", linewidth=1, label="random chance")
    ax.set_xscale("log")
    ticks = sorted({x for series in panel.series for x in series.sizes})
    ax.xaxis.set_major_locator(FixedLocator(ticks))
    ax.xaxis.set_minor_locator(NullLocator())
    ax.set_xticklabels([short_number(x) for x in ticks], rotation=45, fontsize=7)
    ax.set_xlabel(panel.xlabel)
    ax.set_ylabel(panel.ylabel)
    ax.set_title(panel.title)
    ax.legend(loc="best")


def scaling_figure(panels: Sequence[Panel], ncols: int = 3) -> Figure:
    """A grid of scaling panels, `ncols` wide."""
    assert panels, "need at least one panel"
    ncols = min(ncols, len(panels))
    nrows = math.ceil(len(panels) / ncols)
    figure, axes = new_figure(nrows, ncols)
    for ax, panel in zip(axes.flat, panels, strict=False):
        draw_panel(ax, panel)
    for ax in axes.flat[len(panels):]:
        ax.set_visible(False)
    return figure
