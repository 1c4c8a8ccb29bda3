"""SMILES readers: invalid entries skipped and counted, standardisation, randomised SMILES."""

from __future__ import annotations

import gzip

import pytest
from rdkit import Chem

from reprolab.chem.molecules import canonical, randomised, read_moses, read_smiles
from reprolab.core.errors import UserError


def test_smi_file_keeps_valid_and_counts_invalid(tmp_path):
    path = tmp_path / "mols.smi"
    path.write_text("CCO ethanol\n\nC1CC broken\nCC(=O)[O-].[Na+] salt\nnot-a-smiles\n")
    found = read_smiles(path)
    assert found.smiles == ("CCO", "CC(=O)O")  # salt stripped, acid neutralised
    assert found.invalid == 2


def test_csv_column_and_gzip(tmp_path):
    path = tmp_path / "mols.csv.gz"
    with gzip.open(path, "wt") as handle:
        handle.write("id,smiles\n1,OCC\n2,\n3,c1ccccc1\n")
    found = read_smiles(path, column="smiles", standardised=False)
    assert found.smiles == ("CCO", "c1ccccc1") and found.invalid == 1


@pytest.mark.parametrize("name, column, message", [
    ("absent.smi", None, "does not exist"),
    ("mols.csv", "SMILES", "has no column 'SMILES'"),
    ("binary.smi.gz", None, "not a readable"),
])
def test_bad_files_raise_one_user_error(tmp_path, name, column, message):
    (tmp_path / "mols.csv").write_text("smiles\nCCO\n")
    (tmp_path / "binary.smi.gz").write_bytes(b"\x00\x01 not gzip")
    with pytest.raises(UserError, match=message):
        read_smiles(tmp_path / name, column=column)


def test_randomised_smiles_are_the_same_molecule_and_seeded():
    mol = Chem.MolFromSmiles("CC(=O)Oc1ccccc1C(=O)O")
    variants = randomised(mol, 5, seed=3)
    assert {canonical(v) for v in variants} == {Chem.MolToSmiles(mol)}
    assert len(set(variants)) > 1 and variants == randomised(mol, 5, seed=3)


def test_moses_split_reads_from_the_wheel():
    test = read_moses("test", limit=3)
    assert len(test) == 3 and all(canonical(s) for s in test)
