"""IDX reading and checksum checks, on hand-made files and (when present) the real MNIST."""

from __future__ import annotations

import gzip

import pytest
import torch

from reprolab.capsules.mnist import FILES, IdxFormatError, load_mnist, read_idx, verify_file
from reprolab.core.data import ChecksumError, sha256_file


def _idx(shape: tuple[int, ...], data: bytes) -> bytes:
    return b"\0\0\x08" + bytes([len(shape)]) + b"".join(n.to_bytes(4, "big") for n in shape) + data


def test_read_idx_plain_and_gzip(tmp_path):
    plain = tmp_path / "x-idx3-ubyte"
    plain.write_bytes(_idx((2, 1, 3), bytes(range(6))))
    zipped = tmp_path / "x-idx3-ubyte.gz"
    zipped.write_bytes(gzip.compress(plain.read_bytes()))
    for path in (plain, zipped):
        array = read_idx(path)
        assert array.dtype == torch.uint8 and array.shape == (2, 1, 3)
        assert array[1, 0].tolist() == [3, 4, 5]


@pytest.mark.parametrize(("content", "message"), [
    (_idx((2, 3), bytes(5)), "5 data bytes for shape"),
    (b"\0\0\x0d\x01" + bytes(8), "not an unsigned-byte IDX file"),
    (b"\x1f\x8bnot gzip", "broken gzip"),
])
def test_broken_idx_files_are_one_user_error(tmp_path, content, message):
    path = tmp_path / "bad.gz"
    path.write_bytes(content)
    with pytest.raises(IdxFormatError, match=message):
        read_idx(path)


def test_checksum_mismatch_names_the_fetch_command(tmp_path):
    path = tmp_path / "f"
    path.write_bytes(b"abc")
    verify_file(path, sha256_file(path))
    with pytest.raises(ChecksumError, match="reprolab data fetch mnist --force"):
        verify_file(path, "0" * 64)


def test_tampered_copy_is_refused(tmp_path):
    for images, labels in FILES.values():
        for name in (images, labels):
            (tmp_path / name).write_bytes(gzip.compress(_idx((1,), b"\0")))
    with pytest.raises(ChecksumError):
        load_mnist("test", tmp_path)


@pytest.mark.needs_data("mnist")
def test_real_mnist_test_split():
    test = load_mnist("test")
    assert test.images.shape == (10_000, 28, 28) and test.images.dtype == torch.uint8
    assert torch.bincount(test.labels).tolist()[:3] == [980, 1135, 1032]  # LeCun's counts
