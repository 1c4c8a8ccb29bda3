"""Evaluate a multimodal model on REBUS through a chat backend.

`run_eval` builds one request per puzzle (image + category, `prompts`), sends them through
`reprolab.lm.backends` (which caches every answer, so an interrupted run resumes without new
calls), extracts and grades each final answer, and returns one record per puzzle. A failed call
is a wrong answer whose `error` is kept; nothing is dropped. The full response text (the
model's reasoning) is stored with each record.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd

from reprolab.lm.backends import ChatBackend
from reprolab.lm.requests import ChatResponse
from reprolab.rebus.config import EvalConfig
from reprolab.rebus.data.dataset import Puzzle
from reprolab.rebus.prompts import resolve_prompt
from reprolab.rebus.scoring.extraction import extract_answer
from reprolab.rebus.scoring.grading import grade_answer


def _record(
    config: EvalConfig, prompt: str, puzzle: Puzzle, response: ChatResponse,
) -> dict[str, Any]:
    found = extract_answer(response.text, fallbacks=config.fallbacks)
    grade = grade_answer(found.answer, puzzle.accepted)
    return {
        "model": config.model, "puzzle": puzzle.id, "prompt": prompt,
        "difficulty": puzzle.difficulty, "theme": puzzle.theme,
        "answer": found.answer, "extraction": found.method,
        "correct": grade.correct, "matched": grade.matched, "similarity": grade.similarity,
        "error": response.error, "response": response.text,
        "finish_reason": response.finish_reason, "input_tokens": response.input_tokens,
        "output_tokens": response.output_tokens, "cached": response.cached,
        "attempts": response.attempts,
    }


def run_eval(
    config: EvalConfig, puzzles: Sequence[Puzzle], backend: ChatBackend | None = None,
    on_record: Callable[[dict[str, Any]], None] | None = None,
) -> pd.DataFrame:
    """Ask the model every puzzle (the first `config.limit`); one graded record per puzzle.

    Every image is read before the first call, so a missing or unreadable file stops the run
    (`RebusDataError` naming it) before anything is spent. `on_record` gets each record as its
    answer arrives (cached ones first).
    """
    chosen = list(puzzles[: config.limit] if config.limit else puzzles)
    variant = resolve_prompt(config.prompt, config.model)
    rows: list[dict[str, Any]] = [{} for _ in chosen]

    def grade(index: int, response: ChatResponse) -> None:
        rows[index] = _record(config, variant.name, chosen[index], response)
        if on_record is not None:
            on_record(rows[index])

    owned = backend is None
    backend = backend or config.open()
    try:
        requests = [
            backend.request(variant.messages(p), max_tokens=config.max_tokens,
                            temperature=config.temperature, seed=config.seed)
            for p in chosen
        ]
        backend.complete(requests, description="rebus", on_answer=grade)
    finally:
        if owned:
            backend.close()
    return pd.DataFrame(rows)
