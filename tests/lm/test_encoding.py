"""Tokenisation of (context, continuation) pairs: lm-eval's rules, checked by hand and against
lm-eval itself."""

from __future__ import annotations

import pytest
from transformers import LlamaConfig, PretrainedConfig

from reprolab.lm.encoding import PairEncoder, resolve_max_length
from reprolab.lm.requests import LoglikelihoodRequest
from tests.lm.tiny_models import tiny_llama, tiny_tokenizer


@pytest.fixture(scope="module")
def tokenizer():
    return tiny_tokenizer()


def test_trailing_spaces_of_the_context_move_to_the_continuation(tokenizer) -> None:
    context, continuation = PairEncoder(tokenizer).encode_pair("The dog ", "sleeps")
    assert context == tokenizer.encode("The dog")
    assert continuation == tokenizer.encode("The dog sleeps")[len(context):]
    assert tokenizer.decode(continuation) == " sleeps"


def test_context_starts_with_bos_and_continuation_does_not(tokenizer) -> None:
    context, continuation = PairEncoder(tokenizer).encode_pair("The fox", " runs")
    assert context[0] == tokenizer.bos_token_id
    assert tokenizer.bos_token_id not in continuation


def test_text_that_already_starts_with_bos_gets_no_second_bos(tokenizer) -> None:
    context, _ = PairEncoder(tokenizer).encode_pair("<s>The fox", " runs")
    assert context == tokenizer.encode("The fox")  # one BOS, from the text


def test_empty_context_becomes_the_bos_token(tokenizer) -> None:
    context, continuation = PairEncoder(tokenizer).encode_pair("", "Hello there")
    assert context == [tokenizer.bos_token_id]
    assert continuation == tokenizer.encode("Hello there", add_special_tokens=False)
    context, continuation = PairEncoder(tokenizer).encode_pair("", "<s>Hello")
    assert context == [tokenizer.bos_token_id]
    assert continuation == tokenizer.encode("Hello", add_special_tokens=False)


def test_long_requests_are_cut_from_the_left(tokenizer) -> None:
    encoder = PairEncoder(tokenizer)
    request = LoglikelihoodRequest("The quick brown fox jumps over the lazy", " dog.")
    context, continuation = encoder.encode_pair(request.context, request.continuation)
    encoded = encoder.encode(request, max_length=5)
    assert encoded.targets == tuple(continuation)
    assert encoded.inputs == tuple((context + continuation)[-6:-1])


def test_a_continuation_without_tokens_is_an_error(tokenizer) -> None:
    with pytest.raises(ValueError, match="no tokens"):
        PairEncoder(tokenizer).encode(LoglikelihoodRequest("The fox", ""), max_length=64)


def test_max_length_comes_from_the_config_then_the_tokenizer(tokenizer) -> None:
    assert resolve_max_length(LlamaConfig(max_position_embeddings=123), tokenizer) == 123
    tokenizer.model_max_length = 77
    assert resolve_max_length(PretrainedConfig(), tokenizer) == 77
    tokenizer.model_max_length = int(1e30)  # what tokenizers report when they state no limit
    assert resolve_max_length(PretrainedConfig(), tokenizer) == 2048


def test_matches_lm_eval_tokenisation(tmp_path) -> None:
    lm_eval_hf = pytest.importorskip("lm_eval.models.huggingface")
    model, tokenizer = tiny_llama(tmp_path)
    harness = lm_eval_hf.HFLM(pretrained=model, tokenizer=tokenizer, batch_size=1)
    encoder = PairEncoder(tokenizer)
    pairs = [("The dog ", "sleeps"), ("Question: What is 2 + 2? Answer:", " 4"),
             ("<s>The fox", " runs away."), ("The fox\n\n", "jumps"), ("The", " quick brown")]
    for context, continuation in pairs:
        assert encoder.encode_pair(context, continuation) == harness._encode_pair(
            context, continuation)
