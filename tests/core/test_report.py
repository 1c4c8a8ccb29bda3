import json

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd
import pytest

from reprolab.core.report import Comparison, StudyResult, build_report, markdown_table


def _figure(path):
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.bar(["easy", "hard"], [0.4, 0.1])
    fig.savefig(path)
    plt.close(fig)
    return path


@pytest.fixture
def report(tmp_path):
    results = [
        StudyResult(
            study="rebus", title="REBUS", summary="Re-graded leaderboard.",
            comparisons=[Comparison("GPT-4o overall", 0.417, 0.417, "exact")],
            tables=[("Leaderboard", pd.DataFrame({"model": ["gpt4o"], "overall": [0.4174]}))],
            figures=[("Accuracy by difficulty", _figure(tmp_path / "rebus.png"))],
        ),
        StudyResult(
            study="invscale", title="Inverse scaling", summary="Ladder on memo-trap.",
            figures=[("Trend", _figure(tmp_path / "trend.png"))],
        ),
        StudyResult(study="chem", title="SmileyLlama", summary="not built", status="skipped"),
    ]
    return build_report(results, tmp_path / "out")


def test_markdown_table():
    frame = pd.DataFrame({"a": [1, 2.0], "b": ["|x|", None]})
    expected = ["| a | b |", "|---|---|", "| 1 | \\|x\\| |", "| 2 | — |"]
    assert markdown_table(frame).splitlines() == expected


def test_report_files(report):
    md, page = report
    text = md.read_text()
    assert text.count("\n## ") == 3
    assert "| GPT-4o overall | 0.417 | 0.417 | exact |" in text
    html = page.read_text()
    assert html.count("data:image/png;base64,") == 2  # self-contained
    summary = json.loads((page.parent / "report.json").read_text())
    assert [s["status"] for s in summary["studies"]] == ["ok", "ok", "skipped"]


@pytest.mark.browser
def test_report_renders_in_chromium(report):
    from selenium.webdriver.common.by import By

    from tests.helpers.browser import chromium_driver, images_loaded

    _, page = report
    with chromium_driver() as driver:
        driver.get(page.as_uri())
        sections = driver.find_elements(By.CSS_SELECTOR, "section.study")
        assert [s.get_attribute("id") for s in sections] == [
            "study-rebus", "study-invscale", "study-chem"]
        assert all(s.find_element(By.TAG_NAME, "h2").text for s in sections)
        assert images_loaded(driver) == [True, True]
        cells = driver.find_elements(By.CSS_SELECTOR, "#study-rebus table td")
        assert "GPT-4o overall" in [c.text for c in cells]
