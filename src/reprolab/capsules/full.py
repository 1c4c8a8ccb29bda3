"""Full reproduction: the command behind `results/capsules/README.md`, the transfer experiment
at width 1/16 on the CPU (all six models, held-out digits 2 and 7, seeds 0-2, every k). Hours on
one thread; `scripts/capsules_gpu.py` runs the paper-size version on a GPU."""

from __future__ import annotations

from reprolab.capsules.config import TrainingSettings, TransferConfig
from reprolab.capsules.reproduction import reproduce
from reprolab.core.report import StudyContext, StudyResult

CPU_MODELS = ("cnn", "capsnet-ir", "capsnet", "capsnet-ir-nogen", "capsnet-nogen",
              "capsnet-uniform")


def cpu_transfer(ctx: StudyContext) -> TransferConfig:
    """`reprolab capsules transfer` with the options in `results/capsules/README.md`."""
    return TransferConfig(
        models=CPU_MODELS, held_out=(2, 7), seeds=(0, 1, 2), recovery_batches=300,
        recovery_eval_every=25,
        training=TrainingSettings(width=0.0625, batch_size=32, eval_every=100, patience=3,
                                  min_delta=0.005, max_batches=1200, n_val=500, n_test=1000,
                                  device=ctx.device))


def run_full(ctx: StudyContext, config: TransferConfig | None = None) -> StudyResult:
    """`config`: other settings (tests)."""
    return reproduce(ctx, config or cpu_transfer(ctx), "transfer-cpu",
                     "Real-scale rerun (CPU, width 1/16)")
