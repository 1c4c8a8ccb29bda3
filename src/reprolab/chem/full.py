"""Full reproduction at the CPU scale of `results/chem/README.md`: LoRA SFT of SmolLM2-135M on
7,000 MOSES molecules (one epoch, ~75 min on 2 cores), one DPO round on 16 samples per seen
prompt, 16 samples per evaluation prompt before and after DPO, 5,000 free samples at T=1,
metrics against the full MOSES test sets. Each step resumes from its run folder."""

from __future__ import annotations

from reprolab.chem.reproduction import PipelineSettings, run_pipeline
from reprolab.core.report import StudyContext, StudyResult

FULL = PipelineSettings(molecules=7000, dpo_rounds=1, dpo_samples=16, free_samples=5000,
                        eval_samples=16)


def run_full(ctx: StudyContext, settings: PipelineSettings | None = None) -> StudyResult:
    """`settings`: another scale, for tests."""
    return run_pipeline(ctx, settings or FULL)
