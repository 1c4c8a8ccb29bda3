import math

import networkx as nx
import numpy as np
import pytest

from reprolab.science4cast import features
from reprolab.science4cast.features import LinkQuery, dynamic_features, m6_features
from tests.science4cast.toy import graph

# 0-1 (1998), 1-3 (1999), then 0-2, 1-2, 2-3, 3-4 (2000); node 5 has no edge
EDGES = [(0, 1, 1998), (1, 3, 1999), (0, 2, 2000), (1, 2, 2000), (2, 3, 2000), (3, 4, 2000)]
PAIRS = np.array([[0, 3], [0, 4], [4, 5]], dtype=np.int32)


@pytest.fixture
def query():
    return LinkQuery(graph(EDGES, 6), 2001, PAIRS.copy())


@pytest.mark.parametrize(("name", "expected"), [
    ("common_neighbours", [2, 0, 0]),
    ("jaccard", [2 / 3, 0, 0]),
    ("adamic_adar", [2 / math.log(3), 0, 0]),
    ("resource_allocation", [2 / 3, 0, 0]),
    ("preferential_attachment", [6, 2, 0]),
])
def test_heuristics_on_a_hand_computed_graph(query, name, expected):
    assert getattr(features, name)(query) == pytest.approx(expected)


def test_chunks_give_the_same_answer(query, monkeypatch):
    monkeypatch.setattr(features, "CHUNK", 2)
    assert features.adamic_adar(query) == pytest.approx([2 / math.log(3), 0, 0])


def test_snapshots_go_back_in_whole_years(query):
    assert query.snapshot(0).degree.tolist() == [2, 3, 3, 3, 1, 0]
    assert query.snapshot(1).degree.tolist() == [1, 2, 0, 1, 0, 0]
    assert query.snapshot(2).degree.tolist() == [1, 1, 0, 0, 0, 0]
    assert query.snapshot(0).neighbour_degree.tolist() == [6, 8, 8, 7, 3, 0]


def test_pagerank_matches_networkx(query):
    reference = nx.Graph([(u, v) for u, v, _ in EDGES])
    reference.add_node(5)
    expected = nx.pagerank(reference, alpha=0.85, tol=1e-12)
    assert query.snapshot().pagerank == pytest.approx([expected[i] for i in range(6)], rel=1e-6)


def test_m6_features_by_hand(query):
    x = m6_features(query)
    assert x.shape == (3, 15)
    #        degrees, A^2 row sums, (A^2)_uv at 2001, 2000, 1999; lower-degree node first
    assert np.expm1(x[0]) == pytest.approx([2, 3, 6, 7, 2, 1, 1, 2, 2, 1, 1, 0, 1, 0, 0],
                                           abs=1e-5)
    assert np.expm1(x[1, :5]) == pytest.approx([1, 2, 3, 6, 0], abs=1e-5)  # node 4 first


def test_dynamic_features_are_symmetric_in_the_pair(query):
    swapped = LinkQuery(query.known, query.year, PAIRS[:, ::-1].copy())
    x = dynamic_features(query)
    assert x.shape == (3, 20)
    assert np.array_equal(x, dynamic_features(swapped))
    assert x[0, :2].tolist() == [2, 3] and x[0, 11:14].tolist() == [1, 2, 1]  # growth since 2000


def test_queries_of_one_network_share_their_snapshots(query):
    shared = {}
    now = LinkQuery(query.known, 2001, PAIRS.copy(), shared)
    earlier = LinkQuery(query.known.before(2000), 2000, PAIRS.copy(), shared)
    assert now.snapshot(1) is earlier.snapshot(0)  # the network before 2000, built once
    assert np.array_equal(m6_features(now), m6_features(query))
    assert sorted(shared) == [1999, 2000, 2001]
    assert np.array_equal(dynamic_features(earlier),
                          dynamic_features(LinkQuery(query.known.before(2000), 2000,
                                                     PAIRS.copy())))
