"""Full reproduction at the CPU scale of `results/chem/README.md`: LoRA (r 16, so the adapter
ships under 10 MB at bfloat16) SFT of SmolLM2-135M on 1,200 MOSES molecules, one epoch of 138
steps of 8 x 256 packed tokens (~11 s a step on one quiet thread); one DPO round on 16 samples
per seen prompt; 16 samples per evaluation prompt before and after DPO; 5,000 free samples at
T=1; metrics against the full MOSES test sets. Each step resumes from its run folder."""

from __future__ import annotations

from reprolab.chem.reproduction import PipelineSettings, run_pipeline
from reprolab.chem.sft import LoraSettings
from reprolab.core.report import StudyContext, StudyResult

FULL = PipelineSettings(molecules=1200, lora=LoraSettings(r=16), dpo_rounds=1, dpo_samples=16,
                        free_samples=5000, eval_samples=16)


def run_full(ctx: StudyContext, settings: PipelineSettings | None = None) -> StudyResult:
    """`settings`: another scale, for tests."""
    return run_pipeline(ctx, settings or FULL)
