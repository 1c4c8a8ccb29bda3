"""Where studies keep what they compute once and reuse (reference statistics, indexes)."""

from __future__ import annotations

import os
from pathlib import Path

CACHE_ENV = "REPROLAB_CACHE_DIR"
DEFAULT_CACHE = Path("~/.cache/reprolab")


def cache_dir(study: str) -> Path:
    """`$REPROLAB_CACHE_DIR/<study>` (default `~/.cache/reprolab/<study>`); not created here."""
    return Path(os.environ.get(CACHE_ENV) or DEFAULT_CACHE).expanduser() / study
