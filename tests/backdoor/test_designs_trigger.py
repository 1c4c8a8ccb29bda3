"""Bit encodings of payloads and token ids (hand-computed values)."""

import pytest
import torch

from reprolab.backdoor.designs.trigger import (
    bits_to_bytes,
    bits_to_text,
    bytes_to_bits,
    random_tokens,
    text_to_bits,
    token_bit_table,
    token_bits,
)


def test_text_to_bits_is_msb_first_and_nul_padded():
    bits = text_to_bits("A")  # 0x41 = 0100 0001
    assert bits.shape == (128,)
    assert bits[:8].tolist() == [0, 1, 0, 0, 0, 0, 0, 1]
    assert bits[8:].sum() == 0
    assert bits_to_text(bits) == "A"


def test_bytes_round_trip_and_rounding():
    bits = bytes_to_bits(b"\x05\xff")
    assert bits.tolist() == [0, 0, 0, 0, 0, 1, 0, 1] + [1] * 8
    noisy = bits * 0.9 + 0.04  # values within 0.5 of the bits round back
    assert bits_to_bytes(noisy).tolist() == [5, 255]


def test_payload_limits():
    with pytest.raises(ValueError, match="at most 15"):
        text_to_bits("X" * 16)
    with pytest.raises(ValueError, match="ASCII"):
        text_to_bits("héllo")


def test_token_bits_and_table():
    assert token_bits(torch.tensor([5]), 4).tolist() == [[0, 1, 0, 1]]
    table = token_bit_table(6, 4)
    assert table[5].tolist() == [0, 1, 0, 1]
    assert table.shape == (6, 4)
    with pytest.raises(ValueError, match="cannot tell"):
        token_bit_table(17, 4)


def test_random_tokens_avoid_special_ids():
    ids = random_tokens(5, (200,), torch.Generator().manual_seed(0), avoid={0, 3})
    assert set(ids.tolist()) == {1, 2, 4}
