"""Figures of the study: recovery curves after injection, batches to recover against k, and
MultiMNIST inputs beside each digit's reconstruction (as Sabour et al.'s fig. 5)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch
from matplotlib.figure import Figure

from reprolab.core.figures import new_figure


def reconstruction_figure(images: torch.Tensor, reconstructions: torch.Tensor,
                          labels: torch.Tensor, predicted: torch.Tensor) -> Figure:
    """Top row: inputs `(N, 1, S, S)`; bottom row: the reconstruction `(N, n, S*S)` of each
    predicted digit in its own colour (red, green), titled with true and predicted labels."""
    n, side = len(images), images.shape[-1]
    figure, axes = new_figure(2, n, panel_size=(1.3, 1.4))
    for i in range(n):
        rgb = np.zeros((side, side, 3))
        for channel, digit in enumerate(reconstructions[i].view(-1, side, side)[:2]):
            rgb[..., channel] = digit.detach().numpy()
        axes[0, i].imshow(images[i, 0].numpy(), cmap="gray", vmin=0, vmax=1)
        axes[0, i].set_title(f"label {','.join(map(str, labels[i].tolist()))}")
        axes[1, i].imshow(rgb.clip(0, 1))
        axes[1, i].set_title(f"pred {','.join(map(str, predicted[i].tolist()))}")
        for ax in axes[:, i]:
            ax.set_axis_off()
    return figure


def recovery_curves_figure(curves: pd.DataFrame, quantity: str = "acc_all") -> Figure:
    """Mean `quantity` against batches after injection: one panel per k, one line per model.
    `curves`: columns model, digit, seed, k, batch, `quantity` (one row per unit and check). A
    unit stops at recovery; its curve is held at its last check after that."""
    ks = sorted(curves["k"].unique())
    figure, axes = new_figure(1, len(ks), panel_size=(3.0, 2.6))
    for ax, k in zip(axes[0], ks, strict=True):
        for model, rows in curves[curves["k"] == k].groupby("model"):
            units = rows.pivot_table(index="batch", columns=["digit", "seed"], values=quantity)
            mean = units.sort_index().ffill().mean(axis=1)
            ax.plot(mean.index, mean.values, label=model)
        ax.set_title(f"k = {k}")
        ax.set_xlabel("batches after injection")
    axes[0, 0].set_ylabel(quantity.replace("acc_", "accuracy, ").replace("all", "all digits"))
    axes[0, -1].legend()
    return figure


def recovery_figure(summary: pd.DataFrame) -> Figure:
    """Mean batches to recover (95% interval) against k, one line per model (log axes)."""
    figure, axes = new_figure()
    ax = axes[0, 0]
    for model, rows in summary.groupby("model"):
        rows = rows.sort_values("k")
        ax.errorbar(rows["k"], rows["batches_mean"],
                    yerr=[rows["batches_mean"] - rows["batches_low"],
                          rows["batches_high"] - rows["batches_mean"]],
                    marker="o", capsize=3, label=model)
    ax.set_xscale("log")
    ax.set_yscale("symlog", linthresh=10)
    ax.set_xlabel("injected images k")
    ax.set_ylabel("batches to recover")
    ax.legend()
    return figure
