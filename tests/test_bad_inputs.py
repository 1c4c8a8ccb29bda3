"""Bad input to the shared verbs (`data`, `models`, `reproduce`): one line, a non-zero exit, and
nothing already there is lost. Each study adds its verbs in `tests/test_bad_inputs_<study>.py`."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from reprolab.cli import app
from reprolab.core.data import ENV_VAR
from tests.helpers.cli_errors import one_line

runner = CliRunner()

CASES = [
    (["data", "fetch", "rebsu"], "Did you mean 'rebus'"),
    (["data", "verify", "mnsit"], "Did you mean 'mnist'"),
    (["data", "verify", "rebus"], "reprolab data fetch rebus"),
    (["models", "prepare", "smollm3"], "Did you mean 'smollm2-135m'"),
    (["reproduce", "capsuls", "--quick"], "Did you mean 'capsules'"),
    (["reproduce", "rebus", "--quick", "--device", "bogus"], "--device 'bogus' is not a device"),
    (["reproduce", "rebus", "--quick", "--out", "{file}"], "is a file"),
    (["reproduce", "rebus", "--quick", "--out", "{busy}"], "not empty and holds no report"),
]


@pytest.mark.parametrize(("argv", "fragment"), CASES, ids=[" ".join(a) for a, _ in CASES])
def test_bad_input_is_one_line_and_keeps_what_is_there(argv, fragment, tmp_path, monkeypatch):
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "data"))
    a_file = tmp_path / "notes.txt"
    a_file.write_text("keep")
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "mine.txt").write_text("keep")
    argv = [arg.format(file=a_file, busy=busy) for arg in argv]
    assert fragment in one_line(runner.invoke(app, argv))
    assert a_file.read_text() == "keep" and (busy / "mine.txt").read_text() == "keep"
    assert sorted(p.name for p in busy.iterdir()) == ["mine.txt"]
