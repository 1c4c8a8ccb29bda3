"""Parity with lm-eval's inverse_scaling_mc on memo-trap and neqa subsets (tiny random model)."""

from __future__ import annotations

import pandas as pd
import pytest

from reprolab.invscale.config import ParityConfig
from reprolab.invscale.parity import check_parity, compare, local_task_yaml
from reprolab.invscale.tasks import DATASET  # noqa: F401  (registers the dataset for needs_data)
from tests.lm.tiny_models import tiny_llama


def test_local_task_inherits_the_lm_eval_family(tmp_path):
    text = local_task_yaml("t", tmp_path / "x.jsonl")
    assert "inverse_scaling/_inverse_scaling_mc_yaml" in text
    assert "doc_to_choice: '{{classes}}'" in text


def test_compare_counts_disagreements_and_the_largest_gap():
    ours = pd.DataFrame({"index": [0, 1], "correct": [1, 0],
                         "class_logprobs": [[-1.0, -2.0], [-3.0, -1.0]]})
    theirs = pd.DataFrame({"index": [0, 1], "correct": [1, 1],
                           "logliks": [[-1.0, -2.0005], [-3.0, -1.0]]})
    result = compare("t", ours, theirs)
    assert (result.n_items, result.correct_disagreements) == (2, 1)
    assert result.accuracy_ours == 0.5 and result.accuracy_lm_eval == 1.0
    assert not result.identical_accuracy
    assert result.max_abs_loglik_difference == pytest.approx(0.0005)


@pytest.mark.needs_data("inverse-scaling")
def test_tiny_model_matches_lm_eval_on_memo_trap_and_neqa(tmp_path):
    tiny_llama(tmp_path)
    results = check_parity(ParityConfig(str(tmp_path / "tiny-llama"), limit=6, batch_size=4,
                                        device="cpu"))
    assert [r.task for r in results] == ["memo-trap", "neqa"]
    for result in results:
        assert result.n_items == 6
        assert result.identical_accuracy and result.correct_disagreements == 0
        assert result.max_abs_loglik_difference < 1e-3


@pytest.mark.slow
@pytest.mark.needs_data("inverse-scaling")
def test_smollm2_matches_lm_eval_on_memo_trap_and_neqa():
    """The real check (minutes on CPU): `reprolab invscale parity` runs it on the full tasks."""
    results = check_parity(ParityConfig("smollm2-135m", limit=100, batch_size=16))
    for result in results:
        assert result.n_items == 100
        assert result.identical_accuracy and result.correct_disagreements == 0
        assert result.max_abs_loglik_difference < 1e-3
