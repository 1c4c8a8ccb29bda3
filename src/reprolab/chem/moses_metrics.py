"""The MOSES metric suite (Polykovskiy et al., Front. Pharmacol. 2020), with MOSES's key names.

Each generated SMILES is parsed once, and the features of each distinct molecule are computed
once (duplicates count as often as they occur, as in MOSES) and serve both reference sets
(Test, TestSF), whose statistics are computed once and cached on disk. Count vectors (Frag, Scaf)
are compared in float64, so the cosine cannot overflow as MOSES's int64 products do on its
176k-molecule test sets (where its Frag reads exactly 1.0).

Keys: valid, unique@k, FCD/Test, SNN/Test, Frag/Test, Scaf/Test (and /TestSF), IntDiv, IntDiv2,
Filters, logP, SA, QED, weight (Wasserstein-1 distances to Test), Novelty. FCD is the Fréchet
ChemNet Distance of `reprolab.chem.chemnet` on the valid molecules (duplicates kept), as MOSES.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.stats import wasserstein_distance

from reprolab.chem.chemnet import Gaussian, chemnet_gaussian, frechet_distance
from reprolab.chem.features import PROPERTIES, Features, features
from reprolab.chem.molecules import DistinctMolecules, MosesSplit, distinct_molecules, read_moses
from reprolab.chem.similarity import mean_similarity_powers, nearest_similarity
from reprolab.chem.statistics_cache import cached_statistics, save_arrays
from reprolab.core.errors import UserError

STATS_VERSION = 2  # 2: ChemNet statistics


@dataclass
class Reference:
    """What a metric needs of a reference set: fingerprints, fragment and scaffold counts,
    the property values and the Gaussian of its ChemNet activations."""

    fingerprints: np.ndarray  # (n, 1024) uint8 bits
    fragments: Counter
    scaffolds: Counter
    properties: dict[str, np.ndarray]
    chemnet: Gaussian

    @classmethod
    def of(cls, feats: Features, chemnet: Gaussian) -> Reference:
        return cls(feats.fingerprints, Counter(f for frags in feats.fragments for f in frags),
                   Counter(s for s in feats.scaffolds if s is not None), feats.properties,
                   chemnet)

    def save(self, path: Path) -> None:
        save_arrays(path, {
            "bits": np.packbits(self.fingerprints, axis=1),
            **_counter_arrays("frag", self.fragments), **_counter_arrays("scaf", self.scaffolds),
            **{f"prop_{name}": values for name, values in self.properties.items()},
            **self.chemnet.arrays()})

    @classmethod
    def load(cls, path: Path) -> Reference:
        with np.load(path, allow_pickle=False) as data:
            return cls(np.unpackbits(data["bits"], axis=1), _counter(data, "frag"),
                       _counter(data, "scaf"), {name: data[f"prop_{name}"] for name in PROPERTIES},
                       Gaussian.from_arrays(data))


def _counter_arrays(prefix: str, counts: Counter) -> dict[str, np.ndarray]:
    keys = sorted(counts)
    return {f"{prefix}_keys": np.array(keys, dtype=str),
            f"{prefix}_counts": np.array([counts[k] for k in keys], dtype=np.int64)}


def _counter(data: Mapping[str, np.ndarray], prefix: str) -> Counter:
    return Counter(dict(zip(data[f"{prefix}_keys"].tolist(), data[f"{prefix}_counts"].tolist(),
                            strict=True)))


def _statistics(molecules: DistinctMolecules, description: str, *, filters: bool
                ) -> tuple[Features, Gaussian]:
    """The features of each distinct molecule and the ChemNet Gaussian of every valid entry."""
    return (features(molecules.mols, filters=filters, description=f"{description} features"),
            chemnet_gaussian(molecules, f"{description} ChemNet"))


def reference_of(smiles: Sequence[str], description: str = "reference") -> Reference:
    """The statistics of the SMILES that parse (the rest are skipped)."""
    molecules = distinct_molecules(smiles)
    feats, gaussian = _statistics(molecules, description, filters=False)
    return Reference.of(feats.take(molecules.inverse), gaussian)


def moses_reference(split: MosesSplit, limit: int | None = None,
                    cache: Path | None = None) -> Reference:
    """The reference statistics of a MOSES split (its first `limit` molecules), computed once
    (minutes) and cached in `cache` (default `core.cache.cache_dir("chem")`)."""
    return cached_statistics(f"moses-{split}", STATS_VERSION, read_moses(split, limit),
                             lambda smiles: reference_of(smiles, f"MOSES {split} (once)"),
                             Reference.load, cache)


def moses_references(limit: int | None = None, cache: Path | None = None
                     ) -> dict[str, Reference]:
    """`{"Test": ..., "TestSF": ...}`: the cached statistics of MOSES's two test sets (their
    first `limit` molecules each)."""
    return {"Test": moses_reference("test", limit, cache),
            "TestSF": moses_reference("test_scaffolds", limit, cache)}


def cosine_similarity(a: Counter, b: Counter) -> float:
    """Cosine of two count vectors given as `{key: count}` (absent keys are 0), in float64;
    NaN when either is empty."""
    if not a or not b:
        return float("nan")
    keys = list(a.keys() | b.keys())
    u = np.array([a.get(k, 0) for k in keys], dtype=np.float64)
    v = np.array([b.get(k, 0) for k in keys], dtype=np.float64)
    return float(u @ v / np.sqrt((u @ u) * (v @ v)))


def unique_fraction(smiles: Sequence[str], k: int) -> float:
    """Distinct molecules among the first `k` (all, when fewer) canonical SMILES."""
    head = smiles[:k]
    return len(set(head)) / len(head)


def moses_keys(references: Mapping[str, Reference], ks: tuple[int, ...]) -> list[str]:
    """The metric names `moses_metrics` returns after `valid`, in order."""
    per_reference = [f"{m}/{name}" for name in references for m in ("FCD", "SNN", "Frag", "Scaf")]
    return [*(f"unique@{k}" for k in ks), *per_reference, "IntDiv", "IntDiv2", "Filters",
            *PROPERTIES, "Novelty"]


def moses_metrics(generated: Sequence[str], references: Mapping[str, Reference],
                  train: set[str] | frozenset[str], *, ks: tuple[int, ...] = (1000, 10000)
                  ) -> dict[str, float]:
    """MOSES's `get_all_metrics` for `generated` SMILES against named `references` (keys
    `"Test"`, `"TestSF"`; the first one's properties are the Wasserstein reference) and the set
    of canonical `train` SMILES. With no valid molecule, every metric but `valid` (0) is NaN;
    with one, the FCD is NaN too."""
    if not generated:
        raise UserError("No generated SMILES to evaluate.")
    molecules = distinct_molecules(generated)
    metrics: dict[str, float] = {"valid": molecules.valid}
    if not molecules.mols:  # every other metric is undefined
        return metrics | dict.fromkeys(moses_keys(references, ks), float("nan"))
    for k in ks:
        metrics[f"unique@{k}"] = unique_fraction(molecules.canonical, k)
    distinct, gaussian = _statistics(molecules, "generated", filters=True)
    gen = distinct.take(molecules.inverse)
    gen_ref = Reference.of(gen, gaussian)
    for name, ref in references.items():
        metrics[f"FCD/{name}"] = frechet_distance(ref.chemnet, gen_ref.chemnet)
        nearest = nearest_similarity(distinct.fingerprints, ref.fingerprints)
        metrics[f"SNN/{name}"] = float(nearest[molecules.inverse].mean())
        metrics[f"Frag/{name}"] = cosine_similarity(ref.fragments, gen_ref.fragments)
        metrics[f"Scaf/{name}"] = cosine_similarity(ref.scaffolds, gen_ref.scaffolds)
    means = mean_similarity_powers(gen.fingerprints, (1, 2))
    metrics["IntDiv"] = float(1 - means[1].mean())
    metrics["IntDiv2"] = float(1 - np.sqrt(means[2]).mean())
    metrics["Filters"] = float(gen.filters.mean())
    first = next(iter(references.values()))
    for name in PROPERTIES:
        metrics[name] = float(wasserstein_distance(first.properties[name], gen.properties[name]))
    metrics["Novelty"] = len(set(molecules.distinct) - set(train)) / len(molecules.distinct)
    return metrics
