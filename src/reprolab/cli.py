"""`reprolab`: the command line. One sub-app per study, plus `data`, `models` and `reproduce`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from reprolab.core import data as data_mod
from reprolab.core.cli import config_options, console, fail, user_errors
from reprolab.core.datasets import DATASETS
from reprolab.core.registry import UnknownNameError
from reprolab.reproduce import ReproduceConfig, reproduce_studies
from reprolab.studies import STUDIES, StudyNotBuiltError

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
        with user_errors(f"{name} was not fetched; files already fetched are kept"):
            folder = data_mod.fetch(name, force=force)
        console.print(f"{name}: ready in {folder}")


@data_app.command("verify")
def data_verify(
    names: Annotated[list[str] | None, typer.Argument(help="Datasets (default: all).")] = None,
) -> None:
    """Check every known file of the datasets by sha256 (exit 1 if any fails or, when datasets
    are named, if one is absent; exit 1 too when nothing could be checked)."""
    failed, checked = False, 0
    for name in names or list(DATASETS):
        try:
            report = data_mod.verify(name)
        except data_mod.MissingDataError as error:
            if names:  # a dataset asked for by name must be there
                console.print(f"[red]{escape(name)}: absent[/red] ({escape(str(error))})")
                failed = True
            else:
                console.print(f"[yellow]{escape(name)}: skipped[/yellow] ({escape(str(error))})")
            continue
        except UnknownNameError as error:
            console.print(f"[red]error:[/red] {escape(str(error))}")
            failed = True
            continue
        checked += 1
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
    if not checked:
        raise fail(f"No dataset was found to check under {data_mod.data_root()}: set "
                   f"{data_mod.ENV_VAR} or --data-dir, or run `reprolab data fetch NAME`.")


@models_app.command("list")
def models_list() -> None:
    """Packaged offline models and whether they are prepared."""
    from reprolab.lm import zoo

    table = Table("name", "parameters", "prepared", "source")
    for name, model in zoo.PACKAGED_MODELS.items():
        folder = zoo.prepared_dir(name)
        state = ("no" if not folder.exists() else "yes" if zoo.is_prepared(name)
                 else "damaged (run `reprolab models prepare`)")
        table.add_row(name, model.parameters, state, model.source)
    Console().print(table)


@models_app.command("prepare")
def models_prepare(
    names: Annotated[list[str], typer.Argument(help="Packaged model names.")],
) -> None:
    """Convert packaged GGUF models to transformers format once and cache them; a prepared copy
    is checked file by file (sizes and sha256) and prepared again if damaged."""
    from reprolab.lm import zoo

    for name in names:
        with user_errors(f"{name} was not prepared (nothing half-written is kept); run again"):
            folder = zoo.prepare_model(name, check_hashes=True)
        console.print(f"{name}: {folder}")


@app.command()
@config_options(ReproduceConfig)
def reproduce(
    config: ReproduceConfig,
    studies: Annotated[list[str] | None, typer.Argument(help="Studies (default: all).")] = None,
    out: Annotated[Path, typer.Option(help="Report folder.")] = Path("runs/report"),
) -> None:
    """Set up each study's data, run its reproduction, write report.md and report.html."""
    names = studies or list(STUDIES)
    with user_errors():
        for name in names:
            STUDIES[name]  # unknown names fail here, with close matches
    with user_errors("the report holds every study that finished; rerun for the rest"):
        md, page = reproduce_studies(names, config, out=out, console=console)
    console.print(f"report: {md} and {page}")


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
