"""The chat backend interface: cached, deduplicated, ordered answers to `ChatRequest`s.

`ChatBackend.complete` looks each request up in the response cache, asks the backend only for
the distinct requests it lacks, and returns one `ChatResponse` per request in input order.
Subclasses implement `_answer`, which stores each answer (`_remember`) the moment it arrives, so
an answer that lands as the run is interrupted is kept too.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from reprolab.core.errors import UserError
from reprolab.core.progress import make_progress
from reprolab.lm.backends.cache import ResponseCache
from reprolab.lm.backends.retry import RetryPolicy
from reprolab.lm.requests import ChatMessage, ChatRequest, ChatResponse


@dataclass(frozen=True)
class BackendOptions:
    """Settings shared by every backend; each backend reads the ones that concern it."""

    base_url: str | None = field(
        default=None, metadata={"help": "server URL, for a proxy, a test server or a local server"}
    )
    cache_path: Path | None = field(
        default=None, metadata={"help": "SQLite response cache (default ~/.cache/reprolab/...)"}
    )
    use_cache: bool = field(default=True, metadata={"help": "read and write the response cache"})
    max_retries: int = field(default=6, metadata={"help": "retries after a call's first attempt"})
    base_delay: float = field(
        default=1.0, metadata={"help": "seconds before the first retry; doubles each retry"}
    )
    timeout: float = field(default=120.0, metadata={"help": "seconds one API call may take"})
    concurrency: int = field(
        default=4, metadata={"help": "API calls in flight at once; batch size for local models"}
    )
    device: str = field(default="auto", metadata={"help": "torch device for local (hf/) models"})

    def __post_init__(self) -> None:
        if self.timeout <= 0:
            raise UserError(f"timeout must be positive, got {self.timeout}")
        if self.concurrency < 1:
            raise UserError(f"concurrency must be >= 1, got {self.concurrency}")
        self.retry_policy()  # validates max_retries and base_delay

    def retry_policy(self) -> RetryPolicy:
        """Backoff for API calls: waits double from `base_delay`, capped at a minute."""
        return RetryPolicy(self.max_retries, self.base_delay, max(60.0, self.base_delay))


class ChatBackend(ABC):
    """Answers chat requests for one model, named `provider/model` (e.g. `openai/gpt-4o`).

    Cached answers are keyed by `cache_scope` (default: the name), which must tell apart every
    backend whose answers differ: self-hosted servers add their URL.
    """

    def __init__(self, provider: str, model: str, options: BackendOptions,
                 cache_scope: str | None = None) -> None:
        self.name = f"{provider}/{model}"
        self.cache_scope = cache_scope or self.name
        self.model = model
        self.options = options
        self.cache = ResponseCache(options.cache_path) if options.use_cache else None

    def request(
        self,
        messages: Sequence[ChatMessage],
        *,
        max_tokens: int = 1024,
        temperature: float = 0.0,
        top_p: float = 1.0,
        seed: int | None = None,
        extra: Mapping[str, str] | None = None,
    ) -> ChatRequest:
        """A request to this backend's model. `extra` holds provider-specific body fields;
        a value that parses as JSON is sent decoded, others as strings."""
        return ChatRequest(
            model=self.model,
            messages=tuple(messages),
            max_tokens=max_tokens,
            temperature=temperature,
            top_p=top_p,
            seed=seed,
            extra=tuple(sorted((extra or {}).items())),
        )

    def complete(
        self,
        requests: Sequence[ChatRequest],
        *,
        description: str = "chat",
        on_answer: Callable[[int, ChatResponse], None] | None = None,
    ) -> list[ChatResponse]:
        """One response per request, in input order; API failures come back as error responses.

        Identical requests are sent once. Cached answers cost no call (`cached=True`,
        `attempts=0`); each new successful answer is committed to the cache as it arrives.
        `on_answer(index, response)` is called once per request as its answer is known (cached
        ones first), so a caller can write per-item results as they come.
        """
        notify = on_answer or (lambda index, response: None)
        for request in requests:
            if request.model != self.model:
                raise ValueError(
                    f"A request for model {request.model!r} was sent to {self.name}; "
                    "build requests with backend.request(...)."
                )
        results: list[ChatResponse | None] = [None] * len(requests)
        waiting: dict[str, list[int]] = {}
        for index, request in enumerate(requests):
            key = request.cache_key(self.cache_scope)
            hit = self.cache.get(key) if self.cache else None
            if hit is not None:
                results[index] = hit
                notify(index, hit)
            else:
                waiting.setdefault(key, []).append(index)
        todo = [requests[indices[0]] for indices in waiting.values()]
        groups = list(waiting.values())
        with make_progress() as progress:
            task = progress.add_task(
                f"{description} [{self.name}]",
                total=len(requests),
                completed=len(requests) - sum(map(len, groups)),
            )
            for position, response in self._answer(todo):
                for index in groups[position]:
                    results[index] = response
                    notify(index, response)
                progress.advance(task, len(groups[position]))
        missing = [i for i, r in enumerate(results) if r is None]
        assert not missing, f"{self.name} left requests {missing} unanswered"
        return results  # type: ignore[return-value]

    def _remember(self, request: ChatRequest, response: ChatResponse) -> None:
        """Commit a successful answer to the cache (failures are not stored)."""
        if self.cache is not None:
            self.cache.put(self.cache_scope, request, response)

    @abstractmethod
    def _answer(self, requests: list[ChatRequest]) -> Iterator[tuple[int, ChatResponse]]:
        """Answer each request once, `_remember` each answer as soon as it arrives, and yield
        `(position in requests, response)`, in any order. A failed request yields an error
        response."""

    def close(self) -> None:
        """Close the cache file; `complete` must not be called afterwards."""
        if self.cache is not None:
            self.cache.close()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r})"
