"""Run folders for the two REBUS jobs: re-grading the released answers, and a new evaluation.

Both write through `reprolab.core.records.RunRecord`: `config.json`, `results.json`, per-item
records (`records.jsonl` / `graded.csv`), tables as CSV and the accuracy-by-difficulty PNG.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from reprolab.core.data import dataset_dir
from reprolab.core.records import RunRecord
from reprolab.rebus.analysis import breakdown_tables, with_metadata
from reprolab.rebus.dataset import Puzzle, load_puzzles
from reprolab.rebus.evaluate import EvalConfig
from reprolab.rebus.figures import plot_accuracy_by_difficulty
from reprolab.rebus.published import PUBLISHED
from reprolab.rebus.regrade import (
    accuracy_by_split,
    disagreements,
    leaderboard,
    reextract_raw,
    regrade_released,
    reproduction,
)
from reprolab.rebus.released import load_raw_outputs, load_released

STUDY = "rebus"


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


def regrade_release(
    out: Path | None = None, *, folder: Path | None = None, seed: int = 0,
) -> RegradeRun:
    """Re-grade `eval_results.csv`, re-extract `model_outputs/`, and write the run folder."""
    folder = folder or dataset_dir("rebus")
    puzzles = load_puzzles(folder=folder)
    released = load_released(folder)
    graded = regrade_released(puzzles, released)
    raw = reextract_raw(puzzles, load_raw_outputs(folder), released)
    board = leaderboard(graded, raw, seed=seed)
    rebuilt = reproduction(graded)
    differ = disagreements(graded)
    record = RunRecord.create(STUDY, "regrade", {"data": folder}, seed=seed, out=out)
    record.write_table("graded.csv", with_metadata(graded, puzzles))
    record.write_table("raw_reextracted.csv", raw)
    record.write_table("leaderboard.csv", board)
    record.write_table("reproduction.csv", rebuilt)
    record.write_table("hand_grade_decisions.csv", differ)
    write_breakdowns(record, graded, puzzles, seed)
    figure = record.save_figure("accuracy_by_difficulty", plot_accuracy_by_difficulty(
        accuracy_by_split(graded), PUBLISHED, "REBUS released answers, re-graded"))
    match_columns = [c for c in rebuilt.columns if c.startswith("match_")]
    record.write_results({
        "models": len(board),
        "published_cells_reproduced": int(rebuilt[match_columns].to_numpy().sum()),
        "published_cells": int(rebuilt[match_columns].size),
        "mechanical_vs_authors_disagreements": len(differ),
        "leaderboard": board.to_dict(orient="records"),
    })
    return RegradeRun(record.folder, graded, raw, board, rebuilt, differ, figure)


def write_breakdowns(
    record: RunRecord, records: pd.DataFrame, puzzles: list[Puzzle], seed: int,
) -> dict[str, pd.DataFrame]:
    """Write `accuracy_by_<breakdown>.csv` (with bootstrap CIs) for every breakdown."""
    tables = breakdown_tables(with_metadata(records, puzzles), seed=seed)
    for name, table in tables.items():
        record.write_table(f"accuracy_by_{name.replace(' ', '_')}.csv", table)
    return tables


def write_eval_run(
    config: EvalConfig, records: pd.DataFrame, puzzles: list[Puzzle], out: Path | None = None,
    extra_tables: dict[str, pd.DataFrame] | None = None,
) -> Path:
    """Write an evaluation's folder: records (with full responses), breakdowns, figure."""
    name = config.model.replace("/", "_")
    record = RunRecord.create(STUDY, f"eval-{name}", config, seed=config.seed, out=out)
    record.write_jsonl("records.jsonl", records.to_dict(orient="records"))
    tables = write_breakdowns(record, records, puzzles, config.seed)
    for table_name, table in (extra_tables or {}).items():
        record.write_table(table_name, table)
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
    return record.folder
