"""Rich progress bars with one look across the project."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

T = TypeVar("T")


def progress_enabled() -> bool:
    """Bars show on a terminal unless REPROLAB_NO_PROGRESS is set."""
    return sys.stderr.isatty() and not os.environ.get("REPROLAB_NO_PROGRESS")


_live: list[Progress] = []  # the display on screen, if any


@contextmanager
def make_progress() -> Iterator[Progress]:
    """A progress display writing to stderr, disabled off a terminal. Opened inside another (a
    sampler inside a study's loop), it lends the outer display, since only one can be live, and
    takes its own bars away when it closes."""
    if _live:
        outer = _live[-1]
        before = set(outer.task_ids)
        try:
            yield outer
        finally:
            for task in set(outer.task_ids) - before:
                outer.remove_task(task)
        return
    progress = Progress(
        TextColumn("[bold blue]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        disable=not progress_enabled(),
        transient=False,
    )
    _live.append(progress)
    try:
        with progress:
            yield progress
    finally:
        _live.pop()


def track(items: Iterable[T], description: str, total: int | None = None) -> Iterator[T]:
    """Iterate `items` with a progress bar labelled `description`."""
    if total is None and hasattr(items, "__len__"):
        total = len(items)  # type: ignore[arg-type]
    with make_progress() as progress:
        task = progress.add_task(description, total=total)
        for item in items:
            yield item
            progress.advance(task)
