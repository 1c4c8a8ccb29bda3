"""Settings of the verbs: checked when built, the run's seed drives the bootstrap."""

from __future__ import annotations

import pytest

from reprolab.core.errors import UserError
from reprolab.invscale.config import LadderConfig, ParityConfig, PilotConfig
from reprolab.invscale.trends import TrendSettings


@pytest.mark.parametrize(("settings", "fragment"), [
    ({"models": ("a", "a")}, "listed twice"),
    ({"source": "web"}, "--source must be one of"),
    ({"task_type": "mcq"}, "--task-type must be one of"),
    ({"max_length": 0}, "--max-length must be >= 1"),
    ({"limit": 0}, "--limit must be >= 1"),
    ({"tasks": ()}, "at least one task"),
])
def test_bad_ladder_settings_are_refused(settings, fragment):
    with pytest.raises(UserError, match=fragment):
        LadderConfig(**settings)


def test_the_bootstrap_follows_the_runs_seed():
    config = LadderConfig(seed=7, trend=TrendSettings(n_boot=20, seed=1))
    assert config.trend == TrendSettings(n_boot=20, seed=7)


def test_parity_and_pilot_settings():
    assert ParityConfig().device == "auto" and PilotConfig().runs is None
    with pytest.raises(UserError, match="--batch-size must be >= 1"):
        ParityConfig(batch_size=0)
