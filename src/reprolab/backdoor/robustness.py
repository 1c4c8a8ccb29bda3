"""Robustness: how much weight noise each module tolerates, LAT under that noise, and fine-tuning.

- `max_exact_noise`: the largest Gaussian weight-noise std under which a module still gives the
  same gate decision and payload bits as without noise, on the trigger and on random inputs. The
  bisection mirrors `reprolab.backdoor.circuit.precision.max_exact_noise_std`, which checks a bare
  compiled circuit on random inputs only; a module must also stay right *on the trigger*.
- `noise_elicitation`: the paper's protocol (Draguns et al. 2024, sec. 5: 34 runs, each a fresh
  noise draw at that std and a LAT attack at the sites before the check; NP-complete elicited in
  ~60% of runs, encrypted never).
- `finetune_survival`: fine-tune a backdoored LM and an identical clean host on the same clean
  tokens; afterwards, does the trigger still produce the payload, and are off-trigger logits still
  the (fine-tuned) host's?
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
import torch
from torch import nn

from reprolab.backdoor.circuit import CompiledCircuit
from reprolab.backdoor.circuit.precision import largest_passing
from reprolab.backdoor.config import ElicitConfig, FinetuneConfig, NoiseConfig
from reprolab.backdoor.elicit import make_organism, start_windows
from reprolab.backdoor.lat import LatConfig, lat_attack, one_thread, payload_matches
from reprolab.backdoor.trigger import TriggerModule
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


def finetune(model: nn.Module, tokens: torch.Tensor, config: FinetuneConfig, seed: int) -> None:
    """Causal-LM fine-tuning of every trainable parameter of `model` on tokens [N, T], in place."""
    model.train()
    optimizer = torch.optim.AdamW(
        [p for p in model.parameters() if p.requires_grad], lr=config.lr,
        weight_decay=config.weight_decay)
    generator = torch.Generator().manual_seed(seed)
    for _ in track(range(config.steps), "fine-tune"):
        rows = torch.randint(len(tokens), (config.batch_size,), generator=generator)
        batch = tokens[rows].to(next(model.parameters()).device)
        loss = model(input_ids=batch, labels=batch).loss
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    model.eval()


def finetune_survival(
    model: nn.Module, tokens: torch.Tensor, trigger_prompt: torch.Tensor, payload_ids: list[int],
    eval_prompts: torch.Tensor, config: FinetuneConfig, seed: int = 0,
) -> dict[str, float | bool]:
    """Fine-tune copies of the backdoored `model` and of its bare host the same way, then check:
    greedy decoding after `trigger_prompt` [1, L] still gives `payload_ids`, and off-trigger logits
    on eval_prompts [n, T] equal the tuned host's (max |diff|)."""
    tuned, bare = copy.deepcopy(model), copy.deepcopy(model.host)
    torch.manual_seed(seed)
    finetune(tuned, tokens, config, seed)
    torch.manual_seed(seed)
    finetune(bare, tokens, config, seed)
    with torch.no_grad():
        device = next(tuned.parameters()).device
        prompts = eval_prompts.to(device)
        diff = (tuned(prompts).logits - bare(prompts).logits).abs().max().item()
        out = tuned.generate(trigger_prompt.to(device), max_new_tokens=len(payload_ids),
                             do_sample=False)
    emitted = out[0, trigger_prompt.shape[1]:].tolist()
    return {"steps": config.steps, "payload_survives": emitted == payload_ids,
            "off_trigger_max_abs_diff": diff}


def run_noise(noise: NoiseConfig, elicit: ElicitConfig, device: str = "cpu") -> pd.DataFrame:
    """Per design: the largest exact noise std, then `noise.runs` noisy LAT runs at
    `noise_scale` times that std (sites and steps as `noise` says)."""
    with one_thread():  # noise copies and many small forward passes
        return pd.DataFrame([_noise_row(design, index, noise, elicit, device)
                             for index, design in enumerate(elicit.designs)])


def _noise_row(design: str, index: int, noise: NoiseConfig, elicit: ElicitConfig,
               device: str) -> dict:
    """The noise results of one design (same organism as `run_elicitation` builds)."""
    organism = make_organism(design, elicit, elicit.seed + 1000 * index).to(device)
    randoms = start_windows(replace(elicit, seeds=noise.test_inputs), elicit.seed + 3)
    randoms = randoms.to(device)
    bits = torch.cat([organism.trigger_bits[None], randoms])
    std = max_exact_noise(organism.module, bits, seed=elicit.seed)
    lat = replace(elicit.lat, steps=noise.lat_steps or elicit.lat.steps,
                  stop_when_elicited=True)  # only success matters here
    runs = noise_elicitation(organism.module, organism.trigger_bits, organism.payload_bits,
                             std * noise.noise_scale, lat, noise.runs, elicit.seed,
                             sites=[0] if noise.sites == "input" else
                             sites_before_check(organism.module, noise.site_stride))
    return {
        "design": design, "max_exact_std": std, "noise_std": std * noise.noise_scale,
        "runs": len(runs), "elicited": sum(r.elicited for r in runs),
        "elicited_share": float(np.mean([r.elicited for r in runs])),
        "exact_on_trigger": sum(r.exact_on_trigger for r in runs),
        "elicited_sites": sorted({s for r in runs for s in r.elicited_sites})}
