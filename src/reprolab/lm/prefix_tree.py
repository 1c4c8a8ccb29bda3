"""Many token sequences packed as one prefix tree, so each shared prefix is computed once.

The tree's nodes form one sequence (parents before children). Node i holds one token at position
`depth[i]` and attends to itself and its ancestors only, so its hidden state equals the one it
would have at that position in any of the sequences that pass through it. This is the "tree
attention" of speculative decoding (Miao et al. 2024, SpecInfer) and the prefix sharing of
RadixAttention (Zheng et al. 2024, SGLang), used here for exact scoring in a single forward pass.
"""

from __future__ import annotations

import torch
from transformers import PretrainedConfig

_FULL, _SLIDING = "full_attention", "sliding_attention"


class PrefixTree:
    """A token trie as a sequence: node i has a token, a parent (-1 for a root) and a depth."""

    def __init__(self) -> None:
        self.tokens: list[int] = []
        self.parents: list[int] = []
        self.depths: list[int] = []
        self._children: dict[tuple[int, int], int] = {}

    def __len__(self) -> int:
        return len(self.tokens)

    def insert(self, sequence: tuple[int, ...]) -> list[int]:
        """Add `sequence`; return the node index of each of its tokens."""
        path, node = [], -1
        for token in sequence:
            child = self._children.get((node, token))
            if child is None:
                child = len(self.tokens)
                self._children[(node, token)] = child
                self.tokens.append(token)
                self.parents.append(node)
                self.depths.append(len(path))
            path.append(child)
            node = child
        return path

    def ancestor_mask(self) -> torch.Tensor:
        """Boolean `(n, n)`: `[i, j]` is True when node j is node i or one of its ancestors."""
        n = len(self.tokens)
        mask = torch.zeros(n, n, dtype=torch.bool)
        for i, parent in enumerate(self.parents):
            if parent >= 0:
                mask[i] = mask[parent]
            mask[i, i] = True
        return mask

    def attention_masks(
        self, config: PretrainedConfig, dtype: torch.dtype, device: torch.device
    ) -> torch.Tensor | dict[str, torch.Tensor]:
        """Additive masks `(1, 1, n, n)` (0 where allowed, dtype's min elsewhere) in the form the
        model's forward accepts: one tensor, or `{layer type: mask}` for models that mix full and
        sliding-window layers (Gemma 3). Raises ValueError for other layer types."""
        text_config = config.get_text_config()
        window = getattr(text_config, "sliding_window", None)
        layer_types = set(getattr(text_config, "layer_types", None) or ())
        if not layer_types:
            layer_types = {_SLIDING if window else _FULL}
        if unknown := layer_types - {_FULL, _SLIDING}:
            raise ValueError(f"Packed scoring supports full and sliding-window attention layers, "
                             f"not {sorted(unknown)}.")
        allowed = self.ancestor_mask()
        depths = torch.tensor(self.depths)
        masks = {}
        for kind in layer_types:
            keep = allowed
            if kind == _SLIDING:
                keep = allowed & (depths[:, None] - depths[None, :] < window)
            additive = torch.zeros(keep.shape, dtype=dtype)
            additive.masked_fill_(~keep, torch.finfo(dtype).min)
            masks[kind] = additive[None, None].to(device)
        return masks if len(masks) > 1 else next(iter(masks.values()))
