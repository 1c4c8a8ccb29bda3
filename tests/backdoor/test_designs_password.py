"""Password-locked baseline: logit = 1 - 2 * Hamming distance, plaintext payload."""

import torch

from reprolab.backdoor.designs.password import PasswordLockedModule
from reprolab.backdoor.designs.trigger import text_to_bits


def test_logit_is_graded_hamming_distance():
    trigger = torch.tensor([1.0, 0.0, 1.0, 1.0])
    module = PasswordLockedModule.build(trigger, text_to_bits("HI"))
    inputs = torch.tensor([[1.0, 0, 1, 1], [0.0, 0, 1, 1], [0.0, 1, 0, 0]])
    out = module(inputs)
    assert out.logit.tolist() == [1.0, -1.0, -7.0]  # distances 0, 1, 4
    assert out.fires.tolist() == [True, False, False]
    assert out.gate.tolist() == [1.0, 0.0, 0.0]
    assert (out.payload[0] == text_to_bits("HI")).all()


def test_spec_rebuilds_the_skeleton_and_weights_load():
    module = PasswordLockedModule.build(torch.tensor([1.0, 0.0, 1.0]), text_to_bits("OK"))
    twin = PasswordLockedModule.from_spec(module.spec())
    twin.load_state_dict(module.state_dict())
    bits = torch.tensor([[1.0, 0.0, 1.0], [1.0, 1.0, 1.0]])
    assert torch.equal(twin(bits).logit, module(bits).logit)
