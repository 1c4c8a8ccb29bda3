"""Exact ReLU realisations of gates: a gate becomes `constant + sum_k alpha_k ReLU(z_k)`.

One step [s >= t] of an integer weighted sum s is a difference of two ReLUs with gain g >= 1:

    [s >= t] = ReLU(g (s - t) + (g + 1) / 2) - ReLU(g (s - t) + (g - 1) / 2)

exact for every integer s. With g = 1 neighbouring steps share ReLUs (XOR of two bits takes two
units, ReLU(a + b) - 2 ReLU(a + b - 1); AND one, ReLU(a + b - 1); OR one, 1 - ReLU(1 - a - b)).
With g > 1 the output is flat within 1/2 - 1/(2g) of every integer s, so small errors in the
inputs (weight noise, low precision) are removed at every gate instead of carried along, for about
twice the units. A multi-threshold gate is a sum of alternating steps, one per threshold.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from reprolab.backdoor.circuit.dsl import MultiThreshold, Wire


@dataclass(frozen=True)
class UnitGroup:
    """Units alpha_k * ReLU(scale * s + bias_k) that read one weighted sum s = sum_i w_i x_i."""

    inputs: tuple[Wire, ...]
    weights: tuple[int, ...]
    scale: float
    biases: tuple[float, ...]
    alphas: tuple[float, ...]

    def __call__(self, values: Mapping[Wire, float]) -> float:
        s = sum(w * values[x] for x, w in zip(self.inputs, self.weights, strict=True))
        return sum(a * max(self.scale * s + b, 0.0)
                   for a, b in zip(self.alphas, self.biases, strict=True))


@dataclass(frozen=True)
class ReluSum:
    """constant + the sum of its unit groups: one gate as one layer of ReLU neurons."""

    groups: tuple[UnitGroup, ...]
    constant: float

    @property
    def n_units(self) -> int:
        return sum(len(group.biases) for group in self.groups)

    def __call__(self, values: Mapping[Wire, float]) -> float:
        return self.constant + sum(group(values) for group in self.groups)


def lower_term(term: MultiThreshold, gain: float) -> tuple[list[UnitGroup], float]:
    """One multi-threshold gate as unit groups plus a constant (before simplification)."""
    low, _ = term.bounds()
    thresholds, constant, sign = list(term.thresholds), 0.0, 1.0
    if thresholds[0] <= low:  # the gate starts at 1
        constant, sign = 1.0, -1.0
        thresholds.pop(0)
    biases, alphas, mirrored = [], [], []
    for threshold in thresholds:
        if gain == 1 and threshold == low + 1:  # sign * (1 - ReLU(threshold - s)): one unit
            mirrored.append((threshold, -sign))
            constant += sign
        else:
            biases += [-gain * threshold + (gain + 1) / 2, -gain * threshold + (gain - 1) / 2]
            alphas += [sign, -sign]
        sign = -sign
    groups = [UnitGroup(term.inputs, term.weights, gain, tuple(biases), tuple(alphas))]
    if mirrored:
        biases = tuple(float(t) for t, _ in mirrored)
        groups.append(UnitGroup(term.inputs, term.weights, -1.0, biases,
                                tuple(a for _, a in mirrored)))
    return groups, constant


def lower_terms(terms: Sequence[MultiThreshold], gain: float = 2.0) -> ReluSum:
    """The sum of `terms` (mutually exclusive 0/1 gates) as one simplified `ReluSum`.

    Units that never fire are dropped, units that always fire (linear) become one unit per group,
    and units with equal bias are merged.
    """
    if gain < 1:
        raise ValueError(f"gain must be >= 1 for exact steps, got {gain}")
    groups, constant = [], 0.0
    for term in terms:
        term_groups, offset = lower_term(term, gain)
        constant += offset
        for group in term_groups:
            simple, linear_part = _simplify(group, term.bounds())
            constant += linear_part
            if simple.biases:
                groups.append(simple)
    return ReluSum(tuple(groups), constant)


def _simplify(group: UnitGroup, bounds: tuple[int, int]) -> tuple[UnitGroup, float]:
    low, high = sorted((group.scale * bounds[0], group.scale * bounds[1]))
    merged: dict[float, float] = {}
    constant = 0.0
    for bias, alpha in zip(group.biases, group.alphas, strict=True):
        if high + bias <= 0:
            continue
        if low + bias >= 0:  # always linear: alpha (z - z_min) + alpha z_min
            constant += alpha * (low + bias)
            bias = -low
        merged[bias] = merged.get(bias, 0.0) + alpha
    kept = [(b, a) for b, a in merged.items() if a != 0]
    return UnitGroup(group.inputs, group.weights, group.scale, tuple(b for b, _ in kept),
                     tuple(a for _, a in kept)), constant
