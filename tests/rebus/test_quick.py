from __future__ import annotations

from pathlib import Path

import pytest

from reprolab.core.report import StudyContext
from reprolab.rebus.published import PUBLISHED
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
