"""Tiny learnable stand-ins for MNIST, so training tests run in seconds without the data."""

from __future__ import annotations

import torch

from reprolab.capsules.mnist import Mnist, MnistSplits


def toy_mnist(n: int = 60, seed: int = 0) -> Mnist:
    """Random blobs whose brightest row encodes the class: learnable, and tiny."""
    generator = torch.Generator().manual_seed(seed)
    labels = torch.arange(10).repeat(n // 10)
    images = (torch.rand(len(labels), 28, 28, generator=generator) * 60).to(torch.uint8)
    images[torch.arange(len(labels)), 4 + 2 * labels] = 255
    return Mnist(images, labels)


def toy_splits() -> MnistSplits:
    return MnistSplits(toy_mnist(60, 0), toy_mnist(20, 1), toy_mnist(20, 2))
