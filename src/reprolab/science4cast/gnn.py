"""A GraphSAGE link predictor (Hamilton et al. 2017, via PyTorch Geometric), the GNN half of
the paper's winner M1: node embeddings from two mean-aggregating layers over the known network,
a pair scored by an MLP on the product of its two embeddings.

Inductive: fitted on the training query's network, it embeds the scored query's (later)
network with the same weights. Node inputs are log degrees now, 1 and 2 years back, the log
A^2 row sum and the log PageRank (times n).
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn
from torch_geometric.nn import SAGEConv

from reprolab.core.errors import UserError
from reprolab.core.progress import track
from reprolab.science4cast.features import LinkQuery


def node_inputs(query: LinkQuery) -> torch.Tensor:
    """[n, 5] standardised per-node inputs from the query's snapshots."""
    now = query.snapshot()
    n = len(now.degree)
    columns = [np.log1p(query.snapshot(lag).degree) for lag in (0, 1, 2)]
    columns += [np.log1p(now.neighbour_degree), np.log(now.pagerank * n)]
    x = np.stack(columns, axis=1)
    return torch.from_numpy((x - x.mean(axis=0)) / (x.std(axis=0) + 1e-6)).float()


def edge_index(query: LinkQuery) -> torch.Tensor:
    """[2, 2E] both directions of every known pair."""
    adjacency = query.snapshot().adjacency.tocoo()
    return torch.from_numpy(np.stack([adjacency.row, adjacency.col])).long()


class SageLinkModel(nn.Module):
    def __init__(self, inputs: int, hidden: int) -> None:
        super().__init__()
        self.conv1, self.conv2 = SAGEConv(inputs, hidden), SAGEConv(hidden, hidden)
        self.head = nn.Sequential(nn.Linear(hidden, hidden), nn.ReLU(), nn.Linear(hidden, 1))

    def forward(self, x: torch.Tensor, edges: torch.Tensor, pairs: torch.Tensor) -> torch.Tensor:
        h = self.conv2(self.conv1(x, edges).relu(), edges)  # [n, hidden]
        return self.head(h[pairs[:, 0]] * h[pairs[:, 1]]).squeeze(1)  # [P] logits


class GraphSage:
    """Fits on class-balanced batches of the training pairs, full-graph message passing."""

    def __init__(self, epochs: int = 100, hidden: int = 32, batch_size: int = 4096,
                 lr: float = 0.01, seed: int = 0) -> None:
        self.epochs, self.hidden, self.batch_size, self.lr, self.seed = (
            epochs, hidden, batch_size, lr, seed)

    def fit(self, query: LinkQuery, labels: np.ndarray) -> None:
        if labels.all() or not labels.any():
            raise UserError("The training window's pairs are all of one class: sample more "
                            "pairs (--n-pairs) or choose a setting with positives.")
        torch.manual_seed(self.seed)
        rng = np.random.default_rng(self.seed)
        x, edges = node_inputs(query), edge_index(query)
        pairs = torch.from_numpy(query.pairs).long()
        positives, negatives = np.flatnonzero(labels), np.flatnonzero(~labels)
        half = min(self.batch_size // 2, len(positives))
        target = torch.cat([torch.ones(half), torch.zeros(half)])
        self.model = SageLinkModel(x.shape[1], self.hidden)
        optimiser = torch.optim.Adam(self.model.parameters(), lr=self.lr)
        for _ in track(range(self.epochs), "training GraphSAGE"):
            rows = np.concatenate([rng.choice(positives, half, replace=False),
                                   rng.choice(negatives, half)])
            loss = nn.functional.binary_cross_entropy_with_logits(
                self.model(x, edges, pairs[rows]), target)
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()

    @torch.no_grad()
    def score(self, query: LinkQuery) -> np.ndarray:
        pairs = torch.from_numpy(query.pairs).long()
        return self.model(node_inputs(query), edge_index(query), pairs).numpy()
