"""SHA-256 (FIPS 180-4) with any number of rounds: a plain-Python reference and a DSL circuit.

Bit order everywhere outside the circuit is the standard one: a byte string is read most
significant bit first, so `bytes_to_bits(hashlib.sha256(m).digest())` are the circuit's outputs.
A reduced-round variant runs the first `rounds` of the 64 rounds (the message schedule is cut to
match) and keeps the final feed-forward addition; at 64 rounds both equal `hashlib.sha256`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import partial
from typing import Literal

from reprolab.backdoor.circuit.adders import AdderKind, add_words
from reprolab.backdoor.circuit.dsl import Circuit, Wire, Word

MASK = 0xFFFFFFFF
BLOCK_BITS = 512


def _primes(n: int) -> list[int]:
    found: list[int] = []
    candidate = 2
    while len(found) < n:
        if all(candidate % p for p in found if p * p <= candidate):
            found.append(candidate)
        candidate += 1
    return found


def _integer_cube_root(n: int) -> int:
    root = 1 << ((n.bit_length() + 2) // 3)  # an upper bound; Newton decreases to floor(n**(1/3))
    while (better := (2 * root + n // (root * root)) // 3) < root:
        root = better
    return root


# First 32 bits of the fractional parts of the cube roots (K) and square roots (IV) of the primes.
ROUND_CONSTANTS = tuple(_integer_cube_root(p << 96) & MASK for p in _primes(64))
INITIAL_STATE = tuple(math.isqrt(p << 64) & MASK for p in _primes(8))


def bytes_to_bits(data: bytes) -> list[int]:
    """Bits of `data`, most significant bit of each byte first."""
    return [(byte >> (7 - i)) & 1 for byte in data for i in range(8)]


def bits_to_bytes(bits: Sequence[int]) -> bytes:
    """Inverse of `bytes_to_bits` (length must be a multiple of 8)."""
    if len(bits) % 8:
        raise ValueError(f"{len(bits)} bits is not a whole number of bytes")
    chunks = (bits[k:k + 8] for k in range(0, len(bits), 8))
    return bytes(sum(b << (7 - i) for i, b in enumerate(chunk)) for chunk in chunks)


def pad_bits(length: int) -> list[int]:
    """The padding FIPS 180-4 appends to a `length`-bit message: 1, zeros, 64-bit length."""
    zeros = (BLOCK_BITS - 64 - 1 - length) % BLOCK_BITS
    return [1] + [0] * zeros + [(length >> (63 - i)) & 1 for i in range(64)]


def _check_rounds(rounds: int) -> None:
    if not 1 <= rounds <= 64:
        raise ValueError(f"SHA-256 has 1 to 64 rounds, got {rounds}")


# ---------------------------------------------------------------- reference (Python integers)
def _rotr(x: int, n: int) -> int:
    return ((x >> n) | (x << (32 - n))) & MASK


def compress_reference(state: Sequence[int], block: Sequence[int], rounds: int = 64) -> list[int]:
    """SHA-256 compression of 16 message words into 8 state words, reduced to `rounds` rounds."""
    w = list(block)
    for t in range(16, rounds):
        s0 = _rotr(w[t - 15], 7) ^ _rotr(w[t - 15], 18) ^ (w[t - 15] >> 3)
        s1 = _rotr(w[t - 2], 17) ^ _rotr(w[t - 2], 19) ^ (w[t - 2] >> 10)
        w.append((w[t - 16] + s0 + w[t - 7] + s1) & MASK)
    a, b, c, d, e, f, g, h = state
    for t in range(rounds):
        big_s1 = _rotr(e, 6) ^ _rotr(e, 11) ^ _rotr(e, 25)
        choose = (e & f) ^ (~e & g)
        t1 = (h + big_s1 + choose + ROUND_CONSTANTS[t] + w[t]) & MASK
        big_s0 = _rotr(a, 2) ^ _rotr(a, 13) ^ _rotr(a, 22)
        majority = (a & b) ^ (a & c) ^ (b & c)
        h, g, f, e, d, c, b, a = g, f, e, (d + t1) & MASK, c, b, a, (t1 + big_s0 + majority) & MASK
    return [(x + y) & MASK for x, y in zip(state, (a, b, c, d, e, f, g, h), strict=True)]


def sha256_reference(message: bytes, rounds: int = 64) -> bytes:
    """SHA-256 digest of `message` with `rounds` rounds per block (64 = standard SHA-256)."""
    _check_rounds(rounds)
    bits = bytes_to_bits(message) + pad_bits(8 * len(message))
    state = list(INITIAL_STATE)
    for start in range(0, len(bits), BLOCK_BITS):
        words = bits_to_bytes(bits[start:start + BLOCK_BITS])
        block = [int.from_bytes(words[4 * i:4 * i + 4], "big") for i in range(16)]
        state = compress_reference(state, block, rounds)
    return b"".join(x.to_bytes(4, "big") for x in state)


# ---------------------------------------------------------------- circuit
def compress_circuit(
    circ: Circuit, state: Sequence[Word], block: Sequence[Word], rounds: int = 64,
    adder: AdderKind = "threshold", block_bits: int = 16,
) -> list[Word]:
    """The compression function on circuit words; mirrors `compress_reference`.

    Each round sums its operands with one multi-operand adder (no chain of two-operand adds), and
    the message schedule is built as soon as its inputs exist, in parallel with the rounds.
    """
    add = partial(add_words, circ, adder=adder, block_bits=block_bits)
    rotr, xor = circ.rotr, circ.xor_words
    w = list(block)
    for t in range(16, rounds):
        s0 = xor(rotr(w[t - 15], 7), rotr(w[t - 15], 18), circ.shr(w[t - 15], 3))
        s1 = xor(rotr(w[t - 2], 17), rotr(w[t - 2], 19), circ.shr(w[t - 2], 10))
        w.append(add([w[t - 16], s0, w[t - 7], s1]))
    a, b, c, d, e, f, g, h = state
    for t in range(rounds):
        t1_terms = [h, xor(rotr(e, 6), rotr(e, 11), rotr(e, 25)), circ.mux_words(e, f, g), w[t]]
        t2_terms = [xor(rotr(a, 2), rotr(a, 13), rotr(a, 22)), circ.majority_words(a, b, c)]
        new_e = add([d, *t1_terms], ROUND_CONSTANTS[t])
        new_a = add([*t1_terms, *t2_terms], ROUND_CONSTANTS[t])
        h, g, f, e, d, c, b, a = g, f, e, new_e, c, b, a, new_a
    return [add([x, y]) for x, y in zip(state, (a, b, c, d, e, f, g, h), strict=True)]


def _word(bits: Sequence[Wire]) -> Word:
    """32 wires most significant first (message order) -> a word, least significant first."""
    return tuple(reversed(bits))


def sha256_circuit(
    message: int | Literal["block"] = "block", rounds: int = 64, adder: AdderKind = "threshold",
    block_bits: int = 16,
) -> Circuit:
    """SHA-256 as a circuit with 256 outputs (digest bits, most significant first).

    message: an int L >= 0 takes an L-bit message as input and pads it inside the circuit (one
        compression for L <= 447, more for longer messages); "block" takes one already padded
        512-bit block and compresses it from the initial state.
    rounds: rounds per compression (1-64); adder, block_bits: see `adders.add_words`.
    """
    _check_rounds(rounds)
    circ = Circuit()
    if message == "block":
        bits = circ.inputs(BLOCK_BITS)
    elif isinstance(message, int) and message >= 0:
        bits = circ.inputs(message) + [circ.const(b) for b in pad_bits(message)]
    else:
        raise ValueError(f"message is a bit length >= 0 or 'block', got {message!r}")
    state = [circ.const_word(value) for value in INITIAL_STATE]
    for start in range(0, len(bits), BLOCK_BITS):
        block = [_word(bits[start + 32 * i:start + 32 * i + 32]) for i in range(16)]
        state = compress_circuit(circ, state, block, rounds, adder, block_bits)
    circ.set_outputs([bit for word in state for bit in _word(word)])
    return circ
