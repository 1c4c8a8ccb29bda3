"""Plain-Python reference evaluator: the meaning of a circuit, independent of any compilation."""

from __future__ import annotations

from collections.abc import Sequence

from reprolab.backdoor.circuit.dsl import Circuit, Const, Input, MultiThreshold, Mux


def evaluate(circuit: Circuit, bits: Sequence[int]) -> list[int]:
    """Output bits of `circuit` for input `bits` (a sequence of 0/1, one per input)."""
    if len(bits) != circuit.n_inputs:
        raise ValueError(f"circuit takes {circuit.n_inputs} input bits, got {len(bits)}")
    if any(b not in (0, 1) for b in bits):
        raise ValueError("input bits must be 0 or 1")
    values: list[int] = []
    for node in circuit.nodes:
        if isinstance(node, Input):
            values.append(int(bits[node.position]))
        elif isinstance(node, Const):
            values.append(node.value)
        elif isinstance(node, MultiThreshold):
            s = sum(w * values[x] for x, w in zip(node.inputs, node.weights, strict=True))
            values.append(node.value(s))
        elif isinstance(node, Mux):
            values.append(values[node.if_one] if values[node.select] else values[node.if_zero])
        else:
            raise TypeError(f"unknown node {node!r}")
    return [values[wire] for wire in circuit.outputs]
