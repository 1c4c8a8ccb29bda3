"""Off-trigger prompts never contain the trigger, whatever the seeds."""

import torch

from reprolab.backdoor.designs.trigger import random_tokens
from reprolab.backdoor.insertion.checks import contains_window, off_trigger_prompts


def test_contains_window_finds_the_trigger_anywhere_in_a_row():
    prompts = torch.tensor([[1, 2, 3, 4], [4, 1, 2, 9], [2, 1, 2, 1], [1, 9, 2, 3]])
    assert contains_window(prompts, torch.tensor([1, 2])).tolist() == [True, True, True, False]
    assert not contains_window(prompts[:, :1], torch.tensor([1, 2])).any()  # rows too short


def test_prompts_drawn_like_the_trigger_are_redrawn():
    avoid = {0}
    trigger = random_tokens(300, (8,), torch.Generator().manual_seed(0), avoid)
    raw = random_tokens(300, (200, 24), torch.Generator().manual_seed(0), avoid)
    assert torch.equal(raw[0, :8], trigger)  # the same seed starts the first prompt with it
    prompts = off_trigger_prompts(300, (200, 24), trigger, torch.Generator().manual_seed(0),
                                  avoid)
    assert prompts.shape == (200, 24) and not contains_window(prompts, trigger).any()
    assert torch.equal(prompts[1:], raw[1:])  # only the rows holding the trigger change
    assert not set(prompts.unique().tolist()) & avoid


def test_a_tiny_vocabulary_still_yields_prompts_without_the_trigger():
    trigger = torch.tensor([1, 2])
    prompts = off_trigger_prompts(3, (64, 6), trigger, torch.Generator().manual_seed(0), set())
    assert not contains_window(prompts, trigger).any()
