"""Device choice: `auto` picks CUDA, then Apple MPS, then CPU."""

from __future__ import annotations

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
