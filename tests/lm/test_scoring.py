"""Packed log-likelihood scoring equals a plain one-request-at-a-time forward pass."""

from __future__ import annotations

import pytest
import torch

from reprolab.core.errors import UserError
from reprolab.lm.encoding import EncodedRequest, PairEncoder
from reprolab.lm.requests import LoglikelihoodRequest
from reprolab.lm.scoring import plan_passes, score_continuations
from tests.lm.tiny_models import tiny_gemma3, tiny_llama

REQUESTS = [
    LoglikelihoodRequest("The quick brown fox", " jumps"),
    LoglikelihoodRequest("The quick brown fox", " runs away."),
    LoglikelihoodRequest("The quick brown fox", " jumps over the lazy dog."),
    LoglikelihoodRequest("The quick brown", " fox jumps over the lazy dog. The dog sleeps"),
    LoglikelihoodRequest("Question: What is 2 + 2? Answer: ", "4"),
    LoglikelihoodRequest("Question: What is the capital of France? Answer:", " Paris."),
    LoglikelihoodRequest("", "Hello there"),
    LoglikelihoodRequest("  Hello ", " world  "),
    LoglikelihoodRequest("The quick brown fox", " jumps"),
]


def reference_score(model, tokenizer, request: LoglikelihoodRequest) -> tuple[float, bool, int]:
    """One request, one plain forward pass without cache, padding or packing."""
    encoded = PairEncoder(tokenizer).encode(request, max_length=10_000)
    with torch.no_grad():
        logprobs = model(torch.tensor([encoded.inputs])).logits[0].log_softmax(-1)
    n = len(encoded.targets)
    rows = logprobs[len(encoded.inputs) - n:]
    targets = torch.tensor(encoded.targets)
    return (rows[torch.arange(n), targets].sum().item(),
            bool((rows.argmax(-1) == targets).all()), n)


@pytest.fixture(scope="module", params=["llama", "gemma3"])
def model_and_tokenizer(request, tmp_path_factory):
    build = {"llama": tiny_llama, "gemma3": tiny_gemma3}[request.param]
    return build(tmp_path_factory.mktemp(request.param))


@pytest.mark.parametrize(("batch_size", "max_packed_tokens"), [(16, 2048), (3, 24), (1, 1)])
def test_packed_scores_equal_one_by_one_forward(model_and_tokenizer, batch_size,
                                                max_packed_tokens) -> None:
    model, tokenizer = model_and_tokenizer  # gemma3's sliding window (8) is shorter than requests
    results = score_continuations(model, tokenizer, REQUESTS, batch_size=batch_size,
                                  max_packed_tokens=max_packed_tokens, progress=False)
    for request, result in zip(REQUESTS, results, strict=True):
        logprob, is_greedy, n_tokens = reference_score(model, tokenizer, request)
        assert result.logprob == pytest.approx(logprob, abs=1e-4)
        assert (result.is_greedy, result.n_tokens) == (is_greedy, n_tokens)


def test_n_tokens_counts_the_continuation_tokens(model_and_tokenizer) -> None:
    model, tokenizer = model_and_tokenizer
    results = score_continuations(model, tokenizer, REQUESTS[:1] + REQUESTS[6:7], progress=False)
    whole, context = tokenizer.encode("The quick brown fox jumps"), tokenizer.encode(
        "The quick brown fox")
    assert results[0].n_tokens == len(whole) - len(context)
    assert results[1].n_tokens == len(tokenizer.encode("Hello there", add_special_tokens=False))


def test_is_greedy_is_true_exactly_for_the_argmax_token(model_and_tokenizer) -> None:
    model, tokenizer = model_and_tokenizer
    context = "The quick brown fox"
    with torch.no_grad():
        logits = model(torch.tensor([tokenizer.encode(context)])).logits[0, -1]
    best = int(logits.argmax())
    encoder = PairEncoder(tokenizer)
    checked = {}
    for token in logits.topk(20).indices.tolist():
        continuation = tokenizer.decode([token])
        if encoder.encode_pair(context, continuation)[1] == [token]:  # round-trips as one token
            checked[token] = score_continuations(
                model, tokenizer, [LoglikelihoodRequest(context, continuation)],
                progress=False)[0].is_greedy
    assert checked == {token: token == best for token in checked}
    assert checked.get(best) is True and False in checked.values()


def test_passes_group_shared_prefixes_and_respect_both_budgets() -> None:
    encoded = [EncodedRequest((9,), (1,)), EncodedRequest((1, 2, 3), (4,)),
               EncodedRequest((1, 2, 4), (5,)), EncodedRequest((1, 5), (6,))]
    # sorted: (1,2,3) adds 3 nodes, (1,2,4) adds 1, (1,5) adds 1, (9,) adds 1
    assert plan_passes(encoded, batch_size=2, max_packed_tokens=100) == [[1, 2, 3, 0]]
    assert plan_passes(encoded, batch_size=1, max_packed_tokens=100) == [[1], [2], [3], [0]]
    assert plan_passes(encoded, batch_size=10, max_packed_tokens=4) == [[1, 2], [3, 0]]
    assert plan_passes(encoded, batch_size=10, max_packed_tokens=3) == [[1], [2], [3, 0]]
    same_inputs = [EncodedRequest((1, 2), (3,)), EncodedRequest((1, 2), (4,))]
    assert plan_passes(same_inputs, batch_size=1, max_packed_tokens=2) == [[0, 1]]


def test_a_continuation_longer_than_max_length_is_a_user_error(model_and_tokenizer) -> None:
    model, tokenizer = model_and_tokenizer
    request = LoglikelihoodRequest("The quick brown fox", " jumps over the lazy dog.")
    with pytest.raises(UserError, match=r"more than max_length=2"):
        score_continuations(model, tokenizer, [request], max_length=2, progress=False)
    [cut] = score_continuations(model, tokenizer, [request], max_length=12, progress=False)
    [whole] = score_continuations(model, tokenizer, [request], progress=False)
    assert cut.n_tokens == whole.n_tokens and cut.logprob != pytest.approx(whole.logprob)
