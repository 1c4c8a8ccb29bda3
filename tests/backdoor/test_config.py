"""Settings are validated once, with one-line `UserError`s that say what to change."""

import pytest

from reprolab.backdoor.config import (
    CompileConfig,
    DesignOptions,
    DetectConfig,
    ElicitConfig,
    GcgConfig,
    InsertConfig,
    LatConfig,
    NoiseConfig,
    VerifyConfig,
)
from reprolab.core.errors import UserError


@pytest.mark.parametrize(("make", "message"), [
    (lambda: ElicitConfig(methods=("lat", "pgd")), "Unknown elicitation methods"),
    (lambda: ElicitConfig(methods=()), "Nothing to run"),
    (lambda: ElicitConfig(payload="é"), "printable ASCII"),
    (lambda: ElicitConfig(vocab_size=70_000), "cannot address"),
    (lambda: ElicitConfig(site_stride=0), "--site-stride must be at least 1"),
    (lambda: ElicitConfig(trigger_tokens=30), "8 to 376 bits"),
    (lambda: NoiseConfig(sites="middle"), "before_check or input"),
    (lambda: NoiseConfig(site_stride=0), "--noise-site-stride must be at least 1"),
    (lambda: DetectConfig(hosts=1), "at least 2 hosts"),
    (lambda: InsertConfig(design="lockr"), "Did you mean 'locker'"),
    (lambda: InsertConfig(prompts=0), "--prompts must be at least 1"),
    (lambda: VerifyConfig(trigger="x", prompts=0), "--prompts must be at least 1"),
    (lambda: VerifyConfig(), "Give the trigger"),
    (lambda: CompileConfig(trigger_bits=12), "whole bytes, 8 to 376 bits"),
    (lambda: CompileConfig(trigger_bits=4096), "got 4096 trigger bits"),
    (lambda: CompileConfig(rounds=8), r"rounds must be in 9\.\.64"),
    (lambda: DesignOptions(rounds=65), "1 to 64 rounds"),
    (lambda: LatConfig(lr=0), "learning rate"),
    (lambda: GcgConfig(top_k=0), "must be positive"),
])
def test_bad_settings_fail_with_a_clear_message(make, message):
    with pytest.raises(UserError, match=message):
        make()


def test_defaults_are_valid_and_match_the_paper_protocol():
    assert ElicitConfig().seeds >= 5
    assert ElicitConfig().designs == ("password", "sat", "locker")
    assert NoiseConfig().runs == 0  # the noise protocol is opt-in: --noise-runs 34 (the paper)
    assert CompileConfig(trigger_bits=376).trigger_bits == 376  # the most one block holds
