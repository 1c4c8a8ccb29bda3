"""A fake chat API on 127.0.0.1 for tests: OpenAI chat completions, Anthropic messages and
Gemini generateContent, answered by a function the test writes, recording every call.

Point the real SDKs at it through `open_backend(..., base_url=server.base_url(provider))`:

    from reprolab.lm.requests import ChatMessage
    from tests.helpers.fake_chat_server import FakeChatServer, set_fake_keys

    def test_rebus(tmp_path, monkeypatch):
        set_fake_keys(monkeypatch)                  # OPENAI_API_KEY=... etc., all fake
        answers = {"puzzle 1": "ice cream"}
        with FakeChatServer(lambda call: "I think {{{" + answers[call.prompt] + "}}}") as server:
            backend = server.backend("openai", tmp_path / "cache.sqlite")
            server.fail_next(429)                   # the next call is rate limited
            [response] = backend.complete([backend.request([ChatMessage.user(image, "puzzle 1")])])
        assert response.text == "I think {{{ice cream}}}"
        assert [c.status for c in server.calls] == [429, 200]
        assert server.calls[1].images == [image.data]

`server.backend(provider, cache_path, **options)` is `open_backend` for the provider's entry in
EXAMPLE_MODELS, pointed at this server with a 1 ms base retry delay; `open_backend(spec,
base_url=server.base_url(provider), ...)` does the same for any model name.

The answer function gets a `Call` (provider, model, prompt, images, system, params, raw body)
and returns the reply text. It may instead raise `ScriptedError(status, message,
retry_after=...)` for an error reply, or `DropConnection()` to hang up without replying (the
client sees a dropped connection). `fail_next(*statuses)` queues error replies that come before
the answer function is consulted. The default answer echoes: `"echo: <prompt>"`.

The server is bounded: it answers at most `max_calls` calls (later ones get 410, which no
client retries) and shuts itself down after `lifetime` seconds; leaving the `with` block stops it.
Usage counts in replies are whitespace-separated words of the prompt and of the answer.
"""

from __future__ import annotations

import base64
import json
import re
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from reprolab.lm.backends import ChatBackend, open_backend

FAKE_KEYS = {
    "OPENAI_API_KEY": "sk-fake-openai-0123456789abcdef",
    "ANTHROPIC_API_KEY": "sk-ant-fake-anthropic-0123456789",
    "GEMINI_API_KEY": "AIzaFakeGeminiKey0123456789abcdefghij",
    "REPROLAB_OPENAI_COMPATIBLE_API_KEY": "sk-fake-compatible-0123456789",
}
PROVIDERS = ("openai", "anthropic", "gemini", "openai-compatible")
EXAMPLE_MODELS = {
    "openai": "gpt-4o",
    "anthropic": "claude-opus-4-8",
    "gemini": "gemini-2.5-flash",
    "openai-compatible": "llama-3.2-3b-instruct",
}
_GEMINI_PATH = re.compile(r"/v1(?:beta|alpha)?/models/(?P<model>[^/:]+):generateContent$")
_ERROR_STATUS = {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 404: "NOT_FOUND",
                 429: "RESOURCE_EXHAUSTED", 500: "INTERNAL", 503: "UNAVAILABLE"}


def set_fake_keys(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Set every provider's key variable to a fake value (and unset GOOGLE_API_KEY)."""
    for name, value in FAKE_KEYS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("GOOGLE_API_KEY", raising=False)
    return dict(FAKE_KEYS)


class ScriptedError(Exception):
    """Raised by an answer function: reply with HTTP `status`, `message` and `Retry-After`."""

    def __init__(self, status: int, message: str = "scripted error",
                 retry_after: float | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.retry_after = retry_after


class DropConnection(Exception):
    """Raised by an answer function: close the connection without a reply."""


@dataclass
class Call:
    """One request the server received, in a provider-neutral form; `provider` names the wire
    format (openai, anthropic or gemini; openai-compatible clients speak openai).

    `messages` holds (role, parts) with roles system/user/assistant and parts that are text
    or image bytes; `params` holds max_tokens, temperature, top_p and seed as sent (None when
    absent). `status` is the HTTP status replied, 0 for a dropped connection.
    """

    provider: str
    model: str
    messages: list[tuple[str, list[str | bytes]]]
    params: dict[str, Any]
    body: dict[str, Any]
    headers: dict[str, str]
    time: float = field(default_factory=time.monotonic)
    status: int = 0

    @property
    def prompt(self) -> str:
        """The text parts of the last user message, joined by newlines."""
        user = [parts for role, parts in self.messages if role == "user"]
        return "\n".join(p for p in (user[-1] if user else []) if isinstance(p, str))

    @property
    def system(self) -> str:
        return "\n\n".join(p for role, parts in self.messages if role == "system"
                           for p in parts if isinstance(p, str))

    @property
    def images(self) -> list[bytes]:
        """Every image in the request, in order."""
        return [p for _, parts in self.messages for p in parts if isinstance(p, bytes)]


def echo(call: Call) -> str:
    return f"echo: {call.prompt}"


class FakeChatServer:
    """A threaded HTTP server speaking three chat APIs; see the module docstring."""

    def __init__(self, answer: Callable[[Call], str] = echo, *, max_calls: int = 500,
                 lifetime: float = 120.0) -> None:
        self.answer = answer
        self.max_calls = max_calls
        self.calls: list[Call] = []
        self._lock = threading.Lock()
        self._statuses: deque[tuple[int, float | None]] = deque()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._timer = threading.Timer(lifetime, self.stop)
        self._timer.daemon = True

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def base_url(self, provider: str) -> str:
        """The `base_url` to give `open_backend` for `provider` (see PROVIDERS)."""
        assert provider in PROVIDERS, f"unknown provider {provider!r}"
        return f"{self.url}/v1" if provider.startswith("openai") else self.url

    def backend(self, provider: str, cache_path: Path, **options: Any) -> ChatBackend:
        """`open_backend` for EXAMPLE_MODELS[provider] against this server, retrying after
        1 ms (override with base_delay=...); `options` go to `open_backend`."""
        options = {"base_delay": 0.001, **options}
        return open_backend(f"{provider}/{EXAMPLE_MODELS[provider]}",
                            base_url=self.base_url(provider), cache_path=cache_path, **options)

    def fail_next(self, *statuses: int, retry_after: float | None = None) -> None:
        """Reply to the next len(statuses) calls with these error statuses, in order."""
        with self._lock:
            self._statuses.extend((status, retry_after) for status in statuses)

    @property
    def answered(self) -> list[Call]:
        """The calls that got a 200 reply."""
        with self._lock:
            return [c for c in self.calls if c.status == 200]

    def start(self) -> FakeChatServer:
        self._thread.start()
        self._timer.start()
        return self

    def stop(self) -> None:
        self._timer.cancel()
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> FakeChatServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _reply(self, call: Call) -> tuple[int, dict[str, Any], dict[str, str]] | None:
        """(status, JSON body, headers) for `call`, or None to drop the connection."""
        with self._lock:
            self.calls.append(call)
            over_budget = len(self.calls) > self.max_calls
            scripted = self._statuses.popleft() if self._statuses else None
        try:
            if over_budget:
                raise ScriptedError(410, f"fake server answered its {self.max_calls} calls")
            if scripted is not None:
                raise ScriptedError(scripted[0], retry_after=scripted[1])
            text = self.answer(call)
        except DropConnection:
            return None
        except ScriptedError as error:
            headers = {} if error.retry_after is None else {"Retry-After": str(error.retry_after)}
            call.status = error.status
            return error.status, _error_body(call.provider, error.status, error.message), headers
        call.status = 200
        return 200, _success_body(call, text), {}


def _handler_for(server: FakeChatServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
            call = _parse_call(self.path.split("?")[0], body, dict(self.headers.items()))
            if call is None:
                self._send(404, {"error": {"message": f"no route {self.path}"}}, {})
                return
            reply = server._reply(call)
            if reply is not None:
                self._send(*reply)

        def _send(self, status: int, payload: dict[str, Any], headers: dict[str, str]) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
            pass

    return Handler


def _parse_call(path: str, body: dict[str, Any], headers: dict[str, str]) -> Call | None:
    if path.endswith("/chat/completions"):
        return Call("openai", body.get("model", ""), _openai_messages(body), {
            "max_tokens": body.get("max_completion_tokens", body.get("max_tokens")),
            "temperature": body.get("temperature"), "top_p": body.get("top_p"),
            "seed": body.get("seed")}, body, headers)
    if path.endswith("/v1/messages"):
        return Call("anthropic", body.get("model", ""), _anthropic_messages(body), {
            "max_tokens": body.get("max_tokens"), "temperature": body.get("temperature"),
            "top_p": body.get("top_p"), "seed": None}, body, headers)
    if match := _GEMINI_PATH.search(path):
        config = body.get("generationConfig", {})
        return Call("gemini", match["model"], _gemini_messages(body), {
            "max_tokens": config.get("maxOutputTokens"), "temperature": config.get("temperature"),
            "top_p": config.get("topP"), "seed": config.get("seed")}, body, headers)
    return None


def _openai_messages(body: dict[str, Any]) -> list[tuple[str, list[str | bytes]]]:
    messages: list[tuple[str, list[str | bytes]]] = []
    for message in body.get("messages", []):
        content = message["content"]
        if isinstance(content, str):
            messages.append((message["role"], [content]))
            continue
        parts: list[str | bytes] = []
        for part in content:
            if part["type"] == "text":
                parts.append(part["text"])
            else:
                parts.append(base64.b64decode(part["image_url"]["url"].split(",", 1)[1]))
        messages.append((message["role"], parts))
    return messages


def _anthropic_messages(body: dict[str, Any]) -> list[tuple[str, list[str | bytes]]]:
    system = body.get("system")
    messages: list[tuple[str, list[str | bytes]]] = []
    if system:
        texts = [system] if isinstance(system, str) else [block["text"] for block in system]
        messages.append(("system", texts))
    for message in body.get("messages", []):
        content = message["content"]
        blocks = [{"type": "text", "text": content}] if isinstance(content, str) else content
        messages.append((message["role"], [
            block["text"] if block["type"] == "text" else base64.b64decode(block["source"]["data"])
            for block in blocks]))
    return messages


def _gemini_messages(body: dict[str, Any]) -> list[tuple[str, list[str | bytes]]]:
    def parts(content: dict[str, Any]) -> list[str | bytes]:
        out: list[str | bytes] = []
        for part in content.get("parts", []):
            inline = part.get("inlineData") or part.get("inline_data")
            # google-genai sends URL-safe base64; accept the standard alphabet as well
            out.append(base64.b64decode(inline["data"], altchars=b"-_") if inline else part["text"])
        return out

    messages: list[tuple[str, list[str | bytes]]] = []
    if system := body.get("systemInstruction") or body.get("system_instruction"):
        messages.append(("system", parts(system)))
    for content in body.get("contents", []):
        role = "assistant" if content.get("role") == "model" else "user"
        messages.append((role, parts(content)))
    return messages


def _words(texts: list[str]) -> int:
    return sum(len(text.split()) for text in texts)


def _success_body(call: Call, text: str) -> dict[str, Any]:
    prompt = _words([p for _, parts in call.messages for p in parts if isinstance(p, str)])
    answer = len(text.split())
    if call.provider == "openai":
        return {"id": f"chatcmpl-{len(text)}", "object": "chat.completion", "created": 0,
                "model": call.model,
                "choices": [{"index": 0, "finish_reason": "stop",
                             "message": {"role": "assistant", "content": text}}],
                "usage": {"prompt_tokens": prompt, "completion_tokens": answer,
                          "total_tokens": prompt + answer}}
    if call.provider == "anthropic":
        return {"id": "msg_fake", "type": "message", "role": "assistant", "model": call.model,
                "content": [{"type": "text", "text": text}], "stop_reason": "end_turn",
                "stop_sequence": None,
                "usage": {"input_tokens": prompt, "output_tokens": answer}}
    return {"candidates": [{"content": {"role": "model", "parts": [{"text": text}]},
                            "finishReason": "STOP", "index": 0}],
            "usageMetadata": {"promptTokenCount": prompt, "candidatesTokenCount": answer,
                              "totalTokenCount": prompt + answer},
            "modelVersion": call.model}


def _error_body(provider: str, status: int, message: str) -> dict[str, Any]:
    if provider == "anthropic":
        return {"type": "error", "error": {"type": f"http_{status}_error", "message": message}}
    if provider == "gemini":
        return {"error": {"code": status, "message": message,
                          "status": _ERROR_STATUS.get(status, "UNKNOWN")}}
    return {"error": {"message": message, "type": f"http_{status}", "code": str(status)}}
