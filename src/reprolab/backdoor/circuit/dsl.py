"""Boolean circuit DSL: wires, gates and 32-bit words.

A `Circuit` is a list of nodes in topological order; a wire is the index of the node that drives it.
Every gate is one of two kinds:

- `MultiThreshold`: out = (number of thresholds t with s >= t) mod 2, where s = sum_i w_i x_i over
  integer weights. NOT, AND, OR, XOR, majority and threshold gates are special cases (a threshold
  gate has one threshold; an n-input XOR has thresholds 1..n).
- `Mux`: out = if_one if select else if_zero (SHA-256's Ch is a bitwise mux).

Constructors fold constants and identical gates as they go, so a circuit fed constant inputs
(SHA-256's IV, padding) shrinks to the part that depends on variable bits.

A word is a tuple of wires, least significant bit first (`word[i]` has weight 2**i).
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from reprolab.backdoor.circuit import adders

Wire = int
Word = tuple[Wire, ...]


@dataclass(frozen=True)
class Input:
    """The `position`-th input bit."""

    position: int


@dataclass(frozen=True)
class Const:
    """A constant bit, 0 or 1."""

    value: int


@dataclass(frozen=True)
class MultiThreshold:
    """out = #{t in thresholds : sum(w * x) >= t} mod 2; thresholds strictly increasing."""

    inputs: tuple[Wire, ...]
    weights: tuple[int, ...]
    thresholds: tuple[int, ...]

    def value(self, s: int) -> int:
        """The gate's output for weighted sum `s`."""
        return bisect.bisect_right(self.thresholds, s) % 2

    def bounds(self) -> tuple[int, int]:
        """Smallest and largest weighted sum over 0/1 inputs."""
        return sum(min(w, 0) for w in self.weights), sum(max(w, 0) for w in self.weights)


@dataclass(frozen=True)
class Mux:
    """out = if_one if select else if_zero."""

    select: Wire
    if_one: Wire
    if_zero: Wire

    @property
    def inputs(self) -> tuple[Wire, ...]:
        return self.select, self.if_one, self.if_zero


Node = Input | Const | MultiThreshold | Mux


def canonical_threshold(
    pairs: Sequence[tuple[Wire, int]], thresholds: Sequence[int], offset: int = 0,
) -> MultiThreshold | int:
    """The simplest gate equal to #{t : offset + sum(w * x) >= t} mod 2, or its constant value.

    Repeated wires are merged and zero weights dropped; thresholds the sum can never reach are
    dropped, and those it always reaches collapse into one threshold at the smallest sum. A gate on
    one wire is normalised to identity (weight 1, threshold 1) or NOT (weight -1, threshold 0).
    """
    merged: dict[Wire, int] = {}
    for wire, weight in pairs:
        merged[wire] = merged.get(wire, 0) + weight
    terms = sorted((wire, weight) for wire, weight in merged.items() if weight)
    low = offset + sum(min(w, 0) for _, w in terms)
    high = offset + sum(max(w, 0) for _, w in terms)
    starts_on = sum(1 for t in thresholds if t <= low) % 2
    inner = [t - offset for t in thresholds if low < t <= high]
    if not inner:
        return starts_on
    if starts_on:
        inner.insert(0, low - offset)
    gate = MultiThreshold(tuple(w for w, _ in terms), tuple(w for _, w in terms), tuple(inner))
    if len(terms) == 1:
        wire, weight = terms[0]
        at_zero, at_one = gate.value(0), gate.value(weight)
        if at_zero == at_one:
            return at_zero
        identity = MultiThreshold((wire,), (1,), (1,))
        return identity if at_one else MultiThreshold((wire,), (-1,), (0,))
    return gate


class Circuit:
    """A boolean circuit built gate by gate; see the module docstring for the gate semantics."""

    def __init__(self) -> None:
        self.nodes: list[Node] = []
        self.input_wires: list[Wire] = []
        self.outputs: tuple[Wire, ...] = ()
        self.depths: list[int] = []  # gate depth of each wire before optimisation (inputs: 0)
        self._interned: dict[Node, Wire] = {}

    def __repr__(self) -> str:
        gates = len(self.nodes) - len(self.input_wires)
        return f"Circuit({self.n_inputs} inputs, {gates} nodes, {len(self.outputs)} outputs)"

    @property
    def n_inputs(self) -> int:
        return len(self.input_wires)

    def _add(self, node: Node) -> Wire:
        if node in self._interned:
            return self._interned[node]
        self.nodes.append(node)
        inputs = node.inputs if isinstance(node, MultiThreshold | Mux) else ()
        self.depths.append(1 + max(self.depths[i] for i in inputs) if inputs else 0)
        wire = len(self.nodes) - 1
        self._interned[node] = wire
        return wire

    def _check(self, wires: Sequence[Wire]) -> None:
        for wire in wires:
            if not 0 <= wire < len(self.nodes):
                raise ValueError(f"wire {wire} does not exist in this circuit")

    def constant_value(self, wire: Wire) -> int | None:
        """The wire's value if it is a constant, else None."""
        node = self.nodes[wire]
        return node.value if isinstance(node, Const) else None

    # ---- inputs, constants, outputs
    def inputs(self, n: int) -> list[Wire]:
        """Add `n` input bits; returns their wires in input order."""
        if n < 0:
            raise ValueError(f"number of inputs must be >= 0, got {n}")
        wires = [self._add(Input(self.n_inputs + i)) for i in range(n)]
        self.input_wires.extend(wires)
        return wires

    def const(self, value: int) -> Wire:
        if value not in (0, 1):
            raise ValueError(f"a constant bit is 0 or 1, got {value}")
        return self._add(Const(value))

    def set_outputs(self, wires: Sequence[Wire]) -> None:
        """Declare the circuit's output bits, in order."""
        self._check(wires)
        self.outputs = tuple(wires)

    # ---- gates
    def multi_threshold(
        self, wires: Sequence[Wire], weights: Sequence[int], thresholds: Sequence[int],
        offset: int = 0,
    ) -> Wire:
        """out = #{t in thresholds : offset + sum(w * x) >= t} mod 2 (thresholds increasing).

        Constants are folded into the offset, repeated wires merged, thresholds outside the
        reachable range dropped; a gate that is constant, an identity or a NOT of one wire is
        returned in its simplest form.
        """
        if len(wires) != len(weights):
            raise ValueError(f"{len(wires)} wires but {len(weights)} weights")
        if any(b <= a for a, b in itertools.pairwise(thresholds)):
            raise ValueError(f"thresholds must be strictly increasing, got {list(thresholds)}")
        self._check(wires)
        pairs = []
        for wire, weight in zip(wires, weights, strict=True):
            if (value := self.constant_value(wire)) is not None:
                offset += int(weight) * value
            else:
                pairs.append((wire, int(weight)))
        gate = canonical_threshold(pairs, thresholds, offset)
        if isinstance(gate, int):
            return self.const(gate)
        if gate.weights == (1,) and gate.thresholds == (1,):
            return gate.inputs[0]
        return self._add(gate)

    def threshold(self, wires: Sequence[Wire], weights: Sequence[int], bias: int = 0) -> Wire:
        """out = [sum(w * x) + bias >= 0]."""
        return self.multi_threshold(wires, weights, (0,), offset=bias)

    def not_(self, a: Wire) -> Wire:
        return self.multi_threshold((a,), (-1,), (0,))

    def and_(self, *wires: Wire) -> Wire:
        return self.multi_threshold(wires, (1,) * len(wires), (len(wires),))

    def or_(self, *wires: Wire) -> Wire:
        return self.multi_threshold(wires, (1,) * len(wires), (1,))

    def xor(self, *wires: Wire) -> Wire:
        """Parity of any number of wires (one gate, not a tree)."""
        return self.multi_threshold(wires, (1,) * len(wires), tuple(range(1, len(wires) + 1)))

    def majority(self, *wires: Wire) -> Wire:
        if len(wires) % 2 == 0:
            raise ValueError(f"majority needs an odd number of wires, got {len(wires)}")
        return self.multi_threshold(wires, (1,) * len(wires), ((len(wires) + 1) // 2,))

    def equals_const(self, wires: Sequence[Wire], bits: Sequence[int]) -> Wire:
        """out = [wires == bits] (one AND over literals)."""
        if len(wires) != len(bits) or any(b not in (0, 1) for b in bits):
            raise ValueError("equals_const needs one 0/1 bit per wire")
        weights = tuple(1 if b else -1 for b in bits)
        return self.multi_threshold(wires, weights, (sum(bits),))

    def mux(self, select: Wire, if_one: Wire, if_zero: Wire) -> Wire:
        """out = if_one if select else if_zero."""
        self._check((select, if_one, if_zero))
        if (value := self.constant_value(select)) is not None:
            return if_one if value else if_zero
        if if_one == if_zero:
            return if_one
        one, zero = self.constant_value(if_one), self.constant_value(if_zero)
        if one is not None and zero is not None:  # (1, 0) -> select, (0, 1) -> not select
            return select if one else self.not_(select)
        if one is not None:
            return self.or_(select, if_zero) if one else self.and_(self.not_(select), if_zero)
        if zero is not None:
            return self.or_(self.not_(select), if_one) if zero else self.and_(select, if_one)
        return self._add(Mux(select, if_one, if_zero))

    # ---- words (least significant bit first)
    def const_word(self, value: int, width: int = 32) -> Word:
        if not 0 <= value < 2**width:
            raise ValueError(f"{value} does not fit in {width} bits")
        return tuple(self.const((value >> i) & 1) for i in range(width))

    def rotr(self, word: Word, n: int) -> Word:
        """Rotate right by `n` bits (pure rewiring)."""
        return tuple(word[(i + n) % len(word)] for i in range(len(word)))

    def shr(self, word: Word, n: int) -> Word:
        """Logical shift right by `n` bits."""
        zero = self.const(0)
        return tuple(word[i + n] if i + n < len(word) else zero for i in range(len(word)))

    def not_word(self, word: Word) -> Word:
        return tuple(self.not_(a) for a in word)

    def xor_words(self, *words: Word) -> Word:
        return tuple(self.xor(*bits) for bits in zip(*words, strict=True))

    def and_words(self, *words: Word) -> Word:
        return tuple(self.and_(*bits) for bits in zip(*words, strict=True))

    def majority_words(self, *words: Word) -> Word:
        return tuple(self.majority(*bits) for bits in zip(*words, strict=True))

    def mux_words(self, select: Word, if_one: Word, if_zero: Word) -> Word:
        return tuple(self.mux(*bits) for bits in zip(select, if_one, if_zero, strict=True))

    def add_mod32(
        self, words: Sequence[Word], constant: int = 0, adder: adders.AdderKind = "threshold",
        block_bits: int = 16,
    ) -> Word:
        """Sum of 32-bit words plus `constant`, mod 2**32; `adder` picks the design (`adders`)."""
        if any(len(word) != 32 for word in words):
            raise ValueError("add_mod32 takes 32-bit words")
        return adders.add_words(self, words, constant, adder, block_bits)
