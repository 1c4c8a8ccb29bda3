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


def _take(queue: deque, count: int) -> list:
    """Up to `count` items off the front of `queue`."""
    return [queue.popleft() for _ in range(min(count, len(queue)))]


class _Prompts:
    """Prompts read once however many samples they have: where rows can be refilled (every
    cache layer a `GrowingLayer`), a prompt's keys and values (per layer, `(heads, tokens,
    dim)`) and last logits are kept while samples of it wait."""

    def __init__(self, model: PreTrainedModel, encoded: Sequence[list[int]], pad_id: int,
                 queue: deque[tuple[int, int]]) -> None:
        self.model, self.encoded, self.pad_id = model, encoded, pad_id
        self.refillable = all(isinstance(layer, GrowingLayer)
                              for layer in decoding_cache(model).layers)
        self.waiting = Counter(prompt for prompt, _ in queue)
        self.kept: dict[int, tuple[list[tuple[torch.Tensor, torch.Tensor]], torch.Tensor]] = {}

    def prefill(self, prompts: list[int]):
        """`(cache, mask, positions, last logits)` of one left-padded forward over `prompts`,
        whose states are kept for their samples where rows can be refilled."""
        input_ids, mask = _left_pad([self.encoded[p] for p in prompts], self.pad_id,
                                    self.model.device)
        positions = (mask.cumsum(dim=-1) - 1).clamp(min=0)
        output = self.model(input_ids=input_ids, attention_mask=mask, position_ids=positions,
                            cache=decoding_cache(self.model), use_cache=True, logits_to_keep=1)
        logits = output.logits[:, -1]
        for row, prompt in enumerate(prompts if self.refillable else ()):
            length = len(self.encoded[prompt])
            self.kept[prompt] = ([(layer.keys[row, :, -length:], layer.values[row, :, -length:])
                                  for layer in output.cache.layers], logits[row].clone())
        return output.cache, mask, positions, logits

    def states(self, samples: list[tuple[int, int]]) -> list[tuple[list, torch.Tensor]]:
        """The kept states and logits of each sample's prompt, prefilling those not kept."""
        new = list(dict.fromkeys(prompt for prompt, _ in samples if prompt not in self.kept))
        if new:
            self.prefill(new)
        return [self.kept[prompt] for prompt, _ in samples]

    def started(self, samples: list[tuple[int, int]]) -> None:
        """Forget a prompt once none of its samples waits."""
        self.waiting.subtract(prompt for prompt, _ in samples)
        for prompt, _ in samples:
            if not self.waiting[prompt]:
                self.kept.pop(prompt, None)


class _Rows:
    """The sequences decoded together: their cache, attention mask `(rows, columns)`, next
    positions `(rows, 1)` and, per row, the sample it holds with its new tokens (None once the
    sample has ended)."""

    def __init__(self, prompts: _Prompts, wave: list[tuple[int, int]]) -> None:
        """A wave: one prefill of its samples' prompts, the cache rows copied for each sample;
        `self.logits` holds each row's next-token logits."""
        unique = list(dict.fromkeys(prompt for prompt, _ in wave))
        cache, mask, positions, logits = prompts.prefill(unique)
        self.refillable = prompts.refillable
        index = torch.tensor([unique.index(prompt) for prompt, _ in wave], device=mask.device)
        cache.batch_select_indices(index)
        self.cache, self.mask, self.logits = cache, mask[index], logits[index]
        self.position = positions[index, -1:] + 1
        self.slots: list[tuple[int, list[int]] | None] = [(sample, []) for _, sample in wave]
        prompts.started(wave)

    def place(self, row: int, states: list[tuple[torch.Tensor, torch.Tensor]],
              sample: int) -> None:
        """Start `sample` in `row`: its prompt's states at the end of the row, the rest masked."""
        width = states[0][0].shape[-2]
        for layer, (keys, values) in zip(self.cache.layers, states, strict=True):
            layer.place(row, keys, values)
        self.mask[row] = 0
        self.mask[row, -width:] = 1
        self.position[row] = width
        self.slots[row] = (sample, [])

    def keep_live(self, tokens: torch.Tensor) -> torch.Tensor:
        """Drop the rows whose sample ended; returns the live rows' `tokens`."""
        live = [row for row, slot in enumerate(self.slots) if slot is not None]
        index = torch.tensor(live, dtype=torch.long, device=self.mask.device)
        if live:
            self.cache.batch_select_indices(index)
        self.mask, self.position = self.mask[index], self.position[index]
        self.slots = [self.slots[row] for row in live]
        return tokens[index]

    def step(self, model: PreTrainedModel, tokens: torch.Tensor) -> None:
        """Feed each row its next token; `self.logits` becomes the following one's."""
        if self.refillable and (lead := int(self.mask.any(dim=0).int().argmax())) >= _TRIM:
            for layer in self.cache.layers:
                layer.trim(lead)
            self.mask = self.mask[:, lead:]
        self.mask = torch.cat([self.mask, self.mask.new_ones((len(self.slots), 1))], dim=-1)
        output = model(input_ids=tokens[:, None], attention_mask=self.mask,
                       position_ids=self.position, cache=self.cache, use_cache=True)
        self.cache, self.logits = output.cache, output.logits[:, -1]
        self.position = self.position + 1


@torch.inference_mode()
def _decode(model: PreTrainedModel, encoded: Sequence[list[int]], queue: deque[tuple[int, int]],
            rows: int, params: SamplingParams, pad_id: int, eos_ids: frozenset[int],
            watch: _StopWatch, generator: torch.Generator,
            finish: Callable[[int, list[int]], None]) -> None:
    """Decode each `(prompt, sample)` of `queue`, in order and `rows` at a time, calling
    `finish(sample, new tokens)` as a sample ends: before its first EOS, with its first stop
    string, or after `params.max_new_tokens` tokens.

    Samples start in waves (`_Rows`). Where the cache allows, an ended row goes at once to the
    next sample waiting; otherwise ended rows leave the batch and the next wave starts when all
    have ended."""
    prompts = _Prompts(model, encoded, pad_id, queue)

    def ended(batch: _Rows, row: int, token: int) -> bool:
        sample, new = batch.slots[row]
        done = token in eos_ids  # an EOS is not part of the text
        if not done:
            new.append(token)
            done = watch.stopped(new) or len(new) == params.max_new_tokens
        if done:
            finish(sample, new)
            batch.slots[row] = None
        return done

    batch = None
    while queue or (batch and batch.slots):
        if batch is None or not batch.slots:
            batch = _Rows(prompts, _take(queue, rows))
        tokens = next_tokens(batch.logits, params, generator)
        free = [row for row, token in enumerate(tokens.tolist()) if ended(batch, row, token)]
        while batch.refillable and free and queue:  # the next samples take the ended rows
            starting = _take(queue, len(free))
            states = prompts.states(starting)
            placed, free = free[:len(starting)], free[len(starting):]
            for row, (own, _), (_, sample) in zip(placed, states, starting, strict=True):
                batch.place(row, own, sample)
            prompts.started(starting)
            first = next_tokens(torch.stack([logits for _, logits in states]), params,
                                generator)
            tokens[placed] = first
            free += [row for row, token in zip(placed, first.tolist(), strict=True)
                     if ended(batch, row, token)]
        if free:
            tokens = batch.keep_live(tokens)
        if batch.slots:
            batch.step(model, tokens)


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
