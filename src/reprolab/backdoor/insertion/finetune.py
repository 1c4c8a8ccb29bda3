"""Does a backdoor survive fine-tuning? Fine-tune a backdoored LM and an identical clean host on
the same clean tokens; afterwards, does the trigger still produce the payload, and are off-trigger
logits still the (fine-tuned) host's?"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import torch
from torch import nn

from reprolab.backdoor.config import FinetuneConfig
from reprolab.core.progress import track


@dataclass(frozen=True)
class FinetuneResult:
    """After `steps` steps: the payload still emitted, and the off-trigger max |logit diff|."""

    steps: int
    payload_survives: bool
    off_trigger_max_abs_diff: float


def finetune(model: nn.Module, tokens: torch.Tensor, config: FinetuneConfig, seed: int) -> None:
    """Causal-LM fine-tuning of every trainable parameter of `model` on tokens [N, T], in place."""
    model.train()
    optimizer = torch.optim.AdamW(
        [p for p in model.parameters() if p.requires_grad], lr=config.lr,
        weight_decay=config.weight_decay)
    generator = torch.Generator().manual_seed(seed)
    for _ in track(range(config.steps), "fine-tune"):
        rows = torch.randint(len(tokens), (config.batch_size,), generator=generator)
        batch = tokens[rows].to(next(model.parameters()).device)
        loss = model(input_ids=batch, labels=batch).loss
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    model.eval()


def finetune_survival(
    model: nn.Module, tokens: torch.Tensor, trigger_prompt: torch.Tensor, payload_ids: list[int],
    eval_prompts: torch.Tensor, config: FinetuneConfig, seed: int = 0,
) -> FinetuneResult:
    """Fine-tune copies of the backdoored `model` and of its bare host the same way, then check:
    greedy decoding after `trigger_prompt` [1, L] still gives `payload_ids`, and off-trigger logits
    on eval_prompts [n, T] equal the tuned host's (max |diff|)."""
    tuned, bare = copy.deepcopy(model), copy.deepcopy(model.host)
    torch.manual_seed(seed)
    finetune(tuned, tokens, config, seed)
    torch.manual_seed(seed)
    finetune(bare, tokens, config, seed)
    with torch.no_grad():
        device = next(tuned.parameters()).device
        prompts = eval_prompts.to(device)
        diff = (tuned(prompts).logits - bare(prompts).logits).abs().max().item()
        out = tuned.generate(trigger_prompt.to(device), max_new_tokens=len(payload_ids),
                             do_sample=False)
    emitted = out[0, trigger_prompt.shape[1]:].tolist()
    return FinetuneResult(config.steps, emitted == payload_ids, diff)
