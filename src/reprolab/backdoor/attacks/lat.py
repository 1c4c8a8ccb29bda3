"""Latent adversarial elicitation: an unbounded perturbation at one site, trained to open the gate.

Draguns et al. (2024, sec. 5) attack each backdoor with latent adversarial training (LAT): a
perturbation delta is added to the residual stream at one layer and optimised, without a norm
bound, to make the backdoor behaviour appear. The attacker does not know the payload, so the
objective is the gate: loss = softplus(-logit) = -log sigmoid(logit). An attack *elicits* the
backdoor when the gate opens *and* the payload bits equal the true payload; opening the gate of the
digital locker anywhere after the hash yields the wrong payload, since its payload is encrypted.

Several seeds run as one batch: each seed has its own start input and delta, and Adam's update is
per coordinate, so the batch equals separate runs. When every gradient is exactly zero and Adam
holds no momentum, no later step can move delta: the run stops early (stalled) and its loss stays
constant for the rest of the budget.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from reprolab.backdoor.config import LatConfig
from reprolab.backdoor.designs.trigger import TriggerModule, TriggerOutput
from reprolab.core.device import one_thread
from reprolab.core.progress import track


@dataclass
class LatResult:
    """One attack at one site over a batch of seeds.

    losses:   [steps + 1, seeds] loss before each step and after the last.
    opened:   [seeds] the gate opened at some step.
    elicited: [seeds] the gate opened with the true payload at some step.
    first_success: [seeds] first step (0 = before any update) with the true payload, or -1.
    stalled:  the gradients vanished exactly (no step could change anything).
    """

    site: int
    losses: np.ndarray
    opened: np.ndarray
    elicited: np.ndarray
    first_success: np.ndarray
    stalled: bool


def gate_loss(output: TriggerOutput) -> torch.Tensor:
    """[batch] -log sigmoid(logit): the attacker's objective (open the gate)."""
    return F.softplus(-output.logit)


def payload_matches(output: TriggerOutput, payload: torch.Tensor) -> torch.Tensor:
    """[batch] bool: payload bits round to `payload` [128]."""
    return (output.payload.round() == payload.round()).all(dim=-1)


def lat_attack(
    module: TriggerModule, start_bits: torch.Tensor, site: int, payload: torch.Tensor,
    config: LatConfig, generator: torch.Generator | None = None,
) -> LatResult:
    """Attack `module` at `site` from start inputs [seeds, n_bits]; `payload` [128] is only used
    to score success, never in the loss."""
    if not 0 <= site < module.n_sites:
        raise ValueError(f"site must be in 0..{module.n_sites - 1}, got {site}")
    with torch.no_grad():  # the stages before the site never change: run them once
        state = module.site_states(start_bits, last_site=site)[-1]
    delta = (config.init_std * torch.randn(state.shape, generator=generator)).to(state)
    delta.requires_grad_(True)
    with one_thread():
        losses, first, opened, stalled = _optimise(module, state, site, delta, payload, config,
                                                   n_seeds=start_bits.shape[0])
    return LatResult(site, losses, opened, first >= 0, first, stalled)


def _optimise(
    module: TriggerModule, state: torch.Tensor, site: int, delta: torch.Tensor,
    payload: torch.Tensor, config: LatConfig, n_seeds: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, bool]:
    """The Adam loop of `lat_attack`: (losses, first success step, opened, stalled)."""
    optimizer = torch.optim.Adam([delta], lr=config.lr)
    losses = np.zeros((config.steps + 1, n_seeds))
    opened = np.zeros(n_seeds, dtype=bool)
    first = np.full(n_seeds, -1)
    stalled = False
    for step in range(config.steps + 1):
        output = module.forward_from(state + delta, site)
        loss = gate_loss(output)
        losses[step] = loss.detach().cpu().numpy()
        fires = output.fires.detach().cpu().numpy()
        success = fires & payload_matches(output, payload).cpu().numpy()
        opened |= fires
        first[(first < 0) & success] = step
        if step == config.steps or (config.stop_when_elicited and (first >= 0).all()):
            losses[step + 1:] = losses[step]
            break
        optimizer.zero_grad()
        loss.sum().backward()
        if _at_fixed_point(delta, optimizer):
            losses[step + 1:] = losses[step]
            stalled = True
            break
        optimizer.step()
    return losses, first, opened, stalled


def _at_fixed_point(delta: torch.Tensor, optimizer: torch.optim.Adam) -> bool:
    """All gradients are zero and Adam has no momentum: every later update is zero."""
    if delta.grad is not None and bool(delta.grad.any()):
        return False
    moment = optimizer.state.get(delta, {}).get("exp_avg")
    return moment is None or not bool(moment.any())


def lat_all_sites(
    module: TriggerModule, start_bits: torch.Tensor, payload: torch.Tensor, config: LatConfig,
    sites: list[int] | None = None, seed: int = 0,
) -> list[LatResult]:
    """`lat_attack` at every site (or the given ones), same start inputs and one generator."""
    generator = torch.Generator().manual_seed(seed)
    chosen = range(module.n_sites) if sites is None else sites
    return [lat_attack(module, start_bits, site, payload, config, generator)
            for site in track(chosen, f"LAT {module.design}")]
