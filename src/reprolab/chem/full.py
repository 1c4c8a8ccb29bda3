"""Full reproduction at the CPU scale of `results/chem/README.md`: LoRA (r 16, so the adapter
ships under 10 MB at bfloat16) SFT of SmolLM2-135M on 4,000 MOSES molecules as canonical SMILES
at learning rate 1e-3 (at this scale the paper's randomised SMILES and 2e-4 learn too slowly),
one epoch of 449 steps of 8 packed sequences (~11-13 s a step on one thread), a snapshot every
50 steps for `chem curve`; one DPO round on 64 samples per seen prompt (483 pairs; one epoch at
lr 1e-4: at 5e-5 the reward margin barely moved in 20 steps, and 3 epochs at 3e-4 left half the
model's molecules repeats); 16 samples per evaluation prompt before and after DPO; 5,000 free
samples at T=1; metrics against the first 10,000 molecules of each MOSES test set; the
from-scratch baseline (a Llama of hidden 512, 8 layers, 59M parameters) at the SFT's FLOPs, its
5,000 samples, and the curve (250 samples per snapshot). Each step resumes from its run folder."""

from __future__ import annotations

from reprolab.chem.reproduction import PipelineSettings, run_pipeline
from reprolab.chem.sft import LoraSettings, TrainSettings
from reprolab.core.report import StudyContext, StudyResult

FULL = PipelineSettings(molecules=4000, smiles="canonical", lora=LoraSettings(r=16),
                        sft_train=TrainSettings(lr=1e-3, save_steps=25, snapshot_steps=50),
                        dpo_rounds=1, dpo_samples=64,
                        dpo_train=TrainSettings(lr=1e-4, epochs=1, save_steps=25),
                        free_samples=5000, eval_samples=16,
                        test_limit=10000, baseline_shape=(512, 8, 8),
                        baseline_train=TrainSettings(lr=1e-3, save_steps=50, snapshot_steps=100),
                        curve_samples=250)


def run_full(ctx: StudyContext, settings: PipelineSettings | None = None) -> StudyResult:
    """`settings`: another scale, for tests."""
    return run_pipeline(ctx, settings or FULL)
