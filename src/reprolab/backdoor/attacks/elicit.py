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

from reprolab.backdoor.attacks.gcg import GcgResult, gcg_attack
from reprolab.backdoor.attacks.lat import LatResult, lat_all_sites
from reprolab.backdoor.config import ElicitConfig
from reprolab.backdoor.designs.registry import build_module
from reprolab.backdoor.designs.trigger import (
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
class DesignAttacks:
    """The attacks on one design: a row per attack, the LAT results per site (loss curves for the
    figure), the GCG results per seed, and the design's check site."""

    design: str
    rows: list[dict]
    lat: list[LatResult]
    gcg: list[GcgResult]
    check_site: int


def make_organism(design: str, config: ElicitConfig, seed: int) -> Organism:
    """A `design` module with a random trigger drawn from `seed`."""
    generator = torch.Generator().manual_seed(seed)
    ids = random_tokens(config.vocab_size, (config.trigger_tokens,), generator)
    bits = token_bits(ids, config.bits_per_token).flatten()
    payload = text_to_bits(config.payload)
    module = build_module(design, bits, payload, config.options, seed=config.seed)
    return Organism(design, module.eval(), ids, bits, payload)


def start_windows(config: ElicitConfig, seed: int) -> torch.Tensor:
    """[seeds, k * bits_per_token] bits of random token windows, one per attack seed."""
    generator = torch.Generator().manual_seed(seed)
    ids = torch.randint(config.vocab_size, (config.seeds, config.trigger_tokens),
                        generator=generator)
    return token_bits(ids, config.bits_per_token).flatten(1)


def attack_design(design: str, index: int, config: ElicitConfig,
                  device: str | torch.device = "cpu") -> DesignAttacks:
    """Attack the `index`-th design of `config` with its methods on `device` (see the module
    docstring); its organism's trigger is drawn from `config.seed + 1000 * index`."""
    organism = make_organism(design, config, config.seed + 1000 * index).to(device)
    attacks = DesignAttacks(design, [], [], [], organism.module.check_site)
    if "lat" in config.methods:
        attacks.lat = _lat_sites(organism, config, attacks.rows)
    if "gcg" in config.methods:
        table = token_bit_table(config.vocab_size, config.bits_per_token, device)
        attacks.gcg = _gcg_seeds(organism, table, config, attacks.rows)
    return attacks


def strided_sites(module: TriggerModule, stride: int) -> list[int]:
    """Every `stride`-th site of `module` from 0, plus its check site and its last site."""
    return sorted({*range(0, module.n_sites, stride), module.check_site, module.n_sites - 1})


def _lat_sites(organism: Organism, config: ElicitConfig, rows: list[dict]) -> list[LatResult]:
    module = organism.module
    start = start_windows(config, config.seed + 1).to(organism.trigger_bits.device)
    results = lat_all_sites(module, start, organism.payload_bits, config.lat,
                            strided_sites(module, config.site_stride), seed=config.seed + 2)
    for result in results:
        for seed in range(config.seeds):
            rows.append({
                "design": organism.design, "method": "lat", "site": result.site,
                "after_check": result.site >= module.check_site, "seed": seed,
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
