"""Adders against integer addition mod 2**n, through the evaluator and the compiled module."""

from __future__ import annotations

import random

import pytest
import torch

from reprolab.backdoor.circuit import ADDERS, Circuit, compile_circuit, evaluate
from reprolab.backdoor.circuit.adders import add_words
from reprolab.backdoor.circuit.dsl_to_graph import dsl_to_graph
from tests.backdoor.test_circuit_sha256 import one_thread  # noqa: F401 (autouse fixture)


def adder_circuit(n_words: int, width: int, constant: int, adder: str, block_bits: int = 16):
    c = Circuit()
    words = [tuple(c.inputs(width)) for _ in range(n_words)]
    c.set_outputs(add_words(c, words, constant, adder, block_bits))
    return c


def to_bits(values: list[int], width: int) -> list[int]:
    return [(v >> i) & 1 for v in values for i in range(width)]


def to_int(bits) -> int:
    return sum(int(b) << i for i, b in enumerate(bits))


@pytest.mark.parametrize("adder", ADDERS)
@pytest.mark.parametrize("n_words", [1, 2, 3, 6])
def test_adders_add_mod_2_32_in_the_evaluator(adder, n_words):
    rng = random.Random(n_words)
    constant = rng.getrandbits(32)
    c = adder_circuit(n_words, 32, constant, adder)
    for _ in range(25):
        words = [rng.getrandbits(32) for _ in range(n_words)]
        words[0] = rng.choice([words[0], 0xFFFFFFFF, 0])  # long carry chains too
        assert to_int(evaluate(c, to_bits(words, 32))) == (sum(words) + constant) % 2**32


@pytest.mark.parametrize("adder", ADDERS)
def test_compiled_adders_add_mod_2_32(adder):
    rng = random.Random(7)
    constant = 0x428A2F98  # SHA-256's K_0: a constant folded into the sum
    compiled = compile_circuit(adder_circuit(5, 32, constant, adder))
    words = [[rng.getrandbits(32) for _ in range(5)] for _ in range(500)]
    out = compiled(torch.tensor([to_bits(w, 32) for w in words], dtype=torch.float32))
    assert [to_int(row) for row in out] == [(sum(w) + constant) % 2**32 for w in words]


@pytest.mark.parametrize("block_bits", [1, 3, 4, 8])
def test_threshold_adder_is_exhaustively_right_on_small_words(block_bits):
    c = adder_circuit(3, 4, 5, "threshold", block_bits)
    for a in range(16):
        for b in range(16):
            for d in (0, 9, 15):
                assert to_int(evaluate(c, to_bits([a, b, d], 4))) == (a + b + d + 5) % 16


def test_adder_depths():
    def depth(adder: str, n_words: int, block_bits: int = 16) -> int:
        return dsl_to_graph(adder_circuit(n_words, 32, 0, adder, block_bits)).total_depth

    # threshold: one layer per block whatever the number of operands
    assert [depth("threshold", n) for n in (2, 6)] == [2, 2]
    assert [depth("threshold", 6, b) for b in (8, 4)] == [4, 8]
    # Kogge-Stone: generate/propagate, five prefix levels, sum; carry-save adds a level per 3:2 step
    assert depth("carry_save", 2) == 7
    assert depth("carry_save", 6) == 7 + 3
    # ripple: the carry crosses all 31 positions
    assert depth("ripple", 2) == 32


def test_unknown_adder_is_a_clear_error():
    with pytest.raises(ValueError, match="choose one of"):
        adder_circuit(2, 8, 0, "magic")
