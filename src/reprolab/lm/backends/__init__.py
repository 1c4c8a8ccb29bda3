"""Chat backends: one interface to OpenAI, Anthropic, Gemini, any OpenAI-compatible server and
local transformers vision-language models, with a response cache and retries.

    from reprolab.lm.backends import open_backend
    from reprolab.lm.requests import ChatMessage, ImagePart

    backend = open_backend("openai/gpt-4o", concurrency=8)
    image = ImagePart(png_bytes, "image/png")
    requests = [backend.request([ChatMessage.user(image, "What is this?")], max_tokens=64)]
    responses = backend.complete(requests)        # same order; failures are error responses

Specs: `openai/MODEL`, `anthropic/MODEL`, `gemini/MODEL`, `openai-compatible/MODEL` (vLLM,
Ollama, llama.cpp: needs `base_url` or $REPROLAB_OPENAI_BASE_URL) and `hf/PATH_OR_ID`.
Keys come only from the environment: OPENAI_API_KEY, ANTHROPIC_API_KEY, GEMINI_API_KEY (or
GOOGLE_API_KEY), REPROLAB_OPENAI_COMPATIBLE_API_KEY (optional).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path

from reprolab.core.errors import UserError
from reprolab.core.registry import Registry, UnknownNameError
from reprolab.lm.backends.base import BackendOptions, ChatBackend
from reprolab.lm.backends.cache import DEFAULT_CACHE_PATH, ResponseCache
from reprolab.lm.backends.credentials import MissingAPIKeyError

__all__ = [
    "DEFAULT_CACHE_PATH",
    "PROVIDERS",
    "BackendOptions",
    "ChatBackend",
    "MissingAPIKeyError",
    "ResponseCache",
    "UnknownNameError",
    "open_backend",
]

# provider -> "module:factory"; modules load on first use, so only the SDK in use is imported.
PROVIDERS: Registry[str] = Registry("chat provider")
PROVIDERS.register("openai", "openai_backend:open_openai")
PROVIDERS.register("openai-compatible", "openai_backend:open_openai_compatible")
PROVIDERS.register("anthropic", "anthropic_backend:open_anthropic")
PROVIDERS.register("gemini", "gemini_backend:open_gemini")
PROVIDERS.register("hf", "hf_vision:open_hf")


def open_backend(
    spec: str,
    *,
    base_url: str | None = None,
    cache_path: Path | None = None,
    max_retries: int = 6,
    timeout: float = 120.0,
    concurrency: int = 4,
    base_delay: float = 1.0,
    use_cache: bool = True,
    device: str = "auto",
) -> ChatBackend:
    """The backend for `spec` (`provider/model`); see `BackendOptions` for the settings.

    Raises `UnknownNameError` (with close matches) for an unknown provider,
    `MissingAPIKeyError` when the provider's key variable is unset, and `UserError` for a
    malformed spec or setting — each a one-line message saying what to do.
    """
    provider, slash, model = spec.partition("/")
    if not slash or not model:
        raise UserError(f"Model spec {spec!r} should read PROVIDER/MODEL, e.g. openai/gpt-4o.")
    options = BackendOptions(
        base_url=base_url,
        cache_path=cache_path,
        use_cache=use_cache,
        max_retries=max_retries,
        base_delay=base_delay,
        timeout=timeout,
        concurrency=concurrency,
        device=device,
    )
    module, factory = PROVIDERS[provider].split(":")
    opener: Callable[[str, BackendOptions], ChatBackend] = getattr(
        importlib.import_module(f"{__name__}.{module}"), factory
    )
    return opener(model, options)
