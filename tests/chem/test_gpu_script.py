"""The GPU script: its settings, and a toy-size run on the CPU (slow: the same pipeline as the
quick test)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

SCRIPT = Path(__file__).parents[2] / "scripts" / "chem_gpu.py"


def _script():
    spec = importlib.util.spec_from_file_location("chem_gpu", SCRIPT)
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    return script


def test_paper_scale_settings():
    script = _script()
    settings = script.settings_of(script.make_parser().parse_args(
        ["--out", "x", "--molecules", "5000", "--dpo-samples", "64"]))
    assert settings.molecules == 5000 and settings.dpo_samples == 64
    assert (settings.lora.r, settings.lora.alpha, settings.sft_train.lr) == (32, 16, 2e-4)
    assert settings.dpo_train.lr == 2e-5 and settings.test_limit is None
    assert settings.baseline_shape == (512, 8, 8) and settings.sft_train.snapshot_steps == 1000
    raised = script.settings_of(script.make_parser().parse_args(
        ["--out", "x", "--dpo-lr", "3e-4", "--dpo-epochs", "3"]))
    assert (raised.dpo_train.lr, raised.dpo_train.epochs) == (3e-4, 3.0)


@pytest.mark.slow
def test_toy_run_writes_the_summary(tmp_path, tiny_model_dir):
    script = _script()
    args = script.make_parser().parse_args(
        ["--out", str(tmp_path / "gpu"), "--toy", "--model", str(tiny_model_dir), "--device",
         "cpu"])
    script.main(args)
    summary = json.loads((tmp_path / "gpu" / "summary.json").read_text())
    assert "MOSES metrics (free samples) beside CharRNN" in summary["tables"]
    assert (tmp_path / "gpu" / "sft" / "model" / "adapter_config.json").is_file()
    assert not (tmp_path / "gpu" / "dpo").exists()  # the toy skips DPO
    assert (tmp_path / "gpu" / "curve" / "curve.csv").is_file()  # the baseline and its curve
