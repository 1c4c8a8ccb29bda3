"""Full reproduction: the commands behind `results/science4cast/README.md`, the paper's grid
(delta 1, 3, 5 x cutoff 0, 5, 25 x w_min 1, 3; 10^6 pairs each, every method) from 2019 on the
corpus network, one stage per delta, and a forecast after the corpus's last year."""

from __future__ import annotations

from reprolab.core.report import StudyContext, StudyResult
from reprolab.science4cast.config import ForecastConfig, GridConfig, NetworkSource
from reprolab.science4cast.reproduction import reproduce

FULL_GRIDS = [GridConfig(deltas=(delta,)) for delta in (3, 1, 5)]
FULL_FORECAST = ForecastConfig()


def run_full(ctx: StudyContext, source: NetworkSource | None = None,
             grids: list[GridConfig] = FULL_GRIDS,
             forecast: ForecastConfig = FULL_FORECAST) -> StudyResult:
    """Build, the three grid stages and the forecast under `ctx.out` (`source`, `grids`,
    `forecast`: other settings, for tests)."""
    return reproduce(ctx, source or NetworkSource(), grids, forecast, "1,000,000 pairs")
