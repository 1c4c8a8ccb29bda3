"""Trained link predictors: the paper's baseline M6 (15 features -> 15-100-100-10-1 MLP) and an
M1-style gradient-boosted model (LightGBM) on time-dynamic features.

Both fit on a query `delta` years before the one they score, with labels from the window
ending where the scored query starts, so they never see edges after year_start.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from reprolab.core.device import one_thread
from reprolab.core.errors import UserError
from reprolab.core.progress import track
from reprolab.science4cast.features import LinkQuery, dynamic_features, m6_features


def _check_labels(labels: np.ndarray) -> None:
    if labels.all() or not labels.any():
        raise UserError("The training window's pairs are all of one class: sample more pairs "
                        "(--n-pairs) or choose a setting with positives.")


class M6Network:
    """M6 of Krenn et al. 2023: a 15-100-100-10-1 ReLU network on `m6_features`, trained with
    class-balanced minibatches (half positives), inputs standardised on the training set."""

    def __init__(self, steps: int = 2000, batch_size: int = 256, lr: float = 1e-3,
                 seed: int = 0) -> None:
        self.steps, self.batch_size, self.lr, self.seed = steps, batch_size, lr, seed

    def fit(self, query: LinkQuery, labels: np.ndarray) -> None:
        _check_labels(labels)
        torch.manual_seed(self.seed)
        rng = np.random.default_rng(self.seed)
        x = m6_features(query)  # [N, 15]
        self.mean, self.std = x.mean(axis=0), x.std(axis=0) + 1e-6
        inputs = torch.from_numpy((x - self.mean) / self.std)
        positives, negatives = np.flatnonzero(labels), np.flatnonzero(~labels)
        self.model = nn.Sequential(nn.Linear(15, 100), nn.ReLU(), nn.Linear(100, 100), nn.ReLU(),
                                   nn.Linear(100, 10), nn.ReLU(), nn.Linear(10, 1))
        optimiser = torch.optim.Adam(self.model.parameters(), lr=self.lr)
        half = self.batch_size // 2
        target = torch.cat([torch.ones(half), torch.zeros(half)])
        with one_thread():
            for _ in track(range(self.steps), "training M6"):
                rows = np.concatenate([rng.choice(positives, half),
                                       rng.choice(negatives, half)])
                loss = nn.functional.binary_cross_entropy_with_logits(
                    self.model(inputs[rows]).squeeze(1), target)
                optimiser.zero_grad()
                loss.backward()
                optimiser.step()

    @torch.no_grad()
    def score(self, query: LinkQuery) -> np.ndarray:
        x = torch.from_numpy((m6_features(query) - self.mean) / self.std)
        with one_thread():
            return self.model(x).squeeze(1).numpy()


class GradientBoosting:
    """M1-style LightGBM classifier on `dynamic_features` (the paper's winner adds XGBoost and
    a GNN; this is its gradient-boosted half)."""

    def __init__(self, rounds: int = 300, learning_rate: float = 0.05, num_leaves: int = 31,
                 seed: int = 0) -> None:
        self.rounds, self.learning_rate, self.num_leaves, self.seed = (
            rounds, learning_rate, num_leaves, seed)

    def fit(self, query: LinkQuery, labels: np.ndarray) -> None:
        import lightgbm

        _check_labels(labels)
        self.model = lightgbm.LGBMClassifier(
            n_estimators=self.rounds, learning_rate=self.learning_rate,
            num_leaves=self.num_leaves, min_child_samples=10, subsample=0.8, subsample_freq=1,
            colsample_bytree=0.8, random_state=self.seed, n_jobs=1, verbose=-1)
        self.model.fit(dynamic_features(query), labels)

    def score(self, query: LinkQuery) -> np.ndarray:
        return self.model.predict_proba(dynamic_features(query))[:, 1]
