"""The quick and full reproductions end to end on toy settings (two tiny random models)."""

from __future__ import annotations

import json

import pytest

from reprolab.core.report import StudyContext
from reprolab.invscale import full, quick
from reprolab.invscale.config import LadderConfig, PilotConfig
from reprolab.invscale.reproduction import RESULTS, committed_headline
from reprolab.invscale.tasks import DATASET  # noqa: F401  (registers the dataset for needs_data)
from reprolab.invscale.trends import CLEAR_TREND, TrendSettings
from tests.lm.tiny_models import tiny_gemma3, tiny_llama

PILOT = PilotConfig(runs=("syllogism-gpt3", "lambada_gpt3"), trend=TrendSettings(n_boot=20))


@pytest.fixture(scope="module")
def tiny_ladder(tmp_path_factory) -> LadderConfig:
    root = tmp_path_factory.mktemp("models")
    tiny_llama(root)
    tiny_gemma3(root)
    return LadderConfig(models=(str(root / "tiny-llama"), str(root / "tiny-gemma3")), limit=4,
                        device="cpu", trend=TrendSettings(n_boot=20))


def _worded(comparison, probability: float) -> bool:
    """A call below CLEAR_TREND must not be named: `no clear trend (estimate: ...)`."""
    unclear = comparison.ours.startswith("no clear trend (estimate:")
    return (probability >= CLEAR_TREND) != unclear and comparison.ours.count("p=") == 1


@pytest.mark.needs_data("inverse-scaling")
def test_run_quick_on_toy_settings(tmp_path, tiny_ladder):
    result = quick.run_quick(StudyContext(out=tmp_path / "quick", device="cpu"), tiny_ladder,
                             PILOT)
    assert result.status == "ok" and result.study == "invscale"
    quantities = [c.quantity for c in result.comparisons]
    assert quantities[:4] == [
        "memo-trap: accuracy trend (first 4 items)", "memo-trap: loss (nats) trend (first 4 items)",
        "neqa: accuracy trend (first 4 items)", "neqa: loss (nats) trend (first 4 items)"]
    assert all(c.paper == "inverse" for c in result.comparisons[:4])
    trends = result.tables[0][1]
    for comparison, p in zip(result.comparisons[:4], trends["p(trend)"], strict=True):
        assert _worded(comparison, p)
    assert quantities[-1] == "pilot runs by trend of their primary metric (p >= 0.95)"
    pilot_table = result.tables[-1][1]
    assert pilot_table[["run", "metric"]].values.tolist() == [
        ["lambada_gpt3", "loss"], ["syllogism-gpt3", "correct"]]
    assert all(path.exists() for _, path in result.figures)
    assert {path.name for _, path in result.figures} == {
        "scaling.png", "pilot_accuracy.png", "pilot_other.png"}
    assert result.headline == committed_headline()


def test_the_headline_is_the_committed_memo_trap_accuracy_trend(tmp_path):
    saved = json.loads((RESULTS / "ladder-full" / "results.json").read_text())["tasks"]
    trend = saved["memo-trap"]["metrics"]["correct"]["trend"]
    headline = committed_headline()
    assert headline is not None and headline.paper == saved["memo-trap"]["paper_trend"]
    assert headline.ours.startswith(trend["shape"] if trend["probability"] >= CLEAR_TREND
                                    else "no clear trend")
    assert headline.ours.count(f"p={trend['probability']:.2f}") == 1
    assert committed_headline(tmp_path / "absent.json") is None


def test_quick_settings_are_ladder_defaults_but_models_limit_and_bootstrap(monkeypatch):
    monkeypatch.setattr(quick, "available_packaged_models", lambda names: names[:2])
    config = quick.quick_ladder(StudyContext(out=None, seed=3, device="cpu"))
    assert config.tasks == LadderConfig().tasks and config.batch_size == LadderConfig().batch_size
    assert config.models == ("smollm2-135m", "gemma3-270m")
    assert (config.limit, config.trend.n_boot, config.trend.seed) == (40, 500, 3)


@pytest.mark.needs_data("inverse-scaling")
def test_run_full_writes_the_results_layout(tmp_path, tiny_ladder, monkeypatch):
    monkeypatch.setattr(full, "available_packaged_models", lambda: tiny_ladder.models)
    ctx = StudyContext(out=tmp_path, seed=0, device="cpu")
    ladder = full.full_ladder(ctx)
    assert ladder.tasks == ("memo-trap", "neqa") and ladder.limit is None
    result = full.run_full(ctx, LadderConfig(**{**vars(ladder), "limit": 3,
                                                "trend": TrendSettings(n_boot=20)}), PILOT)
    for name in ("results.json", "trends.csv", "summary.csv", "memo-trap", "neqa"):
        assert (tmp_path / "ladder-full" / name).exists()
    assert (tmp_path / "pilot" / "primary_trends.csv").exists()
    assert result.comparisons[0].quantity == "memo-trap: accuracy trend (first 3 items)"
    assert result.headline == committed_headline()
