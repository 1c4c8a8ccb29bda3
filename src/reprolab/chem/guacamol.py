"""The GuacaMol distribution-learning suite (Brown et al., J. Chem. Inf. Model. 2019): validity,
uniqueness, novelty, KL divergence over physicochemical descriptors, and the FCD score.

KL score: for 4 continuous descriptors (BertzCT, MolLogP, MolWt, TPSA) and the nearest-neighbour
similarity inside each set (ECFP4, 4096 bits), KL(reference || generated) of Gaussian KDEs on a
1,000-point grid; for 5 counts (acceptors, donors, rotatable bonds, aliphatic and aromatic rings)
of 10-bin histograms on the reference's bins; score = mean of exp(-KL). FCD score =
exp(-0.2 FCD), the Fréchet ChemNet Distance (`reprolab.chem.chemnet`) of the valid generated
molecules (duplicates kept) to the reference. The paper samples 10,000 molecules for each.
The reference's descriptors and ChemNet statistics are computed once and cached.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
from rdkit import Chem
from rdkit.Chem import Descriptors, rdFingerprintGenerator
from scipy.stats import entropy, gaussian_kde

from reprolab.chem.chemnet import Gaussian, chemnet_gaussian, frechet_distance
from reprolab.chem.molecules import distinct_molecules, read_moses
from reprolab.chem.similarity import nearest_similarity
from reprolab.chem.statistics_cache import cached_statistics, save_arrays

CONTINUOUS = ("BertzCT", "MolLogP", "MolWt", "TPSA")
DISCRETE = ("NumHAcceptors", "NumHDonors", "NumRotatableBonds", "NumAliphaticRings",
            "NumAromaticRings")
SIMILARITY_BITS = 4096
EPS = 1e-10
STATS_VERSION = 1


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
    return nearest_similarity(np.stack([_ecfp4().GetFingerprintAsNumPy(m).astype(np.uint8)
                                        for m in mols]))


def descriptor_table(mols: Sequence[Chem.Mol]) -> dict[str, np.ndarray]:
    """The 9 descriptors and the internal nearest-neighbour similarity, each `(n,)`."""
    table = {name: np.array([getattr(Descriptors, name)(m) for m in mols], dtype=float)
             for name in (*CONTINUOUS, *DISCRETE)}
    table["internal_similarity"] = nearest_internal_similarity(mols)
    return table


@dataclass
class GuacamolReference:
    """What the suite needs of its reference set: the `descriptor_table` of its valid
    molecules (duplicates kept) and the Gaussian of their ChemNet activations."""

    descriptors: dict[str, np.ndarray]
    chemnet: Gaussian

    @classmethod
    def of(cls, smiles: Sequence[str], description: str = "reference") -> GuacamolReference:
        """The statistics of the SMILES that parse (the rest are skipped)."""
        molecules = distinct_molecules(smiles)
        return cls(descriptor_table([molecules.mols[i] for i in molecules.inverse]),
                   chemnet_gaussian(molecules, f"{description} ChemNet"))

    def save(self, path: Path) -> None:
        save_arrays(path, {**{f"desc_{k}": v for k, v in self.descriptors.items()},
                           **self.chemnet.arrays()})

    @classmethod
    def load(cls, path: Path) -> GuacamolReference:
        with np.load(path, allow_pickle=False) as data:
            return cls({k.removeprefix("desc_"): data[k] for k in data.files
                        if k.startswith("desc_")}, Gaussian.from_arrays(data))


def guacamol_reference(size: int, cache: Path | None = None) -> GuacamolReference:
    """The statistics of the first `size` MOSES training molecules, computed once and cached
    in `cache` (default `core.cache.cache_dir("chem")`)."""
    return cached_statistics("guacamol-train", STATS_VERSION, read_moses("train", size),
                             lambda smiles: GuacamolReference.of(smiles, "GuacaMol reference"),
                             GuacamolReference.load, cache)


def kl_score(reference: Mapping[str, np.ndarray], generated: Mapping[str, np.ndarray]) -> float:
    """GuacaMol's KL divergence benchmark score of two `descriptor_table`s, in [0, 1] (1: same
    distributions)."""
    kls = [discrete_kl(reference[k], generated[k]) if k in DISCRETE
           else continuous_kl(reference[k], generated[k]) for k in reference]
    return float(np.mean(np.exp(-np.array(kls))))


def guacamol_metrics(generated: Sequence[str], reference: GuacamolReference,
                     train: set[str] | frozenset[str]) -> dict[str, float]:
    """Validity (valid / all), uniqueness (distinct / valid), novelty (distinct not in canonical
    `train` / distinct), KL score of the distinct valid molecules against the `reference`
    (NaN with fewer than two), and the FCD score exp(-0.2 FCD) of the valid molecules against
    it (NaN with fewer than two). Undefined shares (no valid molecule) are NaN."""
    molecules = distinct_molecules(generated)
    distinct, nan = molecules.distinct, float("nan")
    fcd = frechet_distance(reference.chemnet, chemnet_gaussian(molecules, "generated ChemNet"))
    return {
        "validity": molecules.valid,
        "uniqueness": len(distinct) / len(molecules.canonical) if distinct else nan,
        "novelty": sum(s not in train for s in distinct) / len(distinct) if distinct else nan,
        "kl_score": (kl_score(reference.descriptors, descriptor_table(molecules.mols))
                     if len(distinct) > 1 else nan),
        "fcd_score": float(np.exp(-0.2 * fcd)),
    }
