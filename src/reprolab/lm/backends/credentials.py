"""API keys: read only from the environment, and scrubbed from any text we keep.

A key never reaches logs, error strings, the response cache or run records: every error
message a backend keeps passes through `scrub` first, and a server URL is kept only without its
`user:password@` part (`public_url`).
"""

from __future__ import annotations

import os
import re
from urllib.parse import unquote, urlsplit, urlunsplit

from reprolab.core.errors import UserError

# Shapes of provider keys, masked even when they are not the key this process holds
# (a server may echo a key back, or part of one).
_KEY_SHAPES = re.compile(
    r"(sk-[A-Za-z0-9_\-]{8,}|AIza[0-9A-Za-z_\-]{20,}|(?<=key=)[^&\s\"']+|(?<=Bearer )[^\s\"']+)"
)
MASK = "***"


class MissingAPIKeyError(UserError, RuntimeError):
    """No environment variable holds the key a provider needs; the message names it."""


def optional_api_key(names: tuple[str, ...]) -> str | None:
    """The value of the first variable in `names` that is set and not blank, else None."""
    for name in names:
        if value := os.environ.get(name, "").strip():
            return value
    return None


def require_api_key(provider: str, names: tuple[str, ...]) -> str:
    """Like `optional_api_key`, but a missing key raises `MissingAPIKeyError`, one line
    naming the variables to set."""
    if key := optional_api_key(names):
        return key
    raise MissingAPIKeyError(f"{provider} needs an API key: set {' or '.join(names)}.")


def scrub(text: str, secrets: tuple[str, ...] = ()) -> str:
    """`text` with each of `secrets` and anything shaped like an API key replaced by `***`."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, MASK)
    return _KEY_SHAPES.sub(MASK, text)


def url_credentials(url: str) -> tuple[str, ...]:
    """The user name and password written into `url` (`http://user:pass@host`), as written
    and percent-decoded, for `scrub`."""
    parts = urlsplit(url)
    return tuple({form for secret in (parts.username, parts.password) if secret
                  for form in (secret, unquote(secret))})


def public_url(url: str) -> str:
    """`url` without the `user:password@` part, for anything written down (cache keys, run
    records); requests keep using the full URL."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))
