"""`reprolab backdoor ...` on tiny settings: records, exit codes and one-line errors."""

import json
import traceback

import pandas as pd
import pytest
from typer.testing import CliRunner

from reprolab.cli import app
from reprolab.core.device import one_thread

runner = CliRunner()


@pytest.fixture(autouse=True)
def _one_thread():
    """Tiny models and circuits: spare threads only add contention on a shared machine."""
    with one_thread():
        yield


def _invoke(*args: str):
    return runner.invoke(app, ["backdoor", *args])


def test_insert_then_verify_a_tiny_host(tmp_path):
    out = tmp_path / "insert"
    result = _invoke("insert", "--model", "tiny", "--design", "password", "--trigger",
                     "open sesame", "--payload", "HI THERE", "--prompts", "20", "--out", str(out))
    assert result.exit_code == 0, result.output
    results = json.loads((out / "results.json").read_text())
    assert results["payload_emitted"] and results["reload_payload_emitted"]
    assert results["off_trigger_max_abs_diff"] == 0.0
    assert (out / "config.json").exists() and (out / "model" / "model.safetensors").exists()

    ok = _invoke("verify", str(out / "model"), "--trigger", "open sesame", "--payload",
                 "HI THERE", "--prompts", "20", "--out", str(tmp_path / "verify"))
    assert ok.exit_code == 0, ok.output
    wrong = _invoke("verify", str(out / "model"), "--trigger", "open sesame", "--payload",
                    "BYE NOW", "--prompts", "5", "--out", str(tmp_path / "verify2"))
    assert wrong.exit_code == 1


def _files(folder):
    """{relative path: bytes} of every file under `folder`."""
    return {p.relative_to(folder): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _one_error_line(result, fragment: str) -> None:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    last = result.output.strip().splitlines()[-1]
    assert last.startswith("error:") and fragment in last, result.output


def test_verify_passes_on_the_model_insert_just_built_at_any_seeds(tmp_path):
    """Issue: at the default seed of both, verify's first off-trigger prompt was the trigger."""
    out = tmp_path / "insert"
    built = _invoke("insert", "--model", "tiny", "--prompts", "4", "--out", str(out))
    assert built.exit_code == 0, built.output
    inserted = _files(out)
    trigger = json.loads((out / "results.json").read_text())["trigger_tokens"]
    ids = "ids:" + ",".join(map(str, trigger))
    for seed in ("0", "1"):
        checked = _invoke("verify", str(out / "model"), "--trigger", ids, "--payload",
                          "HELLO LOCKER", "--seed", seed, "--out", str(tmp_path / f"v{seed}"))
        assert checked.exit_code == 0, checked.output
        results = json.loads((tmp_path / f"v{seed}" / "results.json").read_text())
        assert results["off_trigger_max_abs_diff"] == 0.0 and results["payload_emitted"]
        assert results["locker_mismatches_vs_reference"] == 0
    assert _files(out) == inserted


def test_verify_token_ids_outside_the_vocabulary_are_one_line(tmp_path):
    out = tmp_path / "insert"
    assert _invoke("insert", "--model", "tiny", "--design", "password", "--prompts", "2",
                   "--out", str(out)).exit_code == 0
    inserted = _files(out)
    bad = _invoke("verify", str(out / "model"), "--trigger", "ids:99999999,1,2,3,4,5,6,7",
                  "--payload", "HELLO LOCKER", "--out", str(tmp_path / "verify"))
    _one_error_line(bad, "[99999999] are outside the model's vocabulary (0..319)")
    assert json.loads((tmp_path / "verify" / "status.json").read_text())["status"] == "failed"
    assert _files(out) == inserted


def test_settings_are_checked_before_a_folder_is_made(tmp_path):
    zero = _invoke("verify", str(tmp_path), "--trigger", "x", "--prompts", "0", "--out",
                   str(tmp_path / "verify"))
    _one_error_line(zero, "--prompts must be at least 1")
    bits = _invoke("compile", "--trigger-bits", "4096", "--out", str(tmp_path / "compile"))
    _one_error_line(bits, "8 to 376 bits (one SHA-256 block with the nonce); got 4096 trigger bits")
    assert not (tmp_path / "verify").exists() and not (tmp_path / "compile").exists()


def test_an_out_that_is_a_file_or_holds_other_settings_is_refused_intact(tmp_path):
    kept = tmp_path / "notes.txt"
    kept.write_text("mine")
    _one_error_line(_invoke("compile", "--out", str(kept)), "is a file")
    assert kept.read_text() == "mine"
    out = tmp_path / "compile"
    assert _invoke("compile", "--check-inputs", "4", "--out", str(out)).exit_code == 0
    before = _files(out)
    other = _invoke("compile", "--check-inputs", "5", "--out", str(out))
    _one_error_line(other, "holds a run with other settings (differs in: config.check_inputs)")
    assert _files(out) == before


def test_an_internal_error_keeps_its_traceback_and_marks_the_run_failed(tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise KeyError("deep inside")

    monkeypatch.setattr("reprolab.backdoor.designs.locker.locker_key", broken)
    result = _invoke("compile", "--check-inputs", "4", "--out", str(tmp_path))
    assert isinstance(result.exception, KeyError) and "error:" not in result.output
    frames = [frame.name for frame in traceback.extract_tb(result.exc_info[2])]
    assert frames[-1] == "broken" and "build" in frames
    status = json.loads((tmp_path / "status.json").read_text())
    assert status == {"status": "failed", "error": "KeyError: 'deep inside'"}


def test_elicit_writes_table_and_figure(tmp_path):
    out = tmp_path / "elicit"
    result = _invoke("elicit", "--designs", "password,sat", "--methods", "lat", "--seeds", "2",
                     "--lat-steps", "20", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert (out / "lat_loss.png").stat().st_size > 0
    summary = json.loads((out / "results.json").read_text())["summary"]
    by_group = {(row["design"], row["sites"]): row["elicited"] for row in summary}
    assert by_group == {("password", "before check"): 4, ("password", "after check"): 2,
                        ("sat", "before check"): 0, ("sat", "after check"): 2}


def test_elicit_site_stride_keeps_the_check_and_last_sites(tmp_path):
    out = tmp_path / "strided"
    result = _invoke("elicit", "--designs", "locker", "--methods", "lat", "--seeds", "1",
                     "--lat-steps", "2", "--site-stride", "7", "--out", str(out))
    assert result.exit_code == 0, result.output
    rows = pd.read_csv(out / "attacks.csv")
    assert sorted(rows["site"]) == [0, 7, 14, 21, 23]  # 24 sites, check at 23
