"""Elicitation experiments: LAT at every site and GCG on the trigger tokens, for each design.

Each design gets one random trigger (`trigger_tokens` token ids, read as bits by the host's
lookup), the payload, and a module; every attack seed starts from its own random token window.
The attacks run on the module itself: the host adds nothing that a perturbation of the module's
input or residual stream could not (the module reads only token ids).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch

from reprolab.backdoor.config import ElicitConfig
from reprolab.backdoor.designs import build_module
from reprolab.backdoor.gcg import GcgResult, gcg_attack
from reprolab.backdoor.lat import LatResult, lat_attack
from reprolab.backdoor.trigger import (
    TriggerModule,
    random_tokens,
    text_to_bits,
    token_bit_table,
    token_bits,
)
from reprolab.core.progress import track


@dataclass
class Organism:
    """A module-level backdoor: the module, its trigger (ids and bits) and payload bits."""

    design: str
    module: TriggerModule
    trigger_ids: torch.Tensor
    trigger_bits: torch.Tensor
    payload_bits: torch.Tensor

    def to(self, device: str | torch.device) -> Organism:
        """The same organism with module and tensors on `device`."""
        return Organism(self.design, self.module.to(device), self.trigger_ids.to(device),
                        self.trigger_bits.to(device), self.payload_bits.to(device))


@dataclass
class ElicitationOutcome:
    """Per-attack rows, the loss curves behind the figure, and each design's check site."""

    rows: pd.DataFrame
    lat: dict[str, list[LatResult]]
    gcg: dict[str, list[GcgResult]]
    check_sites: dict[str, int]


def make_organism(design: str, config: ElicitConfig, seed: int) -> Organism:
    """A `design` module with a random trigger drawn from `seed`."""
    generator = torch.Generator().manual_seed(seed)
    ids = random_tokens(config.vocab_size, (config.trigger_tokens,), generator)
    bits = token_bits(ids, config.bits_per_token).flatten()
    payload = text_to_bits(config.payload)
    module = build_module(design, bits, payload, config.design)
    return Organism(design, module.eval(), ids, bits, payload)


def start_windows(config: ElicitConfig, seed: int) -> torch.Tensor:
    """[seeds, k * bits_per_token] bits of random token windows, one per attack seed."""
    generator = torch.Generator().manual_seed(seed)
    ids = torch.randint(config.vocab_size, (config.seeds, config.trigger_tokens),
                        generator=generator)
    return token_bits(ids, config.bits_per_token).flatten(1)


def run_elicitation(config: ElicitConfig, device: str = "cpu") -> ElicitationOutcome:
    """Attack every design with the configured methods on `device`; see the module docstring."""
    rows: list[dict] = []
    lat_results: dict[str, list[LatResult]] = {}
    gcg_results: dict[str, list[GcgResult]] = {}
    check_sites: dict[str, int] = {}
    table = token_bit_table(config.vocab_size, config.bits_per_token, device)
    for index, design in enumerate(config.designs):
        organism = make_organism(design, config, config.seed + 1000 * index).to(device)
        check_sites[design] = organism.module.check_site
        if "lat" in config.methods:
            lat_results[design] = _lat_sites(organism, config, rows)
        if "gcg" in config.methods:
            gcg_results[design] = _gcg_seeds(organism, table, config, rows)
    return ElicitationOutcome(pd.DataFrame(rows), lat_results, gcg_results, check_sites)


def strided_sites(module: TriggerModule, stride: int) -> list[int]:
    """Every `stride`-th site of `module` from 0, plus its check site and its last site."""
    return sorted({*range(0, module.n_sites, stride), module.check_site, module.n_sites - 1})


def _lat_sites(organism: Organism, config: ElicitConfig, rows: list[dict]) -> list[LatResult]:
    module = organism.module
    start = start_windows(config, config.seed + 1).to(organism.trigger_bits.device)
    generator = torch.Generator().manual_seed(config.seed + 2)
    results = []
    for site in track(strided_sites(module, config.site_stride), f"LAT {organism.design}"):
        result = lat_attack(module, start, site, organism.payload_bits, config.lat, generator)
        results.append(result)
        for seed in range(config.seeds):
            rows.append({
                "design": organism.design, "method": "lat", "site": site,
                "after_check": site >= module.check_site, "seed": seed,
                "opened": bool(result.opened[seed]), "elicited": bool(result.elicited[seed]),
                "steps_to_success": int(result.first_success[seed]),
                "final_loss": float(result.losses[-1, seed]), "stalled": result.stalled})
    return results


def _gcg_seeds(organism: Organism, table: torch.Tensor, config: ElicitConfig,
               rows: list[dict]) -> list[GcgResult]:
    results = []
    for seed in track(range(config.seeds), f"GCG {organism.design}"):
        result = gcg_attack(organism.module, table, config.trigger_tokens, organism.payload_bits,
                            config.gcg, seed=config.seed + 10_000 + seed)
        results.append(result)
        rows.append({
            "design": organism.design, "method": "gcg", "site": -1, "after_check": False,
            "seed": seed, "opened": result.elicited, "elicited": result.elicited,
            "steps_to_success": result.first_success, "final_loss": float(result.losses[-1]),
            "stalled": False})
    return results


def summarize(rows: pd.DataFrame) -> pd.DataFrame:
    """One row per design, method and site group: elicited/opened counts and median steps.

    LAT sites are grouped into `before check` and `after check` (the per-site detail stays in
    `rows`); GCG attacks the input tokens.
    """
    frame = rows.assign(where=np.where(
        rows["method"] == "gcg", "input tokens",
        np.where(rows["after_check"], "after check", "before check")))
    records = []
    for (design, method, where), group in frame.groupby(["design", "method", "where"],
                                                         sort=False):
        steps = group.loc[group["elicited"], "steps_to_success"]
        records.append({
            "design": design, "method": method, "sites": where,
            "sites_n": group["site"].nunique(), "attacks": len(group),
            "opened": int(group["opened"].sum()), "elicited": int(group["elicited"].sum()),
            "median_steps_to_success": float(steps.median()) if len(steps) else None})
    return pd.DataFrame(records)
