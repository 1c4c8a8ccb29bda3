"""Device choice: `auto` picks CUDA, then Apple MPS, then CPU."""

from __future__ import annotations

import torch

from reprolab.core.errors import UserError


def choose_device(name: str = "auto") -> torch.device:
    """Return the torch device for `name` (`auto`, `cpu`, `cuda`, `cuda:1`, `mps`)."""
    if name == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        if torch.backends.mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    device = torch.device(name)
    if device.type == "cuda" and not torch.cuda.is_available():
        raise UserError(f"Device {name!r} asked for, but CUDA is not available; use --device cpu.")
    return device
