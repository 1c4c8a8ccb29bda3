"""The transfer experiment (Gritsevskiy & Korablyov 2018, arXiv 1804.10172, as its abstract
describes it): pretrain on MultiMNIST lacking digit d until the plateau rule stops, inject k
images of d, and count the batches until accuracy on all digits is back within `margin` of the
pre-injection accuracy on the old digits.

Choices the abstract leaves open (all settings in `TransferConfig`): the k images are the first
k of a seeded permutation of d's training images (so smaller k are subsets of larger); after
injection a pair's first digit is one of them with probability `inject_rate`, each time with a
fresh shift and a fresh old-digit partner; training continues with the pretraining optimiser
state; the test set has all digits (fixed, from MNIST's test split) and is split into pairs with
d (`acc_new`) and without (`acc_old`, whose drop is the forgetting). Checks after injection come
at batches 0, 1, 2, 3, 5, 8, 11, 17, ... (x1.5) and at every multiple of `recovery_eval_every`,
so a fast recovery is not rounded up to the check interval.

One unit is (model, held-out digit, seed): one pretraining and one recovery per k. Units are
written as they finish, so a stopped run resumes at the first unfinished unit.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd
import torch
from torch import nn

from reprolab.capsules.config import TrainingSettings, TransferConfig
from reprolab.capsules.metrics import curves_frame, recovery_table, transfer_ratios
from reprolab.capsules.mnist import Mnist, MnistSplits, load_splits
from reprolab.capsules.models import ModelSpec
from reprolab.capsules.multimnist import MultiMnistBatch, PairSampler, fixed_set
from reprolab.capsules.plots import recovery_curves_figure, recovery_figure
from reprolab.capsules.train import (
    BEST,
    batch_generator,
    evaluate,
    make_optimizer,
    train_step,
    train_to_plateau,
)
from reprolab.core.checkpoints import load_checkpoint
from reprolab.core.device import choose_device
from reprolab.core.errors import UserError
from reprolab.core.progress import track
from reprolab.core.records import RunRecord
from reprolab.core.seeding import seed_everything

VAL_SEED, TEST_SEED, RECOVERY_STREAM = 1, 2, 10_000
PRETRAIN, RECOVERY = "pretrain.jsonl", "recovery.jsonl"


def check_points(total: int, every: int) -> list[int]:
    """Batches after injection at which the test sets are checked."""
    points, x = {0, total, *range(every, total, every)}, 1.0
    while x < total:
        points.add(round(x))
        x *= 1.5
    return sorted(points)


def injected(train: Mnist, digit: int, k: int, seed: int) -> torch.Tensor:
    """The k training images of `digit` that are injected (nested in k for one seed)."""
    candidates = (train.labels == digit).nonzero().squeeze(1)
    order = torch.randperm(len(candidates), generator=torch.Generator().manual_seed(seed))
    return candidates[order[:k]]


@dataclass(frozen=True)
class HeldOut:
    """Everything the units of one held-out digit share."""

    digit: int
    pretrain: PairSampler
    val: MultiMnistBatch
    has_digit: torch.Tensor  # (n_test,) bool: the test pair contains the digit

    @classmethod
    def make(cls, splits: MnistSplits, digit: int, test: MultiMnistBatch, n_val: int) -> HeldOut:
        def without(part: Mnist) -> torch.Tensor:
            return (part.labels != digit).nonzero().squeeze(1)

        return cls(digit, PairSampler(splits.train, without(splits.train)),
                   fixed_set(PairSampler(splits.val, without(splits.val)), n_val, VAL_SEED),
                   (test.labels == digit).any(dim=1))


def accuracies(hits: torch.Tensor, has_digit: torch.Tensor) -> dict[str, float]:
    """Accuracy on all test pairs, on those with the held-out digit and on those without."""
    hits = hits.float()
    return {"acc_all": hits.mean().item(), "acc_new": hits[has_digit].mean().item(),
            "acc_old": hits[~has_digit].mean().item()}


def recover(model: nn.Module, optimizer: torch.optim.Optimizer, sampler: PairSampler,
            test: MultiMnistBatch, held: HeldOut, config: TransferConfig, *, seed: int,
            target: float, device: torch.device) -> list[dict]:
    """Train on the injected stream, checking the test set at `check_points`, until accuracy on
    all digits reaches `target` or `recovery_batches` pass. Returns one row per check."""
    curve, done = [], 0
    for point in check_points(config.recovery_batches, config.recovery_eval_every):
        for step in range(done, point):
            batch = sampler.batch(config.training.batch_size,
                                  batch_generator(RECOVERY_STREAM + seed, step))
            train_step(model, optimizer, batch.to(device))
        done = point
        curve.append({"batch": point, **accuracies(evaluate(model, test, device), held.has_digit)})
        if curve[-1]["acc_all"] >= target:
            break
    return curve


@dataclass
class TransferResult:
    """Per-unit rows, the recovery table, the CNN/CapsNet ratios, and whether every unit ran."""

    record: RunRecord
    pretrain: pd.DataFrame
    recovery: pd.DataFrame
    table: pd.DataFrame
    ratios: pd.DataFrame
    finished: bool


def run_transfer(config: TransferConfig, out: Path | None = None, *,
                 budget_minutes: float | None = None,
                 splits: MnistSplits | None = None) -> TransferResult:
    """Run (or resume) every unit; stop cleanly between units once `budget_minutes` have
    passed. `splits`: other data (tests)."""
    started = time.monotonic()
    settings = config.training
    device = choose_device(settings.device)
    splits = splits or load_splits()
    record = RunRecord.create("capsules", "transfer", config, seed=config.seeds[0], out=out)
    pretrained, recovered = _read_rows(record, PRETRAIN), _read_rows(record, RECOVERY)
    done = {(r["model"], r["digit"], r["seed"], r["k"]) for r in recovered}
    units = [(m, d, s) for s in config.seeds for d in config.held_out for m in config.models]
    with record.running():
        test = fixed_set(PairSampler(splits.test, torch.arange(len(splits.test))),
                         settings.n_test, TEST_SEED)
        for model_name, digit, seed in units:
            if all((model_name, digit, seed, k) in done for k in config.k):
                continue
            if budget_minutes is not None and time.monotonic() - started > 60 * budget_minutes:
                record.stop(f"budget of {budget_minutes:g} minutes reached with "
                            f"{len(pretrained)} of {len(units)} units done: rerun to continue")
                break
            held = HeldOut.make(splits, digit, test, settings.n_val)
            pretrain_row, rows = _run_unit(config, record, splits, held, test, model_name, seed,
                                           device)
            pretrained.append(pretrain_row)  # a unit's rows are written once it is whole
            recovered += rows
            done |= {(model_name, digit, seed, r["k"]) for r in rows}
            record.write_jsonl(PRETRAIN, pretrained)
            record.write_jsonl(RECOVERY, recovered)
        result = _summarise(config, record, pretrained, recovered,
                            finished=len(done) == len(units) * len(config.k))
    return result


def _read_rows(record: RunRecord, name: str) -> list[dict]:
    path = record.path(name)
    return [json.loads(line) for line in path.read_text().splitlines()] if path.is_file() else []


def _run_unit(config: TransferConfig, record: RunRecord, splits: MnistSplits, held: HeldOut,
              test: MultiMnistBatch, model_name: str, seed: int, device: torch.device
              ) -> tuple[dict, list[dict]]:
    """Pretrain one model without the held-out digit, then one recovery per k."""
    settings = config.training
    unit = f"{model_name}-d{held.digit}-s{seed}"
    seed_everything(seed)
    model = ModelSpec(model_name, settings.width, 36).build().to(device)
    optimizer = make_optimizer(model, settings)
    folder = record.path(f"checkpoints/{unit}")
    plateau = train_to_plateau(model, optimizer, held.pretrain, held.val, settings, seed=seed,
                               folder=folder, device=device, description=f"pretrain {unit}")
    before = accuracies(evaluate(model, test, device), held.has_digit)
    target = before["acc_old"] - config.margin
    pretrain_row = {"unit": unit, "model": model_name, "digit": held.digit, "seed": seed,
                    "val_accuracy": plateau.best_accuracy, "batches": plateau.batches,
                    "best_batch": plateau.best_batch, "stopped": plateau.stopped, **before}
    rows = []
    for k in track(config.k, f"inject into {unit} (k = {', '.join(map(str, config.k))})"):
        load_checkpoint(folder / BEST, model, optimizer, restore_rng=False)
        sampler = PairSampler(splits.train, held.pretrain.pool,
                              inject=injected(splits.train, held.digit, k, seed),
                              inject_rate=config.inject_rate)
        curve = recover(model, optimizer, sampler, test, held, config, seed=seed,
                        target=target, device=device)
        reached = curve[-1]["acc_all"] >= target
        rows.append({"model": model_name, "digit": held.digit, "seed": seed, "k": k,
                     "acc_old_before": before["acc_old"], "target": target,
                     "recovery_batches": curve[-1]["batch"] if reached else None,
                     "forgetting": before["acc_old"] - min(c["acc_old"] for c in curve),
                     "curve": curve})
    return pretrain_row, rows


def _summarise(config: TransferConfig, record: RunRecord, pretrained: list[dict],
               recovered: list[dict], *, finished: bool) -> TransferResult:
    pretrain = pd.DataFrame(pretrained)
    recovery = pd.DataFrame([{k: v for k, v in r.items() if k != "curve"} for r in recovered])
    table = recovery_table(recovery, config.recovery_batches, seed=config.seeds[0])
    ratios = transfer_ratios(recovery, config.recovery_batches, seed=config.seeds[0])
    if recovered:
        record.write_table("pretrain.csv", pretrain)
        record.write_table("recovery_table.csv", table)
        record.write_table("ratios.csv", ratios)
        curves = curves_frame(recovered)
        record.write_table("curves.csv", curves)
        record.save_figure("recovery", recovery_figure(table))
        record.save_figure("curves", recovery_curves_figure(curves))
        record.save_figure("curves_new", recovery_curves_figure(curves, "acc_new"))
    record.write_results({"finished": finished, "units_done": len(pretrained),
                          "recovery_table": table.to_dict("records"),
                          "ratios": ratios.to_dict("records")})
    return TransferResult(record, pretrain, recovery, table, ratios, finished)


def _saved_config(folder: Path) -> TransferConfig:
    path = folder / "config.json"
    try:
        saved = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError):
        raise UserError(f"{folder} holds no readable run record (config.json): give a folder "
                        "written by `reprolab capsules transfer`.") from None
    if saved.get("study") != "capsules" or saved.get("name") != "transfer":
        raise UserError(f"{folder} is not a capsules transfer run.")
    settings = dict(saved["config"])
    settings["training"] = TrainingSettings(**settings["training"])
    return TransferConfig(**{k: tuple(v) if isinstance(v, list) else v
                             for k, v in settings.items()})


POOLED = ("models", "held_out", "seeds")  # what runs pooled by `summarise_runs` may differ in


def summarise_runs(folders: list[Path], out: Path | None = None) -> TransferResult:
    """Tables and figures again from transfer run folders' unit rows (the `plot` verb): one
    folder is redrawn in place; several runs that differ only in models, held-out digits or
    seeds (run side by side) are pooled into `out`, a unit found in two of them (the same
    deterministic run) once."""
    configs = [_saved_config(folder) for folder in folders]
    if len(folders) > 1 and out is None:
        raise UserError("Pooling several runs needs --out for the pooled tables and figures.")
    first = configs[0]
    for folder, config in zip(folders[1:], configs[1:], strict=True):
        if replace(config, **{name: getattr(first, name) for name in POOLED}) != first:
            raise UserError(f"{folder} was run with other settings than {folders[0]} (beyond "
                            "models, held-out digits and seeds): it cannot be pooled.")
    pretrained, recovered, planned = [], [], set()
    for folder, config in zip(folders, configs, strict=True):
        record = RunRecord(folder, resumed=True)
        rows = _read_rows(record, PRETRAIN)
        planned |= {f"{m}-d{d}-s{s}" for m in config.models for d in config.held_out
                    for s in config.seeds}
        seen = {row["unit"] for row in pretrained}  # a unit run in two folders counts once
        pretrained += [row for row in rows if row["unit"] not in seen]
        recovered += [row for row in _read_rows(record, RECOVERY)
                      if f"{row['model']}-d{row['digit']}-s{row['seed']}" not in seen]
    target = RunRecord(out or folders[0], resumed=True)
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        target.write_jsonl(PRETRAIN, pretrained)
        target.write_jsonl(RECOVERY, recovered)
    finished = planned <= {row["unit"] for row in pretrained}  # another folder may finish a unit
    return _summarise(first, target, pretrained, recovered, finished=finished)
