"""End to end: a ladder of two tiny random models on two small tasks, through the real scorer."""

from __future__ import annotations

import json
import shutil

import pandas as pd
import pytest
import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

from reprolab.core.errors import UserError
from reprolab.invscale.config import LadderConfig
from reprolab.invscale.ladder import reanalyse_ladder, run_ladder
from reprolab.invscale.metrics import NUMERIC_SAMPLES
from reprolab.invscale.per_example import slug
from reprolab.invscale.trends import TrendSettings
from tests.invscale.toy import QUOTES, write_models, write_tasks


@pytest.fixture(scope="module")
def ladder(tmp_path_factory):
    root = tmp_path_factory.mktemp("ladder")
    write_models(root)
    small = AutoModelForCausalLM.from_pretrained(root / "tiny-llama").eval()
    numbers = root / "numbers.jsonl"
    numbers.write_text("".join(json.dumps({"prompt": f"Q: {q}? A:", "true_answer": a,
                                           "anchor": 1}) + "\n"
                               for q, a in (("2 + 2", 4), ("How far", 300))))
    config = LadderConfig(tasks=(*map(str, write_tasks(root)), str(numbers)),
                          models=(str(root / "tiny-llama"), str(root / "tiny-gemma3")),
                          device="cpu", batch_size=4, trend=TrendSettings(n_boot=50))
    return run_ladder(config, out=root / "run"), small, root


def test_per_example_files_have_the_official_columns(ladder):
    result, _, root = ladder
    folder = result.record.folder
    for model in ("tiny-llama", "tiny-gemma3"):
        name = slug(str(root / model))
        quotes = pd.read_csv(folder / "quotes" / f"{name}.csv")
        assert list(quotes.columns) == ["index", "loss", "correct", "total_logprob"]
        assert quotes["index"].tolist() == [0, 1, 2]
        lazy = pd.read_csv(folder / "lazy" / f"{name}.csv")
        assert list(lazy.columns) == ["index", "loss"]
        numbers = pd.read_csv(folder / "numbers" / f"{name}.csv")
        assert list(numbers.columns) == ["index", "estimate"]
        samples = pd.read_json(folder / "numbers" / f"{name}.jsonl", lines=True)["completions"]
        assert [len(s) for s in samples] == [NUMERIC_SAMPLES] * 2
        assert all("\n" not in text for texts in samples for text in texts)
    results = json.loads((folder / "results.json").read_text())
    assert set(results["tasks"]) == {"quotes", "lazy", "numbers"}
    assert (folder / "scaling.png").exists() and (folder / "config.json").exists()


def test_scores_match_a_direct_forward_pass(ladder):
    """Class log-probs from the ladder equal a plain full-sequence forward of the tiny model."""
    result, model, root = ladder

    tokenizer = AutoTokenizer.from_pretrained(root / "tiny-llama")
    details = pd.read_json(result.record.folder / "quotes" / f"{slug(str(root / 'tiny-llama'))}"
                           ".jsonl", lines=True)
    for (prompt, classes, answer), (_, row) in zip(QUOTES, details.iterrows(), strict=True):
        expected = []
        for text in classes:
            context = tokenizer(prompt).input_ids
            whole = tokenizer(prompt + text).input_ids
            with torch.no_grad():
                logprobs = torch.log_softmax(model(torch.tensor([whole])).logits[0], -1)
            expected.append(sum(logprobs[i - 1, whole[i]].item()
                                for i in range(len(context), len(whole))))
        assert row["class_logprobs"] == pytest.approx(expected, abs=1e-4)
        best = max(range(len(classes)), key=lambda k: expected[k])
        assert row["correct"] == int(best == answer)


def test_trends_cover_every_task_and_metric(ladder):
    result, _, _ = ladder
    pairs = sorted(zip(result.trends["task"], result.trends["metric"], strict=True))
    assert pairs == [("lazy", "loss (nats)"), ("quotes", "accuracy"), ("quotes", "loss (nats)")]
    assert "numbers" not in set(result.summary["task"])  # random models sample no numbers
    accuracy = result.summary[(result.summary["task"] == "quotes")
                              & (result.summary["metric"] == "accuracy")]
    assert accuracy["parameters"].is_monotonic_increasing
    assert accuracy["value"].between(0, 1).all()


def test_a_run_is_reanalysed_from_its_files_even_when_cut_short(ladder, tmp_path):
    result, _, root = ladder
    copy = tmp_path / "copy"
    shutil.copytree(result.record.folder, copy)
    again = reanalyse_ladder(copy, TrendSettings(n_boot=30, seed=1))
    assert again.summary["value"].tolist() == pytest.approx(result.summary["value"].tolist())
    for task in ("quotes", "lazy"):
        (copy / task / f"{slug(str(root / 'tiny-gemma3'))}.jsonl").unlink()
    partial = reanalyse_ladder(copy)
    assert set(partial.summary["model"]) == {str(root / "tiny-llama")}
    assert partial.trends.empty  # one model: intervals but no trend
    with pytest.raises(UserError, match="not a ladder run folder"):
        reanalyse_ladder(tmp_path)
