"""The in-place decoding cache: the same logits as `transformers`' own cache through prefill,
copies, rows leaving and the buffer growing."""

from __future__ import annotations

from pathlib import Path

import torch
from transformers.cache_utils import DynamicSlidingWindowLayer

from reprolab.lm.cache import GrowingLayer, decoding_cache
from tests.lm.tiny_models import tiny_gemma3, tiny_llama


def _decode(model, cache, steps: int) -> list[torch.Tensor]:
    """Logits of a prefill of two prompts, two copies each, then `steps` greedy steps with the
    second row dropped after the first step."""
    ids = torch.tensor([[5, 6, 7, 8], [9, 10, 11, 12]])
    output = model(input_ids=ids, cache=cache, use_cache=True)
    cache, logits = output.cache, [output.logits[:, -1]]
    cache.batch_repeat_interleave(2)
    tokens = logits[0].argmax(-1).repeat_interleave(2)
    for step in range(steps):
        if step == 1:
            keep = torch.tensor([0, 2, 3])
            cache.batch_select_indices(keep)
            tokens = tokens[keep]
        output = model(input_ids=tokens[:, None], cache=cache, use_cache=True)
        cache, tokens = output.cache, output.logits[:, -1].argmax(-1)
        logits.append(output.logits[:, -1])
    return logits


def test_growing_cache_matches_the_dynamic_cache(tmp_path: Path) -> None:
    model, _ = tiny_llama(tmp_path)
    cache = decoding_cache(model, room=3)  # grows several times in 9 steps
    assert all(isinstance(layer, GrowingLayer) for layer in cache.layers)
    with torch.inference_mode():
        ours, theirs = _decode(model, cache, 9), _decode(model, None, 9)
    assert cache.get_seq_length() == 4 + 9
    for a, b in zip(ours, theirs, strict=True):
        torch.testing.assert_close(a, b)


def test_sliding_window_layers_are_left_to_transformers(tmp_path: Path) -> None:
    model, _ = tiny_gemma3(tmp_path, sliding_window=4)
    cache = decoding_cache(model)
    assert [type(layer) for layer in cache.layers] == [DynamicSlidingWindowLayer, GrowingLayer]
    with torch.inference_mode():
        ours, theirs = _decode(model, cache, 6), _decode(model, None, 6)
    for a, b in zip(ours, theirs, strict=True):
        torch.testing.assert_close(a, b)
