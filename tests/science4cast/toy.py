"""A toy corpus and hand-made dated graphs shared by the science4cast tests."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np

from reprolab.science4cast.corpus import year_to_day
from reprolab.science4cast.network import DatedGraph

CONCEPTS = ["neural network", "graph", "link prediction", "reinforcement learning",
            "neural network", "policy gradient"]  # id 4 repeats id 0, as upstream's list does


def write_paperlists(folder: Path, papers: dict[int, list[dict]]) -> Path:
    """`folder/venue/venue<year>.json.gz` for each year's records."""
    (folder / "venue").mkdir(parents=True, exist_ok=True)
    for year, records in papers.items():
        with gzip.open(folder / "venue" / f"venue{year}.json.gz", "wt") as handle:
            json.dump(records, handle)
    return folder


def graph(edges: list[tuple[int, int, int]], n_nodes: int) -> DatedGraph:
    """A DatedGraph from (u, v, year) triples, each dated 1 January of its year."""
    u, v, years = (np.array(column) for column in zip(*edges, strict=True))
    low, high = np.minimum(u, v), np.maximum(u, v)
    return DatedGraph(low.astype(np.int32), high.astype(np.int32),
                      np.array([year_to_day(y) for y in years], dtype=np.int32), n_nodes,
                      {int(y): 1 for y in np.unique(years)})


def random_corpus(rng: np.random.Generator, years: range, papers_per_year: int,
                  n_concepts: int) -> tuple[list[str], dict[int, list[dict]]]:
    """Concept names `concept<i>` and papers mentioning a few of them each, popular ones (low
    ids) more often, so the network has hubs and its future links follow them."""
    concepts = [f"concept{i}" for i in range(n_concepts)]
    weights = 1.0 / np.arange(1, n_concepts + 1)
    weights /= weights.sum()
    papers = {}
    for year in years:
        records = []
        for _ in range(papers_per_year):
            ids = rng.choice(n_concepts, size=rng.integers(2, 6), replace=False, p=weights)
            records.append({"title": "A study", "abstract": " and ".join(
                concepts[i] for i in ids) + "."})
        papers[year] = records
    return concepts, papers
