"""Shared test set-up: markers that skip with a reason when data, a browser or a GPU is absent.

`@pytest.mark.needs_data("rebus")` skips unless dataset `rebus` is present under
REPROLAB_DATA_DIR; `@pytest.mark.browser` skips without headless Chromium and its driver;
`@pytest.mark.gpu`
skips without CUDA.
"""

from __future__ import annotations

import os
import shutil

import pytest

os.environ.setdefault("REPROLAB_NO_PROGRESS", "1")


def chromium_path() -> str | None:
    """The headless Chromium binary, if installed."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if found := shutil.which(name):
            return found
    return None


def browser_missing() -> str | None:
    """Why browser tests cannot run (Chromium or its driver absent), or None when they can."""
    absent = [name for name, found in (("chromium", chromium_path()),
                                       ("chromedriver", shutil.which("chromedriver")))
              if found is None]
    if absent:
        return (f"{' and '.join(absent)} not installed: "
                "apt-get install chromium chromium-driver")
    return None


def pytest_runtest_setup(item: pytest.Item) -> None:
    for marker in item.iter_markers("needs_data"):
        from reprolab.core.data import ENV_VAR, is_available

        for name in marker.args:
            if not is_available(name):
                pytest.skip(f"dataset {name!r} absent: set {ENV_VAR} (CI uses ../shared/data)")
    if item.get_closest_marker("browser") and (reason := browser_missing()):
        pytest.skip(reason)
    if item.get_closest_marker("gpu"):
        import torch

        if not torch.cuda.is_available():
            pytest.skip("needs a CUDA GPU")
