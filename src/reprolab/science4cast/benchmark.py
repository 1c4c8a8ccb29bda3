"""Benchmarks of the official definition (Krenn et al. 2023, Methods): for concept pairs
unconnected before `year_start`, both of degree >= `cutoff` then, will they gain >= `min_edges`
edges by `year_start + delta`? Plus a reader of the official `SemanticGraph_*.pkl` files.

A training set is the same question asked `delta` years earlier (`training_setting`), so a
method fitted on it sees only edges dated before `year_start`.
"""

from __future__ import annotations

import datetime as dt
import importlib
import io
import pickle
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from reprolab.core.errors import UserError
from reprolab.science4cast.corpus import EPOCH
from reprolab.science4cast.features import LinkQuery, Snapshot
from reprolab.science4cast.network import DatedGraph, graph_arrays, graph_from_arrays, read_npz


@dataclass(frozen=True)
class BenchmarkSetting:
    """One benchmark question; the seed draws the sampled pairs."""

    year_start: int = field(default=2019, metadata={
        "help": "Predict from the network known before 1 January of this year."})
    delta: int = field(default=3, metadata={"help": "Years ahead (paper: 1, 3, 5)."})
    cutoff: int = field(default=0, metadata={
        "help": "Both concepts need at least this many neighbours at year_start (0, 5, 25)."})
    min_edges: int = field(default=1, metadata={
        "help": "A pair is positive with at least this many new edges (w_min: 1, 3)."})
    n_pairs: int = field(default=100_000, metadata={
        "help": "Unconnected pairs sampled uniformly (paper: 10,000,000)."})
    seed: int = field(default=0, metadata={"help": "Seed of the pair sample."})

    def __post_init__(self) -> None:
        for name in ("delta", "min_edges", "n_pairs"):
            if getattr(self, name) < 1:
                raise UserError(f"--{name.replace('_', '-')} must be >= 1, got "
                                f"{getattr(self, name)}.")
        if self.cutoff < 0:
            raise UserError(f"--cutoff must be >= 0, got {self.cutoff}.")

    @property
    def label(self) -> str:
        return f"delta={self.delta} cutoff={self.cutoff} w_min={self.min_edges}"


@dataclass(frozen=True)
class Benchmark:
    """`pairs` [N, 2] int32 (u < v), unconnected in `known` (edges before year_start);
    `labels` [N] bool (None for the official files' unseen solutions)."""

    setting: BenchmarkSetting
    known: DatedGraph
    pairs: np.ndarray
    labels: np.ndarray | None

    def query(self, snapshots: dict[int, Snapshot] | None = None) -> LinkQuery:
        """What a method may see: the known edges and the pairs, not the labels (`snapshots`:
        a cache shared with other queries drawn from the same network)."""
        return LinkQuery(self.known, self.setting.year_start, self.pairs,
                         {} if snapshots is None else snapshots)


def training_setting(setting: BenchmarkSetting) -> BenchmarkSetting:
    """The same question `delta` years earlier: labels from [year_start - delta, year_start)."""
    return replace(setting, year_start=setting.year_start - setting.delta, seed=setting.seed + 1)


def make_training_set(graph: DatedGraph, setting: BenchmarkSetting) -> Benchmark:
    """Training pairs for `setting` from edges before its year_start only: the benchmark
    `delta` years earlier plus every pair that turned positive in that window (up to
    `n_pairs`), as the paper's methods balanced their rare positives."""
    past = graph.before(setting.year_start)  # nothing later can leak in
    earlier = training_setting(setting)
    sampled = make_benchmark(past, earlier)
    window = past.between(earlier.year_start, setting.year_start)
    keys, counts = np.unique(_pair_keys(window.u, window.v, graph.n_nodes), return_counts=True)
    degree = np.diff(sampled.known.adjacency.indptr)
    u, v = keys // graph.n_nodes, keys % graph.n_nodes
    new = ~_member(keys, connected_keys(sampled.known))
    keys = keys[new & (counts >= setting.min_edges) & (degree[u] >= setting.cutoff)
                & (degree[v] >= setting.cutoff)]
    keys = np.random.default_rng(earlier.seed).permutation(keys)[:setting.n_pairs]
    keys = keys[~np.isin(keys, _pair_keys(sampled.pairs[:, 0], sampled.pairs[:, 1],
                                          graph.n_nodes))]
    extra = np.stack([keys // graph.n_nodes, keys % graph.n_nodes], axis=1).astype(np.int32)
    return Benchmark(earlier, sampled.known, np.concatenate([sampled.pairs, extra]),
                     np.concatenate([sampled.labels, np.ones(len(extra), bool)]))


def _pair_keys(u: np.ndarray, v: np.ndarray, n: int) -> np.ndarray:
    return u.astype(np.int64) * n + v.astype(np.int64)


def connected_keys(known: DatedGraph) -> np.ndarray:
    """Sorted keys u * n + v (u < v) of the pairs with an edge in `known`, read off its
    canonical adjacency (no sort of the edge list)."""
    adjacency = known.adjacency
    rows = np.repeat(np.arange(known.n_nodes, dtype=np.int64), np.diff(adjacency.indptr))
    upper = adjacency.indices > rows
    return rows[upper] * known.n_nodes + adjacency.indices[upper]


def _member(keys: np.ndarray, sorted_keys: np.ndarray) -> np.ndarray:
    """[len(keys)] bool: which `keys` occur in `sorted_keys` (binary search)."""
    if not len(sorted_keys):
        return np.zeros(len(keys), bool)
    at = np.minimum(np.searchsorted(sorted_keys, keys), len(sorted_keys) - 1)
    return sorted_keys[at] == keys


def sample_unconnected(known: DatedGraph, cutoff: int, n_pairs: int,
                       rng: np.random.Generator) -> np.ndarray:
    """[n_pairs, 2] distinct pairs u < v, both of degree >= cutoff, without an edge in `known`."""
    degree = np.diff(known.adjacency.indptr)
    eligible = np.flatnonzero(degree >= cutoff)
    n_eligible = len(eligible)
    connected = connected_keys(known)
    linked = np.count_nonzero((degree[connected // known.n_nodes] >= cutoff)
                              & (degree[connected % known.n_nodes] >= cutoff))
    free = n_eligible * (n_eligible - 1) // 2 - linked
    if free < n_pairs:
        raise UserError(f"Only {max(free, 0)} unconnected pairs have degree >= {cutoff} at "
                        f"year_start: ask for fewer than {n_pairs} (--n-pairs).")
    keys = np.zeros(0, dtype=np.int64)
    while len(keys) < n_pairs:
        draw = eligible[rng.integers(0, n_eligible, size=(2 * (n_pairs - len(keys)) + 16, 2))]
        u, v = draw.min(axis=1), draw.max(axis=1)
        new = _pair_keys(u[u != v], v[u != v], known.n_nodes)
        new = new[~_member(new, connected)]
        _, first = np.unique(new, return_index=True)
        new = new[np.sort(first)]  # dedupe, keep draw order
        keys = np.concatenate([keys, new[~_member(new, np.sort(keys))]])
    keys = keys[:n_pairs]
    return np.stack([keys // known.n_nodes, keys % known.n_nodes], axis=1).astype(np.int32)


def future_counts(graph: DatedGraph, pairs: np.ndarray, start: int, stop: int) -> np.ndarray:
    """[N] number of edges of each pair dated in [1 Jan `start`, 1 Jan `stop`)."""
    future = graph.between(start, stop)
    keys, counts = np.unique(_pair_keys(future.u, future.v, graph.n_nodes), return_counts=True)
    wanted = _pair_keys(pairs[:, 0], pairs[:, 1], graph.n_nodes)
    if not len(keys):
        return np.zeros(len(wanted), dtype=np.int64)
    at = np.minimum(np.searchsorted(keys, wanted), len(keys) - 1)
    return np.where(keys[at] == wanted, counts[at], 0)


def make_benchmark(graph: DatedGraph, setting: BenchmarkSetting) -> Benchmark:
    """Pairs and labels of `setting` on `graph` (which must reach year_start + delta)."""
    known = graph.before(setting.year_start)
    if not len(known.u):
        raise UserError(f"The network has no edges before {setting.year_start}: choose a "
                        "later --year-start.")
    pairs = sample_unconnected(known, setting.cutoff, setting.n_pairs,
                               np.random.default_rng(setting.seed))
    counts = future_counts(graph, pairs, setting.year_start, setting.year_start + setting.delta)
    return Benchmark(setting, known, pairs, counts >= setting.min_edges)


# --- the official files -------------------------------------------------------------------

OFFICIAL_NAME = re.compile(r"SemanticGraph_delta_(\d+)_cutoff_(\d+)_minedge_(\d+)\.pkl$")
OFFICIAL_EPOCH = dt.date(1990, 1, 1)  # official edge times are days since 1 January 1990
_NUMPY_GLOBALS = {
    (module, name)
    for prefix in ("numpy.core", "numpy._core")
    for module, name in ((f"{prefix}.multiarray", "_reconstruct"),
                         (f"{prefix}.multiarray", "scalar"),
                         (f"{prefix}.numeric", "_frombuffer"))
} | {("numpy", "ndarray"), ("numpy", "dtype"), ("_codecs", "encode")}  # protocol 2 bytes


class NumpyOnlyUnpickler(pickle.Unpickler):
    """Unpickles numpy arrays, numbers, strings, lists and tuples; any other global (a class
    or function an attacker could call) raises `pickle.UnpicklingError`."""

    def find_class(self, module: str, name: str):
        if (module, name) not in _NUMPY_GLOBALS:
            raise pickle.UnpicklingError(f"refused global {module}.{name}")
        return getattr(importlib.import_module(module), name)


def load_numpy_pickle(path: Path):
    """The object of a pickle holding only numpy arrays and plain values."""
    try:
        return NumpyOnlyUnpickler(io.BytesIO(path.read_bytes())).load()
    except pickle.UnpicklingError as error:
        raise UserError(f"{path} is not a plain numpy pickle ({error}); it was not loaded."
                        ) from None
    except (OSError, EOFError) as error:
        raise UserError(f"{path} cannot be read ({error}).") from None


def read_official(path: Path, n_nodes: int = 64_719) -> Benchmark:
    """An official `SemanticGraph_delta_D_cutoff_C_minedge_W.pkl`: (edges [E, 3] = v1, v2,
    days since 1990, unconnected pairs [N, 2], solution [N] or absent, year_start, delta, cutoff,
    min_edges). The year is the file's year_start; the pairs keep their file order."""
    content = load_numpy_pickle(path)
    if not isinstance(content, tuple | list) or len(content) not in (6, 7):
        raise UserError(f"{path}: expected the official 6- or 7-tuple (graph, pairs, "
                        "[solution], year_start, delta, cutoff, min_edges).")
    edges, pairs, *rest = content
    solution = rest.pop(0) if len(rest) == 5 else None
    year_start, delta, cutoff, min_edges = (int(x) for x in rest)
    edges = np.asarray(edges, dtype=np.int64)
    pairs = np.sort(np.asarray(pairs, dtype=np.int32), axis=1)
    if edges.ndim != 2 or edges.shape[1] != 3 or pairs.ndim != 2 or pairs.shape[1] != 2:
        raise UserError(f"{path}: expected edges [E, 3] and pairs [N, 2], got "
                        f"{edges.shape} and {pairs.shape}.")
    u, v = np.sort(edges[:, :2], axis=1).T
    keep = u != v
    day = edges[keep, 2] + (OFFICIAL_EPOCH - EPOCH).days
    n = max(n_nodes, int(edges[:, :2].max(initial=0)) + 1, int(pairs.max(initial=0)) + 1)
    known = DatedGraph(u[keep].astype(np.int32), v[keep].astype(np.int32),
                       day.astype(np.int32), n, {})
    setting = BenchmarkSetting(year_start, delta, cutoff, min_edges, max(len(pairs), 1))
    labels = None if solution is None else np.asarray(solution).astype(bool).ravel()
    return Benchmark(setting, known, pairs, labels)


# --- benchmark files ------------------------------------------------------------------------

_SETTING_FIELDS = ("year_start", "delta", "cutoff", "min_edges", "n_pairs", "seed")


def save_benchmark(path: Path, test: Benchmark, train: Benchmark) -> Path:
    """Write a benchmark and its training set as one `.npz` (the known edges, both pair sets
    and labels, the setting), readable without the network."""
    assert test.labels is not None and train.labels is not None, "labels are needed to save"
    partial = path.with_name(path.name + ".part")
    with partial.open("wb") as handle:
        np.savez_compressed(
            handle, pairs=test.pairs, labels=test.labels, train_pairs=train.pairs,
            train_labels=train.labels, **graph_arrays(test.known, "known_"),
            **{f"setting_{name}": np.int64(getattr(test.setting, name))
               for name in _SETTING_FIELDS})
    partial.replace(path)
    return path


def load_benchmark(path: Path, train_pairs: int | None = None) -> tuple[Benchmark, Benchmark]:
    """(test, training set) of a file written by `save_benchmark`, or of an official `.pkl`,
    whose training set is drawn from its own known edges (`train_pairs` pairs, default as many
    as it has)."""
    if path.suffix == ".pkl":
        test = read_official(path)
        setting = replace(test.setting, n_pairs=train_pairs or test.setting.n_pairs)
        return test, make_training_set(test.known, setting)
    what = "a benchmark written by `reprolab science4cast benchmark`"
    data = read_npz(path, what)
    try:
        setting = BenchmarkSetting(**{name: int(data[f"setting_{name}"])
                                      for name in _SETTING_FIELDS})
        known = graph_from_arrays(data, "known_")
        test = Benchmark(setting, known, data["pairs"], data["labels"].astype(bool))
        earlier = training_setting(setting)
        train = Benchmark(earlier, known.before(earlier.year_start), data["train_pairs"],
                          data["train_labels"].astype(bool))
    except KeyError as error:
        raise UserError(f"{path} is not {what} (no {error}).") from None
    return test, train
