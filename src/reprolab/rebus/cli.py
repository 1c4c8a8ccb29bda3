"""`reprolab rebus ...`: evaluate a model, re-grade the released answers, judge, browse.

Each verb builds its settings (options generated from the settings dataclasses in `config`),
calls one `run_*` function and prints. Only the settings are imported here; each verb imports
the heavier modules it needs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from reprolab.core.cli import config_options, console, print_frame, user_errors
from reprolab.core.errors import UserError
from reprolab.lm.backends import DEFAULT_CACHE_PATH
from reprolab.rebus.config import EvalConfig, JudgeRunConfig, RegradeConfig

app = typer.Typer(help="REBUS rebus-puzzle benchmark (arXiv 2401.05604).", no_args_is_help=True)
Out = Annotated[Path | None, typer.Option(help="Run folder (default runs/rebus/<time>-<name>); "
                                               "rerun with the same one to resume.")]


def answers_kept(cache: Path | None) -> str:
    """What an interrupted run kept, and how to resume it."""
    return (f"answers received so far are in the response cache {cache or DEFAULT_CACHE_PATH}; "
            "rerun the same command to resume without asking for them again")


@app.command("eval")
@config_options(EvalConfig)
def eval_command(config: EvalConfig, out: Out = None) -> None:
    """Ask a model every puzzle (resumable through the response cache) and grade it."""
    from reprolab.rebus.analysis import format_accuracy
    from reprolab.rebus.runs import run_eval_study

    with user_errors(interrupted=answers_kept(config.cache)):
        run = run_eval_study(config, out)
    overall = format_accuracy(run.tables["overall"]).iloc[0]
    console.print(f"{config.model}: {overall}% of {len(run.records)} puzzles correct (95% CI), "
                  f"{run.failed_calls} failed calls; run in {run.folder}")


@app.command()
@config_options(RegradeConfig)
def regrade(
    config: RegradeConfig,
    out: Out = None,
    decisions: Annotated[bool, typer.Option(help="Print every answer where the mechanical "
                                                 "and the authors' grade differ.")] = True,
) -> None:
    """Re-grade the authors' released answers and raw outputs; print the leaderboard."""
    from reprolab.rebus.runs import regrade_release
    from reprolab.rebus.scoring.regrade import compact_leaderboard

    with user_errors():
        run = regrade_release(config, out)
    print_frame(compact_leaderboard(run.leaderboard),
                "REBUS: overall / easy / medium / hard accuracy (%)", digits=3)
    if decisions:
        print_frame(run.disagreements.drop(columns=["correct", "in_paper_table"]),
                    "Answers where the authors' grade differs from the mechanical grade")
    console.print(f"published cells reproduced: {run.results['published_cells_reproduced']} of "
                  f"{run.results['published_cells']}; run in {run.folder}")


@app.command()
def gallery(
    out: Annotated[Path, typer.Option(help="Folder for index.html and images/.")] = Path(
        "runs/rebus/gallery"),
    run: Annotated[Path | None, typer.Option(help="An eval run folder to show instead of the "
                                                  "released answers.")] = None,
    source: Annotated[str, typer.Option(help="Puzzles from: local, github or hf.")] = "local",
) -> None:
    """Write one HTML page of every puzzle with each model's answer, filterable."""
    import pandas as pd

    from reprolab.core.data import dataset_dir
    from reprolab.rebus.data.dataset import load_puzzles
    from reprolab.rebus.data.released import load_released
    from reprolab.rebus.gallery import write_gallery
    from reprolab.rebus.scoring.regrade import regrade_released

    with user_errors():
        puzzles = load_puzzles(source)  # type: ignore[arg-type]
        if run is None:
            records = regrade_released(puzzles, load_released(dataset_dir("rebus")))
        elif (run / "records.jsonl").is_file():
            records = pd.read_json(run / "records.jsonl", lines=True, dtype={"puzzle": str})
        else:
            raise UserError(f"--run {run} holds no records.jsonl: give the folder of a "
                            "`reprolab rebus eval` run.")
        page = write_gallery(puzzles, records, out)
    console.print(f"gallery: {page}")


@app.command()
@config_options(JudgeRunConfig, nested={"judge": ""})
def judge(config: JudgeRunConfig, out: Out = None) -> None:
    """Share of correct answers whose reasoning explains every element of the puzzle."""
    from reprolab.rebus.runs import run_judge

    with user_errors(interrupted=answers_kept(config.judge.cache)):
        run = run_judge(config, out)
    print_frame(run.faithfulness, "Faithful explanations among correct answers")
    console.print(f"run in {run.folder}")
