"""Prompt adherence: the share of samples that are valid molecules satisfying every stated
constraint, per prompt kind (the paper's Table 2 rows: exact acceptors, weight band, logP band,
rule of 3, macrocycle, ...)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd


def adherence_table(samples: Iterable[Mapping[str, object]]) -> pd.DataFrame:
    """One row per prompt kind: prompts, samples, valid share, satisfied share (of all samples,
    invalid ones counting as failures), sorted by kind."""
    frame = pd.DataFrame([{"kind": s["kind"], "prompt": s["prompt"],
                           "valid": s["smiles"] is not None, "satisfied": bool(s["satisfied"])}
                          for s in samples])
    if frame.empty:
        return pd.DataFrame(columns=["kind", "prompts", "samples", "valid", "satisfied"])
    grouped = frame.groupby("kind")
    return pd.DataFrame({"prompts": grouped["prompt"].nunique(), "samples": grouped.size(),
                         "valid": grouped["valid"].mean(),
                         "satisfied": grouped["satisfied"].mean()}).reset_index()
