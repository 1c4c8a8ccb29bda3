"""The API backends with the real SDKs against the fake chat server on 127.0.0.1."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import pytest

from reprolab.core.errors import UserError
from reprolab.lm.backends import ChatBackend, MissingAPIKeyError, UnknownNameError, open_backend
from reprolab.lm.requests import ChatMessage, ImagePart
from tests.helpers.fake_chat_server import (
    EXAMPLE_MODELS,
    FAKE_KEYS,
    PROVIDERS,
    Call,
    DropConnection,
    FakeChatServer,
    ScriptedError,
    set_fake_keys,
)

MODELS = EXAMPLE_MODELS
KEY_ENV = {
    "openai": "OPENAI_API_KEY",
    "anthropic": "ANTHROPIC_API_KEY",
    "gemini": "GEMINI_API_KEY",
    "openai-compatible": "REPROLAB_OPENAI_COMPATIBLE_API_KEY",
}
# Bytes whose base64 holds '+' and '/' (URL-safe: '-' and '_'), to catch alphabet mix-ups.
PNG = ImagePart(b"\x89PNG\r\n\x1a\n fake image \xfb\xff\xfe\x3e\x3f", "image/png")


@pytest.fixture(autouse=True)
def fake_keys(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    return set_fake_keys(monkeypatch)


@pytest.fixture
def server():
    with FakeChatServer() as fake:
        yield fake


def open_fake(provider: str, server: FakeChatServer, tmp_path: Path, **options) -> ChatBackend:
    settings = {"max_retries": 3, "timeout": 10.0, **options}
    return server.backend(provider, tmp_path / "cache.sqlite", **settings)


def ask(backend: ChatBackend, *prompts: str):
    return backend.complete([backend.request([ChatMessage.user(p)]) for p in prompts])


@pytest.mark.parametrize("provider", PROVIDERS)
def test_text_and_image_round_trip(provider, server, tmp_path):
    backend = open_fake(provider, server, tmp_path)
    request = backend.request(
        [ChatMessage.system("be brief"), ChatMessage.user(PNG, "what is this?")],
        max_tokens=32, temperature=0.5, seed=7,
    )
    [response] = backend.complete([request])

    assert backend.name == f"{provider}/{MODELS[provider]}"
    assert response.text == "echo: what is this?"
    assert (response.input_tokens, response.output_tokens) == (2 + 3, 4)  # words, see server
    assert (response.attempts, response.cached, response.model) == (1, False, MODELS[provider])
    [call] = server.calls
    assert call.model == MODELS[provider]
    assert call.images == [PNG.data]
    assert call.system == "be brief"
    assert call.prompt == "what is this?"
    assert call.params["max_tokens"] == 32
    # Anthropic's current API takes no temperature or seed (see anthropic_backend).
    expected = (None, None) if provider == "anthropic" else (0.5, 7)
    assert (call.params["temperature"], call.params["seed"]) == expected
    key = FAKE_KEYS[KEY_ENV[provider]]
    assert key in " ".join(call.headers.values()), "the key from the environment was not sent"


def test_anthropic_sampling_settings_sent_under_a_pinned_api_version(server, tmp_path,
                                                                     monkeypatch):
    monkeypatch.setenv("REPROLAB_ANTHROPIC_API_VERSION", "2023-06-01")
    backend = open_fake("anthropic", server, tmp_path)
    backend.complete([backend.request([ChatMessage.user("hi")], temperature=0.25, top_p=0.5)])
    [call] = server.calls
    assert (call.params["temperature"], call.params["top_p"]) == (0.25, 0.5)
    assert call.headers["anthropic-version"] == "2023-06-01"


@pytest.mark.parametrize("provider", PROVIDERS)
def test_extra_fields_reach_the_body_json_decoded(provider, server, tmp_path):
    backend = open_fake(provider, server, tmp_path)
    extra = {"reasoning_effort": "low", "top_k": "5"}
    backend.complete([backend.request([ChatMessage.user("hi")], extra=extra)])
    assert server.calls[0].body["reasoning_effort"] == "low"
    assert server.calls[0].body["top_k"] == 5


@pytest.mark.parametrize("provider", PROVIDERS)
def test_rate_limit_then_success_makes_two_calls(provider, server, tmp_path):
    backend = open_fake(provider, server, tmp_path)
    server.fail_next(429)
    [response] = ask(backend, "hello")
    assert response.text == "echo: hello"
    assert response.attempts == 2
    assert [c.status for c in server.calls] == [429, 200]


@pytest.mark.parametrize("provider", PROVIDERS)
def test_retry_after_is_honoured(provider, server, tmp_path):
    backend = open_fake(provider, server, tmp_path, base_delay=0.001)
    server.fail_next(503, retry_after=0.4)
    [response] = ask(backend, "hello")
    assert response.ok
    first, second = server.calls
    assert second.time - first.time >= 0.4


@pytest.mark.parametrize("provider", PROVIDERS)
def test_persistent_server_error_fails_after_max_retries(provider, server, tmp_path):
    def always_500(call: Call) -> str:
        raise ScriptedError(500, "the server is on fire")

    server.answer = always_500
    backend = open_fake(provider, server, tmp_path, max_retries=3)
    [response] = ask(backend, "hello")
    assert response.text is None
    assert "500" in response.error and "the server is on fire" in response.error
    assert response.error.split(":")[0].endswith("Error")  # "<type>: <message>"
    assert response.attempts == 4
    assert len(server.calls) == 4
    assert len(backend.cache) == 0, "a failure must not be cached"
    ask(backend, "hello")
    assert len(server.calls) == 8, "a failed request is asked again on the next run"


@pytest.mark.parametrize("provider", PROVIDERS)
def test_unauthorized_is_not_retried_and_key_is_scrubbed(provider, server, tmp_path, caplog):
    key = FAKE_KEYS[KEY_ENV[provider]]

    def reject(call: Call) -> str:
        raise ScriptedError(401, f"Incorrect API key provided: {key}")

    server.answer = reject
    backend = open_fake(provider, server, tmp_path)
    with caplog.at_level(logging.DEBUG):
        [response] = ask(backend, "hello")
    assert len(server.calls) == 1
    assert response.attempts == 1
    assert "401" in response.error and "Incorrect API key provided: ***" in response.error
    assert key not in response.error
    assert key not in caplog.text
    assert "***" in caplog.text, "the failure should be logged (scrubbed)"


@pytest.mark.parametrize("provider", PROVIDERS)
def test_key_never_reaches_cache_or_logs_on_success(provider, server, tmp_path, caplog):
    key = FAKE_KEYS[KEY_ENV[provider]]
    server.answer = lambda call: f"you sent {call.prompt}"
    backend = open_fake(provider, server, tmp_path)
    with caplog.at_level(logging.DEBUG):
        [response] = ask(backend, "hello")
    backend.close()
    assert response.ok
    stored = b"".join(p.read_bytes() for p in tmp_path.glob("cache.sqlite*"))
    assert b"you sent hello" in stored
    assert key.encode() not in stored
    assert key not in caplog.text


@pytest.mark.parametrize("provider", PROVIDERS)
def test_timeout_and_dropped_connection_are_retried(provider, server, tmp_path):
    def slow_then_drop_then_answer(call: Call) -> str:
        if len(server.calls) == 1:
            time.sleep(1.5)
        elif len(server.calls) == 2:
            raise DropConnection
        return "finally"

    server.answer = slow_then_drop_then_answer
    backend = open_fake(provider, server, tmp_path, timeout=0.5)
    [response] = ask(backend, "hello")
    assert response.text == "finally"
    assert response.attempts == 3
    assert len(server.calls) == 3


@pytest.mark.parametrize("provider", PROVIDERS)
def test_cache_hit_makes_zero_calls(provider, server, tmp_path):
    first = ask(open_fake(provider, server, tmp_path), "a", "b")
    assert len(server.calls) == 2
    again = ask(open_fake(provider, server, tmp_path), "a", "b")
    assert len(server.calls) == 2
    assert [r.text for r in again] == [r.text for r in first] == ["echo: a", "echo: b"]
    assert [(r.cached, r.attempts) for r in again] == [(True, 0), (True, 0)]
    assert [r.input_tokens for r in again] == [r.input_tokens for r in first]


def test_results_keep_input_order_and_duplicates_are_sent_once(server, tmp_path):
    def slower_for_earlier(call: Call) -> str:
        time.sleep(0.05 * (5 - int(call.prompt)))  # later prompts finish first
        return f"answer {call.prompt}"

    server.answer = slower_for_earlier
    backend = open_fake("openai", server, tmp_path, concurrency=4)
    prompts = ["0", "1", "2", "1", "3", "4", "0"]
    responses = ask(backend, *prompts)
    assert [r.text for r in responses] == [f"answer {p}" for p in prompts]
    assert sorted(c.prompt for c in server.calls) == ["0", "1", "2", "3", "4"]


def test_wrong_model_request_is_refused(server, tmp_path):
    backend = open_fake("openai", server, tmp_path)
    other = open_fake("anthropic", server, tmp_path)
    with pytest.raises(ValueError, match=r"backend\.request"):
        backend.complete([other.request([ChatMessage.user("hi")])])


@pytest.mark.parametrize("provider", ["openai", "anthropic", "gemini"])
def test_missing_key_is_one_line_naming_the_variable(provider, monkeypatch, tmp_path):
    for name in (*FAKE_KEYS, "GOOGLE_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(MissingAPIKeyError) as info:
        open_backend(f"{provider}/{MODELS[provider]}", cache_path=tmp_path / "c.sqlite")
    message = str(info.value)
    assert KEY_ENV[provider] in message and "\n" not in message


def test_gemini_takes_google_api_key_too(server, tmp_path, monkeypatch):
    monkeypatch.delenv("GEMINI_API_KEY")
    monkeypatch.setenv("GOOGLE_API_KEY", "AIzaOtherFakeKey0123456789abcdefghijk")
    ask(open_fake("gemini", server, tmp_path), "hi")
    assert server.calls[0].headers["x-goog-api-key"] == "AIzaOtherFakeKey0123456789abcdefghijk"


def test_openai_compatible_needs_a_url_and_no_key(server, tmp_path, monkeypatch):
    monkeypatch.delenv("REPROLAB_OPENAI_COMPATIBLE_API_KEY")
    monkeypatch.delenv("REPROLAB_OPENAI_BASE_URL", raising=False)
    with pytest.raises(UserError, match="REPROLAB_OPENAI_BASE_URL"):
        open_backend("openai-compatible/llama", cache_path=tmp_path / "c.sqlite")
    monkeypatch.setenv("REPROLAB_OPENAI_BASE_URL", server.base_url("openai-compatible"))
    backend = open_backend("openai-compatible/llama", cache_path=tmp_path / "c.sqlite")
    [response] = ask(backend, "hi")
    assert response.text == "echo: hi"
    assert server.calls[0].params["max_tokens"] == 1024
    assert "max_tokens" in server.calls[0].body, "compatible servers get max_tokens"


def test_openai_compatible_servers_do_not_share_cached_answers(tmp_path, monkeypatch):
    cache = tmp_path / "c.sqlite"
    with FakeChatServer() as first, FakeChatServer() as second:
        for server, expected_calls in ((first, 1), (second, 1), (first, 0)):
            monkeypatch.setenv("REPROLAB_OPENAI_BASE_URL", server.base_url("openai-compatible"))
            backend = open_backend("openai-compatible/llama", cache_path=cache)
            [response] = ask(backend, "hi")
            backend.close()
            assert response.cached == (expected_calls == 0)
        assert (len(first.calls), len(second.calls)) == (1, 1)


def test_unknown_provider_suggests_the_closest(tmp_path):
    with pytest.raises(UnknownNameError, match="Did you mean 'openai'"):
        open_backend("opnai/gpt-4o", cache_path=tmp_path / "c.sqlite")
    with pytest.raises(UserError, match="PROVIDER/MODEL"):
        open_backend("gpt-4o", cache_path=tmp_path / "c.sqlite")
