"""Benchmark: features and scores of 10^6 pairs on the corpus network (goal: < 60 s and
< 4 GiB), beside the peer networkx (its `jaccard_coefficient`, `adamic_adar_index`,
`resource_allocation_index`, `preferential_attachment` generators) on the first `--peer-pairs`
pairs, extrapolated, with the answers compared.

Measured (median of `--repeats` runs, each on fresh snapshots): drawing 10^6 unconnected pairs
from 2019; the five heuristics (the three common-neighbour sums come from one sparse pass, timed
under `common_neighbours`); the M6 and the time-dynamic feature matrices; LightGBM scoring of all
pairs (the model trained beforehand on a smaller training set, not timed). Peak memory is the
process's maximum resident set.

    REPROLAB_DATA_DIR=../shared/data OMP_NUM_THREADS=1 \
        uv run python benchmarks/science4cast_features.py
"""

from __future__ import annotations

import argparse
import resource
import time
from dataclasses import replace

import networkx as nx
import numpy as np

from reprolab.core.data import dataset_file
from reprolab.science4cast import features
from reprolab.science4cast.benchmark import (
    Benchmark,
    BenchmarkSetting,
    make_benchmark,
    make_training_set,
)
from reprolab.science4cast.concepts import read_concepts
from reprolab.science4cast.corpus import read_corpus
from reprolab.science4cast.learned import LightGbm
from reprolab.science4cast.network import build_network

HEURISTICS = {"jaccard": nx.jaccard_coefficient, "adamic_adar": nx.adamic_adar_index,
              "resource_allocation": nx.resource_allocation_index,
              "preferential_attachment": nx.preferential_attachment}


def _peak_gib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20  # kB on Linux


def _timed_once(network, setting: BenchmarkSetting, model: LightGbm) -> tuple[dict, dict,
                                                                             Benchmark]:
    """Seconds of each stage on fresh pairs and snapshots, the heuristics' values, the pairs."""
    timings = {}
    start = time.perf_counter()
    test = make_benchmark(network, setting)
    timings["draw pairs + labels"] = time.perf_counter() - start
    query = test.query()
    ours = {}
    for name in ("common_neighbours", *HEURISTICS):
        start = time.perf_counter()
        ours[name] = getattr(features, name)(query)
        timings[name] = time.perf_counter() - start
    for name, job in (("m6 features", features.m6_features),
                      ("dynamic features", features.dynamic_features),
                      ("LightGBM scores", model.score)):
        start = time.perf_counter()
        job(query)
        timings[name] = time.perf_counter() - start
    return timings, ours, test


def main(n_pairs: int, peer_pairs: int, repeats: int) -> None:
    network = build_network(read_corpus(dataset_file("science4cast", "corpus")),
                            read_concepts(dataset_file("science4cast", "concepts.txt")))
    setting = BenchmarkSetting(2019, 3, 0, 1, n_pairs)
    model = LightGbm(rounds=300)
    train = make_training_set(network, replace(setting, n_pairs=100_000))
    model.fit(train.query(), train.labels)
    before = _peak_gib()

    runs = [_timed_once(network, setting, model) for _ in range(repeats)]
    timings = {name: float(np.median([run[name] for run, _, _ in runs]))
               for name in runs[0][0]}
    totals = [sum(run.values()) for run, _, _ in runs]
    total = float(np.median(totals))
    _, ours, test = runs[0]

    graph = nx.Graph()
    graph.add_nodes_from(range(network.n_nodes))
    graph.add_edges_from(zip(test.known.u.tolist(), test.known.v.tolist(), strict=True))
    pairs = [tuple(p) for p in test.pairs[:peer_pairs].tolist()]
    peer = 0.0
    for name, generator in HEURISTICS.items():
        start = time.perf_counter()
        values = np.array([score for _, _, score in generator(graph, pairs)])
        peer += time.perf_counter() - start
        assert np.allclose(values, ours[name][:peer_pairs]), f"{name} differs from networkx"
    peer_per_pair = peer / peer_pairs

    for name, seconds in timings.items():
        print(f"  {name:<24} {seconds:6.2f} s")
    print(f"reprolab: {n_pairs:,} pairs, every feature and score: median {total:.1f} s of "
          f"{repeats} runs ({', '.join(f'{t:.1f}' for t in totals)}), peak memory "
          f"{_peak_gib():.2f} GiB ({before:.2f} GiB before the pairs)")
    five = sum(timings[name] for name in ("common_neighbours", *HEURISTICS))
    print(f"peer networkx, 4 heuristics: {peer_per_pair * 1e6:.1f} us/pair -> "
          f"{peer_per_pair * n_pairs:.0f} s for {n_pairs:,} pairs "
          f"({peer_per_pair * n_pairs / five:.0f}x our {five:.1f} s for all five; same values)")
    print(f"goal (< 60 s, < 4 GiB): "
          f"{'met' if total < 60 and _peak_gib() < 4 else 'NOT met'}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pairs", type=int, default=1_000_000)
    parser.add_argument("--peer-pairs", type=int, default=20_000)
    parser.add_argument("--repeats", type=int, default=3, help="timed runs (median shown)")
    args = parser.parse_args()
    main(args.pairs, args.peer_pairs, args.repeats)
