"""Batched generation: greedy is batch-independent, stop strings and EOS end a row (which then
leaves the batch), a prompt is read once for all its samples, seeds reproduce."""

from __future__ import annotations

import copy

import pytest
import torch

from reprolab.core.errors import UserError
from reprolab.lm.generation import (
    _TRIM,
    cut_at_stop,
    draw,
    generate,
    next_tokens,
    prompt_text,
)
from reprolab.lm.requests import SamplingParams
from tests.lm.tiny_models import tiny_gemma3, tiny_llama

PROMPTS = ["The quick brown fox", "Question: What is 2 + 2?", "Hello", "SMILES strings such as"]
GREEDY = SamplingParams(max_new_tokens=12, temperature=0)


@pytest.fixture(scope="module")
def model_and_tokenizer(tmp_path_factory):
    return tiny_llama(tmp_path_factory.mktemp("llama"))


def greedy_by_hand(model, tokenizer, ids: list[int], steps: int) -> str:
    """Argmax decoding from token ids with plain full forward passes, no cache, no padding."""
    ids, start = list(ids), len(ids)
    with torch.no_grad():
        for _ in range(steps):
            next_id = int(model(torch.tensor([ids])).logits[0, -1].argmax())
            if next_id == tokenizer.eos_token_id:
                break
            ids.append(next_id)
    return tokenizer.decode(ids[start:], skip_special_tokens=True)


def test_batched_greedy_equals_one_by_one_and_decoding_by_hand(model_and_tokenizer) -> None:
    model, tokenizer = model_and_tokenizer
    batched = generate(model, tokenizer, PROMPTS, GREEDY, batch_size=3, progress=False)
    alone = [generate(model, tokenizer, [p], GREEDY, batch_size=1, progress=False)[0]
             for p in PROMPTS]
    assert batched == alone
    assert generate(model, tokenizer, [], GREEDY, progress=False) == []
    assert [texts[0] for texts in batched] == [
        greedy_by_hand(model, tokenizer, tokenizer.encode(p), GREEDY.max_new_tokens)
        for p in PROMPTS]


def test_stop_strings_cut_the_text_at_their_first_occurrence(model_and_tokenizer) -> None:
    model, tokenizer = model_and_tokenizer
    free = generate(model, tokenizer, PROMPTS, GREEDY, progress=False)
    # a stop string taken from inside each free-running text must end that text just before it
    for prompt, [text] in zip(PROMPTS, free, strict=True):
        stop = text[3:5]
        params = SamplingParams(max_new_tokens=12, temperature=0, stop=(stop, "never seen"))
        [[cut]] = generate(model, tokenizer, [prompt], params, progress=False)
        assert cut == text[:text.index(stop)]


def test_cut_at_stop_uses_the_earliest_stop_string() -> None:
    assert cut_at_stop("abc. def\nghi", (".", "\n")) == "abc"
    assert cut_at_stop("abc\ndef. ghi", (".", "\n")) == "abc"
    assert cut_at_stop("abc", ("x",)) == "abc"


def test_same_seed_same_samples_and_other_seed_other_samples(model_and_tokenizer) -> None:
    model, tokenizer = model_and_tokenizer
    params = SamplingParams(max_new_tokens=12, temperature=1.0, seed=3)
    first = generate(model, tokenizer, PROMPTS, params, num_return_sequences=2, progress=False)
    torch.manual_seed(123)  # the caller's RNG state must not matter
    again = generate(model, tokenizer, PROMPTS, params, num_return_sequences=2, progress=False)
    other = generate(model, tokenizer, PROMPTS, SamplingParams(
        max_new_tokens=12, temperature=1.0, seed=4), num_return_sequences=2, progress=False)
    assert first == again
    assert first != other
    assert all(len(samples) == 2 for samples in first)


def test_a_call_leaves_the_callers_random_stream_alone(model_and_tokenizer) -> None:
    model, tokenizer = model_and_tokenizer
    torch.manual_seed(0)
    expected = torch.rand(3)
    torch.manual_seed(0)
    generate(model, tokenizer, PROMPTS[:1], SamplingParams(max_new_tokens=4), progress=False)
    assert torch.equal(torch.rand(3), expected)


def test_tiny_top_p_samples_the_greedy_text(model_and_tokenizer) -> None:
    model, tokenizer = model_and_tokenizer
    greedy = generate(model, tokenizer, PROMPTS, GREEDY, progress=False)
    nucleus = SamplingParams(max_new_tokens=12, temperature=1.0, top_p=1e-6, seed=7)
    assert generate(model, tokenizer, PROMPTS, nucleus, progress=False) == greedy


def test_chat_wraps_the_prompt_in_the_chat_template(model_and_tokenizer) -> None:
    model, tokenizer = model_and_tokenizer
    text = prompt_text(tokenizer, "Hi", chat=True)
    assert text == "<s><|user|>Hi</s><|assistant|>"
    [[chat]] = generate(model, tokenizer, ["Hi"], GREEDY, chat=True, progress=False)
    ids = tokenizer.encode(text, add_special_tokens=False)  # the template writes its own BOS
    assert ids.count(tokenizer.bos_token_id) == 1
    assert chat == greedy_by_hand(model, tokenizer, ids, GREEDY.max_new_tokens)


def test_chat_without_a_template_is_a_clear_error(model_and_tokenizer) -> None:
    bare = copy.deepcopy(model_and_tokenizer[1])
    bare.chat_template = None
    with pytest.raises(ValueError, match="no chat template"):
        prompt_text(bare, "Hi", chat=True)


def test_sliding_window_gemma3_batched_greedy_equals_one_by_one(tmp_path) -> None:
    """Past the window, with copies of each prompt and rows leaving the batch early."""
    model, tokenizer = tiny_gemma3(tmp_path, sliding_window=4)
    [[first], *_] = generate(model, tokenizer, PROMPTS, GREEDY, progress=False)
    params = SamplingParams(max_new_tokens=12, temperature=0, stop=(first[1],))
    batched = generate(model, tokenizer, PROMPTS, params, batch_size=4, num_return_sequences=2,
                       progress=False)
    alone = [generate(model, tokenizer, [p], params, batch_size=1, progress=False)[0] * 2
             for p in PROMPTS]
    assert batched == alone


def _forward_shapes(model, key: str = "input_ids") -> tuple[list[tuple[int, int]], object]:
    """Record the shape of `key` at every forward call of `model`; returns (shapes, handle)."""
    shapes: list[tuple[int, int]] = []
    handle = model.register_forward_pre_hook(
        lambda module, args, kwargs: shapes.append(tuple(kwargs[key].shape)), with_kwargs=True)
    return shapes, handle


def test_a_prompt_is_read_once_for_all_its_samples(model_and_tokenizer) -> None:
    model, tokenizer = model_and_tokenizer
    [single] = generate(model, tokenizer, PROMPTS[:1], GREEDY, progress=False)
    shapes, handle = _forward_shapes(model)
    try:
        [copies] = generate(model, tokenizer, PROMPTS[:1], GREEDY, num_return_sequences=3,
                            progress=False)
    finally:
        handle.remove()
    assert copies == single * 3
    prompt_tokens = len(tokenizer.encode(PROMPTS[0]))
    assert shapes[0] == (1, prompt_tokens)  # one prefill for the three samples
    assert all(shape == (3, 1) for shape in shapes[1:])


def test_rows_that_stopped_leave_the_batch(model_and_tokenizer) -> None:
    model, tokenizer = model_and_tokenizer
    free = generate(model, tokenizer, PROMPTS, GREEDY, progress=False)
    stop = free[0][0][1]  # the second character of the first text stops it at once
    params = SamplingParams(max_new_tokens=12, temperature=0, stop=(stop,))
    shapes, handle = _forward_shapes(model)
    try:
        cut = generate(model, tokenizer, PROMPTS, params, batch_size=4, progress=False)
    finally:
        handle.remove()
    assert cut == [[cut_at_stop(text, (stop,))] for [text] in free]
    rows = [batch for batch, _ in shapes[1:]]
    assert rows == sorted(rows, reverse=True) and rows[-1] < len(PROMPTS)
    assert sum(rows) < len(PROMPTS) * (GREEDY.max_new_tokens - 1)


def test_an_ended_row_goes_to_the_next_sample_and_the_cache_stays_short(
        model_and_tokenizer) -> None:
    model, tokenizer = model_and_tokenizer
    free = generate(model, tokenizer, PROMPTS, GREEDY, progress=False)
    params = SamplingParams(max_new_tokens=12, temperature=0, stop=(free[0][0][1],))
    alone = [generate(model, tokenizer, [p], params, batch_size=1, progress=False)[0] * 12
             for p in PROMPTS]
    shapes, handle = _forward_shapes(model)
    masks, mask_handle = _forward_shapes(model, "attention_mask")
    try:
        together = generate(model, tokenizer, PROMPTS, params, batch_size=3,
                            num_return_sequences=12, progress=False)
    finally:
        handle.remove()
        mask_handle.remove()
    assert together == alone
    prefills = [rows for rows, tokens in shapes if tokens > 1]
    assert sum(prefills) == len(PROMPTS)  # each prompt read once for its 12 samples
    steps = [rows for rows, tokens in shapes if tokens == 1]
    assert steps.count(3) >= len(steps) - 2  # full until the last samples end
    longest = max(len(tokenizer.encode(p)) for p in PROMPTS)
    assert len(steps) > longest + 12 + _TRIM  # long enough for columns to be dropped
    assert max(width for _, width in masks) <= longest + 12 + _TRIM


def test_a_row_ends_at_the_models_end_token(model_and_tokenizer) -> None:
    model, tokenizer = model_and_tokenizer
    ids = tokenizer.encode(PROMPTS[1])
    with torch.no_grad():
        for _ in range(2):
            ids.append(int(model(torch.tensor([ids])).logits[0, -1].argmax()))
    first, second = ids[-2:]
    assert first != second
    saved = model.generation_config.eos_token_id
    model.generation_config.eos_token_id = [tokenizer.eos_token_id, second]
    try:
        [[text]] = generate(model, tokenizer, PROMPTS[1:2], GREEDY, progress=False)
    finally:
        model.generation_config.eos_token_id = saved
    assert text == tokenizer.decode([first])


def test_nucleus_sampling_keeps_the_smallest_set_reaching_top_p() -> None:
    logits = torch.log(torch.tensor([[0.5, 0.3, 0.2]]).repeat(400, 1))
    generator = torch.Generator().manual_seed(0)

    def drawn(top_p: float) -> set[int]:
        params = SamplingParams(temperature=1.0, top_p=top_p)
        return set(next_tokens(logits.clone(), params, generator).tolist())  # overwritten

    assert drawn(0.5) == {0}  # 0.5 alone reaches 0.5
    assert drawn(0.6) == {0, 1}
    assert drawn(1.0) == {0, 1, 2}
    greedy = SamplingParams(temperature=0)
    assert next_tokens(torch.tensor([[0.1, 2.0, -1.0]]), greedy, generator).tolist() == [1]


def test_draws_follow_the_probabilities_and_never_pick_an_impossible_token() -> None:
    probs = torch.tensor([[0.0, 0.1, 0.0, 0.6, 0.3]]).repeat(40_000, 1)
    drawn = draw(probs, torch.Generator().manual_seed(0))
    counts = torch.bincount(drawn, minlength=5) / len(drawn)
    assert counts[0] == counts[2] == 0
    assert torch.allclose(counts, probs[0], atol=0.01)
    again = draw(probs[:50], torch.Generator().manual_seed(0))
    assert torch.equal(again, drawn[:50])  # seeded
    edge = torch.tensor([[0.0, 0.0, 1.0], [1.0, 0.0, 0.0]])
    assert draw(edge, torch.Generator().manual_seed(1)).tolist() == [2, 0]


def test_draws_across_blocks_of_unnormalised_weights() -> None:
    weights = torch.zeros(1000)  # four blocks of 256, the last one padded
    weights[[3, 255, 256, 700, 999]] = torch.tensor([1.0, 2.0, 3.0, 0.5, 3.5])  # total 10
    weights[300:400] = 1e-30  # possible but never seen in 60,000 draws
    drawn = draw(weights.repeat(60_000, 1), torch.Generator().manual_seed(0))
    counts = torch.bincount(drawn, minlength=1000).double() / len(drawn)
    expected = weights.double() / weights.double().sum()
    assert set(drawn.unique().tolist()) == {3, 255, 256, 700, 999}
    assert torch.allclose(counts, expected, atol=0.006)
    small = draw(weights[None, :7] + 1, torch.Generator().manual_seed(0), block=4)
    assert 0 <= small.item() < 7


def test_bad_sampling_settings_are_user_errors() -> None:
    for settings in ({"max_new_tokens": 0}, {"temperature": -1.0}, {"top_p": 0.0}):
        with pytest.raises(UserError):
            SamplingParams(**settings)
