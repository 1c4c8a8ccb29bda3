"""How exact a compiled circuit stays: at lower float precision and under Gaussian weight noise.

An output bit is right when the module's output rounds to it (x > 1/2); an input is right when all
its output bits are; "strict" also asks for outputs that are exactly 0. or 1.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import torch

from reprolab.backdoor.circuit.layers_to_torch import CompiledCircuit

PRECISIONS = {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}


@dataclass(frozen=True)
class Exactness:
    """Shares of right answers of a compiled circuit on a batch of inputs."""

    precision: str
    bits: float  # share of output bits that round to the expected bit
    inputs: float  # share of inputs whose every output bit rounds right
    strict: float  # share of inputs whose outputs are exactly the expected 0./1.


def random_bits(n: int, n_inputs: int, seed: int = 0) -> torch.Tensor:
    """[n, n_inputs] uniformly random 0./1. inputs from a seeded generator."""
    generator = torch.Generator().manual_seed(seed)
    return torch.randint(0, 2, (n, n_inputs), generator=generator).float()


def exactness(
    compiled: CompiledCircuit, bits: torch.Tensor, expected: torch.Tensor,
    precision: str = "float32", batch_size: int = 1024,
) -> Exactness:
    """Run `compiled` on bits [n, n_in] at `precision` and compare with expected [n, n_out]."""
    if precision not in PRECISIONS:
        raise ValueError(f"precision must be one of {', '.join(PRECISIONS)}, got {precision!r}")
    out = compiled.with_precision(PRECISIONS[precision]).run(bits, batch_size)
    right = (out > 0.5) == expected.bool()
    return Exactness(
        precision, right.float().mean().item(), right.all(dim=1).float().mean().item(),
        (out == expected).all(dim=1).float().mean().item(),
    )


def stays_exact(compiled: CompiledCircuit, bits: torch.Tensor, expected: torch.Tensor, std: float,
                seed: int = 0, include_zeros: bool = False, batch_size: int = 1024) -> bool:
    """Whether every output bit still rounds right after adding weight noise of this `std`.

    The noise draw depends only on `seed`, so calls with different `std` scale the same draw.
    """
    generator = torch.Generator().manual_seed(seed)
    noisy = compiled.with_weight_noise(std, generator, include_zeros)
    return bool(((noisy.run(bits, batch_size) > 0.5) == expected.bool()).all())


def largest_passing(ok: Callable[[float], bool], low: float, high: float, steps: int) -> float:
    """Bisection on log(x) for the largest x in [low, high] with `ok(x)`, assuming `ok` holds
    below some threshold: `steps` halvings of the log-interval; 0.0 if `ok(low)` fails, `high`
    if `ok(high)` holds."""
    if not 0 < low < high:
        raise ValueError(f"need 0 < low < high, got low={low}, high={high}")
    if ok(high):
        return high
    if not ok(low):
        return 0.0
    for _ in range(steps):
        middle = math.sqrt(low * high)
        low, high = (middle, high) if ok(middle) else (low, middle)
    return low


def max_exact_noise_std(
    compiled: CompiledCircuit, n_inputs: int = 256, seed: int = 0, low: float = 1e-6,
    high: float = 1.0, steps: int = 16, include_zeros: bool = False,
) -> float:
    """Largest Gaussian weight-noise std keeping the circuit right on `n_inputs` random inputs.

    `largest_passing` between `low` and `high` with one fixed noise draw; the reference outputs
    are the noiseless module's.
    """
    bits = random_bits(n_inputs, compiled.n_inputs, seed)
    expected = compiled.run(bits) > 0.5
    return largest_passing(
        lambda std: stays_exact(compiled, bits, expected, std, seed, include_zeros),
        low, high, steps)
