"""3-SAT baseline: the reference checker on hand cases and the compiled checker against it."""

import itertools

import numpy as np
import pytest
import torch

from reprolab.backdoor.designs.sat import SatInstance, SatLockedModule, planted_3sat
from reprolab.backdoor.designs.trigger import text_to_bits

# (x1 or not x2 or x3) and (not x1 or x2 or x3) and (not x1 or not x2 or not x3)
HAND = SatInstance(3, ((1, -2, 3), (-1, 2, 3), (-1, -2, -3)))
HAND_SOLUTIONS = {(0, 0, 0), (0, 0, 1), (0, 1, 1), (1, 0, 1), (1, 1, 0)}


def test_reference_checker_on_hand_cases():
    for assignment in itertools.product((0, 1), repeat=3):
        assert HAND.is_satisfied_by(assignment) == (assignment in HAND_SOLUTIONS), assignment
    assert HAND.satisfied_clauses((1, 1, 1)) == 2
    assert HAND.satisfied_clauses((0, 1, 0)) == 2


def test_module_agrees_with_reference_on_all_assignments():
    module = SatLockedModule.build(HAND, text_to_bits("SAT"))
    inputs = torch.tensor(list(itertools.product((0.0, 1.0), repeat=3)))
    out = module(inputs)
    expected = [HAND.is_satisfied_by(row.long().tolist()) for row in inputs]
    assert out.fires.tolist() == expected
    assert out.logit.abs().eq(1).all()  # exactly +-1: the one-bit bottleneck


def test_planted_instance_is_satisfied_by_its_trigger():
    rng = np.random.default_rng(0)
    trigger = rng.integers(0, 2, 40).tolist()
    instance = planted_3sat(trigger, 4.26, rng)
    assert len(instance.clauses) == round(4.26 * 40)
    assert instance.is_satisfied_by(trigger)
    assert all(len({abs(lit) for lit in clause}) == 3 for clause in instance.clauses)
    module = SatLockedModule.build(instance, text_to_bits("X"))
    randoms = torch.tensor(rng.integers(0, 2, (50, 40)), dtype=torch.float32)
    want = [instance.is_satisfied_by(r.long().tolist()) for r in randoms]
    assert module(randoms).fires.tolist() == want
    assert bool(module(torch.tensor(trigger, dtype=torch.float32)[None]).fires[0])


def test_three_sat_needs_three_variables():
    with pytest.raises(ValueError, match="at least 3"):
        planted_3sat([1, 0], 4.0, np.random.default_rng(0))
