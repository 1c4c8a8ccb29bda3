"""Quick reproduction: the installed packaged models up to 0.5B on the first 40 items of the
ladder's default tasks (memo-trap and NeQA), and the trend of every organisers' pilot run,
beside the paper's direction of trend."""

from __future__ import annotations

from reprolab.core.report import StudyContext, StudyResult
from reprolab.invscale.config import LadderConfig, PilotConfig
from reprolab.invscale.reproduction import PACKAGED_LADDER, available_packaged_models, reproduce
from reprolab.invscale.trends import TrendSettings

QUICK_LIMIT = 40  # items per task
QUICK_N_BOOT = 500


def quick_ladder(ctx: StudyContext) -> LadderConfig:
    """`LadderConfig`'s defaults but for the models (the installed packaged ones up to 0.5B),
    the item limit and the bootstrap size."""
    return LadderConfig(models=available_packaged_models(PACKAGED_LADDER[:3]), limit=QUICK_LIMIT,
                        device=ctx.device, seed=ctx.seed, trend=TrendSettings(n_boot=QUICK_N_BOOT))


def run_quick(ctx: StudyContext, ladder: LadderConfig | None = None,
              pilot: PilotConfig | None = None) -> StudyResult:
    """The quick ladder and the pilot analysis (`ladder`, `pilot`: other settings, for tests)."""
    pilot = pilot or PilotConfig(trend=TrendSettings(n_boot=QUICK_N_BOOT, seed=ctx.seed))
    return reproduce(ctx, ladder or quick_ladder(ctx), pilot, "ladder")
