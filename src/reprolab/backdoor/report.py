"""Figures and paper comparisons of the backdoor study, and the headline from its committed
real-scale results (`results/backdoor/`)."""

from __future__ import annotations

from pathlib import Path

import matplotlib
import pandas as pd
from matplotlib.cm import ScalarMappable
from matplotlib.colors import Normalize
from matplotlib.figure import Figure

from reprolab.backdoor.attacks.elicit import DesignAttacks
from reprolab.backdoor.designs.registry import DESIGNS
from reprolab.core.figures import new_figure
from reprolab.core.report import Comparison, results_dir

TITLE = "Unelicitable backdoors via cryptographic transformer circuits"
PAPER_LAT_STEPS_PASSWORD = 8  # Draguns et al. 2024: password-locked elicited in ~8 steps
PAPER_NOISE_RATE = {"sat": 0.6, "locker": 0.0}  # share of 34 noisy LAT runs that elicit
VIRIDIS = matplotlib.colormaps["viridis"]
RESULTS = results_dir("backdoor")
PAPER_BUDGET_RUN = "paper-budget-cpu"  # LAT at 10,000 steps and GCG, 5 seeds, three designs


def lat_loss_figure(attacks: list[DesignAttacks]) -> Figure:
    """Paper-style figure: LAT loss (mean over seeds) vs step, one line per site, one panel per
    design; dashed lines are sites at or after the check."""
    figure, axes = new_figure(1, len(attacks))
    for ax, design in zip(axes[0], attacks, strict=True):
        last_site = max([1, *(result.site for result in design.lat)])
        shade = Normalize(0, last_site)
        for result in design.lat:
            style = "--" if result.site >= design.check_site else "-"
            ax.plot(result.losses.mean(axis=1), style, color=VIRIDIS(shade(result.site)), lw=1.2,
                    label=f"site {result.site}" if len(design.lat) <= 6 else None)
        elicited = [r.site for r in design.lat if r.elicited.any()]
        ax.text(0.98, 0.5, f"true payload at sites: {_ranges(elicited) or 'none'}",
                transform=ax.transAxes, ha="right", fontsize=8)
        ax.set_yscale("symlog", linthresh=1e-3)
        if design.lat and len(design.lat[0].losses) > 200:  # long budgets: early steps matter
            ax.set_xscale("symlog", linthresh=10)
        ax.set_title(DESIGNS[design.design].title)
        ax.set_xlabel("LAT step")
        ax.set_ylabel("loss  -log sigmoid(gate logit)")
        if len(design.lat) <= 6:
            ax.legend(loc="center left")
        else:
            figure.colorbar(ScalarMappable(norm=shade, cmap=VIRIDIS), ax=ax, label="site (layer)")
    return figure


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


def noise_comparisons(noise: pd.DataFrame, lat_steps: int | None, sites: str) -> list[Comparison]:
    """Our noisy-LAT outcomes beside the paper's rates (34 runs each)."""
    return [Comparison(
        f"{row.design}: noisy LAT runs eliciting the payload", f"{row.elicited}/{row.runs}",
        f"{PAPER_NOISE_RATE[row.design]:.0%} of 34",
        f"noise std {row.noise_std:.2g} (largest exact: {row.max_exact_std:.2g}); LAT "
        f"{lat_steps} steps at the {sites} site(s)")
        for row in noise.itertuples(index=False) if row.design in PAPER_NOISE_RATE]


def locker_headline(summary: pd.DataFrame, note: str) -> Comparison | None:
    """The study's headline: LAT never elicits the digital locker's payload before its check;
    None when `summary` has no such row."""
    rows = summary[(summary["design"] == "locker") & (summary["method"] == "lat")
                   & (summary["sites"] == "before check")]
    if rows.empty:
        return None
    row = rows.iloc[0]
    return Comparison("encrypted (digital locker): LAT attacks eliciting the payload before "
                      "the check", f"{int(row['elicited'])}/{int(row['attacks'])}", "never", note)


def committed_headline(results: Path = RESULTS) -> Comparison | None:
    """`locker_headline` of the committed run at the paper's LAT budget, None if it is absent."""
    path = results / PAPER_BUDGET_RUN / "summary.csv"
    if not path.is_file():
        return None
    return locker_headline(pd.read_csv(path), f"10,000 LAT steps x 5 seeds per site "
                                              f"(results/backdoor/{PAPER_BUDGET_RUN})")
