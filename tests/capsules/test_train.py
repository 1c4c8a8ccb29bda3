"""Training to a plateau: the rule stops where it should, and a stopped run resumes to the
same weights as one that was never stopped."""

from __future__ import annotations

import pytest
import torch

from reprolab.capsules.config import TrainConfig, TrainingSettings
from reprolab.capsules.models import ModelSpec
from reprolab.capsules.multimnist import PairSampler, fixed_set
from reprolab.capsules.sanity import run_train
from reprolab.capsules.train import make_optimizer, train_to_plateau
from reprolab.core.train_log import TrainLog
from tests.capsules.toy import toy_mnist, toy_splits

SETTINGS = TrainingSettings(width=1 / 32, batch_size=8, eval_every=2, patience=2, max_batches=8,
                            n_val=16, n_test=16, device="cpu")


class Interrupting:
    """A sampler that raises KeyboardInterrupt on its `stop_at`-th batch."""

    def __init__(self, sampler: PairSampler, stop_at: int) -> None:
        self.sampler, self.stop_at, self.calls = sampler, stop_at, 0

    def batch(self, size, generator):
        self.calls += 1
        if self.calls == self.stop_at:
            raise KeyboardInterrupt
        return self.sampler.batch(size, generator)


def _train(folder, sampler, settings=SETTINGS):
    torch.manual_seed(0)
    model = ModelSpec("capsnet", settings.width, 36).build()
    optimizer = make_optimizer(model, settings)
    val = fixed_set(PairSampler(toy_mnist(20, 1), torch.arange(20)), 16, 0)
    result = train_to_plateau(model, optimizer, sampler, val, settings, seed=3, folder=folder,
                              device=torch.device("cpu"), description="test")
    return model, result


def test_resumed_training_equals_uninterrupted(tmp_path):
    sampler = PairSampler(toy_mnist(), torch.arange(60))
    straight, straight_result = _train(tmp_path / "a", sampler)
    with pytest.raises(KeyboardInterrupt):
        _train(tmp_path / "b", Interrupting(sampler, 6))  # after the checks at batches 2 and 4
    assert [r["step"] for r in TrainLog(tmp_path / "b" / "train_log.jsonl").rows()] == [2, 4]
    resumed, resumed_result = _train(tmp_path / "b", sampler)
    assert resumed_result == straight_result
    for a, b in zip(straight.parameters(), resumed.parameters(), strict=True):
        assert torch.equal(a, b)
    rows = TrainLog(tmp_path / "b" / "train_log.jsonl").rows()
    assert [r["step"] for r in rows] == [r["step"] for r in
                                         TrainLog(tmp_path / "a" / "train_log.jsonl").rows()]


def test_plateau_rule_stops_after_patience_checks_without_gain(tmp_path):
    sampler = PairSampler(toy_mnist(), torch.arange(60))
    strict = TrainingSettings(**{**SETTINGS.__dict__, "min_delta": 1.5, "max_batches": 100})
    _, result = _train(tmp_path, sampler, strict)  # no gain can reach 1.5: the first check
    # sets the reference, the next `patience` checks fail to beat it
    assert result.stopped == "plateau" and result.batches == 2 * (1 + strict.patience)


def test_run_train_writes_results_and_reconstructions(tmp_path):
    config = TrainConfig(model="capsnet", task="mnist", training=SETTINGS)
    result, record = run_train(config, out=tmp_path / "run", splits=toy_splits())
    assert result.paper_error_percent == 0.25 and result.batches <= 8
    assert 0 <= result.test_error_percent <= 100
    assert record.path("reconstructions.png").is_file() and record.status == "complete"
    again, _ = run_train(config, out=tmp_path / "run", splits=toy_splits())  # resumes: no work
    assert again == result
