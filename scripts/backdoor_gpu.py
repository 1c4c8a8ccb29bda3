"""Real-scale backdoor runs on one GPU: the paper's LAT budget and noise protocol.

Usage (from the repository root, no uv environment needed):

    PYTHONPATH=src python3 scripts/backdoor_gpu.py --out OUT [--device cuda]
    PYTHONPATH=src python3 scripts/backdoor_gpu.py --out /tmp/toy --toy   # minutes on a CPU

Phases, each writing under OUT (a phase that would start after --budget seconds is skipped and
logged):
  1. LAT at every site (10,000 steps, 5 seeds) and GCG on the trigger tokens, three designs with
     a reduced-round locker: attacks.csv, summary.csv, lat_loss.png.
  2. The largest exact weight noise per design and 34 noisy LAT runs each: noise.csv.
  3. The full 64-round SHA-256 locker: compile, verify against the plain-Python reference, and
     LAT at every site: full_locker.csv, full_locker_summary.csv, full_locker_lat.png.
--toy shrinks every budget and uses the smallest locker in phase 3.
Needs torch, transformers, pandas, scikit-learn, matplotlib and rich (no trl, rdkit or gguf).
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import replace
from pathlib import Path

import torch

from reprolab.backdoor.config import CompileConfig, ElicitConfig, NoiseConfig
from reprolab.backdoor.designs import DesignOptions
from reprolab.backdoor.elicit import run_elicitation, summarize
from reprolab.backdoor.gcg import GcgConfig
from reprolab.backdoor.lat import LatConfig
from reprolab.backdoor.report import elicitation_comparisons, lat_loss_figure
from reprolab.backdoor.robustness import run_noise
from reprolab.backdoor.runs import run_compile, save_elicitation
from reprolab.core.records import RunRecord
from reprolab.core.seeding import seed_everything

PHASES = ("elicitation", "noise", "full_locker")


def _phase_list(text: str) -> tuple[str, ...]:
    phases = tuple(name.strip() for name in text.split(",") if name.strip())
    if unknown := sorted(set(phases) - set(PHASES)):
        raise argparse.ArgumentTypeError(f"unknown phase(s) {unknown}; choose from {PHASES}")
    return phases


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True, help="output folder")
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--toy", action="store_true", help="tiny budgets for a CPU check")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--rounds", type=int, default=None,
                        help="locker rounds in phases 1-2 (default: locker.min_rounds)")
    parser.add_argument("--lat-steps", type=int, default=10_000)
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--lat-init-std", type=float, default=0.0,
                        help="std of LAT's random start perturbation (0: start from none)")
    parser.add_argument("--gcg-steps", type=int, default=500)
    parser.add_argument("--noise-runs", type=int, default=34)
    parser.add_argument("--noise-lat-steps", type=int, default=300)
    parser.add_argument("--noise-sites", default="before_check", choices=["before_check", "input"],
                        help="LAT sites of each noisy run")
    parser.add_argument("--noise-site-stride", type=int, default=1,
                        help="with before_check: every k-th site and the last before the check")
    parser.add_argument("--full-rounds", type=int, default=64,
                        help="rounds of the phase-3 locker (64 = SHA-256)")
    parser.add_argument("--full-lat-steps", type=int, default=200,
                        help="LAT steps per site on the phase-3 locker")
    parser.add_argument("--full-site-stride", type=int, default=1,
                        help="LAT at every k-th site of the phase-3 locker (and its check site)")
    parser.add_argument("--phases", type=_phase_list, default=PHASES,
                        help=f"comma-separated phases to run (default: {','.join(PHASES)})")
    parser.add_argument("--budget", type=float, default=480.0,
                        help="seconds after which no new phase starts")
    return parser


def main(args: argparse.Namespace) -> dict:
    if args.toy:
        args.lat_steps, args.seeds, args.gcg_steps = 30, 2, 10
        args.noise_runs, args.noise_lat_steps, args.full_lat_steps = 2, 10, 5
        args.full_rounds = None
    seed_everything(args.seed)
    start = time.perf_counter()
    log: dict = {"device": args.device, "torch": torch.__version__, "phases": {}}
    if args.device.startswith("cuda"):
        log["gpu"] = torch.cuda.get_device_name()
    record = RunRecord.create("backdoor", "gpu", vars(args), seed=args.seed, out=args.out)
    elicit = ElicitConfig(
        seeds=args.seeds, lat=LatConfig(steps=args.lat_steps, init_std=args.lat_init_std),
        gcg=GcgConfig(steps=args.gcg_steps),
        design=DesignOptions(rounds=args.rounds, seed=args.seed), seed=args.seed)

    def phase(name: str, run) -> None:
        if name not in args.phases:
            return
        elapsed = time.perf_counter() - start
        if elapsed > args.budget:
            log["phases"][name] = f"skipped at {elapsed:.0f}s (budget {args.budget:.0f}s)"
            return
        began = time.perf_counter()
        log["phases"][name] = {"result": run(), "seconds": time.perf_counter() - began}
        record.write_results(log)  # after every phase, so nothing finished is lost

    def elicitation() -> dict:
        summary = save_elicitation(record, run_elicitation(elicit, args.device))
        comparisons = elicitation_comparisons(summary, args.lat_steps)
        return {"summary": summary.to_dict(orient="records"), "paper": comparisons}

    def noise() -> list:
        config = NoiseConfig(runs=args.noise_runs, sites=args.noise_sites,
                             lat_steps=args.noise_lat_steps, site_stride=args.noise_site_stride)
        frame = run_noise(config, elicit, args.device)
        record.write_table("noise.csv", frame)
        return frame.to_dict(orient="records")

    def full_locker() -> dict:
        _, compiled = run_compile(CompileConfig(rounds=args.full_rounds, check_inputs=256,
                                                seed=args.seed))
        if args.full_lat_steps:
            full = replace(elicit, designs=("locker",), methods=("lat",),
                           lat=replace(elicit.lat, steps=args.full_lat_steps),
                           site_stride=args.full_site_stride,
                           design=DesignOptions(rounds=args.full_rounds, seed=args.seed))
            outcome = run_elicitation(full, args.device)
            record.write_table("full_locker.csv", outcome.rows)
            record.write_table("full_locker_summary.csv", summarize(outcome.rows))
            record.save_figure("full_locker_lat.png",
                               lat_loss_figure(outcome.lat, outcome.check_sites))
        return compiled

    phase("elicitation", elicitation)
    phase("noise", noise)
    phase("full_locker", full_locker)
    log["seconds"] = time.perf_counter() - start
    record.write_results(log)
    print(json.dumps(log, indent=1, default=str)[-4000:])
    return log


if __name__ == "__main__":
    main(make_parser().parse_args())
