"""NP-complete baseline: the backdoor fires on any satisfying assignment of a planted 3-SAT formula.

Draguns et al. (2024, sec. 4): finding a trigger means solving 3-SAT, but the check leaves only one
bit (satisfied or not), and the payload is plaintext, so anything that sets that bit reveals it.
The instance is planted: random 3-literal clauses over distinct variables, kept only if the
trigger assignment satisfies them, `clause_ratio` clauses per variable (4.26 is the hard region of
random 3-SAT).

Circuit (exact on bits, ReLU only):

    clause_j = step(sum of its literals)      step(z) = relu(z) - relu(z - 1)
    check    = relu(sum_j clause_j - (m - 1))  (AND of all m clauses)
    logit    = 2 * check - 1
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torch import nn

from reprolab.backdoor.designs.trigger import PAYLOAD_BITS, TriggerModule, TriggerOutput


@dataclass(frozen=True)
class SatInstance:
    """A CNF formula: `clauses[j]` holds three signed 1-based literals (+i: x_i, -i: not x_i)."""

    n_vars: int
    clauses: tuple[tuple[int, int, int], ...]

    def satisfied_clauses(self, assignment: Sequence[int]) -> int:
        """How many clauses the 0/1 `assignment` (length n_vars) satisfies."""
        assert len(assignment) == self.n_vars, f"need {self.n_vars} values, got {len(assignment)}"
        return sum(
            any(bool(assignment[abs(lit) - 1]) == (lit > 0) for lit in clause)
            for clause in self.clauses
        )

    def is_satisfied_by(self, assignment: Sequence[int]) -> bool:
        """Reference check: every clause has a true literal."""
        return self.satisfied_clauses(assignment) == len(self.clauses)


def planted_3sat(
    assignment: Sequence[int], clause_ratio: float, rng: np.random.Generator
) -> SatInstance:
    """Random 3-SAT instance with round(clause_ratio * n) clauses, all satisfied by `assignment`."""
    n = len(assignment)
    if n < 3:
        raise ValueError("3-SAT needs at least 3 variables.")
    target = round(clause_ratio * n)
    truth = np.asarray(assignment, dtype=bool)
    clauses: list[tuple[int, int, int]] = []
    while len(clauses) < target:
        variables = rng.choice(n, size=3, replace=False)
        positive = rng.random(3) < 0.5
        if np.any(truth[variables] == positive):
            clauses.append(tuple(int(v + 1) if p else -int(v + 1)
                                 for v, p in zip(variables, positive, strict=True)))
    return SatInstance(n, tuple(clauses))


class UnitStep(nn.Module):
    """relu(z) - relu(z - 1): 0 for z <= 0, 1 for z >= 1 (an OR on integer literal counts)."""

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return torch.relu(z) - torch.relu(z - 1)


class SatLockedModule(TriggerModule):
    """Sites: 0 input bits, 1 clause values, 2 the check bit (the one-bit bottleneck)."""

    design = "sat"

    def __init__(self, n_trigger_bits: int, n_clauses: int) -> None:
        super().__init__(n_trigger_bits)
        self.stages = nn.ModuleList()
        self.n_clauses = n_clauses
        self.stages.append(nn.Sequential(nn.Linear(n_trigger_bits, n_clauses), UnitStep()))
        self.stages.append(nn.Sequential(nn.Linear(n_clauses, 1), nn.ReLU()))
        self.payload = nn.Parameter(torch.zeros(PAYLOAD_BITS))

    @classmethod
    def build(cls, instance: SatInstance, payload: torch.Tensor) -> SatLockedModule:
        """Checker of `instance` (n_vars = trigger bits) releasing payload bits [128]."""
        module = cls(instance.n_vars, len(instance.clauses))
        clause_linear, and_linear = module.stages[0][0], module.stages[1][0]
        with torch.no_grad():
            clause_linear.weight.zero_()
            clause_linear.bias.zero_()
            for j, clause in enumerate(instance.clauses):
                for lit in clause:
                    clause_linear.weight[j, abs(lit) - 1] = 1.0 if lit > 0 else -1.0
                    clause_linear.bias[j] += 0.0 if lit > 0 else 1.0
            and_linear.weight.fill_(1.0)
            and_linear.bias.fill_(1.0 - len(instance.clauses))
            module.payload.copy_(payload)
        return module

    def readout(self, state: torch.Tensor) -> TriggerOutput:
        return TriggerOutput(2 * state[:, 0] - 1, self.payload.expand(state.shape[0], -1))

    def spec(self) -> dict[str, Any]:
        return {"n_trigger_bits": self.n_trigger_bits, "n_clauses": self.n_clauses}

    @classmethod
    def from_spec(cls, spec: Mapping[str, Any]) -> SatLockedModule:
        return cls(int(spec["n_trigger_bits"]), int(spec["n_clauses"]))
