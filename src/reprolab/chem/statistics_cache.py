"""Reference statistics computed once (minutes for a MOSES test set) and kept as `.npz` in
`core.cache.cache_dir("chem")`, each file named by its kind, format version and the sha256 of
the reference SMILES, so another set (or another `--test-limit`) never reads a stale file."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Protocol, TypeVar

import numpy as np

from reprolab.core.cache import cache_dir


class Saved(Protocol):
    def save(self, path: Path) -> None: ...


S = TypeVar("S", bound=Saved)


def save_arrays(path: Path, arrays: Mapping[str, np.ndarray]) -> None:
    """Write `arrays` to `path` (compressed `.npz`) atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".part.npz")
    np.savez_compressed(partial, **arrays)
    partial.replace(path)


def cached_statistics(kind: str, version: int, smiles: Sequence[str],
                      build: Callable[[Sequence[str]], S], load: Callable[[Path], S],
                      cache: Path | None = None) -> S:
    """`load` the statistics of `smiles` from `cache` (default `cache_dir("chem")`), or `build`
    and save them there the first time."""
    digest = hashlib.sha256("\n".join(smiles).encode()).hexdigest()[:16]
    folder = cache_dir("chem") if cache is None else cache.expanduser()
    path = folder / f"{kind}-v{version}-{digest}.npz"
    if path.is_file():
        return load(path)
    statistics = build(smiles)
    statistics.save(path)
    return statistics
