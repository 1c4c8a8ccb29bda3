"""Evaluate a multimodal model on REBUS through a chat backend.

`run_eval` builds one request per puzzle (image + category, `prompts`), sends them through
`reprolab.lm.backends` (which caches every answer, so an interrupted run resumes without new
calls), extracts and grades each final answer, and returns one record per puzzle. A failed call
is a wrong answer whose `error` is kept; nothing is dropped. The full response text (the
model's reasoning) is stored with each record.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from reprolab.lm.backends import ChatBackend, open_backend
from reprolab.lm.requests import ChatResponse
from reprolab.rebus.dataset import Puzzle
from reprolab.rebus.extraction import extract_answer
from reprolab.rebus.grading import grade_answer
from reprolab.rebus.prompts import PROMPTS, resolve_prompt


@dataclass(frozen=True)
class EvalConfig:
    """Settings of one evaluation run."""

    model: str = field(metadata={"help": "backend spec: openai/gpt-4o, anthropic/..., hf/PATH"})
    prompt: str = field(default="auto", metadata={
        "help": f"prompt variant: auto or one of {', '.join(PROMPTS)}"})
    limit: int | None = field(default=None, metadata={"help": "first N puzzles only"})
    max_tokens: int = field(default=2000, metadata={"help": "response token limit (paper: 2000)"})
    temperature: float = field(default=0.0, metadata={"help": "sampling temperature"})
    seed: int = field(default=0, metadata={"help": "request seed (sampling backends)"})
    fallbacks: bool = field(default=True, metadata={
        "help": "use extraction fallbacks when a response has no {{{answer}}}"})
    concurrency: int = field(default=4, metadata={"help": "calls in flight / local batch size"})
    max_retries: int = field(default=6, metadata={"help": "retries per failed call"})
    base_url: str | None = field(default=None, metadata={"help": "server URL (compatible APIs)"})
    cache_path: Path | None = field(default=None, metadata={"help": "response cache file"})
    device: str = field(default="auto", metadata={"help": "torch device for hf/ models"})

    def __post_init__(self) -> None:
        if "/" not in self.model:
            raise ValueError(f"--model {self.model!r} should read PROVIDER/MODEL, "
                             "e.g. openai/gpt-4o or hf/path/to/model.")
        resolve_prompt(self.prompt, self.model)  # unknown names fail here, with suggestions
        if self.limit is not None and self.limit < 1:
            raise ValueError(f"--limit must be at least 1, got {self.limit}.")
        if self.max_tokens < 1:
            raise ValueError(f"--max-tokens must be at least 1, got {self.max_tokens}.")
        if self.temperature < 0:
            raise ValueError(f"--temperature must be >= 0, got {self.temperature}.")

    def open(self) -> ChatBackend:
        return open_backend(self.model, base_url=self.base_url, cache_path=self.cache_path,
                            max_retries=self.max_retries, concurrency=self.concurrency,
                            device=self.device)


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
) -> pd.DataFrame:
    """Ask the model every puzzle (the first `config.limit`); one graded record per puzzle.

    Every image is read before the first call, so a missing or unreadable file stops the run
    (`RebusDataError` naming it) before anything is spent.
    """
    chosen = list(puzzles[: config.limit] if config.limit else puzzles)
    variant = resolve_prompt(config.prompt, config.model)
    owned = backend is None
    backend = backend or config.open()
    try:
        requests = [
            backend.request(variant.messages(p), max_tokens=config.max_tokens,
                            temperature=config.temperature, seed=config.seed)
            for p in chosen
        ]
        responses = backend.complete(requests, description="rebus")
    finally:
        if owned:
            backend.close()
    return pd.DataFrame([_record(config, variant.name, p, r)
                         for p, r in zip(chosen, responses, strict=True)])
