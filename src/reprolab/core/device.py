"""Device choice: `auto` picks CUDA, then Apple MPS, then CPU."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from reprolab.core.errors import UserError

if TYPE_CHECKING:
    import torch

DEVICE_HELP = "auto (CUDA, then MPS, then CPU), cpu, cuda, cuda:N or mps"


def choose_device(name: str = "auto") -> torch.device:
    """The torch device for `name` (`auto`, `cpu`, `cuda`, `cuda:1`, `mps`); a name that is not
    a device, or one this machine lacks, raises `UserError` before any model is loaded."""
    import torch  # here, so that settings checks stay fast to import

    if name == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        if torch.backends.mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    try:
        device = torch.device(name)
    except RuntimeError:
        raise UserError(f"--device {name!r} is not a device: use {DEVICE_HELP}.") from None
    if device.type == "cuda" and not torch.cuda.is_available():
        raise UserError(f"Device {name!r} asked for, but CUDA is not available; use --device cpu.")
    if device.type == "mps" and not torch.backends.mps.is_available():
        raise UserError(f"Device {name!r} asked for, but MPS is not available; use --device cpu.")
    if device.type not in ("cpu", "cuda", "mps"):
        raise UserError(f"--device {name!r} is not supported: use {DEVICE_HELP}.")
    return device


@contextmanager
def one_thread() -> Iterator[None]:
    """Run torch on one CPU thread inside the block: loops of tiny tensor ops gain nothing from
    more threads, and on shared cores threads waiting on each other make them many times slower."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)
