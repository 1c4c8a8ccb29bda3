"""The organisers' pilot runs: reading their quirks, and trends over their real model sizes."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from reprolab.core.data import dataset_dir
from reprolab.core.errors import UserError
from reprolab.invscale.pilot import (
    discover_runs,
    parse_args_log,
    read_run,
    run_trends,
)
from reprolab.invscale.tasks import DATASET
from reprolab.invscale.trends import TrendSettings

FAST = TrendSettings(n_boot=200)


def test_appended_launches_in_args_log_are_all_read():
    text = json.dumps({"models": ["ada"]}, indent=2) + json.dumps({"models": ["curie"]})
    assert [o["models"] for o in parse_args_log(text)] == [["ada"], ["curie"]]


def test_run_quirks_become_notes(tmp_path):
    run_dir = tmp_path / "toy-run"
    run_dir.mkdir()
    settings = {"dataset": "toy", "models": ["gpt2", "gpt2-medium", "gpt2-large"],
                "task_type": "classification"}
    (run_dir / "args.log").write_text(json.dumps(settings) + json.dumps(settings))
    pd.DataFrame({"index": [0, 1, 2], "loss": [0.1, 0.9, 0.2], "correct": [1, 0, 1],
                  "total_logprob": [-1, -2, -1]}).to_csv(run_dir / "gpt2.csv", index=False)
    pd.DataFrame({"index": [0, 1], "loss": [0.8, 0.9], "correct": [0, 0],
                  "total_logprob": [-1, 0.5]}).to_csv(run_dir / "gpt2-medium.csv", index=False)
    (run_dir / "gpt2-large.csv").write_text("index,loss,correct,total_logprob\n")
    run = read_run(run_dir)
    assert run.launches == 2 and sorted(run.results) == ["gpt2", "gpt2-medium"]
    notes = " | ".join(run.notes)
    for expected in ("2 launches", "gpt2-large: empty or without an index column",
                     "differ in length", "gpt2-medium: total_logprob > 0"):
        assert expected in notes
    (accuracy,) = [t for t in run_trends(run, FAST) if t.metric == "correct"]
    assert accuracy.models == ("gpt2", "gpt2-medium")
    assert accuracy.call.means == pytest.approx((0.5, 0.0))  # the two shared items only
    assert accuracy.call.shape == "inverse"


@pytest.mark.needs_data("inverse-scaling")
def test_all_pilot_runs_are_found_and_duplicates_noted():
    runs = {run.name: run for run in discover_runs()}
    assert len(runs) == 75
    assert any("same results as" in note for note in runs["QA-v0-gpt2"].notes)
    assert runs["QA-v0-gpt2"].is_copy and not runs["QA-v0-combined"].is_copy
    with pytest.raises(UserError, match="No pilot run named nope"):
        discover_runs(names=["nope"])
    assert any("total_logprob > 0" in note for note in runs["ids-gpt3-seq"].notes)


@pytest.mark.needs_data("inverse-scaling")
def test_trends_over_real_gpt3_sizes():
    root = dataset_dir(DATASET) / "pilot"
    syllogism = read_run(root / "results" / "syllogism-gpt3")
    trends = {t.metric: t for t in run_trends(syllogism, FAST, root)}
    accuracy = trends["correct"]
    assert accuracy.models == ("ada", "babbage", "curie", "davinci")
    assert accuracy.sizes == (350e6, 1.3e9, 6.7e9, 175e9)
    expected = [syllogism.results[m]["correct"].mean() for m in accuracy.models]
    assert accuracy.call.means == pytest.approx(expected)
    assert accuracy.chance == 0.5
    lambada = run_trends(read_run(root / "results" / "lambada_gpt3"), FAST, root)
    assert [(t.metric, t.call.shape) for t in lambada] == [("loss", "positive")]
    assert lambada[0].call.probability == 1.0  # LAMBADA loss falls with every size
