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


def test_shipped_adapters_are_sampled_without_training(tmp_path, tiny_model_dir, monkeypatch):
    trained = []
    monkeypatch.setattr(R, "run_sft", lambda *a, **k: trained.append("sft"))
    monkeypatch.setattr(R, "run_dpo", lambda *a, **k: trained.append("dpo"))
    settings = R.PipelineSettings(molecules=12, model=str(tiny_model_dir),
                                  adapter=str(tiny_model_dir), dpo_adapter=str(tiny_model_dir),
                                  dpo_rounds=0, free_samples=2, eval_samples=1,
                                  max_new_tokens=4, test_limit=20, reference_size=20)
    result = run_quick(StudyContext(out=tmp_path / "quick", device="cpu"), settings)
    assert trained == []
    assert result.summary.startswith(f"SFT adapter {tiny_model_dir}, DPO adapter {tiny_model_dir};")
    adherence = result.tables[1][1]
    assert {"sft", "dpo", "sft valid", "dpo valid"} <= set(adherence.columns)
    drawn = tmp_path / "quick" / "eval-dpo" / "samples.jsonl"
    whole = drawn.read_text().splitlines()
    drawn.write_text(whole[0] + "\n")  # a run stopped after its first batch
    (drawn.parent / "status.json").write_text('{"status": "interrupted"}')
    run_quick(StudyContext(out=tmp_path / "quick", device="cpu"), settings)
    assert drawn.read_text().splitlines() == whole  # finished, not read as it was


def test_adherence_by_split_separates_validity_from_following_the_prompt():
    from reprolab.chem.prompts import Constraint, Prompt

    light = Prompt((Constraint("mw", "<=", 100),), "mw band")
    texts = {"sft": ["CCO", "C1CC", "C1CC", "CCCCCCCCCC"],  # 1 of 4 satisfied, 2 valid
             "dpo": ["CCO", "OCC", "CCN", "C1CC"]}  # 3 of 4 satisfied, all valid ones
    samples = [{**check_sample(0, light, t).__dict__, "model": model}
               for model, own in texts.items() for t in own]
    table = R.adherence_by_split(samples, held_out=0.0)
    assert list(table.columns) == ["kind", "split", "prompts", "sft", "dpo", "sft valid",
                                   "dpo valid", "sft of valid", "dpo of valid"]
    row = table.iloc[0]
    assert (row["split"], row["prompts"]) == ("seen", 1)
    assert (row["sft"], row["sft valid"], row["sft of valid"]) == (25.0, 50.0, 50.0)
    assert (row["dpo"], row["dpo valid"], row["dpo of valid"]) == (75.0, 75.0, 100.0)
    assert set(R.adherence_by_split(samples, held_out=1.0)["split"]) == {"held-out"}


def test_band_strips_draw_each_sample_under_its_band():
    from matplotlib.collections import LineCollection, PathCollection

    from reprolab.chem.plots import band_strips
    from reprolab.chem.prompts import Constraint, Prompt

    prompts = [Prompt((Constraint("mw", op, v),), "mw band") for op, v in ((">", 600),
                                                                         ("<=", 300))]
    samples = [{**check_sample(i, p, t).__dict__, "model": m} for i, p in enumerate(prompts)
               for m, t in (("sft", "CCO"), ("dpo", "CCN"), ("dpo", "C1CC"))]
    ax = band_strips(samples, ["mw band"], ["sft", "dpo"]).axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["<= 300", "> 600"]
    dots = [len(c.get_offsets()) for c in ax.collections if isinstance(c, PathCollection)]
    assert dots == [1, 1, 1, 1]  # per band and model the valid samples; C1CC is not a molecule
    bounds = sorted(float(seg[0][1]) for c in ax.collections if isinstance(c, LineCollection)
                    for seg in c.get_segments())
    assert bounds == [300.0, 600.0]


def test_full_scale_settings_are_those_of_the_committed_runs():
    from dataclasses import asdict
    from pathlib import Path

    from reprolab.chem.full import FULL

    committed = Path(__file__).parents[2] / "results" / "chem"
    config = {name: json.loads((committed / name / "config.json").read_text())["config"]
              for name in ("sft", "dpo", "baseline")}
    assert config["sft"]["train"] == asdict(FULL.sft_train)
    assert config["sft"]["lora"] == config["dpo"]["lora"] == asdict(FULL.lora)
    assert (config["sft"]["limit"], config["sft"]["smiles"]) == (FULL.molecules, FULL.smiles)
    assert config["dpo"]["train"] == asdict(FULL.dpo_train)
    assert config["dpo"]["samples_per_prompt"] == FULL.dpo_samples
    hidden, layers, heads = FULL.baseline_shape
    assert (config["baseline"]["hidden"], config["baseline"]["layers"],
            config["baseline"]["heads"]) == (hidden, layers, heads)
