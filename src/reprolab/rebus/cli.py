"""`reprolab rebus ...`: evaluate a model, re-grade the released answers, judge, browse.

Only typer and the standard library are imported here; each command imports what it needs.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

if TYPE_CHECKING:
    import pandas as pd

    from reprolab.rebus.dataset import Puzzle

app = typer.Typer(help="REBUS rebus-puzzle benchmark (arXiv 2401.05604).", no_args_is_help=True)
console = Console(stderr=True)
Source = Annotated[str, typer.Option(help="Puzzles from: local, github or hf.")]
Out = Annotated[Path | None, typer.Option(help="Run folder (default runs/rebus/<time>-<name>).")]


def _fail(message: str) -> typer.Exit:
    console.print(f"[red]error:[/red] {message}")
    return typer.Exit(1)


def _user_errors() -> tuple[type[Exception], ...]:
    from reprolab.core.data import MissingDataError
    from reprolab.lm.backends import MissingAPIKeyError
    from reprolab.rebus.dataset import RebusDataError

    return (MissingDataError, RebusDataError, MissingAPIKeyError, ValueError, KeyError, OSError)


def _print_frame(frame: pd.DataFrame, title: str, limit: int | None = None) -> None:
    table = Table(*map(str, frame.columns), title=title)
    for row in frame.head(limit).itertuples(index=False):
        table.add_row(*("—" if v is None or v != v else f"{v:g}" if isinstance(v, float)
                        else str(v) for v in row))
    Console().print(table)


@app.command("eval")
def eval_command(
    model: Annotated[str, typer.Option(help="Backend spec: openai/gpt-4o, anthropic/..., "
                                            "gemini/..., openai-compatible/..., hf/PATH.")],
    limit: Annotated[int | None, typer.Option(help="Only the first N puzzles.")] = None,
    out: Out = None,
    prompt: Annotated[str, typer.Option(help="auto, standard, image-first, think-longer, "
                                             "no-braces.")] = "auto",
    max_tokens: Annotated[int, typer.Option(help="Response token limit.")] = 2000,
    temperature: Annotated[float, typer.Option(help="Sampling temperature.")] = 0.0,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
    concurrency: Annotated[int, typer.Option(help="Calls in flight / batch size.")] = 4,
    max_retries: Annotated[int, typer.Option(help="Retries per failed call.")] = 6,
    base_url: Annotated[str | None, typer.Option(help="Server URL (compatible APIs).")] = None,
    cache: Annotated[Path | None, typer.Option(help="Response cache file.")] = None,
    device: Annotated[str, typer.Option(help="auto, cpu, cuda, mps (hf/ models).")] = "auto",
    fallbacks: Annotated[bool, typer.Option(help="Extraction fallbacks without braces.")] = True,
    judge: Annotated[str | None, typer.Option(help="Judge spec for the diagnostic answer "
                                                   "and explanation judges.")] = None,
    source: Source = "local",
) -> None:
    """Ask a model every puzzle (resumable through the response cache) and grade it."""
    from reprolab.core.seeding import seed_everything
    from reprolab.rebus.analysis import accuracy_table, format_accuracy
    from reprolab.rebus.dataset import load_puzzles
    from reprolab.rebus.evaluate import EvalConfig, run_eval
    from reprolab.rebus.runs import write_eval_run

    try:
        config = EvalConfig(model=model, prompt=prompt, limit=limit, max_tokens=max_tokens,
                            temperature=temperature, seed=seed, fallbacks=fallbacks,
                            concurrency=concurrency, max_retries=max_retries, base_url=base_url,
                            cache_path=cache, device=device)
        seed_everything(seed)
        puzzles = load_puzzles(source)  # type: ignore[arg-type]
        records = run_eval(config, puzzles)
        extra = _judge_records(records, puzzles, judge, cache) if judge else {}
        folder = write_eval_run(config, records, puzzles, out, extra)
    except _user_errors() as error:
        raise _fail(str(error)) from None
    overall = format_accuracy(accuracy_table(records, seed=seed)).iloc[0]
    console.print(f"{model}: {overall}% of {len(records)} puzzles correct (95% CI), "
                  f"{records['error'].notna().sum()} failed calls; run in {folder}")


def _judge_records(
    records: pd.DataFrame, puzzles: list[Puzzle], judge: str, cache: Path | None,
) -> dict[str, pd.DataFrame]:
    """Add the judges' diagnostic columns to `records`; return the faithfulness table."""
    from reprolab.rebus.judge import (
        JudgeConfig,
        faithfulness_table,
        judge_answers,
        judge_explanations,
    )

    config = JudgeConfig(judge=judge, cache_path=cache)
    judged = judge_explanations(judge_answers(records, puzzles, config), puzzles, config)
    records["judge_correct"] = judged["judge_correct"]
    records["faithful"] = judged["faithful"]
    return {"faithfulness.csv": faithfulness_table(judged)}


@app.command()
def regrade(
    out: Out = None,
    seed: Annotated[int, typer.Option(help="Bootstrap seed.")] = 0,
    decisions: Annotated[bool, typer.Option(help="Print every answer where the mechanical "
                                                 "and the authors' grade differ.")] = True,
) -> None:
    """Re-grade the authors' released answers and raw outputs; print the leaderboard."""
    from reprolab.rebus.regrade import compact_leaderboard
    from reprolab.rebus.runs import regrade_release

    try:
        run = regrade_release(out, seed=seed)
    except _user_errors() as error:
        raise _fail(str(error)) from None
    _print_frame(compact_leaderboard(run.leaderboard),
                 "REBUS: overall / easy / medium / hard accuracy (%)")
    if decisions:
        _print_frame(run.disagreements.drop(columns=["correct", "in_paper_table"]),
                     "Answers where the authors' grade differs from the mechanical grade")
    cells = run.reproduction[[c for c in run.reproduction.columns if c.startswith("match_")]]
    console.print(f"published cells reproduced: {int(cells.to_numpy().sum())} of {cells.size}; "
                  f"run in {run.folder}")


@app.command()
def gallery(
    out: Annotated[Path, typer.Option(help="Folder for index.html and images/.")] = Path(
        "runs/rebus/gallery"),
    run: Annotated[Path | None, typer.Option(help="An eval run folder to show instead of the "
                                                  "released answers.")] = None,
    source: Source = "local",
) -> None:
    """Write one HTML page of every puzzle with each model's answer, filterable."""
    import pandas as pd

    from reprolab.core.data import dataset_dir
    from reprolab.rebus.dataset import load_puzzles
    from reprolab.rebus.gallery import write_gallery
    from reprolab.rebus.regrade import regrade_released
    from reprolab.rebus.released import load_released

    try:
        puzzles = load_puzzles(source)  # type: ignore[arg-type]
        if run is None:
            records = regrade_released(puzzles, load_released(dataset_dir("rebus")))
        else:
            records = pd.read_json(run / "records.jsonl", lines=True, dtype={"puzzle": str})
        page = write_gallery(puzzles, records, out)
    except _user_errors() as error:
        raise _fail(str(error)) from None
    console.print(f"gallery: {page}")


@app.command()
def judge(
    judge_model: Annotated[str, typer.Option("--judge", help="Judge backend spec.")],
    run: Annotated[Path | None, typer.Option(help="An eval run folder; default: the released "
                                                  "raw outputs.")] = None,
    out: Out = None,
    limit: Annotated[int | None, typer.Option(help="Judge the first N correct answers per "
                                                   "model.")] = None,
    base_url: Annotated[str | None, typer.Option(help="Judge server URL.")] = None,
    cache: Annotated[Path | None, typer.Option(help="Response cache file.")] = None,
) -> None:
    """Share of correct answers whose reasoning explains every element of the puzzle."""
    import pandas as pd

    from reprolab.core.data import dataset_dir
    from reprolab.core.records import RunRecord
    from reprolab.rebus.dataset import load_puzzles
    from reprolab.rebus.judge import JudgeConfig, faithfulness_table, judge_explanations
    from reprolab.rebus.regrade import reextract_raw
    from reprolab.rebus.released import load_raw_outputs, load_released

    try:
        config = JudgeConfig(judge=judge_model, base_url=base_url, cache_path=cache)
        puzzles = load_puzzles()
        if run is None:
            folder = dataset_dir("rebus")
            raw = load_raw_outputs(folder)
            records = reextract_raw(puzzles, raw, load_released(folder))
            records["response"] = [raw[m].first.get(p) for m, p in
                                   zip(records["model"], records["puzzle"], strict=True)]
        else:
            records = pd.read_json(run / "records.jsonl", lines=True, dtype={"puzzle": str})
        correct = records[records["correct"].astype(bool)]
        if limit:
            correct = correct.groupby("model", sort=False).head(limit)
        judged = judge_explanations(correct, puzzles, config)
        table = faithfulness_table(judged)
        record = RunRecord.create("rebus", "judge", config, out=out)
        record.write_table("explanations.csv", judged.drop(columns=["response"]))
        record.write_table("faithfulness.csv", table)
    except _user_errors() as error:
        raise _fail(str(error)) from None
    _print_frame(table, "Faithful explanations among correct answers")
    console.print(f"run in {record.folder}")
