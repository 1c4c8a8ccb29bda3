import numpy as np
import pytest

from reprolab.core.errors import UserError
from reprolab.science4cast.corpus import Paper, year_to_day
from reprolab.science4cast.network import (
    build_network,
    concept_automaton,
    concepts_in,
    growth_table,
    load_network,
    save_network,
)
from tests.science4cast.toy import CONCEPTS, graph

PAPERS = [Paper("Neural-networks on graphs for link prediction.", year_to_day(2019)),
          Paper("Reinforcement learning with policy gradients.", year_to_day(2020)),
          Paper("Graphical models: a paragraph.", year_to_day(2020))]


def test_matching_is_whole_words_with_plurals_and_keeps_duplicate_ids():
    automaton = concept_automaton(CONCEPTS)
    assert concepts_in(automaton, PAPERS[0].text).tolist() == [0, 1, 2, 4]
    assert concepts_in(automaton, "graphical paragraphs").tolist() == []
    assert concepts_in(automaton, "a deep neural network").tolist() == [0, 4]


def test_one_dated_edge_per_pair_per_paper():
    network = build_network(PAPERS, CONCEPTS)
    edges = sorted(zip(network.u.tolist(), network.v.tolist(), network.day.tolist(),
                       strict=True))
    day19, day20 = year_to_day(2019), year_to_day(2020)
    assert edges == [(0, 1, day19), (0, 2, day19), (0, 4, day19), (1, 2, day19),
                     (1, 4, day19), (2, 4, day19), (3, 5, day20)]
    assert network.papers_per_year == {2019: 1, 2020: 2}


def test_growth_counts_papers_concepts_edges_and_distinct_pairs():
    network = graph([(0, 1, 2000), (0, 1, 2001), (1, 2, 2001), (3, 4, 2003)], 6)
    network = type(network)(network.u, network.v, network.day, 6, {2000: 5, 2001: 2, 2003: 1})
    growth = growth_table(network)
    assert growth.to_dict("list") == {
        "year": [2000, 2001, 2003], "papers": [5, 2, 1], "concepts": [2, 3, 5],
        "edges": [1, 2, 1], "cumulative_edges": [1, 3, 4], "distinct_pairs": [1, 2, 3]}


def test_snapshots_and_matrices():
    network = graph([(0, 1, 2000), (0, 1, 2001), (1, 2, 2002)], 3)
    assert len(network.before(2001).u) == 1 and len(network.between(2001, 2003).u) == 2
    assert network.counts().toarray().tolist() == [[0, 2, 0], [2, 0, 1], [0, 1, 0]]
    assert network.adjacency.toarray().tolist() == [[0, 1, 0], [1, 0, 1], [0, 1, 0]]


def test_network_file_round_trip_and_bad_files(tmp_path):
    network = build_network(PAPERS, CONCEPTS)
    path = save_network(tmp_path / "network.npz", network, CONCEPTS)
    loaded, names = load_network(path)
    assert names == CONCEPTS and loaded.papers_per_year == network.papers_per_year
    assert np.array_equal(loaded.u, network.u) and np.array_equal(loaded.day, network.day)
    (tmp_path / "broken.npz").write_bytes(b"not a zip")
    with pytest.raises(UserError, match="is not a network written by"):
        load_network(tmp_path / "broken.npz")
    np.savez(tmp_path / "other.npz", x=np.zeros(2))
    with pytest.raises(UserError, match="no 'u'"):
        load_network(tmp_path / "other.npz")


def test_an_empty_corpus_is_refused():
    with pytest.raises(UserError, match="no papers"):
        build_network([], CONCEPTS)
