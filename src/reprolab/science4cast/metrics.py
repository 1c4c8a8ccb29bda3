"""Ranking metrics of scored pairs: ROC AUC (the paper's metric), average precision and
precision among the top k."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import average_precision_score, roc_auc_score, roc_curve

from reprolab.core.errors import UserError


def _check(labels: np.ndarray, scores: np.ndarray) -> None:
    assert labels.shape == scores.shape, f"labels {labels.shape} vs scores {scores.shape}"
    if labels.all() or not labels.any():
        raise UserError("The benchmark's pairs are all of one class: sample more pairs "
                        "(--n-pairs) or choose a setting with positives.")


def precision_at_k(labels: np.ndarray, scores: np.ndarray, k: int) -> float:
    """Share of positives among the `k` highest scores (ties broken by order, stable)."""
    top = np.argsort(-scores, kind="stable")[:k]
    return float(labels[top].mean())


def ranking_metrics(labels: np.ndarray, scores: np.ndarray, k: int = 100) -> dict[str, float]:
    """`{"auc", "average_precision", "precision_at_k"}` of `scores` [N] against bool `labels`."""
    _check(labels, scores)
    return {"auc": float(roc_auc_score(labels, scores)),
            "average_precision": float(average_precision_score(labels, scores)),
            "precision_at_k": precision_at_k(labels, scores, k)}


def roc_points(labels: np.ndarray, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(false positive rate, true positive rate) of the ROC curve."""
    _check(labels, scores)
    fpr, tpr, _ = roc_curve(labels, scores)
    return fpr, tpr
