"""Log-likelihood of continuations given contexts with a local causal LM.

Tokens follow lm-evaluation-harness's HF backend exactly (`reprolab.lm.encoding`), so scores match
lm-eval's `loglikelihood` to float precision. For speed, requests are sorted by their tokens and
packed into prefix trees (`reprolab.lm.prefix_tree`): a context shared by several continuations,
or an instruction shared by several contexts, is computed once per forward pass, and the vocabulary
projection runs only at the positions that predict a continuation token.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from transformers import PreTrainedModel, PreTrainedTokenizerBase

from reprolab.core.progress import make_progress
from reprolab.lm.encoding import EncodedRequest, PairEncoder, resolve_max_length
from reprolab.lm.prefix_tree import PrefixTree
from reprolab.lm.requests import LoglikelihoodRequest, LoglikelihoodResult

# The tree attention mask is quadratic in a pass's tokens: on CPU, 256-512 tokens per pass scored
# the first 100 memo-trap + NeQA items 6-8% faster than 1,024 (SmolLM2-135M, one thread).
DEFAULT_MAX_PACKED_TOKENS = 512


def _common_prefix(a: tuple[int, ...], b: tuple[int, ...]) -> int:
    """How many leading tokens `a` and `b` share."""
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def plan_passes(encoded: Sequence[EncodedRequest], batch_size: int,
                max_packed_tokens: int) -> list[list[int]]:
    """Group requests (indices into `encoded`) into forward passes after sorting them by input
    tokens, so that requests sharing a prefix land in the same pass.

    A pass's tree holds at most `batch_size` times its longest input (the tokens lm-eval's padded
    batch of `batch_size` would hold) and at most `max_packed_tokens`; a single request longer
    than that runs alone. In sorted order a request adds `len(inputs) - common prefix with the
    previous request` nodes to its pass's tree.
    """
    order = sorted(range(len(encoded)), key=lambda i: encoded[i].inputs)
    passes: list[list[int]] = []
    members: list[int] = []
    nodes = longest = 0
    for i in order:
        inputs = encoded[i].inputs
        shared = _common_prefix(encoded[members[-1]].inputs, inputs) if members else 0
        budget = min(batch_size * max(longest, len(inputs)), max_packed_tokens)
        if members and nodes + len(inputs) - shared > budget:
            passes.append(members)
            members, nodes, longest, shared = [], 0, 0, 0
        members.append(i)
        nodes += len(inputs) - shared
        longest = max(longest, len(inputs))
    if members:
        passes.append(members)
    return passes


def pack_pass(encoded: Sequence[EncodedRequest], members: Sequence[int]
              ) -> tuple[PrefixTree, list[list[int]]]:
    """The prefix tree of the requests `members` of `encoded` and, per request, the nodes that
    predict its targets."""
    tree = PrefixTree()
    scored_nodes = []
    for i in members:
        path = tree.insert(encoded[i].inputs)
        scored_nodes.append(path[len(path) - len(encoded[i].targets):])
    return tree, scored_nodes


@torch.inference_mode()
def _score_pass(model: PreTrainedModel, encoded: Sequence[EncodedRequest],
                members: Sequence[int]) -> list[LoglikelihoodResult]:
    """Score the requests `members` of `encoded` in one forward pass over their prefix tree."""
    tree, scored_nodes = pack_pass(encoded, members)
    keep = sorted({node for nodes in scored_nodes for node in nodes})
    row_of = {node: row for row, node in enumerate(keep)}

    device = model.device
    logits = model(
        input_ids=torch.tensor([tree.tokens], device=device),
        position_ids=torch.tensor([tree.depths], device=device),
        attention_mask=tree.attention_masks(model.config, model.dtype, device),
        logits_to_keep=torch.tensor(keep, device=device),
        use_cache=False,
    ).logits[0]  # (len(keep), vocab)
    logprobs = torch.log_softmax(logits.float(), dim=-1)
    greedy = logprobs.argmax(dim=-1)

    rows = torch.tensor([row_of[node] for nodes in scored_nodes for node in nodes], device=device)
    targets = torch.tensor([t for i in members for t in encoded[i].targets], device=device)
    token_logprobs = logprobs[rows, targets].tolist()
    token_greedy = (greedy[rows] == targets).tolist()
    results, start = [], 0
    for i in members:
        end = start + len(encoded[i].targets)
        results.append(LoglikelihoodResult(
            logprob=float(sum(token_logprobs[start:end])),
            is_greedy=all(token_greedy[start:end]),
            n_tokens=end - start))
        start = end
    return results


def score_continuations(
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    requests: Sequence[LoglikelihoodRequest],
    *,
    batch_size: int = 16,
    max_length: int | None = None,
    max_packed_tokens: int = DEFAULT_MAX_PACKED_TOKENS,
    progress: bool = True,
) -> list[LoglikelihoodResult]:
    """log P(continuation | context) for each request, in input order.

    A forward pass packs as many requests as fit in `batch_size` times their longest input (the
    size of lm-eval's padded batch) and in `max_packed_tokens` tokens (the tree attention mask is
    `max_packed_tokens**2`); a longer request runs alone. `max_length` (default: the model's
    context length) left-truncates context + continuation as lm-eval does. Raises
    `ContinuationError` (a `UserError`) for a continuation with no tokens or more than
    `max_length`.

    The model must be a decoder-only transformer whose forward takes a 4D attention mask and
    position ids (Llama, Gemma 3, Qwen2, Mistral... in transformers 5).
    """
    assert batch_size > 0 and max_packed_tokens > 0, "batch sizes must be positive"
    assert max_length is None or max_length > 0, f"max_length must be positive: {max_length}"
    if max_length is None:
        max_length = resolve_max_length(model.config, tokenizer)
    encoder = PairEncoder(tokenizer)
    encoded = [encoder.encode(request, max_length) for request in requests]
    results: dict[int, LoglikelihoodResult] = {}
    with make_progress() as bar:
        task = bar.add_task("scoring", total=len(encoded), visible=progress)
        for members in plan_passes(encoded, batch_size, max_packed_tokens):
            results.update(zip(members, _score_pass(model, encoded, members), strict=True))
            bar.advance(task, len(members))
    return [results[i] for i in range(len(encoded))]
