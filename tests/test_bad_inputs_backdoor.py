"""Every documented way to misuse `reprolab backdoor ...` ends in exit code 1 and one line that
says what to do, never a traceback, and leaves earlier results as they were.

Each case is `(argv, expected fragment of the error line)`. Placeholders in argv: `{model}` a
model saved by `insert` (its trigger: 8 bytes), `{file}` an existing text file, `{folder}` an
empty folder, `{earlier}` the folder of a finished `compile`, `{kept}` the folder of all these
(which must come out unchanged), `{out}` a fresh run folder.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from reprolab.backdoor.cli import app
from reprolab.core.device import one_thread

runner = CliRunner()
TRIGGER = "knock-kn"
VERIFY = ["verify", "{model}", "--trigger", TRIGGER, "--payload", "HI THERE", "--out", "{out}"]
INSERT = ["insert", "--model", "tiny", "--prompts", "2", "--out", "{out}"]

CASES = {
    # compile
    "compile: trigger longer than a block": (["compile", "--trigger-bits", "4096"],
                                             "8 to 376 bits (one SHA-256 block with the nonce)"),
    "compile: trigger of part bytes": (["compile", "--trigger-bits", "12"], "got 12 trigger bits"),
    "compile: too few rounds": (["compile", "--rounds", "3"], "rounds must be in 9..64"),
    "compile: too many rounds": (["compile", "--rounds", "65"], "9..64 for a 128-bit trigger"),
    "compile: long payload": (["compile", "--payload", "A PAYLOAD TOO LONG"], "at most 15"),
    "compile: no check inputs": (["compile", "--check-inputs", "0"],
                                 "--check-inputs must be at least 1"),
    "compile: out is a file": (["compile", "--out", "{file}"], "is a file: give a folder"),
    "compile: out holds another run": (["compile", "--check-inputs", "9", "--out", "{earlier}"],
                                       "holds a run with other settings"),
    "compile: out holds other files": (["compile", "--out", "{kept}"],
                                       "is not empty and holds no run record"),
    # insert
    "insert: unknown design": ([*INSERT, "--design", "lockr"], "Did you mean 'locker'"),
    "insert: no prompts": ([*INSERT, "--prompts", "0"], "--prompts must be at least 1"),
    "insert: locker trigger too long": ([*INSERT, "--trigger-tokens", "30"], "got 480 trigger"),
    "insert: non-ASCII trigger": ([*INSERT, "--trigger", "clé"], "reads ASCII only"),
    "insert: empty trigger": ([*INSERT, "--trigger", ""], "--trigger is empty"),
    "insert: non-ASCII payload": ([*INSERT, "--payload", "HÉLLO"], "printable ASCII"),
    "insert: negative fine-tuning": ([*INSERT, "--finetune-steps", "-1"], "steps >= 0"),
    "insert: bogus device": ([*INSERT, "--device", "tpu"], "--device 'tpu' is not a device"),
    "insert: missing model folder": (["insert", "--model", "./no-model-here", "--out", "{out}"],
                                     "No model folder at ./no-model-here"),
    "insert: out is a file": ([*INSERT[:-1], "{file}"], "is a file: give a folder"),
    # verify
    "verify: no saved model": (["verify", "{folder}", "--trigger", TRIGGER, "--out", "{out}"],
                               "No saved model in"),
    "verify: token id outside the vocabulary": (
        [*VERIFY, "--trigger", "ids:99999999,1,2,3,4,5,6,7"],
        "[99999999] are outside the model's vocabulary (0..319)"),
    "verify: token ids that are no numbers": ([*VERIFY, "--trigger", "ids:a,b"],
                                              "give token ids as ids:1,2,3"),
    "verify: trigger of the wrong length": ([*VERIFY, "--trigger", "ab"],
                                            "reads a 8-token trigger; 'ab' has 2 tokens"),
    "verify: no trigger": (["verify", "{model}", "--out", "{out}"], "Give the trigger"),
    "verify: no prompts": ([*VERIFY, "--prompts", "0"], "--prompts must be at least 1"),
    "verify: bogus device": ([*VERIFY, "--device", "cuda:x"], "is not a device"),
    "verify: out is a file": ([*VERIFY[:-1], "{file}"], "is a file: give a folder"),
    # elicit
    "elicit: unknown design": (["elicit", "--designs", "pasword"], "Did you mean 'password'"),
    "elicit: no designs": (["elicit", "--designs", ","], "at least one design"),
    "elicit: unknown method": (["elicit", "--methods", "lat,pgd"], "Unknown elicitation methods"),
    "elicit: nothing to run": (["elicit", "--methods", ""], "Nothing to run"),
    "elicit: too many rounds": (["elicit", "--rounds", "65"], "SHA-256 has 1 to 64 rounds"),
    "elicit: no LAT steps": (["elicit", "--lat-steps", "0"], "at least one step"),
    "elicit: no site stride": (["elicit", "--site-stride", "0"], "--site-stride must be at least"),
    "elicit: locker trigger too long": (["elicit", "--trigger-tokens", "30"], "got 480 trigger"),
    "elicit: vocabulary beyond the bits": (["elicit", "--vocab-size", "70000"], "cannot address"),
    "elicit: unknown noise sites": (["elicit", "--noise-runs", "1", "--noise-sites", "middle"],
                                    "before_check or input"),
    "elicit: bogus device": (["elicit", "--device", "gpu", "--out", "{out}"], "is not a device"),
    "elicit: out is a file": (["elicit", "--out", "{file}"], "is a file: give a folder"),
    # detect
    "detect: one host": (["detect", "--hosts", "1"], "at least 2 hosts"),
    "detect: unknown design": (["detect", "--designs", "sats"], "Did you mean 'sat'"),
    "detect: too few rounds": (["detect", "--rounds", "5"], "rounds must be in 9..64"),
    "detect: out is a file": (["detect", "--out", "{file}"], "is a file: give a folder"),
}


@pytest.fixture(scope="module")
def kept(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A saved model, a finished compile run, a file and an empty folder."""
    kept = tmp_path_factory.mktemp("kept")
    (kept / "empty").mkdir()
    (kept / "notes.txt").write_text("keep me\n")
    with one_thread():
        made = [runner.invoke(app, ["insert", "--model", "tiny", "--design", "password",
                                    "--trigger", TRIGGER, "--payload", "HI THERE", "--prompts",
                                    "2", "--out", str(kept / "insert")]),
                runner.invoke(app, ["compile", "--check-inputs", "4", "--out",
                                    str(kept / "earlier")])]
    assert all(result.exit_code == 0 for result in made), [r.output for r in made]
    return kept


def snapshot(folder: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize(("argv", "fragment"), CASES.values(), ids=CASES.keys())
def test_bad_input_is_one_line_and_keeps_earlier_results(
    argv: list[str], fragment: str, kept: Path, tmp_path: Path
) -> None:
    places = {"model": str(kept / "insert" / "model"), "file": str(kept / "notes.txt"),
              "folder": str(kept / "empty"), "earlier": str(kept / "earlier"),
              "kept": str(kept), "out": str(tmp_path / "out")}
    before = snapshot(kept)
    with one_thread():
        result = runner.invoke(app, [arg.format(**places) for arg in argv])
    lines = result.output.strip().splitlines()
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    assert lines[-1].startswith("error: ") and fragment in lines[-1], result.output
    assert sum(line.startswith("error: ") for line in lines) == 1
    assert snapshot(kept) == before, "earlier files were changed"
