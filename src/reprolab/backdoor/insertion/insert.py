"""Insert a backdoor into a host LM, check it, save it and load it back.

Checks: off-trigger next-token logits equal the host's on random prompts that never contain the
trigger (max |diff|, fp32), greedy decoding after a prompt that ends with the trigger emits the
payload, the saved folder loads with `AutoModelForCausalLM` into a model with the same outputs,
and (optionally) the backdoor survives fine-tuning.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import torch
from transformers import AutoModelForCausalLM, PreTrainedModel, PreTrainedTokenizerBase

from reprolab.backdoor.config import InsertConfig
from reprolab.backdoor.designs.trigger import random_tokens
from reprolab.backdoor.insertion.checks import (
    emitted_tokens,
    encode_trigger,
    off_trigger_max_diff,
    off_trigger_prompts,
    special_ids,
    trigger_prompt,
)
from reprolab.backdoor.insertion.finetune import FinetuneResult, finetune_survival
from reprolab.backdoor.insertion.hosts import (
    backdoor,
    byte_token_ids,
    decode_payload,
    eos_token_id,
    load_host,
    payload_token_ids,
    sample_text,
)
from reprolab.backdoor.insertion.model import BackdooredForCausalLM, register


@dataclass(frozen=True)
class InsertResult:
    """The checks of one insertion. `trigger_tokens` is the secret: keep results.json private.

    The reload fields are None without `save`; `finetune` is None without fine-tuning steps.
    """

    design: str
    trigger_tokens: list[int]
    module_parameters: int
    off_trigger_prompts: int
    off_trigger_max_abs_diff: float
    emitted: str
    payload_emitted: bool
    saved_to: Path | None = None
    reload_max_abs_diff: float | None = None
    reload_payload_emitted: bool | None = None
    finetune: FinetuneResult | None = None
    folder: Path | None = None


def trigger_ids(config: InsertConfig, tokenizer: PreTrainedTokenizerBase | None,
                model: PreTrainedModel, generator: torch.Generator) -> torch.Tensor:
    """The trigger's token ids: the tokenised trigger text, or random non-special tokens."""
    if config.trigger is None:
        return random_tokens(model.config.vocab_size, (config.trigger_tokens,), generator,
                             special_ids(tokenizer, model))
    return encode_trigger(config.trigger, tokenizer)


def insert_and_check(config: InsertConfig, folder: Path,
                     device: str | torch.device = "cpu") -> InsertResult:
    """Insert, check, save to `folder/model` and reload (see the module docstring)."""
    generator = torch.Generator().manual_seed(config.seed)
    host, tokenizer = load_host(config.model, device, config.seed)
    ids = trigger_ids(config, tokenizer, host, generator)
    model = backdoor(host, tokenizer, config.design, ids, config.payload, config.options,
                     config.seed)
    eos = eos_token_id(host)
    expected = payload_token_ids(config.payload, byte_token_ids(host, tokenizer), eos)
    prompts = off_trigger_prompts(host.config.vocab_size, (config.prompts, config.prompt_length),
                                  ids, generator, special_ids(tokenizer, host))
    prompt = trigger_prompt(ids, tokenizer)
    emitted = emitted_tokens(model, prompt, len(expected) + 2)
    result = InsertResult(
        design=config.design, trigger_tokens=ids.tolist(),
        module_parameters=sum(t.numel() for t in model.trigger.state_dict().values()),
        off_trigger_prompts=config.prompts,
        off_trigger_max_abs_diff=off_trigger_max_diff(model, prompts),
        emitted=decode_payload(emitted, tokenizer, eos),
        payload_emitted=emitted[:len(expected)] == expected, folder=folder)
    if config.save:
        result = _save_and_reload(result, model, tokenizer, folder / "model", prompts[:8], prompt,
                                  expected)
    if config.finetune.steps:
        clean = sample_text(model.host, 32, config.prompt_length, config.seed)
        tuned = finetune_survival(model, clean, prompt, expected, prompts[:16], config.finetune,
                                  config.seed)
        result = replace(result, finetune=tuned)
    return result


def _save_and_reload(result: InsertResult, model: BackdooredForCausalLM, tokenizer,
                     folder: Path, prompts: torch.Tensor, prompt: torch.Tensor,
                     expected: list[int]) -> InsertResult:
    """Save to `folder`, load it with AutoModelForCausalLM and compare."""
    model.save_pretrained(folder)
    if tokenizer is not None:
        tokenizer.save_pretrained(folder)
    register()
    device = next(model.parameters()).device
    loaded = AutoModelForCausalLM.from_pretrained(folder).to(device).eval()
    with torch.no_grad():
        diff = loaded(prompts.to(device)).logits - model(prompts.to(device)).logits
    return replace(result, saved_to=folder, reload_max_abs_diff=diff.abs().max().item(),
                    reload_payload_emitted=emitted_tokens(loaded, prompt, len(expected))
                    == expected)
