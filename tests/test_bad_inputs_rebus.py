"""Every documented way to misuse `reprolab rebus ...` ends in exit code 1 and one line that says
what to do, never a traceback, and leaves earlier results as they were.

Each case is `(argv, expected fragment of the error line)`, plus the environment or files it
needs. Placeholders in argv: `{file}` an existing text file, `{folder}` an empty folder,
`{earlier}` the folder of a finished re-grade (these three must come out unchanged), `{url}` a
chat server that refuses every call (HTTP 401), `{out}` a fresh run folder.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reprolab.rebus.cli import app
from tests.helpers.fake_chat_server import FakeChatServer, ScriptedError, set_fake_keys
from tests.rebus.conftest import RAW_A, make_rebus_folder

runner = CliRunner()
EVAL = ["eval", "--model", "openai/gpt-4o", "--out", "{out}"]


def break_image(folder: Path) -> None:
    (folder / "images" / "0001.jpg").write_bytes(b"not a picture")


def refuse(call: object) -> str:
    raise ScriptedError(401, "invalid api key")


@dataclass(frozen=True)
class Case:
    argv: list[str]
    fragment: str
    env: dict[str, str | None] = field(default_factory=dict)
    setup: Callable[[Path], None] | None = None


CASES = {
    # settings
    "model without provider": Case(["eval", "--model", "gpt-4o"], "should read PROVIDER/MODEL"),
    "unknown provider": Case(["eval", "--model", "opnai/gpt-4o"], "Did you mean 'openai'"),
    "unknown prompt": Case([*EVAL, "--prompt", "standrd"], "Did you mean 'standard'"),
    "limit 0": Case([*EVAL, "--limit", "0"], "--limit must be at least 1"),
    "negative temperature": Case([*EVAL, "--temperature", "-1"], "--temperature must be >= 0"),
    "no concurrency": Case([*EVAL, "--concurrency", "0"], "--concurrency must be at least 1"),
    "unknown source": Case([*EVAL, "--source", "gitlab"], "--source 'gitlab' is not one of"),
    "judge without provider": Case([*EVAL, "--judge", "gpt-4o"], "--judge 'gpt-4o' should read"),
    "bogus device": Case(["eval", "--model", "hf/org/vlm", "--device", "tpu"],
                         "--device 'tpu' is not a device"),
    "judge verb without provider": Case(["judge", "--judge", "gpt-4o"], "should read PROVIDER"),
    "judge a folder that is no run": Case(["judge", "--judge", "openai/gpt-4o", "--run",
                                           "{folder}"], "holds no records.jsonl"),
    "gallery of a folder that is no run": Case(["gallery", "--run", "{folder}", "--out",
                                                "{out}"], "holds no records.jsonl"),
    # keys, servers and models
    "missing API key": Case(EVAL, "set OPENAI_API_KEY", env={"OPENAI_API_KEY": None}),
    "compatible server without URL": Case(["eval", "--model", "openai-compatible/llama"],
                                          "REPROLAB_OPENAI_BASE_URL"),
    "every call refused": Case([*EVAL, "--base-url", "{url}", "--max-retries", "0"],
                               "All 3 calls to openai/gpt-4o failed"),
    "hub model offline": Case(["eval", "--model", "hf/nobody/no-such-vlm", "--device", "cpu",
                               "--out", "{out}"], "hf/nobody/no-such-vlm",
                              env={"REPROLAB_OFFLINE": "1"}),
    "missing model folder": Case(["eval", "--model", "hf/./no-model-here", "--device", "cpu",
                                  "--out", "{out}"], "No model folder at ./no-model-here"),
    # data
    "missing data folder": Case(["regrade", "--out", "{out}"], "reprolab data fetch rebus",
                                env={"REPROLAB_DATA_DIR": "{folder}"}),
    "corrupt image": Case(EVAL, "0001.jpg is not a readable picture", setup=break_image),
    # files
    "cache is a folder": Case([*EVAL, "--cache", "{folder}"], "is a folder: give a file"),
    "cache is not SQLite": Case([*EVAL, "--cache", "{file}"], "file is not a database"),
    "out is a file": Case(["regrade", "--out", "{file}"], "is a file: give a folder"),
    "out cannot be written": Case(["regrade", "--out", "{file}/run"], "Cannot write the run"),
    "out holds another run": Case([*EVAL[:-1], "{earlier}"], "holds a run with other settings"),
    "judge out is a file": Case(["judge", "--judge", "openai/gpt-4o", "--out", "{file}"],
                                "is a file: give a folder"),
    "gallery out is a file": Case(["gallery", "--out", "{file}"], "is a file: give a folder"),
    "gallery out cannot be written": Case(["gallery", "--out", "{file}/gallery"],
                                          "Cannot write the gallery folder"),
}


@pytest.fixture
def rebus_folder(tmp_path: Path) -> Path:
    folder = make_rebus_folder(tmp_path / "rebus")
    (folder / "model_outputs" / "gpt4o_output.txt").write_text(RAW_A)  # a model `regrade` knows
    return folder


@pytest.fixture
def places(rebus_folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    monkeypatch.setenv("REPROLAB_DATA_DIR", str(rebus_folder.parent))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))  # the default response cache
    monkeypatch.setenv("COLUMNS", "400")
    set_fake_keys(monkeypatch)
    kept = tmp_path / "kept"
    (kept / "empty").mkdir(parents=True)
    (kept / "notes.txt").write_text("keep me\n")
    assert runner.invoke(app, ["regrade", "--out", str(kept / "earlier")]).exit_code == 0
    return {"file": str(kept / "notes.txt"), "folder": str(kept / "empty"),
            "earlier": str(kept / "earlier"), "out": str(tmp_path / "out")}


def snapshot(*folders: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for folder in folders for p in sorted(folder.rglob("*"))
            if p.is_file() and p.name != "status.json"}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_bad_input_is_one_line_and_keeps_earlier_results(
    case: Case, places: dict[str, str], rebus_folder: Path, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if case.setup:
        case.setup(rebus_folder)
    with FakeChatServer(refuse) as server:
        fill = {**places, "url": server.base_url("openai")}
        for name, value in case.env.items():
            if value is None:
                monkeypatch.delenv(name, raising=False)
            else:
                monkeypatch.setenv(name, value.format(**fill))
        before = snapshot(tmp_path / "kept", rebus_folder)
        result = runner.invoke(app, [arg.format(**fill) for arg in case.argv])
    lines = result.output.strip().splitlines()
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    assert lines[-1].startswith("error: ") and case.fragment in lines[-1], result.output
    assert sum(line.startswith("error: ") for line in lines) == 1
    assert snapshot(tmp_path / "kept", rebus_folder) == before, "earlier files were changed"
