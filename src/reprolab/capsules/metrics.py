"""Numbers from the per-unit recovery rows: batches to recover per model and k with 95%
bootstrap intervals over units (held-out digit x seed), and the CNN/CapsNet ratio with its
interval from a paired bootstrap over the units both models ran.

A unit that did not recover within the budget (censored) counts as the budget, so its mean is a
lower bound; the tables give the number censored.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from reprolab.core.stats import bootstrap_interval

N_BOOT = 2000
BASELINE = "cnn"


def _batches(recovery: pd.DataFrame, cap: int) -> pd.Series:
    return recovery["recovery_batches"].astype(float).fillna(cap)


def recovery_table(recovery: pd.DataFrame, cap: int, *, seed: int = 0,
                   n_boot: int = N_BOOT) -> pd.DataFrame:
    """One row per model and k: units, censored, mean batches to recover [95% interval],
    mean forgetting (drop of old-digit accuracy) and mean pre-injection old-digit accuracy."""
    columns = ["model", "k", "units", "censored", "batches_mean", "batches_low", "batches_high",
               "forgetting", "acc_old_before"]
    if recovery.empty:
        return pd.DataFrame(columns=columns)
    rows = []
    frame = recovery.assign(batches=_batches(recovery, cap))
    for (model, k), group in frame.groupby(["model", "k"], sort=True):
        interval = bootstrap_interval(group["batches"].to_numpy(), n_boot=n_boot, seed=seed)
        rows.append([model, k, len(group), int(group["recovery_batches"].isna().sum()),
                     float(interval.mean), float(interval.lower), float(interval.upper),
                     group["forgetting"].mean(), group["acc_old_before"].mean()])
    return pd.DataFrame(rows, columns=columns)


def transfer_ratios(recovery: pd.DataFrame, cap: int, *, seed: int = 0,
                    n_boot: int = N_BOOT) -> pd.DataFrame:
    """Mean CNN batches / mean capsule-model batches per capsule model and k (and over all k,
    `k = "all"`: each unit's mean over k), with a 95% paired-bootstrap interval over units."""
    columns = ["model", "k", "units", "cnn_batches", "model_batches", "ratio", "ratio_low",
               "ratio_high"]
    if recovery.empty or BASELINE not in set(recovery["model"]):
        return pd.DataFrame(columns=columns)
    frame = recovery.assign(batches=_batches(recovery, cap))
    by_k = frame.pivot_table(index=["digit", "seed", "k"], columns="model", values="batches")
    overall = by_k.groupby(level=["digit", "seed"]).mean()
    rows = []
    for model in sorted(set(frame["model"]) - {BASELINE}):
        for k, table in [*by_k.groupby(level="k"), ("all", overall)]:
            pairs = table[[BASELINE, model]].dropna().to_numpy()  # (units, 2)
            if len(pairs) == 0:
                continue
            interval = bootstrap_interval(pairs, n_boot=n_boot, seed=seed)
            with np.errstate(divide="ignore", invalid="ignore"):
                ratios = interval.replicates[:, 0] / interval.replicates[:, 1]
                ratio = interval.mean[0] / interval.mean[1]
            low, high = np.quantile(ratios, [0.025, 0.975])
            rows.append([model, k, len(pairs), interval.mean[0], interval.mean[1], ratio, low,
                         high])
    return pd.DataFrame(rows, columns=columns)


def curves_frame(recovered: list[dict]) -> pd.DataFrame:
    """One row per unit, k and check: model, digit, seed, k, batch, acc_all, acc_new, acc_old."""
    return pd.DataFrame([{"model": r["model"], "digit": r["digit"], "seed": r["seed"],
                          "k": r["k"], **point} for r in recovered for point in r["curve"]])
