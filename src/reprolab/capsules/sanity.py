"""The `train` verb: one model trained to a plateau on MNIST or MultiMNIST and tested, beside
Sabour et al.'s test errors (2017, tables 1 and sec. 6)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import torch
from matplotlib.figure import Figure

from reprolab.capsules.config import TrainConfig
from reprolab.capsules.mnist import MnistSplits, load_splits
from reprolab.capsules.models import ModelSpec, count_parameters
from reprolab.capsules.multimnist import MultiMnistBatch, PairSampler, fixed_set
from reprolab.capsules.plots import reconstruction_figure
from reprolab.capsules.train import evaluate, make_optimizer, train_to_plateau
from reprolab.core.device import choose_device
from reprolab.core.records import RunRecord
from reprolab.core.seeding import seed_everything

# Sabour et al. 2017: test error (%) at full size; None where they give no number.
PAPER_ERROR = {
    "mnist": {"capsnet": 0.25, "capsnet-nogen": 0.35, "capsnet-uniform": 0.29, "cnn": 0.39},
    "multimnist": {"capsnet": 5.2, "cnn": 8.1},
}
VAL_SEED, TEST_SEED = 1, 2  # the fixed validation and test sets


def samplers(task: str, splits: MnistSplits) -> tuple[PairSampler, PairSampler, PairSampler]:
    """Training, validation and test samplers of a task over all ten digits."""
    shape = {"n_digits": 2, "canvas": 36, "max_shift": 4} if task == "multimnist" else \
        {"n_digits": 1, "canvas": 28, "max_shift": 2}
    return tuple(PairSampler(part, torch.arange(len(part)), **shape)
                 for part in (splits.train, splits.val, splits.test))  # type: ignore[return-value]


@dataclass(frozen=True)
class TrainResult:
    model: str
    task: str
    width: float
    parameters: int
    val_accuracy: float
    test_error_percent: float
    paper_error_percent: float | None
    batches: int
    stopped: str


def run_train(config: TrainConfig, out: Path | None = None,
              splits: MnistSplits | None = None) -> tuple[TrainResult, RunRecord]:
    """Train and test `config.model`; resumes a stopped run in `out`. `splits`: other data
    (tests)."""
    settings = config.training
    device = choose_device(settings.device)
    splits = splits or load_splits()
    record = RunRecord.create("capsules", f"train-{config.model}-{config.task}", config,
                              seed=config.seed, out=out)
    with record.running():
        train, val, test = samplers(config.task, splits)
        seed_everything(config.seed)
        spec = ModelSpec(config.model, settings.width, train.canvas)
        model = spec.build().to(device)
        optimizer = make_optimizer(model, settings)
        plateau = train_to_plateau(
            model, optimizer, train, fixed_set(val, settings.n_val, VAL_SEED), settings,
            seed=config.seed, folder=record.path("checkpoints"), device=device,
            description=f"train {config.model} on {config.task}")
        test_set = fixed_set(test, settings.n_test, TEST_SEED)
        accuracy = evaluate(model, test_set, device).float().mean().item()
        result = TrainResult(config.model, config.task, settings.width, count_parameters(model),
                             plateau.best_accuracy, round(100 * (1 - accuracy), 3),
                             PAPER_ERROR[config.task].get(config.model), plateau.batches,
                             plateau.stopped)
        record.write_results(result)
        if getattr(model, "decoder", None) is not None:
            record.save_figure("reconstructions", reconstructions(model, test_set.slice(0, 8),
                                                                  device))
    return result, record


@torch.no_grad()
def reconstructions(model: torch.nn.Module, batch: MultiMnistBatch, device: torch.device
                    ) -> Figure:
    """The reconstruction figure of a generative model on `batch` (its predicted digits)."""
    model.eval()
    output = model(batch.images.to(device), n_digits=batch.labels.shape[1])
    predicted = output.scores.topk(batch.labels.shape[1], dim=1).indices
    return reconstruction_figure(batch.images, output.reconstructions.cpu(), batch.labels,
                                 predicted.cpu())
