import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from reprolab.core.errors import UserError
from reprolab.core.figures import new_figure
from reprolab.core.records import RunRecord, to_jsonable, write_json


@dataclass
class ToyConfig:
    model: str = "smollm2-135m"
    limit: int = 5
    out: Path = Path("x")


def test_run_record_layout(tmp_path):
    record = RunRecord.create("rebus", "toy", ToyConfig(), seed=7, root=tmp_path)
    assert record.folder.parent == tmp_path / "rebus"
    assert record.folder.name.endswith("-toy")
    config = json.loads((record.folder / "config.json").read_text())
    assert config["config"] == {"model": "smollm2-135m", "limit": 5, "out": "x"}
    assert config["seed"] == 7
    assert "torch" in config["versions"] and "numpy" in config["versions"]
    assert config["git_commit"] is None or len(config["git_commit"]) >= 40

    record.write_results({"accuracy": np.float64(0.25), "n": np.int64(4)})
    assert json.loads(record.path("results.json").read_text()) == {"accuracy": 0.25, "n": 4}
    record.write_jsonl("items.jsonl", [{"id": 1, "ok": True}, {"id": 2, "ok": False}])
    rows = [json.loads(line) for line in record.path("items.jsonl").read_text().splitlines()]
    assert rows == [{"id": 1, "ok": True}, {"id": 2, "ok": False}]
    record.write_table("items.csv", pd.DataFrame({"a": [1, 2]}))
    assert record.path("items.csv").read_text() == "a\n1\n2\n"
    fig, axes = new_figure()
    axes[0, 0].plot([0, 1], [1, 0])
    png = record.save_figure("curve", fig)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_out_overrides_location(tmp_path):
    record = RunRecord.create("invscale", "x", {"a": 1}, out=tmp_path / "mine")
    assert record.folder == tmp_path / "mine"
    assert (tmp_path / "mine" / "config.json").exists()


def test_json_conversion_and_atomic_write(tmp_path):
    assert to_jsonable({"t": (1, 2), "s": {3}, "p": Path("/a"), "a": np.arange(2)}) == {
        "t": [1, 2], "s": [3], "p": "/a", "a": [0, 1]}
    target = write_json(tmp_path / "r.json", {"x": 1})
    assert json.loads(target.read_text()) == {"x": 1}
    assert not (tmp_path / "r.json.part").exists()


def test_same_settings_resume_the_folder_other_settings_are_refused(tmp_path):
    out = tmp_path / "run"
    first = RunRecord.create("invscale", "ladder", ToyConfig(limit=5), seed=1, out=out)
    first.write_jsonl("items.jsonl", [{"id": 1}])
    created = json.loads((out / "config.json").read_text())["created"]
    again = RunRecord.create("invscale", "ladder", ToyConfig(limit=5), seed=1, out=out)
    assert again.resumed and not first.resumed
    assert json.loads((out / "config.json").read_text())["created"] == created
    with pytest.raises(UserError, match=r"differs in: config\.limit, seed"):
        RunRecord.create("invscale", "ladder", ToyConfig(limit=50), seed=2, out=out)
    assert json.loads((out / "config.json").read_text())["config"]["limit"] == 5  # untouched
    assert (out / "items.jsonl").read_text() == '{"id": 1}\n'


def test_unusable_out_folders_are_one_line_user_errors(tmp_path):
    a_file = tmp_path / "file.txt"
    a_file.write_text("keep me")
    with pytest.raises(UserError, match="is a file"):
        RunRecord.create("rebus", "x", {}, out=a_file)
    assert a_file.read_text() == "keep me"
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "notes.txt").write_text("mine")
    with pytest.raises(UserError, match="not empty and holds no run record"):
        RunRecord.create("rebus", "x", {}, out=busy)
    if os.geteuid() != 0:  # root writes anywhere
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        with pytest.raises(UserError, match="Cannot write"):
            RunRecord.create("rebus", "x", {}, out=locked / "run")


def test_status_follows_the_run(tmp_path):
    record = RunRecord.create("rebus", "x", {}, out=tmp_path / "ok")
    assert record.status is None
    with record.running():
        assert record.status == "running"
    assert record.status == "complete"
    failed = RunRecord.create("rebus", "x", {}, out=tmp_path / "bad")
    with pytest.raises(RuntimeError), failed.running():
        raise RuntimeError("boom")
    assert failed.status == "failed"
    assert "boom" in json.loads(failed.path("status.json").read_text())["error"]
    stopped = RunRecord.create("rebus", "x", {}, out=tmp_path / "stopped")
    with pytest.raises(KeyboardInterrupt), stopped.running():
        raise KeyboardInterrupt
    assert stopped.status == "interrupted"
    budget = RunRecord.create("rebus", "x", {}, out=tmp_path / "budget")
    with budget.running():
        budget.stop("budget reached")
    assert budget.status == "stopped"
    assert json.loads(budget.path("status.json").read_text())["reason"] == "budget reached"
    with budget.running():  # the resumed run that finishes is complete
        pass
    assert budget.status == "complete"


def test_credentials_in_the_command_line_are_never_written(tmp_path, monkeypatch):
    import sys

    monkeypatch.setattr(sys, "argv", ["reprolab", "rebus", "eval",
                                      "--base-url=http://ann:s3cret@localhost:8000/v1"])
    record = RunRecord.create("rebus", "x", {}, out=tmp_path / "run")
    text = record.path("config.json").read_text()
    assert "s3cret" not in text and "ann" not in text
    assert "--base-url=http://localhost:8000/v1" in json.loads(text)["argv"]


def test_tables_in_results_are_lists_of_rows(tmp_path):
    frame = pd.DataFrame({"design": ["sat", "locker"], "elicited": [0, 5]})
    assert to_jsonable({"summary": frame}) == {
        "summary": [{"design": "sat", "elicited": 0}, {"design": "locker", "elicited": 5}]}


def test_a_setting_added_since_resumes_at_its_default(tmp_path):
    out = tmp_path / "run"
    RunRecord.create("invscale", "ladder", ToyConfig(), seed=1, out=out)
    saved = json.loads((out / "config.json").read_text())
    del saved["config"]["limit"]  # as written before the field existed
    (out / "config.json").write_text(json.dumps(saved))
    assert RunRecord.create("invscale", "ladder", ToyConfig(), seed=1, out=out).resumed
    with pytest.raises(UserError, match=r"differs in: config\.limit"):
        RunRecord.create("invscale", "ladder", ToyConfig(limit=9), seed=1, out=out)
