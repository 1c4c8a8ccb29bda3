"""Gate merging: fuse gates into their readers while the result is still one ReLU layer.

A reader and the gates it reads fuse when the fused gate is again one multi-threshold term:

- NOT absorption: a NOT feeding a term becomes a negative weight (w * (1 - x) = w - w x);
- flattening: XOR of XORs, AND of ANDs, OR of ORs (and the De Morgan forms AND of NOR, OR of
  NAND) become one wide gate, up to a fan-in cap (a parity of n bits costs about n units, an AND
  or OR two).

Threshold gates of other shapes (majority of majorities, adder bits) do not fuse exactly.
"""

from __future__ import annotations

from reprolab.backdoor.circuit.dsl import MultiThreshold, Wire, canonical_threshold

MAX_PARITY_FANIN = 8
MAX_AND_OR_FANIN = 32
SINGLE_WIRE_KINDS = frozenset({"and", "or", "parity"})


def kinds_of(term: MultiThreshold) -> frozenset[str]:
    """Which of "not", "and", "or", "parity" (of literals x or NOT x) the term computes."""
    if any(w not in (1, -1) for w in term.weights):
        return frozenset()
    if len(term.inputs) == 1:
        return SINGLE_WIRE_KINDS | ({"not"} if term.weights == (-1,) else set())
    low, high = term.bounds()
    steps = tuple(range(low + 1, high + 1))
    if term.thresholds == (high,):
        return frozenset({"and"})
    if term.thresholds == (low + 1,):
        return frozenset({"or"})
    return frozenset({"parity"}) if term.thresholds in (steps, (low, *steps)) else frozenset()


class GateMerger:
    """Merges each gate, in topological order, with the single-term gates it reads."""

    def __init__(self) -> None:
        self.single: dict[Wire, tuple[MultiThreshold, frozenset[str]]] = {}

    def add(self, wire: Wire, terms: tuple[MultiThreshold, ...]) -> tuple[MultiThreshold, ...]:
        """The merged terms of gate `wire`; remembered for the gates that read it."""
        merged = tuple(self.merge(term) for term in terms)
        if len(merged) == 1:
            self.single[wire] = (merged[0], kinds_of(merged[0]))
        return merged

    def merge(self, term: MultiThreshold) -> MultiThreshold:
        while True:
            kinds = kinds_of(term)
            for wire, weight in zip(term.inputs, term.weights, strict=True):
                if wire not in self.single:
                    continue
                child, child_kinds = self.single[wire]
                fused = None
                if "not" in child_kinds:
                    fused = _absorb_not(term, wire, weight, child)
                elif "parity" in kinds and "parity" in child_kinds:
                    fused = _fuse_parity(term, wire, child)
                else:
                    for kind, dual in (("and", "or"), ("or", "and")):
                        if kind in kinds and (kind if weight > 0 else dual) in child_kinds:
                            fused = _fuse_literals(term, kind, wire, weight, child)
                if fused is not None:
                    term = fused
                    break
            else:
                return term


def _without(term: MultiThreshold, wire: Wire) -> list[tuple[Wire, int]]:
    return [(x, w) for x, w in zip(term.inputs, term.weights, strict=True) if x != wire]


def _term_or_none(term: MultiThreshold | int) -> MultiThreshold | None:
    return None if isinstance(term, int) else term


def _absorb_not(
    term: MultiThreshold, wire: Wire, weight: int, child: MultiThreshold,
) -> MultiThreshold | None:
    pairs = [*_without(term, wire), (child.inputs[0], -weight)]
    return _term_or_none(canonical_threshold(pairs, term.thresholds, offset=weight))


def _fuse_parity(term: MultiThreshold, wire: Wire, child: MultiThreshold) -> MultiThreshold | None:
    pairs = [(x, 1) for x, _ in _without(term, wire)] + [(x, 1) for x in child.inputs]
    if len(pairs) > MAX_PARITY_FANIN:
        return None
    flips = (term.value(0) + child.value(0)) % 2  # each is (sum of its inputs + flip) mod 2
    return _term_or_none(canonical_threshold(pairs, range(1, len(pairs) + 2), offset=flips))


def _fuse_literals(
    term: MultiThreshold, kind: str, wire: Wire, weight: int, child: MultiThreshold,
) -> MultiThreshold | None:
    """AND (or OR) of literals, with a child read with sign `weight` spliced in."""
    literals = _without(term, wire) + [(x, w * weight) for x, w in
                                       zip(child.inputs, child.weights, strict=True)]
    if len(literals) > MAX_AND_OR_FANIN:
        return None
    positives = sum(1 for _, w in literals if w > 0)
    threshold = positives if kind == "and" else positives - len(literals) + 1
    return _term_or_none(canonical_threshold(literals, (threshold,)))
