"""LAT: the password-locked module is elicited at every site, the SAT module only after the check,
the digital locker never (its gate opens only after the check, with a garbage payload)."""

import pytest
import torch

from reprolab.backdoor.attacks.lat import lat_all_sites, lat_attack
from reprolab.backdoor.config import LatConfig
from reprolab.backdoor.designs.registry import build_module
from reprolab.backdoor.designs.trigger import text_to_bits
from reprolab.core.errors import UserError

N_BITS, SEEDS = 64, 3
BUDGET = LatConfig(steps=60)


@pytest.fixture(scope="module")
def setting():
    generator = torch.Generator().manual_seed(0)
    trigger = torch.randint(0, 2, (N_BITS,), generator=generator).float()
    start = torch.randint(0, 2, (SEEDS, N_BITS), generator=generator).float()
    return trigger, text_to_bits("SECRET"), start


def test_password_locked_is_elicited_at_every_site(setting):
    trigger, payload, start = setting
    module = build_module("password", trigger, payload)
    results = lat_all_sites(module, start, payload, BUDGET)
    assert [r.site for r in results] == [0, 1, 2]
    for result in results:
        assert result.elicited.all(), result.site
        assert (result.first_success > 0).all()  # not open before the attack
        assert result.losses[-1].max() < 1e-3 < result.losses[0].min()


def test_sat_is_elicited_only_after_the_check(setting):
    trigger, payload, start = setting
    module = build_module("sat", trigger, payload)
    before = lat_all_sites(module, start, payload, BUDGET, sites=[0, 1])
    assert all(r.stalled and not r.opened.any() for r in before)
    after = lat_attack(module, start, module.check_site, payload, BUDGET)
    assert after.elicited.all()


def test_locker_is_never_elicited_within_the_same_budget(setting):
    trigger, payload, start = setting
    module = build_module("locker", trigger, payload)
    results = lat_all_sites(module, start, payload, BUDGET)
    assert len(results) == module.n_sites == module.circuit.stats.depth + 2
    assert not any(r.elicited.any() for r in results)
    assert all(not r.opened.any() for r in results[:-1])
    last = results[-1]
    assert last.opened.all()  # a perturbation after the check opens the gate...
    out = module(start)
    assert not (out.payload.round() == payload).all(dim=1).any()  # ...on the wrong payload


def test_stalled_run_keeps_its_loss_and_config_is_checked(setting):
    trigger, payload, start = setting
    module = build_module("sat", trigger, payload)
    result = lat_attack(module, start, 0, payload, BUDGET)
    assert result.stalled
    assert (result.losses == result.losses[0]).all()
    with pytest.raises(ValueError, match="site must be in"):
        lat_attack(module, start, 7, payload, BUDGET)
    with pytest.raises(UserError, match="at least one step"):
        LatConfig(steps=0)
