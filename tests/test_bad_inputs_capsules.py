"""Bad input to `reprolab capsules`: one line, exit 1, and nothing already there is lost."""

from __future__ import annotations

import gzip

import pytest
from typer.testing import CliRunner

from reprolab.capsules.mnist import FILES
from reprolab.cli import app
from reprolab.core.data import ENV_VAR
from tests.helpers.cli_errors import one_line

runner = CliRunner()
TINY = ["--width", "0.03", "--max-batches", "1", "--n-val", "4", "--n-test", "4"]

CASES = [
    (["capsules", "train", "--model", "capsnot"], "Unknown model 'capsnot'"),
    (["capsules", "train", "--width", "0"], "--width must be in (0, 4]"),
    (["capsules", "train", "--batch-size", "0"], "--batch-size must be >= 1"),
    (["capsules", "train", "--device", "bogus"], "--device 'bogus' is not a device"),
    (["capsules", "train"], "reprolab data fetch mnist"),  # no data in the data folder
    (["capsules", "train", "--data", "tampered"], "run `reprolab data fetch mnist --force`"),
    (["capsules", "transfer", "--held-out", "12"], "--held-out must be digits 0-9"),
    (["capsules", "transfer", "--k", "1,x"], "--k takes a comma list of int"),
    (["capsules", "transfer", "--k", "0"], "k values >= 1"),
    (["capsules", "transfer", "--seeds", "1,1"], "listed twice in --seeds"),
    (["capsules", "transfer", "--models", "cnn,cnn"], "A model is listed twice"),
    (["capsules", "transfer", "--margin", "1.5"], "--margin in [0, 1)"),
    (["capsules", "plot", "{busy}"], "holds no readable run record"),
    (["capsules", "plot", "{file}"], "holds no readable run record"),
    (["capsules", "transfer", "--data", "real", *TINY, "--out", "{file}"], "is a file"),
    (["capsules", "transfer", "--data", "real", *TINY, "--out", "{busy}"], "is not empty"),
]


def _tampered(folder):
    folder.mkdir(parents=True)
    for images, labels in FILES.values():
        for name in (images, labels):
            (folder / name).write_bytes(gzip.compress(b"\0\0\x08\x01\0\0\0\x01\0"))


@pytest.mark.parametrize(("argv", "fragment"), CASES, ids=[" ".join(a) for a, _ in CASES])
def test_bad_input_is_one_line_and_keeps_what_is_there(argv, fragment, tmp_path, monkeypatch):
    data = tmp_path / "data"
    if "--data" in argv:
        where = argv.pop(argv.index("--data") + 1)
        argv.remove("--data")
        if where == "real":
            from reprolab.core.data import is_available

            if not is_available("mnist"):
                pytest.skip("needs the mnist dataset")
            data = None
        else:
            _tampered(data / "mnist")
    if data is not None:
        monkeypatch.setenv(ENV_VAR, str(data))
    a_file = tmp_path / "notes.txt"
    a_file.write_text("keep")
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "mine.txt").write_text("keep")
    argv = [arg.format(file=a_file, busy=busy) for arg in argv]
    assert fragment in one_line(runner.invoke(app, argv))
    assert a_file.read_text() == "keep" and sorted(p.name for p in busy.iterdir()) == ["mine.txt"]
