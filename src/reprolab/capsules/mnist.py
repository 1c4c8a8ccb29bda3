"""MNIST from its four IDX files (LeCun et al. 1998), checked against the project's sha256
manifest before use. `reprolab data fetch mnist` downloads them for users."""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import torch

from reprolab.core.data import ChecksumError, dataset_dir, sha256_file
from reprolab.core.datasets import DATASETS
from reprolab.core.errors import UserError

DATASET = "mnist"
Split = Literal["train", "test"]
FILES: dict[str, tuple[str, str]] = {  # split: (images, labels)
    "train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
    "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
}
_IDX_UBYTE = 0x08


class IdxFormatError(UserError):
    """An IDX file that is truncated or not IDX."""


@dataclass(frozen=True)
class Mnist:
    """One split: `images` uint8 `(N, 28, 28)`, `labels` int64 `(N,)`."""

    images: torch.Tensor
    labels: torch.Tensor

    def __len__(self) -> int:
        return len(self.labels)

    def subset(self, indices: torch.Tensor) -> Mnist:
        return Mnist(self.images[indices], self.labels[indices])


def read_idx(path: Path) -> torch.Tensor:
    """The unsigned-byte array of an IDX file (gzip or plain): magic `00 00 08 ndim`, then
    `ndim` big-endian int32 sizes, then the bytes."""
    raw = path.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as error:
            raise IdxFormatError(f"{path}: broken gzip ({error}).") from None
    if len(raw) < 4 or raw[:2] != b"\0\0" or raw[2] != _IDX_UBYTE:
        raise IdxFormatError(f"{path} is not an unsigned-byte IDX file.")
    ndim = raw[3]
    header = 4 + 4 * ndim
    shape = tuple(int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    if len(raw) != header + int(np.prod(shape)):
        raise IdxFormatError(f"{path}: {len(raw) - header} data bytes for shape {shape}.")
    return torch.from_numpy(np.frombuffer(raw, np.uint8, offset=header).reshape(shape).copy())


def verify_file(path: Path, expected: str) -> None:
    """Raise `ChecksumError` unless `path` has sha256 `expected`."""
    if (got := sha256_file(path)) != expected:
        raise ChecksumError(f"{path} has sha256 {got[:12]}..., not the official "
                            f"{expected[:12]}...: run `reprolab data fetch mnist --force`.")


def load_mnist(split: Split, folder: Path | None = None, *, verify: bool = True) -> Mnist:
    """One MNIST split from `folder` (default: the `mnist` dataset folder), each file checked
    against the manifest's sha256 first unless `verify` is False."""
    folder = folder or dataset_dir(DATASET)
    manifest = DATASETS[DATASET].manifest()
    images_file, labels_file = (folder / name for name in FILES[split])
    for path in (images_file, labels_file):
        if not path.is_file():
            raise UserError(f"{path} is missing: run `reprolab data fetch mnist`.")
        if verify:
            verify_file(path, manifest[path.name])
    images, labels = read_idx(images_file), read_idx(labels_file)
    if images.ndim != 3 or labels.ndim != 1 or len(images) != len(labels):
        raise IdxFormatError(f"{images_file} and {labels_file} do not hold one label per image.")
    return Mnist(images, labels.long())


VALIDATION_IMAGES = 5000  # the last 5,000 training digits, never trained on


@dataclass(frozen=True)
class MnistSplits:
    """Training digits (the first 55,000), validation digits (the last 5,000) and the test split."""

    train: Mnist
    val: Mnist
    test: Mnist


def load_splits(folder: Path | None = None) -> MnistSplits:
    """The three splits the study uses, from verified files."""
    train = load_mnist("train", folder)
    cut = len(train) - VALIDATION_IMAGES
    return MnistSplits(train.subset(torch.arange(cut)),
                       train.subset(torch.arange(cut, len(train))), load_mnist("test", folder))
