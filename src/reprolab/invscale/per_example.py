"""A ladder run's per-example files: one pair per (task, model), written as each finishes.

`<task>/<model>.csv` has the organisers' columns (`index` and `OFFICIAL_COLUMNS`);
`<task>/<model>.jsonl` has every column (per-class log-probs, predictions, samples) and is
written last, so its presence marks a finished pair. Reading one back checks it against the
run's task: one row per example in order and the columns the analysis needs; anything else is a
`UserError` naming the file (and the line).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd

from reprolab.core.errors import UserError
from reprolab.core.records import RunRecord
from reprolab.invscale.metrics import OFFICIAL_COLUMNS, TREND_METRICS
from reprolab.invscale.tasks import LoadedTask


def slug(name: str) -> str:
    """A file-name-safe form of a task or model name, hub id or path."""
    return re.sub(r"[^\w.-]+", "_", name.strip("/")).strip("_") or "_"


def stem(task: str, model: str) -> str:
    """`<task>/<model>` as file-safe names, the per-example files' path without suffix."""
    return f"{slug(task)}/{slug(model)}"


def write_per_example(record: RunRecord, task: LoadedTask, model: str,
                      frame: pd.DataFrame) -> Path:
    """Write the official CSV, then the JSON lines (atomically each); return the JSONL path."""
    name = stem(task.name, model)
    record.write_table(f"{name}.csv", frame[["index", *OFFICIAL_COLUMNS[task.task_type]]])
    return record.write_jsonl(f"{name}.jsonl", frame.to_dict("records"))


def required_columns(task: LoadedTask) -> list[str]:
    """The columns a per-example file of `task` must have to be analysed."""
    trend = [metric for metric, _ in TREND_METRICS[task.task_type]]
    return list(dict.fromkeys(["index", *OFFICIAL_COLUMNS[task.task_type], *trend]))


def read_per_example(path: Path, task: LoadedTask) -> pd.DataFrame:
    """The rows of a per-example JSONL file of `task`, checked to be complete."""
    rows = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as error:
                raise UserError(f"{path}:{number}: not valid JSON ({error.msg}); delete the file "
                                "to recompute it.") from None
            missing = [c for c in required_columns(task) if c not in rows[-1]]
            if missing:
                raise UserError(f"{path}:{number}: missing {', '.join(missing)}; delete the file "
                                "to recompute it.")
    if len(rows) != len(task.examples):
        raise UserError(f"{path} holds {len(rows)} rows, not the {len(task.examples)} examples of "
                        f"{task.name} in this run's settings; delete the file to recompute it.")
    if [row["index"] for row in rows] != list(range(len(rows))):
        raise UserError(f"{path}: rows are not indexed 0..{len(rows) - 1} in order; delete the "
                        "file to recompute it.")
    return pd.DataFrame(rows)
