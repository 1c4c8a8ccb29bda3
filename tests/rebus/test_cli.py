from __future__ import annotations

import json
import signal
import threading
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reprolab.rebus.cli import app
from tests.helpers.fake_chat_server import Call, FakeChatServer, set_fake_keys

runner = CliRunner()


@pytest.fixture
def data_root(rebus_data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("COLUMNS", "200")
    set_fake_keys(monkeypatch)
    return rebus_data_dir


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
                                     "--judge", "openai/gpt-4o", "--judge-base-url",
                                     server.base_url("openai"), "--out", str(tmp_path / "eval"),
                                     *base])
        assert result.exit_code == 0, result.output
        assert "50.0 [0.0, 100.0]% of 2 puzzles correct" in result.output
        records = [json.loads(line) for line in
                   (tmp_path / "eval" / "records.jsonl").read_text().splitlines()]
        assert [r["answer"] for r in records] == ["Lome", "something"]
        assert [r["faithful"] for r in records] == [True, None]  # only correct answers judged
        assert not (tmp_path / "eval" / "records.partial.jsonl").exists()
        saved = json.loads((tmp_path / "eval" / "config.json").read_text())["config"]
        assert saved["judge"] == "openai/gpt-4o" and saved["device"] == "auto"
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


def test_an_internal_error_keeps_its_traceback(data_root: Path, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object) -> None:
        raise KeyError("a bug deep inside")

    monkeypatch.setattr("reprolab.rebus.runs.regrade_released", broken)
    result = runner.invoke(app, ["regrade", "--out", str(tmp_path / "run")])
    assert isinstance(result.exception, KeyError), result.output
    assert "error:" not in result.output  # not turned into a user-error line
    status = json.loads((tmp_path / "run" / "status.json").read_text())
    assert status == {"status": "failed", "error": "KeyError: 'a bug deep inside'"}


@pytest.fixture
def ctrl_c_raises():
    """SIGINT raises KeyboardInterrupt, even where the runner started with SIGINT ignored."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


def test_ctrl_c_says_what_was_kept_and_keeps_the_answer_in_flight(
    data_root: Path, tmp_path: Path, ctrl_c_raises: None,
) -> None:
    main = threading.main_thread().ident
    interrupted: list[str] = []

    def answer(call: Call) -> str:
        if "Marine life" in call.prompt and not interrupted:  # the second puzzle
            interrupted.append(call.prompt)
            signal.pthread_kill(main, signal.SIGINT)
            time.sleep(0.3)  # the answer lands after the interrupt
        return "{{{Lome}}}"

    cache = tmp_path / "c.sqlite"
    argv = ["eval", "--model", "openai/gpt-4o", "--concurrency", "1", "--cache", str(cache),
            "--out", str(tmp_path / "eval")]
    with FakeChatServer(answer) as server:
        argv += ["--base-url", server.base_url("openai")]
        stopped = runner.invoke(app, argv)
        asked_first = len(server.calls)
        partial = (tmp_path / "eval" / "records.partial.jsonl").read_text().splitlines()
        status = json.loads((tmp_path / "eval" / "status.json").read_text())
        resumed = runner.invoke(app, argv)
        asked_again = [c.prompt for c in server.calls[asked_first:]]
    assert stopped.exit_code == 130, stopped.output
    last = stopped.output.strip().splitlines()[-1]
    assert last.startswith("interrupted: ") and str(cache) in last and "rerun" in last
    assert asked_first == 2 and status == {"status": "interrupted"}
    assert [json.loads(line)["puzzle"] for line in partial] == ["0001"]  # graded as it came
    assert resumed.exit_code == 0, resumed.output
    assert len(asked_again) == 1 and "MBTA stations" in asked_again[0]  # 0001, 0002 were cached
    records = [json.loads(line) for line in
               (tmp_path / "eval" / "records.jsonl").read_text().splitlines()]
    assert [r["cached"] for r in records] == [True, True, False]


def test_credentials_in_the_server_url_are_never_written(data_root: Path, tmp_path: Path) -> None:
    cache = tmp_path / "c.sqlite"
    with FakeChatServer(reply) as server:
        url = server.base_url("openai-compatible").replace("http://", "http://ann:s3cret-pw@")
        result = runner.invoke(app, ["eval", "--model", "openai-compatible/llama", "--limit", "1",
                                     "--base-url", url, "--cache", str(cache),
                                     "--out", str(tmp_path / "eval")])
    assert result.exit_code == 0, result.output
    assert server.calls[0].headers.get("Authorization", "").startswith("Basic ")  # still used
    written = [p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()]  # run, cache, WAL
    assert not any(b"s3cret-pw" in blob or b"ann:" in blob for blob in written)
    saved = json.loads((tmp_path / "eval" / "config.json").read_text())["config"]
    assert saved["base_url"] == server.base_url("openai-compatible")
