"""What the quick and the full reproduction share: build the network, run grids and a forecast
into one folder, and the report's section with the headline from the committed real-scale grid
(`results/science4cast/grid/auc.csv`)."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from reprolab.core.report import Comparison, StudyContext, StudyResult, committed_results
from reprolab.science4cast.config import ForecastConfig, GridConfig, NetworkSource
from reprolab.science4cast.methods import METHODS
from reprolab.science4cast.runs import PAPER_SETTING, run_build, run_forecast, run_grid

TITLE = "Science4Cast: forecasting links in a semantic network of AI"
HEADLINE_METHOD = "m1_blend"  # beside the paper's winner M1 (0.917)


def _paper_rows(table: pd.DataFrame) -> pd.DataFrame:
    delta, cutoff, w_min = PAPER_SETTING
    return table[(table["delta"] == delta) & (table["cutoff"] == cutoff)
                 & (table["min_edges"] == w_min)]


def paper_comparisons(table: pd.DataFrame, scope: str) -> list[Comparison]:
    """Our AUC beside the paper's for each method the paper reports, at delta=3, cutoff=0,
    w_min=1."""
    return [Comparison(f"AUC {METHODS[row.method].title}, delta=3 cutoff=0 w_min=1",
                       round(row.auc, 4), METHODS[row.method].paper_auc,
                       f"{scope}; {row.positives} positives in {row.pairs:,} pairs")
            for row in _paper_rows(table).itertuples() if METHODS[row.method].paper_auc]


def committed_headline() -> Comparison | None:
    """The M1 blend's AUC in the committed real-scale grid, None if it is absent."""
    folder = committed_results("science4cast")
    path = folder / "grid" / "auc.csv" if folder else None
    if path is None or not path.is_file():
        return None
    rows = _paper_rows(pd.read_csv(path))
    found = [c for c in paper_comparisons(rows, "corpus network, year_start 2019")
             if c.quantity.startswith(f"AUC {METHODS[HEADLINE_METHOD].title}")]
    return found[0] if found else None


def reproduce(ctx: StudyContext, source: NetworkSource, grids: dict[str, GridConfig],
              forecast: ForecastConfig | None, scope: str) -> StudyResult:
    """Build the network into `ctx.out/build`, run each grid into `ctx.out/<its name>` and the
    forecast into `ctx.out/forecast`, all from the one built network."""
    build = run_build(source, out=ctx.out / "build")
    network = NetworkSource(network=str(build.folder / "network.npz"))
    figures = [("Growth of the network (papers, concepts, edges per year)",
                build.folder / "growth.png")]
    tables = [("Network growth per year", build.growth)]
    grid_tables = []
    for name, grid in grids.items():
        grid = replace(grid, source=network, seed=ctx.seed)
        result = run_grid(grid, out=ctx.out / name)
        grid_tables.append(result.table)
        tables.append((f"ROC AUC from {grid.year_start}, {name} ({scope})", result.wide))
        if (result.folder / "roc.png").is_file():
            figures.append((f"ROC curves, {name}", result.folder / "roc.png"))
    if forecast is not None:
        predicted = run_forecast(replace(forecast, source=network, seed=ctx.seed),
                                 out=ctx.out / "forecast")
        tables.append((f"Forecast: most likely new pairs from {predicted.year_start}",
                       predicted.table.head(20)))
    table = pd.concat(grid_tables, ignore_index=True)
    summary = (f"Network from {int(build.growth['papers'].sum()):,} papers "
               f"({int(build.growth['concepts'].iloc[-1]):,} concepts seen); link prediction "
               f"on {scope}. The paper's AUCs come from its arXiv network (64,719 concepts, "
               "10M pairs), not this corpus.")
    return StudyResult("science4cast", TITLE, summary, paper_comparisons(table, scope),
                       tables, figures, headline=committed_headline())
