"""The GuacaMol distribution-learning suite (Brown et al., J. Chem. Inf. Model. 2019): validity,
uniqueness, novelty, KL divergence over physicochemical descriptors, and the FCD score.

KL score: for 4 continuous descriptors (BertzCT, MolLogP, MolWt, TPSA) and the nearest-neighbour
similarity inside each set (ECFP4, 4096 bits), KL(reference || generated) of Gaussian KDEs on a
1,000-point grid; for 5 counts (acceptors, donors, rotatable bonds, aliphatic and aromatic rings)
of 10-bin histograms on the reference's bins; score = mean of exp(-KL). FCD score =
exp(-0.2 FCD), the Fréchet ChemNet Distance (`reprolab.chem.chemnet`) of the valid generated
molecules (duplicates kept) to the reference. The paper samples 10,000 molecules for each.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

import numpy as np
import torch
from rdkit import Chem
from rdkit.Chem import Descriptors, rdFingerprintGenerator
from scipy.stats import entropy, gaussian_kde

from reprolab.chem.chemnet import chemnet_gaussian, frechet_distance
from reprolab.chem.molecules import parse
from reprolab.chem.similarity import tanimoto_blocks

CONTINUOUS = ("BertzCT", "MolLogP", "MolWt", "TPSA")
DISCRETE = ("NumHAcceptors", "NumHDonors", "NumRotatableBonds", "NumAliphaticRings",
            "NumAromaticRings")
SIMILARITY_BITS = 4096
EPS = 1e-10


def continuous_kl(reference: np.ndarray, generated: np.ndarray) -> float:
    """KL(P || Q) of Gaussian KDEs of the two samples on 1,000 points spanning both; infinite
    when either sample has a single value (no density)."""
    if np.ptp(reference) == 0 or np.ptp(generated) == 0:
        return float("inf")
    both = np.concatenate([reference, generated])
    grid = np.linspace(both.min(), both.max(), num=1000)
    return float(entropy(gaussian_kde(reference)(grid) + EPS, gaussian_kde(generated)(grid) + EPS))


def discrete_kl(reference: np.ndarray, generated: np.ndarray) -> float:
    """KL(P || Q) of 10-bin density histograms on the reference's bins (a generated sample
    entirely outside them has zero density, not NaN)."""
    p, bins = np.histogram(reference, bins=10, density=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        q = np.nan_to_num(np.histogram(generated, bins=bins, density=True)[0])
    return float(entropy(p + EPS, q + EPS))


@cache
def _ecfp4():
    return rdFingerprintGenerator.GetMorganGenerator(radius=2, fpSize=SIMILARITY_BITS)


def nearest_internal_similarity(mols: Sequence[Chem.Mol]) -> np.ndarray:
    """`(n,)`: each molecule's highest ECFP4 Tanimoto similarity to another in the set."""
    fps = np.stack([_ecfp4().GetFingerprintAsNumPy(m).astype(np.uint8) for m in mols])
    best = torch.zeros(len(fps))
    for g0, r0, sim in tanimoto_blocks(fps, fps):
        rows = torch.arange(len(sim))
        inside = (rows + g0 >= r0) & (rows + g0 < r0 + sim.shape[1])
        sim[rows[inside], rows[inside] + g0 - r0] = 0  # not its own neighbour
        best[g0:g0 + len(sim)] = torch.maximum(best[g0:g0 + len(sim)], sim.max(dim=1).values)
    return best.numpy()


def descriptor_table(mols: Sequence[Chem.Mol]) -> dict[str, np.ndarray]:
    """The 9 descriptors and the internal nearest-neighbour similarity, each `(n,)`."""
    table = {name: np.array([getattr(Descriptors, name)(m) for m in mols], dtype=float)
             for name in (*CONTINUOUS, *DISCRETE)}
    table["internal_similarity"] = nearest_internal_similarity(mols)
    return table


def kl_score(reference: Sequence[Chem.Mol], generated: Sequence[Chem.Mol]) -> float:
    """GuacaMol's KL divergence benchmark score, in [0, 1] (1: same distributions)."""
    ref, gen = descriptor_table(reference), descriptor_table(generated)
    kls = [discrete_kl(ref[k], gen[k]) if k in DISCRETE else continuous_kl(ref[k], gen[k])
           for k in ref]
    return float(np.mean(np.exp(-np.array(kls))))


def fcd_score(reference: Sequence[Chem.Mol], generated: Sequence[Chem.Mol]) -> float:
    """GuacaMol's FCD benchmark score exp(-0.2 FCD), in (0, 1] (1: same statistics); NaN
    with fewer than two molecules on either side."""
    fcd = frechet_distance(chemnet_gaussian(reference, "reference ChemNet"),
                           chemnet_gaussian(generated, "generated ChemNet"))
    return float(np.exp(-0.2 * fcd))


def guacamol_metrics(generated: Sequence[str], reference: Sequence[str],
                     train: set[str] | frozenset[str]) -> dict[str, float]:
    """Validity (valid / all), uniqueness (distinct / valid), novelty (distinct not in canonical
    `train` / distinct), KL score of the distinct valid molecules against the `reference`
    SMILES (NaN with fewer than two), and the FCD score of the valid molecules against them.
    Undefined shares (no valid molecule) are NaN."""
    mols = [m for m in map(parse, generated) if m is not None]
    distinct = list(dict.fromkeys(Chem.MolToSmiles(m) for m in mols))
    nan = float("nan")
    ref_mols = [m for m in map(parse, reference) if m is not None]
    return {
        "validity": len(mols) / len(generated),
        "uniqueness": len(distinct) / len(mols) if mols else nan,
        "novelty": sum(s not in train for s in distinct) / len(distinct) if mols else nan,
        "kl_score": (kl_score(ref_mols, [Chem.MolFromSmiles(s) for s in distinct])
                     if len(distinct) > 1 else nan),
        "fcd_score": fcd_score(ref_mols, mols),
    }
