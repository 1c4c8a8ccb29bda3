"""`reprolab invscale`: listing, user errors as one line, and the pilot verb."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from reprolab.invscale.cli import app
from reprolab.invscale.tasks import DATASET  # noqa: F401  (registers the dataset for needs_data)

runner = CliRunner()


def test_tasks_lists_the_eleven_winners():
    result = runner.invoke(app, ["tasks"], terminal_width=200)
    assert result.exit_code == 0
    for name in ("memo-trap", "neqa", "sig-figs", "hindsight-neglect", "prompt-injection"):
        assert name in result.output
    assert "sequence_prob" in result.output


def test_user_errors_are_one_line_without_traceback():
    result = runner.invoke(app, ["run", "--tasks", "memo-trip", "--models", "x"])
    assert result.exit_code == 1
    assert "Did you mean 'memo-trap'" in result.output
    assert "Traceback" not in result.output
    result = runner.invoke(app, ["run", "--limit", "0"])
    assert result.exit_code == 1 and "limit must be >= 1" in result.output


@pytest.mark.needs_data("inverse-scaling")
def test_pilot_verb_writes_its_record(tmp_path):
    result = runner.invoke(app, ["pilot", "--runs", "syllogism-opt,lambada_gpt3", "--n-boot",
                                 "20", "--out", str(tmp_path)], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert "lambada_gpt3" in result.output and "syllogism-opt" in result.output
    for name in ("config.json", "results.json", "trends.csv", "primary_trends.csv"):
        assert (tmp_path / name).exists()
    result = runner.invoke(app, ["pilot", "--runs", "nope"])
    assert result.exit_code == 1 and "No pilot run named nope" in result.output
