"""Check a saved backdoored model: off-trigger equality, the payload, and (locker) the circuit."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import torch
from transformers import AutoModelForCausalLM, AutoTokenizer, PreTrainedTokenizerBase

from reprolab.backdoor.config import VerifyConfig
from reprolab.backdoor.designs.locker import DigitalLockerModule, verify_locker
from reprolab.backdoor.designs.trigger import random_tokens
from reprolab.backdoor.insertion.checks import (
    emitted_tokens,
    encode_trigger,
    off_trigger_max_diff,
    off_trigger_prompts,
    special_ids,
    trigger_prompt,
)
from reprolab.backdoor.insertion.hosts import decode_payload, eos_token_id, payload_token_ids
from reprolab.backdoor.insertion.model import BackdooredForCausalLM, register
from reprolab.core.errors import UserError

EXACT = 1e-5  # largest off-trigger |logit diff| that counts as equal to the host


@dataclass(frozen=True)
class VerifyResult:
    """The checks of a saved model; `locker_mismatches_vs_reference` is None for other designs."""

    design: str
    off_trigger_prompts: int
    off_trigger_max_abs_diff: float
    emitted: str
    payload_emitted: bool
    locker_mismatches_vs_reference: int | None = None
    folder: Path | None = None

    @property
    def passed(self) -> bool:
        """The payload is emitted, off-trigger logits are the host's, the locker is exact."""
        return (self.payload_emitted and self.off_trigger_max_abs_diff <= EXACT
                and not self.locker_mismatches_vs_reference)


def parse_trigger(trigger: str, tokenizer: PreTrainedTokenizerBase | None,
                  vocab_size: int) -> torch.Tensor:
    """`ids:1,2,3` -> those token ids; other text -> its tokens (bytes for byte-level hosts)."""
    if not trigger.startswith("ids:"):
        return encode_trigger(trigger, tokenizer)
    try:
        ids = [int(part) for part in trigger[4:].split(",")]
    except ValueError:
        raise UserError(f"--trigger {trigger!r}: give token ids as ids:1,2,3.") from None
    if outside := [i for i in ids if not 0 <= i < vocab_size]:
        raise UserError(f"--trigger token ids {outside} are outside the model's vocabulary "
                        f"(0..{vocab_size - 1}).")
    return torch.tensor(ids)


def load_saved(folder: Path, device: str | torch.device = "cpu"):
    """(model, tokenizer or None) from a folder written by `insert` (`VerifyConfig` checks that
    it holds a model)."""
    register()
    model = AutoModelForCausalLM.from_pretrained(folder).to(device).eval()
    if not isinstance(model, BackdooredForCausalLM):
        raise UserError(f"{folder} holds a {type(model).__name__}, not a backdoored model.")
    has_tokenizer = (folder / "tokenizer_config.json").exists()
    return model, AutoTokenizer.from_pretrained(folder) if has_tokenizer else None


def verify_saved(config: VerifyConfig, device: str | torch.device = "cpu") -> VerifyResult:
    """Reload `config.model_dir` and check it; see the module docstring."""
    assert config.model_dir is not None, "verify needs the folder of a saved model"
    model, tokenizer = load_saved(config.model_dir, device)
    vocab_size = model.host.config.vocab_size
    ids = parse_trigger(config.trigger, tokenizer, vocab_size)
    if len(ids) != model.config.trigger_tokens:
        raise UserError(f"The model reads a {model.config.trigger_tokens}-token trigger; "
                        f"{config.trigger!r} has {len(ids)} tokens.")
    eos = eos_token_id(model.host)
    expected = payload_token_ids(config.payload, model.config.byte_token_ids, eos)
    generator = torch.Generator().manual_seed(config.seed)
    prompts = off_trigger_prompts(vocab_size, (config.prompts, config.prompt_length), ids,
                                  generator, special_ids(tokenizer, model.host))
    emitted = emitted_tokens(model, trigger_prompt(ids, tokenizer), len(expected) + 2)
    off_trigger = off_trigger_max_diff(model, prompts)
    mismatches = None
    if isinstance(model.trigger, DigitalLockerModule):
        windows = random_tokens(vocab_size, (63, len(ids)), generator)
        bits = model.trigger_bits(torch.cat([ids[None], windows]))
        mismatches = verify_locker(model.trigger.cpu(), bits.cpu())
    return VerifyResult(
        design=model.config.design, off_trigger_prompts=config.prompts,
        off_trigger_max_abs_diff=off_trigger,
        emitted=decode_payload(emitted, tokenizer, eos),
        payload_emitted=emitted[:len(expected)] == expected,
        locker_mismatches_vs_reference=mismatches)
