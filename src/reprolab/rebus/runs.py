"""The three REBUS jobs as typed runs: re-grade the released answers, evaluate a model, judge.

Each `run_*` function checks its inputs, creates the run folder (`RunRecord`) before the long
work, marks its status, writes per-item records and tables, and returns a dataclass; the CLI
only builds the settings, calls it and prints. Evaluation writes each graded answer to
`records.partial.jsonl` the moment it arrives (the response cache keeps the answers themselves),
then `records.jsonl` in puzzle order.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from reprolab.core.data import dataset_dir
from reprolab.core.errors import UserError
from reprolab.core.records import RunRecord, to_jsonable
from reprolab.core.seeding import seed_everything
from reprolab.rebus.analysis import breakdown_tables, with_metadata
from reprolab.rebus.config import EvalConfig, JudgeRunConfig, RegradeConfig
from reprolab.rebus.data.dataset import Puzzle, load_puzzles
from reprolab.rebus.data.published import PUBLISHED
from reprolab.rebus.data.released import load_raw_outputs, load_released
from reprolab.rebus.evaluate import run_eval
from reprolab.rebus.figures import plot_accuracy_by_difficulty
from reprolab.rebus.scoring.judge import faithfulness_table, judge_answers, judge_explanations
from reprolab.rebus.scoring.regrade import (
    accuracy_by_split,
    disagreements,
    leaderboard,
    reextract_raw,
    regrade_released,
    reproduction,
)

STUDY = "rebus"


class AllCallsFailedError(UserError):
    """Every call of an evaluation failed: nothing was graded (the failures are kept)."""


# --- re-grading the released answers ----------------------------------------------------------

@dataclass
class RegradeRun:
    """Everything `regrade_release` computed, and the folder it wrote."""

    folder: Path
    graded: pd.DataFrame
    raw: pd.DataFrame
    leaderboard: pd.DataFrame
    reproduction: pd.DataFrame
    disagreements: pd.DataFrame
    figure: Path
    results: dict[str, Any]


def regrade_release(
    config: RegradeConfig, out: Path | None = None, *, folder: Path | None = None,
) -> RegradeRun:
    """Re-grade `eval_results.csv`, re-extract `model_outputs/`, and write the run folder."""
    folder = folder or dataset_dir("rebus")
    puzzles = load_puzzles(folder=folder)
    released = load_released(folder)
    raw_outputs = load_raw_outputs(folder)
    record = RunRecord.create(STUDY, "regrade", config, seed=config.seed, out=out)
    with record.running():
        graded = regrade_released(puzzles, released)
        raw = reextract_raw(puzzles, raw_outputs, released)
        board = leaderboard(graded, raw, seed=config.seed)
        rebuilt = reproduction(graded)
        differ = disagreements(graded)
        record.write_table("graded.csv", graded.round({"similarity": 1}))  # metadata: data.csv
        record.write_table("raw_reextracted.csv", raw)
        record.write_table("leaderboard.csv", board)
        record.write_table("reproduction.csv", rebuilt)
        record.write_table("hand_grade_decisions.csv", differ)
        write_breakdowns(record, graded, puzzles, config.seed)
        figure = record.save_figure("accuracy_by_difficulty", plot_accuracy_by_difficulty(
            accuracy_by_split(graded), PUBLISHED, "REBUS released answers, re-graded"))
        match_columns = [c for c in rebuilt.columns if c.startswith("match_")]
        results = {
            "models": len(board),
            "published_cells_reproduced": int(rebuilt[match_columns].to_numpy().sum()),
            "published_cells": int(rebuilt[match_columns].size),
            "mechanical_vs_authors_disagreements": len(differ),
            "leaderboard": board.to_dict(orient="records"),
        }
        record.write_results(results)
    return RegradeRun(record.folder, graded, raw, board, rebuilt, differ, figure, results)


def write_breakdowns(
    record: RunRecord, records: pd.DataFrame, puzzles: list[Puzzle], seed: int,
) -> dict[str, pd.DataFrame]:
    """Write `accuracy_by_<breakdown>.csv` (with bootstrap CIs) for every breakdown."""
    tables = breakdown_tables(with_metadata(records, puzzles), seed=seed)
    for name, table in tables.items():
        record.write_table(f"accuracy_by_{name.replace(' ', '_')}.csv", table)
    return tables


# --- evaluating a model -----------------------------------------------------------------------

@dataclass
class EvalRun:
    """An evaluation's graded records (one per puzzle), its tables and its folder."""

    folder: Path
    records: pd.DataFrame
    tables: dict[str, pd.DataFrame]

    @property
    def failed_calls(self) -> int:
        return int(self.records["error"].notna().sum())


@contextmanager
def appending_jsonl(path: Path) -> Iterator[Callable[[dict[str, Any]], None]]:
    """A function that appends one JSON line to `path` (started afresh) and flushes it."""
    with path.open("w") as handle:
        def write(row: dict[str, Any]) -> None:
            handle.write(json.dumps(to_jsonable(row)) + "\n")
            handle.flush()

        yield write


def run_eval_study(config: EvalConfig, out: Path | None = None) -> EvalRun:
    """Ask `config.model` every puzzle, grade, optionally judge, and write the run folder.

    Raises `AllCallsFailedError` after writing the records when no call succeeded.
    """
    name = config.model.replace("/", "_")
    record = RunRecord.create(STUDY, f"eval-{name}", config.recorded(), seed=config.seed,
                              out=out)
    with record.running():
        puzzles = load_puzzles(config.source)  # type: ignore[arg-type]
        chosen = puzzles[: config.limit] if config.limit else puzzles
        seed_everything(config.seed)
        partial = record.path("records.partial.jsonl")
        with appending_jsonl(partial) as write:
            records = run_eval(config, chosen, on_record=write)
        tables: dict[str, pd.DataFrame] = {}
        if config.judge and records["error"].isna().any():
            judge = config.judge_config()
            judged = judge_explanations(judge_answers(records, chosen, judge), chosen, judge)
            records = records.assign(judge_correct=judged["judge_correct"],
                                     faithful=judged["faithful"])
            tables["faithfulness"] = faithfulness_table(judged)
            record.write_table("faithfulness.csv", tables["faithfulness"])
        record.write_jsonl("records.jsonl", records.to_dict(orient="records"))
        partial.unlink()
        tables |= write_eval_tables(record, config, records, chosen)
        if records["error"].notna().all():
            first = str(records["error"].iloc[0])
            raise AllCallsFailedError(
                f"All {len(records)} calls to {config.model} failed, e.g. {first[:160]!r}; "
                f"each failure is in {record.path('records.jsonl')}. Fix the cause and rerun.")
    return EvalRun(record.folder, records, tables)


def write_eval_tables(
    record: RunRecord, config: EvalConfig, records: pd.DataFrame, puzzles: list[Puzzle],
) -> dict[str, pd.DataFrame]:
    """Write an evaluation's breakdowns, figure and `results.json`; return the breakdowns."""
    tables = write_breakdowns(record, records, puzzles, config.seed)
    if records["difficulty"].notna().any():
        record.save_figure("accuracy_by_difficulty", plot_accuracy_by_difficulty(
            accuracy_by_split(records), PUBLISHED, f"REBUS: {config.model}"))
    record.write_results({
        "puzzles": len(records),
        "errors": int(records["error"].notna().sum()),
        "no_answer": int(records["answer"].isna().sum()),
        **{name: table.drop(columns="model").to_dict(orient="records")
           for name, table in tables.items()},
    })
    return tables


# --- judging explanations ---------------------------------------------------------------------

@dataclass
class JudgeRun:
    """The judged answers (`faithful`, `judge_error`), the per-model table and the folder."""

    folder: Path
    judged: pd.DataFrame
    faithfulness: pd.DataFrame


def answers_to_judge(config: JudgeRunConfig) -> tuple[pd.DataFrame, list[Puzzle]]:
    """The correct answers (with full responses) of `config.run`, or of the released raw
    outputs, at most `config.limit` per model; and the puzzles."""
    folder = dataset_dir("rebus")
    puzzles = load_puzzles(folder=folder)
    if config.run is None:
        raw = load_raw_outputs(folder)
        records = reextract_raw(puzzles, raw, load_released(folder))
        records["response"] = [raw[m].first.get(p) for m, p in
                               zip(records["model"], records["puzzle"], strict=True)]
    else:
        records = pd.read_json(config.run / "records.jsonl", lines=True, dtype={"puzzle": str})
    correct = records[records["correct"].astype(bool)]
    if config.limit:
        correct = correct.groupby("model", sort=False).head(config.limit)
    return correct, puzzles


def run_judge(config: JudgeRunConfig, out: Path | None = None) -> JudgeRun:
    """Judge whether each correct answer's reasoning explains the puzzle; write the folder."""
    correct, puzzles = answers_to_judge(config)
    record = RunRecord.create(STUDY, "judge", config.recorded(), out=out)
    with record.running():
        judged = judge_explanations(correct, puzzles, config.judge)
        table = faithfulness_table(judged)
        record.write_table("explanations.csv", judged.drop(columns=["response"]))
        record.write_table("faithfulness.csv", table)
    return JudgeRun(record.folder, judged, table)
