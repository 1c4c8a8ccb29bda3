"""`reprolab`: the command line. One sub-app per study, plus `data`, `models` and `reproduce`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from reprolab.core import data as data_mod
from reprolab.core.datasets import DATASETS
from reprolab.studies import STUDIES, StudyNotBuiltError

console = Console(stderr=True, soft_wrap=True)
app = typer.Typer(
    help="Reproductions of six ML research systems, from a laptop to GPUs.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
data_app = typer.Typer(help="List, fetch and verify datasets.", no_args_is_help=True)
models_app = typer.Typer(help="List and prepare models.", no_args_is_help=True)
app.add_typer(data_app, name="data")
app.add_typer(models_app, name="models")


@app.callback()
def main(
    data_dir: Annotated[
        Path | None,
        typer.Option(help="Data root (default: $REPROLAB_DATA_DIR or ~/.cache/reprolab/data)."),
    ] = None,
) -> None:
    """Reproductions of six ML research systems, from a laptop to GPUs."""
    data_mod.set_data_root(data_dir)


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print one error line and return the Exit to raise."""
    console.print(f"[red]error:[/red] {escape(message)}")
    return typer.Exit(code)


@data_app.command("list")
def data_list() -> None:
    """Datasets, where they live and whether they are present."""
    table = Table("name", "present", "folder", "description")
    for name, spec in DATASETS.items():
        present = data_mod.is_available(name)
        folder = data_mod.dataset_dir(name, must_exist=False)
        table.add_row(name, "yes" if present else "no", str(folder), spec.description)
    Console().print(table)


@data_app.command("fetch")
def data_fetch(
    names: Annotated[list[str], typer.Argument(help="Datasets to download.")],
    force: Annotated[bool, typer.Option(help="Download again even if present.")] = False,
) -> None:
    """Download datasets from their official sources."""
    for name in names:
        try:
            folder = data_mod.fetch(name, force=force)
        except (KeyError, data_mod.MissingDataError, data_mod.ChecksumError, OSError) as error:
            raise fail(f"{name}: {error}") from None
        console.print(f"{name}: ready in {folder}")


@data_app.command("verify")
def data_verify(
    names: Annotated[list[str] | None, typer.Argument(help="Datasets (default: all).")] = None,
) -> None:
    """Check every known file of the datasets by sha256."""
    failed = False
    for name in names or list(DATASETS):
        try:
            report = data_mod.verify(name)
        except (KeyError, data_mod.MissingDataError) as error:
            console.print(f"[yellow]{name}: skipped[/yellow] ({escape(str(error))})")
            continue
        status = "[green]ok[/green]" if report.passed else "[red]FAILED[/red]"
        console.print(f"{name}: {status} {len(report.ok)} files match", end="")
        if report.optional_absent:
            console.print(f", {len(report.optional_absent)} optional absent", end="")
        console.print()
        for path in report.missing:
            console.print(f"  missing: {path}")
        for path in report.mismatched:
            console.print(f"  sha256 mismatch: {path}")
        failed |= not report.passed
    if failed:
        raise typer.Exit(1)


@models_app.command("list")
def models_list() -> None:
    """Packaged offline models and whether they are prepared."""
    from reprolab.lm import zoo

    table = Table("name", "parameters", "prepared", "source")
    for name, model in zoo.PACKAGED_MODELS.items():
        table.add_row(name, model.parameters, "yes" if zoo.is_prepared(name) else "no",
                      model.source)
    Console().print(table)


@models_app.command("prepare")
def models_prepare(
    names: Annotated[list[str], typer.Argument(help="Packaged model names.")],
) -> None:
    """Convert packaged GGUF models to transformers format once and cache them."""
    from reprolab.lm import zoo

    for name in names:
        try:
            folder = zoo.prepare_model(name)
        except (KeyError, FileNotFoundError) as error:
            raise fail(str(error)) from None
        console.print(f"{name}: {folder}")


@app.command()
def reproduce(
    studies: Annotated[list[str] | None, typer.Argument(help="Studies (default: all).")] = None,
    quick: Annotated[bool, typer.Option(help="Quick reproduction on packaged defaults.")] = False,
    out: Annotated[Path, typer.Option(help="Report folder.")] = Path("runs/report"),
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
    device: Annotated[str, typer.Option(help="auto, cpu, cuda, mps.")] = "auto",
) -> None:
    """Run each study's reproduction and write report.md and report.html."""
    from reprolab.reproduce import reproduce_studies

    if not quick:
        console.print("Full-scale reproductions run per study (see `reprolab STUDY --help`); "
                      "running the quick reproductions.")
    names = studies or list(STUDIES)
    for name in names:
        if name not in STUDIES:
            raise fail(_unknown_study(name))
    md, page = reproduce_studies(names, out=out, seed=seed, device=device, console=console)
    console.print(f"report: {md} and {page}")


def _unknown_study(name: str) -> str:
    try:
        STUDIES[name]
    except KeyError as error:
        return str(error)
    return name


def _not_built_app(name: str) -> typer.Typer:
    sub = typer.Typer()

    @sub.callback(invoke_without_command=True)
    def not_built() -> None:
        raise fail(f"Study {name!r} is not built yet in this version of reprolab.")

    return sub


def _attach_studies() -> None:
    for name, info in STUDIES.items():
        try:
            sub = info.module("cli").app
        except StudyNotBuiltError:
            sub = _not_built_app(name)
        app.add_typer(sub, name=name, help=f"{info.title} ({info.paper}).")


_attach_studies()
