"""The checks of an inserted backdoor, shared by `insert` and `verify`: off-trigger prompts that
never contain the trigger, equality of their logits with the host's, and the greedy continuation
of a prompt that ends with the trigger."""

from __future__ import annotations

import torch
from transformers import PreTrainedModel, PreTrainedTokenizerBase

from reprolab.backdoor.designs.trigger import random_tokens
from reprolab.backdoor.insertion.hosts import eos_token_id
from reprolab.backdoor.insertion.model import BackdooredForCausalLM
from reprolab.core.errors import UserError
from reprolab.core.progress import track

PROMPT_PREFIX = "Tell me something nice."
MAX_REDRAWS = 100


def special_ids(tokenizer: PreTrainedTokenizerBase | None, model: PreTrainedModel) -> set[int]:
    """Token ids that random prompts and triggers avoid."""
    if tokenizer is None:
        return {eos_token_id(model), *range(256, model.config.vocab_size)}
    return set(tokenizer.all_special_ids)


def encode_trigger(text: str, tokenizer: PreTrainedTokenizerBase | None) -> torch.Tensor:
    """Token ids of trigger `text`: its tokens, or its bytes for a byte-level host."""
    if tokenizer is not None:
        return torch.tensor(tokenizer.encode(text, add_special_tokens=False))
    if not text.isascii():
        raise UserError(f"Trigger {text!r}: a byte-level host reads ASCII only.")
    return torch.tensor(list(text.encode("ascii")))


def contains_window(prompts: torch.Tensor, window: torch.Tensor) -> torch.Tensor:
    """[n] bool: row i of prompts [n, T] holds the token ids window [k] somewhere in a row."""
    if prompts.shape[1] < len(window):
        return torch.zeros(len(prompts), dtype=torch.bool)
    return (prompts.unfold(1, len(window), 1) == window).all(-1).any(-1)


def off_trigger_prompts(vocab_size: int, shape: tuple[int, int], trigger: torch.Tensor,
                        generator: torch.Generator, avoid: set[int]) -> torch.Tensor:
    """Random prompts [n, T] of token ids not in `avoid`, none of which contains `trigger` [k]
    (rows that do are drawn again), whatever the seed: a generator seeded as the one that drew
    the trigger would otherwise start the first prompt with the trigger itself."""
    prompts = random_tokens(vocab_size, shape, generator, avoid)
    for _ in range(MAX_REDRAWS):
        hits = contains_window(prompts, trigger)
        if not hits.any():
            return prompts
        prompts[hits] = random_tokens(vocab_size, (int(hits.sum()), shape[1]), generator, avoid)
    raise AssertionError(f"{MAX_REDRAWS} draws of off-trigger prompts all held the trigger")


def trigger_prompt(ids: torch.Tensor, tokenizer: PreTrainedTokenizerBase | None) -> torch.Tensor:
    """[1, L]: a short prefix then the trigger tokens (ids, so tokenisation cannot merge them)."""
    prefix = (list(PROMPT_PREFIX.encode("ascii")) if tokenizer is None
              else tokenizer.encode(PROMPT_PREFIX, add_special_tokens=False))
    return torch.tensor([[*prefix, *ids.tolist()]])


@torch.no_grad()
def off_trigger_max_diff(model: BackdooredForCausalLM, prompts: torch.Tensor,
                         batch_size: int = 16) -> float:
    """Largest |backdoored - host| next-token logit over prompts [n, T] (all positions)."""
    device = next(model.parameters()).device
    worst = 0.0
    for batch in track(prompts.split(batch_size), "off-trigger check"):
        batch = batch.to(device)
        diff = (model(batch).logits - model.host(batch).logits).abs().max().item()
        worst = max(worst, diff)
    return worst


@torch.no_grad()
def emitted_tokens(model: PreTrainedModel, prompt: torch.Tensor, n_tokens: int) -> list[int]:
    """Greedy continuation of prompt [1, L], at most n_tokens long."""
    out = model.generate(prompt.to(next(model.parameters()).device), max_new_tokens=n_tokens,
                         do_sample=False)
    return out[0, prompt.shape[1]:].tolist()
