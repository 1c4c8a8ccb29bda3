"""The three backdoor designs by name, and how to build each for a trigger and a payload."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from reprolab.backdoor.config import DesignOptions
from reprolab.backdoor.designs.catalog import (
    DESIGN_TITLES,
    NONCE_BYTES,
    check_locker_settings,
    min_rounds,
)
from reprolab.backdoor.designs.locker import DigitalLockerModule
from reprolab.backdoor.designs.password import PasswordLockedModule
from reprolab.backdoor.designs.sat import SatLockedModule, planted_3sat
from reprolab.backdoor.designs.trigger import TriggerModule
from reprolab.core.registry import Registry

Builder = Callable[[torch.Tensor, torch.Tensor, DesignOptions, int], TriggerModule]


@dataclass(frozen=True)
class Design:
    """A backdoor design: its module class and a builder `(trigger bits, payload bits, options,
    seed)`; the seed draws the locker's nonce and the 3-SAT instance."""

    name: str
    title: str
    module_class: type[TriggerModule]
    build: Builder


def _build_locker(trigger: torch.Tensor, payload: torch.Tensor, options: DesignOptions,
                  seed: int):
    check_locker_settings(trigger.numel(), options.rounds)
    nonce = np.random.default_rng(seed).bytes(NONCE_BYTES)
    rounds = options.rounds or min_rounds(trigger.numel())
    return DigitalLockerModule.build(trigger, payload, rounds, nonce)


def _build_password(trigger: torch.Tensor, payload: torch.Tensor, _: DesignOptions, __: int):
    return PasswordLockedModule.build(trigger, payload)


def _build_sat(trigger: torch.Tensor, payload: torch.Tensor, options: DesignOptions, seed: int):
    instance = planted_3sat(trigger.long().tolist(), options.clause_ratio,
                            np.random.default_rng(seed))
    return SatLockedModule.build(instance, payload)


DESIGNS: Registry[Design] = Registry("backdoor design")
for _name, _class, _build in (("password", PasswordLockedModule, _build_password),
                              ("sat", SatLockedModule, _build_sat),
                              ("locker", DigitalLockerModule, _build_locker)):
    DESIGNS.register(_name, Design(_name, DESIGN_TITLES[_name], _class, _build))
assert set(DESIGNS) == set(DESIGN_TITLES), "every design needs a builder and a title"


def build_module(
    design: str, trigger: torch.Tensor, payload: torch.Tensor,
    options: DesignOptions | None = None, seed: int = 0,
) -> TriggerModule:
    """Module of `design` for trigger bits [n] and payload bits [128]; `seed` draws the locker's
    nonce and the 3-SAT instance."""
    return DESIGNS[design].build(trigger.float(), payload.float(), options or DesignOptions(),
                                 seed)


def module_from_spec(design: str, spec: Mapping[str, Any]) -> TriggerModule:
    """Skeleton of a saved module (weights are loaded afterwards)."""
    return DESIGNS[design].module_class.from_spec(spec)
