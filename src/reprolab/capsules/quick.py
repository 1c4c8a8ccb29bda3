"""Quick reproduction: the transfer experiment at toy scale (CapsNet with decoder against the
CNN, one held-out digit, one seed, two k), minutes on 2 CPU cores; a smoke check of the code
behind the committed CPU run, not a result."""

from __future__ import annotations

from reprolab.capsules.config import TrainingSettings, TransferConfig
from reprolab.capsules.reproduction import reproduce
from reprolab.core.report import StudyContext, StudyResult


def quick_transfer(ctx: StudyContext) -> TransferConfig:
    return TransferConfig(
        models=("capsnet", "cnn"), held_out=(7,), k=(10, 100), seeds=(ctx.seed,),
        recovery_batches=150, recovery_eval_every=25,
        training=TrainingSettings(width=1 / 16, batch_size=32, eval_every=50, patience=2,
                                  min_delta=0.01, max_batches=300, n_val=300, n_test=600,
                                  device=ctx.device))


def run_quick(ctx: StudyContext, config: TransferConfig | None = None) -> StudyResult:
    """`config`: other settings (tests)."""
    return reproduce(ctx, config or quick_transfer(ctx), "transfer-quick",
                     "Quick toy-scale rerun")
