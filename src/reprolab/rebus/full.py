"""The real-scale REBUS reproduction, the run behind `results/rebus/`.

The paper's numbers rest on the answers the authors released (16 models and a human solver);
reproducing them needs no API call: re-grade every released answer and re-extract every raw
output, exactly `reprolab rebus regrade --out <ctx.out>/regrade`. New model evaluations
(`reprolab rebus eval`) cost API money and are not part of it.
"""

from __future__ import annotations

from reprolab.core.report import StudyContext, StudyResult
from reprolab.rebus.config import RegradeConfig
from reprolab.rebus.quick import cells_headline, regrade_result
from reprolab.rebus.runs import regrade_release


def run_full(ctx: StudyContext) -> StudyResult:
    """Re-grade all released answers into `ctx.out/regrade`; the leaderboard beside the
    paper's table, headed by the published cells this run reproduces."""
    run = regrade_release(RegradeConfig(seed=ctx.seed), ctx.out / "regrade")
    return regrade_result(run, cells_headline(run.results))
