"""Pair features from sparse snapshots of the known network (never a dense n x n matrix).

A `LinkQuery` is what every method sees: the edges known before `year` and the pairs to score,
never their labels. Snapshots `lag` years back (`query.snapshot(1)`: edges before year - 1) are
built once per query and shared by every feature.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import scipy.sparse as sp

from reprolab.science4cast.network import DatedGraph

CHUNK = 50_000  # pairs per sparse row product


@dataclass(eq=False)
class Snapshot:
    """The 0/1 adjacency of a network and per-node quantities derived from it; `derived` holds
    what a method computes once per snapshot (node2vec's embedding)."""

    adjacency: sp.csr_matrix  # [n, n] symmetric 0/1
    derived: dict = field(default_factory=dict, repr=False)

    @cached_property
    def degree(self) -> np.ndarray:  # [n] distinct neighbours
        return np.diff(self.adjacency.indptr).astype(np.float64)

    @cached_property
    def neighbour_degree(self) -> np.ndarray:
        """[n] row sums of A^2: the degrees of each node's neighbours added up."""
        return self.adjacency @ self.degree

    @cached_property
    def pagerank(self) -> np.ndarray:
        """[n] PageRank (damping 0.85, 100 power steps; isolated nodes spread uniformly)."""
        n = len(self.degree)
        inverse = np.divide(1.0, self.degree, out=np.zeros(n), where=self.degree > 0)
        rank = np.full(n, 1.0 / n)
        for _ in range(100):
            spread = self.adjacency @ (rank * inverse)
            rank = 0.15 / n + 0.85 * (spread + rank[self.degree == 0].sum() / n)
        return rank

    @cached_property
    def weightings(self) -> np.ndarray:
        """[n, 3] per node: 1, 1 / log deg (0 below degree 2), 1 / deg (0 if isolated)."""
        return np.stack([np.ones(len(self.degree)), _inverse_log(self.degree),
                         _inverse(self.degree)], axis=1)

    def common(self, pairs: np.ndarray) -> np.ndarray:
        """[N, 3] sums over the common neighbours w of u and v of each `WEIGHTINGS` column:
        their number ((A^2)_uv), Adamic-Adar and resource allocation; one sparse row product
        per chunk of pairs."""
        out = np.empty((len(pairs), 3))
        for start in range(0, len(pairs), CHUNK):
            chunk = pairs[start:start + CHUNK]
            shared = self.adjacency[chunk[:, 0]].multiply(self.adjacency[chunk[:, 1]])
            out[start:start + len(chunk)] = shared.tocsr() @ self.weightings
        return out


def _inverse_log(degree: np.ndarray) -> np.ndarray:
    return np.divide(1.0, np.log(np.maximum(degree, 1)), out=np.zeros(len(degree)),
                     where=degree > 1)


def _inverse(degree: np.ndarray) -> np.ndarray:
    return np.divide(1.0, degree, out=np.zeros(len(degree)), where=degree > 0)


WEIGHTINGS = ("count", "adamic_adar", "resource_allocation")  # the columns of Snapshot.common


@dataclass(eq=False)
class LinkQuery:
    """Pairs [N, 2] to score from the edges `known` before 1 January `year`.

    `snapshots` maps a year to the network known before it; queries drawn from one network
    (a benchmark and its training set, a grid's settings) may share one dict, so each
    snapshot is built once."""

    known: DatedGraph
    year: int
    pairs: np.ndarray
    snapshots: dict[int, Snapshot] = field(default_factory=dict, repr=False)
    _common: dict[int, np.ndarray] = field(default_factory=dict, repr=False)

    def snapshot(self, lag: int = 0) -> Snapshot:
        """The network known `lag` years before `year`."""
        year = self.year - lag
        if year not in self.snapshots:
            graph = self.known.before(year) if lag else self.known
            self.snapshots[year] = Snapshot(graph.adjacency)
        return self.snapshots[year]

    def common(self, lag: int = 0, weighting: str = "count") -> np.ndarray:
        """[N] common neighbours w of each pair `lag` years before `year`, each counted 1
        (`count`), 1 / log deg(w) (`adamic_adar`) or 1 / deg(w) (`resource_allocation`);
        all three computed together, once per query and lag."""
        if lag not in self._common:
            self._common[lag] = self.snapshot(lag).common(self.pairs)
        return self._common[lag][:, WEIGHTINGS.index(weighting)]

    @property
    def u(self) -> np.ndarray:
        return self.pairs[:, 0]

    @property
    def v(self) -> np.ndarray:
        return self.pairs[:, 1]


# --- heuristics (Liben-Nowell & Kleinberg 2007) ----------------------------------------------

def common_neighbours(query: LinkQuery) -> np.ndarray:
    """|N(u) & N(v)|."""
    return query.common()


def jaccard(query: LinkQuery) -> np.ndarray:
    """|N(u) & N(v)| / |N(u) | N(v)| (0 when both are isolated)."""
    snap = query.snapshot()
    common = query.common()
    union = snap.degree[query.u] + snap.degree[query.v] - common
    return np.divide(common, union, out=np.zeros_like(common), where=union > 0)


def adamic_adar(query: LinkQuery) -> np.ndarray:
    """sum over common neighbours w of 1 / log deg(w) (every common neighbour has deg >= 2)."""
    return query.common(weighting="adamic_adar")


def resource_allocation(query: LinkQuery) -> np.ndarray:
    """sum over common neighbours w of 1 / deg(w) (Zhou et al. 2009)."""
    return query.common(weighting="resource_allocation")


def preferential_attachment(query: LinkQuery) -> np.ndarray:
    """deg(u) * deg(v)."""
    degree = query.snapshot().degree
    return degree[query.u] * degree[query.v]


# --- learned methods' inputs ----------------------------------------------------------------

def _ordered(low_first: np.ndarray, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, ...]:
    """(a, b) per pair, swapped where `low_first` is False, so features do not depend on ids."""
    return np.where(low_first, a, b), np.where(low_first, b, a)


def m6_features(query: LinkQuery, lags: tuple[int, ...] = (0, 1, 2)) -> np.ndarray:
    """[N, 15] the paper's baseline M6 inputs at year, year-1, year-2: both degrees, both A^2
    row sums and (A^2)_uv, lower-degree node first, log(1 + x)."""
    now = query.snapshot().degree
    low_first = now[query.u] <= now[query.v]
    columns = []
    for lag in lags:
        snap = query.snapshot(lag)
        columns += _ordered(low_first, snap.degree[query.u], snap.degree[query.v])
        columns += _ordered(low_first, snap.neighbour_degree[query.u],
                            snap.neighbour_degree[query.v])
        columns.append(query.common(lag))
    return np.log1p(np.stack(columns, axis=1)).astype(np.float32)


def dynamic_features(query: LinkQuery, lags: tuple[int, ...] = (1, 2, 3)) -> np.ndarray:
    """[N, 11 + 3 * len(lags)] M1-style time-dynamic inputs: both degrees, PageRanks (times n)
    and A^2 row sums now, the five heuristics now, then per lag both degrees' growth since and
    the common neighbours then; lower-degree node first."""
    now = query.snapshot()
    low_first = now.degree[query.u] <= now.degree[query.v]
    n = len(now.degree)
    columns = [*_ordered(low_first, now.degree[query.u], now.degree[query.v]),
               *_ordered(low_first, now.pagerank[query.u] * n, now.pagerank[query.v] * n),
               *_ordered(low_first, now.neighbour_degree[query.u], now.neighbour_degree[query.v]),
               common_neighbours(query), jaccard(query), adamic_adar(query),
               resource_allocation(query), preferential_attachment(query)]
    for lag in lags:
        then = query.snapshot(lag)
        columns += _ordered(low_first, now.degree[query.u] - then.degree[query.u],
                            now.degree[query.v] - then.degree[query.v])
        columns.append(query.common(lag))
    return np.stack(columns, axis=1).astype(np.float32)
