"""Quick reproduction (minutes on 2 CPU cores): the committed SFT adapter (or, without one, a
few LoRA steps of SmolLM2-135M on 200 MOSES molecules) sampled freely and on every evaluation
prompt once, a DPO adapter exported to results/chem/adapter-dpo (when there is one) on every
evaluation prompt once, then MOSES/GuacaMol metrics against 1,000-molecule test sets, adherence,
figures."""

from __future__ import annotations

from reprolab.chem.reproduction import PipelineSettings, run_pipeline
from reprolab.chem.sft import TrainSettings
from reprolab.core.report import StudyContext, StudyResult, project_root

SHIPPED_ADAPTER = "results/chem/adapter"
SHIPPED_DPO_ADAPTER = "results/chem/adapter-dpo"


def _shipped(folder: str) -> str | None:
    path = project_root() / folder
    return str(path) if (path / "adapter_config.json").is_file() else None


def quick_settings() -> PipelineSettings:
    adapter = _shipped(SHIPPED_ADAPTER)
    return PipelineSettings(
        molecules=200, adapter=adapter, dpo_adapter=adapter and _shipped(SHIPPED_DPO_ADAPTER),
        sft_train=TrainSettings(max_steps=8, batch_size=4), dpo_rounds=0, free_samples=32,
        eval_samples=1, max_new_tokens=64, test_limit=1000, reference_size=1000)


def run_quick(ctx: StudyContext, settings: PipelineSettings | None = None) -> StudyResult:
    """`settings`: another scale, for tests."""
    return run_pipeline(ctx, settings or quick_settings())
