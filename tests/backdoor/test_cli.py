"""`reprolab backdoor ...` on tiny settings: records, exit codes and one-line errors."""

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from reprolab.backdoor.attacks.lat import one_thread
from reprolab.cli import app

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


def test_user_errors_are_one_line(tmp_path):
    missing = _invoke("verify", str(tmp_path / "nothing"), "--trigger", "x", "--payload", "HI")
    assert missing.exit_code == 1 and "No saved model" in missing.output
    assert "Traceback" not in missing.output
    bad = _invoke("compile", "--rounds", "3", "--out", str(tmp_path / "c"))
    assert bad.exit_code == 1 and "rounds must be in 9..64" in bad.output
    typo = _invoke("elicit", "--designs", "pasword", "--out", str(tmp_path / "e"))
    assert typo.exit_code == 1 and "Did you mean 'password'" in typo.output


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
