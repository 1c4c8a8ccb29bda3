"""scripts/capsules_gpu.py at toy size on the CPU: the transfer phase runs, a spent budget
skips the sanity phase."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "capsules_gpu.py"


def _script():
    spec = importlib.util.spec_from_file_location("capsules_gpu", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.needs_data("mnist")
def test_toy_run(tmp_path):
    script = _script()
    argv = ["--out", str(tmp_path), "--toy", "--device", "cpu", "--models", "capsnet-ir,cnn",
            "--held-out", "4", "--k", "1", "--seeds", "0"]
    summary = script.main(script.make_parser().parse_args([*argv, "--phases", "transfer"]))
    assert summary["phases"]["transfer"]["finished"]
    assert (tmp_path / "transfer" / "recovery_table.csv").is_file()
    skipped = script.main(script.make_parser().parse_args(
        [*argv, "--phases", "sanity", "--budget-minutes", "0"]))
    assert set(skipped["phases"].values()) == {"skipped: budget spent"}
    assert json.loads((tmp_path / "results.json").read_text())["settings"]["width"] == 0.03
