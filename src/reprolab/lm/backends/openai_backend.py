"""OpenAI chat completions through the official `openai` SDK, for OpenAI itself and for any
server that speaks the same API (vLLM, Ollama, llama.cpp server: `openai-compatible/MODEL`)."""

from __future__ import annotations

import base64
import os
from typing import Any

import openai

from reprolab.core.errors import UserError
from reprolab.lm.backends.base import BackendOptions
from reprolab.lm.backends.credentials import optional_api_key, public_url, require_api_key
from reprolab.lm.backends.remote import (
    RemoteChatBackend,
    Verdict,
    extra_body,
    status_verdict,
)
from reprolab.lm.requests import ChatMessage, ChatRequest, ChatResponse, ImagePart

BASE_URL_ENV = "REPROLAB_OPENAI_BASE_URL"
COMPATIBLE_KEY_ENV = "REPROLAB_OPENAI_COMPATIBLE_API_KEY"


def image_url(image: ImagePart) -> str:
    """The image as a base64 `data:` URL, the form chat completions accept inline."""
    return f"data:{image.mime_type};base64,{base64.b64encode(image.data).decode()}"


def to_openai_message(message: ChatMessage) -> dict[str, Any]:
    """A chat-completions message: plain text content, or a list of text and image parts."""
    if all(isinstance(part, str) for part in message.parts):
        return {"role": message.role, "content": "\n".join(message.parts)}  # type: ignore[arg-type]
    content = [
        {"type": "text", "text": part}
        if isinstance(part, str)
        else {"type": "image_url", "image_url": {"url": image_url(part)}}
        for part in message.parts
    ]
    return {"role": message.role, "content": content}


class OpenAIBackend(RemoteChatBackend):
    """Chat completions; `token_field` is `max_completion_tokens` for OpenAI (its reasoning
    models refuse `max_tokens`) and `max_tokens` for compatible servers, which all know it."""

    def __init__(
        self,
        provider: str,
        model: str,
        options: BackendOptions,
        *,
        api_key: str,
        base_url: str | None,
        token_field: str,
        cache_scope: str | None = None,
    ) -> None:
        super().__init__(provider, model, options, secrets=(api_key,), cache_scope=cache_scope)
        self._client = openai.OpenAI(
            api_key=api_key, base_url=base_url, timeout=options.timeout, max_retries=0
        )
        self._token_field = token_field

    def _send(self, request: ChatRequest) -> ChatResponse:
        kwargs: dict[str, Any] = {
            "model": request.model,
            "messages": [to_openai_message(m) for m in request.messages],
            self._token_field: request.max_tokens,
            "temperature": request.temperature,
        }
        if request.top_p != 1.0:
            kwargs["top_p"] = request.top_p
        if request.seed is not None:
            kwargs["seed"] = request.seed
        if request.extra:
            kwargs["extra_body"] = extra_body(request)
        completion = self._client.chat.completions.create(**kwargs)
        choice = completion.choices[0]
        usage = completion.usage
        return ChatResponse(
            text=choice.message.content or "",
            model=completion.model or request.model,
            finish_reason=choice.finish_reason,
            input_tokens=usage.prompt_tokens if usage else None,
            output_tokens=usage.completion_tokens if usage else None,
        )

    def _classify(self, exc: Exception) -> Verdict | None:
        if isinstance(exc, openai.APIStatusError):
            return status_verdict(exc.status_code, exc.response.headers)
        if isinstance(exc, openai.APIConnectionError):  # includes timeouts
            return True, None
        return None


def open_openai(model: str, options: BackendOptions) -> OpenAIBackend:
    """`openai/MODEL`: the key from OPENAI_API_KEY; `base_url` optional (a proxy, a test server)."""
    key = require_api_key("OpenAI", ("OPENAI_API_KEY",))
    return OpenAIBackend(
        "openai", model, options, api_key=key, base_url=options.base_url,
        token_field="max_completion_tokens",
    )


def open_openai_compatible(model: str, options: BackendOptions) -> OpenAIBackend:
    """`openai-compatible/MODEL`: a local or hosted server at `base_url` (or
    $REPROLAB_OPENAI_BASE_URL, e.g. http://localhost:8000/v1); a key is optional."""
    base_url = options.base_url or os.environ.get(BASE_URL_ENV)
    if not base_url:
        raise UserError(
            f"openai-compatible/{model} needs the server's URL: pass base_url or set "
            f"{BASE_URL_ENV} (e.g. http://localhost:8000/v1)."
        )
    key = optional_api_key((COMPATIBLE_KEY_ENV,))
    return OpenAIBackend(
        "openai-compatible", model, options, api_key=key or "not-needed", base_url=base_url,
        token_field="max_tokens",
        cache_scope=f"openai-compatible/{model}@{public_url(base_url).rstrip('/')}",
    )
