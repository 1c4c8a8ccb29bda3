"""node2vec (Grover & Leskovec 2016), the paper's M7A: second-order biased random walks on the
known network (numpy, all walkers in step), skip-gram with negative sampling (torch), and a
classifier on rotation-invariant pair features (cosine, dot product, both norms), so a model
fitted on one snapshot's embedding applies to another's.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import scipy.sparse as sp
import torch
from sklearn.linear_model import LogisticRegression
from torch import nn

from reprolab.core.progress import track
from reprolab.science4cast.features import LinkQuery
from reprolab.science4cast.methods import check_labels, model_file, reading
from reprolab.science4cast.network import read_npz

REJECTION_ROUNDS = 20  # walkers still rejected after these rounds draw exactly
BATCH = 32_768  # skip-gram pairs per step: a step's fixed cost dwarfs 4,096 pairs' work


def biased_walks(adjacency: sp.csr_matrix, walks_per_node: int, length: int, p: float,
                 q: float, rng: np.random.Generator) -> np.ndarray:
    """[W, length] node2vec walks from every node with a neighbour, `walks_per_node` each.

    After the first step, a neighbour x of the current node is kept with weight 1/p if it is
    the previous node, 1 if it neighbours the previous node, 1/q otherwise (rejection
    sampling against the largest weight)."""
    adjacency = adjacency.tocsr()
    adjacency.sort_indices()
    n = adjacency.shape[0]
    degree = np.diff(adjacency.indptr)
    # sorted keys row * n + col of every entry: is (a, b) an edge? one searchsorted
    keys = np.repeat(np.arange(n, dtype=np.int64), degree) * n + adjacency.indices
    starts = np.repeat(np.flatnonzero(degree > 0), walks_per_node)
    walks = np.empty((len(starts), length), dtype=np.int64)
    walks[:, 0] = starts

    def neighbour(nodes: np.ndarray) -> np.ndarray:
        offsets = (rng.random(len(nodes)) * degree[nodes]).astype(np.int64)
        return adjacency.indices[adjacency.indptr[nodes] + offsets]

    def linked(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        wanted = a * n + b
        at = np.minimum(np.searchsorted(keys, wanted), len(keys) - 1)
        return keys[at] == wanted

    def weights(before: np.ndarray, x: np.ndarray) -> np.ndarray:
        return np.where(x == before, 1.0 / p, np.where(linked(before, x), 1.0, 1.0 / q))

    top = max(1.0 / p, 1.0, 1.0 / q)
    if length > 1:
        walks[:, 1] = neighbour(starts)
    for step in range(2, length):
        previous, current = walks[:, step - 2], walks[:, step - 1]
        pending = np.arange(len(starts))
        for _ in range(REJECTION_ROUNDS):
            x = neighbour(current[pending])
            accept = rng.random(len(pending)) * top < weights(previous[pending], x)
            walks[pending[accept], step] = x[accept]
            pending = pending[~accept]
        for walker in pending:  # rare with moderate p, q: draw from the exact distribution
            options = adjacency.indices[adjacency.indptr[current[walker]]:
                                        adjacency.indptr[current[walker] + 1]]
            weight = weights(np.full(len(options), previous[walker]), options)
            walks[walker, step] = rng.choice(options, p=weight / weight.sum())
    return walks


def skipgram_pairs(walks: np.ndarray, window: int) -> np.ndarray:
    """[P, 2] (centre, context) pairs within `window` steps along each walk, both ways."""
    pairs = [np.stack([walks[:, :-gap].ravel(), walks[:, gap:].ravel()], axis=1)
             for gap in range(1, window + 1)]
    forward = np.concatenate(pairs)
    return np.concatenate([forward, forward[:, ::-1]])


def train_embedding(n_nodes: int, pairs: np.ndarray, dim: int, epochs: int, negatives: int,
                    batch_size: int, seed: int) -> np.ndarray:
    """[n, dim] skip-gram embeddings with `negatives` uniform negative samples per pair."""
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    centre = nn.Embedding(n_nodes, dim, sparse=True)
    context = nn.Embedding(n_nodes, dim, sparse=True)
    nn.init.uniform_(centre.weight, -0.5 / dim, 0.5 / dim)
    nn.init.zeros_(context.weight)
    optimiser = torch.optim.SparseAdam([*centre.parameters(), *context.parameters()], lr=0.01)
    steps = [(epoch, start) for epoch in range(epochs) for start in range(0, len(pairs),
                                                                          batch_size)]
    order = rng.permutation(len(pairs))
    for _, start in track(steps, "training node2vec"):
        batch = torch.from_numpy(pairs[order[start:start + batch_size]])
        noise = torch.from_numpy(rng.integers(0, n_nodes, size=(len(batch), negatives)))
        u = centre(batch[:, 0])  # [B, dim]
        positive = (u * context(batch[:, 1])).sum(1)  # [B]
        negative = torch.bmm(context(noise), u.unsqueeze(2)).squeeze(2)  # [B, negatives]
        loss = -(nn.functional.logsigmoid(positive).mean()
                 + nn.functional.logsigmoid(-negative).sum(1).mean())
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
    return centre.weight.detach().numpy()


class Node2Vec:
    """Embeds each query's network (once per snapshot), then a logistic regression on pair
    features; saves the regression and the embedding's settings as `.npz`."""

    FILE = "node2vec.npz"
    SETTINGS = ("dim", "walks_per_node", "length", "window", "p", "q", "epochs", "seed")

    def __init__(self, dim: int = 32, walks_per_node: int = 4, length: int = 20,
                 window: int = 4, p: float = 1.0, q: float = 0.5, epochs: int = 1,
                 seed: int = 0) -> None:
        self.dim, self.walks_per_node, self.length, self.window = (
            dim, walks_per_node, length, window)
        self.p, self.q, self.epochs, self.seed = p, q, epochs, seed

    def embedding(self, query: LinkQuery) -> np.ndarray:
        """[n, dim] vectors of the query's network, kept on its snapshot for other queries."""
        snapshot = query.snapshot()
        key = ("node2vec", *(getattr(self, name) for name in self.SETTINGS))
        if key not in snapshot.derived:
            walks = biased_walks(snapshot.adjacency, self.walks_per_node, self.length, self.p,
                                 self.q, np.random.default_rng(self.seed))
            snapshot.derived[key] = train_embedding(
                snapshot.adjacency.shape[0], skipgram_pairs(walks, self.window), self.dim,
                self.epochs, 5, BATCH, self.seed)
        return snapshot.derived[key]

    def pair_features(self, query: LinkQuery) -> np.ndarray:
        """[N, 4] cosine, dot product and both norms (smaller first) of the pair's vectors."""
        vectors = self.embedding(query)
        a, b = vectors[query.u], vectors[query.v]
        norm_a, norm_b = np.linalg.norm(a, axis=1), np.linalg.norm(b, axis=1)
        dot = (a * b).sum(1)
        cosine = dot / np.maximum(norm_a * norm_b, 1e-12)
        return np.stack([cosine, dot, np.minimum(norm_a, norm_b), np.maximum(norm_a, norm_b)],
                        axis=1)

    def fit(self, query: LinkQuery, labels: np.ndarray) -> None:
        check_labels(labels)
        x = self.pair_features(query)
        self.mean, self.std = x.mean(axis=0), x.std(axis=0) + 1e-9
        model = LogisticRegression(class_weight="balanced", max_iter=1000)
        model.fit((x - self.mean) / self.std, labels)
        self.coef, self.intercept = model.coef_[0], float(model.intercept_[0])

    def score(self, query: LinkQuery) -> np.ndarray:
        """[N] the regression's log-odds."""
        return ((self.pair_features(query) - self.mean) / self.std) @ self.coef + self.intercept

    def save(self, folder: Path) -> None:
        np.savez(folder / self.FILE, mean=self.mean, std=self.std, coef=self.coef,
                 intercept=self.intercept,
                 **{name: getattr(self, name) for name in self.SETTINGS})

    def load(self, folder: Path) -> None:
        path = model_file(folder, self.FILE)
        data = read_npz(path, "a node2vec model saved by `reprolab science4cast train`")
        with reading(path, KeyError):
            self.mean, self.std, self.coef = data["mean"], data["std"], data["coef"]
            self.intercept = float(data["intercept"])
            for name in self.SETTINGS:
                setattr(self, name, data[name].item())
