"""The quick reproduction end to end on toy settings (two tiny random models, 4 items)."""

from __future__ import annotations

import pytest

from reprolab.core.report import StudyContext
from reprolab.invscale.quick import QuickSettings, run_quick
from reprolab.invscale.tasks import DATASET  # noqa: F401  (registers the dataset for needs_data)
from tests.lm.tiny_models import tiny_gemma3, tiny_llama


@pytest.mark.needs_data("inverse-scaling")
def test_run_quick_on_toy_settings(tmp_path):
    tiny_llama(tmp_path)
    tiny_gemma3(tmp_path)
    models = (str(tmp_path / "tiny-llama"), str(tmp_path / "tiny-gemma3"))
    result = run_quick(StudyContext(out=tmp_path / "quick", device="cpu"),
                       QuickSettings(models=models, limit=4, n_boot=20,
                                     pilot_runs=("syllogism-gpt3", "lambada_gpt3")))
    assert result.status == "ok" and result.study == "invscale"
    quantities = [c.quantity for c in result.comparisons]
    assert quantities[:4] == [
        "memo-trap: accuracy trend (first 4 items)", "memo-trap: loss (nats) trend (first 4 items)",
        "neqa: accuracy trend (first 4 items)", "neqa: loss (nats) trend (first 4 items)"]
    assert all(c.paper == "inverse" for c in result.comparisons[:4])
    assert quantities[-1] == "pilot runs by trend of their primary metric"
    pilot_table = result.tables[-1][1]
    assert pilot_table[["run", "metric"]].values.tolist() == [
        ["lambada_gpt3", "loss"], ["syllogism-gpt3", "correct"]]
    assert all(path.exists() for _, path in result.figures)
    assert {path.name for _, path in result.figures} == {
        "scaling.png", "pilot_accuracy.png", "pilot_other.png"}
