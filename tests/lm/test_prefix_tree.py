"""Prefix tree layout and its attention masks, checked against hand-built expectations."""

from __future__ import annotations

import pytest
import torch
from transformers import Gemma3TextConfig, LlamaConfig

from reprolab.lm.prefix_tree import PrefixTree


@pytest.fixture
def tree() -> PrefixTree:
    tree = PrefixTree()
    assert tree.insert((1, 2, 3)) == [0, 1, 2]
    assert tree.insert((1, 2, 4)) == [0, 1, 3]
    assert tree.insert((1, 5)) == [0, 4]
    assert tree.insert((1, 2)) == [0, 1]  # already there: no new node
    return tree


def test_shared_prefixes_are_stored_once(tree) -> None:
    assert tree.tokens == [1, 2, 3, 4, 5]
    assert tree.parents == [-1, 0, 1, 1, 0]
    assert tree.depths == [0, 1, 2, 2, 1]


def test_each_node_sees_itself_and_its_ancestors(tree) -> None:
    expected = torch.tensor([[1, 0, 0, 0, 0],
                             [1, 1, 0, 0, 0],
                             [1, 1, 1, 0, 0],
                             [1, 1, 0, 1, 0],
                             [1, 0, 0, 0, 1]], dtype=torch.bool)
    assert torch.equal(tree.ancestor_mask(), expected)


def test_full_attention_models_get_one_additive_mask(tree) -> None:
    mask = tree.attention_masks(LlamaConfig(), torch.float32, torch.device("cpu"))
    assert mask.shape == (1, 1, 5, 5)
    assert torch.equal(mask[0, 0] == 0, tree.ancestor_mask())
    assert mask.min() == torch.finfo(torch.float32).min


def test_mixed_layers_get_a_mask_per_layer_type_with_the_window_applied(tree) -> None:
    config = Gemma3TextConfig(num_hidden_layers=2, sliding_window=2,
                              layer_types=["sliding_attention", "full_attention"])
    masks = tree.attention_masks(config, torch.float32, torch.device("cpu"))
    assert set(masks) == {"sliding_attention", "full_attention"}
    assert torch.equal(masks["full_attention"][0, 0] == 0, tree.ancestor_mask())
    sliding = tree.ancestor_mask()
    sliding[2, 0] = sliding[3, 0] = False  # depth 2 sees depths 1 and 2 only
    assert torch.equal(masks["sliding_attention"][0, 0] == 0, sliding)


def test_other_attention_kinds_are_refused(tree) -> None:
    config = LlamaConfig()
    config.layer_types = ["chunked_attention"] * config.num_hidden_layers
    with pytest.raises(ValueError, match="chunked_attention"):
        tree.attention_masks(config, torch.float32, torch.device("cpu"))
