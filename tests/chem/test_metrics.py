"""Distribution metrics on hand-computable molecule sets and fingerprints."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from rdkit import Chem, DataStructs
from rdkit.Chem import rdFingerprintGenerator

from reprolab.chem import guacamol as G
from reprolab.chem.features import passes_filters
from reprolab.chem.moses_metrics import (
    Reference,
    cosine_similarity,
    moses_metrics,
    reference_of,
)
from reprolab.chem.similarity import mean_similarity_powers, nearest_similarity


def _tanimoto(a: np.ndarray, b: np.ndarray) -> float:
    union = np.logical_or(a, b).sum()
    return 1.0 if union == 0 else np.logical_and(a, b).sum() / union


def test_tanimoto_by_hand():
    fps = np.array([[1, 1, 0, 0], [1, 0, 1, 0], [0, 0, 0, 0]], dtype=np.uint8)
    assert nearest_similarity(fps[:1], fps[1:2])[0] == pytest.approx(1 / 3)
    assert nearest_similarity(fps[2:], fps[2:])[0] == 1.0  # 0/0 counts as identical (MOSES)


def test_bulk_similarity_matches_pairwise_loops():
    rng = np.random.default_rng(0)
    gen, ref = ((rng.random((n, 64)) < 0.2).astype(np.uint8) for n in (7, 11))
    pair = np.array([[_tanimoto(g, r) for r in ref] for g in gen])
    np.testing.assert_allclose(nearest_similarity(gen, ref), pair.max(axis=1), rtol=1e-6)
    inner = np.array([[_tanimoto(a, b) for b in gen] for a in gen])
    means = mean_similarity_powers(gen, (1, 2))
    np.testing.assert_allclose(means[1], inner.mean(axis=1), rtol=1e-6)
    np.testing.assert_allclose(means[2], (inner**2).mean(axis=1), rtol=1e-6)


def test_cosine_by_hand_and_without_integer_overflow():
    assert cosine_similarity(Counter(a=1, b=1), Counter(a=1)) == pytest.approx(2**-0.5)
    big = 4_000_000_000  # big * big overflows int64, as in MOSES's Frag on its test sets
    value = cosine_similarity(Counter(a=big, b=1), Counter(a=big, c=1))
    assert value == pytest.approx(1.0, abs=1e-12) and value <= 1.0
    assert np.isnan(cosine_similarity(Counter(), Counter(a=1)))


def test_moses_filters():
    assert passes_filters(Chem.MolFromSmiles("CCOc1ccccc1"))
    assert not passes_filters(Chem.MolFromSmiles("C[N+](C)(C)C"))  # charged
    assert not passes_filters(Chem.MolFromSmiles("CCP"))  # phosphorus not allowed
    assert not passes_filters(Chem.MolFromSmiles("C1CCCCCCC1"))  # 8-membered ring


def test_moses_metrics_by_hand():
    generated = ["OCC", "CCO", "c1ccccc1", "not a molecule"]
    ref = reference_of(["CCO", "c1ccccc1"])
    metrics = moses_metrics(generated, {"Test": ref}, {"CCO"}, ks=(2, 10))
    morgan = rdFingerprintGenerator.GetMorganGenerator(radius=2, fpSize=1024)
    t = DataStructs.TanimotoSimilarity(*(morgan.GetFingerprint(Chem.MolFromSmiles(s))
                                         for s in ("CCO", "c1ccccc1")))
    assert metrics["valid"] == 0.75
    assert metrics["unique@2"] == 0.5 and metrics["unique@10"] == pytest.approx(2 / 3)
    assert metrics["Novelty"] == 0.5
    assert metrics["SNN/Test"] == pytest.approx(1.0)
    assert metrics["Frag/Test"] == pytest.approx(3 / 10**0.5)  # counts (2, 1) against (1, 1)
    assert metrics["IntDiv"] == pytest.approx(1 - (5 + 4 * t) / 9)
    assert metrics["IntDiv2"] == pytest.approx(1 - (2 * np.sqrt((2 + t**2) / 3)
                                                    + np.sqrt((1 + 2 * t**2) / 3)) / 3)
    assert metrics["Filters"] == 1.0 and metrics["weight"] > 0


def test_fcd_vanishes_against_the_same_molecules_only():
    same = moses_metrics(SET, {"Test": reference_of(SET)}, set())
    assert same["FCD/Test"] == pytest.approx(0, abs=1e-3)
    other = moses_metrics(SET[:8], {"Test": reference_of(SET[8:])}, set())
    assert other["FCD/Test"] > 1


def test_reference_round_trip(tmp_path):
    ref = reference_of(["CCO", "c1ccc2ccccc2c1", "C1CCC2CCCCC2C1"])
    ref.save(tmp_path / "ref.npz")
    back = Reference.load(tmp_path / "ref.npz")
    assert (back.fingerprints == ref.fingerprints).all()
    assert back.fragments == ref.fragments and back.scaffolds == ref.scaffolds
    np.testing.assert_array_equal(back.properties["SA"], ref.properties["SA"])
    np.testing.assert_array_equal(back.chemnet.cov, ref.chemnet.cov)
    np.testing.assert_array_equal(back.chemnet.mean, ref.chemnet.mean)


SET = ["CCO", "CCN", "CCCO", "c1ccccc1O", "c1ccccc1N", "CC(=O)O", "CC(=O)N", "c1ccncc1",
       "C1CCCCC1", "C1CCNCC1", "CCOC(=O)C", "Cc1ccccc1", "OCCO", "NCCN", "CC(C)O", "CCCCN"]


def test_kl_divergences_vanish_on_identical_samples():
    values = np.array([1.0, 2.0, 2.5, 4.0, 7.0])
    assert G.continuous_kl(values, values) == pytest.approx(0, abs=1e-9)
    assert G.discrete_kl(values, values) == pytest.approx(0, abs=1e-9)
    assert G.continuous_kl(values, values + 5) > 1


def test_guacamol_metrics_by_hand():
    generated = [*SET, "CCO", "xx"]
    metrics = G.guacamol_metrics(generated, SET, {"CCO", "CCN"})
    assert metrics["validity"] == pytest.approx(17 / 18)
    assert metrics["uniqueness"] == pytest.approx(16 / 17)
    assert metrics["novelty"] == pytest.approx(14 / 16)
    assert metrics["kl_score"] == pytest.approx(1.0)
    assert G.guacamol_metrics(SET, SET, set())["fcd_score"] == pytest.approx(1, abs=1e-3)
    shifted = G.guacamol_metrics(["c1ccc2ccccc2c1", "c1ccc2cc3ccccc3cc2c1"], SET, set())
    assert shifted["kl_score"] < 0.5 and shifted["fcd_score"] < 0.9
    assert np.isnan(G.guacamol_metrics(["CCO", "xx"], SET, set())["fcd_score"])  # one valid
