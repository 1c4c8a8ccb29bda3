"""SHA-256: reference and circuit against hashlib (NIST vectors, random messages), depth goals."""

from __future__ import annotations

import hashlib
import random

import pytest
import torch

from reprolab.backdoor.circuit import (
    bits_to_bytes,
    bytes_to_bits,
    compile_circuit,
    evaluate,
    sha256_circuit,
    sha256_reference,
)
from reprolab.backdoor.circuit.dsl_to_graph import dsl_to_graph
from reprolab.backdoor.circuit.sha256 import (
    INITIAL_STATE,
    ROUND_CONSTANTS,
    compress_reference,
    pad_bits,
)

NIST = [  # FIPS 180-2 appendix B: one-block, empty and two-block messages
    b"abc", b"", b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
]


@pytest.fixture(autouse=True)
def one_thread():
    """Sparse kernels on the shared 2-core machine run far faster without thread contention."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def block_circuit():
    """64-round SHA-256 of one padded block, compiled."""
    return compile_circuit(sha256_circuit("block", rounds=64))


def padded_block(message: bytes) -> list[int]:
    bits = bytes_to_bits(message) + pad_bits(8 * len(message))
    assert len(bits) == 512, "one-block messages only (<= 55 bytes)"
    return bits


def digests(compiled, messages: list[bytes]) -> list[bytes]:
    bits = torch.tensor([padded_block(m) for m in messages], dtype=torch.float32)
    return [bits_to_bytes([int(b) for b in row]) for row in compiled.run(bits, 1024)]


def test_constants_are_the_standard_ones():
    assert (ROUND_CONSTANTS[0], ROUND_CONSTANTS[63]) == (0x428A2F98, 0xC67178F2)
    assert (INITIAL_STATE[0], INITIAL_STATE[7]) == (0x6A09E667, 0x5BE0CD19)


def test_reference_equals_hashlib():
    rng = random.Random(0)
    messages = NIST + [rng.randbytes(rng.randint(0, 200)) for _ in range(100)]
    for message in messages:
        assert sha256_reference(message) == hashlib.sha256(message).digest()


def test_one_round_keeps_six_state_words_by_hand():
    # after one round b, c, d, f, g, h are the old a, b, c, e, f, g; the feed-forward adds the IV
    state = compress_reference(INITIAL_STATE, [0x12345678] * 16, rounds=1)
    iv = INITIAL_STATE
    for out, (old, new) in zip(state[1:4] + state[5:], [(1, 0), (2, 1), (3, 2), (5, 4), (6, 5),
                                                        (7, 6)], strict=True):
        assert out == (iv[old] + iv[new]) & 0xFFFFFFFF


@pytest.mark.parametrize("message", NIST, ids=["abc", "empty", "448-bit"])
def test_circuit_evaluates_nist_vectors(message):
    circuit = sha256_circuit(8 * len(message))  # message bits in, padding inside
    out = evaluate(circuit, bytes_to_bits(message))
    assert bits_to_bytes(out) == hashlib.sha256(message).digest()


def test_compiled_block_circuit_matches_hashlib(block_circuit):
    rng = random.Random(1)
    messages = NIST[:2] + [rng.randbytes(rng.randint(0, 55)) for _ in range(2000)]
    assert digests(block_circuit, messages) == [hashlib.sha256(m).digest() for m in messages]
    out = block_circuit(torch.tensor([padded_block(b"abc")], dtype=torch.float32))
    assert set(out.unique().tolist()) <= {0.0, 1.0}  # exactly bits in fp32


def test_depth_goals(block_circuit):
    assert block_circuit.stats.depth <= 900
    two_rounds = compile_circuit(sha256_circuit(64, rounds=2))
    assert two_rounds.stats.depth <= 30
    assert block_circuit.stats.parameters < 4.27e9 / 1000  # far below the dense anchor


@pytest.mark.parametrize("rounds", [1, 2, 4, 16])
def test_reduced_rounds_match_the_reference(rounds):
    rng = random.Random(rounds)
    circuit = sha256_circuit(40, rounds=rounds)
    messages = [rng.randbytes(5) for _ in range(300)]
    compiled = compile_circuit(circuit)
    out = compiled(torch.tensor([bytes_to_bits(m) for m in messages], dtype=torch.float32))
    got = [bits_to_bytes([int(b) for b in row]) for row in out]
    assert got == [sha256_reference(m, rounds) for m in messages]
    assert bits_to_bytes(evaluate(circuit, bytes_to_bits(messages[0]))) == got[0]


def test_constant_message_compiles_to_constants():
    compiled = compile_circuit(sha256_circuit(0))  # the empty message: nothing left to compute
    assert compiled.stats.depth == 0
    out = compiled(torch.zeros(1, 0))
    assert bits_to_bytes([int(b) for b in out[0]]) == hashlib.sha256(b"").digest()


def test_slower_adders_give_the_same_hash_deeper():
    message = b"abc"
    depths = {}
    for adder in ("ripple", "carry_save", "threshold"):
        circuit = sha256_circuit(24, rounds=4, adder=adder)
        assert bits_to_bytes(evaluate(circuit, bytes_to_bits(message))) == \
            sha256_reference(message, rounds=4)
        depths[adder] = dsl_to_graph(circuit).total_depth
    assert depths["threshold"] < depths["carry_save"] < depths["ripple"]


def test_bad_arguments_are_clear_errors():
    with pytest.raises(ValueError, match="1 to 64 rounds"):
        sha256_circuit(8, rounds=65)
    with pytest.raises(ValueError, match="bit length"):
        sha256_circuit(-1)


@pytest.mark.slow
def test_ten_thousand_random_messages_and_the_two_block_vector(block_circuit):
    rng = random.Random(2)
    messages = [rng.randbytes(rng.randint(0, 55)) for _ in range(10_000)]
    assert digests(block_circuit, messages) == [hashlib.sha256(m).digest() for m in messages]
    two_blocks = compile_circuit(sha256_circuit(448))
    longer = [NIST[2]] + [rng.randbytes(56) for _ in range(200)]
    out = two_blocks.run(torch.tensor([bytes_to_bits(m) for m in longer], dtype=torch.float32))
    assert [bits_to_bytes([int(b) for b in row]) for row in out] == \
        [hashlib.sha256(m).digest() for m in longer]
