"""Progress bars: one live display, which nested bars share."""

from __future__ import annotations

from reprolab.core import progress as P


def test_nested_bars_share_the_live_display(monkeypatch):
    monkeypatch.setattr(P, "progress_enabled", lambda: True)  # as on a terminal
    with P.make_progress() as outer:
        task = outer.add_task("study", total=2)
        with P.make_progress() as inner:  # rich allows one live display: this must not raise
            assert inner is outer
            inner.add_task("sampling", total=3)
            assert len(outer.task_ids) == 2
        assert outer.task_ids == [task]  # the inner bar is gone with its block
        assert list(P.track([1, 2], "items")) == [1, 2]
    with P.make_progress() as again:  # a fresh display once the outer one has closed
        assert again is not outer
