"""Full reproduction: the commands behind `results/invscale/README.md`, every item of memo-trap
and NeQA on the installed packaged ladder (SmolLM2-135M to Qwen2.5-Coder-1.5B, about an hour on
one CPU thread), and the trend of every organisers' pilot run."""

from __future__ import annotations

from reprolab.core.report import StudyContext, StudyResult
from reprolab.invscale.config import LadderConfig, PilotConfig
from reprolab.invscale.reproduction import available_packaged_models, reproduce
from reprolab.invscale.trends import TrendSettings


def full_ladder(ctx: StudyContext) -> LadderConfig:
    """`reprolab invscale run --tasks memo-trap,neqa --models <the installed packaged ladder>`."""
    return LadderConfig(tasks=("memo-trap", "neqa"), models=available_packaged_models(),
                        device=ctx.device, seed=ctx.seed)


def run_full(ctx: StudyContext, ladder: LadderConfig | None = None,
             pilot: PilotConfig | None = None) -> StudyResult:
    """The full ladder into `ctx.out/ladder-full` and every pilot run into `ctx.out/pilot`
    (`ladder`, `pilot`: other settings, for tests)."""
    pilot = pilot or PilotConfig(trend=TrendSettings(seed=ctx.seed))
    return reproduce(ctx, ladder or full_ladder(ctx), pilot, "ladder-full")
