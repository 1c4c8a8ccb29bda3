"""A toy SFT -> DPO run on a tiny random Llama: LoRA adapters stack, runs resume."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import numpy as np
import pytest

from reprolab.chem import dpo as D
from reprolab.chem.models import ADAPTER_WEIGHTS, adapter_base, export_adapter, load_chem_model
from reprolab.chem.molecules import canonical
from reprolab.chem.prompts import Constraint, Prompt
from reprolab.chem.sampling import check_sample
from reprolab.chem.sft import (
    LoraSettings,
    SftConfig,
    TrainSettings,
    read_property_table,
    run_sft,
    sft_examples,
    training_flops,
)
from reprolab.core.errors import UserError
from reprolab.core.records import append_jsonl

TOY_TRAIN = TrainSettings(max_steps=2, batch_size=2, max_length=1024, save_steps=1,
                          snapshot_steps=1)
TOY_LORA = LoraSettings(r=4, alpha=8)


def test_sft_examples_are_randomised_smiles_of_the_molecule(property_file):
    table = read_property_table(property_file)
    examples = sft_examples(table, 2, seed=0)
    assert len(examples) == 2 * len(table)
    assert all(e["completion"].endswith("\n") for e in examples)
    assert ({canonical(e["completion"].strip()) for e in examples}
            == {canonical(s) for s in table["smiles"]})
    assert any(e["completion"].strip() not in set(table["smiles"]) for e in examples)


def test_sft_examples_can_be_canonical_smiles(property_file):
    table = read_property_table(property_file)
    examples = sft_examples(table, 2, seed=0, smiles="canonical")
    assert sorted(e["completion"] for e in examples) == sorted(
        f"{s}\n" for s in table["smiles"] for _ in range(2))
    with pytest.raises(UserError, match="--smiles must be one of randomised, canonical"):
        SftConfig(data="x.parquet", smiles="kekule")


def test_bare_examples_state_nothing_but_the_start_text(property_file):
    from reprolab.chem.prompts import BARE_TEXT
    from reprolab.chem.runs import prompt_set

    examples = sft_examples(read_property_table(property_file), 1, seed=0, bare=True)
    assert {e["prompt"] for e in examples} == {BARE_TEXT}
    assert [p.text for p in prompt_set("bare", None, 0.3)] == [BARE_TEXT]  # what sampling reads


@pytest.fixture(scope="module")
def sft_run(tmp_path_factory, tiny_model_dir, property_file):
    out = tmp_path_factory.mktemp("sft") / "run"
    config = SftConfig(data=str(property_file), model=str(tiny_model_dir), lora=TOY_LORA,
                       train=TOY_TRAIN, device="cpu")
    return config, out, run_sft(config, out=out)


def test_sft_writes_an_adapter_on_its_base(sft_run, tiny_model_dir):
    _, out, result = sft_run
    assert result.steps == 2 and np.isfinite(result.train_loss)
    assert (out / "model" / "adapter_config.json").is_file()
    assert Path(adapter_base(out / "model")).resolve() == tiny_model_dir.resolve()
    model, _ = load_chem_model(str(out / "model"), "cpu")
    assert not hasattr(model, "peft_config")  # merged for sampling
    assert (out / "checkpoints" / "checkpoint-2").is_dir()


def test_sft_snapshots_count_tokens_and_lora_flops(sft_run):
    _, out, result = sft_run
    steps = [json.loads((out / "snapshots" / f"step-00000{i}" / "snapshot.json").read_text())
             for i in (1, 2)]
    assert [s["step"] for s in steps] == [1, 2] and 0 < steps[0]["tokens"] < steps[1]["tokens"]
    assert steps[1]["tokens"] == result.tokens and steps[1]["flops"] == result.flops
    model, _ = load_chem_model(str(out / "snapshots" / "step-000002"), "cpu", merged=False)
    assert result.flops == 4 * model.num_parameters() * result.tokens  # frozen base: 4 N T
    assert training_flops(model, 10) < 6 * model.num_parameters() * 10


def test_sft_resumes_a_finished_run(sft_run):
    config, out, result = sft_run
    again = run_sft(config, out=out)
    assert again.steps == result.steps
    assert json.loads((out / "results.json").read_text())["steps"] == 2


def test_an_exported_adapter_is_half_the_size_and_scores_alike(sft_run, tmp_path):
    import torch

    _, out, _ = sft_run
    shared = export_adapter(out / "model", tmp_path / "shared")
    full, half = (f / ADAPTER_WEIGHTS for f in (out / "model", shared))
    assert half.stat().st_size < 0.6 * full.stat().st_size
    assert {p.name for p in shared.iterdir()} == {ADAPTER_WEIGHTS, "adapter_config.json",
                                                  "chem-model.json"}  # the base's tokenizer
    ids = torch.tensor([[1, 5, 9, 13, 2]])
    logits = [load_chem_model(str(f), "cpu")[0](ids).logits for f in (out / "model", shared)]
    assert torch.allclose(*logits, atol=1e-2) and not torch.equal(*logits)
    with pytest.raises(UserError, match="holds no LoRA adapter"):
        export_adapter(tmp_path, tmp_path / "x")


def test_preference_pairs():
    prompts = [Prompt((Constraint("mw", "<=", 100),)), Prompt((Constraint("hbd", "<=", 3),))]
    samples = [check_sample(0, prompts[0], t) for t in ("CCO", "CCN", "c1ccccc1CCCCCC", "C1C")]
    samples += [check_sample(1, prompts[1], t) for t in ("CCO", "CCN")]  # all satisfied
    pairs = D.preference_pairs(prompts, samples, np.random.default_rng(0))
    assert len(pairs) == 2 and {p["prompt"] for p in pairs} == {prompts[0].text}
    assert {p["chosen"] for p in pairs} == {"CCO\n", "CCN\n"}
    assert {p["rejected"] for p in pairs} == {"c1ccccc1CCCCCC\n", "C1C\n"}


def _fake_sampler(model, tokenizer, prompts, n, **kwargs):
    """Half of each prompt's samples satisfy it (ethanol passes every evaluation prompt that
    a tiny alcohol can), half are not molecules."""
    texts = ["OCC", "C1CC"] * (n // 2)
    return [check_sample(i, p, t) for i, p in enumerate(prompts) for t in texts]


def test_two_dpo_rounds_stack_on_sft(sft_run, property_file, tmp_path, monkeypatch):
    monkeypatch.setattr(D, "sample_prompts", _fake_sampler)
    config = D.DpoConfig(model=str(sft_run[1] / "model"), data=str(property_file),
                         samples_per_prompt=2, rounds=2, lora=TOY_LORA, train=TOY_TRAIN,
                         device="cpu")
    rounds = D.run_dpo(config, out=tmp_path / "dpo")
    assert [r["round"] for r in rounds] == [1, 2] and all(r["pairs"] > 0 for r in rounds)
    second = tmp_path / "dpo" / "round-2" / "model"
    assert json.loads((second / "chem-model.json").read_text())["base"] == "../../round-1/model"
    pairs = [json.loads(line) for line in
             (tmp_path / "dpo" / "round-1" / "pairs.jsonl").read_text().splitlines()]
    assert {p["chosen"] for p in pairs} == {"OCC\n"} and {p["rejected"] for p in pairs} == {
        "C1CC\n"}
    load_chem_model(str(second), "cpu")  # base -> SFT adapter -> round 1 -> round 2


def test_dpo_without_pairs_says_so(sft_run, property_file, tmp_path, monkeypatch):
    monkeypatch.setattr(D, "sample_prompts", lambda m, t, prompts, n, **k: [
        check_sample(i, p, "C1CC") for i, p in enumerate(prompts) for _ in range(n)])
    config = D.DpoConfig(model=str(sft_run[1] / "model"), data=str(property_file),
                         samples_per_prompt=2, lora=TOY_LORA, train=TOY_TRAIN, device="cpu")
    with pytest.raises(UserError, match="no prompt had both"):
        D.run_dpo(config, out=tmp_path / "dpo")


def test_baseline_trains_a_small_model_from_scratch(property_file, tiny_model_dir, tmp_path):
    from reprolab.chem.baseline import BaselineConfig, run_baseline

    config = BaselineConfig(data=str(property_file), tokenizer=str(tiny_model_dir), hidden=16,
                            layers=1, heads=2, train=TOY_TRAIN, device="cpu")
    result = run_baseline(config, out=tmp_path / "baseline")
    saved = json.loads((tmp_path / "baseline" / "results.json").read_text())
    assert result.steps == 2 and saved["parameters"] < 20_000
    assert saved["flops"] == 6 * saved["parameters"] * saved["tokens"] > 0  # every weight trains
    for folder in ("model", "snapshots/step-000001"):  # a snapshot loads as the model does
        model, _ = load_chem_model(str(tmp_path / "baseline" / folder), "cpu")
        assert model.config.num_hidden_layers == 1


def test_curve_scores_each_snapshot_at_its_flops_and_resumes(sft_run, tmp_path, monkeypatch):
    from reprolab.chem import curve as C
    from reprolab.chem.moses_metrics import reference_of

    reference = reference_of(["CCO", "c1ccccc1", "CCN", "OCC(=O)O"])
    monkeypatch.setattr(C, "moses_references", lambda limit: {"Test": reference})
    monkeypatch.setattr(C, "read_moses", lambda split: ["CCO"])
    drawn = []

    def sampler(model, tokenizer, prompts, n, into, **kwargs):  # valid and novel halves
        drawn.append(prompts[0].kind)
        samples = [check_sample(0, prompts[0], t) for t in ("CCO", "CCCl", "C1CC", "CCO")[:n]]
        append_jsonl(into, map(asdict, samples))
        return samples

    monkeypatch.setattr(C, "sample_prompts", sampler)
    config = C.CurveConfig(runs=str(sft_run[1]), n=4, device="cpu")
    table = C.run_curve(config, out=tmp_path / "curve")
    assert list(table["step"]) == [1, 2] and drawn == ["free", "free"]
    assert table["flops"].is_monotonic_increasing and set(table["valid"]) == {0.75}
    assert set(table["Novelty"]) == {0.5}  # CCCl is new, CCO is in training
    assert (tmp_path / "curve" / "curve.png").stat().st_size > 0
    again = C.run_curve(config, out=tmp_path / "curve")  # every point's samples kept
    assert drawn == ["free", "free"] and again.equals(table)
    with pytest.raises(UserError, match="not a run folder"):
        C.run_curve(C.CurveConfig(runs=str(tmp_path), device="cpu"))


def test_baseline_spends_the_flops_of_an_sft_run(sft_run, property_file, tiny_model_dir,
                                                  tmp_path):
    from reprolab.chem.baseline import BaselineConfig, run_baseline

    budget = sft_run[2].flops
    config = BaselineConfig(data=str(property_file), tokenizer=str(tiny_model_dir), hidden=16,
                            layers=1, heads=2, device="cpu", flops_of=str(sft_run[1]),
                            train=TrainSettings(batch_size=2, max_length=1024, save_steps=100))
    result = run_baseline(config, out=tmp_path / "baseline")
    saved = json.loads((tmp_path / "baseline" / "results.json").read_text())
    assert saved["flops_budget"] == budget and saved["epochs"] > 10  # a tiny model, many passes
    budget_tokens = budget / (6 * saved["parameters"])
    assert abs(result.tokens - budget_tokens) <= 2 * 1024  # within one step of 2 x 1024 tokens
    with pytest.raises(UserError, match="holds no finished SFT run"):
        run_baseline(BaselineConfig(data=str(property_file), flops_of=str(tmp_path)))


def test_each_verb_offers_its_own_learning_rate():
    from typer.testing import CliRunner

    from reprolab.chem.cli import app

    for verb, lr in (("sft", "0.0002"), ("dpo", "2e-05"), ("baseline", "0.001")):
        help_text = CliRunner().invoke(app, [verb, "--help"], env={"COLUMNS": "200"}).output
        line = next(line for line in help_text.splitlines() if "--train-lr" in line)
        assert f"[default: {lr}]" in line, (verb, line)
