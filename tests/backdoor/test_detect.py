"""Detectors: statistics and AUROC on hand cases, and the tiny-host population."""

import numpy as np
import pytest
import torch
from torch import nn

from reprolab.backdoor.config import DetectConfig
from reprolab.backdoor.detect import (
    auroc,
    probe_scores,
    run_detection,
    weight_anomaly_scores,
    weight_statistics,
)


class Weights(nn.Module):
    def __init__(self, values: list[float]) -> None:
        super().__init__()
        self.w = nn.Parameter(torch.tensor(values))
        self.register_buffer("ids", torch.tensor([1, 2, 3]))  # integers are not weights


def test_weight_statistics_hand_case():
    stats = weight_statistics(Weights([2.0, 0.0, -2.0, 0.5]))
    # mean 0.125; central moments m2 = 2.046875, m4 = 8.192626953125
    assert stats["n_weights"] == 4
    assert stats["integer_share"] == 0.5  # 2 and -2 (zero is counted apart)
    assert stats["zero_share"] == 0.25
    assert stats["max_abs"] == 2.0
    assert stats["kurtosis"] == pytest.approx(8.192626953125 / 2.046875**2 - 3)


def test_tied_weights_count_once():
    module = Weights([1.5, 2.5])
    module.tied = module.w
    assert weight_statistics(module)["n_weights"] == 2


def test_anomaly_score_hand_case():
    keys = ("kurtosis", "integer_share", "zero_share", "max_abs", "n_weights")
    reference = [dict.fromkeys(keys, 0.0), dict.fromkeys(keys, 2.0)]  # mean 1, std 1
    row = dict(zip(keys, (1.0, 3.0, -1.0, 1.0, 2.0), strict=True))  # |z| = 0, 2, 2, 0, 1
    assert weight_anomaly_scores([row], reference)[0] == pytest.approx(1.0)


def test_auroc_hand_cases():
    assert auroc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]) == 0.75
    assert auroc([0.5, 0.5, 0.5, 0.5], [0, 1, 0, 1]) == 0.5


def test_probe_separates_shifted_activations_and_not_identical_ones():
    rng = np.random.default_rng(0)
    labels, groups = [0, 1] * 4, [0, 0, 1, 1, 2, 2, 3, 3]
    shifted = [rng.normal(2.0 * label, 1.0, (10, 6)) for label in labels]
    assert auroc(probe_scores(shifted, labels, groups, folds=4), labels) == 1.0
    same = [rng.normal(0.0, 1.0, (10, 6)) for _ in range(4)]
    twins = [same[g] for g in groups]  # each backdoored twin repeats its clean host
    assert auroc(probe_scores(twins, labels, groups, folds=4), labels) == 0.5


def test_detection_population_on_tiny_hosts():
    result = run_detection(DetectConfig(hosts=3, prompts=4, prompt_length=6, folds=3))
    assert len(result.models) == 6 and result.models["label"].sum() == 3
    assert result.weight_statistics_auroc == 1.0  # the module's integer weights stand out
    assert result.activation_probe_auroc == 0.5  # off-trigger activations equal the host's
