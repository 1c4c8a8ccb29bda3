"""The MultiMNIST generator: shift bounds, different classes, overlay, determinism, injection."""

from __future__ import annotations

import torch

from reprolab.capsules.mnist import Mnist
from reprolab.capsules.multimnist import PairSampler, fixed_set, partners, place


def _toy_mnist(n_per_class: int = 6) -> Mnist:
    """Digits that are one bright pixel at (10 + class, 10), so positions are easy to check."""
    labels = torch.arange(10).repeat_interleave(n_per_class)
    images = torch.zeros(len(labels), 28, 28, dtype=torch.uint8)
    images[torch.arange(len(labels)), 10 + labels, 10] = 255
    return Mnist(images, labels)


def test_place_moves_by_the_shift_on_the_canvas():
    digit = torch.zeros(1, 28, 28)
    digit[0, 0, 27] = 1.0  # top-right corner
    placed = place(digit.repeat(2, 1, 1), torch.tensor([[-4, 4], [3, -2]]), 36, 4)
    assert placed.shape == (2, 36, 36)
    assert placed[0].nonzero().tolist() == [[0, 35]]  # 4 px of padding + shift (-4, +4)
    assert placed[1].nonzero().tolist() == [[7, 29]]
    mnist_style = place(digit, torch.tensor([[-2, 2]]), 28, 2)  # Sabour's MNIST: crop at 28
    assert mnist_style.sum() == 0  # the corner pixel moved off the canvas


def test_pairs_differ_in_class_and_overlay_is_the_pixelwise_max():
    mnist = _toy_mnist()
    generator = torch.Generator().manual_seed(0)
    batch = PairSampler(mnist, torch.arange(len(mnist))).batch(200, generator)
    assert batch.images.shape == (200, 1, 36, 36) and batch.sources.shape == (200, 2, 36, 36)
    assert (batch.labels[:, 0] != batch.labels[:, 1]).all()
    assert torch.equal(batch.images[:, 0], batch.sources.max(dim=1).values)
    for i in range(2):  # each source is its digit's pixel, moved at most 4 px from the centre
        where = batch.sources[:, i].flatten(1).argmax(1)
        row, col = where // 36, where % 36
        assert ((row - (14 + batch.labels[:, i])).abs() <= 4).all()
        assert ((col - 14).abs() <= 4).all()
    assert len(set(batch.labels[:, 1].tolist())) == 10


def test_same_seed_same_set_other_seed_other_set():
    sampler = PairSampler(_toy_mnist(), torch.arange(60))
    a, b, c = fixed_set(sampler, 50, 1), fixed_set(sampler, 50, 1), fixed_set(sampler, 50, 2)
    assert torch.equal(a.images, b.images) and torch.equal(a.labels, b.labels)
    assert not torch.equal(a.images, c.images)


def test_held_out_digit_appears_only_through_injection():
    mnist = _toy_mnist()
    pool = (mnist.labels != 3).nonzero().squeeze(1)
    inject = (mnist.labels == 3).nonzero().squeeze(1)[:2]
    generator = torch.Generator().manual_seed(0)
    without = PairSampler(mnist, pool).batch(300, generator)
    assert not (without.labels == 3).any()
    mixed = PairSampler(mnist, pool, inject=inject, inject_rate=0.25).batch(2000, generator)
    has_three = (mixed.labels == 3).any(dim=1).float().mean().item()
    assert 0.21 < has_three < 0.29
    assert (mixed.labels[:, 1] != 3).all() and (mixed.labels[:, 0] != mixed.labels[:, 1]).all()


def test_partners_are_uniform_over_the_other_classes():
    labels = torch.tensor([0, 1, 1, 2, 2, 2])
    by_class = {0: torch.tensor([0]), 1: torch.tensor([1, 2]), 2: torch.tensor([3, 4, 5])}
    second = partners(torch.zeros(3000, dtype=torch.long), by_class,
                      torch.Generator().manual_seed(0))
    counts = torch.bincount(labels[second], minlength=3)
    assert counts[0] == 0 and abs(counts[1].item() - 1500) < 120
