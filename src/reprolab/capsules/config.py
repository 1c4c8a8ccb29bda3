"""Settings of the capsules verbs, one frozen dataclass each; the CLI's options are generated
from them and runs save them in `config.json`. Every choice the paper's abstract leaves open
(plateau rule, injection rate, recovery margin, batch size, optimiser) is a field here."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, get_args

from reprolab.capsules.models import MODEL_NAMES
from reprolab.core.device import DEVICE_HELP
from reprolab.core.errors import UserError

Task = Literal["multimnist", "mnist"]
K_VALUES = (1, 5, 10, 20, 50, 100)


def _at_least(name: str, value: float, least: float) -> None:
    if value < least:
        raise UserError(f"--{name.replace('_', '-')} must be >= {least}, got {value}.")


@dataclass(frozen=True)
class TrainingSettings:
    """Model width, optimiser and the plateau rule shared by every training."""

    width: float = field(default=1.0, metadata={
        "help": "Channel/capsule counts relative to Sabour et al.'s network (1 = paper size)."})
    batch_size: int = field(default=64, metadata={"help": "Images per training batch."})
    lr: float = field(default=1e-3, metadata={"help": "Adam learning rate (every model)."})
    eval_every: int = field(default=200, metadata={
        "help": "Batches between validation checks of the plateau rule."})
    patience: int = field(default=5, metadata={
        "help": "Plateau: stop after this many checks without a gain of --min-delta."})
    min_delta: float = field(default=0.002, metadata={
        "help": "Plateau: smallest validation-accuracy gain that counts as progress."})
    max_batches: int = field(default=20_000, metadata={
        "help": "Stop training after this many batches even without a plateau."})
    n_val: int = field(default=2000, metadata={
        "help": "Validation images (from the last 5,000 MNIST training digits)."})
    n_test: int = field(default=5000, metadata={"help": "Test images (from MNIST's test split)."})
    device: str = field(default="auto", metadata={"help": DEVICE_HELP})

    def __post_init__(self) -> None:
        if not 0 < self.width <= 4:
            raise UserError(f"--width must be in (0, 4], got {self.width}.")
        for name in ("batch_size", "eval_every", "patience", "max_batches", "n_val", "n_test"):
            _at_least(name, getattr(self, name), 1)
        if self.lr <= 0 or self.min_delta < 0:
            raise UserError("--lr must be > 0 and --min-delta >= 0.")


def _check_models(models: tuple[str, ...]) -> None:
    unknown = [m for m in models if m not in MODEL_NAMES]
    if unknown or not models:
        raise UserError(f"Unknown model {unknown[0] if unknown else '(none)'!r}: choose from "
                        f"{', '.join(MODEL_NAMES)}.")
    if len(set(models)) != len(models):
        raise UserError(f"A model is listed twice in --models {','.join(models)}.")


@dataclass(frozen=True)
class TrainConfig:
    """One model trained to a plateau on MNIST or MultiMNIST, then tested (the sanity check
    beside Sabour et al.'s error rates)."""

    model: str = field(default="capsnet", metadata={"help": f"One of {', '.join(MODEL_NAMES)}."})
    task: Task = field(default="multimnist", metadata={
        "help": "multimnist (36x36 pairs, shifts <= 4 px) or mnist (28x28, shifts <= 2 px)."})
    seed: int = field(default=0, metadata={"help": "Seed for weights and data order."})
    training: TrainingSettings = field(default_factory=TrainingSettings, metadata={
        "help": "Width, optimiser and plateau rule."})

    def __post_init__(self) -> None:
        _check_models((self.model,))
        if self.task not in get_args(Task):
            raise UserError(f"--task must be multimnist or mnist, got {self.task!r}.")


@dataclass(frozen=True)
class TransferConfig:
    """Pretrain on MultiMNIST lacking one digit to a plateau, inject k images of it, count
    the batches until accuracy on all digits is back within `margin` of the pre-injection
    accuracy on the old digits."""

    models: tuple[str, ...] = field(default=MODEL_NAMES, metadata={
        "help": "Models to compare (the CNN ratio needs cnn and a capsnet)."})
    held_out: tuple[int, ...] = field(default=(2, 7), metadata={
        "help": "Digits held out of pretraining, one experiment each."})
    k: tuple[int, ...] = field(default=K_VALUES, metadata={
        "help": "Numbers of held-out-digit images injected."})
    seeds: tuple[int, ...] = field(default=(0, 1, 2), metadata={
        "help": "Seeds (weights, data order, which images are injected)."})
    inject_rate: float = field(default=0.2, metadata={
        "help": "After injection, share of training pairs whose first digit is an injected "
                "image (0.19 of MultiMNIST pairs contain a given digit)."})
    margin: float = field(default=0.05, metadata={
        "help": "Recovered: all-digit test accuracy >= pre-injection old-digit accuracy - this."})
    recovery_batches: int = field(default=1000, metadata={
        "help": "Give up (censored) after this many batches after injection."})
    recovery_eval_every: int = field(default=25, metadata={
        "help": "Batches between test checks after injection."})
    training: TrainingSettings = field(default_factory=TrainingSettings, metadata={
        "help": "Width, optimiser and plateau rule of pretraining."})

    def __post_init__(self) -> None:
        _check_models(self.models)
        if not self.held_out or any(not 0 <= d <= 9 for d in self.held_out):
            raise UserError(f"--held-out must be digits 0-9, got {self.held_out}.")
        if not self.k or any(k < 1 for k in self.k) or not self.seeds:
            raise UserError("Give at least one seed and k values >= 1 (--k, --seeds).")
        for name, values in (("held_out", self.held_out), ("k", self.k), ("seeds", self.seeds)):
            if len(set(values)) != len(values):
                raise UserError(f"A value is listed twice in --{name.replace('_', '-')}.")
        if not 0 < self.inject_rate <= 1 or not 0 <= self.margin < 1:
            raise UserError("--inject-rate must be in (0, 1] and --margin in [0, 1).")
        _at_least("recovery_batches", self.recovery_batches, 1)
        _at_least("recovery_eval_every", self.recovery_eval_every, 1)
