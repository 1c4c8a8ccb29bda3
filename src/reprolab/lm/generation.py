"""Batched text generation with a local causal LM: greedy or nucleus sampling, stop strings, seeds.

Prompts are sorted by length, and `batch_size` sequences are decoded together (continuous
batching). A prompt is read once (one prefill, the vocabulary projection only at its last
position) however many samples it has: its keys and values are copied into each sample's cache
row. Positions come from the attention mask, so left padding does not change a row's tokens
beyond float rounding. A sequence ends as soon as it emits EOS or its text contains a stop
string, and its row goes at once to the next sample waiting, so no step is spent on finished
sequences and the batch stays full until the last samples. The cache (`reprolab.lm.cache`)
writes each token in place rather than copying itself every step.

Sampling draws from one `torch.Generator` seeded with `params.seed`: the caller's random
streams are untouched, and the same call (prompts, params, batch size) always returns the same
texts.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Callable, Sequence

import torch
from transformers import PreTrainedModel, PreTrainedTokenizerBase

from reprolab.core.progress import make_progress
from reprolab.lm.cache import GrowingLayer, decoding_cache
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


def _eos_ids(model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase) -> frozenset[int]:
    """The tokenizer's EOS and every end token of the model's generation config (Gemma's
    end-of-turn, for one)."""
    configured = getattr(model.generation_config, "eos_token_id", None)
    ids = configured if isinstance(configured, list) else [configured]
    return frozenset(i for i in (*ids, tokenizer.eos_token_id) if i is not None)


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


def next_tokens(logits: torch.Tensor, params: SamplingParams,
                generator: torch.Generator) -> torch.Tensor:
    """One token per row of `logits` `(rows, vocab)`: the argmax at temperature 0, else a draw
    from softmax(logits / temperature) restricted to the smallest set of most likely tokens
    whose mass reaches `top_p` (Holtzman et al. 2020, nucleus sampling). Float32 `logits` are
    overwritten: a fresh tensor of this size costs more than the arithmetic on a CPU."""
    if params.temperature == 0:
        return logits.argmax(dim=-1)
    weights = logits.float()
    weights.sub_(weights.amax(dim=-1, keepdim=True)).div_(params.temperature).exp_()
    if params.top_p < 1:
        probs = weights / weights.sum(dim=-1, keepdim=True)
        sorted_probs, order = probs.sort(dim=-1, descending=True)
        outside = sorted_probs.cumsum(dim=-1) - sorted_probs >= params.top_p
        weights = torch.zeros_like(probs).scatter(-1, order, sorted_probs.masked_fill(outside, 0))
    return draw(weights, generator)


def draw(weights: torch.Tensor, generator: torch.Generator, block: int = 256) -> torch.Tensor:
    """One index per row of `weights` `(rows, n)` (non-negative, not necessarily normalised),
    drawn with probability proportional to its weight; an index of weight 0 is never drawn.

    A uniform point in [0, total) is located in two steps: among the cumulative sums of blocks
    of `block` weights, then among the cumulative sums inside the block it fell in, both in
    float64 (float32 on MPS); a block's own sum, of 256 float32 weights, is off by ~1e-7.
    Only the block sums and one block per row are widened: on one CPU thread, 64 rows of 49k
    weights take 1.2 ms against 120 ms for `torch.multinomial`.
    """
    wide = torch.float32 if weights.device.type == "mps" else torch.float64
    rows, n = weights.shape
    if n % block:
        weights = torch.nn.functional.pad(weights, (0, -n % block))
    blocks = weights.view(rows, -1, block)
    ends = blocks.sum(dim=-1).to(wide).cumsum(dim=-1)  # (rows, blocks)
    total = ends[:, -1:]
    point = torch.rand((rows, 1), generator=generator, dtype=wide, device=weights.device) * total
    point = torch.minimum(point, total.nextafter(total.new_zeros(())))  # rounding, again
    chosen = torch.searchsorted(ends, point, right=True)
    start = torch.where(chosen > 0, ends.gather(-1, (chosen - 1).clamp(min=0)), 0)
    inside = blocks.gather(1, chosen[:, :, None].expand(rows, 1, block))[:, 0].to(wide).cumsum(-1)
    # Rounding may put the remainder at or past the block's own total; below it, the first
    # cumulative sum that exceeds it belongs to an index of positive weight.
    rest = torch.minimum(point - start, inside[:, -1:].nextafter(inside.new_zeros(())))
    return (chosen * block + torch.searchsorted(inside, rest, right=True)).squeeze(-1)


class _StopWatch:
    """Tells whether a row's text has reached a stop string. Only the last few tokens are
    decoded: a stop string of n characters that appears with the newest token lies within the
    last 4n tokens (a character is at most 4 byte-level tokens)."""

    def __init__(self, tokenizer: PreTrainedTokenizerBase, stop: Sequence[str]) -> None:
        self.tokenizer, self.stop = tokenizer, tuple(stop)
        self.window = 4 * max(map(len, stop), default=0)

    def stopped(self, tokens: list[int]) -> bool:
        if not self.stop:
            return False
        tail = self.tokenizer.decode(tokens[-self.window:], skip_special_tokens=True)
        return any(s in tail for s in self.stop)


_TRIM = 8  # cache columns that every row masks are dropped (a view, no copy) once this many


def _prefill(model: PreTrainedModel, prompts: Sequence[list[int]], pad_id: int):
    """`(cache, mask, positions, last logits)` of one left-padded forward over `prompts`."""
    input_ids, mask = _left_pad(prompts, pad_id, model.device)
    positions = (mask.cumsum(dim=-1) - 1).clamp(min=0)
    output = model(input_ids=input_ids, attention_mask=mask, position_ids=positions,
                   cache=decoding_cache(model), use_cache=True, logits_to_keep=1)
    return output.cache, mask, positions, output.logits[:, -1]


def _prompt_states(cache, row: int, length: int) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """Per layer, the keys and values `(heads, length, dim)` of the last `length` tokens of a
    cache row: one prompt without its padding."""
    return [(layer.keys[row, :, -length:], layer.values[row, :, -length:])
            for layer in cache.layers]


@torch.inference_mode()
def _decode(model: PreTrainedModel, encoded: Sequence[list[int]], queue: deque[tuple[int, int]],
            rows: int, params: SamplingParams, pad_id: int, eos_ids: frozenset[int],
            watch: _StopWatch, generator: torch.Generator,
            finish: Callable[[int, list[int]], None]) -> None:
    """Decode each `(prompt, sample)` of `queue`, in order and `rows` at a time, calling
    `finish(sample, new tokens)` as a sample ends: before its first EOS, with its first stop
    string, or after `params.max_new_tokens` tokens.

    Samples start in waves: one prefill of their prompts, its cache rows copied for each sample.
    When every cache layer is a `GrowingLayer`, an ended row goes at once to the next sample
    waiting: its prompt's keys and values (prefilled once per prompt) are written into the row,
    right-aligned, and the mask hides the rest of the row. Otherwise ended rows leave the batch
    and the next wave starts when all have ended."""
    waiting = Counter(prompt for prompt, _ in queue)
    prefilled: dict[int, tuple[list, torch.Tensor]] = {}  # prompt -> (states, logits)
    slots: list[tuple[int, list[int]] | None] = []  # per cache row: (sample, its new tokens)

    def keep_prefilled(cache, prompts: list[int], logits: torch.Tensor) -> None:
        for row, prompt in enumerate(prompts):
            if waiting[prompt]:
                length = len(encoded[prompt])
                prefilled[prompt] = _prompt_states(cache, row, length), logits[row].clone()

    def ended(slot: tuple[int, list[int]], token: int) -> bool:
        sample, new = slot
        done = token in eos_ids  # an EOS is not part of the text
        if not done:
            new.append(token)
            done = watch.stopped(new) or len(new) == params.max_new_tokens
        if done:
            finish(sample, new)
        return done

    while queue or slots:
        if not slots:  # a wave
            wave = [queue.popleft() for _ in range(min(rows, len(queue)))]
            prompts = list(dict.fromkeys(prompt for prompt, _ in wave))
            waiting.subtract(prompt for prompt, _ in wave)
            cache, mask, positions, logits = _prefill(model, [encoded[p] for p in prompts],
                                                      pad_id)
            refill = all(isinstance(layer, GrowingLayer) for layer in cache.layers)
            if refill:
                keep_prefilled(cache, prompts, logits)
            index = torch.tensor([prompts.index(prompt) for prompt, _ in wave],
                                 device=model.device)
            cache.batch_select_indices(index)
            mask, logits, position = mask[index], logits[index], positions[index, -1:] + 1
            slots = [(sample, []) for _, sample in wave]
        tokens = next_tokens(logits, params, generator)
        free = [row for row, token in enumerate(tokens.tolist()) if ended(slots[row], token)]
        for row in free:
            slots[row] = None
        while refill and free and queue:  # the next samples take the ended rows
            starting = [queue.popleft() for _ in range(min(len(free), len(queue)))]
            new = list(dict.fromkeys(p for p, _ in starting if p not in prefilled))
            if new:
                fresh, _, _, fresh_logits = _prefill(model, [encoded[p] for p in new], pad_id)
                keep_prefilled(fresh, new, fresh_logits)
            waiting.subtract(prompt for prompt, _ in starting)
            placed, free = free[:len(starting)], free[len(starting):]
            for row, (prompt, sample) in zip(placed, starting, strict=True):
                states = prefilled[prompt][0]
                for layer, (keys, values) in zip(cache.layers, states, strict=True):
                    layer.place(row, keys, values)
                mask[row] = 0
                mask[row, mask.shape[1] - len(encoded[prompt]):] = 1
                position[row] = len(encoded[prompt])
                slots[row] = (sample, [])
            first = next_tokens(torch.stack([prefilled[p][1] for p, _ in starting]), params,
                                generator)
            tokens[placed] = first
            free += [row for row, token in zip(placed, first.tolist(), strict=True)
                     if ended(slots[row], token)]
            for row in free:
                slots[row] = None
            for prompt in {p for p, _ in starting if not waiting[p]}:
                prefilled.pop(prompt, None)
        if free:  # rows nobody is waiting for leave the batch
            keep = [row for row, slot in enumerate(slots) if slot is not None]
            if not keep:
                slots = []
                continue
            index = torch.tensor(keep, device=model.device)
            cache.batch_select_indices(index)
            tokens, mask, position = tokens[index], mask[index], position[index]
            slots = [slots[row] for row in keep]
        if refill and (lead := int(mask.any(dim=0).int().argmax())) >= _TRIM:
            for layer in cache.layers:
                layer.trim(lead)
            mask = mask[:, lead:]
        mask = torch.cat([mask, mask.new_ones((len(slots), 1))], dim=-1)
        output = model(input_ids=tokens[:, None], attention_mask=mask, position_ids=position,
                       cache=cache, use_cache=True)
        cache, logits, position = output.cache, output.logits[:, -1], position + 1


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

    `batch_size` sequences are decoded together; where the model's cache allows, a sequence that
    ends hands its place to the next one at once. A sequence stops at EOS or once its text
    contains a stop string, at most `params.max_new_tokens` tokens; `temperature=0` decodes
    greedily.
    """
    assert batch_size > 0 and num_return_sequences > 0, "sizes must be positive"
    texts = [prompt_text(tokenizer, prompt, chat) for prompt in prompts]
    # A chat template writes its own special tokens; plain prompts get the tokenizer's (BOS).
    encoded = [tokenizer.encode(text, add_special_tokens=not chat) for text in texts]
    order = sorted(range(len(encoded)), key=lambda i: -len(encoded[i]))
    copies = num_return_sequences
    queue = deque((prompt, prompt * copies + copy) for prompt in order for copy in range(copies))
    samples: list[list[int]] = [[] for _ in range(len(prompts) * copies)]
    generator = torch.Generator(model.device).manual_seed(params.seed)
    with make_progress() as bar:
        task = bar.add_task("generating", total=len(samples), visible=progress)

        def finish(sample: int, tokens: list[int]) -> None:
            samples[sample] = tokens
            bar.advance(task)

        _decode(model, encoded, queue, batch_size, params, _pad_id(tokenizer),
                _eos_ids(model, tokenizer), _StopWatch(tokenizer, params.stop), generator, finish)
    texts = [cut_at_stop(text, params.stop)
             for text in tokenizer.batch_decode(samples, skip_special_tokens=True)]
    return [texts[start:start + copies] for start in range(0, len(texts), copies)]
