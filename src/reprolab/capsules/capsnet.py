"""CapsNet with dynamic routing (Sabour, Frosst & Hinton 2017, arXiv 1710.09829), vectorised.

    image (B, 1, S, S)
      -> conv 9x9, ReLU                               (B, C, S-8, S-8)
      -> primary capsules: conv 9x9 stride 2, squash  (B, P, d_p)   P = types * H' * W'
      -> [intermediate routed capsules]               (B, M, d_m)   (the intermediate variant)
      -> digit capsules, routed                       (B, 10, d)    class score = length
      -> [decoder on the capsules masked by class]    (B, n, S*S)   (the generative variant)

The prediction step multiplies each child capsule by its transformation matrix for every parent
with one einsum over the batch; the weight tensor `(I, O, d_out, d_in)` is never copied per image.
Gradients flow through every routing iteration (the unrolled graph).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

import torch
from torch import nn

from reprolab.capsules.losses import ModelOutput, select_classes


def squash(s: torch.Tensor, dim: int = -1, eps: float = 1e-8) -> torch.Tensor:
    """Eq. 1: `|s|^2 / (1 + |s|^2) * s / |s|`: keeps the direction, maps the length into [0, 1)."""
    norm2 = s.pow(2).sum(dim, keepdim=True)
    return norm2 / (1 + norm2) * s / torch.sqrt(norm2 + eps)


def route(u_hat: torch.Tensor, iterations: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Procedure 1 (routing by agreement). `u_hat` `(B, I, O, D)`: child i's prediction for
    parent o. Returns the parents `v` `(B, O, D)` and the last coupling coefficients `c`
    `(B, I, O)` (each child's couplings sum to 1 over parents). One iteration is uniform
    coupling `c = 1/O`, the no-routing ablation."""
    assert iterations >= 1, "routing needs at least one iteration"
    logits = u_hat.new_zeros(u_hat.shape[:3])  # (B, I, O)
    for iteration in range(iterations):
        c = logits.softmax(dim=2)
        v = squash(torch.einsum("bio,biod->bod", c, u_hat))  # (B, O, D)
        if iteration < iterations - 1:
            logits = logits + torch.einsum("biod,bod->bio", u_hat, v)
    return v, c


class RoutedCapsules(nn.Module):
    """A capsule layer whose `n_in` children each predict `n_out` parents through their own
    `(d_out, d_in)` matrix, combined by `route`."""

    def __init__(self, n_in: int, d_in: int, n_out: int, d_out: int, iterations: int) -> None:
        super().__init__()
        # std n_out / sqrt(n_in d_in): the uniform first coupling (1/n_out) then sums n_in
        # predictions to unit scale; a fixed 0.01 starves a second routed layer (|v| ~ 1e-17)
        self.weight = nn.Parameter(torch.randn(n_in, n_out, d_out, d_in)
                                   * (n_out / (n_in * d_in) ** 0.5))
        self.iterations = iterations

    def forward(self, u: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        u_hat = torch.einsum("iodk,bik->biod", self.weight, u)  # (B, I, O, d_out)
        return route(u_hat, self.iterations)


class PrimaryCapsules(nn.Module):
    """Conv 9x9 stride 2 with `types * dim` channels, read as `types * H * W` capsules of `dim`."""

    def __init__(self, in_channels: int, types: int, dim: int) -> None:
        super().__init__()
        self.conv = nn.Conv2d(in_channels, types * dim, kernel_size=9, stride=2)
        self.types, self.dim = types, dim

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.conv(x)  # (B, types*dim, H, W)
        b, _, h, w = y.shape
        y = y.view(b, self.types, self.dim, h, w).permute(0, 1, 3, 4, 2)  # (B, types, H, W, dim)
        return squash(y.reshape(b, self.types * h * w, self.dim))

    def count(self, size: int) -> int:
        """Capsules produced from a `size`-wide feature map."""
        side = (size - 9) // 2 + 1
        return self.types * side * side


@dataclass(frozen=True)
class CapsNetConfig:
    """Sizes of a CapsNet; the defaults are Sabour et al.'s MNIST network (8.2M parameters)."""

    canvas: int = 28
    conv_channels: int = 256
    primary_types: int = 32
    primary_dim: int = 8
    intermediate: int = 0  # capsules in a routed layer before the digit capsules; 0: none
    intermediate_dim: int = 16
    digit_dim: int = 16
    routing_iterations: int = 3
    decoder: tuple[int, ...] = (512, 1024)  # hidden widths; (): no decoder (non-generative)
    n_classes: int = 10


class CapsNet(nn.Module):
    """Scores are the digit capsules' lengths; with a decoder, `forward` also reconstructs each
    labelled digit (or each of the top-n predicted ones when no labels are given)."""

    def __init__(self, config: CapsNetConfig) -> None:
        super().__init__()
        self.config = config
        self.conv = nn.Conv2d(1, config.conv_channels, kernel_size=9)
        self.primary = PrimaryCapsules(config.conv_channels, config.primary_types,
                                       config.primary_dim)
        n_children, d_children = self.primary.count(config.canvas - 8), config.primary_dim
        self.intermediate = None
        if config.intermediate:
            self.intermediate = RoutedCapsules(n_children, d_children, config.intermediate,
                                               config.intermediate_dim, config.routing_iterations)
            n_children, d_children = config.intermediate, config.intermediate_dim
        self.digits = RoutedCapsules(n_children, d_children, config.n_classes, config.digit_dim,
                                     config.routing_iterations)
        self.decoder = None
        if config.decoder:
            widths = (config.n_classes * config.digit_dim, *config.decoder)
            layers: list[nn.Module] = []
            for a, b in pairwise(widths):
                layers += [nn.Linear(a, b), nn.ReLU()]
            self.decoder = nn.Sequential(*layers, nn.Linear(widths[-1], config.canvas ** 2),
                                         nn.Sigmoid())

    def forward(self, images: torch.Tensor, labels: torch.Tensor | None = None,
                n_digits: int = 1) -> ModelOutput:
        """`images` `(B, 1, S, S)`; `labels` `(B, n)` pick the capsules to reconstruct."""
        u = self.primary(torch.relu(self.conv(images)))  # (B, P, d_p)
        if self.intermediate is not None:
            u, _ = self.intermediate(u)  # (B, M, d_m)
        v, coupling = self.digits(u)  # (B, 10, d), (B, I, 10)
        scores = v.norm(dim=-1)  # (B, 10)
        reconstructions = None
        if self.decoder is not None:
            chosen = labels if labels is not None else select_classes(scores, n_digits)
            mask = nn.functional.one_hot(chosen, self.config.n_classes).to(v.dtype)  # (B, n, 10)
            masked = mask[..., None] * v[:, None]  # (B, n, 10, d)
            reconstructions = self.decoder(masked.flatten(2))  # (B, n, S*S)
        return ModelOutput(scores, reconstructions, coupling)
