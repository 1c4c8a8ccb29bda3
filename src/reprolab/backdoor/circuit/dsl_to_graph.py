"""Pass 1: DSL circuit -> gate graph, with the gate-merging optimisations that cut depth.

Every gate becomes a `GraphNode`: a sum of mutually exclusive multi-threshold terms (a mux is
[select + a >= 2] + [b - select >= 1]), which one layer of ReLU units computes exactly. With
`optimize`, gates are fused into their readers where exact (`gate_merging`). Unused gates are
dropped; depths are recomputed (inputs at depth 0).
"""

from __future__ import annotations

from dataclasses import dataclass

from reprolab.backdoor.circuit.dsl import (
    Circuit,
    Const,
    MultiThreshold,
    Mux,
    Wire,
    canonical_threshold,
)
from reprolab.backdoor.circuit.gate_merging import GateMerger


@dataclass(frozen=True)
class GraphNode:
    """A gate whose value is the sum of its terms (at most one term is 1 at a time)."""

    terms: tuple[MultiThreshold, ...]

    @property
    def inputs(self) -> tuple[Wire, ...]:
        return tuple(sorted({wire for term in self.terms for wire in term.inputs}))


@dataclass(frozen=True)
class GateGraph:
    """The circuit as a DAG of one-layer gates, ready to be scheduled into layers."""

    n_inputs: int
    input_wires: tuple[Wire, ...]  # wire of each input position
    nodes: dict[Wire, GraphNode]  # in topological (ascending wire) order
    constants: dict[Wire, int]  # constant wires among the outputs
    outputs: tuple[Wire, ...]
    depth: dict[Wire, int]  # 0 for inputs and constants, 1 + max over inputs for nodes

    @property
    def total_depth(self) -> int:
        return max((self.depth[w] for w in self.outputs), default=0)


def validate(circuit: Circuit) -> None:
    """Raise ValueError unless the circuit has outputs and its gates read only earlier wires."""
    if not circuit.outputs:
        raise ValueError("the circuit has no outputs: call set_outputs(wires) before compiling")
    for wire, node in enumerate(circuit.nodes):
        if isinstance(node, MultiThreshold | Mux) and any(x >= wire for x in node.inputs):
            raise ValueError(f"gate {wire} reads a later wire: the circuit is not topological")


def to_graph_node(node: MultiThreshold | Mux) -> GraphNode:
    """A DSL gate as a sum of exclusive terms; mux = [select + a >= 2] + [b - select >= 1]."""
    if isinstance(node, MultiThreshold):
        return GraphNode((node,))
    both = canonical_threshold([(node.select, 1), (node.if_one, 1)], (2,))
    neither = canonical_threshold([(node.select, -1), (node.if_zero, 1)], (1,))
    assert all(t == 0 for t in (both, neither) if isinstance(t, int)), f"odd mux {node}"
    return GraphNode(tuple(t for t in (both, neither) if not isinstance(t, int)))


def dsl_to_graph(circuit: Circuit, optimize: bool = True) -> GateGraph:
    """Validate `circuit` and turn it into a `GateGraph`, merging gates when `optimize`."""
    validate(circuit)
    nodes: dict[Wire, GraphNode] = {}
    merger = GateMerger()
    for wire, node in enumerate(circuit.nodes):
        if isinstance(node, MultiThreshold | Mux):
            graph_node = to_graph_node(node)
            nodes[wire] = GraphNode(merger.add(wire, graph_node.terms)) if optimize else graph_node
    live = _reachable(nodes, circuit.outputs)
    nodes = {wire: node for wire, node in nodes.items() if wire in live}
    depth = {wire: 0 for wire in live if wire not in nodes}
    for wire, node in nodes.items():
        depth[wire] = 1 + max(depth[x] for x in node.inputs)
    constants = {w: n.value for w in circuit.outputs if isinstance(n := circuit.nodes[w], Const)}
    return GateGraph(circuit.n_inputs, tuple(circuit.input_wires), nodes, constants,
                     circuit.outputs, depth)


def _reachable(nodes: dict[Wire, GraphNode], outputs: tuple[Wire, ...]) -> set[Wire]:
    live, stack = set(), list(outputs)
    while stack:
        wire = stack.pop()
        if wire not in live:
            live.add(wire)
            stack.extend(nodes[wire].inputs if wire in nodes else ())
    return live
