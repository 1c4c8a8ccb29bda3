"""One way to make figures: object-oriented matplotlib `Figure`s (no pyplot state), one style.

Studies draw on the axes `new_figure` returns and hand the figure to `RunRecord.save_figure`.
"""

from __future__ import annotations

import matplotlib
import numpy as np
from matplotlib.figure import Figure

PANEL_SIZE = (4.2, 3.4)  # inches per panel
STYLE = {
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.labelsize": 9,
    "legend.fontsize": 7,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
}
matplotlib.rcParams.update(STYLE)


def new_figure(nrows: int = 1, ncols: int = 1, *, panel_size: tuple[float, float] = PANEL_SIZE,
               figsize: tuple[float, float] | None = None, **subplot_kw: object
               ) -> tuple[Figure, np.ndarray]:
    """A constrained-layout `Figure` and its `(nrows, ncols)` array of axes."""
    size = figsize or (panel_size[0] * ncols, panel_size[1] * nrows)
    figure = Figure(figsize=size, layout="constrained")
    axes = figure.subplots(nrows, ncols, squeeze=False, subplot_kw=subplot_kw or None)
    return figure, axes


def save_png(figure: Figure, path) -> None:
    """Write `figure` as a PNG at the project's resolution."""
    figure.savefig(path, dpi=120, bbox_inches="tight")
