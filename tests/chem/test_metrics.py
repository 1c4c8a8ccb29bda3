"""Distribution metrics on hand-computable molecule sets and fingerprints."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from rdkit import Chem, DataStructs
from rdkit.Chem import rdFingerprintGenerator

from reprolab.chem import features as F
from reprolab.chem import guacamol as G
from reprolab.chem import similarity as S
from reprolab.chem.molecules import distinct_molecules
from reprolab.chem.moses_metrics import (
    Reference,
    cosine_similarity,
    moses_metrics,
    reference_of,
)


def _tanimoto(a: np.ndarray, b: np.ndarray) -> float:
    union = np.logical_or(a, b).sum()
    return 1.0 if union == 0 else np.logical_and(a, b).sum() / union


def test_tanimoto_by_hand():
    fps = np.array([[1, 1, 0, 0], [1, 0, 1, 0], [0, 0, 0, 0]], dtype=np.uint8)
    assert S.nearest_similarity(fps[:1], fps[1:2])[0] == pytest.approx(1 / 3)
    assert S.nearest_similarity(fps[2:], fps[2:])[0] == 1.0  # 0/0 counts as identical (MOSES)
    assert S.nearest_similarity(fps[:2], fps[2:])[0] == 0.0


@pytest.mark.parametrize("blocks", [(1024, 4096), (3, 4)])
def test_bulk_similarity_matches_pairwise_loops(blocks, monkeypatch):
    monkeypatch.setattr(S, "BLOCK", blocks[0])
    monkeypatch.setattr(S, "REF_BLOCK", blocks[1])  # (3, 4): blocks that split the diagonal
    rng = np.random.default_rng(0)
    gen, ref = ((rng.random((n, 64)) < 0.2).astype(np.uint8) for n in (7, 11))
    pair = np.array([[_tanimoto(g, r) for r in ref] for g in gen])
    np.testing.assert_allclose(S.nearest_similarity(gen, ref), pair.max(axis=1), rtol=1e-6)
    inner = np.array([[_tanimoto(a, b) for b in gen] for a in gen])
    means = S.mean_similarity_powers(gen, (1, 2))
    np.testing.assert_allclose(means[1], inner.mean(axis=1), rtol=1e-6)
    np.testing.assert_allclose(means[2], (inner**2).mean(axis=1), rtol=1e-6)
    np.fill_diagonal(inner, 0)
    np.testing.assert_allclose(S.nearest_similarity(gen), inner.max(axis=1), rtol=1e-6)


def test_cosine_by_hand_and_without_integer_overflow():
    assert cosine_similarity(Counter(a=1, b=1), Counter(a=1)) == pytest.approx(2**-0.5)
    big = 4_000_000_000  # big * big overflows int64, as in MOSES's Frag on its test sets
    value = cosine_similarity(Counter(a=big, b=1), Counter(a=big, c=1))
    assert value == pytest.approx(1.0, abs=1e-12) and value <= 1.0
    assert np.isnan(cosine_similarity(Counter(), Counter(a=1)))


def test_moses_filters():
    smiles = ["CCOc1ccccc1", "C[N+](C)(C)C", "CCP", "C1CCCCCCC1", "C=CC(=O)Nc1ccccc1",
              "O=C1C=CC(=O)C=C1"]
    # charged, phosphorus, an 8-membered ring, an acrylamide (MCF), a quinone (PAINS)
    passes = F.filter_passes([Chem.MolFromSmiles(s) for s in smiles])
    assert passes.tolist() == [True, False, False, False, False, False]


def test_bulk_filters_match_each_pattern_on_each_molecule(monkeypatch):
    smiles = [*SET, "O=C1C=CC(=O)C=C1", "Oc1ccccc1N=Nc1ccccc1", "C=CC(=O)Nc1ccccc1",
              "S=C1SC(=Cc2ccccc2)C(=O)N1", "O=[N+]([O-])c1ccccc1", "c1ccc2c(c1)[nH]c1ccccc12"]
    mols = [Chem.MolFromSmiles(s) for s in smiles]
    patterns = F._filter_patterns()
    one_by_one = [F._atoms_and_rings_pass(m)
                  and not any(Chem.AddHs(m).HasSubstructMatch(p) for p in patterns) for m in mols]
    assert one_by_one.count(False) == 5  # both outcomes are checked
    monkeypatch.setattr(F, "FILTER_CHUNK", 4)  # several substructure libraries
    assert F.filter_passes(mols).tolist() == one_by_one


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


def test_distinct_molecules_keep_order_duplicates_and_canonical_forms():
    molecules = distinct_molecules(["OCC", "CCO", "", "xx", "c1ccccc1", "C(O)C"])
    assert molecules.valid == pytest.approx(4 / 6)
    assert molecules.canonical == ["CCO", "CCO", "c1ccccc1", "CCO"]
    assert molecules.distinct == ["CCO", "c1ccccc1"]
    assert molecules.inverse.tolist() == [0, 0, 1, 0]
    assert [Chem.MolToSmiles(m) for m in molecules.mols] == molecules.distinct


def test_duplicates_count_as_often_as_they_occur():
    generated = ["CCO", "c1ccccc1O", "CCO", "OCC", "CCN"]
    metrics = moses_metrics(generated, {"Test": reference_of(SET)}, set(), ks=(5,))
    spelled_out = moses_metrics(["CCO", "c1ccccc1O", "CCO", "CCO", "CCN"],
                                {"Test": reference_of(SET)}, set(), ks=(5,))
    once = moses_metrics(["CCO", "c1ccccc1O", "CCN"], {"Test": reference_of(SET)}, set(),
                         ks=(5,))
    assert metrics == pytest.approx(spelled_out, rel=1e-9, nan_ok=True)
    assert metrics["unique@5"] == pytest.approx(3 / 5) and metrics["Novelty"] == 1.0
    assert metrics["IntDiv"] < once["IntDiv"]  # three identical molecules lower the diversity
    assert metrics["FCD/Test"] != pytest.approx(once["FCD/Test"], rel=1e-3)


def test_fragments_are_the_brics_pieces_with_dummies():
    assert sorted(F.fragments(Chem.MolFromSmiles("CCOC(=O)c1ccccc1"))) == [
        "[1*]C([6*])=O", "[16*]c1ccccc1", "[3*]O[3*]", "[4*]CC"]


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
    reference = G.GuacamolReference.of(SET)
    generated = [*SET, "CCO", "xx"]
    metrics = G.guacamol_metrics(generated, reference, {"CCO", "CCN"})
    assert metrics["validity"] == pytest.approx(17 / 18)
    assert metrics["uniqueness"] == pytest.approx(16 / 17)
    assert metrics["novelty"] == pytest.approx(14 / 16)
    assert metrics["kl_score"] == pytest.approx(1.0)
    assert G.guacamol_metrics(SET, reference, set())["fcd_score"] == pytest.approx(1, abs=1e-3)
    shifted = G.guacamol_metrics(["c1ccc2ccccc2c1", "c1ccc2cc3ccccc3cc2c1"], reference, set())
    assert shifted["kl_score"] < 0.5 and shifted["fcd_score"] < 0.9
    assert np.isnan(G.guacamol_metrics(["CCO", "xx"], reference, set())["fcd_score"])  # one valid


def test_reference_statistics_are_cached_by_their_molecules(tmp_path, monkeypatch):
    built = []

    def build(smiles):
        built.append(list(smiles))
        return G.GuacamolReference.of(smiles)

    monkeypatch.setattr(G, "read_moses", lambda split, limit: SET[:limit])
    first = G.cached_statistics("guacamol-train", 1, SET[:6], build, G.GuacamolReference.load,
                                tmp_path)
    again = G.cached_statistics("guacamol-train", 1, SET[:6], build, G.GuacamolReference.load,
                                tmp_path)
    other = G.cached_statistics("guacamol-train", 1, SET[:7], build, G.GuacamolReference.load,
                                tmp_path)
    assert built == [SET[:6], SET[:7]] and len(list(tmp_path.glob("*.npz"))) == 2
    for name, values in first.descriptors.items():
        np.testing.assert_array_equal(again.descriptors[name], values)
    np.testing.assert_array_equal(again.chemnet.cov, first.chemnet.cov)
    assert len(other.descriptors["MolWt"]) == 7
    cached = G.guacamol_reference(6, tmp_path)  # the same molecules: read, not built
    np.testing.assert_array_equal(cached.chemnet.mean, first.chemnet.mean)
    assert len(built) == 2
