"""The authors' released results: `eval_results.csv` and `model_outputs/*.txt`.

`eval_results.csv` holds, for each puzzle, the final answer each model (and a human solver) gave,
as extracted by the authors: `[[NONE]]` means no answer and a `[COUNT]` tag marks an answer the
authors graded correct by hand. `model_outputs/<model>_output.txt` holds the full responses as
blocks of an image-URL line followed by the response. A few files hold reruns of some puzzles;
the first block is the one the released answers were taken from, later ones are kept as reruns.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from reprolab.core.data import MissingDataError
from reprolab.rebus.data.dataset import read_csv_rows
from reprolab.rebus.scoring.extraction import NO_ANSWER

COUNT_TAG = "[COUNT]"
HUMAN = "Human"
META_COLUMNS = ("Filename", "Theme", "Difficulty", "Solution")
# eval_results.csv column -> raw-output file in model_outputs/ (Gemini Ultra 1.0 has none).
OUTPUT_FILES: dict[str, str] = {
    "LLaVa-1.5-7B": "llava_7b_output.txt",
    "LLaVa-1.5-13B": "llava_13b_output.txt",
    "LLaVa-1.6-34B": "llava_34b_output.txt",
    "GPT-4V": "gpt4v_output.txt",
    "Gemini Pro 1.0": "gemini_output.txt",
    "CogVLM": "cogvlm_output.txt",
    "BLIP2-FLAN-T5-XXL": "blip2-flan-t5-xxl-output.txt",
    "InstructBLIP": "instructblip_output.txt",
    "QWEN": "qwen_output.txt",
    "Claude 3 Haiku": "claude_haiku_output.txt",
    "Claude 3 Opus": "claude_opus_output.txt",
    "Claude 3 Sonnet": "claude_sonnet_output.txt",
    "Reka Core": "reka_output.txt",
    "Gemini Pro 1.5": "gemini_1.5_output.txt",
    "GPT-4o": "gpt4o_output.txt",
    "Gemini Flash 1.5": "gemini_1.5_flash_output.txt",
}
_BLOCK_START = re.compile(r"^\S*/images/(\d{4})\.\w+[ \t]*$", re.MULTILINE)


@dataclass(frozen=True)
class ReleasedAnswer:
    """One cell of `eval_results.csv`: `answer` is None for `[[NONE]]` or an empty cell and
    `hand_tagged` is True when the authors marked the answer `[COUNT]`."""

    model: str
    puzzle_id: str
    cell: str
    answer: str | None
    hand_tagged: bool

    @classmethod
    def parse(cls, model: str, puzzle_id: str, cell: str) -> ReleasedAnswer:
        text = cell.replace(COUNT_TAG, "").strip()
        answer = None if text in ("", NO_ANSWER) else text
        return cls(model, puzzle_id, cell, answer, COUNT_TAG in cell)


@dataclass(frozen=True)
class ReleasedResults:
    """`eval_results.csv`: answers by model then puzzle id, plus its own metadata columns."""

    models: tuple[str, ...]
    answers: dict[str, dict[str, ReleasedAnswer]]
    solutions: dict[str, str]
    difficulties: dict[str, str]

    @property
    def puzzle_ids(self) -> list[str]:
        return list(self.solutions)


def load_released(folder: Path) -> ReleasedResults:
    """Read `<folder>/eval_results.csv`."""
    path = folder / "eval_results.csv"
    if not path.exists():
        raise MissingDataError(f"{path} not found: run `reprolab data fetch rebus`.")
    rows = read_csv_rows(path)
    if not rows or any(c not in rows[0] for c in META_COLUMNS):
        raise MissingDataError(f"{path} lacks the columns {META_COLUMNS}; is it REBUS data?")
    models = tuple(c for c in rows[0] if c not in META_COLUMNS)
    ids = [Path(r["Filename"]).stem for r in rows]
    pairs = list(zip(ids, rows, strict=True))
    answers = {m: {pid: ReleasedAnswer.parse(m, pid, r[m] or "") for pid, r in pairs}
               for m in models}
    return ReleasedResults(
        models=models,
        answers=answers,
        solutions={pid: r["Solution"].strip() for pid, r in pairs},
        difficulties={pid: r["Difficulty"].strip() for pid, r in pairs},
    )


@dataclass(frozen=True)
class RawOutputs:
    """One model's responses: the first block per puzzle, and any later reruns."""

    model: str
    first: dict[str, str]
    reruns: dict[str, tuple[str, ...]]


def parse_model_outputs(text: str, model: str) -> RawOutputs:
    """Split a `model_outputs` file into responses keyed by puzzle id."""
    starts = list(_BLOCK_START.finditer(text))
    first: dict[str, str] = {}
    reruns: dict[str, list[str]] = {}
    for index, match in enumerate(starts):
        end = starts[index + 1].start() if index + 1 < len(starts) else len(text)
        response = text[match.end():end].strip()
        pid = match.group(1)
        if pid in first:
            reruns.setdefault(pid, []).append(response)
        else:
            first[pid] = response
    return RawOutputs(model, first, {k: tuple(v) for k, v in reruns.items()})


def load_raw_outputs(folder: Path, files: dict[str, str] | None = None) -> dict[str, RawOutputs]:
    """Every model's raw outputs under `<folder>/model_outputs` (files that exist)."""
    outputs = {}
    for model, name in (files or OUTPUT_FILES).items():
        path = folder / "model_outputs" / name
        if path.exists():
            outputs[model] = parse_model_outputs(path.read_text(encoding="utf-8"), model)
    if not outputs:
        raise MissingDataError(f"No model outputs in {folder / 'model_outputs'}: run "
                               "`reprolab data fetch rebus`.")
    return outputs
