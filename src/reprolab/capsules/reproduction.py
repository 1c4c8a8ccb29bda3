"""What the quick and full reproductions share: run a transfer configuration, draw the
generative model's reconstructions, and report the ratio beside the paper's "over 25x"."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import torch

from reprolab.capsules.config import TransferConfig
from reprolab.capsules.mnist import load_splits
from reprolab.capsules.models import ModelSpec
from reprolab.capsules.multimnist import PairSampler, fixed_set
from reprolab.capsules.sanity import reconstructions
from reprolab.capsules.transfer import BEST, TEST_SEED, TransferResult, run_transfer
from reprolab.core.checkpoints import load_checkpoint
from reprolab.core.device import choose_device
from reprolab.core.report import Comparison, StudyContext, StudyResult, committed_results

TITLE = "Capsule networks for low-data transfer on MultiMNIST"
PAPER_RATIO = "> 25"  # Gritsevskiy & Korablyov 2018, abstract
HEADLINE_MODELS = ("capsnet-ir", "capsnet", "capsnet-ir-nogen", "capsnet-nogen")
COMMITTED_RUN = "pooled"  # the pooled tables of the CPU runs


def headline_ratio(ratios: pd.DataFrame, note: str) -> Comparison | None:
    """CNN / CapsNet batches to recover over all k, for the first capsule model present of
    `HEADLINE_MODELS` (the paper's models route through an intermediate layer)."""
    overall = ratios[ratios["k"].astype(str) == "all"].set_index("model")
    for model in HEADLINE_MODELS:
        if model in overall.index:
            row = overall.loc[model]
            return Comparison(f"CNN / {model} batches to recover (mean over k)",
                              f"{row['ratio']:.2f} [{row['ratio_low']:.2f}, "
                              f"{row['ratio_high']:.2f}]", PAPER_RATIO, note)
    return None


def committed_headline() -> Comparison | None:
    """The headline from the committed CPU run under `results/capsules/`, if any."""
    folder = committed_results("capsules")
    path = folder / COMMITTED_RUN / "results.json" if folder else None
    if path is None or not path.is_file():
        return None
    results = json.loads(path.read_text())
    state = "all units" if results["finished"] else f"{results['units_done']} units so far"
    return headline_ratio(pd.DataFrame(results["ratios"]),
                          f"committed CPU run at reduced width ({state})")


def reconstruction_figure_path(result: TransferResult, config: TransferConfig,
                               device: str) -> tuple[str, Path] | None:
    """Test pairs and each predicted digit's reconstruction by the first generative CapsNet
    of the run (its pretrained weights, before injection)."""
    generative = [m for m in config.models if m.startswith("capsnet") and "nogen" not in m]
    if not generative or result.pretrain.empty:
        return None
    unit = result.pretrain[result.pretrain["model"] == generative[0]].iloc[0]["unit"]
    model = ModelSpec(generative[0], config.training.width, 36).build()
    load_checkpoint(result.record.path(f"checkpoints/{unit}/{BEST}"), model, restore_rng=False)
    test = load_splits().test
    batch = fixed_set(PairSampler(test, torch.arange(len(test))), 8, TEST_SEED)
    figure = reconstructions(model, batch, choose_device(device))
    path = result.record.save_figure("reconstructions", figure)
    return f"MultiMNIST test inputs (top) and {unit}'s reconstruction of each predicted digit "\
           "(red, green), before injection", path


def reproduce(ctx: StudyContext, config: TransferConfig, name: str, scale: str) -> StudyResult:
    """Run `config` into `ctx.out/name` and return its tables, figures and the ratio."""
    result = run_transfer(config, out=ctx.out / name)
    figures = [("Accuracy on all digits after injection (mean over units)",
                result.record.path("curves.png")),
               ("Batches to recover against k (95% intervals over units)",
                result.record.path("recovery.png"))]
    if (panel := reconstruction_figure_path(result, config, config.training.device)):
        figures.append(panel)
    ours = headline_ratio(result.ratios, scale)
    pretrain = result.pretrain[["unit", "val_accuracy", "batches", "stopped", "acc_all",
                                "acc_new", "acc_old"]]
    return StudyResult(
        study="capsules", title=TITLE,
        summary=(f"{scale}: {', '.join(config.models)} at width {config.training.width}, "
                 f"held-out digits {config.held_out}, seeds {config.seeds}, k {config.k}. "
                 "Recovered = accuracy on all test digits back within "
                 f"{config.margin} of the pre-injection accuracy on the old digits."),
        comparisons=[ours] if ours else [],
        tables=[("Batches to recover after injection", result.table),
                ("CNN / capsule-model batches to recover", result.ratios),
                ("Pretraining (test accuracy before injection)", pretrain)],
        figures=[(caption, path) for caption, path in figures if path.is_file()],
        headline=committed_headline() or ours)
