"""Model sizes and training compute."""

from __future__ import annotations

import pytest

from reprolab.invscale.sizes import KNOWN_SIZES, model_size


def test_published_sizes_and_6nd_compute():
    assert [KNOWN_SIZES[m].parameters for m in ("ada", "babbage", "curie", "davinci")] == [
        350e6, 1.3e9, 6.7e9, 175e9]
    assert KNOWN_SIZES["davinci"].training_flops == pytest.approx(6 * 175e9 * 300e9)  # 3.15e23
    assert KNOWN_SIZES["gpt2-xl"].training_flops is None  # GPT-2's tokens were not published
    assert KNOWN_SIZES["opt-1.3b"].family == "OPT"


def test_published_counts_win_and_unknown_models_are_counted():
    assert model_size("qwen2.5-coder-0.5b", 630_167_424).parameters == 494e6  # untied copy
    assert model_size("smollm2-135m").training_flops == pytest.approx(6 * 134.5e6 * 2e12)
    local = model_size("/models/mine", 1000)
    assert (local.family, local.parameters, local.training_flops) == ("other", 1000.0, None)
    with pytest.raises(KeyError, match="No known size"):
        model_size("/models/mine")
