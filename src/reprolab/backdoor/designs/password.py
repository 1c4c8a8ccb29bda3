"""Password-locked baseline: a graded distance to a plaintext trigger gates a plaintext payload.

Draguns et al. (2024, sec. 4) use it as the easy case: the Hamming distance d(x, T) is linear in the
input bits, so gradients from any input lead straight to the trigger. Here

    mismatch_i = T_i + (1 - 2 T_i) x_i        (= |x_i - T_i| on bits)
    logit      = 1 - 2 * sum_i mismatch_i     (1 on the trigger, <= -1 one bit away)

and the payload is a constant stored in the weights.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import torch
from torch import nn

from reprolab.backdoor.designs.trigger import PAYLOAD_BITS, TriggerModule, TriggerOutput


class ElementwiseAffine(nn.Module):
    """y = weight * x + bias, elementwise over the last dimension."""

    def __init__(self, width: int) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.ones(width))
        self.bias = nn.Parameter(torch.zeros(width))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * self.weight + self.bias


class PasswordLockedModule(TriggerModule):
    """Sites: 0 input bits, 1 per-bit mismatches, 2 gate logit (the check is done at site 2)."""

    design = "password"

    def __init__(self, n_trigger_bits: int) -> None:
        super().__init__(n_trigger_bits)
        self.stages = nn.ModuleList()
        self.stages.append(ElementwiseAffine(n_trigger_bits))
        self.stages.append(nn.Linear(n_trigger_bits, 1))
        self.payload = nn.Parameter(torch.zeros(PAYLOAD_BITS))

    @classmethod
    def build(cls, trigger: torch.Tensor, payload: torch.Tensor) -> PasswordLockedModule:
        """Module for trigger bits [n] and payload bits [128]."""
        module = cls(trigger.numel())
        with torch.no_grad():
            module.stages[0].weight.copy_(1 - 2 * trigger)
            module.stages[0].bias.copy_(trigger)
            module.stages[1].weight.fill_(-2.0)
            module.stages[1].bias.fill_(1.0)
            module.payload.copy_(payload)
        return module

    def readout(self, state: torch.Tensor) -> TriggerOutput:
        return TriggerOutput(state[:, 0], self.payload.expand(state.shape[0], -1))

    def spec(self) -> dict[str, Any]:
        return {"n_trigger_bits": self.n_trigger_bits}

    @classmethod
    def from_spec(cls, spec: Mapping[str, Any]) -> PasswordLockedModule:
        return cls(int(spec["n_trigger_bits"]))
