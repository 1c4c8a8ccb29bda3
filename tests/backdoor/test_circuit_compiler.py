"""The compiler passes preserve semantics, merge gates where exact, and report their size."""

from __future__ import annotations

import itertools
import random

import pytest
import torch

from reprolab.backdoor.circuit import Circuit, compile_circuit, evaluate
from reprolab.backdoor.circuit.dsl import MultiThreshold
from reprolab.backdoor.circuit.dsl_to_graph import dsl_to_graph
from reprolab.backdoor.circuit.neurons import lower_terms
from tests.backdoor.test_circuit_sha256 import one_thread  # noqa: F401 (autouse fixture)


def random_circuit(seed: int, n_inputs: int = 5, n_gates: int = 30) -> Circuit:
    """A random DAG of every gate kind, with a constant and an input among its outputs."""
    rng = random.Random(seed)
    c = Circuit()
    wires = c.inputs(n_inputs)
    for _ in range(n_gates):
        kind = rng.choice(["and", "or", "xor", "not", "majority", "mux", "threshold", "multi"])
        k = rng.randint(2, min(4, len(wires)))
        picked = rng.sample(wires, k)
        if kind == "and":
            wire = c.and_(*picked)
        elif kind == "or":
            wire = c.or_(*picked)
        elif kind == "xor":
            wire = c.xor(*picked)
        elif kind == "not":
            wire = c.not_(picked[0])
        elif kind == "majority":
            wire = c.majority(*rng.sample(wires, 3)) if len(wires) >= 3 else c.or_(*picked)
        elif kind == "mux":
            wire = c.mux(*rng.sample(wires, 3)) if len(wires) >= 3 else c.and_(*picked)
        elif kind == "threshold":
            weights = [rng.randint(-3, 3) for _ in picked]
            wire = c.threshold(picked, weights, rng.randint(-4, 2))
        else:
            weights = [rng.randint(-4, 4) for _ in picked]
            thresholds = sorted(rng.sample(range(-8, 9), rng.randint(1, 4)))
            wire = c.multi_threshold(picked, weights, thresholds)
        wires.append(wire)
    gates = wires[n_inputs:]
    c.set_outputs([*rng.sample(gates, min(6, len(gates))), wires[0], c.const(1)])
    return c


def all_inputs(n: int) -> torch.Tensor:
    return torch.tensor(list(itertools.product((0.0, 1.0), repeat=n)))


def reference(c: Circuit, bits: torch.Tensor) -> torch.Tensor:
    return torch.tensor([evaluate(c, [int(b) for b in row]) for row in bits], dtype=torch.float32)


SETTINGS = [
    {"activation": "relu", "optimize": True, "gain": 2.0},
    {"activation": "relu", "optimize": False, "gain": 1.0, "schedule": "asap"},
    {"activation": "relu", "optimize": True, "gain": 1.0, "recycle_slots": False},
    {"activation": "swiglu", "optimize": True, "gain": 2.0},
    {"activation": "swiglu", "optimize": False, "gain": 1.0, "schedule": "asap"},
]


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("settings", SETTINGS, ids=lambda s: "-".join(map(str, s.values())))
def test_compiled_equals_reference_on_random_circuits(seed, settings):
    c = random_circuit(seed)
    bits = all_inputs(c.n_inputs)
    out = compile_circuit(c, **settings)(bits)
    assert torch.equal(out, reference(c, bits))  # exactly 0./1., not just close


@pytest.mark.parametrize("seed", range(30))
def test_lowered_terms_match_their_gate(seed):
    rng = random.Random(seed)
    term = None
    while not isinstance(term, MultiThreshold):  # redraw gates that fold to a constant or a wire
        c = Circuit()
        x = c.inputs(4)
        weights = [rng.randint(-5, 5) for _ in x]
        thresholds = sorted(rng.sample(range(-10, 11), rng.randint(1, 6)))
        term = c.nodes[c.multi_threshold(x, weights, thresholds)]
    for gain in (1.0, 2.0, 3.5):
        gate = lower_terms([term], gain)
        for bits in itertools.product((0, 1), repeat=4):
            values = dict(zip(x, bits, strict=True))
            s = sum(w * b for w, b in zip(weights, bits, strict=True))
            assert gate(values) == sum(1 for t in thresholds if s >= t) % 2


@pytest.mark.parametrize("gain,units", [(1.0, {"and": 1, "or": 1, "xor": 2, "xor3": 3}),
                                        (2.0, {"and": 2, "or": 2, "xor": 4, "xor3": 6})])
def test_unit_counts_of_basic_gates(gain, units):
    c = Circuit()
    a, b, d = c.inputs(3)
    gates = {"and": c.and_(a, b), "or": c.or_(a, b), "xor": c.xor(a, b), "xor3": c.xor(a, b, d)}
    for name, wire in gates.items():
        assert lower_terms([c.nodes[wire]], gain).n_units == units[name], name


def chain(c: Circuit, gate, wires):
    out = wires[0]
    for wire in wires[1:]:
        out = gate(out, wire)
    return out


def test_merging_flattens_chains_and_absorbs_nots():
    c = Circuit()
    x = c.inputs(6)
    xor_chain = chain(c, c.xor, x)  # depth 5 as two-input gates
    and_chain = c.and_(c.not_(x[0]), c.and_(x[1], c.not_(x[2])))  # depth 3 with the NOTs
    de_morgan = c.or_(x[3], c.not_(c.and_(x[4], x[5])))  # OR(x3, NOT x4, NOT x5)
    majority = c.majority(c.majority(*x[:3]), x[3], x[4])  # not a single gate: stays depth 2
    c.set_outputs([xor_chain, and_chain, de_morgan, majority])
    plain, merged = dsl_to_graph(c, optimize=False), dsl_to_graph(c, optimize=True)
    assert [plain.depth[w] for w in c.outputs] == [5, 3, 3, 2]
    assert [merged.depth[w] for w in c.outputs] == [1, 1, 1, 2]
    bits = all_inputs(6)
    assert torch.equal(compile_circuit(c)(bits), reference(c, bits))


def test_stats_of_one_and_gate():
    c = Circuit()
    a, b = c.inputs(2)
    c.set_outputs([c.and_(a, b)])
    stats = compile_circuit(c, gain=1.0, recycle_slots=False).stats
    # one unit ReLU(a + b - 1): weights 1, 1 + scale + bias + one output weight
    assert (stats.depth, stats.width, stats.residual_width) == (1, 1, 3)
    assert (stats.parameters, stats.expanded_parameters) == (5, 4)
    assert stats.dense_parameters == 1 * (2 * 3 * 1 + 1 + 3)
    recycled = compile_circuit(c, gain=1.0).stats  # the output reuses an input's slot ...
    assert (recycled.residual_width, recycled.width) == (2, 2)  # ... and clears it with one unit


def test_dense_weights_reproduce_the_module():
    c = random_circuit(3)
    compiled = compile_circuit(c)
    bits = all_inputs(c.n_inputs)
    x = torch.zeros(compiled.plan.n_slots, len(bits))
    x[list(compiled.plan.input_slots)] = bits.T
    for block in compiled.blocks:
        w_in, b_in, w_out, b_out = block.dense_weights()
        x = x + w_out @ torch.relu(w_in @ x + b_in[:, None]) + b_out[:, None]
    slots = [max(s, 0) for s in compiled.plan.output_slots]
    constant = torch.tensor([s < 0 for s in compiled.plan.output_slots])
    out = torch.where(constant, torch.tensor(compiled.plan.output_constants), x[slots].T)
    assert constant.any()  # the circuit has a constant output
    assert torch.equal(out, reference(c, bits))


def test_zero_noise_changes_nothing_and_dense_noise_covers_every_entry():
    c = random_circuit(5)
    compiled = compile_circuit(c)
    bits = all_inputs(c.n_inputs)
    assert torch.equal(compiled.with_weight_noise(0.0)(bits), compiled(bits))
    clean = compiled(bits)
    noisy = compiled.with_weight_noise(1e-3, torch.Generator().manual_seed(0), include_zeros=True)
    block = noisy.blocks[0]
    assert len(block.noise_in.values) == block.n_units * block.n_slots
    assert len(block.noise_out.values) == block.n_slots * (block.n_units + 1)
    out = noisy(bits)
    assert not torch.equal(out, compiled(bits))  # outputs move a little ...
    assert torch.equal(out > 0.5, clean > 0.5)  # ... but 1e-3 keeps every bit right
    assert torch.equal(compiled(bits), clean)  # the noisy copy left the original alone


def test_compiler_rejects_bad_circuits_and_settings():
    c = Circuit()
    x = c.inputs(24)
    with pytest.raises(ValueError, match="no outputs"):
        compile_circuit(c)
    c.set_outputs([c.threshold(x, [2**j for j in range(24)], -(2**23))])
    with pytest.raises(ValueError, match="fp32's exact range"):
        compile_circuit(c)
    with pytest.raises(ValueError, match="activation"):
        compile_circuit(c, activation="gelu")
    with pytest.raises(ValueError, match="gain"):
        compile_circuit(c, gain=0.5)
    ok = Circuit()
    ok.set_outputs([ok.and_(*ok.inputs(2))])
    with pytest.raises(ValueError, match="shape"):
        compile_circuit(ok)(torch.zeros(3, 5))


def test_gradients_reach_the_input_bits():
    c = Circuit()
    a, b = c.inputs(2)
    c.set_outputs([c.and_(a, b)])
    compiled = compile_circuit(c, gain=1.0, recycle_slots=False)  # out = ReLU(a + b - 1)
    bits = torch.tensor([[1.0, 1.0], [0.0, 1.0]], requires_grad=True)
    compiled(bits).sum().backward()
    assert bits.grad.tolist() == [[1.0, 1.0], [0.0, 0.0]]


def test_blocks_can_be_run_one_by_one_without_touching_their_input():
    c = random_circuit(8)
    compiled = compile_circuit(c)
    bits = all_inputs(c.n_inputs)
    stream = compiled.embed(bits)
    states = [stream.clone()]
    for index in range(len(compiled.blocks)):
        stream = compiled.apply_block(index, stream)
        states.append(stream.clone())
    assert torch.equal(compiled.read_outputs(stream), reference(c, bits))
    assert torch.equal(compiled.embed(bits), states[0])
    assert not torch.equal(states[0], states[1])  # the first block wrote something
    assert torch.equal(compiled.apply_block(0, states[0].clone()), states[1])
