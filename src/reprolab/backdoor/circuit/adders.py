"""Multi-operand adders mod 2**n built from circuit gates, from deepest to shallowest.

- `ripple`: chained ripple-carry adders (full adder = XOR3 + majority); depth grows with the width,
  as in the paper's compiler.
- `carry_save`: a tree of 3:2 carry-save compressors (earliest-arriving operands first, so sums of
  early words such as h + K + W in SHA-256 are formed off the critical path), then a Kogge-Stone
  prefix adder: depth ~ log1.5(operands) + log2(width) + 2.
- `threshold`: the block adder of threshold logic. Bit k of an integer L is a multi-threshold
  gate of L (it toggles at each multiple of 2**k), so within a block of `block_bits` columns
  every sum bit is ONE gate over the block's weighted column bits; the carry into the next block
  is a thermometer code (one threshold gate per possible carry value). Depth = number of blocks
  (2 for 32-bit words with 16-bit blocks) for any number of operands. Weights grow as
  2**block_bits, so `block_bits` trades depth for numerical headroom (fp32 is exact while
  pre-activations stay below 2**24).
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal, get_args

if TYPE_CHECKING:
    from reprolab.backdoor.circuit.dsl import Circuit, Wire, Word

AdderKind = Literal["ripple", "carry_save", "threshold"]
ADDERS: tuple[str, ...] = get_args(AdderKind)


def add_words(
    c: Circuit, words: Sequence[Word], constant: int = 0, adder: AdderKind = "threshold",
    block_bits: int = 16,
) -> Word:
    """Sum of `words` (least significant bit first, one width) plus `constant`, mod 2**width."""
    if adder not in ADDERS:
        raise ValueError(f"unknown adder {adder!r}; choose one of {', '.join(ADDERS)}")
    if not words or len({len(word) for word in words}) != 1:
        raise ValueError("add_words needs at least one word, all of one width")
    if block_bits < 1:
        raise ValueError(f"block_bits must be >= 1, got {block_bits}")
    width = len(words[0])
    constant %= 2**width
    if adder == "threshold":
        return threshold_block_add(c, words, constant, block_bits)
    operands = [*words, c.const_word(constant, width)] if constant else list(words)
    if adder == "ripple":
        total = operands[0]
        for word in operands[1:]:
            total = ripple_add(c, total, word)
        return total
    if len(operands) == 1:
        return operands[0]
    return kogge_stone_add(c, *carry_save_reduce(c, operands))


def ripple_add(c: Circuit, a: Word, b: Word) -> Word:
    """a + b mod 2**width with a chain of full adders."""
    carry, out = c.const(0), []
    for i, (x, y) in enumerate(zip(a, b, strict=True)):
        out.append(c.xor(x, y, carry))
        if i + 1 < len(a):
            carry = c.majority(x, y, carry)
    return tuple(out)


def carry_save_reduce(c: Circuit, words: Sequence[Word]) -> tuple[Word, Word]:
    """Two words with the same sum mod 2**width, by 3:2 compressors on the earliest operands."""
    assert len(words) >= 2, "carry_save_reduce needs two or more words"
    arrival = [(max(c.depths[w] for w in word), order, word) for order, word in enumerate(words)]
    heapq.heapify(arrival)
    order = len(words)
    while len(arrival) > 2:
        x, y, z = (heapq.heappop(arrival)[2] for _ in range(3))
        sums = c.xor_words(x, y, z)
        carries = (c.const(0), *c.majority_words(x, y, z)[:-1])
        for word in (sums, carries):
            heapq.heappush(arrival, (max(c.depths[w] for w in word), order, word))
            order += 1
    return arrival[0][2], arrival[1][2]


def kogge_stone_add(c: Circuit, a: Word, b: Word) -> Word:
    """a + b mod 2**width with a Kogge-Stone parallel-prefix carry network (log2 width levels).

    Prefix operator (G, P) o (G', P') = (G or (P and G'), P and P'); the generate half is one
    threshold gate [2G + P + G' >= 2].
    """
    generate = [c.and_(x, y) for x, y in zip(a, b, strict=True)]
    propagate = [c.xor(x, y) for x, y in zip(a, b, strict=True)]
    group_g, group_p = list(generate), list(propagate)
    span = 1
    while span < len(a) - 1:
        group_g = [
            g if i < span else c.threshold((g, group_p[i], group_g[i - span]), (2, 1, 1), -2)
            for i, g in enumerate(group_g)
        ]
        group_p = [p if i < span else c.and_(p, group_p[i - span]) for i, p in enumerate(group_p)]
        span *= 2
    return (propagate[0], *(c.xor(propagate[i], group_g[i - 1]) for i in range(1, len(a))))


def sum_bit(c: Circuit, wires: Sequence[Wire], weights: Sequence[int], offset: int, k: int) -> Wire:
    """Bit k of L = offset + sum(w * x) for non-negative weights: toggles at multiples of 2**k."""
    high = offset + sum(weights)
    return c.multi_threshold(wires, weights, range(2**k, high + 1, 2**k), offset=offset)


def _block_sum(
    columns: list[list[Wire]], constant: int, carry: list[Wire], base: int, last: int,
) -> tuple[list[Wire], list[int], int]:
    """Wires, weights and constant of L = sum(carry) + sum_{base<=j<=last} 2**(j-base) column_j."""
    wires = [w for j in range(base, last + 1) for w in columns[j]] + carry
    weights = [2 ** (j - base) for j in range(base, last + 1) for _ in columns[j]]
    offset = (constant >> base) % 2 ** (last + 1 - base)
    return wires, weights + [1] * len(carry), offset


def threshold_block_add(c: Circuit, words: Sequence[Word], constant: int, block_bits: int) -> Word:
    """Multi-operand sum mod 2**width, one gate per sum bit; see the module docstring."""
    width = len(words[0])
    columns: list[list[Wire]] = [[] for _ in range(width)]
    for word in words:
        for i, wire in enumerate(word):
            if (value := c.constant_value(wire)) is None:
                columns[i].append(wire)
            else:
                constant += value << i
    constant %= 2**width
    out: list[Wire] = []
    carry: list[Wire] = []  # thermometer code of the carry into the block: its value is sum(carry)
    for base in range(0, width, block_bits):
        top = min(base + block_bits, width)
        for i in range(base, top):
            out.append(sum_bit(c, *_block_sum(columns, constant, carry, base, i), i - base))
        if top < width:
            wires, weights, offset = _block_sum(columns, constant, carry, base, top - 1)
            unit = 2 ** (top - base)
            carry = [
                c.threshold(wires, weights, offset - m * unit)
                for m in range(1, (offset + sum(weights)) // unit + 1)
            ]
    return tuple(out)
