"""SMILES in: parsing without RDKit's log noise, standardisation, canonical and randomised SMILES,
the distinct molecules of a sample, and readers for MOSES splits and any SMILES file (plain
lines or a CSV column).

Invalid SMILES in an input are skipped and counted, never raised: a `SmilesSet` carries the
molecules kept and how many lines were dropped.
"""

from __future__ import annotations

import csv
import gzip
import io
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Literal

import numpy as np
from rdkit import Chem, RDLogger
from rdkit.Chem.MolStandardize import rdMolStandardize

from reprolab.core.data import dataset_file
from reprolab.core.errors import UserError

MosesSplit = Literal["train", "test", "test_scaffolds"]
MOSES_SPLITS: tuple[MosesSplit, ...] = ("train", "test", "test_scaffolds")


@contextmanager
def quiet_rdkit() -> Iterator[None]:
    """Silence RDKit's per-molecule warnings (bad valence, unparsable SMILES) within the block."""
    RDLogger.DisableLog("rdApp.*")
    try:
        yield
    finally:
        RDLogger.EnableLog("rdApp.*")


def parse(smiles: str) -> Chem.Mol | None:
    """The sanitised molecule of `smiles`, or None for an empty or invalid string."""
    if not smiles:
        return None
    with quiet_rdkit():
        return Chem.MolFromSmiles(smiles)


def canonical(smiles: str) -> str | None:
    """RDKit's canonical isomeric SMILES of `smiles`, or None when it does not parse."""
    mol = parse(smiles)
    return None if mol is None else Chem.MolToSmiles(mol)


def standardise(mol: Chem.Mol) -> Chem.Mol:
    """RDKit's standard clean-up, the largest fragment (salts and solvents dropped), neutralised."""
    with quiet_rdkit():
        mol = rdMolStandardize.Cleanup(mol)
        mol = rdMolStandardize.LargestFragmentChooser().choose(mol)
        return rdMolStandardize.Uncharger().uncharge(mol)


def randomised(mol: Chem.Mol, n: int, seed: int) -> list[str]:
    """`n` random (non-canonical) SMILES of `mol` (Bjerrum 2017 augmentation), reproducible by
    `seed`. Each parses back to the same molecule."""
    return list(Chem.MolToRandomSmilesVect(mol, n, randomSeed=seed))


@dataclass(frozen=True)
class DistinctMolecules:
    """The entries of a SMILES list that parse: their `canonical` SMILES in input order
    (duplicates kept), the `distinct` ones in first-seen order with one molecule each (`mols`),
    and `inverse`, `(len(canonical),)` indices into `distinct`."""

    entries: int
    canonical: list[str]
    distinct: list[str]
    mols: list[Chem.Mol]
    inverse: np.ndarray

    @property
    def valid(self) -> float:
        """The share of entries that parse."""
        return len(self.canonical) / self.entries


def distinct_molecules(entries: Sequence[str]) -> DistinctMolecules:
    """Parse each entry once and keep one molecule per distinct canonical SMILES, the one
    parsed from that canonical form (MOSES computes features on it): an entry already canonical
    keeps its own molecule, the others are parsed again from their canonical SMILES."""
    index: dict[str, int] = {}
    canonical, mols, inverse = [], [], []
    with quiet_rdkit():
        for entry in entries:
            mol = Chem.MolFromSmiles(entry) if entry else None
            if mol is None:
                continue
            smiles = Chem.MolToSmiles(mol)
            if smiles not in index:
                index[smiles] = len(index)
                again = mol if smiles == entry else Chem.MolFromSmiles(smiles)
                mols.append(mol if again is None else again)
            canonical.append(smiles)
            inverse.append(index[smiles])
    return DistinctMolecules(len(entries), canonical, list(index), mols,
                             np.array(inverse, dtype=np.int64))


@dataclass(frozen=True)
class SmilesSet:
    """Canonical SMILES read from a source, in order (duplicates kept), and the count of input
    entries that did not parse."""

    smiles: tuple[str, ...]
    invalid: int
    source: str

    def __len__(self) -> int:
        return len(self.smiles)


def clean(entries: Iterable[str], source: str, *, standardised: bool = True) -> SmilesSet:
    """Parse each entry, optionally standardise it, and keep its canonical SMILES; count the
    entries that do not parse (or are empty) instead of raising."""
    kept, invalid = [], 0
    for entry in entries:
        mol = parse(entry.strip())
        if mol is None:
            invalid += 1
            continue
        kept.append(Chem.MolToSmiles(standardise(mol) if standardised else mol))
    return SmilesSet(tuple(kept), invalid, source)


def _open_text(path: Path) -> io.TextIOBase:
    if not path.is_file():
        raise UserError(f"SMILES file {path} does not exist.")
    try:
        if path.suffix == ".gz":
            return io.TextIOWrapper(gzip.open(path), encoding="utf-8")
        return path.open(encoding="utf-8")
    except OSError as error:
        raise UserError(f"Cannot read {path}: {error.strerror or error}.") from None


def read_entries(path: Path, column: str | None = None, limit: int | None = None) -> list[str]:
    """The raw SMILES strings of a file (the first `limit`): with `column`, that column of a CSV
    (`.csv`, `.csv.gz`) with a header; otherwise the first whitespace-separated field of each
    non-empty line (the `.smi` convention). Raises `UserError` for a missing/unreadable file or
    an absent column."""
    try:
        with _open_text(path) as handle:
            if column is None:
                return list(islice((line.split()[0] for line in handle if line.strip()), limit))
            reader = csv.DictReader(handle)
            if column not in (reader.fieldnames or ()):
                raise UserError(f"{path} has no column {column!r} (columns: "
                                f"{', '.join(reader.fieldnames or ()) or 'none'}).")
            return [row[column] or "" for row in islice(reader, limit)]
    except (UnicodeDecodeError, EOFError, gzip.BadGzipFile, csv.Error) as error:
        raise UserError(f"{path} is not a readable text/CSV file ({error}).") from None


def read_smiles(path: Path, column: str | None = None, *, standardised: bool = True) -> SmilesSet:
    """Canonical SMILES of a user's file (see `read_entries`); invalid entries counted."""
    return clean(read_entries(path, column), str(path), standardised=standardised)


def read_moses(split: MosesSplit, limit: int | None = None) -> list[str]:
    """The SMILES of a MOSES split as shipped (already canonical and standardised), first `limit`
    of them. Read from the `molsets` wheel's files; its code is never imported."""
    return read_entries(dataset_file("moses", f"{split}.csv.gz"), "SMILES", limit)
