"""Batched generation: greedy is batch-independent, stop strings cut, seeds reproduce."""

from __future__ import annotations

import copy

import pytest
import torch

from reprolab.lm.generation import cut_at_stop, generate, prompt_text
from reprolab.lm.requests import SamplingParams
from tests.lm.tiny_models import tiny_llama

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
