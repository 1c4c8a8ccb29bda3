"""Pass 1: DSL circuit -> gate graph, with the gate-merging optimisations that cut depth.

Every gate becomes a `GraphNode`: a sum of mutually exclusive multi-threshold terms (a mux is
[select + a >= 2] + [b - select >= 1]), which one layer of ReLU units computes exactly. With
`optimize`, gates are fused where the fused gate is still one such term:

- NOT absorption: a NOT feeding a term becomes a negative weight (w * (1 - x));
- flattening: XOR of XORs, AND of ANDs, OR of ORs (and De Morgan forms such as AND of NOR) become
  one wide gate, up to a fan-in cap (a parity of n bits costs about n units, an AND/OR two).

Unused gates are dropped; depths are recomputed (inputs at depth 0).
"""

from __future__ import annotations

from dataclasses import dataclass

from reprolab.backdoor.circuit.dsl import (
    Circuit,
    Const,
    Input,
    MultiThreshold,
    Mux,
    Wire,
    canonical_threshold,
)

MAX_PARITY_FANIN = 8
MAX_AND_OR_FANIN = 32


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
    if isinstance(node, MultiThreshold):
        return GraphNode((node,))
    both = canonical_threshold([(node.select, 1), (node.if_one, 1)], (2,))
    neither = canonical_threshold([(node.select, -1), (node.if_zero, 1)], (1,))
    terms = tuple(t for t in (both, neither) if not isinstance(t, int))
    assert len(terms) + sum(t for t in (both, neither) if isinstance(t, int)) >= 1, node
    return GraphNode(terms)


def dsl_to_graph(circuit: Circuit, optimize: bool = True) -> GateGraph:
    """Validate `circuit` and turn it into a `GateGraph`, merging gates when `optimize`."""
    validate(circuit)
    nodes: dict[Wire, GraphNode] = {}
    for wire, node in enumerate(circuit.nodes):
        if isinstance(node, MultiThreshold | Mux):
            graph_node = to_graph_node(node)
            if optimize:
                graph_node = GraphNode(tuple(_merge(term, nodes) for term in graph_node.terms))
            nodes[wire] = graph_node
    live = _reachable(nodes, circuit.outputs)
    nodes = {wire: node for wire, node in nodes.items() if wire in live}
    depth = {wire: 0 for wire in live if wire not in nodes}
    for wire, node in nodes.items():
        depth[wire] = 1 + max(depth[x] for x in node.inputs)
    constants = {w: n.value for w in circuit.outputs if isinstance(n := circuit.nodes[w], Const)}
    input_wires = tuple(w for w in circuit.input_wires if isinstance(circuit.nodes[w], Input))
    return GateGraph(circuit.n_inputs, input_wires, nodes, constants, circuit.outputs, depth)


def _reachable(nodes: dict[Wire, GraphNode], outputs: tuple[Wire, ...]) -> set[Wire]:
    live, stack = set(), list(outputs)
    while stack:
        wire = stack.pop()
        if wire not in live:
            live.add(wire)
            stack.extend(nodes[wire].inputs if wire in nodes else ())
    return live


def _single_term(nodes: dict[Wire, GraphNode], wire: Wire) -> MultiThreshold | None:
    node = nodes.get(wire)
    return node.terms[0] if node is not None and len(node.terms) == 1 else None


def _kind(term: MultiThreshold) -> str | None:
    """"and", "or" or "parity" if the term is that function of literals (x or NOT x), else None.

    Single-wire terms count as AND (they are also OR and parity).
    """
    if any(w not in (1, -1) for w in term.weights):
        return None
    low, high = term.bounds()
    steps = tuple(range(low + 1, high + 1))
    if term.thresholds == (high,):
        return "and"
    if term.thresholds == (low + 1,):
        return "or"
    return "parity" if term.thresholds in (steps, (low, *steps)) else None


def _is_kind(term: MultiThreshold, kind: str) -> bool:
    found = _kind(term)
    return found == kind or (found is not None and len(term.inputs) == 1)


def _merge(term: MultiThreshold, nodes: dict[Wire, GraphNode]) -> MultiThreshold:
    """Absorb NOT inputs, then flatten same-kind children into `term` while it stays exact."""
    while True:
        kind = _kind(term)
        for wire, weight in zip(term.inputs, term.weights, strict=True):
            child = _single_term(nodes, wire)
            if child is None:
                continue
            fused = _absorb_not(term, wire, weight, child)
            if fused is None and kind is not None:
                fused = _flatten(term, kind, wire, weight, child)
            if fused is not None:
                term = fused
                break
        else:
            return term


def _without(term: MultiThreshold, wire: Wire) -> list[tuple[Wire, int]]:
    return [(x, w) for x, w in zip(term.inputs, term.weights, strict=True) if x != wire]


def _absorb_not(
    term: MultiThreshold, wire: Wire, weight: int, child: MultiThreshold,
) -> MultiThreshold | None:
    if child.weights != (-1,) or child.thresholds != (0,):
        return None
    fused = canonical_threshold([*_without(term, wire), (child.inputs[0], -weight)],
                                term.thresholds, offset=weight)
    return None if isinstance(fused, int) else fused


def _flatten(
    term: MultiThreshold, kind: str, wire: Wire, weight: int, child: MultiThreshold,
) -> MultiThreshold | None:
    """Fuse `child` (read with `weight`) into `term` of kind `kind`, or None if not exact."""
    inner = list(zip(child.inputs, child.weights, strict=True))
    rest = _without(term, wire)
    if kind == "parity" and _is_kind(child, "parity"):
        if len(rest) + len(inner) > MAX_PARITY_FANIN:
            return None
        flips = term.value(0) + child.value(0)  # value = (sum of inputs + flips) mod 2
        pairs = [(x, 1) for x, _ in rest + inner]
        fused = canonical_threshold(pairs, range(1, len(pairs) + 2), offset=flips % 2)
        return None if isinstance(fused, int) else fused
    dual = {"and": "or", "or": "and"}
    if kind not in dual or not _is_kind(child, kind if weight > 0 else dual[kind]):
        return None
    if len(rest) + len(inner) > MAX_AND_OR_FANIN:
        return None
    literals = rest + [(x, w * weight) for x, w in inner]
    positives = sum(1 for _, w in literals if w > 0)
    threshold = positives if kind == "and" else positives - len(literals) + 1
    fused = canonical_threshold(literals, (threshold,))
    return None if isinstance(fused, int) else fused
