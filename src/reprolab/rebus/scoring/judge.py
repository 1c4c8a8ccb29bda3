"""Optional LLM judges: diagnostics that never change the official (mechanical) score.

* `judge_answers` asks whether each answer names the solution, allowing other spellings and
  names (a second opinion beside the exact grade and the fuzzy similarity): `judge_correct`.
* `judge_explanations` asks, for each correct answer, whether the model's reasoning accounts
  for every element of the puzzle (the paper's faithfulness analysis, Sec. 4): `faithful`.
  `faithfulness_table` gives the share of faithful explanations per model.

Judges reply `{{{YES}}}` or `{{{NO}}}`; anything else, or a failed call, leaves the verdict
empty (None) with the reason in `judge_error`.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from reprolab.lm.backends import ChatBackend
from reprolab.lm.requests import ChatMessage, ChatResponse, ImagePart
from reprolab.rebus.config import JudgeConfig
from reprolab.rebus.data.dataset import Puzzle
from reprolab.rebus.scoring.extraction import extract_answer

ANSWER_PROMPT = (
    "A rebus puzzle in the category {theme} has the official solution \"{solution}\"{also}. "
    "A solver answered \"{answer}\". Does the answer name the same thing as the solution, "
    "allowing for other spellings, accents, spacing and other names of the same thing (but not "
    "a different or merely related thing)? Reply with {{{{{{YES}}}}}} or {{{{{{NO}}}}}}."
)
EXPLANATION_PROMPT = (
    "The image is a rebus puzzle in the category {theme}; its solution is \"{solution}\". "
    "Below is a solver's reasoning, which reached that solution. Does the reasoning correctly "
    "account for every element of the puzzle (each picture, letter, symbol and operation) and "
    "how they combine into the solution, rather than reaching the answer by a guess or by a "
    "wrong reading? Reply with {{{{{{YES}}}}}} or {{{{{{NO}}}}}} after a short justification.\n\n"
    "Reasoning:\n{reasoning}"
)


def parse_verdict(response: ChatResponse) -> tuple[bool | None, str | None]:
    """`(verdict, error)`: True for YES, False for NO, None with a reason otherwise."""
    if not response.ok:
        return None, response.error
    found = extract_answer(response.text, fallbacks=False).answer
    verdict = (found or "").strip().upper()
    if verdict in ("YES", "NO"):
        return verdict == "YES", None
    return None, f"no {{{{{{YES}}}}}} or {{{{{{NO}}}}}} verdict in: {(response.text or '')[:80]!r}"


def _ask(
    config: JudgeConfig, messages: list[tuple[ChatMessage, ...]], description: str,
    backend: ChatBackend | None,
) -> list[tuple[bool | None, str | None]]:
    owned = backend is None
    backend = backend or config.open()
    try:
        requests = [backend.request(m, max_tokens=config.max_tokens) for m in messages]
        return [parse_verdict(r) for r in backend.complete(requests, description=description)]
    finally:
        if owned:
            backend.close()


def judge_answers(
    records: pd.DataFrame, puzzles: Sequence[Puzzle], config: JudgeConfig,
    backend: ChatBackend | None = None,
) -> pd.DataFrame:
    """`records` (model, puzzle, answer) with `judge_correct` and `judge_error` added;
    rows without an answer are not sent and stay empty."""
    by_id = {p.id: p for p in puzzles}
    asked = records[records["answer"].notna()]
    messages = []
    for row in asked.itertuples():
        puzzle = by_id[row.puzzle]
        also = f" (also accepted: {', '.join(puzzle.also_accept)})" if puzzle.also_accept else ""
        text = ANSWER_PROMPT.format(theme=puzzle.theme, solution=puzzle.solution, also=also,
                                    answer=row.answer)
        messages.append((ChatMessage.user(text),))
    verdicts = _ask(config, messages, "judge answers", backend)
    return _attach(records, asked.index, verdicts, "judge_correct")


def judge_explanations(
    records: pd.DataFrame, puzzles: Sequence[Puzzle], config: JudgeConfig,
    backend: ChatBackend | None = None,
) -> pd.DataFrame:
    """`records` (model, puzzle, correct, response) with `faithful` and `judge_error` added for
    the correct answers (the judge sees the image, the solution and the full response)."""
    by_id = {p.id: p for p in puzzles}
    asked = records[records["correct"].astype(bool) & records["response"].notna()]
    messages = []
    for row in asked.itertuples():
        puzzle = by_id[row.puzzle]
        text = EXPLANATION_PROMPT.format(theme=puzzle.theme, solution=puzzle.solution,
                                         reasoning=row.response)
        messages.append((ChatMessage.user(ImagePart(puzzle.image_bytes(), puzzle.mime_type),
                                          text),))
    verdicts = _ask(config, messages, "judge explanations", backend)
    return _attach(records, asked.index, verdicts, "faithful")


def _attach(
    records: pd.DataFrame, index: pd.Index, verdicts: list[tuple[bool | None, str | None]],
    column: str,
) -> pd.DataFrame:
    """`records` with `column` and `judge_error`: the verdicts on rows `index`, None elsewhere."""
    found = dict(zip(index, verdicts, strict=True))
    out = records.copy()
    out[column] = pd.Series([found.get(i, (None, None))[0] for i in out.index], index=out.index,
                            dtype=object)
    out["judge_error"] = pd.Series([found.get(i, (None, None))[1] for i in out.index],
                                   index=out.index, dtype=object)
    return out


def faithfulness_table(judged: pd.DataFrame) -> pd.DataFrame:
    """Per model: correct answers, those judged, those faithful, and the faithful share (%)."""
    rows = []
    for model, group in judged.groupby("model", sort=False):
        correct = group[group["correct"].astype(bool)]
        judged_rows = correct[correct["faithful"].notna()]
        faithful = int(judged_rows["faithful"].astype(bool).sum())
        share = 100 * faithful / len(judged_rows) if len(judged_rows) else float("nan")
        rows.append({"model": model, "correct": len(correct), "judged": len(judged_rows),
                     "faithful": faithful, "faithful_share": share})
    return pd.DataFrame(rows)
