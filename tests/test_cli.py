import json

import pytest
from typer.testing import CliRunner

from reprolab import reproduce as reproduce_mod
from reprolab.cli import app
from reprolab.core.data import ENV_VAR, MissingDataError
from reprolab.core.report import Comparison, StudyResult
from reprolab.studies import STUDIES, StudyInfo

runner = CliRunner()


def test_help_lists_studies_and_verbs():
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for name in ("chem", "backdoor", "rebus", "invscale", "science4cast", "capsules",
                 "reproduce", "data", "models"):
        assert name in result.output


def test_unbuilt_study_says_so_in_one_line(monkeypatch):
    monkeypatch.setitem(STUDIES._items, "chem", StudyInfo("chem", "t", "p", "reprolab.nothere"))
    info = STUDIES["chem"]
    with pytest.raises(Exception, match="not built yet"):
        info.reproduction(True)


def test_data_verify_and_fetch_errors(tmp_path, monkeypatch):
    monkeypatch.setenv(ENV_VAR, str(tmp_path))
    result = runner.invoke(app, ["data", "verify", "rebus"])
    assert result.exit_code == 0
    assert "skipped" in result.output and "reprolab data fetch rebus" in result.output
    result = runner.invoke(app, ["data", "fetch", "rebsu"])
    assert result.exit_code == 1
    assert "Did you mean 'rebus'" in result.output
    assert "Traceback" not in result.output


def test_reproduce_unknown_study():
    result = runner.invoke(app, ["reproduce", "capsuls", "--quick"])
    assert result.exit_code == 1
    assert "Did you mean 'capsules'" in result.output


def _fake_studies(monkeypatch, behaviours):
    """Register fake studies whose quick reproduction does `behaviours[name](ctx)`."""
    monkeypatch.setattr(StudyInfo, "reproduction", lambda self, quick: behaviours[self.name])
    for name in behaviours:
        monkeypatch.setitem(STUDIES._items, name, StudyInfo(name, name.title(), "p", f"x.{name}"))


def test_reproduce_keeps_going_past_missing_data_and_failures(tmp_path, monkeypatch):
    def good(ctx):
        (ctx.out / "x.txt").write_text("done")
        return StudyResult("good", "Good", "fine", comparisons=[Comparison("acc", 0.5, 0.5)])

    def missing(ctx):
        raise MissingDataError(f"'mnist' absent: run `reprolab data fetch mnist` ({ENV_VAR})")

    def broken(ctx):
        raise RuntimeError("boom")

    _fake_studies(monkeypatch, {"good": good, "missing": missing, "broken": broken})
    out = tmp_path / "report"
    result = runner.invoke(app, ["reproduce", "good", "missing", "broken", "--quick",
                                 "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "reprolab data fetch mnist" in result.output
    summary = json.loads((out / "report.json").read_text())
    assert [s["status"] for s in summary["studies"]] == ["ok", "skipped", "failed"]
    assert (out / "good" / "x.txt").read_text() == "done"
    assert "boom" in (out / "broken" / "error.txt").read_text()
    assert reproduce_mod.STUDIES is STUDIES
