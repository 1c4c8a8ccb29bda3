"""The 11 winning tasks of the Inverse Scaling Prize, and loading any prize-format task.

A task is named by its winner name (`memo-trap`), as `pilot:NAME` for one of the organisers' pilot
datasets (`pilot/data/NAME.csv`), or by the path of a local JSONL/CSV file in the prize format.
Winner files are read from `<data root>/inverse-scaling/prize/` and checked against the official
sha256 manifest; when absent they are read from the Hugging Face Hub copy
(`pminervini/inverse-scaling`, one config per task), which has no official hash. Each row keeps
where it was read (`path:line`, 1-based), so a row that cannot be read is named in the error.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TextIO

from reprolab.core.data import (
    ENV_VAR,
    ChecksumError,
    MissingDataError,
    dataset_dir,
    sha256_file,
)
from reprolab.core.datasets import DATASETS
from reprolab.core.errors import UserError
from reprolab.core.network import go_offline, offline
from reprolab.core.registry import Registry
from reprolab.invscale.examples import (
    Example,
    TaskDataError,
    TaskType,
    examples_from_rows,
    infer_task_type,
)

DATASET = "inverse-scaling"
HUB_DATASET = "pminervini/inverse-scaling"
HUB_SPLIT = "data"
PILOT_PREFIX = "pilot:"
Source = Literal["auto", "local", "hub"]
Row = tuple[str, Mapping[str, Any]]  # (where it was read: `path:line`, the row)

# The four causes of inverse scaling (McKenzie et al. 2023, section 3 and Table 1).
STRONG_PRIOR = "strong prior"
UNWANTED_IMITATION = "unwanted imitation"
DISTRACTOR_TASK = "distractor task"
SPURIOUS_FEW_SHOT = "spurious few-shot"


@dataclass(frozen=True)
class PrizeTask:
    """A winning task: its official file, task type and the paper's cause category.

    Every winner showed inverse scaling on the prize's evaluation ladders (GPT-3, Anthropic LM and
    others, McKenzie et al. 2023, section 3), so the paper's direction of trend is "inverse".
    """

    name: str
    file: str
    task_type: TaskType
    cause: str
    description: str
    paper_trend: str = "inverse"

    @property
    def hub_config(self) -> str:
        return self.name


PRIZE_TASKS: Registry[PrizeTask] = Registry("inverse scaling task")
for _task in (
    PrizeTask("resisting-correction", "resisting-correction_classification.jsonl",
              "classification", STRONG_PRIOR,
              "repeat a famous quote exactly when asked to, despite a deliberate change"),
    PrizeTask("memo-trap", "memo-trap_classification.jsonl", "classification", STRONG_PRIOR,
              "end a famous phrase with the word asked for, not the memorised ending"),
    PrizeTask("redefine", "redefine_classification.jsonl", "classification", STRONG_PRIOR,
              "answer with a redefined meaning of a symbol or word"),
    PrizeTask("prompt-injection", "prompt-injection_sequence-probability.jsonl",
              "sequence_prob", STRONG_PRIOR,
              "ignore instructions injected into the text to be processed"),
    PrizeTask("modus-tollens", "modus-tollens_classification.jsonl", "classification",
              UNWANTED_IMITATION, "judge modus tollens arguments valid"),
    PrizeTask("pattern-matching-suppression", "pattern-matching-suppression_classification.jsonl",
              "classification", DISTRACTOR_TASK,
              "break a repeating pattern when told to"),
    PrizeTask("into-the-unknown", "into-the-unknown_classification.jsonl", "classification",
              DISTRACTOR_TASK, "pick the information that is new, not already known"),
    PrizeTask("neqa", "neqa_classification.jsonl", "classification", DISTRACTOR_TASK,
              "answer negated multiple-choice questions"),
    PrizeTask("sig-figs", "sig-figs_classification.jsonl", "classification", DISTRACTOR_TASK,
              "round to significant figures, not decimal places"),
    PrizeTask("hindsight-neglect", "hindsight-neglect_classification.jsonl", "classification",
              SPURIOUS_FEW_SHOT, "judge bets by expected value, not by outcome"),
    PrizeTask("repetitive-algebra", "repetitive-algebra_classification.jsonl", "classification",
              SPURIOUS_FEW_SHOT, "solve algebra after few-shot examples with a repeated answer"),
):
    PRIZE_TASKS.register(_task.name, _task)


@dataclass(frozen=True)
class LoadedTask:
    """A task's examples and where they came from; `sha256` is set when verified."""

    name: str
    task_type: TaskType
    examples: list[Example]
    source: str
    sha256: str | None = None
    prize_task: PrizeTask | None = None

    @property
    def random_chance(self) -> float | None:
        """Mean chance accuracy 1/len(classes) over items (None for other task types)."""
        sizes = [len(e.classes) for e in self.examples if hasattr(e, "classes")]
        if not sizes or self.task_type not in ("classification", "logodds", "absolute_logodds"):
            return None
        return sum(1 / n for n in sizes) / len(sizes)


def _csv_rows(path: Path, handle: TextIO) -> list[Row]:
    """Rows of a CSV, without an unnamed index column; a quoted cell may span lines."""
    reader = csv.DictReader(handle)
    header = [name for name in reader.fieldnames or [] if name and not name.startswith("Unnamed:")]
    rows, line = [], 2  # a record starts on the line after the previous one ends
    for record in reader:
        where, line = f"{path}:{line}", reader.line_num + 1
        if None in record or None in record.values():
            raise TaskDataError(f"{where}: the number of fields differs from the header's "
                                f"({len(reader.fieldnames or [])})")
        rows.append((where, {name: record[name] for name in header}))
    return rows


def _jsonl_rows(path: Path, handle: TextIO) -> list[Row]:
    rows = []
    for number, line in enumerate(handle, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as error:
            raise TaskDataError(f"{path}:{number}: not valid JSON ({error.msg})") from None
        if not isinstance(row, dict):
            raise TaskDataError(f"{path}:{number}: a row must be a JSON object")
        rows.append((f"{path}:{number}", row))
    return rows


def read_rows(path: Path) -> list[Row]:
    """`(where, row)` pairs of a JSON-lines file, or of a CSV (the pilot format, with or without
    an index column); `where` is `<path>:<1-based line>`. A CSV's cells are strings."""
    try:
        with path.open(encoding="utf-8", newline="" if path.suffix == ".csv" else None) as handle:
            return _csv_rows(path, handle) if path.suffix == ".csv" else _jsonl_rows(path, handle)
    except UnicodeDecodeError:
        raise TaskDataError(f"{path} is not UTF-8 text.") from None
    except csv.Error as error:
        raise TaskDataError(f"{path}: not a readable CSV ({error}).") from None


def official_sha256(prize_task: PrizeTask) -> str:
    """The official sha256 of a winner's JSONL file (from the dataset manifest)."""
    return DATASETS[DATASET].manifest()[f"prize/{prize_task.file}"]


def verify_file(path: Path, expected: str) -> str:
    """Raise `ChecksumError` unless `path` has sha256 `expected`; return the digest."""
    digest = sha256_file(path)
    if digest != expected:
        raise ChecksumError(
            f"{path} does not match the official release (sha256 {digest[:12]}... != "
            f"{expected[:12]}...): delete it and run `reprolab data fetch {DATASET} --force`.")
    return digest


def _from_hub(prize_task: PrizeTask) -> list[Row]:
    import datasets

    if offline():
        go_offline()  # a cached copy still loads; a missing one fails at once
    try:
        table = datasets.load_dataset(HUB_DATASET, prize_task.hub_config, split=HUB_SPLIT)
    except Exception as error:  # offline, renamed or missing: one line for the user
        raise MissingDataError(
            f"Task {prize_task.name!r} is not in {dataset_dir(DATASET, must_exist=False)}/prize "
            f"and the Hub copy ({HUB_DATASET}) could not be read ({type(error).__name__}): run "
            f"`reprolab data fetch {DATASET}` or set {ENV_VAR}.") from None
    return [(f"hf://{HUB_DATASET}/{prize_task.name} row {number}", row)
            for number, row in enumerate(table, start=1)]


def _limited(rows: list[Any], limit: int | None) -> list[Any]:
    assert limit is None or limit >= 0, f"limit must be >= 0, got {limit}"
    return rows if limit is None else rows[:limit]


def load_prize_task(name: str, *, limit: int | None = None, source: Source = "auto",
                    task_type: TaskType | None = None) -> LoadedTask:
    """Load winner `name`: local official file (sha256-verified) first, else the Hub copy.
    A `task_type` other than the winner's raises `UserError` (it would be ignored)."""
    prize_task = PRIZE_TASKS[name]
    if task_type is not None and task_type != prize_task.task_type:
        raise UserError(f"--task-type {task_type} does not apply to {name}, a "
                        f"{prize_task.task_type} task: it is only for task files.")
    path = dataset_dir(DATASET, must_exist=False) / "prize" / prize_task.file
    if source != "hub" and path.exists():
        digest = verify_file(path, official_sha256(prize_task))
        rows, origin = read_rows(path), str(path)
    elif source == "local":
        raise MissingDataError(
            f"{path} is missing: run `reprolab data fetch {DATASET}` or set {ENV_VAR}.")
    else:
        rows, origin, digest = _from_hub(prize_task), f"hf://{HUB_DATASET}/{name}", None
    examples = examples_from_rows(_limited(rows, limit), prize_task.task_type)
    return LoadedTask(name, prize_task.task_type, examples, origin, digest, prize_task)


def load_file_task(path: Path, *, limit: int | None = None,
                   task_type: TaskType | None = None) -> LoadedTask:
    """Load a prize-format JSONL or pilot CSV file; the type is inferred from its columns."""
    if not path.exists():
        raise MissingDataError(f"Task file {path} does not exist.")
    rows = read_rows(path)
    if not rows:
        raise TaskDataError(f"{path} holds no examples.")
    where, first = rows[0]
    try:
        kind = task_type or infer_task_type(first)
    except TaskDataError as error:
        raise TaskDataError(f"{where}: {error}") from None
    examples = examples_from_rows(_limited(rows, limit), kind)
    return LoadedTask(path.stem, kind, examples, str(path), sha256_file(path))


def load_task(name: str, *, limit: int | None = None, source: Source = "auto",
              task_type: TaskType | None = None) -> LoadedTask:
    """Load a task by winner name, `pilot:NAME`, or file path (see the module docstring)."""
    if name.startswith(PILOT_PREFIX):
        pilot = name.removeprefix(PILOT_PREFIX)
        path = dataset_dir(DATASET) / "pilot" / "data" / f"{pilot}.csv"
        loaded = load_file_task(path, limit=limit, task_type=task_type)
        return LoadedTask(name, loaded.task_type, loaded.examples, loaded.source, loaded.sha256)
    path = Path(name).expanduser()
    if name not in PRIZE_TASKS and (path.suffix in (".jsonl", ".csv") or path.exists()):
        return load_file_task(path, limit=limit, task_type=task_type)
    return load_prize_task(name, limit=limit, source=source,  # unknown: "did you mean ..."
                           task_type=task_type)
