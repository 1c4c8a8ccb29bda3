"""Per-step training metrics as JSON lines, appended as training goes and cut back on resume.

One line per logged step: `{"step": 120, "loss": 0.31, ...}`. A crash can leave the last line
torn; reading drops it. After resuming from a checkpoint at step S, `resume(S)` drops the lines
logged after S, so the log never holds two histories.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path

from reprolab.core.errors import UserError
from reprolab.core.records import append_jsonl, read_jsonl, write_jsonl


class TrainLog:
    """The metrics log at `path` (created on the first `append`). A run that restarts calls
    `resume(step)` before appending, which also clears a torn last line."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def rows(self) -> list[dict]:
        """Every logged row, in order; a torn last line is ignored, a broken earlier one is a
        `UserError` naming the 1-based line."""
        rows = read_jsonl(self.path)
        for number, row in enumerate(rows, start=1):
            if not isinstance(row, dict) or "step" not in row:
                raise UserError(f"{self.path}:{number} has no step.")
        return rows

    def last_step(self) -> int | None:
        """The step of the last logged row, or None for an empty log."""
        rows = self.rows()
        return rows[-1]["step"] if rows else None

    def append(self, step: int, metrics: Mapping[str, float]) -> None:
        """Log `metrics` at `step` (one line, flushed to disk). Non-finite values become null."""
        row = {"step": step, **{k: (float(v) if math.isfinite(v) else None)
                                for k, v in metrics.items()}}
        append_jsonl(self.path, [row])

    def resume(self, step: int) -> list[dict]:
        """Keep only the rows up to `step` (the checkpoint training resumes from), rewritten
        atomically, and return them."""
        rows = [row for row in self.rows() if row["step"] <= step]
        if self.path.is_file():
            write_jsonl(self.path, rows)
        return rows
