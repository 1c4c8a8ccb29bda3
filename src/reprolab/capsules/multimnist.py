"""MultiMNIST as Sabour, Frosst & Hinton (2017, sec. 6) make it, generated batch by batch from
torch tensors, deterministic by a `torch.Generator`.

Each digit is padded to the canvas (36x36), shifted by up to 4 px in each direction, and overlaid
(pixel-wise max) on a digit of a different class from the same split; both shifted source
images are kept as reconstruction targets. With `n_digits=1` the same code gives Sabour's MNIST
input (28x28 canvas, shifts up to 2 px). The transfer experiment restricts the classes drawn
(`pool`) and mixes in a few images of a held-out digit (`inject`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch

from reprolab.capsules.mnist import Mnist

DIGIT_SIZE = 28


@dataclass(frozen=True)
class MultiMnistBatch:
    """`images` `(B, 1, S, S)` float in [0, 1]; `labels` `(B, n)` the class of each digit (all
    different); `sources` `(B, n, S, S)` each digit alone as placed in the image."""

    images: torch.Tensor
    labels: torch.Tensor
    sources: torch.Tensor

    def __len__(self) -> int:
        return len(self.labels)

    def to(self, device: torch.device) -> MultiMnistBatch:
        return MultiMnistBatch(self.images.to(device), self.labels.to(device),
                               self.sources.to(device))

    def slice(self, start: int, stop: int) -> MultiMnistBatch:
        return MultiMnistBatch(self.images[start:stop], self.labels[start:stop],
                               self.sources[start:stop])


def place(digits: torch.Tensor, shifts: torch.Tensor, canvas: int, max_shift: int) -> torch.Tensor:
    """`digits` `(B, 28, 28)` centred on a `canvas`-sized image and moved by `shifts` `(B, 2)`
    (rows, columns; each in [-max_shift, max_shift]) -> `(B, canvas, canvas)`; pixels moved off
    the canvas are dropped."""
    assert shifts.abs().max() <= max_shift, "shift beyond max_shift"
    pad = (canvas - DIGIT_SIZE) // 2 + max_shift
    padded = torch.nn.functional.pad(digits, (pad, pad, pad, pad))  # (B, 28+2p, 28+2p)
    start = max_shift - shifts  # (B, 2) top-left of the window
    window = torch.arange(canvas, device=digits.device)
    rows = (start[:, 0, None] + window)[:, :, None]  # (B, S, 1)
    cols = (start[:, 1, None] + window)[:, None, :]  # (B, 1, S)
    batch = torch.arange(len(digits), device=digits.device)[:, None, None]
    return padded[batch, rows, cols]


def partners(first_labels: torch.Tensor, by_class: dict[int, torch.Tensor],
             generator: torch.Generator) -> torch.Tensor:
    """For each first digit's label, a random index from `by_class` (label -> indices) of
    another class: the class drawn uniformly among the other classes, the image within it."""
    classes = torch.tensor(sorted(by_class))
    assert len(classes) >= 2, "pairs need at least two classes in the pool"
    position = torch.searchsorted(classes, first_labels).clamp(max=len(classes) - 1)
    in_pool = classes[position] == first_labels  # else (an injected digit) any class will do
    offset = torch.randint(1, len(classes), (len(first_labels),), generator=generator)
    free = torch.randint(0, len(classes), (len(first_labels),), generator=generator)
    chosen = torch.where(in_pool, (position + offset) % len(classes), free)
    second = torch.empty_like(first_labels)
    for slot, members in enumerate(by_class[c] for c in sorted(by_class)):
        mask = chosen == slot
        picks = torch.randint(0, len(members), (int(mask.sum()),), generator=generator)
        second[mask] = members[picks]
    return second


@dataclass(frozen=True, eq=False)
class PairSampler:
    """Draws batches from `mnist`: first digits from `pool` (indices into `mnist`), or from
    `inject` with probability `inject_rate`; second digits from `pool`, of another class."""

    mnist: Mnist
    pool: torch.Tensor
    n_digits: int = 2
    canvas: int = 36
    max_shift: int = 4
    inject: torch.Tensor | None = None
    inject_rate: float = 0.0
    by_class: dict[int, torch.Tensor] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        assert self.n_digits in (1, 2), "one or two digits per image"
        assert self.canvas >= DIGIT_SIZE, "the canvas must hold a digit"
        assert self.inject is None or len(self.inject) > 0, "empty injection set"
        pool_labels = self.mnist.labels[self.pool]
        object.__setattr__(self, "by_class", {  # label -> pool indices, for the partners
            int(c): self.pool[pool_labels == c] for c in pool_labels.unique()})

    def batch(self, size: int, generator: torch.Generator) -> MultiMnistBatch:
        """`size` fresh images (new pairings and shifts on every call)."""
        first = self.pool[torch.randint(0, len(self.pool), (size,), generator=generator)]
        if self.inject is not None:
            use = torch.rand(size, generator=generator) < self.inject_rate
            picks = self.inject[torch.randint(0, len(self.inject), (size,), generator=generator)]
            first = torch.where(use, picks, first)
        indices = [first]
        if self.n_digits == 2:
            indices.append(partners(self.mnist.labels[first], self.by_class, generator))
        shifts = torch.randint(-self.max_shift, self.max_shift + 1, (size, self.n_digits, 2),
                               generator=generator)
        sources = torch.stack([place(self.mnist.images[idx].float() / 255, shifts[:, i],
                                     self.canvas, self.max_shift)
                               for i, idx in enumerate(indices)], dim=1)  # (B, n, S, S)
        labels = torch.stack([self.mnist.labels[idx] for idx in indices], dim=1)
        return MultiMnistBatch(sources.amax(dim=1, keepdim=True), labels, sources)


def fixed_set(sampler: PairSampler, size: int, seed: int) -> MultiMnistBatch:
    """A test or validation set: `size` images drawn once with `seed`."""
    return sampler.batch(size, torch.Generator().manual_seed(seed))
