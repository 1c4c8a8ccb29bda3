"""Link-prediction methods behind one small interface, by name.

A method is built from `MethodOptions`, fitted on a training query with its labels (heuristics
ignore both) and scores the pairs of another query (higher: more likely to connect).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from reprolab.core.errors import UserError
from reprolab.core.registry import Registry
from reprolab.science4cast import features
from reprolab.science4cast.features import LinkQuery


class LinkPredictor(Protocol):
    def fit(self, query: LinkQuery, labels: np.ndarray) -> None:
        """Learn from `query`'s pairs and their bool `labels` [N]."""

    def score(self, query: LinkQuery) -> np.ndarray:
        """[N] scores of `query.pairs`; higher is more likely to connect."""


@dataclass(frozen=True)
class MethodOptions:
    """Training budgets of the learned methods."""

    mlp_steps: int = field(default=2000, metadata={"help": "M6 MLP training steps."})
    gbdt_rounds: int = field(default=300, metadata={"help": "LightGBM boosting rounds."})
    gnn_epochs: int = field(default=100, metadata={"help": "GraphSAGE training steps."})
    node2vec_epochs: int = field(default=1, metadata={
        "help": "Passes of node2vec's skip-gram over its walks."})

    def __post_init__(self) -> None:
        if min(self.mlp_steps, self.gbdt_rounds, self.gnn_epochs, self.node2vec_epochs) < 1:
            raise UserError("--mlp-steps, --gbdt-rounds, --gnn-epochs and --node2vec-epochs "
                            "must be >= 1.")


class Heuristic:
    """A score computed from the known network alone; `fit` learns nothing."""

    def __init__(self, function: Callable[[LinkQuery], np.ndarray]) -> None:
        self.function = function

    def fit(self, query: LinkQuery, labels: np.ndarray) -> None:
        del query, labels

    def score(self, query: LinkQuery) -> np.ndarray:
        return self.function(query)


@dataclass(frozen=True)
class Method:
    """A registered method: its title, the paper's AUC for its family at delta=3, cutoff=0,
    w_min=1 (None if the paper has none) and how to build it from options and a seed."""

    name: str
    title: str
    paper_auc: float | None
    build: Callable[[MethodOptions, int], LinkPredictor]
    learned: bool = False


def _m6(options: MethodOptions, seed: int) -> LinkPredictor:
    from reprolab.science4cast.learned import M6Network

    return M6Network(steps=options.mlp_steps, seed=seed)


def _gbdt(options: MethodOptions, seed: int) -> LinkPredictor:
    from reprolab.science4cast.learned import GradientBoosting

    return GradientBoosting(rounds=options.gbdt_rounds, seed=seed)



def _sage(options: MethodOptions, seed: int) -> LinkPredictor:
    from reprolab.science4cast.gnn import GraphSage

    return GraphSage(epochs=options.gnn_epochs, seed=seed)



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
    Method("gbdt", "LightGBM on time-dynamic features (M1 style)", 0.917, _gbdt, learned=True),
    Method("node2vec", "node2vec + logistic regression (M7A)", 0.836, _node2vec, learned=True),
    Method("graphsage", "GraphSAGE link predictor (M1's GNN part)", None, _sage, learned=True),
):
    METHODS.register(_method.name, _method)

HEURISTICS = tuple(name for name, method in METHODS.items() if not method.learned)


def check_methods(names: tuple[str, ...]) -> tuple[str, ...]:
    """`names` if every one is registered (else the registry's did-you-mean error)."""
    if not names:
        raise UserError("Give at least one method (--methods).")
    for name in names:
        METHODS[name]
    return names
