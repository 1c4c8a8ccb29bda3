"""What every model returns, the margin and reconstruction losses (Sabour et al. 2017, eq. 4
and sec. 4.1), and the top-n accuracy used on MultiMNIST."""

from __future__ import annotations

from dataclasses import dataclass

import torch

M_PLUS, M_MINUS, LAMBDA = 0.9, 0.1, 0.5
RECONSTRUCTION_WEIGHT = 0.0005


@dataclass(frozen=True)
class ModelOutput:
    """`scores` `(B, 10)` in [0, 1] (capsule lengths, or sigmoid outputs of the CNN);
    `reconstructions` `(B, n, S*S)` or None; `coupling` `(B, I, 10)` or None."""

    scores: torch.Tensor
    reconstructions: torch.Tensor | None = None
    coupling: torch.Tensor | None = None


def multi_hot(labels: torch.Tensor, n_classes: int = 10) -> torch.Tensor:
    """`(B, n)` class indices -> `(B, n_classes)` 0/1 targets."""
    return torch.zeros(len(labels), n_classes, device=labels.device).scatter_(1, labels, 1.0)


def margin_loss(scores: torch.Tensor, labels: torch.Tensor, m_plus: float = M_PLUS,
                m_minus: float = M_MINUS, lam: float = LAMBDA) -> torch.Tensor:
    """Eq. 4, summed over classes and averaged over the batch:
    `T_k max(0, m+ - |v_k|)^2 + lam (1 - T_k) max(0, |v_k| - m-)^2`."""
    targets = multi_hot(labels, scores.shape[1])
    present = targets * (m_plus - scores).clamp(min=0).pow(2)
    absent = lam * (1 - targets) * (scores - m_minus).clamp(min=0).pow(2)
    return (present + absent).sum(dim=1).mean()


def reconstruction_loss(reconstructions: torch.Tensor, sources: torch.Tensor) -> torch.Tensor:
    """Sum of squared pixel errors per image (each digit against its own source), batch mean."""
    return (reconstructions - sources.flatten(2)).pow(2).sum(dim=(1, 2)).mean()


def objective(output: ModelOutput, labels: torch.Tensor, sources: torch.Tensor,
              weight: float = RECONSTRUCTION_WEIGHT) -> torch.Tensor:
    """Margin loss, plus `weight` times the reconstruction loss for generative models."""
    loss = margin_loss(output.scores, labels)
    if output.reconstructions is not None:
        loss = loss + weight * reconstruction_loss(output.reconstructions, sources)
    return loss


def select_classes(scores: torch.Tensor, n: int) -> torch.Tensor:
    """The `n` highest-scoring classes `(B, n)`."""
    return scores.topk(n, dim=1).indices


def correct(scores: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """`(B,)` bool: the top-n classes are exactly the n labelled ones (Sabour's MultiMNIST
    criterion; plain top-1 accuracy for one digit)."""
    chosen = multi_hot(select_classes(scores, labels.shape[1]), scores.shape[1])
    return (chosen == multi_hot(labels, scores.shape[1])).all(dim=1)
