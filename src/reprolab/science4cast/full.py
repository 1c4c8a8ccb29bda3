"""Full reproduction: the commands behind `results/science4cast/README.md`: the paper's grid
(delta 1, 3, 5 x cutoff 0, 5, 25 x w_min 1, 3) from 2019 on the corpus network with every
method, 100,000 pairs per setting, and a forecast after the corpus's last year. The M1 blend
needs the optional extra xgboost."""

from __future__ import annotations

from reprolab.core.report import StudyContext, StudyResult
from reprolab.science4cast.config import ForecastConfig, GridConfig, NetworkSource
from reprolab.science4cast.methods import METHODS
from reprolab.science4cast.reproduction import reproduce

FULL_PAIRS = 100_000
FULL_FORECAST = ForecastConfig()


def full_grids() -> dict[str, GridConfig]:
    """The one grid run (checked when called: the M1 blend needs XGBoost)."""
    return {"grid": GridConfig(deltas=(1, 3, 5), n_pairs=FULL_PAIRS, methods=tuple(METHODS))}


def run_full(ctx: StudyContext, source: NetworkSource | None = None,
             grids: dict[str, GridConfig] | None = None,
             forecast: ForecastConfig = FULL_FORECAST) -> StudyResult:
    """Build, the grid and the forecast under `ctx.out` (`source`, `grids`, `forecast`: other
    settings, for tests)."""
    return reproduce(ctx, source or NetworkSource(), grids or full_grids(), forecast,
                     f"{FULL_PAIRS:,} pairs")
