"""End-to-end quick reproduction on toy settings (tiny host, few steps)."""

from reprolab.backdoor.quick import QuickConfig, run_quick
from reprolab.core.report import StudyContext


def test_run_quick_on_toy_settings(tmp_path):
    toy = QuickConfig(host="tiny", lat_steps=20, gcg_steps=3, seeds=2, noise_runs=1,
                      detect_hosts=2)
    result = run_quick(StudyContext(out=tmp_path, device="cpu"), toy)
    assert result.status == "ok"
    ours = {c.quantity: c.ours for c in result.comparisons}
    assert ours["off-trigger max |logit diff| vs host"] == 0.0
    assert ours["payload emitted by greedy decoding"] == "True"
    assert ours["locker mismatches vs reference SHA-256"] == 0
    assert ours["password-locked: LAT elicits before the check (attacks)"] == "4/4"
    assert ours["NP-complete: LAT elicits before the SAT check"] == "0/4"
    assert ours["encrypted: LAT elicits after the check"] == "0/2"
    assert ours["activation-probe detector AUROC"] == 0.5
    (caption, figure), = result.figures
    assert figure.exists() and "LAT loss" in caption
    assert (tmp_path / "elicit" / "attacks.csv").exists()
    for step in ("compile", "insert-tiny", "elicit", "detect"):
        assert (tmp_path / step / "results.json").exists(), step
    assert result.headline is not None and result.headline.paper == "never"
