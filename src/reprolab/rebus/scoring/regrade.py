"""Re-grading the authors' released answers, and re-extracting answers from their raw outputs.

Two grades per released answer (`regrade_released`):

* `correct` — reprolab's mechanical grade (`grading.grade_answer`: normalised match against the
  solution, its second spelling and the also-accept list). This is the official score.
* `authors_correct` — the authors' grade rebuilt: a `[COUNT]` tag, else a typed hand grade
  (`published.HAND_GRADES`), else a case-insensitive exact match of the trimmed answer against
  either spelling of the solution (no accent, space or punctuation folding, no also-accept
  list). This reproduces the published table (`reproduction`).

Where the two grades differ, `rule` says which rule decided the authors' verdict.
`reextract_raw` grades answers pulled from `model_outputs/*.txt` by `extraction.extract_answer`.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

import pandas as pd

from reprolab.rebus.analysis import accuracy_table
from reprolab.rebus.data.dataset import DIFFICULTIES, Puzzle
from reprolab.rebus.data.published import HAND_GRADES, PUBLISHED
from reprolab.rebus.data.released import RawOutputs, ReleasedAnswer, ReleasedResults
from reprolab.rebus.scoring.extraction import extract_answer
from reprolab.rebus.scoring.grading import grade_answer, normalise

SPLITS: tuple[str, ...] = ("overall", *(d.lower() for d in DIFFICULTIES))


def _solutions(puzzle: Puzzle) -> set[str]:
    return {s.strip().upper() for s in (puzzle.solution, *puzzle.solution_variants)}


def _fold_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).strip().upper()


def authors_grade(released: ReleasedAnswer, puzzle: Puzzle) -> tuple[bool, str]:
    """The authors' verdict on a released answer and the rule that gives it."""
    if released.hand_tagged:
        return True, "[COUNT] tag in eval_results.csv"
    if (hand := HAND_GRADES.get((released.model, released.puzzle_id))) is not None:
        return hand.correct, f"hand grade ({hand.basis}): {hand.rule}"
    answer = released.answer
    return answer is not None and answer.strip().upper() in _solutions(puzzle), "exact match"


def _why_exact_match_rejects(answer: str, puzzle: Puzzle) -> str:
    """Why an answer the mechanical grade accepts fails the authors' exact match."""
    if normalise(answer) not in {normalise(s) for s in _solutions(puzzle)}:
        return "also-accept list: not applied by the authors' grade"
    reasons = []
    if _fold_accents(answer) != answer.strip().upper():
        reasons.append("accents")
    if _fold_accents(answer) not in {_fold_accents(s) for s in _solutions(puzzle)}:
        reasons.append("spaces/punctuation")
    return f"{' and '.join(reasons)}: the authors' exact match keeps them"


def regrade_released(puzzles: Sequence[Puzzle], released: ReleasedResults) -> pd.DataFrame:
    """One row per (model, puzzle): answer, both grades, similarity and the deciding rule."""
    rows = []
    for model in released.models:
        answers = released.answers[model]
        for puzzle in puzzles:
            cell = answers.get(puzzle.id) or ReleasedAnswer.parse(model, puzzle.id, "")
            grade = grade_answer(cell.answer, puzzle.accepted)
            authors, rule = authors_grade(cell, puzzle)
            if authors == grade.correct:
                rule = "agree"
            elif rule == "exact match":
                rule = _why_exact_match_rejects(cell.answer or "", puzzle)
            rows.append({
                "model": model, "puzzle": puzzle.id, "difficulty": puzzle.difficulty,
                "answer": cell.answer, "hand_tagged": cell.hand_tagged,
                "correct": grade.correct, "matched": grade.matched,
                "similarity": grade.similarity, "authors_correct": authors, "rule": rule,
            })
    return pd.DataFrame(rows)


def reextract_raw(
    puzzles: Sequence[Puzzle], raw: dict[str, RawOutputs], released: ReleasedResults,
) -> pd.DataFrame:
    """One row per (model, puzzle) with a raw output: our extraction, its grade, and whether it
    equals the authors' released answer (after normalisation)."""
    rows = []
    for model, outputs in raw.items():
        answers = released.answers.get(model, {})
        for puzzle in puzzles:
            response = outputs.first.get(puzzle.id)
            found = extract_answer(response)
            theirs = answers[puzzle.id].answer if puzzle.id in answers else None
            rows.append({
                "model": model, "puzzle": puzzle.id, "difficulty": puzzle.difficulty,
                "method": found.method, "answer": found.answer, "released_answer": theirs,
                "agrees": normalise(found.answer or "") == normalise(theirs or ""),
                "correct": grade_answer(found.answer, puzzle.accepted).correct,
                "reruns": len(outputs.reruns.get(puzzle.id, ())),
            })
    return pd.DataFrame(rows)


def accuracy_by_split(frame: pd.DataFrame, column: str = "correct") -> pd.DataFrame:
    """Percent correct per model: overall and per difficulty (models in first-seen order)."""
    overall = frame.groupby("model", sort=False)[column].mean().rename("overall")
    split = frame.pivot_table(index="model", columns="difficulty", values=column,
                              aggfunc="mean", sort=False)
    split.columns = [str(c).lower() for c in split.columns]
    table = pd.concat([overall, split], axis=1).reindex(columns=list(SPLITS))
    return (100 * table).reindex(frame["model"].unique())


def reproduction(graded: pd.DataFrame) -> pd.DataFrame:
    """The authors' grade beside the published table, cell by cell, for the published models.

    `match_<split>` is True when the rebuilt accuracy rounds to the published one decimal.
    """
    rebuilt = accuracy_by_split(graded, "authors_correct")
    columns = ["model", *(f"{kind}_{split}" for split in SPLITS
                          for kind in ("paper", "rebuilt", "match")), "note"]
    rows = []
    for model, row in PUBLISHED.items():
        if model not in rebuilt.index:
            continue
        entry: dict[str, object] = {"model": model}
        for split in SPLITS:
            ours, paper = float(rebuilt.loc[model, split]), getattr(row, split)
            entry |= {f"paper_{split}": paper, f"rebuilt_{split}": round(ours, 1),
                      f"match_{split}": round(ours, 1) == paper}
        entry["note"] = row.note
        rows.append(entry)
    return pd.DataFrame(rows, columns=columns)


def disagreements(graded: pd.DataFrame) -> pd.DataFrame:
    """Every answer where the mechanical grade and the authors' grade differ, with the rule."""
    columns = ["model", "puzzle", "difficulty", "answer", "correct", "authors_correct", "rule"]
    table = graded.loc[graded["correct"] != graded["authors_correct"], columns]
    table = table.assign(in_paper_table=table["model"].isin(list(PUBLISHED)))
    return table.reset_index(drop=True)


def leaderboard(
    graded: pd.DataFrame, raw: pd.DataFrame | None = None, *, seed: int = 0,
) -> pd.DataFrame:
    """All models, best first: the published row, the rebuilt authors' grade, reprolab's
    mechanical grade (with a bootstrap 95% CI overall) and, if given, the raw re-extraction."""
    mechanical = accuracy_by_split(graded)
    rebuilt = accuracy_by_split(graded, "authors_correct")
    overall = accuracy_table(graded, seed=seed).set_index("model")
    rows = []
    for model in mechanical.index:
        paper = PUBLISHED.get(model)
        entry: dict[str, object] = {"model": model}
        for split in SPLITS:
            entry[f"paper_{split}"] = getattr(paper, split) if paper else None
        for split in SPLITS:
            entry[f"authors_{split}"] = round(float(rebuilt.loc[model, split]), 1)
        for split in SPLITS:
            entry[f"reprolab_{split}"] = round(float(mechanical.loc[model, split]), 1)
        entry["reprolab_ci"] = (f"[{overall.loc[model, 'ci_low']:.1f}, "
                                f"{overall.loc[model, 'ci_high']:.1f}]")
        if raw is not None:
            mine = raw[raw["model"] == model]
            entry["raw_overall"] = round(100 * mine["correct"].mean(), 1) if len(mine) else None
            entry["raw_agreement"] = round(100 * mine["agrees"].mean(), 1) if len(mine) else None
        rows.append(entry)
    table = pd.DataFrame(rows)
    return table.sort_values("reprolab_overall", ascending=False, kind="stable").reset_index(
        drop=True)


def compact_leaderboard(board: pd.DataFrame) -> pd.DataFrame:
    """The leaderboard with one `overall / easy / medium / hard` string per grade."""

    def joined(prefix: str) -> list[str]:
        rows = board[[f"{prefix}_{split}" for split in SPLITS]].to_numpy(dtype=float)
        return ["—" if pd.isna(r[0]) else " / ".join(f"{v:.1f}" for v in r) for r in rows]

    return pd.DataFrame({
        "model": board["model"],
        "published (O/E/M/H)": joined("paper"),
        "authors' grade rebuilt": joined("authors"),
        "reprolab grade": joined("reprolab"),
        "reprolab 95% CI": board["reprolab_ci"],
        "raw re-extraction": board["raw_overall"],
    })
