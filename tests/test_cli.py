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
    from reprolab.core import data

    monkeypatch.setenv(ENV_VAR, str(tmp_path))
    result = runner.invoke(app, ["data", "verify", "rebus"])  # named but absent: a failure
    assert result.exit_code == 1
    assert "absent" in result.output and "reprolab data fetch rebus" in result.output
    result = runner.invoke(app, ["data", "verify"])  # all: absent ones skipped, MOSES checked
    assert result.exit_code == 0 and "rebus: skipped" in result.output
    assert "moses: ok" in result.output

    result = runner.invoke(app, ["data", "verify", "rebsu"])
    assert result.exit_code == 1 and "Did you mean 'rebus'" in result.output

    def absent(name):
        raise MissingDataError(f"{name} absent")

    monkeypatch.setattr(data, "verify", absent)
    result = runner.invoke(app, ["data", "verify"])  # nothing checked at all is a failure
    assert result.exit_code == 1
    assert "No dataset was found to check" in result.output
    result = runner.invoke(app, ["data", "fetch", "rebsu"])
    assert result.exit_code == 1
    assert "Did you mean 'rebus'" in result.output
    assert "Traceback" not in result.output


def test_reproduce_unknown_study():
    result = runner.invoke(app, ["reproduce", "capsuls", "--quick"])
    assert result.exit_code == 1
    assert "Did you mean 'capsules'" in result.output


@pytest.fixture(autouse=True)
def online(monkeypatch):
    """Reproduce runs here see the internet as reachable and leave the Hub switches alone."""
    monkeypatch.setattr(reproduce_mod, "offline", lambda: False)
    monkeypatch.setattr(reproduce_mod, "go_offline", lambda: None)


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


def test_reproduce_fetches_missing_data_or_skips_offline(tmp_path, monkeypatch):
    from reprolab.core import data

    monkeypatch.setenv(ENV_VAR, str(tmp_path / "data"))
    fetched = []

    def fake_fetch(name, force=False):
        fetched.append(name)
        (tmp_path / "data" / "mnist").mkdir(parents=True)
        for f in data.DATASETS["mnist"].required:
            (tmp_path / "data" / "mnist" / f).write_bytes(b"")
        return tmp_path / "data" / "mnist"

    monkeypatch.setattr(data, "fetch", fake_fetch)
    monkeypatch.setattr(data, "verify", lambda name: data.VerifyReport(name, tmp_path, (), (), ()))
    _fake_studies(monkeypatch, {"digits": lambda ctx: StudyResult("digits", "D", "ran")})
    monkeypatch.setitem(STUDIES._items, "digits",
                        StudyInfo("digits", "D", "p", "x.digits", datasets=("mnist",)))
    result = runner.invoke(app, ["reproduce", "digits", "--offline", "--quick",
                                 "--out", str(tmp_path / "r1")])
    assert result.exit_code == 0 and fetched == []
    assert "absent and offline" in result.output and "reprolab data fetch mnist" in result.output
    result = runner.invoke(app, ["reproduce", "digits", "--quick", "--out", str(tmp_path / "r2")])
    assert result.exit_code == 0, result.output
    assert fetched == ["mnist"] and "digits: ok" in result.output


def test_reproduce_without_quick_runs_the_real_scale_reproduction(tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(StudyInfo, "reproduction", lambda self, quick: (
        lambda ctx: calls.append(quick) or StudyResult(self.name, "T", "ran")))
    monkeypatch.setitem(STUDIES._items, "toy", StudyInfo("toy", "T", "p", "x.toy"))
    for flags in ([], ["--quick"]):
        out = tmp_path / f"r{len(calls)}"
        assert runner.invoke(app, ["reproduce", "toy", "--out", str(out), *flags]).exit_code == 0
    assert calls == [False, True]
    report = json.loads((tmp_path / "r0" / "report.json").read_text())
    assert report["quick"] is False


def test_reproduce_out_must_be_a_report_folder(tmp_path):
    a_file = tmp_path / "x.txt"
    a_file.write_text("mine")
    result = runner.invoke(app, ["reproduce", "rebus", "--quick", "--out", str(a_file)])
    assert result.exit_code == 1 and "is a file" in result.output
    assert a_file.read_text() == "mine"
    result = runner.invoke(app, ["reproduce", "rebus", "--device", "bogus"])
    assert result.exit_code == 1 and "is not a device" in result.output
