"""The CNN baseline, shaped as Sabour et al.'s (three 5x5 conv layers, two hidden fully connected
layers) with sigmoid class scores so it trains with the same margin loss and optimiser.

    image (B, 1, S, S) -> conv 5x5 + ReLU + maxpool 2 -> conv 5x5 + ReLU + maxpool 2
      -> conv 5x5 + ReLU -> flatten -> FC + ReLU -> FC + ReLU -> FC -> sigmoid (B, 10)
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from reprolab.capsules.losses import ModelOutput


@dataclass(frozen=True)
class CnnConfig:
    """Widths; the defaults are Sabour et al.'s baseline (256, 256, 128 channels; 328, 192)."""

    canvas: int = 28
    channels: tuple[int, int, int] = (256, 256, 128)
    hidden: tuple[int, int] = (328, 192)
    n_classes: int = 10


class Cnn(nn.Module):
    def __init__(self, config: CnnConfig) -> None:
        super().__init__()
        c1, c2, c3 = config.channels
        self.features = nn.Sequential(
            nn.Conv2d(1, c1, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(c1, c2, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(c2, c3, 5, padding=2), nn.ReLU(), nn.Flatten())
        side = config.canvas // 4
        h1, h2 = config.hidden
        self.classifier = nn.Sequential(
            nn.Linear(c3 * side * side, h1), nn.ReLU(), nn.Linear(h1, h2), nn.ReLU(),
            nn.Linear(h2, config.n_classes))

    def forward(self, images: torch.Tensor, labels: torch.Tensor | None = None,
                n_digits: int = 1) -> ModelOutput:
        """`images` `(B, 1, S, S)` -> sigmoid scores `(B, 10)`; labels are not used."""
        return ModelOutput(torch.sigmoid(self.classifier(self.features(images))))
