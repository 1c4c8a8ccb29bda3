"""Google's Gemini API through the official `google-genai` SDK (`gemini/MODEL`)."""

from __future__ import annotations

import httpx
from google import genai
from google.genai import errors, types

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

KEY_ENVS = ("GEMINI_API_KEY", "GOOGLE_API_KEY")


def to_gemini_content(message: ChatMessage) -> types.Content:
    """A `Content` turn: text parts and inline image bytes; assistant turns are `model`."""
    parts = [
        types.Part.from_text(text=part)
        if isinstance(part, str)
        else types.Part.from_bytes(data=part.data, mime_type=part.mime_type)
        for part in message.parts
    ]
    return types.Content(role="model" if message.role == "assistant" else "user", parts=parts)


def _transport_errors() -> tuple[type[Exception], ...]:
    """Network failures (timeouts, refused or dropped connections) of the HTTP clients the SDK
    may use: httpx2 in google-genai 2+, httpx before."""
    try:
        import httpx2
    except ImportError:
        return (httpx.TransportError,)
    return (httpx.TransportError, httpx2.TransportError)


TRANSPORT_ERRORS = _transport_errors()


class GeminiBackend(RemoteChatBackend):
    """generateContent on the Gemini Developer API (not Vertex AI)."""

    def __init__(self, model: str, options: BackendOptions, *, api_key: str) -> None:
        super().__init__("gemini", model, options, secrets=(api_key,))
        http_options = types.HttpOptions(
            base_url=options.base_url,
            timeout=round(options.timeout * 1000),  # milliseconds
            retry_options=types.HttpRetryOptions(attempts=1),  # our retries count, not the SDK's
        )
        self._client = genai.Client(api_key=api_key, vertexai=False, http_options=http_options)

    def _send(self, request: ChatRequest) -> ChatResponse:
        extra = types.HttpOptions(extra_body=extra_body(request)) if request.extra else None
        config = types.GenerateContentConfig(
            system_instruction=system_text(request.messages) or None,
            max_output_tokens=request.max_tokens,
            temperature=request.temperature,
            top_p=request.top_p if request.top_p != 1.0 else None,
            seed=request.seed,
            http_options=extra,
        )
        response = self._client.models.generate_content(
            model=request.model,
            contents=[to_gemini_content(m) for m in request.messages if m.role != "system"],
            config=config,
        )
        candidate = response.candidates[0] if response.candidates else None
        if candidate is not None:
            finish = candidate.finish_reason.value if candidate.finish_reason else None
        else:  # the prompt itself was blocked
            feedback = response.prompt_feedback
            blocked = feedback.block_reason if feedback else None
            finish = f"blocked: {blocked.value}" if blocked else None
        usage = response.usage_metadata
        return ChatResponse(
            text=response.text or "",
            model=response.model_version or request.model,
            finish_reason=finish,
            input_tokens=usage.prompt_token_count if usage else None,
            output_tokens=usage.candidates_token_count if usage else None,
        )

    def _classify(self, exc: Exception) -> Verdict | None:
        if isinstance(exc, errors.APIError):
            headers = exc.response.headers if exc.response is not None else None
            return status_verdict(exc.code, headers)
        if isinstance(exc, TRANSPORT_ERRORS):  # timeouts, refused or dropped connections
            return True, None
        return None


def open_gemini(model: str, options: BackendOptions) -> GeminiBackend:
    """`gemini/MODEL`: the key from GEMINI_API_KEY, else GOOGLE_API_KEY."""
    key = require_api_key("Gemini", KEY_ENVS)
    return GeminiBackend(model, options, api_key=key)
