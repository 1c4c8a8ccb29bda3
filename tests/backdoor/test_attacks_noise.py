"""Weight noise and LAT under noise."""

import pytest
import torch

from reprolab.backdoor.attacks.noise import (
    behaves_like,
    max_exact_noise,
    noise_elicitation,
    sites_before_check,
    with_weight_noise,
)
from reprolab.backdoor.config import LatConfig
from reprolab.backdoor.designs.registry import build_module
from reprolab.backdoor.designs.trigger import text_to_bits
from reprolab.core.device import one_thread

GEN = torch.Generator


@pytest.fixture(autouse=True)
def _one_thread():
    """Tiny models and circuits: spare threads only add contention on a shared machine."""
    with one_thread():
        yield


def _password(n: int = 16):
    trigger = torch.randint(0, 2, (n,), generator=GEN().manual_seed(0)).float()
    return build_module("password", trigger, text_to_bits("P")), trigger


def test_noise_copies_and_leaves_the_original_untouched():
    module, _ = _password()
    before = {k: v.clone() for k, v in module.state_dict().items()}
    noisy = with_weight_noise(module, 0.1, GEN().manual_seed(0))
    assert all(torch.equal(before[k], v) for k, v in module.state_dict().items())
    weight = noisy.stages[1].weight
    assert not torch.equal(weight, module.stages[1].weight)
    assert abs((weight - module.stages[1].weight).std().item() - 0.1) < 0.05
    assert torch.equal(with_weight_noise(module, 0.0, GEN()).stages[1].weight,
                       module.stages[1].weight)


def test_max_exact_noise_is_the_edge_of_exactness():
    module, trigger = _password()
    bits = torch.cat([trigger[None], torch.randint(0, 2, (16, 16), generator=GEN().manual_seed(1))])
    std = max_exact_noise(module, bits, seed=0, low=1e-4, high=10.0, steps=20)
    assert 1e-4 < std < 10.0

    def exact(s: float) -> bool:
        return behaves_like(with_weight_noise(module, s, GEN().manual_seed(0)), module, bits)

    assert exact(std)
    assert not exact(std * 1.01)  # the bisection brackets the edge to within 1%


def test_locker_noise_runs_never_elicit():
    trigger = torch.randint(0, 2, (64,), generator=GEN().manual_seed(0)).float()
    payload = text_to_bits("LOCK")
    module = build_module("locker", trigger, payload)
    runs = noise_elicitation(module, trigger, payload, 1e-9, LatConfig(steps=20), runs=2,
                             sites=[0, module.check_site - 1])
    assert [r.run for r in runs] == [0, 1]
    assert not any(r.elicited for r in runs)
    assert all(r.exact_on_trigger for r in runs)


def test_strided_sites_before_check_keep_the_last_one():
    trigger = torch.randint(0, 2, (64,), generator=GEN().manual_seed(0)).float()
    module = build_module("locker", trigger, text_to_bits("LOCK"))
    assert module.check_site == 17
    assert sites_before_check(module) == list(range(17))
    assert sites_before_check(module, 8) == [0, 8, 16]
    assert sites_before_check(module, 5) == [0, 5, 10, 15, 16]
    password, _ = _password()
    assert sites_before_check(password, 8) == [0, password.check_site - 1]
