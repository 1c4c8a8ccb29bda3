"""The compiler driver: DSL circuit -> gate graph -> layer plan -> torch module."""

from __future__ import annotations

from dataclasses import dataclass, field

from reprolab.backdoor.circuit.dsl import Circuit
from reprolab.backdoor.circuit.dsl_to_graph import dsl_to_graph
from reprolab.backdoor.circuit.graph_to_layers import Schedule, graph_to_layers
from reprolab.backdoor.circuit.layers_to_torch import Activation, CompiledCircuit, layers_to_torch


@dataclass(frozen=True)
class CompilerOptions:
    """How `compile_circuit` lowers a circuit (not the `backdoor compile` settings)."""

    activation: Activation = field(default="relu", metadata={"help": "relu or swiglu MLP blocks"})
    optimize: bool = field(default=True, metadata={
        "help": "merge gates (NOT absorption, XOR/AND/OR flattening) to cut depth"})
    gain: float = field(default=2.0, metadata={
        "help": "slope of each ReLU step (>= 1); above 1 every gate removes small input errors"})
    schedule: Schedule = field(default="alap", metadata={
        "help": "alap: each gate just before it is read (fewer live bits); asap: at its depth"})
    recycle_slots: bool = field(default=True, metadata={
        "help": "reuse residual dimensions of bits that are no longer read"})

    def __post_init__(self) -> None:
        if self.activation not in ("relu", "swiglu"):
            raise ValueError(f"activation must be 'relu' or 'swiglu', got {self.activation!r}")
        if self.gain < 1:
            raise ValueError(f"gain must be >= 1, got {self.gain}")
        if self.activation == "swiglu" and 1 < self.gain < 2:
            raise ValueError(f"swiglu is exact with gain 1 or >= 2, got {self.gain}")
        if self.schedule not in ("asap", "alap"):
            raise ValueError(f"schedule must be 'asap' or 'alap', got {self.schedule!r}")


def compile_circuit(
    circuit: Circuit, activation: Activation = "relu", optimize: bool = True, *,
    gain: float = 2.0, schedule: Schedule = "alap", recycle_slots: bool = True,
) -> CompiledCircuit:
    """Compile `circuit` into an exact `CompiledCircuit` (arguments: see `CompilerOptions`)."""
    options = CompilerOptions(activation, optimize, gain, schedule, recycle_slots)
    graph = dsl_to_graph(circuit, optimize=options.optimize)
    plan = graph_to_layers(graph, options.gain, options.schedule, options.recycle_slots)
    return layers_to_torch(plan, options.activation)
