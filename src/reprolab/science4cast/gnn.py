"""A GraphSAGE link predictor (Hamilton et al. 2017, via PyTorch Geometric), the GNN half of
the paper's winner M1: node embeddings from two mean-aggregating layers over the known network,
a pair scored by an MLP on the product of its two embeddings.

Inductive: fitted on the training query's network, it embeds the scored query's (later)
network with the same weights. Node inputs are log degrees now, 1 and 2 years back, the log
A^2 row sum and the log PageRank (times n).
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import torch
from torch import nn
from torch_geometric.nn import SAGEConv

from reprolab.core.checkpoints import load_checkpoint, save_checkpoint
from reprolab.core.device import choose_device
from reprolab.core.progress import track
from reprolab.science4cast.features import LinkQuery
from reprolab.science4cast.methods import check_labels, model_file


def node_inputs(query: LinkQuery) -> torch.Tensor:
    """[n, 5] standardised per-node inputs from the query's snapshots."""
    now = query.snapshot()
    n = len(now.degree)
    columns = [np.log1p(query.snapshot(lag).degree) for lag in (0, 1, 2)]
    columns += [np.log1p(now.neighbour_degree), np.log(now.pagerank * n)]
    x = np.stack(columns, axis=1)
    return torch.from_numpy((x - x.mean(axis=0)) / (x.std(axis=0) + 1e-6)).float()


def adjacency(query: LinkQuery) -> torch.Tensor:
    """[n, n] the known network as a torch sparse CSR matrix: PyG's mean aggregation then runs
    as one sparse product (half the time of gathering messages along an edge list)."""
    matrix = query.snapshot().adjacency
    with warnings.catch_warnings():  # torch marks sparse CSR as beta
        warnings.simplefilter("ignore", UserWarning)
        return torch.sparse_csr_tensor(torch.from_numpy(matrix.indptr).long(),
                                       torch.from_numpy(matrix.indices).long(),
                                       torch.ones(len(matrix.indices)), size=matrix.shape)


class SageLinkModel(nn.Module):
    def __init__(self, inputs: int, hidden: int) -> None:
        super().__init__()
        self.conv1, self.conv2 = SAGEConv(inputs, hidden), SAGEConv(hidden, hidden)
        self.head = nn.Sequential(nn.Linear(hidden, hidden), nn.ReLU(), nn.Linear(hidden, 1))

    def embed(self, x: torch.Tensor, adj: torch.Tensor) -> torch.Tensor:
        return self.conv2(self.conv1(x, adj).relu(), adj)  # [n, hidden]

    def link(self, h: torch.Tensor, pairs: torch.Tensor) -> torch.Tensor:
        return self.head(h[pairs[:, 0]] * h[pairs[:, 1]]).squeeze(1)  # [P] logits

    def forward(self, x: torch.Tensor, adj: torch.Tensor, pairs: torch.Tensor) -> torch.Tensor:
        return self.link(self.embed(x, adj), pairs)


class GraphSage:
    """Fits on class-balanced batches of the training pairs, full-graph message passing, on
    `device` (`reprolab.core.device.choose_device`); saves its weights as safetensors."""

    FILE = "graphsage.safetensors"
    SCORE_CHUNK = 1_000_000  # pairs per head evaluation

    def __init__(self, epochs: int = 100, hidden: int = 32, batch_size: int = 4096,
                 lr: float = 0.01, device: str = "auto", seed: int = 0) -> None:
        self.epochs, self.hidden, self.batch_size, self.lr, self.seed = (
            epochs, hidden, batch_size, lr, seed)
        self.device = choose_device(device)
        self.model = SageLinkModel(5, hidden).to(self.device)

    def fit(self, query: LinkQuery, labels: np.ndarray) -> None:
        check_labels(labels)
        torch.manual_seed(self.seed)
        rng = np.random.default_rng(self.seed)
        x, adj = node_inputs(query).to(self.device), adjacency(query).to(self.device)
        pairs = torch.from_numpy(query.pairs).long().to(self.device)
        positives, negatives = np.flatnonzero(labels), np.flatnonzero(~labels)
        half = min(self.batch_size // 2, len(positives))
        target = torch.cat([torch.ones(half), torch.zeros(half)]).to(self.device)
        self.model = SageLinkModel(x.shape[1], self.hidden).to(self.device)
        optimiser = torch.optim.Adam(self.model.parameters(), lr=self.lr)
        for _ in track(range(self.epochs), "training GraphSAGE"):
            rows = torch.from_numpy(np.concatenate([rng.choice(positives, half, replace=False),
                                                    rng.choice(negatives, half)]))
            loss = nn.functional.binary_cross_entropy_with_logits(
                self.model(x, adj, pairs[rows.to(self.device)]), target)
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()

    @torch.no_grad()
    def score(self, query: LinkQuery) -> np.ndarray:
        """[N] logits."""
        h = self.model.embed(node_inputs(query).to(self.device),
                             adjacency(query).to(self.device))
        pairs = torch.from_numpy(query.pairs).long()
        return torch.cat([self.model.link(h, chunk.to(self.device)).cpu()
                          for chunk in pairs.split(self.SCORE_CHUNK)]).numpy()

    def save(self, folder: Path) -> None:
        save_checkpoint(folder / self.FILE, self.model, None, self.epochs)

    def load(self, folder: Path) -> None:
        load_checkpoint(model_file(folder, self.FILE), self.model, restore_rng=False)
