"""Substructure vocabularies the prompts speak of: BRICS fragments, covalent warheads and
undesirable groups.

Sources:
- BRICS fragments: RDKit's `BRICS.BRICSDecompose` (Degen et al., ChemMedChem 2008), with the
  attachment dummies removed so a fragment is a plain substructure.
- Undesirable groups: RDKit's `FilterCatalog` PAINS A/B/C (Baell & Holloway, J. Med. Chem. 2010)
  and Brenk's unwanted groups (Brenk et al., ChemMedChem 2008).
- Covalent warheads: 16 electrophile classes written as SMARTS here after the reviews of
  Gehringer & Laufer (J. Med. Chem. 2019) and Boike et al. (Nat. Rev. Drug Discov. 2022).
"""

from __future__ import annotations

from functools import cache

from rdkit import Chem
from rdkit.Chem import BRICS
from rdkit.Chem.FilterCatalog import FilterCatalog, FilterCatalogParams

from reprolab.chem.molecules import parse

WARHEAD_SMARTS: dict[str, str] = {
    "acrylamide": "C=CC(=O)[NX3]",
    "propiolamide": "C#CC(=O)[NX3]",
    "vinyl sulfone": "C=C[SX4](=O)(=O)[#6]",
    "vinyl sulfonamide": "C=C[SX4](=O)(=O)[NX3]",
    "chloroacetamide": "Cl[CH2]C(=O)[NX3]",
    "alpha-halo ketone": "[Cl,Br,I][CX4]C(=O)[#6]",
    "epoxide": "C1OC1",
    "aziridine": "C1NC1",
    "aldehyde": "[CX3H1](=O)[#6]",
    "boronic acid": "[BX3]([OX2H])[OX2H]",
    "sulfonyl fluoride": "[SX4](=O)(=O)F",
    "fluorophosphonate": "P(=O)F",
    "isothiocyanate": "N=C=S",
    "cyanamide": "[NX3]C#N",
    "beta-lactam": "O=C1CCN1",
    "disulfide": "[SX2][SX2]",
}


@cache
def _warhead_patterns() -> dict[str, Chem.Mol]:
    patterns = {name: Chem.MolFromSmarts(smarts) for name, smarts in WARHEAD_SMARTS.items()}
    assert all(p is not None for p in patterns.values()), "a warhead SMARTS does not parse"
    return patterns


def warheads(mol: Chem.Mol) -> tuple[str, ...]:
    """Names of the warhead classes present in `mol`, in `WARHEAD_SMARTS` order."""
    return tuple(name for name, p in _warhead_patterns().items() if mol.HasSubstructMatch(p))


def has_warhead(mol: Chem.Mol, name: str) -> bool:
    return mol.HasSubstructMatch(_warhead_patterns()[name])


@cache
def _undesirable_catalog() -> FilterCatalog:
    params = FilterCatalogParams()
    params.AddCatalog(FilterCatalogParams.FilterCatalogs.PAINS)
    params.AddCatalog(FilterCatalogParams.FilterCatalogs.BRENK)
    return FilterCatalog(params)


def has_undesirable(mol: Chem.Mol) -> bool:
    """Whether `mol` matches any PAINS or Brenk pattern."""
    return _undesirable_catalog().HasMatch(mol)


_DUMMY = Chem.MolFromSmarts("[#0]")
MIN_FRAGMENT_ATOMS = 4  # smaller BRICS pieces (C=O, N) say nothing about a molecule


def brics_fragments(mol: Chem.Mol, min_atoms: int = MIN_FRAGMENT_ATOMS) -> tuple[str, ...]:
    """Canonical SMILES of `mol`'s BRICS fragments of at least `min_atoms` heavy atoms, without
    attachment points, that parse as molecules, sorted; empty for a molecule with no BRICS
    bond."""
    fragments = set()
    for fragment in BRICS.BRICSDecompose(mol):
        bare = Chem.DeleteSubstructs(Chem.MolFromSmiles(fragment), _DUMMY)
        smiles = Chem.MolToSmiles(bare)
        if bare.GetNumAtoms() >= min_atoms and parse(smiles) is not None:
            fragments.add(smiles)  # not every bare aromatic piece is a molecule: "c1ccnc1"
    fragments.discard(Chem.MolToSmiles(mol))
    return tuple(sorted(fragments))


def has_substructure(mol: Chem.Mol, smiles: str) -> bool:
    """Whether the molecule `smiles` occurs in `mol` as a substructure."""
    pattern = parse(smiles)
    return pattern is not None and mol.HasSubstructMatch(pattern)
