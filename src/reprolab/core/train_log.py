"""Per-step training metrics as JSON lines, appended as training goes and cut back on resume.

One line per logged step: `{"step": 120, "loss": 0.31, ...}`. A crash can leave the last line
torn; reading drops it. After resuming from a checkpoint at step S, `resume(S)` drops the lines
logged after S, so the log never holds two histories.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping
from pathlib import Path

from reprolab.core.errors import UserError


class TrainLog:
    """The metrics log at `path` (created on the first `append`). A run that restarts calls
    `resume(step)` before appending, which also clears a torn last line."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def rows(self) -> list[dict]:
        """Every logged row, in order; a torn last line is ignored, a broken earlier one is a
        `UserError` naming the 1-based line."""
        if not self.path.is_file():
            return []
        lines = self.path.read_text().splitlines()
        rows = []
        for number, line in enumerate(lines, start=1):
            try:
                row = json.loads(line)
            except json.JSONDecodeError:
                if number == len(lines):
                    break
                raise UserError(f"{self.path}:{number} is not a JSON line: delete the log or "
                                "the run folder to start again.") from None
            if not isinstance(row, dict) or "step" not in row:
                raise UserError(f"{self.path}:{number} has no step.")
            rows.append(row)
        return rows

    def last_step(self) -> int | None:
        """The step of the last logged row, or None for an empty log."""
        rows = self.rows()
        return rows[-1]["step"] if rows else None

    def append(self, step: int, metrics: Mapping[str, float]) -> None:
        """Log `metrics` at `step` (one line, flushed to disk). Non-finite values become null."""
        row = {"step": step, **{k: (float(v) if math.isfinite(v) else None)
                                for k, v in metrics.items()}}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a") as handle:
            handle.write(json.dumps(row) + "\n")
            handle.flush()
            os.fsync(handle.fileno())

    def resume(self, step: int) -> list[dict]:
        """Keep only the rows up to `step` (the checkpoint training resumes from), rewritten
        atomically, and return them."""
        rows = [row for row in self.rows() if row["step"] <= step]
        if self.path.is_file():
            partial = self.path.with_name(self.path.name + ".part")
            partial.write_text("".join(json.dumps(row) + "\n" for row in rows))
            os.replace(partial, self.path)
        return rows
