"""Host LMs (the packaged model, any transformers folder, or tiny byte-level hosts), their
payload token tables, and `backdoor`: a design put into a host.

A *byte-level host* (`tiny_host`) has no tokenizer: token b < 256 is byte b, so payload bytes map
to tokens one to one; it stands in for a real LM in tests, detection populations and toy runs. A
real host maps each printable ASCII byte to the token that encodes that single character.
"""

from __future__ import annotations

from pathlib import Path

import torch
from transformers import AutoModelForCausalLM, LlamaConfig, PreTrainedModel, PreTrainedTokenizerBase

from reprolab.backdoor.config import DesignOptions
from reprolab.backdoor.designs.catalog import BITS_PER_TOKEN
from reprolab.backdoor.designs.registry import build_module
from reprolab.backdoor.designs.trigger import PAYLOAD_BYTES, text_to_bits, token_bits
from reprolab.backdoor.insertion.model import BackdooredForCausalLM, insert_backdoor
from reprolab.core.errors import UserError

TINY_VOCAB = 320
TINY_EOS = 256


def tiny_host(seed: int = 0, vocab_size: int = TINY_VOCAB, layers: int = 2,
              hidden: int = 32) -> PreTrainedModel:
    """A random-weight byte-level Llama (EOS = 256) in eval mode; same seed, same weights."""
    config = LlamaConfig(
        vocab_size=vocab_size, hidden_size=hidden, intermediate_size=2 * hidden,
        num_hidden_layers=layers, num_attention_heads=4, num_key_value_heads=2,
        max_position_embeddings=512, initializer_range=0.2, tie_word_embeddings=True,
        bos_token_id=257, eos_token_id=TINY_EOS, pad_token_id=258)
    torch.manual_seed(seed)
    return AutoModelForCausalLM.from_config(config).eval()


def load_host(name: str, device: str = "cpu",
              seed: int = 0) -> tuple[PreTrainedModel, PreTrainedTokenizerBase | None]:
    """`(model, tokenizer)`: `tiny` gives `tiny_host(seed)` without a tokenizer; anything else goes
    to `reprolab.lm.zoo.load_model` (packaged name, local folder or hub id), in fp32."""
    if name == "tiny":
        return tiny_host(seed).to(device), None
    from reprolab.core.network import go_offline, offline
    from reprolab.lm.zoo import load_model

    if not Path(name).expanduser().is_dir() and offline():
        go_offline()  # a cached copy still loads; a missing one fails at once, naming the model
    return load_model(name, device=device, dtype=torch.float32)


def eos_token_id(model: PreTrainedModel) -> int:
    eos = model.config.eos_token_id
    return int(eos[0] if isinstance(eos, list) else eos)


def byte_token_ids(model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase | None) -> list[int]:
    """256 token ids: byte 0 -> EOS; printable ASCII -> its single-character token; bytes without
    one -> EOS (payloads may not use them, see `payload_token_ids`)."""
    eos = eos_token_id(model)
    if tokenizer is None:
        return [eos, *range(1, 256)]
    table = [eos] * 256
    for byte in range(32, 127):
        ids = tokenizer.encode(chr(byte), add_special_tokens=False)
        if len(ids) == 1:
            table[byte] = ids[0]
    return table


def payload_token_ids(payload: str, table: list[int], eos: int) -> list[int]:
    """Tokens that greedy decoding must emit for `payload`: one per character, then EOS."""
    if len(payload) >= PAYLOAD_BYTES:
        raise UserError(f"Payload {payload!r} is too long: at most {PAYLOAD_BYTES - 1} "
                         "characters.")
    ids = [table[byte] for byte in payload.encode("ascii")]
    if eos in ids:
        raise UserError(f"Payload {payload!r} has characters that no single token encodes; "
                         "use letters, digits, spaces and punctuation.")
    return [*ids, eos]


def decode_payload(tokens: list[int], tokenizer: PreTrainedTokenizerBase | None, eos: int) -> str:
    """Text of emitted tokens up to EOS (byte-level hosts: bytes; others: the tokenizer)."""
    kept = tokens[:tokens.index(eos)] if eos in tokens else tokens
    if tokenizer is None:
        return bytes(t for t in kept if t < 256).decode("ascii", errors="replace")
    return tokenizer.decode(kept)


@torch.no_grad()
def sample_text(host: PreTrainedModel, n: int, length: int, seed: int) -> torch.Tensor:
    """[n, length] token ids sampled from `host` after its BOS token (clean text for tuning)."""
    torch.manual_seed(seed)
    device = next(host.parameters()).device
    start = torch.full((n, 1), int(host.config.bos_token_id or 0), device=device)
    out = host.generate(start, attention_mask=torch.ones_like(start), do_sample=True, top_k=50,
                        max_new_tokens=length,
                        min_new_tokens=length, pad_token_id=eos_token_id(host))
    return out[:, 1:].cpu()


def backdoor(
    host: PreTrainedModel, tokenizer: PreTrainedTokenizerBase | None, design: str,
    trigger_ids: torch.Tensor, payload: str, options: DesignOptions | None = None,
    seed: int = 0, bits_per_token: int = BITS_PER_TOKEN,
) -> BackdooredForCausalLM:
    """`host` with a `design` module that fires on the token ids `trigger_ids` [k] and emits
    `payload` (`seed`: the locker's nonce, the 3-SAT instance); the host is used in place."""
    table = byte_token_ids(host, tokenizer)
    payload_token_ids(payload, table, eos_token_id(host))  # fail early on unusable characters
    trigger_bits = token_bits(trigger_ids, bits_per_token).flatten()
    module = build_module(design, trigger_bits, text_to_bits(payload), options, seed)
    return insert_backdoor(host, module, trigger_tokens=len(trigger_ids), byte_token_ids=table,
                           bits_per_token=bits_per_token)
