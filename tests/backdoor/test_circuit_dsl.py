"""The DSL's gates and word helpers, checked by the reference evaluator against truth tables."""

from __future__ import annotations

import itertools
import random

import pytest

from reprolab.backdoor.circuit import Circuit, evaluate
from reprolab.backdoor.circuit.dsl import Const, MultiThreshold

TRUTH_TABLES = {
    # name: (arity, builder, function of the input bits)
    "not": (1, lambda c, x: c.not_(*x), lambda a: 1 - a),
    "and2": (2, lambda c, x: c.and_(*x), lambda a, b: a & b),
    "and3": (3, lambda c, x: c.and_(*x), lambda a, b, d: a & b & d),
    "or2": (2, lambda c, x: c.or_(*x), lambda a, b: a | b),
    "or3": (3, lambda c, x: c.or_(*x), lambda a, b, d: a | b | d),
    "xor2": (2, lambda c, x: c.xor(*x), lambda a, b: a ^ b),
    "xor3": (3, lambda c, x: c.xor(*x), lambda a, b, d: a ^ b ^ d),
    "majority3": (3, lambda c, x: c.majority(*x), lambda a, b, d: int(a + b + d >= 2)),
    "mux": (3, lambda c, x: c.mux(*x), lambda s, a, b: a if s else b),
    "threshold": (3, lambda c, x: c.threshold(x, (2, -1, 3), -2),
                  lambda a, b, d: int(2 * a - b + 3 * d - 2 >= 0)),
    "multi_threshold": (3, lambda c, x: c.multi_threshold(x, (1, 2, 4), (2, 5, 7)),
                        lambda a, b, d: int(2 <= a + 2 * b + 4 * d < 5 or a + 2 * b + 4 * d >= 7)),
    "equals_const": (3, lambda c, x: c.equals_const(x, (1, 0, 1)),
                     lambda a, b, d: int((a, b, d) == (1, 0, 1))),
}


@pytest.mark.parametrize("name", sorted(TRUTH_TABLES))
def test_gate_truth_tables(name):
    arity, build, function = TRUTH_TABLES[name]
    c = Circuit()
    x = c.inputs(arity)
    c.set_outputs([build(c, x)])
    for bits in itertools.product((0, 1), repeat=arity):
        assert evaluate(c, list(bits)) == [function(*bits)], bits


def test_constants_fold_away():
    c = Circuit()
    a, b = c.inputs(2)
    one, zero = c.const(1), c.const(0)
    assert c.and_(a, one) == a
    assert c.or_(a, one) == one
    assert c.xor(a, a) == zero
    assert c.xor(a, one) == c.not_(a)
    assert c.mux(one, a, b) == a
    assert c.mux(a, b, b) == b
    assert c.not_(c.not_(a)) != a  # NOT of NOT is a gate here; the compiler absorbs it
    assert c.and_(a, b) == c.and_(b, a)  # identical gates are shared
    assert isinstance(c.nodes[c.threshold([a, b], [1, 1], 5)], Const)


def test_multi_threshold_is_normalised():
    c = Circuit()
    a, b = c.inputs(2)
    # s = a + b + 1 in [1, 3]; thresholds 0 and 1 are always reached (two toggles cancel)
    wire = c.multi_threshold([a, b, c.const(1)], [1, 1, 1], [0, 1, 3])
    assert c.nodes[wire] == MultiThreshold((a, b), (1, 1), (2,))


@pytest.mark.parametrize("shift", [0, 1, 7, 31])
def test_rotations_and_shifts_match_python(shift):
    rng = random.Random(shift)
    c = Circuit()
    word = tuple(c.inputs(32))
    c.set_outputs([*c.rotr(word, shift), *c.shr(word, shift)])
    for _ in range(20):
        value = rng.getrandbits(32)
        out = evaluate(c, [(value >> i) & 1 for i in range(32)])
        rotated = sum(bit << i for i, bit in enumerate(out[:32]))
        shifted = sum(bit << i for i, bit in enumerate(out[32:]))
        assert rotated == ((value >> shift) | (value << (32 - shift))) & 0xFFFFFFFF
        assert shifted == value >> shift


def test_word_helpers_are_bitwise():
    c = Circuit()
    x, y, z = (tuple(c.inputs(8)) for _ in range(3))
    c.set_outputs([*c.xor_words(x, y, z), *c.and_words(x, y), *c.majority_words(x, y, z),
                   *c.mux_words(x, y, z), *c.not_word(x), *c.const_word(0xA5, 8)])
    rng = random.Random(0)
    for _ in range(30):
        a, b, d = (rng.getrandbits(8) for _ in range(3))
        bits = [(v >> i) & 1 for v in (a, b, d) for i in range(8)]
        out = evaluate(c, bits)
        words = [sum(bit << i for i, bit in enumerate(out[k:k + 8])) for k in range(0, 48, 8)]
        assert words == [a ^ b ^ d, a & b, (a & b) | (a & d) | (b & d), (a & b) | (~a & d),
                         ~a & 0xFF, 0xA5]


def test_user_errors_are_clear():
    c = Circuit()
    a, b = c.inputs(2)
    with pytest.raises(ValueError, match="strictly increasing"):
        c.multi_threshold([a, b], [1, 1], [2, 1])
    with pytest.raises(ValueError, match="does not exist"):
        c.and_(a, 99)
    with pytest.raises(ValueError, match="odd"):
        c.majority(a, b)
    c.set_outputs([c.and_(a, b)])
    with pytest.raises(ValueError, match="takes 2 input bits"):
        evaluate(c, [1])
    with pytest.raises(ValueError, match="0 or 1"):
        evaluate(c, [1, 2])
