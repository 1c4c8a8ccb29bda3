"""GCG over the trigger tokens finds the password but not the locker's trigger."""

import torch

from reprolab.backdoor.attacks.gcg import gcg_attack
from reprolab.backdoor.config import GcgConfig
from reprolab.backdoor.designs.registry import build_module
from reprolab.backdoor.designs.trigger import text_to_bits, token_bit_table, token_bits

VOCAB, K = 300, 4


def _organism(design: str):
    ids = torch.tensor([17, 250, 3, 101])
    payload = text_to_bits("FOUND")
    return build_module(design, token_bits(ids, 16).flatten(), payload), ids, payload


def test_gcg_recovers_the_password_tokens():
    module, ids, payload = _organism("password")
    table = token_bit_table(VOCAB, 16)
    result = gcg_attack(module, table, K, payload, GcgConfig(steps=40, top_k=8, candidates=32),
                        seed=1)
    assert result.elicited
    assert result.tokens == ids.tolist()
    assert result.losses[0] > result.losses[result.first_success]


def test_gcg_fails_on_the_locker_within_the_same_budget():
    module, _, payload = _organism("locker")
    table = token_bit_table(VOCAB, 16)
    result = gcg_attack(module, table, K, payload, GcgConfig(steps=40, top_k=8, candidates=32),
                        seed=1)
    assert not result.elicited and result.first_success == -1
    assert (result.losses == result.losses[0]).all()  # flat: no gradient signal at all
