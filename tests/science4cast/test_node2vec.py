import numpy as np
import scipy.sparse as sp

from reprolab.science4cast.node2vec import biased_walks, skipgram_pairs, train_embedding

# 0-1, 1-2, 1-3, 0-2: from 0 -> 1, node 0 is the way back, 2 neighbours 0, 3 is outward
EDGES = [(0, 1), (1, 2), (1, 3), (0, 2)]


def _adjacency(edges, n):
    rows, cols = zip(*edges, *[(v, u) for u, v in edges], strict=True)
    return sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n))


def test_walks_follow_edges_from_every_connected_node():
    adjacency = _adjacency(EDGES, 5)  # node 4 has no edge and starts no walk
    walks = biased_walks(adjacency, 3, 6, 1.0, 1.0, np.random.default_rng(0))
    assert walks.shape == (12, 6)
    assert sorted(set(walks[:, 0].tolist())) == [0, 1, 2, 3]
    dense = adjacency.toarray()
    assert all(dense[a, b] for a, b in zip(walks[:, :-1].ravel(), walks[:, 1:].ravel(),
                                           strict=True))


def test_p_and_q_bias_the_second_step():
    adjacency = _adjacency(EDGES, 4)
    rng = np.random.default_rng(0)
    back = biased_walks(adjacency, 200, 3, 1e-3, 1.0, rng)  # 1/p = 1000: return at once
    assert (back[:, 2] == back[:, 0]).mean() > 0.95
    out = biased_walks(adjacency, 400, 3, 1e3, 1e-3, rng)  # 1/q = 1000: move outward
    from_0_via_1 = out[(out[:, 0] == 0) & (out[:, 1] == 1)]
    assert len(from_0_via_1) > 50 and (from_0_via_1[:, 2] == 3).mean() > 0.95


def test_skipgram_pairs_by_hand():
    pairs = skipgram_pairs(np.array([[0, 1, 2]]), 1)
    assert sorted(map(tuple, pairs.tolist())) == [(0, 1), (1, 0), (1, 2), (2, 1)]


def test_embedding_puts_linked_nodes_closer_than_strangers():
    # two 5-cliques joined by one edge
    cliques = [(a, b) for base in (0, 5) for a in range(base, base + 5)
               for b in range(a + 1, base + 5)]
    adjacency = _adjacency([*cliques, (4, 5)], 10)
    walks = biased_walks(adjacency, 20, 10, 1.0, 1.0, np.random.default_rng(0))
    vectors = train_embedding(10, skipgram_pairs(walks, 2), 8, 5, 3, 256, 0)
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    similarity = unit @ unit.T
    assert similarity[0, 1:5].mean() > similarity[0, 5:].mean() + 0.3
