"""The quick and full reproductions on toy settings: tables, figures, the headline."""

from __future__ import annotations

import pandas as pd
import pytest

from reprolab.capsules import full, quick
from reprolab.capsules.config import TrainingSettings, TransferConfig
from reprolab.capsules.reproduction import headline_ratio
from reprolab.core.report import StudyContext

TOY = TransferConfig(models=("capsnet", "cnn"), held_out=(7,), k=(5,), seeds=(0,),
                     recovery_batches=4, recovery_eval_every=2,
                     training=TrainingSettings(width=0.03, batch_size=8, eval_every=2,
                                               max_batches=4, n_val=20, n_test=40,
                                               device="cpu"))


@pytest.mark.needs_data("mnist")
@pytest.mark.parametrize("module", [quick, full], ids=["quick", "full"])
def test_reproduction_on_toy_settings(module, tmp_path):
    run = module.run_quick if module is quick else module.run_full
    result = run(StudyContext(out=tmp_path, device="cpu"), TOY)
    assert result.study == "capsules" and result.status == "ok"
    captions = [caption for caption, _ in result.figures]
    assert any("reconstruction" in c for c in captions) and len(captions) == 3
    assert result.tables[0][0] == "Batches to recover after injection"
    assert result.headline is not None and result.headline.paper == "> 25"


def test_default_settings_are_the_documented_ones():
    cpu = full.cpu_transfer(StudyContext(out=None, device="cpu"))
    assert cpu.training.width == 0.0625 and cpu.models[0] == "cnn" and cpu.k[-1] == 100
    assert quick.quick_transfer(StudyContext(out=None)).training.max_batches == 300


def test_headline_prefers_intermediate_routing():
    ratios = pd.DataFrame([
        {"model": "capsnet", "k": "all", "ratio": 2.0, "ratio_low": 1.0, "ratio_high": 3.0},
        {"model": "capsnet-ir", "k": "all", "ratio": 4.0, "ratio_low": 3.0, "ratio_high": 5.0},
        {"model": "capsnet-ir", "k": 1, "ratio": 9.0, "ratio_low": 8.0, "ratio_high": 9.5}])
    headline = headline_ratio(ratios, "note")
    assert headline.quantity.startswith("CNN / capsnet-ir") and headline.ours.startswith("4.00")
