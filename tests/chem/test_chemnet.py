"""ChemNet and the Fréchet distance: closed forms, the input encoding by hand, and agreement with
`fcd_torch` (the FCD MOSES uses) on the same molecules."""

from __future__ import annotations

import numpy as np
import pytest
from rdkit import Chem
from scipy.stats import special_ortho_group

from reprolab.chem import chemnet as C
from reprolab.core.errors import UserError


def _gaussian(rng: np.random.Generator, d: int, eigenvalues: np.ndarray | None = None,
              rotation: np.ndarray | None = None) -> C.Gaussian:
    rotation = special_ortho_group.rvs(d, random_state=1) if rotation is None else rotation
    values = rng.uniform(0.1, 3.0, d) if eigenvalues is None else eigenvalues
    return C.Gaussian(rng.normal(size=d), rotation @ np.diag(values) @ rotation.T)


def test_frechet_distance_of_identical_gaussians_is_zero():
    g = _gaussian(np.random.default_rng(0), 6)
    assert C.frechet_distance(g, g) == pytest.approx(0, abs=1e-9)


def test_frechet_distance_matches_the_closed_form_of_commuting_covariances():
    rng = np.random.default_rng(1)
    rotation = special_ortho_group.rvs(5, random_state=2)
    a_values, b_values = rng.uniform(0.1, 3.0, 5), rng.uniform(0.1, 3.0, 5)
    a = _gaussian(rng, 5, a_values, rotation)
    b = _gaussian(rng, 5, b_values, rotation)
    # tr(A + B - 2 (AB)^(1/2)) = sum (sqrt a_i - sqrt b_i)^2 for A, B with common eigenvectors
    expected = np.sum((a.mean - b.mean) ** 2) + np.sum((np.sqrt(a_values) - np.sqrt(b_values))**2)
    assert C.frechet_distance(a, b) == pytest.approx(expected, rel=1e-9)
    assert C.frechet_distance(b, a) == pytest.approx(expected, rel=1e-9)


def test_frechet_distance_of_fewer_than_two_molecules_is_nan():
    one = C.Gaussian.fit(np.ones((1, 4)))
    assert np.isnan(C.frechet_distance(one, C.Gaussian.fit(np.eye(4))))


def _read(smiles: str) -> list[str]:
    return [C.VOCAB[i] for i in C.symbols(smiles)]


def test_symbols_by_hand():
    assert _read("CCl") == ["C", "Cl", "."]
    assert _read("[SiH4]") == ["[", "Si", "H", "4", "]", "."]
    # outside the vocabulary: bond directions, ring label 9 and 0, Zn (read "Z" then "n")
    assert _read("F/C=C/Br") == ["F", "X", "C", "=", "C", "X", "Br", "."]
    assert _read("[Zn+2]") == ["[", "X", "n", "+", "2", "]", "."]
    assert _read("C1CC9C1") == ["C", "1", "C", "C", "X", "C", "1", "."]
    assert _read("CC.[Na+]") == ["C", "C", "."]  # only the first fragment is read
    long = C.symbols("C" * 500)
    assert len(long) == C.LENGTH and long[-1] == C.END
    tokens = C.encode(["CO", "C" * 500])
    assert tokens.shape == (2, C.LENGTH) and (tokens[0, 3:] == -1).all()


def test_missing_weights_are_one_user_error(monkeypatch):
    monkeypatch.setattr(C, "package_data_dir", lambda *_: None)
    C.chemnet.cache_clear()
    try:
        with pytest.raises(UserError, match="fcd-torch"):
            C.chemnet()
    finally:
        C.chemnet.cache_clear()


RINGS = ["c1ccc({})cc1", "c1cc({})ccn1", "C1CCC({})CC1", "c1ccc2cc({})ccc2c1", "O=C1CCC({})N1",
         "c1csc({})c1", "C1CN({})CCO1"]
GROUPS = ["C", "CC", "O", "OC", "N", "NC(=O)C", "F", "Cl", "Br", "C(F)(F)F", "C#N", "C(=O)O",
          "S(=O)(=O)N", "[N+](=O)[O-]", "/C=C/C", "C1CC1", "c1ccccc1", "[Si](C)(C)C"]


def _molecules() -> list[str]:
    """~250 canonical SMILES built from rings and substituents, some with symbols ChemNet reads
    as unknown (`/`, `[N+]`...), and two multi-fragment ones."""
    smiles = [ring.format(group) for ring in RINGS for group in GROUPS]
    smiles += [f"{g}{ring.format(h)}" for ring in RINGS[:3] for g in GROUPS[:4]
               for h in GROUPS[6:12]]
    smiles += ["CC(=O)[O-].[Na+]", "c1ccccc1.Cl"]
    return [Chem.MolToSmiles(Chem.MolFromSmiles(s)) for s in smiles]


def test_fcd_agrees_with_fcd_torch():
    fcd_torch = pytest.importorskip("fcd_torch")
    smiles = _molecules()
    assert len(smiles) >= 200
    reference = fcd_torch.FCD(device="cpu", n_jobs=1, batch_size=64)
    ours = C.activations(smiles, batch_size=64)
    np.testing.assert_allclose(ours, reference.get_predictions(smiles), atol=1e-5)
    gen, ref = smiles[::2], smiles[1::2]
    expected = reference(ref=ref, gen=gen)
    fitted = [C.Gaussian.fit(C.activations(s)) for s in (ref, gen)]
    assert expected > 1  # two different sets: the check is not of two zeros
    assert C.frechet_distance(*fitted) == pytest.approx(expected, abs=5e-3)
