"""Training to a plateau, resumable: every validation check writes a checkpoint (model, Adam
state, step, plateau counters) and a metrics line, so a run stopped at any point continues from
its last check with the same batches.

Batch `t` of a training seeded `seed` is drawn with its own generator (`batch_generator`), so
the data stream needs no saved state. The plateau rule: validate every `eval_every` batches;
stop after `patience` checks in a row without a gain of `min_delta` over the accuracy at the
last gain, or at `max_batches`; then restore the best-validated weights and optimiser state.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn

from reprolab.capsules.config import TrainingSettings
from reprolab.capsules.losses import correct, objective
from reprolab.capsules.multimnist import MultiMnistBatch, PairSampler
from reprolab.core.checkpoints import load_checkpoint, save_checkpoint
from reprolab.core.progress import make_progress
from reprolab.core.train_log import TrainLog

LAST, BEST, LOG = "last.safetensors", "best.safetensors", "train_log.jsonl"
EVAL_BATCH = 500


def batch_generator(seed: int, step: int) -> torch.Generator:
    """The generator of batch `step` of a training seeded `seed`."""
    return torch.Generator().manual_seed(seed * 1_000_003 + step)


def make_optimizer(model: nn.Module, settings: TrainingSettings) -> torch.optim.Optimizer:
    """Adam, the same for every model (Sabour et al. use Adam)."""
    return torch.optim.Adam(model.parameters(), lr=settings.lr)


def train_step(model: nn.Module, optimizer: torch.optim.Optimizer, batch: MultiMnistBatch
               ) -> float:
    """One Adam step on the margin (+ reconstruction) loss; returns the loss."""
    output = model(batch.images, batch.labels, n_digits=batch.labels.shape[1])
    loss = objective(output, batch.labels, batch.sources)
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    optimizer.step()
    return loss.item()


@torch.no_grad()
def evaluate(model: nn.Module, data: MultiMnistBatch, device: torch.device,
             batch_size: int = EVAL_BATCH) -> torch.Tensor:
    """`(N,)` bool: each image's digits are the model's top-n classes."""
    model.eval()
    hits = []
    for start in range(0, len(data), batch_size):
        chunk = data.slice(start, start + batch_size).to(device)
        scores = model(chunk.images, n_digits=chunk.labels.shape[1]).scores
        hits.append(correct(scores, chunk.labels).cpu())
    model.train()
    return torch.cat(hits)


@dataclass(frozen=True)
class PlateauResult:
    """`best_accuracy` (validation) reached at batch `best_batch`; `batches` run in all;
    `stopped`: `plateau` or `max_batches`."""

    best_accuracy: float
    best_batch: int
    batches: int
    stopped: str


def train_to_plateau(model: nn.Module, optimizer: torch.optim.Optimizer, sampler: PairSampler,
                     val: MultiMnistBatch, settings: TrainingSettings, *, seed: int,
                     folder: Path, device: torch.device, description: str) -> PlateauResult:
    """Train `model` on `sampler`'s batches until the plateau rule stops it, checkpointing
    into `folder` (resumed from there); leave the best weights and their optimiser state."""
    log = TrainLog(folder / LOG)
    state = {"best_accuracy": -1.0, "best_batch": 0, "reference": None, "checks": 0,
             "stopped": ""}
    step = 0
    if (folder / LAST).is_file():
        saved = load_checkpoint(folder / LAST, model, optimizer)
        step, state = saved.step, saved.extra
    log.resume(step)
    losses: list[float] = []
    with make_progress() as progress:
        task = progress.add_task(description, total=settings.max_batches, completed=step)
        while not state["stopped"]:
            batch = sampler.batch(settings.batch_size, batch_generator(seed, step)).to(device)
            losses.append(train_step(model, optimizer, batch))
            step += 1
            progress.advance(task)
            if step % settings.eval_every and step < settings.max_batches:
                continue
            accuracy = evaluate(model, val, device).float().mean().item()
            log.append(step, {"loss": sum(losses) / len(losses), "val_accuracy": accuracy})
            losses.clear()
            if accuracy > state["best_accuracy"]:
                state.update(best_accuracy=accuracy, best_batch=step)
                save_checkpoint(folder / BEST, model, optimizer, step)
            if state["reference"] is None or accuracy >= state["reference"] + settings.min_delta:
                state.update(reference=accuracy, checks=0)
            else:
                state["checks"] += 1
            if state["checks"] >= settings.patience:
                state["stopped"] = "plateau"
            elif step >= settings.max_batches:
                state["stopped"] = "max_batches"
            save_checkpoint(folder / LAST, model, optimizer, step, extra=state)
    load_checkpoint(folder / BEST, model, optimizer, restore_rng=False)
    return PlateauResult(state["best_accuracy"], state["best_batch"], step, state["stopped"])
