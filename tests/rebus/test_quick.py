from __future__ import annotations

import json
from pathlib import Path

import pytest

from reprolab.core.report import StudyContext
from reprolab.rebus import quick
from reprolab.rebus.data.published import PUBLISHED
from reprolab.rebus.full import run_full
from reprolab.rebus.quick import run_quick


@pytest.mark.needs_data("rebus")
def test_quick_reproduction_matches_the_published_overall_column(tmp_path: Path) -> None:
    result = run_quick(StudyContext(out=tmp_path))
    assert result.status == "ok"
    assert len(result.comparisons) == len(PUBLISHED) == 16
    assert all(c.ours == c.paper for c in result.comparisons)  # overall column, all 16 models
    assert "63 of 64 published cells" in result.summary
    [(_, leaderboard), (_, decided)] = result.tables
    assert len(leaderboard) == 18  # 17 model columns and the human solver
    assert set(decided["model"]) <= set(PUBLISHED) and "agree" not in set(decided["rule"])
    tagged = decided[decided["rule"].str.startswith("[COUNT]")]
    assert set(tagged["answer"]) == {"Calcutta", "Salt Lake", "Hawthorn", "Gustav Mahler"}
    [(_, figure)] = result.figures
    assert figure.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (tmp_path / "regrade" / "hand_grade_decisions.csv").exists()


def test_full_reproduction_is_the_regrade_headed_by_its_own_cells(
    rebus_data_dir: Path, tmp_path: Path,
) -> None:
    result = run_full(StudyContext(out=tmp_path, seed=3))
    folder = tmp_path / "regrade"
    assert json.loads((folder / "config.json").read_text())["config"] == {"seed": 3}
    assert json.loads((folder / "status.json").read_text()) == {"status": "complete"}
    saved = json.loads((folder / "results.json").read_text())
    assert (result.headline.ours, result.headline.paper) == (
        saved["published_cells_reproduced"], saved["published_cells"])
    [(_, leaderboard), _] = result.tables
    assert set(leaderboard["model"]) == {"Model A", "Model B", "Human"}


@pytest.mark.parametrize("committed", [True, False])
def test_quick_headline_comes_from_the_committed_results_when_present(
    committed: bool, rebus_data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    results = tmp_path / "results" / "rebus"
    if committed:
        (results / "regrade").mkdir(parents=True)
        (results / "regrade" / "results.json").write_text(json.dumps(
            {"published_cells_reproduced": 61, "published_cells": 64}))
    monkeypatch.setattr(quick, "RESULTS_DIR", results)
    result = run_quick(StudyContext(out=tmp_path / "quick"))
    run = json.loads((tmp_path / "quick" / "regrade" / "results.json").read_text())
    expected = (61, 64) if committed else (run["published_cells_reproduced"],
                                           run["published_cells"])
    assert (result.headline.ours, result.headline.paper) == expected
