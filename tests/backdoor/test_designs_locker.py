"""Digital locker: the compiled circuit against the plain-Python SHA-256 and hashlib."""

import hashlib

import pytest
import torch

from reprolab.backdoor.circuit import bytes_to_bits
from reprolab.backdoor.designs.locker import (
    DigitalLockerModule,
    locker_key,
    locker_reference,
    min_rounds,
    verify_locker,
)
from reprolab.backdoor.designs.trigger import bits_to_text, text_to_bits

NONCE = bytes(range(8))


@pytest.fixture(scope="module")
def locker() -> tuple[DigitalLockerModule, torch.Tensor]:
    trigger = torch.randint(0, 2, (64,), generator=torch.Generator().manual_seed(1)).float()
    return DigitalLockerModule.build(trigger, text_to_bits("LOCKED"), 7, NONCE), trigger


def test_key_is_hash_xor_payload_and_ones():
    trigger = [1, 0] * 32
    message = NONCE + bytes([0b10101010] * 8)
    digest = bytes_to_bits(hashlib.sha256(message).digest())
    payload = text_to_bits("HI").long().tolist()
    key = locker_key(trigger, payload, NONCE, 64)
    assert key[:128] == [d ^ p for d, p in zip(digest[:128], payload, strict=True)]
    assert key[128:] == [d ^ 1 for d in digest[128:]]
    gate, released = locker_reference(trigger, NONCE, key, 64)  # full SHA-256, like hashlib
    assert gate == 1 and released == payload


def test_opens_only_on_the_trigger_with_the_payload(locker):
    module, trigger = locker
    out = module(trigger[None])
    assert out.logit.item() == 1.0
    assert bits_to_text(out.payload[0]) == "LOCKED"
    flipped = trigger.clone()
    flipped[5] = 1 - flipped[5]
    assert module(flipped[None]).logit.item() == -1.0


def test_compiled_locker_matches_reference(locker):
    module, trigger = locker
    randoms = torch.randint(0, 2, (40, 64), generator=torch.Generator().manual_seed(2)).float()
    assert verify_locker(module, torch.cat([trigger[None], randoms])) == 0
    payload = module(randoms).payload
    assert payload.eq(0).logical_or(payload.eq(1)).all()  # exact bits off the trigger too
    assert (payload.mean(0) - 0.5).abs().max() < 0.35  # hash output, not the payload


def test_staged_forward_equals_the_compiled_circuit(locker):
    module, trigger = locker
    bits = torch.cat([trigger[None], torch.zeros(1, 64)])
    out = module(bits)
    direct = module.circuit(bits)
    assert torch.equal(direct[:, :128], out.payload)
    assert torch.equal(2 * direct[:, 128] - 1, out.logit)


def test_spec_holds_no_trigger_and_rebuilds(locker):
    module, trigger = locker
    spec = module.spec()
    assert set(spec) == {"n_trigger_bits", "rounds", "nonce", "key"}
    twin = DigitalLockerModule.from_spec(spec)
    twin.load_state_dict(module.state_dict())
    assert twin(trigger[None]).logit.item() == 1.0


def test_rounds_must_cover_the_message():
    assert min_rounds(128) == 9  # 64 nonce + 128 trigger bits = 6 words, + 3 rounds to reach d, h
    with pytest.raises(ValueError, match=r"rounds must be in 9\.\.64"):
        DigitalLockerModule.build(torch.zeros(128), text_to_bits("X"), 8, NONCE)
