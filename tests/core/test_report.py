import json

import pandas as pd
import pytest

from reprolab.core import report as report_mod
from reprolab.core.figures import new_figure, save_png
from reprolab.core.report import Comparison, StudyResult, build_report, markdown_table


def _figure(path):
    fig, axes = new_figure(figsize=(3, 2))
    axes[0, 0].bar(["easy", "hard"], [0.4, 0.1])
    save_png(fig, path)
    return path


@pytest.fixture
def committed(tmp_path, monkeypatch):
    """A committed `results/rebus/` with a README, a wide table and a figure."""
    folder = tmp_path / "results" / "rebus"
    folder.mkdir(parents=True)
    _figure(folder / "leaderboard.png")
    wide = " | ".join(f"model-{i}" for i in range(40))
    folder.joinpath("README.md").write_text(
        "# REBUS: released answers re-graded\n\n`reprolab rebus regrade --out x`\n\n"
        f"| {wide} |\n|{'---|' * 40}\n| {' | '.join('0.5' for _ in range(40))} |\n\n"
        "![leaderboard](leaderboard.png)\n")
    monkeypatch.setattr(report_mod, "project_root", lambda: tmp_path)
    return folder


@pytest.fixture
def report(tmp_path, committed):
    results = [
        StudyResult(
            study="rebus", title="REBUS", summary="Re-graded leaderboard.",
            comparisons=[Comparison("GPT-4o overall", 0.417, 0.417, "exact")],
            tables=[("Leaderboard", pd.DataFrame({"model": ["gpt4o"], "overall": [0.4174]}))],
            figures=[("Accuracy by difficulty", _figure(tmp_path / "rebus.png"))],
            headline=Comparison("GPT-4V accuracy (%)", 24.0, 24.0),
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
    # one summary table first: study, status, headline beside the paper, where results live
    assert text.index("| REBUS | ok | GPT-4V accuracy (%) | 24 | 24 | results/rebus/ |") < (
        text.index("## REBUS"))
    assert "| Inverse scaling | ok | — | — | — | none yet |" in text
    # the committed results come first, the quick rerun is labelled a smoke check
    assert text.index("Real-scale results (committed in results/rebus/)") < text.index(
        "Quick rerun: a smoke check")
    assert "#### REBUS: released answers re-graded" in text  # README headings nested
    html = page.read_text()
    assert html.count("data:image/png;base64,") == 3  # self-contained, committed figure too
    assert "<div class='scroll'><table>" in html  # wide README tables scroll in their box
    summary = json.loads((page.parent / "report.json").read_text())
    assert [s["status"] for s in summary["studies"]] == ["ok", "ok", "skipped"]


def test_markdown_report_links_committed_figures_from_the_report_folder(report, committed):
    md, _ = report
    link = next(line for line in md.read_text().splitlines() if "leaderboard.png" in line)
    target = link[link.index("(") + 1:-1]
    assert (md.parent / target).resolve() == (committed / "leaderboard.png").resolve()


def test_browser_tests_need_both_chromium_and_its_driver(monkeypatch):
    import shutil

    from tests import conftest

    real_which = shutil.which
    monkeypatch.setattr(shutil, "which",
                        lambda name: None if name == "chromedriver" else real_which(name))
    monkeypatch.setattr(conftest, "chromium_path", lambda: "/usr/bin/chromium")
    reason = conftest.browser_missing()
    assert reason is not None and "chromedriver not installed" in reason
    assert "apt-get install chromium chromium-driver" in reason


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
        assert images_loaded(driver) == [True, True, True]
        page_width = driver.execute_script("return document.documentElement.scrollWidth")
        assert page_width <= 1280  # the 40-column committed table scrolls inside its box
        cells = driver.find_elements(By.CSS_SELECTOR, "#study-rebus table td")
        assert "GPT-4o overall" in [c.text for c in cells]
