"""The dated semantic network: concepts found in each paper (Aho-Corasick over normalised text)
and one dated edge per concept pair per paper (Krenn et al. 2023, Fig. 1).

Stored columnar as `.npz` (`u`, `v` int32 with u < v, `day` int32, `n_nodes`), never pickled.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import ahocorasick
import numpy as np
import pandas as pd
import scipy.sparse as sp

from reprolab.core.errors import UserError
from reprolab.core.progress import track
from reprolab.science4cast.concepts import normalise, surface_forms
from reprolab.science4cast.corpus import Paper, year_to_day


@dataclass(frozen=True)
class DatedGraph:
    """Edges `(u[i], v[i])` (u < v) each stamped `day[i]` (days since 1970), one per paper
    in which both concepts occur, over `n_nodes` concepts; `papers_per_year` is
    `{year: papers}` of the corpus it came from (for the growth table)."""

    u: np.ndarray  # [E] int32
    v: np.ndarray  # [E] int32
    day: np.ndarray  # [E] int32
    n_nodes: int
    papers_per_year: dict[int, int]

    def __post_init__(self) -> None:
        assert len(self.u) == len(self.v) == len(self.day), "u, v, day differ in length"
        assert not len(self.u) or (self.u < self.v).all(), "edges must have u < v"

    def before(self, year: int) -> DatedGraph:
        """The edges dated before 1 January of `year`."""
        keep = self.day < year_to_day(year)
        return DatedGraph(self.u[keep], self.v[keep], self.day[keep], self.n_nodes,
                          {y: n for y, n in self.papers_per_year.items() if y < year})

    def between(self, start: int, stop: int) -> DatedGraph:
        """The edges dated in [1 January `start`, 1 January `stop`)."""
        keep = (self.day >= year_to_day(start)) & (self.day < year_to_day(stop))
        return DatedGraph(self.u[keep], self.v[keep], self.day[keep], self.n_nodes,
                          {y: n for y, n in self.papers_per_year.items() if start <= y < stop})

    def counts(self) -> sp.csr_matrix:
        """[n, n] symmetric matrix of edge multiplicities (papers per pair)."""
        n = self.n_nodes
        ones = np.ones(2 * len(self.u), dtype=np.float32)
        rows = np.concatenate([self.u, self.v])
        cols = np.concatenate([self.v, self.u])
        return sp.csr_matrix((ones, (rows, cols)), shape=(n, n))

    @cached_property
    def adjacency(self) -> sp.csr_matrix:
        """[n, n] symmetric 0/1 matrix: pairs with at least one edge (built once)."""
        matrix = self.counts()
        matrix.data[:] = 1.0
        return matrix

    def years(self) -> list[int]:
        return sorted(self.papers_per_year)


def concept_automaton(concepts: list[str]) -> ahocorasick.Automaton:
    """An automaton whose keys are `" form "` for every surface form of every concept (spaces
    keep matches to whole words) and whose values are the concept ids of that form."""
    ids_of: dict[str, list[int]] = {}
    for index, concept in enumerate(concepts):
        for form in surface_forms(concept):
            ids_of.setdefault(f" {form} ", []).append(index)
    automaton = ahocorasick.Automaton()
    for key, ids in ids_of.items():
        automaton.add_word(key, tuple(ids))
    automaton.make_automaton()
    return automaton


def concepts_in(automaton: ahocorasick.Automaton, text: str) -> np.ndarray:
    """Sorted unique ids of the concepts occurring in `text` (overlapping matches all count)."""
    found = {i for _, ids in automaton.iter(f" {normalise(text)} ") for i in ids}
    return np.fromiter(sorted(found), dtype=np.int32, count=len(found))


def build_network(papers: Iterable[Paper], concepts: list[str]) -> DatedGraph:
    """One edge per pair of distinct concepts co-occurring in a paper, dated by the paper."""
    automaton = concept_automaton(concepts)
    us, vs, days = [], [], []
    papers_per_year: dict[int, int] = {}
    for paper in track(papers, "matching concepts"):
        year = paper.year
        papers_per_year[year] = papers_per_year.get(year, 0) + 1
        ids = concepts_in(automaton, paper.text)
        if len(ids) < 2:
            continue
        first, second = np.triu_indices(len(ids), k=1)
        us.append(ids[first])
        vs.append(ids[second])
        days.append(np.full(len(first), paper.day, dtype=np.int32))
    if not papers_per_year:
        raise UserError("The corpus holds no papers.")

    def joined(parts: list[np.ndarray]) -> np.ndarray:
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int32)

    return DatedGraph(joined(us), joined(vs), joined(days), len(concepts), papers_per_year)


def growth_table(graph: DatedGraph) -> pd.DataFrame:
    """Per year: papers, concepts seen so far (nodes with an edge), edges that year, cumulative
    edges and cumulative distinct pairs."""
    edge_year = graph.day.astype("datetime64[D]").astype("datetime64[Y]").astype(int) + 1970
    pair_key = graph.u.astype(np.int64) * graph.n_nodes + graph.v
    rows, seen_nodes, seen_pairs, total = [], np.zeros(graph.n_nodes, bool), set(), 0
    for year in graph.years():
        mask = edge_year == year
        seen_nodes[graph.u[mask]] = True
        seen_nodes[graph.v[mask]] = True
        seen_pairs.update(np.unique(pair_key[mask]).tolist())
        total += int(mask.sum())
        rows.append({"year": year, "papers": graph.papers_per_year[year],
                     "concepts": int(seen_nodes.sum()), "edges": int(mask.sum()),
                     "cumulative_edges": total, "distinct_pairs": len(seen_pairs)})
    return pd.DataFrame(rows)


def graph_arrays(graph: DatedGraph, prefix: str = "") -> dict[str, np.ndarray]:
    """The columns of `graph` for `np.savez` (`prefix` names several graphs in one file)."""
    years = np.array(sorted(graph.papers_per_year), dtype=np.int32)
    return {f"{prefix}u": graph.u, f"{prefix}v": graph.v, f"{prefix}day": graph.day,
            f"{prefix}n_nodes": np.int64(graph.n_nodes), f"{prefix}years": years,
            f"{prefix}papers": np.array([graph.papers_per_year[y] for y in years], np.int64)}


def graph_from_arrays(data: Mapping[str, np.ndarray], prefix: str = "") -> DatedGraph:
    return DatedGraph(data[f"{prefix}u"].astype(np.int32), data[f"{prefix}v"].astype(np.int32),
                      data[f"{prefix}day"].astype(np.int32), int(data[f"{prefix}n_nodes"]),
                      dict(zip(data[f"{prefix}years"].tolist(), data[f"{prefix}papers"].tolist(),
                               strict=True)))


def save_network(path: Path, graph: DatedGraph, concepts: list[str]) -> Path:
    """Write `graph` and its concept names as a compressed `.npz` (no pickled objects)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".part")
    with partial.open("wb") as handle:
        np.savez_compressed(handle, concepts=np.array(concepts, dtype=str), **graph_arrays(graph))
    partial.replace(path)
    return path


def read_npz(path: Path, what: str) -> dict[str, np.ndarray]:
    """Every array of the `.npz` at `path` (pickles refused); `what` names the file's maker."""
    try:
        with np.load(path, allow_pickle=False) as data:
            return {key: data[key] for key in data.files}
    except (OSError, ValueError, zipfile.BadZipFile) as error:
        raise UserError(f"{path} is not {what} ({error}).") from None


def load_network(path: Path) -> tuple[DatedGraph, list[str]]:
    """The graph and concept names written by `save_network`."""
    what = "a network written by `reprolab science4cast build`"
    data = read_npz(path, what)
    try:
        return graph_from_arrays(data), data["concepts"].tolist()
    except KeyError as error:
        raise UserError(f"{path} is not {what} (no {error}).") from None
