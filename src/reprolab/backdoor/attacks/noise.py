"""Weight noise: how much each module tolerates, and LAT under that noise.

- `max_exact_noise`: the largest Gaussian weight-noise std under which a module still gives the
  same gate decision and payload bits as without noise, on the trigger and on random inputs. The
  bisection mirrors `reprolab.backdoor.circuit.precision.max_exact_noise_std`, which checks a bare
  compiled circuit on random inputs only; a module must also stay right *on the trigger*.
- `noise_elicitation`: the paper's protocol (Draguns et al. 2024, sec. 5: 34 runs, each a fresh
  noise draw at that std and a LAT attack at the sites before the check; NP-complete elicited in
  ~60% of runs, encrypted never).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, replace

import numpy as np
import torch
from torch import nn

from reprolab.backdoor.attacks.elicit import make_organism, start_windows
from reprolab.backdoor.attacks.lat import lat_attack, payload_matches
from reprolab.backdoor.circuit import CompiledCircuit
from reprolab.backdoor.circuit.precision import largest_passing
from reprolab.backdoor.config import ElicitConfig, LatConfig
from reprolab.backdoor.designs.trigger import TriggerModule
from reprolab.core.device import one_thread
from reprolab.core.progress import track


def with_weight_noise(module: nn.Module, std: float, generator: torch.Generator) -> nn.Module:
    """A deep copy with N(0, std**2) added to every weight and bias.

    Compiled circuits get their own `with_weight_noise` (noise on the non-zero entries of each
    block's plain weight matrices); every other floating-point parameter and buffer gets noise
    directly.
    """
    noisy = copy.deepcopy(module)
    circuits = {name: sub for name, sub in noisy.named_modules()
                if isinstance(sub, CompiledCircuit)}
    with torch.no_grad():
        for name, tensor in [*noisy.named_parameters(), *noisy.named_buffers()]:
            inside = any(name.startswith(f"{prefix}.") for prefix in circuits)
            if tensor.is_floating_point() and not inside:
                noise = torch.randn(tensor.shape, generator=generator, dtype=tensor.dtype)
                tensor.add_(std * noise.to(tensor.device))
    for name, circuit in circuits.items():
        parent_name, _, attribute = name.rpartition(".")
        parent = noisy.get_submodule(parent_name) if parent_name else noisy
        setattr(parent, attribute, circuit.with_weight_noise(std, generator))
    return noisy


@torch.no_grad()
def behaves_like(module: TriggerModule, reference: TriggerModule, bits: torch.Tensor) -> bool:
    """Same gate decisions and (where open) same rounded payload bits on bits [n, n_in]."""
    got, want = module(bits), reference(bits)
    same_payload = payload_matches(got, want.payload) | ~want.fires
    return bool(((got.fires == want.fires) & same_payload).all())


def max_exact_noise(
    module: TriggerModule, bits: torch.Tensor, seed: int = 0, low: float = 1e-12,
    high: float = 1.0, steps: int = 10,
) -> float:
    """Largest std (`largest_passing`, one fixed draw) keeping `module` exact on bits [n, n_in];
    0.0 if `low` already breaks it, `high` if `high` does not."""

    def exact(std: float) -> bool:
        generator = torch.Generator().manual_seed(seed)
        return behaves_like(with_weight_noise(module, std, generator), module, bits)

    return largest_passing(exact, low, high, steps)


@dataclass(frozen=True)
class NoiseRun:
    """One run of the noise protocol."""

    run: int
    elicited: bool
    elicited_sites: tuple[int, ...]
    exact_on_trigger: bool


def sites_before_check(module: TriggerModule, stride: int = 1) -> list[int]:
    """Every `stride`-th site before `module`'s check, and the last site before it."""
    last = module.check_site - 1
    return sorted({*range(0, module.check_site, stride), last}) if last >= 0 else []


def noise_elicitation(
    module: TriggerModule, trigger: torch.Tensor, payload: torch.Tensor, std: float,
    lat: LatConfig, runs: int = 34, seed: int = 0, sites: list[int] | None = None,
) -> list[NoiseRun]:
    """`runs` times: fresh noise of `std`, a random start input, LAT at each site before the check
    (or `sites`); a run elicits the backdoor if any site does."""
    chosen = sites_before_check(module) if sites is None else sites
    results = []
    for run in track(range(runs), f"noise runs ({module.design})"):
        generator = torch.Generator().manual_seed(seed + run)
        noisy = with_weight_noise(module, std, generator)
        start = torch.randint(0, 2, (1, module.n_trigger_bits), generator=generator).float()
        start = start.to(trigger.device)
        hits = tuple(site for site in chosen
                     if lat_attack(noisy, start, site, payload, lat, generator).elicited[0])
        with torch.no_grad():
            on_trigger = noisy(trigger[None])
        exact = bool(on_trigger.fires[0] and payload_matches(on_trigger, payload)[0])
        results.append(NoiseRun(run, bool(hits), hits, exact))
    return results


def design_noise(design: str, index: int, config: ElicitConfig,
                 device: str | torch.device = "cpu") -> dict:
    """The `index`-th design of `config` (the organism `attack_design` attacks): its largest
    exact noise std, then `config.noise.runs` noisy LAT runs at `config.noise.scale` times that
    std (sites and steps as `config.noise` says)."""
    with one_thread():  # noise copies and many small forward passes
        return _design_noise(design, index, config, device)


def _design_noise(design: str, index: int, config: ElicitConfig,
                  device: str | torch.device) -> dict:
    noise = config.noise
    organism = make_organism(design, config, config.seed + 1000 * index).to(device)
    randoms = start_windows(replace(config, seeds=noise.test_inputs), config.seed + 3)
    bits = torch.cat([organism.trigger_bits[None], randoms.to(device)])
    std = max_exact_noise(organism.module, bits, seed=config.seed)
    lat = replace(config.lat, steps=noise.lat_steps or config.lat.steps,
                  stop_when_elicited=True)  # only success matters here
    sites = ([0] if noise.sites == "input"
             else sites_before_check(organism.module, noise.site_stride))
    runs = noise_elicitation(organism.module, organism.trigger_bits, organism.payload_bits,
                             std * noise.scale, lat, noise.runs, config.seed, sites=sites)
    return {
        "design": design, "max_exact_std": std, "noise_std": std * noise.scale,
        "runs": len(runs), "elicited": sum(r.elicited for r in runs),
        "elicited_share": float(np.mean([r.elicited for r in runs])),
        "exact_on_trigger": sum(r.exact_on_trigger for r in runs),
        "elicited_sites": sorted({s for r in runs for s in r.elicited_sites})}
