"""Figures and paper comparisons of the backdoor study."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure

from reprolab.backdoor.designs import DESIGNS
from reprolab.backdoor.lat import LatResult
from reprolab.core.report import Comparison

PAPER_LAT_STEPS_PASSWORD = 8  # Draguns et al. 2024: password-locked elicited in ~8 steps
PAPER_NOISE_RATE = {"sat": 0.6, "locker": 0.0}  # share of 34 noisy LAT runs that elicit


def lat_loss_figure(results: dict[str, list[LatResult]], check_sites: dict[str, int]) -> Figure:
    """Paper-style figure: LAT loss (mean over seeds) vs step, one line per site, one panel per
    design; dashed lines are sites at or after the check."""
    fig, axes = plt.subplots(1, len(results), figsize=(4.2 * len(results), 3.4), squeeze=False)
    for ax, (design, per_site) in zip(axes[0], results.items(), strict=True):
        colours = plt.get_cmap("viridis")
        last_site = max([1, *(result.site for result in per_site)])
        for result in per_site:
            shade = colours(result.site / last_site)
            style = "--" if result.site >= check_sites[design] else "-"
            ax.plot(result.losses.mean(axis=1), style, color=shade, lw=1.2,
                    label=f"site {result.site}" if len(per_site) <= 6 else None)
        elicited = [r.site for r in per_site if r.elicited.any()]
        ax.text(0.98, 0.5, f"true payload at sites: {_ranges(elicited) or 'none'}",
                transform=ax.transAxes, ha="right", fontsize=8)
        ax.set_yscale("symlog", linthresh=1e-3)
        if per_site and len(per_site[0].losses) > 200:  # long budgets: the first steps matter
            ax.set_xscale("symlog", linthresh=10)
        ax.set_title(DESIGNS[design].title)
        ax.set_xlabel("LAT step")
        ax.set_ylabel("loss  -log sigmoid(gate logit)")
        if len(per_site) <= 6:
            ax.legend(fontsize=7, loc="center left")
        else:
            scale = plt.cm.ScalarMappable(cmap="viridis",
                                          norm=plt.Normalize(0, last_site))
            fig.colorbar(scale, ax=ax, label="site (layer)")
    fig.tight_layout()
    return fig


def _ranges(sites: list[int]) -> str:
    """[0, 1, 2, 5] -> '0-2, 5'."""
    runs: list[list[int]] = []
    for site in sites:
        if runs and site == runs[-1][-1] + 1:
            runs[-1].append(site)
        else:
            runs.append([site])
    return ", ".join(f"{r[0]}-{r[-1]}" if len(r) > 1 else str(r[0]) for r in runs)


def elicitation_comparisons(summary: pd.DataFrame, steps: int) -> list[Comparison]:
    """Our LAT outcomes beside the paper's facts."""
    lat = summary[summary["method"] == "lat"]

    def share(design: str, where: str) -> str:
        row = lat[(lat["design"] == design) & (lat["sites"] == where)]
        if row.empty:
            return "not run"
        return f"{int(row['elicited'].iloc[0])}/{int(row['attacks'].iloc[0])}"

    def median(design: str) -> float | str:
        rows = lat[lat["design"] == design]["median_steps_to_success"].dropna()
        return float(rows.max()) if len(rows) else "never"

    note = f"{steps} LAT steps here vs 10,000 in the paper"
    return [
        Comparison("password-locked: LAT elicits before the check (attacks)",
                   share("password", "before check"), "every layer", note),
        Comparison("password-locked: slowest site's median steps to success",
                   median("password"), PAPER_LAT_STEPS_PASSWORD, "Adam on an unbounded delta"),
        Comparison("NP-complete: LAT elicits before the SAT check",
                   share("sat", "before check"), "never", note),
        Comparison("NP-complete: LAT elicits after the SAT check",
                   share("sat", "after check"), "yes", "plaintext payload behind one bit"),
        Comparison("encrypted: LAT elicits before the check",
                   share("locker", "before check"), "never", note),
        Comparison("encrypted: LAT elicits after the check",
                   share("locker", "after check"), "never",
                   "the gate opens, but the payload read out is garbage"),
    ]
