"""Detectors that tell backdoored from clean hosts, each scored by AUROC over a model population.

The paper measured no detectors. Two standard ones:

- Weight statistics: summary statistics of all floating-point weights (excess kurtosis, share of
  exactly integer-valued weights, share of zeros, largest |w|, number of weights), turned into an
  anomaly score: the mean |z-score| against a reference population of clean models.
- Linear activation probe: logistic regression on the host's last-layer hidden state at the final
  position of off-trigger prompts, cross-validated with models grouped by their host (a clean host
  and its backdoored twin are always held out together); a model's score is its mean predicted
  probability of being backdoored.

AUROC is scikit-learn's `roc_auc_score` (ties count one half).
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import GroupKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from torch import nn

from reprolab.backdoor.config import DetectConfig
from reprolab.backdoor.designs.trigger import random_tokens
from reprolab.backdoor.insertion.hosts import TINY_EOS, backdoor, tiny_host
from reprolab.core.progress import track

WEIGHT_STATISTICS = ("kurtosis", "integer_share", "zero_share", "max_abs", "n_weights")


@torch.no_grad()
def weight_statistics(model: nn.Module) -> dict[str, float]:
    """Statistics over every floating-point parameter and buffer of `model` (moments in float64,
    tensor by tensor, so large models need no copy of all weights)."""
    count = total = total2 = total3 = total4 = integers = zeros = 0.0
    max_abs = 0.0
    seen: set[int] = set()
    for tensor in [*model.parameters(), *model.buffers()]:
        if not tensor.is_floating_point() or tensor.data_ptr() in seen:
            continue
        seen.add(tensor.data_ptr())  # tied weights count once
        values = tensor.detach().double().flatten()
        count += values.numel()
        total += values.sum().item()
        total2 += values.pow(2).sum().item()
        total3 += values.pow(3).sum().item()
        total4 += values.pow(4).sum().item()
        zeros += (values == 0).sum().item()
        integers += ((values == values.round()) & (values != 0)).sum().item()
        max_abs = max(max_abs, values.abs().max().item())
    mean = total / count
    var = total2 / count - mean**2
    fourth = total4 / count - 4 * mean * total3 / count + 6 * mean**2 * total2 / count - 3 * mean**4
    return {"kurtosis": fourth / var**2 - 3.0, "integer_share": integers / count,
            "zero_share": zeros / count, "max_abs": max_abs, "n_weights": count}


def weight_anomaly_scores(
    features: Sequence[dict[str, float]], reference: Sequence[dict[str, float]]
) -> np.ndarray:
    """Mean |z| of each model's statistics against the reference (clean) models' mean and std."""
    ref = np.array([[row[k] for k in WEIGHT_STATISTICS] for row in reference], dtype=float)
    rows = np.array([[row[k] for k in WEIGHT_STATISTICS] for row in features], dtype=float)
    spread = ref.std(axis=0)
    spread[spread == 0] = 1.0  # a statistic constant over the reference: distance in raw units
    return np.abs((rows - ref.mean(axis=0)) / spread).mean(axis=1)


@torch.no_grad()
def last_hidden_states(model: nn.Module, prompts: torch.Tensor) -> np.ndarray:
    """[n, hidden] last-layer hidden state at the final position of prompts [n, T]."""
    device = next(model.parameters()).device
    out = model(input_ids=prompts.to(device), output_hidden_states=True)
    return out.hidden_states[-1][:, -1].float().cpu().numpy()


def probe_scores(
    activations: Sequence[np.ndarray], labels: Sequence[int], groups: Sequence[int],
    folds: int = 5, seed: int = 0,
) -> np.ndarray:
    """Out-of-fold probe score per model: activations[i] is [n_prompts, hidden] for model i.

    Each fold trains a standardised logistic regression on the prompts of the other folds' models
    (label = the model's label) and scores held-out models by mean predicted probability.
    """
    labels, groups = np.asarray(labels), np.asarray(groups)
    n_folds = min(folds, len(set(groups.tolist())))
    if n_folds < 2 or len(set(labels.tolist())) < 2:
        raise ValueError("the probe needs two classes and at least two host groups")
    scores = np.zeros(len(activations))
    splitter = GroupKFold(n_splits=n_folds)
    for train, test in splitter.split(np.zeros(len(labels)), labels, groups):
        x = np.concatenate([activations[i] for i in train])
        y = np.concatenate([np.full(len(activations[i]), labels[i]) for i in train])
        if len(set(y.tolist())) < 2:
            scores[test] = 0.5
            continue
        probe = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000,
                                                                    random_state=seed))
        probe.fit(x, y)
        for i in test:
            scores[i] = probe.predict_proba(activations[i])[:, 1].mean()
    return scores


def auroc(scores: Sequence[float], labels: Sequence[int]) -> float:
    """Area under the ROC curve of `scores` for labels (1 = backdoored)."""
    return float(roc_auc_score(np.asarray(labels), np.asarray(scores)))


def random_payload(generator: torch.Generator) -> str:
    """8 to 15 random capital letters."""
    length = int(torch.randint(8, 16, (1,), generator=generator))
    return "".join(chr(65 + int(i)) for i in torch.randint(26, (length,), generator=generator))


@dataclass(frozen=True)
class DetectResult:
    """One row per model (host, label, design, weight statistics, both scores) and each
    detector's AUROC over the population."""

    models: pd.DataFrame
    weight_statistics_auroc: float
    activation_probe_auroc: float
    folder: Path | None = None


def run_detection(config: DetectConfig) -> DetectResult:
    """Score every clean tiny host and its backdoored twin with both detectors. A model's weight
    reference is the clean models of the *other* hosts, so no model is compared with itself."""
    generator = torch.Generator().manual_seed(config.seed)
    prompts = torch.randint(TINY_EOS, (config.prompts, config.prompt_length), generator=generator)
    rows, stats, activations = [], [], []
    for host_index in track(range(config.hosts), "detection population"):
        design = config.designs[host_index % len(config.designs)]
        clean = tiny_host(seed=config.seed + host_index)
        trigger = random_tokens(TINY_EOS, (config.trigger_tokens,), generator)
        twin = backdoor(copy.deepcopy(clean), None, design, trigger, random_payload(generator),
                        config.options, seed=config.seed + host_index)
        for label, model in ((0, clean), (1, twin)):
            rows.append({"host": host_index, "label": label,
                         "design": design if label else "clean"})
            stats.append(weight_statistics(model))
            activations.append(last_hidden_states(model, prompts))
    frame = pd.DataFrame(rows)
    hosts = frame["host"].to_numpy()
    clean_rows = frame["label"].to_numpy() == 0
    frame["weight_score"] = [
        weight_anomaly_scores([stats[i]],
                              [stats[j] for j in np.flatnonzero(clean_rows & (hosts != h))])[0]
        for i, h in enumerate(hosts)]
    frame = pd.concat([frame, pd.DataFrame(stats)], axis=1)
    frame["probe_score"] = probe_scores(activations, frame["label"], hosts, config.folds,
                                        config.seed)
    return DetectResult(frame, auroc(frame["weight_score"], frame["label"]),
                        auroc(frame["probe_score"], frame["label"]))
