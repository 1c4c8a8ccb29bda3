import pytest

from reprolab.core.registry import Registry, UnknownNameError


def test_lookup_and_did_you_mean():
    reg: Registry[int] = Registry("model")
    reg.register("smollm2-135m", 1)
    reg.register("gemma3-270m", 2)
    assert reg["gemma3-270m"] == 2
    assert list(reg) == ["smollm2-135m", "gemma3-270m"]
    with pytest.raises(UnknownNameError) as info:
        reg["smolm2-135m"]
    message = str(info.value)
    assert "Unknown model 'smolm2-135m'" in message
    assert "Did you mean 'smollm2-135m'?" in message


def test_no_suggestion_for_distant_name():
    reg: Registry[int] = Registry("dataset")
    reg.register("rebus", 1)
    with pytest.raises(KeyError, match="Known: rebus") as info:
        reg["zzzzzz"]
    assert "Did you mean" not in str(info.value)


def test_double_registration_is_a_bug():
    reg: Registry[int] = Registry("study")
    reg.register("a", 1)
    with pytest.raises(AssertionError, match="registered twice"):
        reg.register("a", 2)
