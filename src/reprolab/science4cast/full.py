"""Full reproduction: the commands behind `results/science4cast/README.md`: the paper's grid
(cutoff 0, 5, 25 x w_min 1, 3) from 2019 on the corpus network, one stage per delta (3 with
300,000 pairs; 1 and 5 with 100,000), node2vec and GraphSAGE on the paper's headline setting,
and a forecast after the corpus's last year."""

from __future__ import annotations

from reprolab.core.report import StudyContext, StudyResult
from reprolab.science4cast.config import ForecastConfig, GridConfig, NetworkSource
from reprolab.science4cast.reproduction import reproduce

FULL_GRIDS = {
    "grid-d3": GridConfig(deltas=(3,), n_pairs=300_000),
    "grid-d1": GridConfig(deltas=(1,), n_pairs=100_000),
    "grid-d5": GridConfig(deltas=(5,), n_pairs=100_000),
    "grid-d3-embeddings": GridConfig(deltas=(3,), cutoffs=(0,), min_edges=(1,),
                                     n_pairs=300_000, methods=("node2vec", "graphsage")),
}
FULL_FORECAST = ForecastConfig()


def run_full(ctx: StudyContext, source: NetworkSource | None = None,
             grids: dict[str, GridConfig] | None = None,
             forecast: ForecastConfig = FULL_FORECAST) -> StudyResult:
    """Build, the grid stages and the forecast under `ctx.out` (`source`, `grids`,
    `forecast`: other settings, for tests)."""
    return reproduce(ctx, source or NetworkSource(), grids or FULL_GRIDS, forecast,
                     "100,000 to 300,000 pairs")
