"""Tanimoto similarity of binary fingerprints in bulk, never a Python double loop: the shared
bits of a block of pairs are one product of a sparse matrix (the generated fingerprints, a few
dozen bits set of 1,024) with a dense block of reference fingerprints, exact in float32 (counts
below 2^24); the rest is in-place array arithmetic on the block."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from scipy import sparse

BLOCK = 1024  # generated rows per product
REF_BLOCK = 4096  # reference rows per product: a 1024 x 4096 float32 block is 16 MB


def tanimoto_blocks(gen: np.ndarray, ref: np.ndarray) -> Iterator[tuple[int, int, np.ndarray]]:
    """Yield `(gen_start, ref_start, sim)`, `sim` (gen rows, ref rows) float32 the Tanimoto
    similarity of `gen[i]` and `ref[j]` for every pair, block by block (reference blocks in
    the outer loop); 0/0 (two empty fingerprints) is 1, as in MOSES."""
    gen_sparse = sparse.csr_matrix(gen, dtype=np.float32)
    gen_bits = np.asarray(gen.sum(axis=1), dtype=np.float32)
    ref_bits = np.asarray(ref.sum(axis=1), dtype=np.float32)
    for r0 in range(0, len(ref), REF_BLOCK):
        ref_t = ref[r0:r0 + REF_BLOCK].T.astype(np.float32)  # (bits, b_ref)
        r_bits = ref_bits[r0:r0 + REF_BLOCK]
        for g0 in range(0, len(gen), BLOCK):
            g_bits = gen_bits[g0:g0 + BLOCK]
            shared = np.asarray(gen_sparse[g0:g0 + BLOCK] @ ref_t)  # (b_gen, b_ref)
            union = np.add.outer(g_bits, r_bits)
            union -= shared
            np.maximum(union, 1, out=union)
            shared /= union
            both_empty = np.ix_(g_bits == 0, r_bits == 0)
            shared[both_empty] = 1
            yield g0, r0, shared


def nearest_similarity(gen: np.ndarray, ref: np.ndarray | None = None) -> np.ndarray:
    """`(n_gen,)`: each generated fingerprint's highest Tanimoto similarity to any of `ref`, or
    with `ref` None to any other fingerprint of `gen` (itself left out)."""
    best = np.zeros(len(gen), dtype=np.float32)
    for g0, r0, sim in tanimoto_blocks(gen, gen if ref is None else ref):
        if ref is None:  # zero each row's own column, where the block holds it
            rows = np.arange(max(g0, r0), min(g0 + sim.shape[0], r0 + sim.shape[1]))
            sim[rows - g0, rows - r0] = 0
        np.maximum(best[g0:g0 + len(sim)], sim.max(axis=1), out=best[g0:g0 + len(sim)])
    return best


def mean_similarity_powers(fps: np.ndarray,
                           powers: tuple[int, ...] = (1, 2)) -> dict[int, np.ndarray]:
    """For each power p, `(n,)`: each fingerprint's mean of T(x, y)^p over all y in `fps`
    (itself included), in one pass over the n x n similarities (summed in float64)."""
    totals = {p: np.zeros(len(fps)) for p in powers}
    for g0, _, sim in tanimoto_blocks(fps, fps):
        for p in powers:
            powered = sim if p == 1 else sim**p
            totals[p][g0:g0 + len(sim)] += powered.sum(axis=1, dtype=np.float64)
    return {p: total / len(fps) for p, total in totals.items()}
