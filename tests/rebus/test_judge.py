from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from reprolab.rebus.config import JudgeConfig
from reprolab.rebus.data.dataset import load_local
from reprolab.rebus.scoring.judge import faithfulness_table, judge_answers, judge_explanations
from tests.helpers.fake_chat_server import Call, FakeChatServer, set_fake_keys
from tests.rebus.conftest import image_bytes


def judge_reply(call: Call) -> str:
    """YES for answers naming Lomé, and for reasoning that explains the 'Lo + me' parts."""
    if "Reasoning:" in call.prompt:
        assert call.images == [image_bytes("PNG")] or len(call.images) == 1
        return "It reads Lo and me. {{{YES}}}" if "Lo + me" in call.prompt else "{{{NO}}}"
    if "garbled" in call.prompt:
        return "I am not sure."
    return "{{{YES}}}" if '"Lomé"' in call.prompt or '"Lome"' in call.prompt else "{{{NO}}}"


@pytest.fixture
def records() -> pd.DataFrame:
    return pd.DataFrame({
        "model": ["A", "A", "B", "B"],
        "puzzle": ["0001", "0002", "0001", "0003"],
        "answer": ["Lomé", None, "Lome", "garbled"],
        "correct": [True, False, True, False],
        "response": ["Lo + me gives {{{Lomé}}}", "no idea", "{{{Lome}}}", "{{{garbled}}}"],
    })


def test_answer_judge_is_a_separate_column(rebus_folder: Path, tmp_path: Path,
                                           records: pd.DataFrame,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    set_fake_keys(monkeypatch)
    puzzles = load_local(rebus_folder)
    with FakeChatServer(judge_reply) as server:
        judged = judge_answers(records, puzzles, JudgeConfig(judge="openai/gpt-4o"),
                               server.backend("openai", tmp_path / "c.sqlite"))
    assert len(server.calls) == 3  # the row without an answer is not sent
    assert judged["judge_correct"].tolist() == [True, None, True, None]
    assert "no {{{YES}}}" in judged.loc[3, "judge_error"]
    assert judged["correct"].tolist() == records["correct"].tolist()  # official grade untouched


def test_explanation_judge_and_faithful_share(rebus_folder: Path, tmp_path: Path,
                                              records: pd.DataFrame,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    set_fake_keys(monkeypatch)
    puzzles = load_local(rebus_folder)
    with FakeChatServer(judge_reply) as server:
        judged = judge_explanations(records, puzzles, JudgeConfig(judge="anthropic/claude"),
                                    server.backend("anthropic", tmp_path / "c.sqlite"))
    assert len(server.calls) == 2 and all(len(c.images) == 1 for c in server.calls)
    assert judged["faithful"].tolist() == [True, None, False, None]
    table = faithfulness_table(judged).set_index("model")
    assert table.loc["A", ["correct", "judged", "faithful", "faithful_share"]].tolist() == [
        1, 1, 1, 100.0]
    assert table.loc["B", "faithful_share"] == 0.0


def test_failed_judge_calls_leave_the_verdict_empty(rebus_folder: Path, tmp_path: Path,
                                                    records: pd.DataFrame,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    set_fake_keys(monkeypatch)
    with FakeChatServer(judge_reply) as server:
        server.fail_next(401)
        judged = judge_explanations(records.iloc[:1], load_local(rebus_folder),
                                    JudgeConfig(judge="openai/gpt-4o"),
                                    server.backend("openai", tmp_path / "c.sqlite"))
    assert judged["faithful"].tolist() == [None]
    assert "401" in judged.loc[0, "judge_error"] or "auth" in judged.loc[0, "judge_error"].lower()
    assert faithfulness_table(judged)["judged"].tolist() == [0]
