"""`reprolab capsules`: train one model (the sanity check), run the transfer experiment,
redraw a transfer run's tables and figures. Options come from `reprolab.capsules.config`."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from reprolab.capsules.config import TrainConfig, TransferConfig
from reprolab.core.cli import config_options, console, print_frame, print_mapping, user_errors

if TYPE_CHECKING:
    from reprolab.capsules.transfer import TransferResult

app = typer.Typer(help="Capsule networks for low-data transfer on MultiMNIST.",
                  no_args_is_help=True)
Out = Annotated[Path | None, typer.Option(help="Run folder (default runs/capsules/<time>-<name>); "
                                               "rerun with the same one to resume.")]
TABLE = ["model", "k", "units", "censored", "batches_mean", "batches_low", "batches_high",
         "forgetting"]


def _kept(out: Path | None) -> str:
    where = out or "the run folder printed by the run (runs/capsules/<time>-<name>)"
    return f"checkpoints and finished units are kept in {where}; rerun with --out there to resume"


@app.command("train")
@config_options(TrainConfig, nested={"training": ""})
def train_command(config: TrainConfig, out: Out = None) -> None:
    """Train one model to the plateau on MNIST or MultiMNIST and test it (beside Sabour's)."""
    from reprolab.capsules.sanity import run_train

    with user_errors(_kept(out)):
        result, record = run_train(config, out=out)
    print_mapping(asdict(result), f"{config.model} on {config.task}")
    console.print(f"run record: {record.folder}")


def print_transfer(result: TransferResult) -> None:
    if not result.table.empty:
        print_frame(result.table, "Batches to recover after injection", columns=TABLE, digits=3)
    if not result.ratios.empty:
        print_frame(result.ratios, "CNN / capsule-model batches to recover", digits=3)
    if not result.finished:
        console.print("[yellow]not finished:[/yellow] rerun the same command to continue.")
    console.print(f"run record: {result.record.folder}")


@app.command("transfer")
@config_options(TransferConfig, nested={"training": ""})
def transfer_command(
    config: TransferConfig, out: Out = None,
    budget_minutes: Annotated[float | None, typer.Option(
        help="Start no new unit after this many minutes (a stage); rerun to continue.")] = None,
) -> None:
    """Pretrain without a digit, inject k images of it, count batches to recover."""
    from reprolab.capsules.transfer import run_transfer

    with user_errors(_kept(out)):
        result = run_transfer(config, out=out, budget_minutes=budget_minutes)
    print_transfer(result)


@app.command("plot")
def plot_command(
    run_folders: Annotated[list[Path], typer.Argument(
        help="Folders written by `capsules transfer` (several: pooled into --out).")],
    out: Annotated[Path | None, typer.Option(
        help="Folder for the pooled tables and figures of several runs.")] = None,
) -> None:
    """Redraw transfer runs' recovery table, ratios and figures from their unit rows."""
    from reprolab.capsules.transfer import summarise_runs

    with user_errors():
        result = summarise_runs(run_folders, out)
    print_transfer(result)
