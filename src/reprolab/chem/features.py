"""Per-molecule features the distribution metrics compare, each computed once per molecule:
Morgan fingerprints (radius 2, 1024 bits, as MOSES), BRICS fragments, Murcko scaffolds, logP,
SA, QED, weight and MOSES's filters.

SA is Ertl & Schuffenhauer's score (J. Cheminf. 2009) from RDKit's Contrib; its fragment table
ships as a pickle, which we read with an unpickler that refuses every class. MOSES's filters
(MCF and PAINS SMARTS, allowed atoms, no charge, no ring of >= 8 atoms) read their SMARTS from the
files in the `molsets` wheel (its code is never imported); they are matched in bulk, RDKit's
`SubstructLibrary` screening every pattern against the molecules' pattern fingerprints first.
logP and weight are read from QED's inputs (RDKit's `QED.properties`), not computed again.
"""

from __future__ import annotations

import csv
import gzip
import pickle
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np
from rdkit import Chem
from rdkit.Chem import QED, rdFingerprintGenerator, rdSubstructLibrary
from rdkit.Chem.Scaffolds import MurckoScaffold

from reprolab.core.datasets import package_data_dir
from reprolab.core.errors import UserError
from reprolab.core.progress import track

FINGERPRINT_BITS = 1024
MIN_SCAFFOLD_RINGS = 2  # MOSES counts scaffolds of at least two rings
FILTER_ATOMS = frozenset({"C", "N", "S", "O", "F", "Cl", "Br", "H"})
PROPERTIES = ("logP", "SA", "QED", "weight")
FILTER_CHUNK = 5000  # molecules (with their hydrogens) held in one substructure library


class _NoClasses(pickle.Unpickler):
    def find_class(self, module: str, name: str):
        raise pickle.UnpicklingError(f"refusing to load {module}.{name}")


@cache
def _sa_module():
    from rdkit.Contrib.SA_Score import sascorer

    folder = package_data_dir("rdkit", "Contrib", "SA_Score")
    with gzip.open(folder / "fpscores.pkl.gz") as handle:
        table = _NoClasses(handle).load()  # [[score, fragment id, ...], ...]
    sascorer._fscores = {fragment: float(row[0]) for row in table for fragment in row[1:]}
    return sascorer


def sa_score(mol: Chem.Mol) -> float:
    """Synthetic accessibility, 1 (easy) to 10 (hard)."""
    return _sa_module().calculateScore(mol)


@cache
def _filter_patterns() -> tuple[Chem.Mol, ...]:
    folder = package_data_dir("moses", "metrics")
    if folder is None:
        raise UserError("MOSES's filter SMARTS come with the `molsets` package: install it "
                        "(`uv sync`) to compute the Filters metric.")
    with (folder / "mcf.csv").open() as handle:
        smarts = [row["smarts"] for row in csv.DictReader(handle)]
    with (folder / "wehi_pains.csv").open() as handle:
        smarts += [row[0] for row in csv.reader(handle)]
    return tuple(Chem.MolFromSmarts(s) for s in smarts)


def _atoms_and_rings_pass(mol: Chem.Mol) -> bool:
    """The filters' atom and ring checks: no ring of >= 8 atoms, no charged atom, only
    C N S O F Cl Br H."""
    if any(len(ring) >= 8 for ring in mol.GetRingInfo().AtomRings()):
        return False
    return all(a.GetFormalCharge() == 0 and a.GetSymbol() in FILTER_ATOMS
               for a in mol.GetAtoms())


def filter_passes(mols: Sequence[Chem.Mol]) -> np.ndarray:
    """`(n,)` bool, MOSES's `mol_passes_filters` for each molecule: the atom and ring checks,
    then no MCF or PAINS match on the molecule with explicit hydrogens."""
    passes = np.array([_atoms_and_rings_pass(m) for m in mols], dtype=bool)
    remaining = np.flatnonzero(passes)
    for start in range(0, len(remaining), FILTER_CHUNK):
        chunk = remaining[start:start + FILTER_CHUNK]
        library = rdSubstructLibrary.SubstructLibrary(rdSubstructLibrary.MolHolder(),
                                                      rdSubstructLibrary.PatternHolder())
        for i in chunk:
            library.AddMol(Chem.AddHs(mols[i]))
        for pattern in _filter_patterns():
            hits = library.GetMatches(pattern, useChirality=False, numThreads=1,
                                      maxResults=len(chunk))
            passes[chunk[list(hits)]] = False
    return passes


def fragments(mol: Chem.Mol) -> list[str]:
    """SMILES of the pieces left when every BRICS bond is cut (dummies kept, as MOSES)."""
    return Chem.MolToSmiles(Chem.FragmentOnBRICSBonds(mol)).split(".")


def scaffold(mol: Chem.Mol) -> str | None:
    """The Bemis-Murcko scaffold's SMILES, or None when it has fewer than two rings."""
    try:
        core = MurckoScaffold.GetScaffoldForMol(mol)
    except (ValueError, RuntimeError):  # RDKit rejects some exotic valences here
        return None
    if core.GetRingInfo().NumRings() < MIN_SCAFFOLD_RINGS:
        return None
    return Chem.MolToSmiles(core) or None


@cache
def _morgan():
    return rdFingerprintGenerator.GetMorganGenerator(radius=2, fpSize=FINGERPRINT_BITS)


@dataclass
class Features:
    """The features of n molecules: `fingerprints` (n, 1024) uint8 bits, per-molecule
    `fragments` and `scaffolds`, `properties` name -> (n,) and `filters` (n,) bool."""

    fingerprints: np.ndarray
    fragments: list[list[str]]
    scaffolds: list[str | None]
    properties: dict[str, np.ndarray]
    filters: np.ndarray

    def __len__(self) -> int:
        return len(self.fingerprints)

    def take(self, index: np.ndarray) -> Features:
        """The features of molecules `index` (repeats allowed)."""
        return Features(self.fingerprints[index], [self.fragments[i] for i in index],
                        [self.scaffolds[i] for i in index],
                        {name: values[index] for name, values in self.properties.items()},
                        self.filters[index])


def features(mols: Sequence[Chem.Mol], *, filters: bool = True,
             description: str = "molecule features") -> Features:
    """Every feature of `mols`, each molecule visited once (`filters=False` skips the filters,
    which reference sets do not need, and leaves them False)."""
    fps = np.zeros((len(mols), FINGERPRINT_BITS), dtype=np.uint8)
    frags, scafs = [], []
    props = {name: np.zeros(len(mols)) for name in PROPERTIES}
    for i, mol in enumerate(track(mols, description)):
        fps[i] = _morgan().GetFingerprintAsNumPy(mol)
        frags.append(fragments(mol))
        scafs.append(scaffold(mol))
        qed = QED.properties(mol)  # Crippen logP and average weight are two of its inputs
        props["logP"][i], props["weight"][i] = qed.ALOGP, qed.MW
        props["QED"][i] = QED.qed(mol, qedProperties=qed)
        props["SA"][i] = sa_score(mol)
    passes = filter_passes(mols) if filters else np.zeros(len(mols), dtype=bool)
    return Features(fps, frags, scafs, props, passes)
