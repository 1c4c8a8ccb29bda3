"""Paper-size capsules runs on one GPU: Sabour-size sanity checks and the transfer experiment.

Usage (from the repository root, no uv environment needed):

    PYTHONPATH=src python3 scripts/capsules_gpu.py --out OUT [--device cuda] [--budget-minutes M]
    PYTHONPATH=src python3 scripts/capsules_gpu.py --out /tmp/toy --toy   # a minute on a CPU

Phases, each a resumable run folder under OUT (rerun the same command to continue):
  1. sanity: capsnet and cnn trained to the plateau on MNIST and on MultiMNIST at width 1
     (`reprolab capsules train`): OUT/sanity-<model>-<task>/results.json beside Sabour's errors.
  2. transfer: all six models, held-out digits 2 and 7, seeds 0-2, k in 1..100 at width 1
     (`reprolab capsules transfer`): OUT/transfer/ recovery table, ratios, curves.
A phase that would start after --budget-minutes is skipped; the transfer phase also starts no
new unit after it. MNIST must be under REPROLAB_DATA_DIR (or --data-dir).
Needs torch, safetensors, pandas, matplotlib, typer and rich.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import asdict
from pathlib import Path

from reprolab.capsules.config import K_VALUES, TrainConfig, TrainingSettings, TransferConfig
from reprolab.capsules.full import CPU_MODELS
from reprolab.capsules.sanity import run_train
from reprolab.capsules.transfer import run_transfer
from reprolab.core.data import set_data_root
from reprolab.core.records import write_json

PHASES = ("sanity", "transfer")
TOY = {"width": 0.03, "batch_size": 8, "eval_every": 2, "max_batches": 4, "n_val": 20,
       "n_test": 40}


def _ints(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split(",") if part.strip())


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True, help="output folder")
    parser.add_argument("--device", default="auto", help="auto, cpu, cuda, cuda:N or mps")
    parser.add_argument("--data-dir", type=Path, default=None, help="folder holding mnist/")
    parser.add_argument("--phases", default=",".join(PHASES), help="comma list of phases")
    parser.add_argument("--toy", action="store_true", help="tiny sizes for a CPU check")
    parser.add_argument("--width", type=float, default=1.0, help="1 = Sabour et al.'s sizes")
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--max-batches", type=int, default=30_000)
    parser.add_argument("--eval-every", type=int, default=500)
    parser.add_argument("--models", default=",".join(CPU_MODELS), help="transfer models")
    parser.add_argument("--seeds", type=_ints, default=(0, 1, 2))
    parser.add_argument("--held-out", type=_ints, default=(2, 7))
    parser.add_argument("--k", type=_ints, default=K_VALUES)
    parser.add_argument("--recovery-batches", type=int, default=2000)
    parser.add_argument("--budget-minutes", type=float, default=None)
    return parser


def settings(args: argparse.Namespace) -> TrainingSettings:
    if args.toy:
        return TrainingSettings(device=args.device, **TOY)
    return TrainingSettings(width=args.width, batch_size=args.batch_size,
                            eval_every=args.eval_every, max_batches=args.max_batches,
                            device=args.device)


def main(args: argparse.Namespace) -> dict:
    started = time.monotonic()
    set_data_root(args.data_dir)
    phases = [p.strip() for p in args.phases.split(",") if p.strip()]
    assert set(phases) <= set(PHASES), f"phases are {PHASES}, got {phases}"
    training = settings(args)

    def left() -> float | None:
        return None if args.budget_minutes is None else \
            args.budget_minutes - (time.monotonic() - started) / 60

    summary: dict = {"settings": asdict(training), "phases": {}}
    if "sanity" in phases:
        for task in ("mnist", "multimnist"):
            for model in ("capsnet", "cnn"):
                if (remaining := left()) is not None and remaining <= 0:
                    summary["phases"][f"sanity-{model}-{task}"] = "skipped: budget spent"
                    continue
                result, _ = run_train(TrainConfig(model=model, task=task, training=training),
                                      out=args.out / f"sanity-{model}-{task}")
                summary["phases"][f"sanity-{model}-{task}"] = asdict(result)
    if "transfer" in phases and ((remaining := left()) is None or remaining > 0):
        config = TransferConfig(
            models=tuple(args.models.split(",")), held_out=args.held_out, k=args.k,
            seeds=args.seeds, recovery_batches=4 if args.toy else args.recovery_batches,
            recovery_eval_every=2 if args.toy else 25, training=training)
        result = run_transfer(config, out=args.out / "transfer", budget_minutes=left())
        summary["phases"]["transfer"] = {"finished": result.finished,
                                         "ratios": result.ratios.to_dict("records")}
    write_json(args.out / "results.json", summary)
    return summary


if __name__ == "__main__":
    main(make_parser().parse_args())
