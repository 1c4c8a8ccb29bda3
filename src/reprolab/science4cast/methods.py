"""Link-prediction methods behind one small interface, by name.

A method is built from `MethodOptions` and a seed, fitted on a training query with its labels
(heuristics ignore both), scores the pairs of another query (higher: more likely to connect),
and saves or loads what it learned as files in a folder (`save_method`, `load_method`): each
library's own format or safetensors/npz/JSON, never a pickle.
"""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np

from reprolab.core.device import DEVICE_HELP, choose_device
from reprolab.core.errors import UserError
from reprolab.core.registry import Registry
from reprolab.science4cast import features
from reprolab.science4cast.features import LinkQuery

MODEL_FORMAT = "reprolab-science4cast-model-1"
MANIFEST = "method.json"


class LinkPredictor(Protocol):
    def fit(self, query: LinkQuery, labels: np.ndarray) -> None:
        """Learn from `query`'s pairs and their bool `labels` [N]."""

    def score(self, query: LinkQuery) -> np.ndarray:
        """[N] scores of `query.pairs`; higher is more likely to connect."""

    def save(self, folder: Path) -> None:
        """Write what `fit` learned into the existing `folder`."""

    def load(self, folder: Path) -> None:
        """Restore what `save` wrote (a missing or damaged file: `UserError`)."""


@dataclass(frozen=True)
class MethodOptions:
    """Training budgets of the learned methods, and GraphSAGE's device."""

    mlp_steps: int = field(default=2000, metadata={"help": "M6 MLP training steps."})
    gbdt_rounds: int = field(default=300, metadata={
        "help": "Boosting rounds of LightGBM and XGBoost."})
    gnn_epochs: int = field(default=100, metadata={"help": "GraphSAGE training steps."})
    node2vec_epochs: int = field(default=1, metadata={
        "help": "Passes of node2vec's skip-gram over its walks."})
    forest_trees: int = field(default=100, metadata={"help": "Trees of the M5 random forest."})
    device: str = field(default="auto", metadata={"help": f"GraphSAGE's device: {DEVICE_HELP}."})

    def __post_init__(self) -> None:
        if min(self.mlp_steps, self.gbdt_rounds, self.gnn_epochs, self.node2vec_epochs,
               self.forest_trees) < 1:
            raise UserError("--mlp-steps, --gbdt-rounds, --gnn-epochs, --node2vec-epochs and "
                            "--forest-trees must be >= 1.")
        if self.device != "auto":  # checked here, before any data is read
            choose_device(self.device)


def check_labels(labels: np.ndarray) -> None:
    """A training set needs both classes."""
    if labels.all() or not labels.any():
        raise UserError("The training window's pairs are all of one class: sample more pairs "
                        "(--n-pairs) or choose a setting with positives.")


def model_file(folder: Path, name: str) -> Path:
    """`folder/name`, which a saved model needs."""
    path = folder / name
    if not path.is_file():
        raise UserError(f"{path} is missing: train the model again with `reprolab science4cast "
                        "train`.")
    return path


@contextmanager
def reading(path: Path, *errors: type[BaseException]) -> Iterator[None]:
    """Turn the given errors of a library reading `path` into one `UserError` line."""
    try:
        yield
    except errors as error:
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise UserError(f"{path} is not a readable saved model ({first}): train it again with "
                        "`reprolab science4cast train`.") from None


class Heuristic:
    """A score computed from the known network alone; `fit` learns nothing."""

    def __init__(self, function: Callable[[LinkQuery], np.ndarray]) -> None:
        self.function = function

    def fit(self, query: LinkQuery, labels: np.ndarray) -> None:
        del query, labels

    def score(self, query: LinkQuery) -> np.ndarray:
        return self.function(query)

    def save(self, folder: Path) -> None:
        del folder

    def load(self, folder: Path) -> None:
        del folder


class Blend:
    """A method made of parts, each a method of its own (registered parts under their
    registry names), whose scores `combine` joins. A part fitted already on the same training
    set with the same options and seed can be adopted instead of fitted again
    (`FittedMethods`); each part saves into its own subfolder."""

    def __init__(self, parts: dict[str, LinkPredictor]) -> None:
        self.parts = parts
        self.adopted: set[str] = set()

    def adopt(self, name: str, method: LinkPredictor) -> None:
        self.parts[name] = method
        self.adopted.add(name)

    def combine(self, scores: dict[str, np.ndarray]) -> np.ndarray:
        raise NotImplementedError

    def fit(self, query: LinkQuery, labels: np.ndarray) -> None:
        for name, part in self.parts.items():
            if name not in self.adopted:
                part.fit(query, labels)

    def score(self, query: LinkQuery) -> np.ndarray:
        return self.combine({name: part.score(query) for name, part in self.parts.items()})

    def save(self, folder: Path) -> None:
        for name, part in self.parts.items():
            (folder / name).mkdir(exist_ok=True)
            part.save(folder / name)

    def load(self, folder: Path) -> None:
        for name, part in self.parts.items():
            part.load(folder / name)


@dataclass(frozen=True)
class Method:
    """A registered method: its title, the paper's AUC for its family at delta=3, cutoff=0,
    w_min=1 (None if the paper has none) and how to build it from options and a seed."""

    name: str
    title: str
    paper_auc: float | None
    build: Callable[[MethodOptions, int], LinkPredictor]
    learned: bool = False
    requires: str | None = None  # the optional extra (and module) it needs


def _m6(options: MethodOptions, seed: int) -> LinkPredictor:
    from reprolab.science4cast.learned import M6Network

    return M6Network(steps=options.mlp_steps, seed=seed)


def _gbdt(options: MethodOptions, seed: int) -> LinkPredictor:
    from reprolab.science4cast.learned import LightGbm

    return LightGbm(rounds=options.gbdt_rounds, seed=seed)


def _forest(options: MethodOptions, seed: int) -> LinkPredictor:
    from reprolab.science4cast.learned import RandomForest

    return RandomForest(trees=options.forest_trees, seed=seed)


def _sage(options: MethodOptions, seed: int) -> LinkPredictor:
    from reprolab.science4cast.gnn import GraphSage

    return GraphSage(epochs=options.gnn_epochs, device=options.device, seed=seed)


def _blend(options: MethodOptions, seed: int) -> LinkPredictor:
    from reprolab.science4cast.blend import M1Blend

    return M1Blend(options, seed)


def _node2vec(options: MethodOptions, seed: int) -> LinkPredictor:
    from reprolab.science4cast.node2vec import Node2Vec

    return Node2Vec(epochs=options.node2vec_epochs, seed=seed)


METHODS: Registry[Method] = Registry("science4cast method")
for _method in (
    Method("common_neighbours", "common neighbours (M4B)", 0.848,
           lambda *_: Heuristic(features.common_neighbours)),
    Method("jaccard", "Jaccard", None, lambda *_: Heuristic(features.jaccard)),
    Method("adamic_adar", "Adamic-Adar", None, lambda *_: Heuristic(features.adamic_adar)),
    Method("resource_allocation", "resource allocation", None,
           lambda *_: Heuristic(features.resource_allocation)),
    Method("preferential_attachment", "preferential attachment (M4A)", 0.870,
           lambda *_: Heuristic(features.preferential_attachment)),
    Method("m6_mlp", "baseline features + MLP (M6)", 0.841, _m6, learned=True),
    Method("gbdt", "LightGBM on time-dynamic features (M1's trees, one half)", None, _gbdt,
           learned=True),
    Method("graphsage", "GraphSAGE link predictor (M1's GNN part)", None, _sage, learned=True),
    Method("m1_blend", "XGBoost + LightGBM + GraphSAGE blend (M1)", 0.917, _blend,
           learned=True, requires="xgboost"),
    Method("m5_forest", "random forest on time-dynamic features (M5)", 0.847, _forest,
           learned=True),
    Method("node2vec", "node2vec + logistic regression (M7A)", 0.836, _node2vec, learned=True),
):
    METHODS.register(_method.name, _method)

HEURISTICS = tuple(name for name, method in METHODS.items() if not method.learned)


def check_methods(names: tuple[str, ...]) -> tuple[str, ...]:
    """`names` if every one is registered (else the registry's did-you-mean error)."""
    if not names:
        raise UserError("Give at least one method (--methods).")
    for name in names:
        needed = METHODS[name].requires
        if needed and importlib.util.find_spec(needed) is None:
            raise UserError(f"Method {name!r} needs {needed}, an optional extra: install it "
                            f"with `uv sync --extra {needed}`.")
    return names


class FittedMethods:
    """Methods fitted on one training query, each once: a blend adopts the parts fitted before
    it, and a method that a fitted blend holds as a part is taken from there."""

    def __init__(self, query: LinkQuery, labels: np.ndarray, options: MethodOptions,
                 seed: int) -> None:
        self.query, self.labels, self.options, self.seed = query, labels, options, seed
        self.fitted: dict[str, LinkPredictor] = {}

    def __getitem__(self, name: str) -> LinkPredictor:
        if name not in self.fitted:
            held = [blend.parts[name] for blend in self.fitted.values()
                    if isinstance(blend, Blend) and name in blend.parts]
            self.fitted[name] = held[0] if held else self._fit(name)
        return self.fitted[name]

    def _fit(self, name: str) -> LinkPredictor:
        method = METHODS[name].build(self.options, self.seed)
        if isinstance(method, Blend):
            for part in set(method.parts) & set(self.fitted):
                method.adopt(part, self.fitted[part])
        method.fit(self.query, self.labels)
        return method


def save_method(folder: Path, name: str, method: LinkPredictor) -> Path:
    """Write the fitted `method` into `folder/name/`: a `method.json` naming it, then its files."""
    target = folder / name
    target.mkdir(parents=True, exist_ok=True)
    method.save(target)
    (target / MANIFEST).write_text(json.dumps({"format": MODEL_FORMAT, "method": name}) + "\n")
    return target


def load_method(folder: Path, name: str, options: MethodOptions, seed: int) -> LinkPredictor:
    """The method `name` as `save_method` wrote it into `folder/name/`."""
    manifest = folder / name / MANIFEST
    if not manifest.is_file():
        raise UserError(f"{folder} holds no saved {name!r} model: train it with `reprolab "
                        f"science4cast train --methods {name} --out {folder}`.")
    with reading(manifest, json.JSONDecodeError, UnicodeDecodeError):
        saved = json.loads(manifest.read_text())
    if not isinstance(saved, dict) or saved.get("format") != MODEL_FORMAT \
            or saved.get("method") != name:
        raise UserError(f"{manifest} does not describe a saved {name!r} model ({MODEL_FORMAT}).")
    method = METHODS[name].build(options, seed)
    method.load(folder / name)
    return method
