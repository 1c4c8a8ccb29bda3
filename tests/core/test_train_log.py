"""The per-step metrics log: appends, survives a torn last line, cuts back on resume."""

from __future__ import annotations

import pytest

from reprolab.core.errors import UserError
from reprolab.core.train_log import TrainLog


def test_append_read_and_resume(tmp_path):
    log = TrainLog(tmp_path / "log" / "train.jsonl")
    assert log.rows() == [] and log.last_step() is None
    for step in (10, 20, 30):
        log.append(step, {"loss": step / 10, "acc": float("nan")})
    assert [r["loss"] for r in log.rows()] == [1.0, 2.0, 3.0]
    assert log.rows()[0]["acc"] is None
    assert log.resume(20) == [{"step": 10, "loss": 1.0, "acc": None},
                              {"step": 20, "loss": 2.0, "acc": None}]
    log.append(30, {"loss": 9.0})
    assert [r["loss"] for r in TrainLog(log.path).rows()] == [1.0, 2.0, 9.0]


def test_torn_last_line_is_dropped_and_broken_middle_line_is_named(tmp_path):
    path = tmp_path / "train.jsonl"
    path.write_text('{"step": 1, "loss": 0.5}\n{"step": 2, "lo')
    assert TrainLog(path).last_step() == 1
    path.write_text('{"step": 1}\ngarbage\n{"step": 3}\n')
    with pytest.raises(UserError, match=r"train\.jsonl:2 is not a JSON line"):
        TrainLog(path).rows()
