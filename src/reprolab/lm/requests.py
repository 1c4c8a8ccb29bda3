"""The typed boundary between studies and models.

Studies build requests; models and API backends answer them. Neither side imports the other.
Local causal LMs answer `LoglikelihoodRequest`s with `LoglikelihoodResult`s
(`reprolab.lm.scoring`) and sample text for prompts under `SamplingParams`
(`reprolab.lm.generation`); chat backends (APIs, local vision-language models) answer
`ChatRequest` with a `ChatResponse`.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Literal

from reprolab.core.errors import UserError


@dataclass(frozen=True)
class LoglikelihoodRequest:
    """Score `continuation` given `context`: log P(continuation | context)."""

    context: str
    continuation: str


@dataclass(frozen=True)
class LoglikelihoodResult:
    """Sum of the continuation's token log-probabilities (natural log) and whether every
    continuation token is the argmax (greedy) choice; `n_tokens` continuation tokens."""

    logprob: float
    is_greedy: bool
    n_tokens: int


@dataclass(frozen=True)
class SamplingParams:
    """Settings for sampling text: at most `max_new_tokens` tokens, ending before the first of
    the `stop` strings; `temperature=0` means greedy decoding, `top_p` nucleus sampling."""

    max_new_tokens: int = 64
    temperature: float = 1.0
    top_p: float = 1.0
    stop: tuple[str, ...] = ()
    seed: int = 0

    def __post_init__(self) -> None:
        if self.max_new_tokens < 1:
            raise UserError(f"max_new_tokens must be >= 1, got {self.max_new_tokens}.")
        if self.temperature < 0:
            raise UserError(f"temperature must be >= 0, got {self.temperature}.")
        if not 0 < self.top_p <= 1:
            raise UserError(f"top_p must be in (0, 1], got {self.top_p}.")


@dataclass(frozen=True)
class ImagePart:
    """An image in a chat message: raw bytes and their MIME type (`image/png`, `image/jpeg`)."""

    data: bytes
    mime_type: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


Role = Literal["system", "user", "assistant"]


@dataclass(frozen=True)
class ChatMessage:
    """One turn: a role and its parts, text strings and images in order."""

    role: Role
    parts: tuple[str | ImagePart, ...]

    @classmethod
    def user(cls, *parts: str | ImagePart) -> ChatMessage:
        return cls("user", tuple(parts))

    @classmethod
    def system(cls, text: str) -> ChatMessage:
        return cls("system", (text,))


@dataclass(frozen=True)
class ChatRequest:
    """A chat completion request to a model named by `model` (the backend's own model id)."""

    model: str
    messages: tuple[ChatMessage, ...]
    max_tokens: int = 1024
    temperature: float = 0.0
    top_p: float = 1.0
    seed: int | None = None
    extra: tuple[tuple[str, str], ...] = field(default=())

    def canonical(self) -> dict:
        """A JSON-able description of every field; images appear as their sha256."""
        return {
            "model": self.model,
            "messages": [
                {"role": m.role,
                 "parts": [p if isinstance(p, str) else {"image_sha256": p.sha256,
                                                         "mime_type": p.mime_type}
                           for p in m.parts]}
                for m in self.messages
            ],
            "max_tokens": self.max_tokens,
            "temperature": self.temperature,
            "top_p": self.top_p,
            "seed": self.seed,
            "extra": [list(kv) for kv in self.extra],
        }

    def cache_key(self, backend: str) -> str:
        """sha256 of the backend name and the full canonical request."""
        blob = json.dumps({"backend": backend, **self.canonical()}, sort_keys=True)
        return hashlib.sha256(blob.encode()).hexdigest()


@dataclass(frozen=True)
class ChatResponse:
    """A model's answer, or the error that stopped it after all retries.

    Exactly one of `text` and `error` is set. `attempts` counts calls made for this request
    (0 when it came from the cache).
    """

    text: str | None
    error: str | None = None
    model: str = ""
    finish_reason: str | None = None
    input_tokens: int | None = None
    output_tokens: int | None = None
    attempts: int = 1
    cached: bool = False

    def __post_init__(self) -> None:
        assert (self.text is None) != (self.error is None), "set exactly one of text and error"

    @property
    def ok(self) -> bool:
        return self.error is None
