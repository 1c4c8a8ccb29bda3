"""The 12 properties on molecules with known values, and the parquet cache."""

from __future__ import annotations

import pytest
from rdkit import Chem

from reprolab.chem import properties as props
from reprolab.chem.substructures import brics_fragments, warheads

ASPIRIN = "CC(=O)Oc1ccccc1C(=O)O"


def test_aspirin():
    row = props.properties(Chem.MolFromSmiles(ASPIRIN))
    assert (row["hbd"], row["hba"], row["rotb"]) == (1, 3, 2)
    assert row["mw"] == pytest.approx(180.159, abs=1e-3)
    assert row["tpsa"] == pytest.approx(63.6, abs=0.01)
    assert row["fsp3"] == pytest.approx(1 / 9)
    assert row["formula"] == "C9H8O4" and not row["macrocycle"]
    assert row["brics"] == ["c1ccccc1"]


@pytest.mark.parametrize("smiles, macro", [("C1CCCCCCCCCCC1", True), ("C1CCCCCCCCCC1", False)])
def test_macrocycle_means_a_ring_of_twelve_atoms(smiles, macro):
    assert props.properties(Chem.MolFromSmiles(smiles))["macrocycle"] is macro


def test_warheads_and_fragments():
    mol = Chem.MolFromSmiles("C=CC(=O)Nc1ccc(cc1)C(=O)N1CCOCC1")
    assert warheads(mol) == ("acrylamide",)
    assert warheads(Chem.MolFromSmiles("CCO")) == ()
    assert "C1COCCN1" in brics_fragments(mol) and "C=O" not in brics_fragments(mol)


def test_table_skips_invalid_and_cache_is_reused(tmp_path, monkeypatch):
    path = tmp_path / "p.parquet"
    table = props.cached_property_table(["CCO", "C1CC", ASPIRIN], path)
    assert table["smiles"].tolist() == ["CCO", ASPIRIN]
    assert table.loc[1, "warheads"].tolist() == []
    monkeypatch.setattr(props, "property_table", lambda *a, **k: pytest.fail("recomputed"))
    again = props.cached_property_table(["CCO", ASPIRIN], path)
    assert again["formula"].tolist() == ["C2H6O", "C9H8O4"]
