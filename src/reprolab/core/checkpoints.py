"""Training checkpoints as safetensors: model weights, optimiser state, step and RNG state in one
file, written atomically so a crash leaves the previous checkpoint intact.

Tensors live in the safetensors body (`model.<name>`, `optim.<param index>.<name>`,
`rng.torch`); everything else (the step, optimiser hyper-parameters, the caller's `extra`) is
JSON in the header metadata. Nothing is unpickled when a checkpoint is read.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file

from reprolab.core.errors import UserError

FORMAT = "reprolab-checkpoint-1"


@dataclass(frozen=True)
class Checkpoint:
    """What `load_checkpoint` restored besides the weights: the step and the caller's extras."""

    step: int
    extra: dict[str, Any] = field(default_factory=dict)


def _optimizer_tensors(state: dict) -> tuple[dict[str, torch.Tensor], dict[str, dict]]:
    """Split `optimizer.state_dict()["state"]` into tensors and JSON-able leftovers."""
    tensors, plain = {}, {}
    for index, values in state.items():
        for name, value in values.items():
            if isinstance(value, torch.Tensor):
                tensors[f"optim.{index}.{name}"] = value
            else:
                plain.setdefault(str(index), {})[name] = value
    return tensors, plain


def save_checkpoint(path: Path, model: torch.nn.Module, optimizer: torch.optim.Optimizer | None,
                    step: int, extra: dict[str, Any] | None = None) -> Path:
    """Write model (+ optimiser) state, `step`, the torch CPU RNG state and JSON-able `extra`
    to `path` (atomically: a temporary file, then a rename)."""
    tensors = {f"model.{k}": v for k, v in model.state_dict().items()}
    metadata: dict[str, Any] = {"format": FORMAT, "step": step, "extra": extra or {}}
    if optimizer is not None:
        optim_state = optimizer.state_dict()
        optim_tensors, plain = _optimizer_tensors(optim_state["state"])
        tensors.update(optim_tensors)
        metadata["optimizer"] = {"param_groups": optim_state["param_groups"], "state": plain}
    tensors["rng.torch"] = torch.get_rng_state()
    # safetensors refuses shared storage and non-contiguous views: store private copies
    tensors = {k: v.detach().to("cpu", copy=True).contiguous() for k, v in tensors.items()}
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".part")
    save_file(tensors, str(partial), metadata={"reprolab": json.dumps(metadata)})
    os.replace(partial, path)
    return path


def _read(path: Path) -> tuple[dict[str, torch.Tensor], dict[str, Any]]:
    try:
        tensors = load_file(str(path))
        with open(path, "rb") as handle:
            header_len = int.from_bytes(handle.read(8), "little")
            header = json.loads(handle.read(header_len))
        metadata = json.loads(header["__metadata__"]["reprolab"])
    except (SafetensorError, OSError, KeyError, json.JSONDecodeError, UnicodeDecodeError) as error:
        raise UserError(f"{path} is not a readable reprolab checkpoint ({error}): delete it "
                        "to start that training again.") from None
    if metadata.get("format") != FORMAT:
        raise UserError(f"{path} has checkpoint format {metadata.get('format')!r}, not {FORMAT}.")
    return tensors, metadata


def load_checkpoint(path: Path, model: torch.nn.Module,
                    optimizer: torch.optim.Optimizer | None = None, *,
                    restore_rng: bool = True) -> Checkpoint:
    """Load a `save_checkpoint` file into `model` (and `optimizer`), restore the torch CPU RNG
    state unless `restore_rng` is False, and return the step and extras. A missing, broken or
    mismatched file raises `UserError`."""
    if not path.is_file():
        raise UserError(f"No checkpoint at {path}.")
    tensors, metadata = _read(path)
    weights = {k.removeprefix("model."): v for k, v in tensors.items() if k.startswith("model.")}
    try:
        model.load_state_dict(weights)
    except RuntimeError as error:
        first = str(error).splitlines()[1].strip() if "\n" in str(error) else str(error)
        raise UserError(f"{path} does not fit this model ({first}): it was written with other "
                        "model settings.") from None
    if optimizer is not None:
        if "optimizer" not in metadata:
            raise UserError(f"{path} holds no optimiser state.")
        state: dict[int, dict[str, Any]] = {}
        for key, value in tensors.items():
            if key.startswith("optim."):
                _, index, name = key.split(".", 2)
                state.setdefault(int(index), {})[name] = value
        for index, values in metadata["optimizer"]["state"].items():
            state.setdefault(int(index), {}).update(values)
        optimizer.load_state_dict({"state": state,
                                   "param_groups": metadata["optimizer"]["param_groups"]})
    if restore_rng:
        torch.set_rng_state(tensors["rng.torch"])
    return Checkpoint(step=int(metadata["step"]), extra=metadata["extra"])
