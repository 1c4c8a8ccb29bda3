"""A run stopped halfway and then resumed asks for each request exactly once.

Two ways of stopping, both triggered by the fake server's answer function on the call after
the first KEEP answers, once those answers are committed to the cache:
- Ctrl-C: SIGINT to the test's main thread while `complete` waits (every provider);
- a crash: SIGKILL to a child process running `complete` (one provider: the cache logic is
  shared, and a child process importing an SDK costs seconds).
The resumed run must ask only for the rest and end with what an uninterrupted run gives.
"""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from reprolab.lm.requests import ChatMessage, ChatResponse
from tests.helpers.fake_chat_server import (
    EXAMPLE_MODELS,
    PROVIDERS,
    Call,
    DropConnection,
    FakeChatServer,
    set_fake_keys,
)

ITEMS, KEEP = 6, 3
CHILD = """
import sys
from pathlib import Path
from reprolab.lm.backends import open_backend
from reprolab.lm.requests import ChatMessage

spec, base_url, cache, items = sys.argv[1:]
backend = open_backend(spec, base_url=base_url, cache_path=Path(cache), concurrency=1)
backend.complete([backend.request([ChatMessage.user(f"item {i}")]) for i in range(int(items))])
"""


@pytest.fixture(autouse=True)
def fake_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    set_fake_keys(monkeypatch)  # a child process inherits them


@pytest.fixture
def ctrl_c_raises():
    """SIGINT raises KeyboardInterrupt during the test, even where the runner was started with
    SIGINT ignored (as shells start background jobs)."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


def answer_for(call: Call) -> str:
    return f"the answer to {call.prompt} is {len(call.prompt) * 7}"


def cached_rows(path: Path) -> int:
    with sqlite3.connect(path) as db:
        return db.execute("SELECT COUNT(*) FROM responses").fetchone()[0]


def run_all(provider: str, server: FakeChatServer, cache: Path, **options) -> list[ChatResponse]:
    backend = server.backend(provider, cache, **options)
    return backend.complete([backend.request([ChatMessage.user(f"item {i}")])
                             for i in range(ITEMS)])


def stopping_after_keep(
    server: FakeChatServer, cache: Path, stop: Callable[[], None]
) -> Callable[[Call], str]:
    """An answer function that, on the call after KEEP answers, waits for them to be in the
    cache, calls `stop` and hangs up; every other call gets `answer_for`."""
    stopped: list[Call] = []

    def answer(call: Call) -> str:
        if not stopped and len(server.answered) == KEEP:
            deadline = time.monotonic() + 30
            while cached_rows(cache) < KEEP:  # answers must be committed as they arrive
                assert time.monotonic() < deadline, "answers were not committed to the cache"
                time.sleep(0.01)
            stopped.append(call)
            stop()
            raise DropConnection
        return answer_for(call)

    return answer


def check_resume(provider: str, server: FakeChatServer, cache: Path, tmp_path: Path) -> None:
    assert cached_rows(cache) == KEEP
    resumed = run_all(provider, server, cache)
    answered_prompts = sorted(c.prompt for c in server.calls if c.status == 200)
    assert answered_prompts == [f"item {i}" for i in range(ITEMS)], "each answered exactly once"
    assert [r.cached for r in resumed] == [True] * KEEP + [False] * (ITEMS - KEEP)
    with FakeChatServer(answer_for) as fresh:
        uninterrupted = run_all(provider, fresh, tmp_path / "fresh.sqlite")
    assert [(r.text, r.input_tokens, r.output_tokens) for r in resumed] == [
        (r.text, r.input_tokens, r.output_tokens) for r in uninterrupted
    ]


@pytest.mark.parametrize("provider", PROVIDERS)
def test_interrupted_run_resumes_without_repeating_calls(provider, tmp_path, ctrl_c_raises):
    cache = tmp_path / "cache.sqlite"
    main = threading.main_thread().ident
    with FakeChatServer() as server:
        server.answer = stopping_after_keep(
            server, cache, lambda: signal.pthread_kill(main, signal.SIGINT)
        )
        # A long backoff: the dropped call must end by cancellation, not by a retry.
        with pytest.raises(KeyboardInterrupt):
            run_all(provider, server, cache, concurrency=1, base_delay=30.0)
        assert [c.status for c in server.calls] == [200] * KEEP + [0]
        check_resume(provider, server, cache, tmp_path)


def test_killed_process_resumes_without_repeating_calls(tmp_path):
    provider, cache = "openai", tmp_path / "cache.sqlite"
    child: list[subprocess.Popen] = []

    def kill_child() -> None:
        child[0].send_signal(signal.SIGKILL)
        child[0].wait()

    with FakeChatServer() as server:
        server.answer = stopping_after_keep(server, cache, kill_child)
        spec = f"{provider}/{EXAMPLE_MODELS[provider]}"
        child.append(subprocess.Popen(
            [sys.executable, "-c", CHILD, spec, server.base_url(provider), str(cache), str(ITEMS)]
        ))
        assert child[0].wait(timeout=60) == -signal.SIGKILL
        assert [c.status for c in server.calls] == [200] * KEEP + [0]
        check_resume(provider, server, cache, tmp_path)


def test_an_answer_landing_as_ctrl_c_hits_is_cached(tmp_path, ctrl_c_raises):
    cache = tmp_path / "cache.sqlite"
    main = threading.main_thread().ident

    def answer(call: Call) -> str:
        if call.prompt == "item 1":
            signal.pthread_kill(main, signal.SIGINT)
            time.sleep(0.3)  # the main thread is interrupted before this reply arrives
        return answer_for(call)

    with FakeChatServer(answer) as server:
        with pytest.raises(KeyboardInterrupt):
            run_all("openai", server, cache, concurrency=2)
        assert cached_rows(cache) == len(server.answered)
        assert "item 1" in {c.prompt for c in server.answered}
