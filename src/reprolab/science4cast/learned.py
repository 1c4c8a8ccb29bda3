"""Trained link predictors on pair features: the paper's baseline M6 (15 features ->
15-100-100-10-1 MLP), and on the time-dynamic features LightGBM and XGBoost (M1's trees) and a
random forest (M5).

Each fits on a query `delta` years before the one it scores, with labels from the window ending
where the scored query starts, so it never sees edges after year_start. Each saves in its own
library's format: safetensors for the MLP, LightGBM's text and XGBoost's JSON model files, the
forest's tree arrays as `.npz`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from torch import nn

from reprolab.core.checkpoints import load_checkpoint, save_checkpoint
from reprolab.core.device import one_thread
from reprolab.core.errors import UserError
from reprolab.core.progress import track
from reprolab.science4cast.features import LinkQuery, dynamic_features, m6_features
from reprolab.science4cast.methods import check_labels, model_file, reading
from reprolab.science4cast.network import read_npz


class M6Mlp(nn.Module):
    """Standardise the 15 inputs (training-set mean and std, kept as buffers), then
    15-100-100-10-1 with ReLUs."""

    def __init__(self) -> None:
        super().__init__()
        self.register_buffer("mean", torch.zeros(15))
        self.register_buffer("std", torch.ones(15))
        self.layers = nn.Sequential(nn.Linear(15, 100), nn.ReLU(), nn.Linear(100, 100),
                                    nn.ReLU(), nn.Linear(100, 10), nn.ReLU(), nn.Linear(10, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # [N, 15] -> [N] logits
        return self.layers((x - self.mean) / self.std).squeeze(1)


class M6Network:
    """M6 of Krenn et al. 2023: `M6Mlp` on `m6_features`, trained with class-balanced
    minibatches (half positives)."""

    FILE = "m6.safetensors"

    def __init__(self, steps: int = 2000, batch_size: int = 256, lr: float = 1e-3,
                 seed: int = 0) -> None:
        self.steps, self.batch_size, self.lr, self.seed = steps, batch_size, lr, seed
        self.model = M6Mlp()

    def fit(self, query: LinkQuery, labels: np.ndarray) -> None:
        check_labels(labels)
        torch.manual_seed(self.seed)
        rng = np.random.default_rng(self.seed)
        x = m6_features(query)  # [N, 15]
        self.model = M6Mlp()
        self.model.mean.copy_(torch.from_numpy(x.mean(axis=0)))
        self.model.std.copy_(torch.from_numpy(x.std(axis=0) + 1e-6))
        inputs = torch.from_numpy(x)
        positives, negatives = np.flatnonzero(labels), np.flatnonzero(~labels)
        optimiser = torch.optim.Adam(self.model.parameters(), lr=self.lr)
        half = self.batch_size // 2
        target = torch.cat([torch.ones(half), torch.zeros(half)])
        with one_thread():
            for _ in track(range(self.steps), "training M6"):
                rows = np.concatenate([rng.choice(positives, half),
                                       rng.choice(negatives, half)])
                loss = nn.functional.binary_cross_entropy_with_logits(
                    self.model(inputs[rows]), target)
                optimiser.zero_grad()
                loss.backward()
                optimiser.step()

    @torch.no_grad()
    def score(self, query: LinkQuery) -> np.ndarray:
        with one_thread():
            return self.model(torch.from_numpy(m6_features(query))).numpy()

    def save(self, folder: Path) -> None:
        save_checkpoint(folder / self.FILE, self.model, None, self.steps)

    def load(self, folder: Path) -> None:
        load_checkpoint(model_file(folder, self.FILE), self.model, restore_rng=False)


class BoostedTrees:
    """Gradient-boosted trees on `dynamic_features` (M1's trees), kept as the library's booster
    and saved in the library's own model file `FILE`."""

    FILE = ""

    def __init__(self, rounds: int = 300, learning_rate: float = 0.05, seed: int = 0) -> None:
        self.rounds, self.learning_rate, self.seed = rounds, learning_rate, seed

    def train(self, x: np.ndarray, labels: np.ndarray):
        """The booster fitted on features `x` [N, F] and bool `labels` [N]."""
        raise NotImplementedError

    def fit(self, query: LinkQuery, labels: np.ndarray) -> None:
        check_labels(labels)
        self.booster = self.train(dynamic_features(query), labels)

    def save(self, folder: Path) -> None:
        self.booster.save_model(folder / self.FILE)


class LightGbm(BoostedTrees):
    """LightGBM (31 leaves per tree, row and column subsampling); its text model file."""

    FILE = "lightgbm.txt"

    def train(self, x: np.ndarray, labels: np.ndarray):
        import lightgbm

        model = lightgbm.LGBMClassifier(
            n_estimators=self.rounds, learning_rate=self.learning_rate, num_leaves=31,
            min_child_samples=10, subsample=0.8, subsample_freq=1, colsample_bytree=0.8,
            random_state=self.seed, n_jobs=1, verbose=-1)
        return model.fit(x, labels).booster_

    def score(self, query: LinkQuery) -> np.ndarray:
        """[N] probabilities."""
        return self.booster.predict(dynamic_features(query))

    def load(self, folder: Path) -> None:
        import lightgbm

        path = model_file(folder, self.FILE)
        with reading(path, lightgbm.basic.LightGBMError):
            self.booster = lightgbm.Booster(model_file=path)


def import_xgboost():
    """The `xgboost` module, or one line saying how to install the optional extra."""
    try:
        import xgboost
    except ImportError:
        raise UserError("XGBoost is an optional extra: install it with `uv sync --extra "
                        "xgboost`.") from None
    return xgboost


class XGBoost(BoostedTrees):
    """XGBoost (depth 6, histogram splits, row and column subsampling); its JSON model file."""

    FILE = "xgboost.json"

    def train(self, x: np.ndarray, labels: np.ndarray):
        model = import_xgboost().XGBClassifier(
            n_estimators=self.rounds, learning_rate=self.learning_rate, max_depth=6,
            subsample=0.8, colsample_bytree=0.8, tree_method="hist", random_state=self.seed,
            n_jobs=1)
        return model.fit(x, labels).get_booster()

    def score(self, query: LinkQuery) -> np.ndarray:
        """[N] probabilities."""
        return self.booster.inplace_predict(dynamic_features(query))

    def load(self, folder: Path) -> None:
        xgboost = import_xgboost()
        path = model_file(folder, self.FILE)
        self.booster = xgboost.Booster()
        with reading(path, xgboost.core.XGBoostError):
            self.booster.load_model(path)


class RandomForest:
    """M5 of Krenn et al. 2023: a scikit-learn random forest on `dynamic_features`
    (class-balanced bootstrap samples); a pair's score is the mean over trees of the positive
    share in its leaf."""

    FILE = "forest.npz"

    def __init__(self, trees: int = 100, min_leaf: int = 20, max_samples: int = 100_000,
                 seed: int = 0) -> None:
        self.trees, self.min_leaf, self.max_samples, self.seed = (
            trees, min_leaf, max_samples, seed)

    def fit(self, query: LinkQuery, labels: np.ndarray) -> None:
        from sklearn.ensemble import RandomForestClassifier

        check_labels(labels)
        model = RandomForestClassifier(
            n_estimators=self.trees, min_samples_leaf=self.min_leaf, max_features="sqrt",
            max_samples=min(self.max_samples, len(labels)),
            class_weight="balanced_subsample", random_state=self.seed, n_jobs=1)
        model.fit(dynamic_features(query), labels)
        self.estimators = [tree.tree_ for tree in model.estimators_]

    def score(self, query: LinkQuery) -> np.ndarray:
        """[N] mean over trees of the positive class's weighted share in the pair's leaf."""
        x = dynamic_features(query)
        total = np.zeros(len(x))
        for tree in self.estimators:
            value = tree.predict(x)  # [N, 2] class weights (or shares) in the leaf
            total += value[:, 1] / value.sum(axis=1)
        return total / len(self.estimators)

    def save(self, folder: Path) -> None:
        arrays = {"n_features": np.int64(self.estimators[0].n_features)}
        for i, tree in enumerate(self.estimators):
            state = tree.__getstate__()
            arrays |= {f"nodes_{i}": state["nodes"], f"values_{i}": state["values"],
                       f"max_depth_{i}": np.int64(state["max_depth"])}
        np.savez(folder / self.FILE, **arrays)

    def load(self, folder: Path) -> None:
        from sklearn.tree._tree import Tree

        path = model_file(folder, self.FILE)
        data = read_npz(path, "a random forest saved by `reprolab science4cast train`")
        self.estimators = []
        with reading(path, KeyError, ValueError):
            for i in range(sum(key.startswith("nodes_") for key in data)):
                tree = Tree(int(data["n_features"]), np.array([2], dtype=np.intp), 1)
                tree.__setstate__({"max_depth": int(data[f"max_depth_{i}"]),
                                   "node_count": len(data[f"nodes_{i}"]),
                                   "nodes": data[f"nodes_{i}"], "values": data[f"values_{i}"]})
                self.estimators.append(tree)
        if not self.estimators:
            raise UserError(f"{path} holds no trees: train the model again with `reprolab "
                            "science4cast train`.")
