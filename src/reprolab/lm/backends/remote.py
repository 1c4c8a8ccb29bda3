"""API backends: one SDK call per attempt, retried with backoff, run on a bounded thread pool.

A provider module supplies `_send` (one call through the official SDK, exceptions left to
propagate) and `_classify` (is an SDK exception transient, and did the server say how long to
wait). Everything else — retries, key scrubbing, concurrency, ordering — lives here once.
"""

from __future__ import annotations

import json
import random
import threading
from abc import abstractmethod
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor, as_completed
from functools import partial
from typing import Any

from reprolab.lm.backends.base import BackendOptions, ChatBackend
from reprolab.lm.backends.credentials import scrub, url_credentials
from reprolab.lm.backends.retry import (
    CallFailure,
    call_with_retries,
    is_retryable_status,
    retry_after_seconds,
)
from reprolab.lm.requests import ChatMessage, ChatRequest, ChatResponse

Verdict = tuple[bool, float | None]
"""How to treat a failed call: (worth retrying, seconds the server asked us to wait)."""


def status_verdict(status: int, headers: Mapping[str, str] | None) -> Verdict:
    """Retry 408, 429 and 5xx, honouring Retry-After; fail other statuses at once."""
    return is_retryable_status(status), retry_after_seconds(headers)


def extra_body(request: ChatRequest) -> dict[str, Any]:
    """`request.extra` as body fields: values that parse as JSON are sent decoded (numbers,
    objects), others as plain strings (`("reasoning_effort", "low")`)."""
    body: dict[str, Any] = {}
    for name, value in request.extra:
        try:
            body[name] = json.loads(value)
        except json.JSONDecodeError:
            body[name] = value
    return body


def system_text(messages: tuple[ChatMessage, ...]) -> str:
    """The system messages' text, joined by blank lines, for APIs that take it apart from
    the turns (Anthropic, Gemini)."""
    parts = [part for m in messages if m.role == "system" for part in m.parts]
    if not all(isinstance(part, str) for part in parts):
        raise ValueError("system messages may hold text only")
    return "\n\n".join(parts)  # type: ignore[arg-type]


class RemoteChatBackend(ChatBackend):
    """A chat backend behind an HTTP API, called `options.concurrency` requests at a time."""

    def __init__(
        self, provider: str, model: str, options: BackendOptions, *, secrets: tuple[str, ...],
        cache_scope: str | None = None,
    ) -> None:
        super().__init__(provider, model, options, cache_scope)
        self._secrets = (*secrets, *url_credentials(options.base_url or ""))
        self._policy = options.retry_policy()
        self._rng = random.Random()

    @abstractmethod
    def _send(self, request: ChatRequest) -> ChatResponse:
        """One call to the API; SDK exceptions propagate."""

    @abstractmethod
    def _classify(self, exc: Exception) -> Verdict | None:
        """The verdict on an SDK exception, or None when it is not an API error."""

    def _attempt(self, request: ChatRequest) -> ChatResponse:
        """`_send`, with every exception turned into a key-free `CallFailure`."""
        try:
            return self._send(request)
        except Exception as exc:
            retryable, retry_after = self._classify(exc) or (False, None)
            message = scrub(f"{type(exc).__name__}: {exc}", self._secrets)
            raise CallFailure(message, retryable=retryable, retry_after=retry_after) from None

    def _call(self, request: ChatRequest, label: str, stop: threading.Event) -> ChatResponse:
        """One request with retries, its answer committed to the cache the moment it arrives
        (in the worker thread, so an interrupt in the main thread cannot lose it)."""
        response = call_with_retries(partial(self._attempt, request), self._policy, label=label,
                                     rng=self._rng, stop=stop)
        self._remember(request, response)
        return response

    def _answer(self, requests: list[ChatRequest]) -> Iterator[tuple[int, ChatResponse]]:
        pool = ThreadPoolExecutor(self.options.concurrency, thread_name_prefix=self.name)
        stop = threading.Event()
        try:
            futures = {
                pool.submit(self._call, request, f"{self.name} request {position}", stop): position
                for position, request in enumerate(requests)
            }
            for future in as_completed(futures):
                yield futures[future], future.result()
        finally:  # on Ctrl-C: no new calls or retries; calls in flight finish and are cached
            stop.set()
            pool.shutdown(wait=True, cancel_futures=True)
