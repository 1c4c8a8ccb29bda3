"""Settings are validated once, with messages that say what to change."""

import pytest

from reprolab.backdoor.config import (
    CompileConfig,
    DetectConfig,
    ElicitConfig,
    InsertConfig,
    NoiseConfig,
)
from reprolab.backdoor.designs import DesignOptions


@pytest.mark.parametrize(("make", "message"), [
    (lambda: ElicitConfig(methods=("lat", "pgd")), "Unknown elicitation methods"),
    (lambda: ElicitConfig(payload="é"), "printable ASCII"),
    (lambda: ElicitConfig(vocab_size=70_000), "cannot address"),
    (lambda: ElicitConfig(site_stride=0), "site_stride must be >= 1"),
    (lambda: NoiseConfig(sites="middle"), "before_check or input"),
    (lambda: NoiseConfig(site_stride=0), "site_stride must be >= 1"),
    (lambda: DetectConfig(hosts=1), "at least 2 hosts"),
    (lambda: InsertConfig(design="lockr"), "Did you mean 'locker'"),
    (lambda: CompileConfig(trigger_bits=12), "multiple of 8"),
    (lambda: CompileConfig(rounds=8), r"rounds must be in 9\.\.64"),
    (lambda: DesignOptions(rounds=65), "1 to 64 rounds"),
])
def test_bad_settings_fail_with_a_clear_message(make, message):
    with pytest.raises((ValueError, KeyError), match=message):
        make()


def test_defaults_are_valid_and_match_the_paper_protocol():
    assert NoiseConfig().runs == 34
    assert ElicitConfig().seeds >= 5
    assert ElicitConfig().designs == ("password", "sat", "locker")
