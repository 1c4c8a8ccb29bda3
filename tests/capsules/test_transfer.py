"""The transfer experiment end to end on toy data: every unit and k recorded, resumed without
new work, stopped by the time budget between units; the injection and check schedules."""

from __future__ import annotations

import torch

from reprolab.capsules.config import TrainingSettings, TransferConfig
from reprolab.capsules.transfer import check_points, injected, run_transfer
from tests.capsules.toy import toy_mnist, toy_splits

CONFIG = TransferConfig(
    models=("capsnet-nogen", "cnn"), held_out=(2,), k=(1, 5), seeds=(0,), margin=0.02,
    recovery_batches=6, recovery_eval_every=3,
    training=TrainingSettings(width=1 / 32, batch_size=8, eval_every=2, patience=1,
                              max_batches=4, n_val=20, n_test=40, device="cpu"))


def test_check_points_are_dense_early_and_regular_later():
    assert check_points(100, 25) == [0, 1, 2, 3, 5, 8, 11, 17, 25, 26, 38, 50, 58, 75, 86, 100]
    assert check_points(6, 3) == [0, 1, 2, 3, 5, 6]


def test_injected_images_are_of_the_digit_and_nested_in_k():
    train = toy_mnist(100)
    five, ten = injected(train, 4, 5, seed=1), injected(train, 4, 10, seed=1)
    assert (train.labels[ten] == 4).all() and torch.equal(ten[:5], five)
    assert not torch.equal(injected(train, 4, 10, seed=2), ten)


def test_transfer_records_every_unit_and_resumes_without_new_work(tmp_path):
    stopped = run_transfer(CONFIG, tmp_path / "run", budget_minutes=0, splits=toy_splits())
    assert not stopped.finished and stopped.recovery.empty
    result = run_transfer(CONFIG, tmp_path / "run", splits=toy_splits())
    assert result.finished and len(result.pretrain) == 2 and len(result.recovery) == 4
    row = result.recovery.iloc[0]
    assert row["target"] == row["acc_old_before"] - 0.02
    reached = result.recovery["recovery_batches"].dropna()
    assert set(reached) <= set(check_points(6, 3))
    assert set(result.table["model"]) == {"capsnet-nogen", "cnn"}
    assert set(result.ratios["k"]) == {1, 5, "all"}
    for name in ("curves.png", "recovery.png", "curves.csv", "ratios.csv", "pretrain.jsonl"):
        assert result.record.path(name).is_file()
    again = run_transfer(CONFIG, tmp_path / "run", splits=toy_splits())
    assert again.recovery.equals(result.recovery)
