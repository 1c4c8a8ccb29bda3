"""The three backdoor designs by name, and how to build each for a trigger and a payload."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from reprolab.backdoor.password import PasswordLockedModule
from reprolab.backdoor.sat import SatLockedModule, planted_3sat
from reprolab.backdoor.trigger import TriggerModule
from reprolab.core.registry import Registry


@dataclass(frozen=True)
class DesignOptions:
    """Design-specific knobs (each design reads the ones it needs)."""

    rounds: int = 2
    clause_ratio: float = 4.26
    seed: int = 0


@dataclass(frozen=True)
class Design:
    """A backdoor design: its module class and a builder `(trigger bits, payload bits, options)`."""

    name: str
    title: str
    module_class: type[TriggerModule]
    build: Callable[[torch.Tensor, torch.Tensor, DesignOptions], TriggerModule]


def _build_password(trigger: torch.Tensor, payload: torch.Tensor, _: DesignOptions):
    return PasswordLockedModule.build(trigger, payload)


def _build_sat(trigger: torch.Tensor, payload: torch.Tensor, options: DesignOptions):
    rng = np.random.default_rng(options.seed)
    instance = planted_3sat(trigger.long().tolist(), options.clause_ratio, rng)
    return SatLockedModule.build(instance, payload)


DESIGNS: Registry[Design] = Registry("backdoor design")
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
