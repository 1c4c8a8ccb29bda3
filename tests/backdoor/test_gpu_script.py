"""The real-scale script at toy size on the CPU."""

import importlib.util
import json
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "backdoor_gpu.py"


def load_script():
    spec = importlib.util.spec_from_file_location("backdoor_gpu", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_gpu_script_runs_only_the_chosen_phases(tmp_path):
    module = load_script()
    log = module.main(module.make_parser().parse_args(
        ["--out", str(tmp_path), "--device", "cpu", "--phases", "full_locker",
         "--full-rounds", "9", "--full-lat-steps", "0"]))
    assert set(log["phases"]) == {"full_locker"}
    compiled = log["phases"]["full_locker"]["result"]
    assert compiled["rounds"] == 9 and compiled["mismatches_vs_reference"] == 0
    assert not (tmp_path / "summary.csv").exists()


def test_gpu_script_rejects_an_unknown_phase(capsys):
    with pytest.raises(SystemExit):
        load_script().make_parser().parse_args(["--out", "x", "--phases", "noise,elicit"])
    assert "unknown phase(s) ['elicit']" in capsys.readouterr().err


@pytest.mark.slow
def test_gpu_script_toy_run(tmp_path):
    module = load_script()
    log = module.main(module.make_parser().parse_args(
        ["--out", str(tmp_path), "--toy", "--device", "cpu"]))
    assert set(log["phases"]) == {"elicitation", "noise", "full_locker"}
    assert log["phases"]["full_locker"]["result"]["mismatches_vs_reference"] == 0
    results = json.loads((tmp_path / "results.json").read_text())
    assert results["phases"]["noise"]["result"][0]["runs"] == 2
    for name in ("summary.csv", "noise.csv", "lat_loss.png", "full_locker_lat.png"):
        assert (tmp_path / name).exists(), name
