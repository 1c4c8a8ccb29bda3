"""Paper-style scaling figures."""

from __future__ import annotations

import numpy as np

from reprolab.invscale.plots import Panel, Series, scaling_figure, short_number
from reprolab.invscale.trends import TrendSettings, classify_trend


def test_scaling_figure_has_log_x_bands_and_a_chance_line(tmp_path):
    sizes = (1e8, 1e9, 1e10)
    values = np.column_stack([np.arange(100) < k for k in (80, 60, 40)]).astype(float)
    call = classify_trend(values, sizes, higher_is_better=True, settings=TrendSettings(n_boot=50))
    panels = [Panel("memo-trap", "accuracy", (Series("ladder", sizes, call),), chance=0.5),
              Panel("neqa", "loss", (Series("ladder", sizes, call),))]
    figure = scaling_figure(panels, ncols=3)
    axes = [ax for ax in figure.axes if ax.get_visible()]
    assert len(axes) == 2
    assert all(ax.get_xscale() == "log" for ax in axes)
    first_lines = axes[0].get_lines()
    assert list(first_lines[0].get_ydata()) == [0.8, 0.6, 0.4]
    assert list(first_lines[-1].get_ydata()) == [0.5, 0.5]  # random chance
    assert len(axes[1].get_lines()) == 1
    assert "inverse (p=1.00)" in axes[0].get_legend().get_texts()[0].get_text()
    assert [t.get_text() for t in axes[0].get_xticklabels()] == ["100M", "1B", "10B"]
    path = tmp_path / "figure.png"
    figure.savefig(path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_short_numbers():
    assert [short_number(x) for x in (124e6, 1.5e9, 175e9, 1.6e21)] == [
        "124M", "1.5B", "175B", "1.6e+21"]
