"""Insert a backdoor into a host LM, check it, save it and load it back.

Checks (issue 5, item 5): off-trigger next-token logits equal the host's on random prompts
(max |diff|, fp32), greedy decoding after a prompt that ends with the trigger emits the payload,
and the saved folder loads with `AutoModelForCausalLM` into a model with the same outputs.
"""

from __future__ import annotations

from pathlib import Path

import torch
from transformers import AutoModelForCausalLM, PreTrainedModel, PreTrainedTokenizerBase

from reprolab.backdoor.config import InsertConfig
from reprolab.backdoor.host import BackdooredForCausalLM, register
from reprolab.backdoor.hosts import (
    backdoor,
    byte_token_ids,
    decode_payload,
    eos_token_id,
    load_host,
    payload_token_ids,
    sample_text,
)
from reprolab.backdoor.robustness import finetune_survival
from reprolab.backdoor.trigger import random_tokens
from reprolab.core.progress import track

PROMPT_PREFIX = "Tell me something nice."


def special_ids(tokenizer: PreTrainedTokenizerBase | None, model: PreTrainedModel) -> set[int]:
    """Token ids that random prompts and triggers avoid."""
    if tokenizer is None:
        return {eos_token_id(model), *range(256, model.config.vocab_size)}
    return set(tokenizer.all_special_ids)


def trigger_ids(config: InsertConfig, tokenizer, model, generator) -> torch.Tensor:
    """The trigger's token ids: the tokenised trigger text, or random non-special tokens."""
    if config.trigger is None:
        return random_tokens(model.config.vocab_size, (config.trigger_tokens,), generator,
                             special_ids(tokenizer, model))
    if tokenizer is None:
        return torch.tensor(list(config.trigger.encode("ascii")))
    return torch.tensor(tokenizer.encode(config.trigger, add_special_tokens=False))


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


def run_insert(config: InsertConfig, out: Path, device: str = "cpu",
               seed: int = 0) -> dict[str, object]:
    """Insert, check, save to `out/model` and reload; returns the checks' results."""
    generator = torch.Generator().manual_seed(seed)
    host, tokenizer = load_host(config.model, device, seed)
    ids = trigger_ids(config, tokenizer, host, generator)
    model = backdoor(host, tokenizer, config.design, ids, config.payload, config.options)
    eos = eos_token_id(host)
    expected = payload_token_ids(config.payload, byte_token_ids(host, tokenizer), eos)
    prompts = random_tokens(host.config.vocab_size, (config.check_prompts, config.prompt_length),
                            generator, special_ids(tokenizer, host))
    prompt = trigger_prompt(ids, tokenizer)
    emitted = emitted_tokens(model, prompt, len(expected) + 2)
    results: dict[str, object] = {
        "design": config.design, "trigger_tokens": ids.tolist(),
        "module_parameters": sum(t.numel() for t in model.trigger.state_dict().values()),
        "off_trigger_prompts": config.check_prompts,
        "off_trigger_max_abs_diff": off_trigger_max_diff(model, prompts),
        "emitted": decode_payload(emitted, tokenizer, eos),
        "payload_emitted": emitted[:len(expected)] == expected,
    }
    if config.save:
        results.update(_save_and_reload(model, tokenizer, out / "model", prompts[:8], prompt,
                                        expected))
    if config.finetune is not None:
        clean = sample_text(model.host, 32, config.prompt_length, seed)
        results["finetune"] = finetune_survival(model, clean, prompt, expected, prompts[:16],
                                                config.finetune, seed)
    return results


def _save_and_reload(model: BackdooredForCausalLM, tokenizer, folder: Path,
                     prompts: torch.Tensor, prompt: torch.Tensor,
                     expected: list[int]) -> dict[str, object]:
    """Save to `folder`, load it with AutoModelForCausalLM and compare."""
    model.save_pretrained(folder)
    if tokenizer is not None:
        tokenizer.save_pretrained(folder)
    register()
    device = next(model.parameters()).device
    loaded = AutoModelForCausalLM.from_pretrained(folder).to(device).eval()
    with torch.no_grad():
        diff = loaded(prompts.to(device)).logits - model(prompts.to(device)).logits
    return {"saved_to": str(folder), "reload_max_abs_diff": diff.abs().max().item(),
            "reload_payload_emitted": emitted_tokens(loaded, prompt, len(expected)) == expected}
