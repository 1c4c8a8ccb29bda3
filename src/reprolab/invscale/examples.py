"""Example types of the four Inverse Scaling Prize task formats, and parsing of data rows.

A prize dataset is a table with one example per row (JSON lines for the winners, CSV for the
organisers' pilot tasks). Its columns fix the task type (McKenzie et al. 2023, section 2):

- classification: `prompt`, `classes` (a string holding a Python list such as
  `"[' Yes', ' No']"`), `answer_index`;
- sequence_prob: `prompt`, `completion`;
- logodds / absolute_logodds: `prompt`, `other_prompt`, `classes`, `answer_index`;
- numeric: `prompt`, `true_answer`, `anchor`.

`classes` is parsed with `ast.literal_eval` (literals only, never `eval`) and checked to be a list
of at least two strings.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, get_args

from reprolab.core.errors import UserError

TaskType = Literal["classification", "sequence_prob", "logodds", "absolute_logodds", "numeric"]
TASK_TYPES: tuple[str, ...] = get_args(TaskType)

# Column names used by the organisers' earlier pilot files, mapped to the final names.
COLUMN_ALIASES = {
    "filled_template": "prompt",
    "answer_ix": "answer_index",
    "possible_answers": "classes",
    "biased_prompt": "other_prompt",
}
# Task-type names written in the organisers' run settings (`args.log`), mapped to ours.
TASK_TYPE_ALIASES = {
    "classification_acc": "classification",
    "classification_loss": "classification",
    "sequence-probability": "sequence_prob",
    "single_word": "sequence_prob",
    "lambada": "sequence_prob",
    "QA": "logodds",
}


class TaskDataError(UserError, ValueError):
    """A data row cannot be read as an example; the message names the row and the problem."""


@dataclass(frozen=True)
class ClassificationExample:
    """Pick one of `classes` (each a continuation of `prompt`); `answer_index` is correct."""

    prompt: str
    classes: tuple[str, ...]
    answer_index: int

    def __post_init__(self) -> None:
        if len(self.classes) < 2:
            raise TaskDataError(f"needs at least two classes, got {list(self.classes)}")
        if not 0 <= self.answer_index < len(self.classes):
            raise TaskDataError(
                f"answer_index {self.answer_index} outside 0..{len(self.classes) - 1}")


@dataclass(frozen=True)
class SequenceProbExample:
    """Score log P(`completion` | `prompt`); a higher probability is the unwanted behaviour."""

    prompt: str
    completion: str


@dataclass(frozen=True)
class LogoddsExample:
    """Compare the log-odds of two classes after `prompt` and after `other_prompt`."""

    prompt: str
    other_prompt: str
    classes: tuple[str, ...]
    answer_index: int

    def __post_init__(self) -> None:
        if len(self.classes) != 2:
            raise TaskDataError(f"logodds needs exactly two classes, got {list(self.classes)}")
        if self.answer_index not in (0, 1):
            raise TaskDataError(f"answer_index must be 0 or 1, got {self.answer_index}")


@dataclass(frozen=True)
class NumericExample:
    """Sample numbers after `prompt`; compare their mean with `true_answer` (and `anchor`)."""

    prompt: str
    true_answer: float
    anchor: float


Example = ClassificationExample | SequenceProbExample | LogoddsExample | NumericExample


def parse_classes(value: Any) -> tuple[str, ...]:
    """The class strings of a row: a list, or a string holding a Python list literal."""
    if isinstance(value, str):
        try:
            value = ast.literal_eval(value)
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            raise TaskDataError(f"classes is not a Python list literal: {value[:80]!r}") from None
    if not isinstance(value, list | tuple) or not all(isinstance(c, str) for c in value):
        raise TaskDataError(f"classes must be a list of strings, got {value!r:.80}")
    if len(value) < 2:
        raise TaskDataError(f"classes must hold at least two strings, got {list(value)}")
    return tuple(value)


def normalise_task_type(name: str) -> TaskType:
    """Map the organisers' task-type names (`classification_acc`, `QA`, ...) to ours."""
    name = TASK_TYPE_ALIASES.get(name, name)
    if name not in TASK_TYPES:
        raise TaskDataError(f"unknown task type {name!r}; known: {', '.join(TASK_TYPES)}")
    return name  # type: ignore[return-value]


def canonical_columns(row: Mapping[str, Any]) -> dict[str, Any]:
    """The row with old pilot column names renamed to the final ones."""
    return {COLUMN_ALIASES.get(key, key): value for key, value in row.items()}


def infer_task_type(columns: Iterable[str]) -> TaskType:
    """The task type implied by a table's column names (after `canonical_columns`)."""
    names = {COLUMN_ALIASES.get(c, c) for c in columns}
    if "completion" in names:
        return "sequence_prob"
    if "other_prompt" in names:
        return "logodds"
    if "true_answer" in names:
        return "numeric"
    if "classes" in names:
        return "classification"
    raise TaskDataError(
        f"cannot tell the task type from columns {sorted(names)}: expected `classes`, "
        "`completion`, `other_prompt` or `true_answer`")


def _index(value: Any) -> int:
    """An integer from an int, an integral float, or their text (`"2"`, `"2.0"` from a CSV)."""
    try:
        number = float(value) if isinstance(value, str) else value
    except ValueError:
        number = None
    if isinstance(number, bool) or not isinstance(number, int | float) or not (
            math.isfinite(number) and float(number).is_integer()):
        raise TaskDataError(f"answer_index must be an integer, got {value!r}")
    return int(number)


def _number(value: Any, name: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise TaskDataError(f"{name} must be a number, got {value!r}") from None
    if not math.isfinite(number):
        raise TaskDataError(f"{name} must be finite, got {value!r}")
    return number


def example_from_row(row: Mapping[str, Any], task_type: TaskType) -> Example:
    """Build the example of `task_type` from one data row (old column names accepted)."""
    row = canonical_columns(row)
    try:
        if task_type == "classification":
            return ClassificationExample(
                str(row["prompt"]), parse_classes(row["classes"]), _index(row["answer_index"]))
        if task_type == "sequence_prob":
            return SequenceProbExample(str(row["prompt"]), str(row["completion"]))
        if task_type in ("logodds", "absolute_logodds"):
            return LogoddsExample(str(row["prompt"]), str(row["other_prompt"]),
                                  parse_classes(row["classes"]), _index(row["answer_index"]))
        return NumericExample(str(row["prompt"]), _number(row["true_answer"], "true_answer"),
                              _number(row["anchor"], "anchor"))
    except KeyError as error:
        raise TaskDataError(f"missing column {error.args[0]!r} for a {task_type} task") from None


def examples_from_rows(rows: Iterable[tuple[str, Mapping[str, Any]]], task_type: TaskType
                       ) -> list[Example]:
    """Parse `(where, row)` pairs; an error starts with the failing row's `where` (its file and
    1-based line)."""
    examples = []
    for where, row in rows:
        try:
            examples.append(example_from_row(row, task_type))
        except TaskDataError as error:
            raise TaskDataError(f"{where}: {error}") from None
    return examples
