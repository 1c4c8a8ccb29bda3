"""`reprolab invscale`: list tasks, run ladders, analyse the pilot results, check parity.

Each verb's options are generated from its settings dataclass (`reprolab.invscale.config`);
the verb calls one function and prints.
"""

from __future__ import annotations

import dataclasses
import shlex
from pathlib import Path
from typing import Annotated

import typer

from reprolab.core.cli import config_options, console, print_frame, user_errors
from reprolab.invscale.config import LadderConfig, ParityConfig, PilotConfig
from reprolab.invscale.trends import TrendSettings

app = typer.Typer(help="Inverse scaling: prize tasks over model ladders, with trend analysis.",
                  no_args_is_help=True)
Out = Annotated[Path | None, typer.Option(help="Run folder (default runs/invscale/<time>-<name>); "
                                               "rerun with the same one to resume.")]
TREND_COLUMNS = ["task", "metric", "values", "trend", "p(trend)", "paper"]


@app.command("tasks")
def tasks_command() -> None:
    """The 11 winning tasks: type, cause of inverse scaling, and whether the file is here."""
    import pandas as pd

    from reprolab.core.data import dataset_dir
    from reprolab.invscale.tasks import DATASET, PRIZE_TASKS

    folder = dataset_dir(DATASET, must_exist=False) / "prize"
    print_frame(pd.DataFrame(
        [(name, task.task_type, task.cause,
          "yes" if (folder / task.file).exists() else "no (Hub)")
         for name, task in PRIZE_TASKS.items()],
        columns=["task", "type", "cause", "local file"]), "Inverse Scaling Prize winners")


def _changed_options(settings: object, defaults: object, skip: set[str]) -> list[str]:
    """`--name value` for each field of `settings` that differs from `defaults`."""
    options = []
    for field in dataclasses.fields(settings):  # type: ignore[arg-type]
        value = getattr(settings, field.name)
        if field.name in skip or value == getattr(defaults, field.name):
            continue
        text = ",".join(map(str, value)) if isinstance(value, tuple) else str(value)
        options.append(f"--{field.name.replace('_', '-')} {shlex.quote(text)}")
    return options


def resume_command(config: LadderConfig, folder: Path) -> str:
    """The `reprolab invscale run` command that resumes `config`'s run in `folder`."""
    default = LadderConfig()
    options = [*_changed_options(config, default, {"trend"}),
               *_changed_options(config.trend, default.trend, {"seed"})]
    return " ".join(["reprolab invscale run", *options, "--out", shlex.quote(str(folder))])


def _pairs(pairs: list[tuple[str, str]]) -> str:
    by_model: dict[str, list[str]] = {}
    for task, model in pairs:
        by_model.setdefault(model, []).append(task)
    return "; ".join(f"{model} on {', '.join(tasks)}" for model, tasks in by_model.items())


@app.command("run")
@config_options(LadderConfig, nested={"trend": ""}, skip=("trend.seed",))
def run_command(config: LadderConfig, out: Out = None) -> None:
    """Score tasks over a ladder of models, as the official pipeline, and classify trends."""
    from reprolab.invscale.ladder import prepare_ladder

    with user_errors():
        ladder = prepare_ladder(config, out=out)

    def kept() -> str:
        pairs = ladder.kept()
        return (f"kept {len(pairs)} model/task pairs in {ladder.record.folder}"
                f"{' (' + _pairs(pairs) + ')' if pairs else ''}; resume with: "
                f"{resume_command(config, ladder.record.folder)}")

    with user_errors(kept):
        result = ladder.run()
    if result.resumed:
        console.print(f"resumed: {len(result.resumed)} of {result.n_pairs} model/task pairs "
                      f"read from {result.record.folder}")
    if not result.trends.empty:
        print_frame(result.trends, "Trends over the ladder", columns=TREND_COLUMNS, digits=3)
    console.print(f"run record: {result.record.folder}")


@app.command("pilot")
@config_options(PilotConfig, nested={"trend": ""})
def pilot_command(config: PilotConfig, out: Out = None) -> None:
    """Classify the scaling trend of every organisers' pilot run (GPT-2, GPT-3, OPT sizes)."""
    from reprolab.invscale.pilot import analyse_pilot

    with user_errors():
        analysis = analyse_pilot(config, out=out)
    print_frame(analysis.primary_table, "Pilot runs: trend of the primary metric",
                columns=["run", "family", "metric", "values", "trend", "p(trend)"], digits=3)
    console.print(f"run record: {analysis.record.folder}")


@app.command("parity")
@config_options(ParityConfig)
def parity_command(config: ParityConfig) -> None:
    """Compare accuracy and per-item log-likelihoods with lm-eval's inverse_scaling_mc."""
    import pandas as pd

    from reprolab.invscale.parity import check_parity

    with user_errors():
        results = check_parity(config)
    print_frame(pd.DataFrame([dataclasses.asdict(r) for r in results]),
                f"Parity with lm-eval on {config.model}", digits=4)
    if not all(r.identical_accuracy and r.max_abs_loglik_difference < 1e-3 for r in results):
        raise typer.Exit(1)


@app.command("analyse")
@config_options(TrendSettings)
def analyse_command(
    config: TrendSettings,
    run_folder: Annotated[Path, typer.Argument(help="A folder written by `invscale run`.")],
) -> None:
    """Recompute a ladder run's trends, tables and figures from its per-example files."""
    from reprolab.invscale.ladder import reanalyse_ladder

    with user_errors():
        result = reanalyse_ladder(run_folder, config)
    if not result.trends.empty:
        print_frame(result.trends, "Trends over the ladder", columns=TREND_COLUMNS, digits=3)
    console.print(f"updated: {result.record.folder}")
