"""Anthropic's Messages API through the official `anthropic` SDK (`anthropic/MODEL`)."""

from __future__ import annotations

import base64
from typing import Any

import anthropic

from reprolab.lm.backends.base import BackendOptions
from reprolab.lm.backends.credentials import require_api_key
from reprolab.lm.backends.remote import (
    RemoteChatBackend,
    Verdict,
    extra_body,
    status_verdict,
    system_text,
)
from reprolab.lm.requests import ChatMessage, ChatRequest, ChatResponse


def to_anthropic_content(message: ChatMessage) -> list[dict[str, Any]]:
    """Content blocks: text blocks and base64 image blocks, in the message's order."""
    return [
        {"type": "text", "text": part}
        if isinstance(part, str)
        else {
            "type": "image",
            "source": {
                "type": "base64",
                "media_type": part.mime_type,
                "data": base64.b64encode(part.data).decode(),
            },
        }
        for part in message.parts
    ]


class AnthropicBackend(RemoteChatBackend):
    """Messages API. It has no sampling seed: `ChatRequest.seed` only changes the cache key."""

    def __init__(self, model: str, options: BackendOptions, *, api_key: str) -> None:
        super().__init__("anthropic", model, options, secrets=(api_key,))
        self._client = anthropic.Anthropic(
            api_key=api_key, base_url=options.base_url, timeout=options.timeout, max_retries=0
        )

    def _send(self, request: ChatRequest) -> ChatResponse:
        kwargs: dict[str, Any] = {
            "model": request.model,
            "max_tokens": request.max_tokens,
            "temperature": request.temperature,
            "messages": [
                {"role": m.role, "content": to_anthropic_content(m)}
                for m in request.messages
                if m.role != "system"
            ],
        }
        if system := system_text(request.messages):
            kwargs["system"] = system
        if request.top_p != 1.0:
            kwargs["top_p"] = request.top_p
        if request.extra:
            kwargs["extra_body"] = extra_body(request)
        message = self._client.messages.create(**kwargs)
        return ChatResponse(
            text="".join(block.text for block in message.content if block.type == "text"),
            model=message.model or request.model,
            finish_reason=message.stop_reason,
            input_tokens=message.usage.input_tokens,
            output_tokens=message.usage.output_tokens,
        )

    def _classify(self, exc: Exception) -> Verdict | None:
        if isinstance(exc, anthropic.APIStatusError):
            return status_verdict(exc.status_code, exc.response.headers)
        if isinstance(exc, anthropic.APIConnectionError):  # includes timeouts
            return True, None
        return None


def open_anthropic(model: str, options: BackendOptions) -> AnthropicBackend:
    """`anthropic/MODEL`: the key from ANTHROPIC_API_KEY."""
    key = require_api_key("Anthropic", ("ANTHROPIC_API_KEY",))
    return AnthropicBackend(model, options, api_key=key)
