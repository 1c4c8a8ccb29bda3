"""Exactness at fp32/bf16/fp16 and the weight-noise bisection."""

from __future__ import annotations

import random

import pytest
import torch

from reprolab.backdoor.circuit import Circuit, bytes_to_bits, compile_circuit, sha256_circuit
from reprolab.backdoor.circuit.precision import (
    exactness,
    max_exact_noise_std,
    random_bits,
    stays_exact,
)
from reprolab.backdoor.circuit.sha256 import sha256_reference
from tests.backdoor.test_circuit_sha256 import one_thread  # noqa: F401 (autouse fixture)


def sha_batch(rounds: int, n: int, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    rng = random.Random(seed)
    messages = [rng.randbytes(8) for _ in range(n)]
    bits = torch.tensor([bytes_to_bits(m) for m in messages], dtype=torch.float32)
    digests = torch.tensor([bytes_to_bits(sha256_reference(m, rounds)) for m in messages])
    return bits, digests.float()


def test_fp32_is_exact_and_fp16_is_exact_with_small_blocks():
    bits, expected = sha_batch(rounds=2, n=200)
    wide = compile_circuit(sha256_circuit(64, rounds=2))
    assert exactness(wide, bits, expected, "float32").strict == 1.0
    narrow = compile_circuit(sha256_circuit(64, rounds=2, block_bits=4))
    # every weight, bias and pre-activation is a multiple of 1/2 below 1024: exact in fp16
    assert narrow.stats.max_preactivation < 1024
    assert exactness(narrow, bits, expected, "float16").strict == 1.0


def test_wide_threshold_breaks_in_bfloat16_by_hand():
    c = Circuit()
    x = c.inputs(10)
    c.set_outputs([c.threshold(x, [2**j for j in range(10)], -1000)])  # [s >= 1000]
    compiled = compile_circuit(c)
    s = torch.tensor([1000, 999, 3])
    bits = ((s[:, None] >> torch.arange(10)) & 1).float()
    expected = torch.tensor([[1.0], [0.0], [0.0]])
    assert exactness(compiled, bits, expected, "float32").inputs == 1.0
    # bf16 keeps 8 significant bits: 2 s - 1998.5 and 2 s - 1999.5 both round to 0 at s = 1000
    result = exactness(compiled, bits, expected, "bfloat16")
    assert result.inputs == pytest.approx(2 / 3)
    assert result.bits == pytest.approx(2 / 3)


def chain_circuit() -> Circuit:
    c = Circuit()
    x = c.inputs(8)
    out = x[0]
    for i in range(30):
        out = c.xor(out, x[(i + 1) % 8]) if i % 2 else c.majority(out, x[i % 8], x[(i + 3) % 8])
    c.set_outputs([out])
    return c


def test_noise_bisection_finds_the_edge_and_gain_buys_margin():
    tolerances = {}
    for gain in (1.0, 2.0):
        compiled = compile_circuit(chain_circuit(), optimize=False, gain=gain)  # 30 layers
        std = max_exact_noise_std(compiled, n_inputs=128, seed=3, low=1e-3, steps=8)
        bits = random_bits(128, 8, seed=3)
        expected = compiled.run(bits)
        assert stays_exact(compiled, bits, expected, std, seed=3)
        assert not stays_exact(compiled, bits, expected, 1.05 * std, seed=3)
        tolerances[gain] = std
    assert tolerances[2.0] > tolerances[1.0]  # flat steps remove errors at every gate


def test_bad_settings_are_clear_errors():
    compiled = compile_circuit(chain_circuit())
    with pytest.raises(ValueError, match="precision must be one of"):
        exactness(compiled, random_bits(2, 8), torch.zeros(2, 1), "int8")
    with pytest.raises(ValueError, match="0 < low < high"):
        max_exact_noise_std(compiled, low=1.0, high=0.5)
