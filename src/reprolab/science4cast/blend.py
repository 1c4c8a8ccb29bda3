"""M1 of Krenn et al. 2023, the competition's winner: XGBoost and LightGBM on time-dynamic
features plus a GraphSAGE link predictor, each a probability p, blended as
p_xgb^3 + p_lgb^3 + 0.3 p_gnn^3 (the cubes stretch the top of the ranking)."""

from __future__ import annotations

import numpy as np
from scipy.special import expit

from reprolab.science4cast.learned import XGBoost
from reprolab.science4cast.methods import METHODS, Blend, MethodOptions

WEIGHTS = {"xgboost": 1.0, "gbdt": 1.0, "graphsage": 0.3}


class M1Blend(Blend):
    """Parts `xgboost`, `gbdt` (LightGBM) and `graphsage`, built as the registered methods of
    those names are, so a run that also evaluates them fits each once."""

    def __init__(self, options: MethodOptions, seed: int) -> None:
        super().__init__({"xgboost": XGBoost(rounds=options.gbdt_rounds, seed=seed),
                          "gbdt": METHODS["gbdt"].build(options, seed),
                          "graphsage": METHODS["graphsage"].build(options, seed)})

    def combine(self, scores: dict[str, np.ndarray]) -> np.ndarray:
        """[N] the weighted sum of cubed probabilities (GraphSAGE's logits through a sigmoid)."""
        probability = dict(scores, graphsage=expit(scores["graphsage"]))
        return sum(WEIGHTS[name] * probability[name].astype(np.float64) ** 3
                   for name in WEIGHTS)
