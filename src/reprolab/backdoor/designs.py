"""The three backdoor designs by name, and how to build each for a trigger and a payload."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

from reprolab.backdoor.locker import NONCE_BYTES, DigitalLockerModule, min_rounds
from reprolab.backdoor.password import PasswordLockedModule
from reprolab.backdoor.sat import SatLockedModule, planted_3sat
from reprolab.backdoor.trigger import TriggerModule
from reprolab.core.registry import Registry


@dataclass(frozen=True)
class DesignOptions:
    """Design-specific knobs (each design reads the ones it needs)."""

    rounds: int | None = field(default=None, metadata={
        "help": "SHA-256 rounds of the locker (64 = full; fewer are faster but weaker; "
                "default: the fewest after which every digest word depends on every input word)"})
    clause_ratio: float = field(default=4.26, metadata={
        "help": "clauses per variable of the planted 3-SAT instance"})
    seed: int = field(default=0, metadata={"help": "seed of the nonce and of the 3-SAT instance"})

    def __post_init__(self) -> None:
        if self.rounds is not None and not 1 <= self.rounds <= 64:
            raise ValueError(f"SHA-256 has 1 to 64 rounds, got {self.rounds}.")
        if self.clause_ratio <= 0:
            raise ValueError(f"clause_ratio must be positive, got {self.clause_ratio}.")


@dataclass(frozen=True)
class Design:
    """A backdoor design: its module class and a builder `(trigger bits, payload bits, options)`."""

    name: str
    title: str
    module_class: type[TriggerModule]
    build: Callable[[torch.Tensor, torch.Tensor, DesignOptions], TriggerModule]


def _build_locker(trigger: torch.Tensor, payload: torch.Tensor, options: DesignOptions):
    nonce = np.random.default_rng(options.seed).bytes(NONCE_BYTES)
    rounds = options.rounds or min_rounds(trigger.numel())
    return DigitalLockerModule.build(trigger, payload, rounds, nonce)


def _build_password(trigger: torch.Tensor, payload: torch.Tensor, _: DesignOptions):
    return PasswordLockedModule.build(trigger, payload)


def _build_sat(trigger: torch.Tensor, payload: torch.Tensor, options: DesignOptions):
    rng = np.random.default_rng(options.seed)
    instance = planted_3sat(trigger.long().tolist(), options.clause_ratio, rng)
    return SatLockedModule.build(instance, payload)


DESIGNS: Registry[Design] = Registry("backdoor design")
DESIGNS.register("locker", Design("locker", "encrypted (digital locker)", DigitalLockerModule,
                                  _build_locker))
DESIGNS.register("password", Design("password", "password-locked", PasswordLockedModule,
                                    _build_password))
DESIGNS.register("sat", Design("sat", "NP-complete (3-SAT)", SatLockedModule, _build_sat))


def build_module(
    design: str, trigger: torch.Tensor, payload: torch.Tensor, options: DesignOptions | None = None
) -> TriggerModule:
    """Module of `design` for trigger bits [n] and payload bits [128]."""
    return DESIGNS[design].build(trigger.float(), payload.float(), options or DesignOptions())


def module_from_spec(design: str, spec: Mapping[str, Any]) -> TriggerModule:
    """Skeleton of a saved module (weights are loaded afterwards)."""
    return DESIGNS[design].module_class.from_spec(spec)
