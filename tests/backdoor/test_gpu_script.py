"""The real-scale script at toy size on the CPU."""

import importlib.util
import json
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "backdoor_gpu.py"


@pytest.mark.slow
def test_gpu_script_toy_run(tmp_path):
    spec = importlib.util.spec_from_file_location("backdoor_gpu", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    log = module.main(module.make_parser().parse_args(
        ["--out", str(tmp_path), "--toy", "--device", "cpu"]))
    assert set(log["phases"]) == {"elicitation", "noise", "full_locker"}
    assert log["phases"]["full_locker"]["result"]["mismatches_vs_reference"] == 0
    results = json.loads((tmp_path / "results.json").read_text())
    assert results["phases"]["noise"]["result"][0]["runs"] == 2
    for name in ("summary.csv", "noise.csv", "lat_loss.png", "full_locker_lat.png"):
        assert (tmp_path / name).exists(), name
