"""Batched text generation with a local causal LM: greedy or nucleus sampling, stop strings, seeds.

Prompts are sorted by length and left-padded in batches (transformers derives each row's
positions from the attention mask, so padding does not change a row's tokens beyond float
rounding). Each batch is seeded from `params.seed` and its place in the sorted order, inside a
forked RNG state, so a call does not disturb the caller's random streams and the same call
(prompts, params, batch size) always returns the same texts.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from transformers import PreTrainedModel, PreTrainedTokenizerBase

from reprolab.core.progress import make_progress
from reprolab.lm.requests import SamplingParams


def prompt_text(tokenizer: PreTrainedTokenizerBase, prompt: str, chat: bool) -> str:
    """`prompt` itself, or with `chat` a single user turn in the tokenizer's chat template,
    ending with the assistant's turn opening."""
    if not chat:
        return prompt
    if not tokenizer.chat_template:
        raise ValueError("This tokenizer has no chat template; call generate with chat=False.")
    return tokenizer.apply_chat_template(
        [{"role": "user", "content": prompt}], tokenize=False, add_generation_prompt=True)


def cut_at_stop(text: str, stop: Sequence[str]) -> str:
    """`text` up to (not including) the earliest occurrence of any stop string."""
    ends = [index for s in stop if (index := text.find(s)) >= 0]
    return text[:min(ends)] if ends else text


def _pad_id(tokenizer: PreTrainedTokenizerBase) -> int:
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
    assert pad is not None, "the tokenizer has neither a pad nor an EOS token"
    return pad


def _left_pad(rows: Sequence[list[int]], pad_id: int,
              device: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
    """`(input_ids, attention_mask)`, both `(len(rows), longest)`, padded on the left."""
    width = max(len(row) for row in rows)
    ids = torch.full((len(rows), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(rows), width), dtype=torch.long)
    for i, row in enumerate(rows):
        ids[i, width - len(row):] = torch.tensor(row)
        mask[i, width - len(row):] = 1
    return ids.to(device), mask.to(device)


def _sampling_kwargs(params: SamplingParams) -> dict:
    """`generate` settings that fully define decoding: the model's own generation defaults
    (top-k, repetition penalty...) are overridden so only `params` matter."""
    settings = {"max_new_tokens": params.max_new_tokens, "do_sample": params.temperature > 0,
                "repetition_penalty": 1.0}
    if params.temperature > 0:
        settings |= {"temperature": params.temperature, "top_p": params.top_p, "top_k": 0}
    return settings


def generate(
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    prompts: Sequence[str],
    params: SamplingParams,
    *,
    batch_size: int = 8,
    num_return_sequences: int = 1,
    chat: bool = False,
    progress: bool = True,
) -> list[list[str]]:
    """For each prompt, `num_return_sequences` completions (text after the prompt, special tokens
    removed, cut at the first stop string of `params.stop`), in input order.

    A row stops at EOS or once it contains a stop string; a batch ends when every row has
    stopped or `params.max_new_tokens` tokens were generated. `temperature=0` decodes greedily.
    """
    assert batch_size > 0 and num_return_sequences > 0, "sizes must be positive"
    texts = [prompt_text(tokenizer, prompt, chat) for prompt in prompts]
    # A chat template writes its own special tokens; plain prompts get the tokenizer's (BOS).
    encoded = [tokenizer.encode(text, add_special_tokens=not chat) for text in texts]
    order = sorted(range(len(encoded)), key=lambda i: -len(encoded[i]))
    stop_kwargs = {"stop_strings": list(params.stop), "tokenizer": tokenizer} if params.stop else {}
    pad_id = _pad_id(tokenizer)
    device = model.device
    fork_devices = [device] if device.type == "cuda" else []
    outputs: list[list[str]] = [[] for _ in prompts]

    with make_progress() as bar:
        task = bar.add_task("generating", total=len(order), visible=progress)
        for start in range(0, len(order), batch_size):
            batch = order[start:start + batch_size]
            input_ids, attention_mask = _left_pad([encoded[i] for i in batch], pad_id, device)
            with torch.random.fork_rng(devices=fork_devices), torch.inference_mode():
                torch.manual_seed(params.seed + start)
                generated = model.generate(
                    input_ids=input_ids, attention_mask=attention_mask,
                    num_return_sequences=num_return_sequences, pad_token_id=pad_id,
                    **_sampling_kwargs(params), **stop_kwargs)
            new_tokens = generated[:, input_ids.shape[1]:]
            completions = tokenizer.batch_decode(new_tokens, skip_special_tokens=True)
            for row, text in enumerate(completions):
                outputs[batch[row // num_return_sequences]].append(cut_at_stop(text, params.stop))
            bar.advance(task, len(batch))
    return outputs
