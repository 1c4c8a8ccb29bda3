import json
from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

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
    fig, ax = plt.subplots()
    ax.plot([0, 1], [1, 0])
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
