from __future__ import annotations

from pathlib import Path

import pytest

from reprolab.core.errors import UserError
from reprolab.rebus.config import EvalConfig
from reprolab.rebus.data.dataset import RebusDataError, load_local
from reprolab.rebus.evaluate import run_eval
from reprolab.rebus.prompts import PROMPTS, resolve_prompt
from tests.helpers.fake_chat_server import (
    EXAMPLE_MODELS,
    PROVIDERS,
    Call,
    FakeChatServer,
    ScriptedError,
    set_fake_keys,
)
from tests.rebus.conftest import image_bytes

REPLIES = {
    image_bytes("PNG"): "Lo + me gives {{{Lomé}}}",
    image_bytes("JPEG", "blue"): "A doll and a fin: {{{doll}}} ... no, {{{dolphins}}}",
}


def answer_by_image(call: Call) -> str:
    [image] = call.images
    if image not in REPLIES:
        raise ScriptedError(500, "the server is down for this one")
    return REPLIES[image]


@pytest.fixture(autouse=True)
def fake_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    set_fake_keys(monkeypatch)


@pytest.mark.parametrize("provider", PROVIDERS)
def test_eval_grades_keeps_errors_and_resumes(provider: str, rebus_folder: Path,
                                              tmp_path: Path) -> None:
    puzzles = load_local(rebus_folder)
    config = EvalConfig(model=f"{provider}/{EXAMPLE_MODELS[provider]}")
    cache = tmp_path / "cache.sqlite"
    with FakeChatServer(answer_by_image) as server:
        first = run_eval(config, puzzles, server.backend(provider, cache, max_retries=1))
        calls_first = len(server.calls)
        again = run_eval(config, puzzles, server.backend(provider, cache, max_retries=1))
        new_calls = server.calls[calls_first:]
    assert first["answer"].fillna("[[NONE]]").tolist() == ["Lomé", "dolphins", "[[NONE]]"]
    assert first["correct"].tolist() == [True, False, False]
    assert first["error"].isna().tolist() == [True, True, False]
    assert "500" in first.loc[2, "error"] or "down" in first.loc[2, "error"]
    assert first.loc[1, "response"] == REPLIES[image_bytes("JPEG", "blue")]
    assert again["cached"].tolist() == [True, True, False]
    assert [c.images for c in new_calls] == [[image_bytes("PNG", "green")]] * len(new_calls)
    [prompt] = {c.prompt for c in server.calls if c.images == [image_bytes("PNG")]}
    assert "The category for this puzzle is Cities" in prompt and "{{{this}}}" in prompt


def test_anthropic_gets_the_image_first(rebus_folder: Path, tmp_path: Path) -> None:
    puzzle = load_local(rebus_folder)[0]
    config = EvalConfig(model=f"anthropic/{EXAMPLE_MODELS['anthropic']}", limit=1)
    with FakeChatServer(answer_by_image) as server:
        run_eval(config, [puzzle], server.backend("anthropic", tmp_path / "c.sqlite"))
    [(role, parts)] = server.calls[0].messages
    assert role == "user" and isinstance(parts[0], bytes) and isinstance(parts[1], str)


def test_limit_and_prompt_variants(rebus_folder: Path, tmp_path: Path) -> None:
    puzzles = load_local(rebus_folder)
    config = EvalConfig(model="openai/gpt-4o", prompt="no-braces", limit=2)
    with FakeChatServer(lambda call: "the answer is Lome") as server:
        records = run_eval(config, puzzles, server.backend("openai", tmp_path / "c.sqlite"))
    assert len(records) == 2 and set(records["prompt"]) == {"no-braces"}
    assert records["extraction"].tolist() == ["answer-phrase"] * 2
    assert "three braces" not in server.calls[0].prompt
    assert resolve_prompt("auto", "anthropic/claude").name == "image-first"
    assert "think for at least a few paragraphs" in PROMPTS["think-longer"].template


def test_unreadable_image_stops_before_any_call(rebus_folder: Path, tmp_path: Path) -> None:
    (rebus_folder / "images" / "0002.jpg").write_bytes(b"broken")
    with FakeChatServer() as server, pytest.raises(RebusDataError, match=r"0002\.jpg"):
        run_eval(EvalConfig(model="openai/gpt-4o"), load_local(rebus_folder),
                 server.backend("openai", tmp_path / "c.sqlite"))
    assert server.calls == []


@pytest.mark.parametrize(("field", "value", "message"), [
    ("model", "gpt-4o", "PROVIDER/MODEL"),
    ("prompt", "standrd", "Did you mean 'standard'"),
    ("limit", 0, "--limit"),
    ("source", "gitlab", "--source"),
    ("model", "opnai/gpt-4o", "Did you mean 'openai'"),
    ("judge", "gpt-4o", "--judge"),
])
def test_bad_settings_are_user_errors(field: str, value: object, message: str) -> None:
    settings = {"model": "openai/gpt-4o", field: value}
    with pytest.raises(UserError, match=message):
        EvalConfig(**settings)
