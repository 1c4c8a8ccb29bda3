"""Headless Chromium for tests that render HTML the project writes.

`with chromium_driver() as driver: driver.get(path.as_uri())` gives a selenium WebDriver on the
Debian `chromium` + `chromium-driver` packages (never a downloaded browser). Mark such tests
`@pytest.mark.browser`; they skip when Chromium is absent.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

from tests.conftest import chromium_path


@contextmanager
def chromium_driver(width: int = 1280, height: int = 1000) -> Iterator[webdriver.Chrome]:
    """A headless Chromium WebDriver, quit on exit."""
    options = webdriver.ChromeOptions()
    options.binary_location = chromium_path() or "chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 f"--window-size={width},{height}"):
        options.add_argument(flag)
    driver_path = shutil.which("chromedriver") or "/usr/bin/chromedriver"
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def images_loaded(driver: webdriver.Chrome) -> list[bool]:
    """For each <img> on the page: did it decode to a non-empty picture?"""
    return driver.execute_script(
        "return Array.from(document.images).map(i => i.complete && i.naturalWidth > 0);"
    )
