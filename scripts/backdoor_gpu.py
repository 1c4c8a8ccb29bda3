"""Real-scale backdoor runs on one GPU: the paper's LAT budget and noise protocol.

Usage (from the repository root, no uv environment needed):

    PYTHONPATH=src python3 scripts/backdoor_gpu.py --out OUT [--device cuda]
    PYTHONPATH=src python3 scripts/backdoor_gpu.py --out /tmp/toy --toy   # minutes on a CPU

Phases (`reprolab.backdoor.full.reproduce`), each a run folder OUT/<phase> (a phase that would
start after --budget seconds is skipped and logged in OUT/results.json):
  1. elicitation: LAT at every site (10,000 steps, 5 seeds) and GCG on the trigger tokens, three
     designs with a reduced-round locker: attacks.csv, summary.csv, lat_loss.png.
  2. noise: the largest exact weight noise per design and 34 noisy LAT runs each: noise.csv.
  3. full_locker: the full 64-round SHA-256 locker: compile/ (checked against the plain-Python
     reference) and lat/ (LAT at every k-th site: attacks.csv, summary.csv, lat_loss.png).
--toy shrinks every budget and uses the smallest locker in phase 3.
Needs torch, transformers, pandas, scikit-learn, matplotlib and rich (no trl, rdkit or gguf).
"""

from __future__ import annotations

import argparse
import json
from dataclasses import replace
from pathlib import Path

from reprolab.backdoor.config import DesignOptions, GcgConfig, LatConfig, NoiseConfig
from reprolab.backdoor.full import PAPER_ELICIT, PHASES, FullConfig, FullRun, reproduce
from reprolab.core.records import to_jsonable


def _phase_list(text: str) -> tuple[str, ...]:
    phases = tuple(name.strip() for name in text.split(",") if name.strip())
    if unknown := sorted(set(phases) - set(PHASES)):
        raise argparse.ArgumentTypeError(f"unknown phase(s) {unknown}; choose from {PHASES}")
    return phases


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True, help="output folder")
    parser.add_argument("--device", default="auto", help="auto, cpu, cuda, cuda:N or mps")
    parser.add_argument("--toy", action="store_true", help="tiny budgets for a CPU check")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--rounds", type=int, default=None,
                        help="locker rounds in phases 1-2 (default: the fewest)")
    parser.add_argument("--lat-steps", type=int, default=PAPER_ELICIT.lat.steps)
    parser.add_argument("--seeds", type=int, default=PAPER_ELICIT.seeds)
    parser.add_argument("--lat-init-std", type=float, default=0.0,
                        help="std of LAT's random start perturbation (0: start from none)")
    parser.add_argument("--gcg-steps", type=int, default=PAPER_ELICIT.gcg.steps)
    parser.add_argument("--noise-runs", type=int, default=34)
    parser.add_argument("--noise-lat-steps", type=int, default=300)
    parser.add_argument("--noise-sites", default="before_check", choices=["before_check", "input"],
                        help="LAT sites of each noisy run")
    parser.add_argument("--noise-site-stride", type=int, default=1,
                        help="with before_check: every k-th site and the last before the check")
    parser.add_argument("--full-rounds", type=int, default=64,
                        help="rounds of the phase-3 locker (64 = SHA-256)")
    parser.add_argument("--full-lat-steps", type=int, default=200,
                        help="LAT steps per site on the phase-3 locker (0: compile only)")
    parser.add_argument("--full-site-stride", type=int, default=1,
                        help="LAT at every k-th site of the phase-3 locker (and its check site)")
    parser.add_argument("--phases", type=_phase_list, default=PHASES,
                        help=f"comma-separated phases to run (default: {','.join(PHASES)})")
    parser.add_argument("--budget", type=float, default=480.0,
                        help="seconds after which no new phase starts")
    return parser


def full_config(args: argparse.Namespace) -> FullConfig:
    """The settings the flags give (--toy: tiny budgets and the smallest phase-3 locker)."""
    if args.toy:
        args.lat_steps, args.seeds, args.gcg_steps = 30, 2, 10
        args.noise_runs, args.noise_lat_steps, args.full_lat_steps = 2, 10, 5
        args.full_rounds = None
    elicit = replace(
        PAPER_ELICIT, seeds=args.seeds, seed=args.seed, options=DesignOptions(rounds=args.rounds),
        lat=LatConfig(steps=args.lat_steps, init_std=args.lat_init_std),
        gcg=GcgConfig(steps=args.gcg_steps))
    noise = NoiseConfig(runs=args.noise_runs, sites=args.noise_sites,
                        lat_steps=args.noise_lat_steps, site_stride=args.noise_site_stride)
    return FullConfig(elicit=elicit, noise=noise, full_rounds=args.full_rounds,
                      full_lat_steps=args.full_lat_steps, full_site_stride=args.full_site_stride,
                      phases=args.phases, budget=args.budget)


def main(args: argparse.Namespace) -> FullRun:
    run = reproduce(full_config(args), args.out, args.device)
    print(json.dumps(to_jsonable(run), indent=1))
    return run


if __name__ == "__main__":
    main(make_parser().parse_args())
