from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reprolab.rebus.cli import app
from tests.helpers.fake_chat_server import Call, FakeChatServer, set_fake_keys
from tests.rebus.conftest import RAW_A

runner = CliRunner()


@pytest.fixture
def data_root(rebus_folder: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (rebus_folder / "model_outputs" / "gpt4o_output.txt").write_text(RAW_A)
    monkeypatch.setenv("REPROLAB_DATA_DIR", str(rebus_folder.parent))
    monkeypatch.setenv("COLUMNS", "200")
    set_fake_keys(monkeypatch)
    return rebus_folder.parent


def test_regrade_prints_the_leaderboard_and_writes_tables(data_root: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["regrade", "--out", str(tmp_path / "run")])
    assert result.exit_code == 0, result.output
    assert "Model A" in result.output and "66.7 / 100.0 / 50.0" in result.output
    assert "[COUNT] tag in eval_results.csv" in result.output
    for name in ("leaderboard.csv", "hand_grade_decisions.csv", "graded.csv", "config.json",
                 "results.json", "accuracy_by_difficulty.png"):
        assert (tmp_path / "run" / name).exists(), name


def reply(call: Call) -> str:
    if "Reasoning:" in call.prompt:
        return "{{{YES}}}"
    return "{{{Lome}}}" if "Cities" in call.prompt else "{{{something}}}"


def test_eval_then_gallery_then_judge(data_root: Path, tmp_path: Path) -> None:
    with FakeChatServer(reply) as server:
        base = ["--base-url", server.base_url("openai"), "--cache", str(tmp_path / "c.sqlite")]
        result = runner.invoke(app, ["eval", "--model", "openai/gpt-4o", "--limit", "2",
                                     "--out", str(tmp_path / "eval"), *base])
        assert result.exit_code == 0, result.output
        assert "50.0 [0.0, 100.0]% of 2 puzzles correct" in result.output
        records = [json.loads(line) for line in
                   (tmp_path / "eval" / "records.jsonl").read_text().splitlines()]
        assert [r["answer"] for r in records] == ["Lome", "something"]
        assert records[0]["response"] == "{{{Lome}}}"
        judged = runner.invoke(app, ["judge", "--judge", "openai/gpt-4o", "--run",
                                     str(tmp_path / "eval"), "--out", str(tmp_path / "judge"),
                                     *base])
        assert judged.exit_code == 0, judged.output
    faithful = (tmp_path / "judge" / "faithfulness.csv").read_text().splitlines()
    assert faithful[1] == "openai/gpt-4o,1,1,1,100.0"
    page = runner.invoke(app, ["gallery", "--run", str(tmp_path / "eval"),
                               "--out", str(tmp_path / "gallery")])
    assert page.exit_code == 0, page.output
    html = (tmp_path / "gallery" / "index.html").read_text()
    assert "openai/gpt-4o: Lome" in html and "openai/gpt-4o: something" in html


def test_user_errors_are_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REPROLAB_DATA_DIR", str(tmp_path))
    result = runner.invoke(app, ["regrade"])
    assert result.exit_code == 1
    assert "reprolab data fetch rebus" in result.output and "Traceback" not in result.output
    bad = runner.invoke(app, ["eval", "--model", "gpt-4o"])
    assert bad.exit_code == 1 and "PROVIDER/MODEL" in bad.output
