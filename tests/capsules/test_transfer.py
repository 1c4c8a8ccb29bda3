"""The transfer experiment end to end on toy data: every unit and k recorded, resumed without
new work, stopped by the time budget between units; the injection and check schedules."""

from __future__ import annotations

from dataclasses import replace

import pytest
import torch

from reprolab.capsules.config import TrainingSettings, TransferConfig
from reprolab.capsules.transfer import check_points, injected, run_transfer, summarise_runs
from reprolab.core.errors import UserError
from reprolab.core.records import RunRecord
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


@pytest.fixture(scope="module")
def first_run(tmp_path_factory):
    """CONFIG run in two stages: a spent budget starts nothing, then the rest runs."""
    folder = tmp_path_factory.mktemp("transfer") / "a"
    stopped = run_transfer(CONFIG, folder, budget_minutes=0, splits=toy_splits())
    assert not stopped.finished and stopped.recovery.empty
    assert stopped.record.status == "stopped"
    return run_transfer(CONFIG, folder, splits=toy_splits())


def test_transfer_records_every_unit_and_resumes_without_new_work(first_run):
    result = first_run
    assert result.finished and len(result.pretrain) == 2 and len(result.recovery) == 4
    row = result.recovery.iloc[0]
    assert row["target"] == row["acc_old_before"] - 0.02
    reached = result.recovery["recovery_batches"].dropna()
    assert set(reached) <= set(check_points(6, 3))
    assert set(result.table["model"]) == {"capsnet-nogen", "cnn"}
    assert set(result.ratios["k"]) == {1, 5, "all"}
    for name in ("curves.png", "recovery.png", "curves.csv", "ratios.csv", "pretrain.jsonl"):
        assert result.record.path(name).is_file()
    again = run_transfer(CONFIG, result.record.folder, splits=toy_splits())
    assert again.recovery.equals(result.recovery)


def test_runs_side_by_side_are_pooled_and_others_refused(first_run, tmp_path):
    first, a = first_run, first_run.record.folder
    other = replace(CONFIG, models=("cnn",), held_out=(7,))
    run_transfer(other, tmp_path / "b", splits=toy_splits())
    pooled = summarise_runs([a, tmp_path / "b", a], tmp_path / "pooled")
    assert len(pooled.recovery) == len(first.recovery) + 2 and pooled.finished
    assert (tmp_path / "pooled" / "recovery_table.csv").is_file()
    stopped = run_transfer(CONFIG, tmp_path / "stopped", budget_minutes=0, splits=toy_splits())
    assert not summarise_runs([tmp_path / "stopped", tmp_path / "b"], tmp_path / "p2").finished
    assert summarise_runs([stopped.record.folder, a], tmp_path / "p3").finished  # a has its units
    RunRecord.create("capsules", "transfer", replace(CONFIG, margin=0.5), seed=0,
                     out=tmp_path / "c")
    with pytest.raises(UserError, match="cannot be pooled"):
        summarise_runs([a, tmp_path / "c"], tmp_path / "pooled")
    with pytest.raises(UserError, match="needs --out"):
        summarise_runs([a, tmp_path / "b"])
