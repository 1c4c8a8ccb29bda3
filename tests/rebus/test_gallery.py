from __future__ import annotations

from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from reprolab.rebus.data.dataset import load_local
from reprolab.rebus.data.released import load_released
from reprolab.rebus.gallery import write_gallery
from reprolab.rebus.scoring.regrade import regrade_released
from tests.helpers.browser import chromium_driver, images_loaded


@pytest.fixture
def page(rebus_folder: Path, tmp_path: Path) -> Path:
    puzzles = load_local(rebus_folder)
    graded = regrade_released(puzzles, load_released(rebus_folder))
    return write_gallery(puzzles, graded, tmp_path / "gallery")


def test_gallery_lists_every_answer_marked(page: Path) -> None:
    text = page.read_text()
    assert text.count("<article class='puzzle'") == 3
    assert text.count("class='right'") == 2 + 3  # Model A: 0001, 0002; Human: all three
    assert "Model A: [[NONE]]" in text
    assert "Model B: porpoise <em title='[COUNT] tag in eval_results.csv'>(authors' grade: right)" \
        in text
    assert "Image: Photo by X, CC BY-SA" in text
    assert sorted(p.name for p in (page.parent / "images").iterdir()) == [
        "0001.png", "0002.jpg", "0003.png"]


def visible(driver, selector: str) -> list[str]:
    elements = driver.find_elements(By.CSS_SELECTOR, selector)
    return [e.get_attribute("id") or e.text for e in elements if e.is_displayed()]


@pytest.mark.browser
def test_images_and_filters_work_in_chromium(page: Path) -> None:
    with chromium_driver() as driver:
        driver.get(page.as_uri())
        driver.execute_script("document.querySelectorAll('img').forEach(i => i.loading='eager')")
        driver.execute_script("window.scrollTo(0, document.body.scrollHeight)")
        assert images_loaded(driver) == [True, True, True]
        Select(driver.find_element(By.ID, "difficulty")).select_by_value("Medium")
        assert visible(driver, ".puzzle") == ["p0002", "p0003"]
        assert driver.find_element(By.ID, "shown").text == "2"
        Select(driver.find_element(By.ID, "difficulty")).select_by_value("")
        Select(driver.find_element(By.ID, "model")).select_by_value("Model B")
        assert visible(driver, ".answers li") == [
            "Model B: Rome", "Model B: porpoise (authors' grade: right)", "Model B: Andrews"]
        Select(driver.find_element(By.ID, "outcome")).select_by_value("wrong")
        assert visible(driver, ".puzzle") == ["p0001", "p0002", "p0003"]
        Select(driver.find_element(By.ID, "model")).select_by_value("Model A")
        assert visible(driver, ".puzzle") == ["p0003"]
        Select(driver.find_element(By.ID, "theme")).select_by_value("Cities")
        assert visible(driver, ".puzzle") == []
