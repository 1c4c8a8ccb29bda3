"""Tanimoto similarity of binary fingerprints in bulk: one matrix product per block of rows
(exact in float32 for counts below 2^24), never a Python double loop."""

from __future__ import annotations

import numpy as np
import torch

BLOCK = 2048  # generated rows per product
REF_BLOCK = 16384  # reference rows per product: a 2048 x 16384 float32 block is 128 MB


def _blocks(fps: np.ndarray, size: int):
    for start in range(0, len(fps), size):
        block = torch.from_numpy(fps[start:start + size]).float()  # (b, bits)
        yield start, block, block.sum(dim=1)


def tanimoto_blocks(gen: np.ndarray, ref: np.ndarray):
    """Yield `(gen_start, ref_start, sim)` with `sim` (gen rows, ref rows) the Tanimoto similarity
    of `gen[i]` and `ref[j]` for every pair, block by block; 0/0 (two empty fingerprints) is 1,
    as in MOSES."""
    for g0, g, g_bits in _blocks(gen, BLOCK):
        for r0, r, r_bits in _blocks(ref, REF_BLOCK):
            shared = g @ r.T  # (b_gen, b_ref)
            union = g_bits[:, None] + r_bits[None, :] - shared
            yield g0, r0, torch.where(union > 0, shared / union.clamp(min=1), 1.0)


def nearest_similarity(gen: np.ndarray, ref: np.ndarray) -> np.ndarray:
    """`(n_gen,)`: each generated fingerprint's highest Tanimoto similarity to any of `ref`."""
    best = torch.zeros(len(gen))
    for g0, _, sim in tanimoto_blocks(gen, ref):
        best[g0:g0 + len(sim)] = torch.maximum(best[g0:g0 + len(sim)], sim.max(dim=1).values)
    return best.numpy()


def mean_similarity_powers(fps: np.ndarray,
                           powers: tuple[int, ...] = (1, 2)) -> dict[int, np.ndarray]:
    """For each power p, `(n,)`: each fingerprint's mean of T(x, y)^p over all y in `fps`
    (itself included), in one pass over the n x n similarities."""
    totals = {p: torch.zeros(len(fps), dtype=torch.float64) for p in powers}
    for g0, _, sim in tanimoto_blocks(fps, fps):
        for p in powers:
            powered = sim if p == 1 else sim**p
            totals[p][g0:g0 + len(sim)] += powered.sum(dim=1, dtype=torch.float64)
    return {p: (total / len(fps)).numpy() for p, total in totals.items()}
