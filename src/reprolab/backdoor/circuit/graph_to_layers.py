"""Pass 2: gate graph -> layer plan: schedule gates into residual blocks and give bits slots.

The residual stream has one dimension ("slot") per live bit, holding exactly 0 or 1. A gate at
depth d is computed by block d (or, with `schedule="alap"`, by the last block before its first
reader, which keeps fewer bits alive at once). Block l adds W_out act(W_in x + b_in) + b_out to
the stream. A slot whose bit has been read for the last time is reused; the gate written there
also gets one unit -ReLU(x_slot) that clears the old bit (exact, as the old bit is 0 or 1).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Literal

import numpy as np

from reprolab.backdoor.circuit.dsl import Wire
from reprolab.backdoor.circuit.dsl_to_graph import GateGraph
from reprolab.backdoor.circuit.neurons import ReluSum, lower_terms

Schedule = Literal["asap", "alap"]
EXACT_FP32_LIMIT = 2.0**22  # pre-activations below this stay exact in fp32 (24-bit significand)


@dataclass(frozen=True)
class LayerWeights:
    """One residual block: x <- x + W_out act(W_in x + b_in) + b_out, with W_in factored.

    W_in = diag(unit_scale) G F: F [forms x slots] holds the weighted sums the block reads and unit
    k reads sum unit_form[k] (G picks it), so the many units of one gate share one stored sum.
    Matrices are in coordinate form (row, column, value).
    """

    form_rows: np.ndarray  # [nnz_F]
    form_slots: np.ndarray  # [nnz_F]
    form_values: np.ndarray  # [nnz_F]
    unit_form: np.ndarray  # [units]
    unit_scale: np.ndarray  # [units]
    in_bias: np.ndarray  # [units]
    out_slots: np.ndarray  # [nnz_out] row of W_out (residual slot)
    out_units: np.ndarray  # [nnz_out] column of W_out (unit)
    out_values: np.ndarray  # [nnz_out]
    bias_slots: np.ndarray  # [k] slots with a non-zero b_out
    bias_values: np.ndarray  # [k]

    @property
    def n_units(self) -> int:
        return len(self.in_bias)

    @property
    def n_forms(self) -> int:
        return int(self.form_rows.max()) + 1 if len(self.form_rows) else 0

    @property
    def parameters(self) -> int:
        """Stored non-zeros: F, unit scales, biases, W_out and b_out."""
        return (len(self.form_values) + self.n_units + int(np.count_nonzero(self.in_bias))
                + len(self.out_values) + len(self.bias_values))

    @property
    def expanded_parameters(self) -> int:
        """Non-zeros of the same block stored as a plain sparse MLP (W_in unit by unit)."""
        fan_in = np.bincount(self.form_rows, minlength=self.n_forms)
        return (int(fan_in[self.unit_form].sum()) + int(np.count_nonzero(self.in_bias))
                + len(self.out_values) + len(self.bias_values))


@dataclass(frozen=True)
class LayerPlan:
    """Every block of the compiled circuit plus where inputs and outputs live in the stream."""

    layers: tuple[LayerWeights, ...]
    n_slots: int  # residual-stream width
    input_slots: tuple[int, ...]  # slot of each input bit
    output_slots: tuple[int, ...]  # slot of each output bit, -1 for a constant output
    output_constants: tuple[float, ...]  # value of each constant output (0 elsewhere)
    max_preactivation: float  # bound on |W_in x + b_in| over 0/1 streams


class _BlockBuilder:
    """Collects the weighted sums and units of one block; equal sums are stored once."""

    def __init__(self) -> None:
        self.forms: dict[tuple, int] = {}
        self.form_parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        # one entry per unit: (form, scale, bias, target slot, alpha)
        self.units: list[tuple[int, float, float, int, float]] = []
        self.out_bias: dict[int, float] = {}

    def form(self, slots: tuple[int, ...], weights: tuple[int, ...]) -> int:
        key = (slots, weights)
        if key not in self.forms:
            self.forms[key] = row = len(self.forms)
            self.form_parts.append((np.full(len(slots), row), np.array(slots, dtype=np.int64),
                                    np.array(weights, dtype=float)))
        return self.forms[key]

    def write(self, target: int, gate: ReluSum, slot: dict[Wire, int], clear: bool) -> None:
        """Add the units of `gate`, written to slot `target` (after clearing its old bit)."""
        for group in gate.groups:
            form = self.form(tuple(slot[x] for x in group.inputs), group.weights)
            self.units += [(form, group.scale, b, target, a)
                           for b, a in zip(group.biases, group.alphas, strict=True)]
        if gate.constant:
            self.out_bias[target] = gate.constant
        if clear:
            self.units.append((self.form((target,), (1,)), 1.0, 0.0, target, -1.0))

    def build(self) -> LayerWeights:
        rows, slots, values = (np.concatenate(part) for part in zip(*self.form_parts, strict=True))
        form, scale, bias, target, alpha = (np.array(col) for col in zip(*self.units, strict=True))
        return LayerWeights(
            rows, slots, values, form.astype(np.int64), scale.astype(float), bias.astype(float),
            target.astype(np.int64), np.arange(len(form)), alpha.astype(float),
            np.array(list(self.out_bias), dtype=np.int64),
            np.array(list(self.out_bias.values()), dtype=float),
        )


def schedule_layers(graph: GateGraph, schedule: Schedule = "alap") -> dict[Wire, int]:
    """Block (1-based) of each gate: its depth (asap), or as late as its readers allow (alap)."""
    if schedule == "asap":
        return {wire: graph.depth[wire] for wire in graph.nodes}
    last = graph.total_depth
    layer = {wire: last for wire in graph.nodes}
    for wire in reversed(graph.nodes):
        for x in graph.nodes[wire].inputs:
            if x in layer:
                layer[x] = min(layer[x], layer[wire] - 1)
    return layer


def graph_to_layers(
    graph: GateGraph, gain: float = 2.0, schedule: Schedule = "alap", recycle_slots: bool = True,
) -> LayerPlan:
    """Lower every gate to ReLU units (`neurons.lower_terms`) and lay them out in blocks."""
    if schedule not in ("asap", "alap"):
        raise ValueError(f"schedule must be 'asap' or 'alap', got {schedule!r}")
    lowered = {wire: lower_terms(node.terms, gain) for wire, node in graph.nodes.items()}
    assert all(gate.groups for gate in lowered.values()), "a non-constant gate has units"
    layer = schedule_layers(graph, schedule)
    depth = graph.total_depth
    last_read: dict[Wire, int] = {wire: 1 for wire in graph.input_wires}
    for wire, node in graph.nodes.items():
        for x in node.inputs:
            last_read[x] = max(last_read.get(x, 1), layer[wire])
    for wire in graph.outputs:
        last_read[wire] = depth + 1
    released: dict[int, list[Wire]] = defaultdict(list)
    for wire, read in last_read.items():
        released[read].append(wire)
    by_layer: dict[int, list[Wire]] = defaultdict(list)
    for wire in graph.nodes:
        by_layer[layer[wire]].append(wire)

    slot = {wire: position for position, wire in enumerate(graph.input_wires)}
    n_slots, free, blocks = graph.n_inputs, [], []
    for index in range(1, depth + 1):
        if recycle_slots:
            free += [slot[w] for w in released[index] if w in slot]
        block = _BlockBuilder()
        for wire in by_layer[index]:
            reuse = recycle_slots and bool(free)
            slot[wire] = free.pop() if reuse else n_slots
            n_slots += not reuse
            block.write(slot[wire], lowered[wire], slot, clear=reuse)
        blocks.append(block.build())
    return _plan(graph, tuple(blocks), n_slots, slot)


def _plan(
    graph: GateGraph, layers: tuple[LayerWeights, ...], n_slots: int, slot: dict[Wire, int],
) -> LayerPlan:
    peak = 0.0
    for block in layers:
        reach = np.zeros(block.n_forms)
        np.add.at(reach, block.form_rows, np.abs(block.form_values))
        unit_reach = np.abs(block.unit_scale) * reach[block.unit_form] + np.abs(block.in_bias)
        peak = max(peak, float(unit_reach.max(initial=0)))
    if peak >= EXACT_FP32_LIMIT:
        raise ValueError(f"pre-activations reach {peak:.3g}, beyond fp32's exact range "
                         f"({EXACT_FP32_LIMIT:.3g}): build the adders with smaller block_bits")
    outputs = tuple(-1 if w in graph.constants else slot[w] for w in graph.outputs)
    constants = tuple(float(graph.constants.get(w, 0)) for w in graph.outputs)
    input_slots = tuple(range(graph.n_inputs))
    return LayerPlan(layers, n_slots, input_slots, outputs, constants, peak)
