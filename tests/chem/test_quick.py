"""End to end: the reproduction pipeline (prepare -> SFT -> DPO -> sample -> evaluate -> report)
at toy scale on a tiny random Llama, and its resumption."""

from __future__ import annotations

import json

import pandas as pd

from reprolab.chem import reproduction as R
from reprolab.chem.quick import run_quick
from reprolab.chem.sampling import check_sample
from reprolab.chem.sft import LoraSettings, TrainSettings
from reprolab.core.report import StudyContext

TOY = TrainSettings(max_steps=1, batch_size=2, max_length=1024, save_steps=1, snapshot_steps=1)


def _fake_dpo_sampler(model, tokenizer, prompts, n, **kwargs):
    return [check_sample(i, p, t) for i, p in enumerate(prompts) for t in ("OCC", "C1CC")[:n]]


def test_toy_pipeline(tmp_path, tiny_model_dir, monkeypatch):
    import reprolab.chem.dpo as D

    monkeypatch.setattr(D, "sample_prompts", _fake_dpo_sampler)  # random weights: no valid pairs
    settings = R.PipelineSettings(
        molecules=12, model=str(tiny_model_dir), sft_train=TOY, lora=LoraSettings(r=2, alpha=4),
        dpo_rounds=1, dpo_samples=2, dpo_train=TOY, free_samples=4, eval_samples=1,
        max_new_tokens=6, test_limit=20, reference_size=20, sample_rows=64,
        baseline_shape=(16, 1, 2), curve_samples=2,
        baseline_train=TrainSettings(batch_size=2, max_length=1024, snapshot_steps=1))
    ctx = StudyContext(out=tmp_path / "quick", device="cpu")
    result = run_quick(ctx, settings)
    assert result.study == "chem" and result.headline.paper == 0.958
    moses, adherence = (table for _, table in result.tables)
    assert list(moses["metric"])[:3] == ["valid", "unique@1000", "unique@10000"]
    assert list(moses.columns) == ["metric", "SFT", "baseline (same FLOPs)", "CharRNN (MOSES)"]
    baseline = json.loads((ctx.out / "baseline" / "results.json").read_text())
    sft = json.loads((ctx.out / "sft" / "results.json").read_text())
    assert baseline["flops_budget"] == sft["flops"]
    curve = pd.read_csv(ctx.out / "curve" / "curve.csv")
    assert set(curve["kind"]) == {"sft", "baseline"} and (ctx.out / "curve" / "curve.png").is_file()
    assert {"sft", "dpo"} <= set(adherence.columns) and set(adherence["split"]) == {
        "seen", "held-out"}
    metrics = json.loads((ctx.out / "evaluate" / "metrics.json").read_text())
    assert {"SNN/TestSF", "guacamol/kl_score", "Novelty"} <= set(metrics) or metrics["valid"] == 0
    assert (ctx.out / "bands.png").is_file()
    samples = pd.read_json(ctx.out / "eval-dpo" / "samples.jsonl", lines=True)
    assert samples["prompt"].nunique() > 80  # every evaluation prompt, once

    again = run_quick(ctx, settings)  # every step resumes from its folder
    assert again.tables[0][1].equals(moses)
