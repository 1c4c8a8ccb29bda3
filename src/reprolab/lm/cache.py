"""A key/value cache for decoding that writes each new token in place.

`transformers`' `DynamicLayer` concatenates every step, so each decoding step copies (and
allocates) the whole cache of every layer; on a CPU that was a fifth of a sampling step at 64
rows. `GrowingLayer` keeps its keys and values in a buffer with room for `room` more tokens,
writes new tokens into it, and hands attention a view of the filled part; the buffer is copied
only when it is full or rows leave the batch. A new sequence can take over a row (`place`), and
columns no row attends to any more are dropped from the front (`trim`), so that continuous
batching needs no copy of the cache either.
"""

from __future__ import annotations

import torch
from transformers import DynamicCache, PreTrainedModel
from transformers.cache_utils import DynamicLayer


class GrowingLayer(DynamicLayer):
    """A `DynamicLayer` whose `keys`/`values` are views of a larger buffer `(batch, heads,
    capacity, head_dim)`, grown `room` tokens at a time."""

    def __init__(self, room: int = 64) -> None:
        super().__init__()
        self.room, self.length = room, 0
        self._keys = self._values = torch.empty(0)

    def update(self, key_states: torch.Tensor, value_states: torch.Tensor, *args, **kwargs
               ) -> tuple[torch.Tensor, torch.Tensor]:
        if not self.is_initialized:
            self.lazy_initialization(key_states, value_states)
            self._keys, self._values = key_states[:, :, :0], value_states[:, :, :0]
            self.length = 0
        end = self.length + key_states.shape[-2]
        if end > self._keys.shape[-2]:
            self._keys, self._values = self._grow(self._keys, end), self._grow(self._values, end)
        self._keys[:, :, self.length:end] = key_states
        self._values[:, :, self.length:end] = value_states
        self.length = end
        self._expose()
        return self.keys, self.values

    def _grow(self, buffer: torch.Tensor, needed: int) -> torch.Tensor:
        """A copy of `buffer`'s filled part in a new buffer of `needed + room` tokens."""
        batch, heads, _, dim = buffer.shape
        grown = buffer.new_empty((batch, heads, needed + self.room, dim))
        grown[:, :, :self.length] = buffer[:, :, :self.length]
        return grown

    def _expose(self) -> None:
        self.keys, self.values = self._keys[:, :, :self.length], self._values[:, :, :self.length]

    def batch_repeat_interleave(self, repeats: int) -> None:
        if self.length:
            self._keys = self._keys.repeat_interleave(repeats, dim=0)
            self._values = self._values.repeat_interleave(repeats, dim=0)
            self._expose()

    def batch_select_indices(self, indices: torch.Tensor) -> None:
        if self.length:
            self._keys, self._values = self._keys[indices], self._values[indices]
            self._expose()

    def place(self, row: int, keys: torch.Tensor, values: torch.Tensor) -> None:
        """Write one sequence's keys and values `(heads, tokens, dim)` at the end of cache row
        `row`, for a new sequence to take the place of one that ended (the caller masks the
        columns before them)."""
        width = keys.shape[-2]
        assert width <= self.length, "a placed sequence must fit in the cache"
        self._keys[row, :, self.length - width:self.length] = keys
        self._values[row, :, self.length - width:self.length] = values

    def trim(self, columns: int) -> None:
        """Drop the first `columns` tokens of every row (ones no row attends to any more)."""
        self._keys, self._values = self._keys[:, :, columns:], self._values[:, :, columns:]
        self.length -= columns
        self._expose()

    def crop(self, tokens_to_remove: int) -> None:
        super().crop(tokens_to_remove)
        if self.is_initialized:
            self.length = self.keys.shape[-2]


def decoding_cache(model: PreTrainedModel, room: int = 64) -> DynamicCache:
    """The model's usual dynamic cache with each full-attention layer a `GrowingLayer`; other
    layer kinds (sliding windows, linear attention) are kept as `transformers` builds them."""
    cache = DynamicCache(config=model.config)
    cache.layers = [GrowingLayer(room) if type(layer) is DynamicLayer else layer
                    for layer in cache.layers]
    return cache
