"""A backdoor survives fine-tuning, and off-trigger logits track the tuned host."""

import pytest
import torch

from reprolab.backdoor.config import FinetuneConfig
from reprolab.backdoor.designs.trigger import random_tokens
from reprolab.backdoor.insertion.finetune import finetune_survival
from reprolab.backdoor.insertion.hosts import TINY_EOS, backdoor, tiny_host
from reprolab.core.device import one_thread

GEN = torch.Generator


@pytest.fixture(autouse=True)
def _one_thread():
    """Tiny models: spare threads only add contention on a shared machine."""
    with one_thread():
        yield


def test_backdoor_survives_finetuning_and_logits_track_the_tuned_host():
    trigger = torch.tensor(list(b"knock-kn"))
    model = backdoor(tiny_host(seed=5), None, "password", trigger, "STILL HERE")
    generator = GEN().manual_seed(0)
    tokens = random_tokens(TINY_EOS, (16, 12), generator)
    prompt = torch.tensor([[*b"hey ", *trigger.tolist()]])
    expected = [*b"STILL HERE", TINY_EOS]
    before = model.host.lm_head.weight.detach().clone()
    result = finetune_survival(model, tokens, prompt, expected,
                               random_tokens(TINY_EOS, (8, 12), generator),
                               FinetuneConfig(steps=5, lr=1e-2), seed=0)
    assert result.payload_survives is True
    assert result.off_trigger_max_abs_diff == 0.0
    assert torch.equal(model.host.lm_head.weight, before)  # the original is not tuned
