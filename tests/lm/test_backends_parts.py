"""Unit tests of the backends' parts: retry policy, response cache, key handling."""

from __future__ import annotations

import random
import sqlite3
import threading

import pytest

from reprolab.core.errors import UserError
from reprolab.lm.backends.cache import ResponseCache
from reprolab.lm.backends.credentials import (
    MissingAPIKeyError,
    optional_api_key,
    public_url,
    require_api_key,
    scrub,
    url_credentials,
)
from reprolab.lm.backends.retry import (
    CANCELLED,
    CallFailure,
    RetryPolicy,
    call_with_retries,
    is_retryable_status,
    retry_after_seconds,
)
from reprolab.lm.requests import ChatMessage, ChatRequest, ChatResponse


class FixedDraw(random.Random):
    def __init__(self, value: float) -> None:
        super().__init__()
        self.value = value

    def random(self) -> float:
        return self.value


def test_backoff_doubles_with_equal_jitter_and_caps():
    policy = RetryPolicy(max_retries=6, base_delay=1.0, max_delay=10.0)
    # d = min(10, 2**retry); wait = d * (0.5 + 0.5 * u)
    assert policy.delay(0, None, FixedDraw(0.0)) == 0.5
    assert policy.delay(2, None, FixedDraw(1.0)) == 4.0
    assert policy.delay(2, None, FixedDraw(0.5)) == 3.0
    assert policy.delay(5, None, FixedDraw(1.0)) == 10.0  # 32 capped at 10
    assert policy.delay(0, 7.0, FixedDraw(0.0)) == 7.0  # Retry-After wins when longer
    assert policy.delay(0, 99.0, FixedDraw(0.0)) == 10.0  # ...but is capped too


def test_policy_rejects_bad_settings():
    with pytest.raises(UserError, match="max_retries"):
        RetryPolicy(max_retries=-1)
    with pytest.raises(UserError, match="base_delay"):
        RetryPolicy(base_delay=5.0, max_delay=1.0)


@pytest.mark.parametrize(("status", "retryable"),
                         [(429, True), (408, True), (500, True), (503, True), (529, True),
                          (400, False), (401, False), (403, False), (404, False), (422, False)])
def test_retryable_statuses(status, retryable):
    assert is_retryable_status(status) is retryable


def test_retry_after_parsing():
    assert retry_after_seconds({"retry-after": "2"}) == 2.0
    assert retry_after_seconds({"retry-after": "0.25"}) == 0.25
    assert retry_after_seconds({"retry-after-ms": "1500", "retry-after": "9"}) == 1.5
    assert retry_after_seconds({"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}) is None
    assert retry_after_seconds({}) is None
    assert retry_after_seconds(None) is None


def scripted_attempts(*outcomes: CallFailure | str):
    calls = []

    def attempt() -> ChatResponse:
        outcome = outcomes[len(calls)]
        calls.append(outcome)
        if isinstance(outcome, CallFailure):
            raise outcome
        return ChatResponse(text=outcome)

    return attempt, calls


FAST = RetryPolicy(max_retries=2, base_delay=0.001, max_delay=0.01)
BUSY = CallFailure("RateLimitError: busy", retryable=True)
DENIED = CallFailure("AuthenticationError: denied", retryable=False)


def test_retries_until_success_and_counts_attempts():
    attempt, calls = scripted_attempts(BUSY, BUSY, "ok")
    response = call_with_retries(attempt, FAST, label="t")
    assert (response.text, response.attempts, len(calls)) == ("ok", 3, 3)


def test_gives_up_after_max_retries_with_last_error():
    attempt, calls = scripted_attempts(BUSY, BUSY, BUSY, "never")
    response = call_with_retries(attempt, FAST, label="t")
    assert (response.error, response.attempts, len(calls)) == ("RateLimitError: busy", 3, 3)


def test_non_retryable_fails_at_once():
    attempt, calls = scripted_attempts(DENIED, "never")
    response = call_with_retries(attempt, FAST, label="t")
    assert (response.error, response.attempts, len(calls)) == ("AuthenticationError: denied", 1, 1)


def test_stop_cancels_a_waiting_retry_at_once():
    stop = threading.Event()
    attempt, calls = scripted_attempts(BUSY, "never")
    slow = RetryPolicy(max_retries=3, base_delay=60.0, max_delay=60.0)
    threading.Timer(0.05, stop.set).start()
    response = call_with_retries(attempt, slow, label="t", stop=stop)
    assert (response.error, response.attempts, len(calls)) == (CANCELLED, 1, 1)


def request(text: str, seed: int | None = None) -> ChatRequest:
    return ChatRequest(model="m", messages=(ChatMessage.user(text),), seed=seed)


def test_cache_stores_successes_only_in_wal_mode(tmp_path):
    cache = ResponseCache(tmp_path / "sub" / "cache.sqlite")
    answer = ChatResponse(text="4", model="m-2024", finish_reason="stop", input_tokens=5,
                          output_tokens=1, attempts=2)
    cache.put("p/m", request("2+2?"), answer)
    cache.put("p/m", request("fail"), ChatResponse(text=None, error="Boom: x"))
    assert len(cache) == 1
    hit = cache.get(request("2+2?").cache_key("p/m"))
    assert hit == ChatResponse(text="4", model="m-2024", finish_reason="stop", input_tokens=5,
                               output_tokens=1, attempts=0, cached=True)
    assert cache.get(request("fail").cache_key("p/m")) is None
    assert cache.get(request("2+2?", seed=1).cache_key("p/m")) is None, "seed is in the key"
    assert cache.get(request("2+2?").cache_key("q/m")) is None, "backend is in the key"
    cache.close()
    with sqlite3.connect(tmp_path / "sub" / "cache.sqlite") as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_cache_is_visible_to_a_second_connection_at_once(tmp_path):
    writer = ResponseCache(tmp_path / "cache.sqlite")
    reader = ResponseCache(tmp_path / "cache.sqlite")
    writer.put("p/m", request("q"), ChatResponse(text="a"))
    assert reader.get(request("q").cache_key("p/m")).text == "a"


def a_folder(tmp_path):
    (tmp_path / "cache").mkdir()
    return tmp_path / "cache"


def a_text_file(tmp_path):
    (tmp_path / "notes.txt").write_text("notes, not a database\n" * 50)
    return tmp_path / "notes.txt"


def inside_a_file(tmp_path):
    (tmp_path / "notes.txt").write_text("a file where a folder should be")
    return tmp_path / "notes.txt" / "cache.sqlite"


@pytest.mark.parametrize(("place", "message"), [
    (a_folder, "is a folder: give a file"),
    (a_text_file, "file is not a database"),
    (inside_a_file, "cannot be used"),
])
def test_an_unusable_cache_file_is_a_user_error_naming_it(tmp_path, place, message):
    path = place(tmp_path)
    with pytest.raises(UserError, match=message) as info:
        ResponseCache(path)
    assert str(path) in str(info.value)


def test_missing_key_names_every_variable(monkeypatch):
    monkeypatch.delenv("GEMINI_API_KEY", raising=False)
    monkeypatch.setenv("GOOGLE_API_KEY", "  ")
    with pytest.raises(MissingAPIKeyError) as info:
        require_api_key("Gemini", ("GEMINI_API_KEY", "GOOGLE_API_KEY"))
    assert str(info.value) == "Gemini needs an API key: set GEMINI_API_KEY or GOOGLE_API_KEY."
    assert optional_api_key(("GEMINI_API_KEY", "GOOGLE_API_KEY")) is None
    monkeypatch.setenv("GOOGLE_API_KEY", "g-key")
    assert require_api_key("Gemini", ("GEMINI_API_KEY", "GOOGLE_API_KEY")) == "g-key"


def test_scrub_masks_the_key_and_key_shaped_strings():
    assert scrub("bad key my-secret-value here", ("my-secret-value",)) == "bad key *** here"
    assert scrub("Incorrect API key provided: sk-proj-abcdef123456") == (
        "Incorrect API key provided: ***")
    assert scrub("url?key=AIzaSyA-123&alt=json") == "url?key=***&alt=json"
    assert scrub("Authorization: Bearer tok_123") == "Authorization: Bearer ***"
    assert scrub("AIzaSyD0123456789abcdefghijklmn") == "***"
    assert scrub("error code 429: slow down") == "error code 429: slow down"


def test_credentials_are_cut_from_urls_and_masked_in_messages():
    url = "http://ann:p%40ss@localhost:8000/v1?x=1"
    assert public_url(url) == "http://localhost:8000/v1?x=1"
    assert public_url("https://api.example.com/v1") == "https://api.example.com/v1"
    assert set(url_credentials(url)) == {"ann", "p%40ss", "p@ss"}
    assert scrub("refused p@ss for ann", url_credentials(url)) == "refused *** for ***"
