"""`reprolab invscale`: list tasks, run ladders, analyse the pilot results, check parity."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

app = typer.Typer(help="Inverse scaling: prize tasks over model ladders, with trend analysis.",
                  no_args_is_help=True)
console = Console(stderr=True)

# Errors a user can cause (bad names, missing or changed data, bad settings, missing models).
USER_ERRORS = (KeyError, FileNotFoundError, ValueError)


def _split(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(",") if part.strip())


def _fail(error: Exception) -> typer.Exit:
    console.print(f"[red]error:[/red] {error}")
    return typer.Exit(1)


def _print_table(frame, title: str, columns: list[str]) -> None:
    table = Table(*columns, title=title)
    for row in frame[columns].itertuples(index=False):
        table.add_row(*(f"{v:.3f}" if isinstance(v, float) else str(v) for v in row))
    Console().print(table)


@app.command("tasks")
def tasks_command() -> None:
    """The 11 winning tasks: type, cause of inverse scaling, and whether the file is here."""
    from reprolab.core.data import dataset_dir
    from reprolab.invscale.tasks import DATASET, PRIZE_TASKS

    folder = dataset_dir(DATASET, must_exist=False) / "prize"
    table = Table("task", "type", "cause", "local file")
    for name, task in PRIZE_TASKS.items():
        present = "yes" if (folder / task.file).exists() else "no (Hub)"
        table.add_row(name, task.task_type, task.cause, present)
    Console().print(table)


@app.command("run")
def run_command(
    tasks: Annotated[str, typer.Option(help="Comma-separated: winner names, pilot:NAME or "
                                            "JSONL/CSV paths.")] = "memo-trap,neqa",
    models: Annotated[str, typer.Option(help="Comma-separated: packaged names, local folders "
                                             "or HF ids.")] = "smollm2-135m,gemma3-270m",
    limit: Annotated[int | None, typer.Option(help="First N examples per task.")] = None,
    batch_size: Annotated[int, typer.Option(help="Sequences per forward pass.")] = 16,
    max_length: Annotated[int | None, typer.Option(help="Max tokens per input.")] = None,
    device: Annotated[str, typer.Option(help="auto, cpu, cuda, mps.")] = "auto",
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
    source: Annotated[str, typer.Option(help="auto, local or hub.")] = "auto",
    task_type: Annotated[str | None, typer.Option(help="Override the task type.")] = None,
    n_boot: Annotated[int, typer.Option(help="Bootstrap replicates.")] = 1000,
    out: Annotated[Path | None, typer.Option(help="Run folder.")] = None,
) -> None:
    """Score tasks over a ladder of models, as the official pipeline, and classify trends."""
    from reprolab.invscale.ladder import LadderConfig, run_ladder
    from reprolab.invscale.trends import TrendSettings

    try:
        config = LadderConfig(
            tasks=_split(tasks), models=_split(models), limit=limit, batch_size=batch_size,
            max_length=max_length, device=device, seed=seed, source=source,  # type: ignore[arg-type]
            task_type=task_type,  # type: ignore[arg-type]
            trend=TrendSettings(n_boot=n_boot, seed=seed))
        result = run_ladder(config, out=out)
    except USER_ERRORS as error:
        raise _fail(error) from None
    if not result.trends.empty:
        _print_table(result.trends, "Trends over the ladder",
                     ["task", "metric", "values", "trend", "p(trend)", "paper"])
    console.print(f"run record: {result.record.folder}")


@app.command("pilot")
def pilot_command(
    runs: Annotated[str | None, typer.Option(help="Comma-separated run names (default: all).")]
    = None,
    n_boot: Annotated[int, typer.Option(help="Bootstrap replicates.")] = 1000,
    seed: Annotated[int, typer.Option(help="Bootstrap seed.")] = 0,
    out: Annotated[Path | None, typer.Option(help="Run folder.")] = None,
) -> None:
    """Classify the scaling trend of every organisers' pilot run (GPT-2, GPT-3, OPT sizes)."""
    from reprolab.invscale.pilot import analyse_pilot
    from reprolab.invscale.trends import TrendSettings

    try:
        analysis = analyse_pilot(TrendSettings(n_boot=n_boot, seed=seed), out=out,
                                 names=_split(runs) if runs else None)
    except USER_ERRORS as error:
        raise _fail(error) from None
    _print_table(analysis.primary_table, "Pilot runs: trend of the primary metric",
                 ["run", "family", "metric", "values", "trend", "p(trend)"])
    console.print(f"run record: {analysis.record.folder}")


@app.command("parity")
def parity_command(
    model: Annotated[str, typer.Option(help="Packaged model name or local folder.")]
    = "smollm2-135m",
    tasks: Annotated[str, typer.Option(help="Comma-separated classification tasks.")]
    = "memo-trap,neqa",
    limit: Annotated[int | None, typer.Option(help="First N items per task.")] = None,
    batch_size: Annotated[int, typer.Option(help="Batch size for both sides.")] = 8,
    device: Annotated[str, typer.Option(help="cpu or cuda.")] = "cpu",
) -> None:
    """Compare accuracy and per-item log-likelihoods with lm-eval's inverse_scaling_mc."""
    from reprolab.invscale.parity import check_parity

    try:
        results = check_parity(model, list(_split(tasks)), limit=limit, batch_size=batch_size,
                               device=device)
    except USER_ERRORS as error:
        raise _fail(error) from None
    table = Table("task", "items", "acc (reprolab)", "acc (lm-eval)", "disagreements",
                  "max |Δ loglik|", title=f"Parity with lm-eval on {model}")
    for r in results:
        table.add_row(r.task, str(r.n_items), f"{r.accuracy_ours:.4f}",
                      f"{r.accuracy_lm_eval:.4f}", str(r.correct_disagreements),
                      f"{r.max_abs_loglik_difference:.2e}")
    Console().print(table)
    if not all(r.identical_accuracy and r.max_abs_loglik_difference < 1e-3 for r in results):
        raise typer.Exit(1)


@app.command("analyse")
def analyse_command(
    run_folder: Annotated[Path, typer.Argument(help="A folder written by `invscale run`.")],
    n_boot: Annotated[int, typer.Option(help="Bootstrap replicates.")] = 1000,
    seed: Annotated[int, typer.Option(help="Bootstrap seed.")] = 0,
) -> None:
    """Recompute a ladder run's trends, tables and figures from its per-example files."""
    from reprolab.invscale.ladder import reanalyse_ladder
    from reprolab.invscale.trends import TrendSettings

    try:
        result = reanalyse_ladder(run_folder, TrendSettings(n_boot=n_boot, seed=seed))
    except USER_ERRORS as error:
        raise _fail(error) from None
    if not result.trends.empty:
        _print_table(result.trends, "Trends over the ladder",
                     ["task", "metric", "values", "trend", "p(trend)", "paper"])
    console.print(f"updated: {result.record.folder}")
