"""Benchmark: build the dated network from the dataset's 43,408 abstracts x 64,719 concepts
(goal: < 20 s on 2 cores), beside the peer: a straightforward pure-Python n-gram lookup (every
1..L-word window of each normalised abstract looked up in a dict of the concepts' surface
forms, L the longest concept), which must find the same edges.

    REPROLAB_DATA_DIR=../shared/data OMP_NUM_THREADS=1 \
        uv run python benchmarks/science4cast_build.py
"""

from __future__ import annotations

import time

import numpy as np

from reprolab.core.data import dataset_file
from reprolab.science4cast.concepts import normalise, read_concepts, surface_forms
from reprolab.science4cast.corpus import Paper, read_corpus
from reprolab.science4cast.network import build_network


def ngram_edges(papers: list[Paper], concepts: list[str]) -> int:
    """Edges found by looking every word window up in a dict (the peer)."""
    ids_of: dict[str, list[int]] = {}
    for index, concept in enumerate(concepts):
        for form in surface_forms(concept):
            ids_of.setdefault(form, []).append(index)
    longest = max(len(form.split()) for form in ids_of)
    edges = 0
    for paper in papers:
        words = normalise(paper.text).split()
        found = {i for n in range(1, longest + 1) for start in range(len(words) - n + 1)
                 for i in ids_of.get(" ".join(words[start:start + n]), ())}
        edges += len(found) * (len(found) - 1) // 2
    return edges


def main() -> None:
    concepts = read_concepts(dataset_file("science4cast", "concepts.txt"))
    papers = list(read_corpus(dataset_file("science4cast", "corpus")))
    start = time.perf_counter()
    network = build_network(papers, concepts)
    ours = time.perf_counter() - start
    start = time.perf_counter()
    peer_edges = ngram_edges(papers, concepts)
    peer = time.perf_counter() - start
    assert peer_edges == len(network.u), f"peer found {peer_edges}, ours {len(network.u)}"
    seen = len(np.unique(np.concatenate([network.u, network.v])))
    print(f"papers {len(papers):,}, concepts {len(concepts):,} ({seen:,} seen), "
          f"edges {len(network.u):,}")
    print(f"reprolab Aho-Corasick build: {ours:6.1f} s  ({peer / ours:.1f}x faster than the peer)")
    print(f"peer pure-Python n-grams:    {peer:6.1f} s  (same edges)")
    print(f"goal (< 20 s): {'met' if ours < 20 else 'NOT met'}")


if __name__ == "__main__":
    main()
