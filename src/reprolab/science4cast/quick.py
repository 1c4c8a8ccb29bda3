"""Quick reproduction: the network from the dataset's corpus, one benchmark (delta=3,
cutoff=0, w_min=1, 100,000 pairs from 2019), the five heuristics and the LightGBM model."""

from __future__ import annotations

from reprolab.core.report import StudyContext, StudyResult
from reprolab.science4cast.config import GridConfig, NetworkSource
from reprolab.science4cast.methods import HEURISTICS
from reprolab.science4cast.reproduction import reproduce

QUICK_GRID = GridConfig(deltas=(3,), cutoffs=(0,), min_edges=(1,), n_pairs=100_000,
                        methods=(*HEURISTICS, "gbdt"))


def run_quick(ctx: StudyContext, source: NetworkSource | None = None,
              grid: GridConfig = QUICK_GRID) -> StudyResult:
    """The quick grid (`source`, `grid`: other settings, for tests)."""
    return reproduce(ctx, source or NetworkSource(), {"grid-d3": grid}, None,
                     f"{grid.n_pairs:,} pairs")
