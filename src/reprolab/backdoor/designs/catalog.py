"""What settings are checked against without building anything (plain Python, no torch): the
design names and titles, the payload size, and how large a digital locker can be."""

from __future__ import annotations

from reprolab.core.errors import UserError
from reprolab.core.registry import Registry

DESIGN_TITLES: Registry[str] = Registry("backdoor design")
DESIGN_TITLES.register("password", "password-locked")
DESIGN_TITLES.register("sat", "NP-complete (3-SAT)")
DESIGN_TITLES.register("locker", "encrypted (digital locker)")

PAYLOAD_BYTES = 16  # a payload: at most 15 ASCII characters, NUL padded
BITS_PER_TOKEN = 16  # trigger bits a host reads from each token id (SmolLM2: 49,152 < 2**16)
NONCE_BYTES = 8
SHA256_BLOCK_BITS = 512
# nonce, trigger and SHA-256's padding (a 1 bit and the 64-bit length) fill one block
MAX_TRIGGER_BITS = (SHA256_BLOCK_BITS - 65 - 8 * NONCE_BYTES) // 8 * 8  # 376


def min_rounds(n_trigger_bits: int) -> int:
    """Fewest rounds after which every digest word depends on every nonce and trigger word."""
    return -(-(8 * NONCE_BYTES + n_trigger_bits) // 32) + 3


def check_locker_settings(n_trigger_bits: int, rounds: int | None) -> None:
    """Raise `UserError` unless a locker can read `n_trigger_bits` (whole bytes that fit in one
    SHA-256 block beside the nonce) with `rounds` (None: `min_rounds`)."""
    if n_trigger_bits % 8 or not 8 <= n_trigger_bits <= MAX_TRIGGER_BITS:
        raise UserError(f"The locker reads a trigger of whole bytes, 8 to {MAX_TRIGGER_BITS} "
                        f"bits (one SHA-256 block with the nonce); got {n_trigger_bits} trigger "
                        "bits.")
    if rounds is not None and not min_rounds(n_trigger_bits) <= rounds <= 64:
        raise UserError(f"rounds must be in {min_rounds(n_trigger_bits)}..64 for a "
                        f"{n_trigger_bits}-bit trigger (every digest word must depend on every "
                        f"input word), got {rounds}.")
