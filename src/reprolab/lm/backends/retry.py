"""Retries with exponential backoff and jitter for one API call.

A backend's single attempt either returns a `ChatResponse` or raises `CallFailure`, saying
whether the failure is worth retrying (429, 408, 5xx, timeouts, dropped connections) and how
long the server asked us to wait (`Retry-After`). `call_with_retries` turns the last failure
into `ChatResponse(text=None, error=...)`: a call never raises and is never dropped, so an
attempt must turn every exception it can meet into a `CallFailure`.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace

from reprolab.core.errors import UserError
from reprolab.lm.requests import ChatResponse

log = logging.getLogger(__name__)

RETRYABLE_STATUSES = frozenset({408, 429})
CANCELLED = "Cancelled: the run was interrupted before this request was answered"


def is_retryable_status(status: int) -> bool:
    """429 (rate limit), 408 (request timeout) and every 5xx are transient; other codes are not."""
    return status in RETRYABLE_STATUSES or status >= 500


def retry_after_seconds(headers: Mapping[str, str] | None) -> float | None:
    """The wait a server asked for, from `retry-after-ms` or `retry-after` (seconds), if any."""
    if not headers:
        return None
    for name, scale in (("retry-after-ms", 1e-3), ("retry-after", 1.0)):
        value = headers.get(name)
        if value is None:
            continue
        try:
            seconds = float(value) * scale
        except ValueError:  # an HTTP date: rare for APIs; fall back to our own backoff
            continue
        if seconds >= 0:
            return seconds
    return None


class CallFailure(Exception):
    """One attempt failed. `message` is `"<type>: <detail>"`, already scrubbed of keys."""

    def __init__(self, message: str, *, retryable: bool, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.retryable = retryable
        self.retry_after = retry_after


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently to retry a failed call."""

    max_retries: int = field(default=6, metadata={"help": "retries after the first attempt"})
    base_delay: float = field(
        default=1.0, metadata={"help": "seconds before the first retry; doubles on each retry"}
    )
    max_delay: float = field(
        default=60.0, metadata={"help": "cap in seconds on one wait, Retry-After included"}
    )

    def __post_init__(self) -> None:
        if self.max_retries < 0:
            raise UserError(f"max_retries must be >= 0, got {self.max_retries}")
        if self.base_delay < 0 or self.max_delay < self.base_delay:
            raise UserError(
                f"need 0 <= base_delay <= max_delay, got {self.base_delay} and {self.max_delay}"
            )

    def delay(self, retry: int, retry_after: float | None, rng: random.Random) -> float:
        """Seconds to wait before retry number `retry` (0-based).

        Equal jitter: a uniform draw in [d/2, d] with d = base_delay * 2**retry, capped at
        max_delay; a server's Retry-After is honoured when longer (still capped).
        """
        backoff = min(self.max_delay, self.base_delay * 2**retry)
        wait = backoff * (0.5 + 0.5 * rng.random())
        if retry_after is not None:
            wait = max(wait, min(retry_after, self.max_delay))
        return wait


def call_with_retries(
    attempt: Callable[[], ChatResponse],
    policy: RetryPolicy,
    *,
    label: str,
    rng: random.Random | None = None,
    stop: threading.Event | None = None,
) -> ChatResponse:
    """Run `attempt` until it succeeds, fails for good, or `policy.max_retries` retries are spent.

    Returns the successful response with `attempts` set to the number of calls made, or an
    error response holding the last failure's message. Once `stop` is set (the run was
    interrupted) no further attempt starts and a waiting retry ends at once, as `Cancelled`.
    """
    rng = rng or random.Random()
    stop = stop or threading.Event()
    for number in range(1, policy.max_retries + 2):
        if stop.is_set():
            return ChatResponse(text=None, error=CANCELLED, attempts=number - 1)
        try:
            response = attempt()
        except CallFailure as failure:
            last = failure
        else:
            return replace(response, attempts=number)
        if not last.retryable or number > policy.max_retries:
            break
        wait = policy.delay(number - 1, last.retry_after, rng)
        log.info("%s: %s; retry %d in %.2fs", label, last.message, number, wait)
        stop.wait(wait)
    log.warning("%s failed after %d attempt(s): %s", label, number, last.message)
    return ChatResponse(text=None, error=last.message, attempts=number)

