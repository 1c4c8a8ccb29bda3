"""A SQLite cache of successful chat responses, keyed by `ChatRequest.cache_key(backend)`.

Each response is committed the moment it arrives (WAL journal), so a run killed halfway keeps
everything it was answered and a rerun asks only for the rest. Failures are never stored: a
rerun retries them. Several processes may share one file. A path that is a folder, cannot be
created or is not an SQLite file raises `UserError` naming it.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from pathlib import Path

from reprolab.core.errors import UserError
from reprolab.lm.requests import ChatRequest, ChatResponse

DEFAULT_CACHE_PATH = Path("~/.cache/reprolab/chat_cache.sqlite")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS responses (
    key TEXT PRIMARY KEY,
    backend TEXT NOT NULL,
    request TEXT NOT NULL,
    text TEXT NOT NULL,
    model TEXT NOT NULL,
    finish_reason TEXT,
    input_tokens INTEGER,
    output_tokens INTEGER,
    created REAL NOT NULL
)
"""


class ResponseCache:
    """Successful responses on disk. `get` and `put` are thread-safe."""

    def __init__(self, path: Path | str | None = None) -> None:
        self.path = Path(os.path.expanduser(path or DEFAULT_CACHE_PATH))
        if self.path.is_dir():
            raise UserError(f"Response cache {self.path} is a folder: give a file, e.g. "
                            f"{self.path / 'chat_cache.sqlite'}.")
        self._lock = threading.Lock()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, timeout=60, check_same_thread=False)
            with self._lock, self._db:
                self._db.execute("PRAGMA journal_mode=WAL")
                self._db.execute("PRAGMA synchronous=NORMAL")  # durable across a process crash
                self._db.execute(_SCHEMA)
        except (OSError, sqlite3.DatabaseError) as error:
            raise UserError(f"Response cache {self.path} cannot be used ({error}): give another "
                            "file, or move this one away to start an empty cache.") from None

    def get(self, key: str) -> ChatResponse | None:
        """The stored response for `key` (marked `cached`, zero attempts), or None."""
        with self._lock:
            row = self._db.execute(
                "SELECT text, model, finish_reason, input_tokens, output_tokens"
                " FROM responses WHERE key = ?",
                (key,),
            ).fetchone()
        if row is None:
            return None
        text, model, finish_reason, input_tokens, output_tokens = row
        return ChatResponse(
            text=text,
            model=model,
            finish_reason=finish_reason,
            input_tokens=input_tokens,
            output_tokens=output_tokens,
            attempts=0,
            cached=True,
        )

    def put(self, backend: str, request: ChatRequest, response: ChatResponse) -> None:
        """Store a successful `response` to `request` and commit at once; errors are skipped."""
        if not response.ok:
            return
        row = (
            request.cache_key(backend),
            backend,
            json.dumps(request.canonical(), sort_keys=True),
            response.text,
            response.model,
            response.finish_reason,
            response.input_tokens,
            response.output_tokens,
            time.time(),
        )
        with self._lock, self._db:
            self._db.execute(
                "INSERT OR REPLACE INTO responses VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", row
            )

    def __len__(self) -> int:
        with self._lock:
            return self._db.execute("SELECT COUNT(*) FROM responses").fetchone()[0]

    def close(self) -> None:
        with self._lock:
            self._db.close()
