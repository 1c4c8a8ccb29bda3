"""The 12 properties SmileyLlama's prompts state (Cavanagh et al. 2024, section 2.1), computed
with RDKit once per molecule and cached as parquet.

Numeric: H-bond donors and acceptors (Lipinski's counts as RDKit's `CalcNumHBD/HBA`), molecular
weight (average, Da), Crippen logP, rotatable bonds, fraction of sp3 carbons, TPSA (A^2).
Structural: the molecular formula, macrocycle (a ring of >= 12 atoms), undesirable groups
(PAINS or Brenk), covalent warheads and BRICS fragments (see `substructures`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd
from rdkit import Chem
from rdkit.Chem import Crippen, Descriptors, rdMolDescriptors

from reprolab.chem.molecules import parse
from reprolab.chem.substructures import brics_fragments, has_undesirable, warheads
from reprolab.core.errors import UserError
from reprolab.core.progress import track

MACROCYCLE_ATOMS = 12
NUMERIC = ("hbd", "hba", "mw", "logp", "rotb", "fsp3", "tpsa")
COLUMNS = ("smiles", *NUMERIC, "formula", "macrocycle", "undesirable", "warheads", "brics")


def largest_ring(mol: Chem.Mol) -> int:
    """Atoms in the largest ring of the smallest set of smallest rings (0 when acyclic)."""
    return max(map(len, mol.GetRingInfo().AtomRings()), default=0)


def properties(mol: Chem.Mol) -> dict[str, object]:
    """The 12 properties of `mol` (keys as `COLUMNS` without `smiles`)."""
    return {
        "hbd": rdMolDescriptors.CalcNumHBD(mol),
        "hba": rdMolDescriptors.CalcNumHBA(mol),
        "mw": Descriptors.MolWt(mol),
        "logp": Crippen.MolLogP(mol),
        "rotb": rdMolDescriptors.CalcNumRotatableBonds(mol),
        "fsp3": rdMolDescriptors.CalcFractionCSP3(mol),
        "tpsa": rdMolDescriptors.CalcTPSA(mol),
        "formula": rdMolDescriptors.CalcMolFormula(mol),
        "macrocycle": largest_ring(mol) >= MACROCYCLE_ATOMS,
        "undesirable": has_undesirable(mol),
        "warheads": list(warheads(mol)),
        "brics": list(brics_fragments(mol)),
    }


def property_table(smiles: Sequence[str], *, progress: bool = True) -> pd.DataFrame:
    """One row per parsable SMILES (`COLUMNS`); unparsable entries are left out."""
    rows = []
    for entry in track(smiles, "properties") if progress else smiles:
        mol = parse(entry)
        if mol is not None:
            rows.append({"smiles": entry, **properties(mol)})
    return pd.DataFrame(rows, columns=list(COLUMNS))


def cached_property_table(smiles: Sequence[str], path: Path) -> pd.DataFrame:
    """`property_table(smiles)`, read from the parquet file `path` when it holds exactly these
    molecules (give valid SMILES: invalid ones are left out of the table), else computed and
    written there. Lists come back as numpy arrays either way."""
    if path.is_file():
        try:
            table = pd.read_parquet(path)
        except (OSError, ValueError) as error:
            raise UserError(f"Cannot read the property cache {path} ({error}): delete it."
                            ) from None
        if list(table.columns) == list(COLUMNS) and table["smiles"].tolist() == list(smiles):
            return table
    table = property_table(smiles)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".part")
    table.to_parquet(partial, index=False)
    partial.replace(path)
    return pd.read_parquet(path)
