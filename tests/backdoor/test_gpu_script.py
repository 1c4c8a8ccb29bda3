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
    run = module.main(module.make_parser().parse_args(
        ["--out", str(tmp_path), "--device", "cpu", "--phases", "full_locker",
         "--full-rounds", "9", "--full-lat-steps", "0"]))
    assert [phase.phase for phase in run.phases] == ["full_locker"]
    compiled = json.loads((tmp_path / "full_locker" / "compile" / "results.json").read_text())
    assert compiled["rounds"] == 9 and compiled["mismatches_vs_reference"] == 0
    assert not (tmp_path / "full_locker" / "lat").exists()
    assert not (tmp_path / "elicitation").exists()
    logged = json.loads((tmp_path / "results.json").read_text())
    assert [phase["phase"] for phase in logged["phases"]] == ["full_locker"]


def test_gpu_script_skips_phases_past_its_budget(tmp_path):
    module = load_script()
    run = module.main(module.make_parser().parse_args(
        ["--out", str(tmp_path), "--device", "cpu", "--phases", "noise,full_locker",
         "--full-rounds", "9", "--full-lat-steps", "0", "--budget", "-1"]))
    assert [(phase.phase, phase.folder) for phase in run.phases] == [("noise", None),
                                                                      ("full_locker", None)]
    assert all("skipped" in phase.skipped for phase in run.phases)


def test_gpu_script_rejects_an_unknown_phase(capsys):
    with pytest.raises(SystemExit):
        load_script().make_parser().parse_args(["--out", "x", "--phases", "noise,elicit"])
    assert "unknown phase(s) ['elicit']" in capsys.readouterr().err


@pytest.mark.slow
def test_gpu_script_toy_run(tmp_path):
    module = load_script()
    run = module.main(module.make_parser().parse_args(
        ["--out", str(tmp_path), "--toy", "--device", "cpu"]))
    assert [phase.phase for phase in run.phases] == ["elicitation", "noise", "full_locker"]
    compiled = json.loads((tmp_path / "full_locker" / "compile" / "results.json").read_text())
    assert compiled["mismatches_vs_reference"] == 0
    noise = json.loads((tmp_path / "noise" / "results.json").read_text())["noise"]
    assert [row["runs"] for row in noise] == [2, 2, 2]
    for name in ("elicitation/summary.csv", "noise/noise.csv", "elicitation/lat_loss.png",
                 "full_locker/lat/lat_loss.png"):
        assert (tmp_path / name).exists(), name
