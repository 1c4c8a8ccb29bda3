"""Anthropic's Messages API through the official `anthropic` SDK (`anthropic/MODEL`).

API version 2026-10-21 (the SDK's default since anthropic 2.0) rejects `temperature` and
`top_p`, so by default they are not sent and the model samples its own way. Setting
$REPROLAB_ANTHROPIC_API_VERSION (e.g. `2023-06-01`, for models that still accept sampling
settings) sends that version and the request's `temperature` and `top_p`.
"""

from __future__ import annotations

import base64
import os
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


VERSION_ENV = "REPROLAB_ANTHROPIC_API_VERSION"


class AnthropicBackend(RemoteChatBackend):
    """Messages API. It has no sampling seed: `ChatRequest.seed` only changes the cache key;
    with `api_version` set, sampling settings are sent under that API version."""

    def __init__(
        self, model: str, options: BackendOptions, *, api_key: str, api_version: str | None
    ) -> None:
        super().__init__("anthropic", model, options, secrets=(api_key,))
        self._send_sampling = api_version is not None
        self._client = anthropic.Anthropic(
            api_key=api_key,
            base_url=options.base_url,
            timeout=options.timeout,
            max_retries=0,
            default_headers={"anthropic-version": api_version} if api_version else None,
        )

    def _send(self, request: ChatRequest) -> ChatResponse:
        kwargs: dict[str, Any] = {
            "model": request.model,
            "max_tokens": request.max_tokens,
            "messages": [
                {"role": m.role, "content": to_anthropic_content(m)}
                for m in request.messages
                if m.role != "system"
            ],
        }
        if system := system_text(request.messages):
            kwargs["system"] = system
        body = extra_body(request)
        if self._send_sampling:  # the SDK has no arguments for them any more
            sampling = {"temperature": request.temperature, "top_p": request.top_p}
            if request.top_p == 1.0:  # some models refuse both at once
                del sampling["top_p"]
            body = sampling | body
        if body:
            kwargs["extra_body"] = body
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
    """`anthropic/MODEL`: the key from ANTHROPIC_API_KEY; see the module on sampling."""
    key = require_api_key("Anthropic", ("ANTHROPIC_API_KEY",))
    version = os.environ.get(VERSION_ENV, "").strip() or None
    return AnthropicBackend(model, options, api_key=key, api_version=version)
