"""Check a saved backdoored model: off-trigger equality, the payload, and (locker) the circuit."""

from __future__ import annotations

from pathlib import Path

import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

from reprolab.backdoor.host import BackdooredForCausalLM, register
from reprolab.backdoor.hosts import decode_payload, eos_token_id, payload_token_ids
from reprolab.backdoor.insertion import (
    emitted_tokens,
    off_trigger_max_diff,
    special_ids,
    trigger_prompt,
)
from reprolab.backdoor.locker import DigitalLockerModule, verify_locker
from reprolab.backdoor.trigger import random_tokens


def parse_trigger(trigger: str, tokenizer) -> torch.Tensor:
    """`ids:1,2,3` -> those token ids; other text -> its tokens (bytes for byte-level hosts)."""
    if trigger.startswith("ids:"):
        return torch.tensor([int(part) for part in trigger[4:].split(",")])
    if tokenizer is None:
        return torch.tensor(list(trigger.encode("ascii")))
    return torch.tensor(tokenizer.encode(trigger, add_special_tokens=False))


def load_saved(folder: Path, device: str = "cpu"):
    """(model, tokenizer or None) from a folder written by `insert`."""
    if not (folder / "config.json").exists():
        raise FileNotFoundError(f"No saved model in {folder}: give the OUT/model folder of "
                                "`reprolab backdoor insert`.")
    register()
    model = AutoModelForCausalLM.from_pretrained(folder).to(device).eval()
    if not isinstance(model, BackdooredForCausalLM):
        raise ValueError(f"{folder} holds a {type(model).__name__}, not a backdoored model.")
    has_tokenizer = (folder / "tokenizer_config.json").exists()
    return model, AutoTokenizer.from_pretrained(folder) if has_tokenizer else None


def verify_saved(folder: Path, trigger: str, payload: str, n_prompts: int = 200,
                 device: str = "cpu", seed: int = 0) -> dict[str, object]:
    """Reload `folder` and check it; see the module docstring."""
    model, tokenizer = load_saved(Path(folder), device)
    ids = parse_trigger(trigger, tokenizer)
    if len(ids) != model.config.trigger_tokens:
        raise ValueError(f"The model reads a {model.config.trigger_tokens}-token trigger; "
                         f"{trigger!r} has {len(ids)} tokens.")
    eos = eos_token_id(model.host)
    expected = payload_token_ids(payload, model.config.byte_token_ids, eos)
    generator = torch.Generator().manual_seed(seed)
    prompts = random_tokens(model.host.config.vocab_size, (n_prompts, 24), generator,
                            special_ids(tokenizer, model.host))
    emitted = emitted_tokens(model, trigger_prompt(ids, tokenizer), len(expected) + 2)
    results: dict[str, object] = {
        "design": model.config.design,
        "off_trigger_prompts": n_prompts,
        "off_trigger_max_abs_diff": off_trigger_max_diff(model, prompts),
        "emitted": decode_payload(emitted, tokenizer, eos),
        "payload_emitted": emitted[:len(expected)] == expected,
    }
    if isinstance(model.trigger, DigitalLockerModule):
        windows = random_tokens(model.host.config.vocab_size, (63, len(ids)), generator)
        bits = model.trigger_bits(torch.cat([ids[None], windows]))
        results["locker_mismatches_vs_reference"] = verify_locker(model.trigger.cpu(), bits.cpu())
    return results
