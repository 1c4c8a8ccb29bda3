"""Quick reproduction for the report: the released answers re-graded beside the paper's table.

Runs from the released data alone (no API call), in seconds: re-grades all released answers,
rebuilds the authors' hand grade, compares both with the published table, and draws accuracy
by difficulty. The real-scale run (`full`) is the same re-grade, the one behind
`results/rebus/`; the headline comes from that committed record when it is there.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from reprolab.core.report import Comparison, StudyContext, StudyResult, results_dir
from reprolab.rebus.config import RegradeConfig
from reprolab.rebus.data.published import PUBLISHED
from reprolab.rebus.runs import RegradeRun, regrade_release
from reprolab.rebus.scoring.regrade import SPLITS, compact_leaderboard

TITLE = "REBUS: rebus puzzles for multimodal LLMs"
RESULTS_DIR = results_dir("rebus")


def cells_headline(results: Mapping[str, Any]) -> Comparison:
    """Published table cells the rebuilt authors' grade reproduces, from a re-grade's
    `results.json` (the paper's column: all of them)."""
    return Comparison(
        "published accuracy cells reproduced (overall, easy, medium, hard per model)",
        results["published_cells_reproduced"], results["published_cells"],
        note="authors' grade rebuilt answer by answer from the released answers")


def committed_headline() -> Comparison | None:
    """The headline of the committed real-scale run (`results/rebus/regrade/`), if present."""
    path = RESULTS_DIR / "regrade" / "results.json"
    return cells_headline(json.loads(path.read_text())) if path.is_file() else None


def regrade_result(run: RegradeRun, headline: Comparison) -> StudyResult:
    """The report's view of a re-grade: per-model comparisons, the leaderboard, the answers
    where the authors' hand grade decides, and the figure."""
    board = run.leaderboard
    comparisons = [
        Comparison(f"{row.model}: overall accuracy (%), authors' grade rebuilt",
                   row.authors_overall, row.paper_overall,
                   note=f"reprolab mechanical grade {row.reprolab_overall:.1f}")
        for row in board.itertuples() if row.model in PUBLISHED
    ]
    rebuilt = run.reproduction.set_index("model")
    cells = rebuilt[[f"match_{split}" for split in SPLITS]]
    misses = [f"{model} {split} (published {rebuilt.loc[model, f'paper_{split}']}, rebuilt "
              f"{rebuilt.loc[model, f'rebuilt_{split}']}; {rebuilt.loc[model, 'note']})"
              for model in rebuilt.index for split in SPLITS
              if not rebuilt.loc[model, f"match_{split}"]]
    decided = run.disagreements[run.disagreements["in_paper_table"]].drop(
        columns=["correct", "in_paper_table"])
    summary = (
        f"Re-graded the authors' released answers of {len(board)} solvers. The authors' grade, "
        f"rebuilt answer by answer, reproduces {int(cells.to_numpy().sum())} of {cells.size} "
        "published cells (overall, easy, medium, hard)"
        + (f"; not reproduced: {'; '.join(misses)}. " if misses else ". ")
        + "reprolab's mechanical grade (accents, case, spaces and punctuation folded; "
        f"also-accept applied; no hand grades) differs from the authors' on {len(decided)} "
        "answers of published models, each listed with the rule that decides it."
    )
    return StudyResult(
        study="rebus", title=TITLE, summary=summary, comparisons=comparisons,
        tables=[("Leaderboard: published vs re-graded (overall / easy / medium / hard, %)",
                 compact_leaderboard(board)),
                ("Answers where the authors' hand grade decides", decided)],
        figures=[("Accuracy by difficulty, re-graded (bars) and published (ticks)", run.figure)],
        headline=headline,
    )


def run_quick(ctx: StudyContext) -> StudyResult:
    """Re-grade the 16 models' (+ human) released answers; compare with the published table."""
    run = regrade_release(RegradeConfig(seed=ctx.seed), ctx.out / "regrade")
    return regrade_result(run, committed_headline() or cells_headline(run.results))
