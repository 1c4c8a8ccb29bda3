import numpy as np
import pytest

from reprolab.core.errors import UserError
from reprolab.science4cast.metrics import precision_at_k, ranking_metrics, roc_points

LABELS = np.array([True, False, True, False, False])
SCORES = np.array([0.9, 0.8, 0.3, 0.2, 0.1])


def test_metrics_by_hand():
    metrics = ranking_metrics(LABELS, SCORES, k=2)
    # positives outrank 3 of 3 and 2 of 3 negatives: AUC 5/6; AP = (1/1 + 2/3) / 2
    assert metrics == pytest.approx({"auc": 5 / 6, "average_precision": 5 / 6,
                                     "precision_at_k": 0.5})
    assert precision_at_k(LABELS, SCORES, 1) == 1.0
    fpr, tpr = roc_points(LABELS, SCORES)
    assert fpr[-1] == tpr[-1] == 1.0


def test_one_class_is_a_user_error():
    with pytest.raises(UserError, match="all of one class"):
        ranking_metrics(np.zeros(4, bool), np.arange(4.0))
