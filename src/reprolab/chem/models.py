"""Loading what SFT, DPO and the baseline write: a LoRA adapter folder (with `chem-model.json`
naming its base model) is applied to its base and merged for fast sampling; any other name or
folder loads through `reprolab.lm.zoo`. `export_adapter` copies an adapter at half precision, a
folder small enough to share."""

from __future__ import annotations

import json
import os
from pathlib import Path

import torch
from transformers import PreTrainedModel, PreTrainedTokenizerBase

from reprolab.core.device import choose_device
from reprolab.core.errors import UserError
from reprolab.lm.zoo import load_model

BASE_FILE = "chem-model.json"
ADAPTER_WEIGHTS = "adapter_model.safetensors"
ADAPTER_CONFIG = "adapter_config.json"
EXPORT_DTYPES = {"bfloat16": torch.bfloat16, "float16": torch.float16, "float32": torch.float32}


def write_base(folder: Path, base: str) -> None:
    """Record the base model an adapter in `folder` was trained on: a model name as given, a
    folder as a path relative to `folder` (so the pair can move together)."""
    if Path(base).expanduser().is_dir():
        base = os.path.relpath(Path(base).expanduser().resolve(), folder.resolve())
    (folder / BASE_FILE).write_text(json.dumps({"base": base}) + "\n")


def adapter_base(folder: Path) -> str | None:
    """The base model of the adapter in `folder`, or None when it holds no adapter."""
    path = folder / BASE_FILE
    if not (folder / ADAPTER_CONFIG).is_file():
        return None
    if not path.is_file():
        raise UserError(f"{folder} holds a LoRA adapter but no {BASE_FILE}: it was not written "
                        "by `reprolab chem sft`; give the base with a full model folder instead.")
    base = json.loads(path.read_text())["base"]
    relative = folder / base
    return str(relative) if relative.is_dir() else base


def load_chem_model(name_or_path: str, device: str = "auto", *, merged: bool = True
                    ) -> tuple[PreTrainedModel, PreTrainedTokenizerBase]:
    """`(model, tokenizer)` in eval mode: an adapter folder applied to its base (itself possibly
    an adapter folder: DPO rounds stack on SFT) and merged into the weights unless
    `merged=False`, which keeps a trainable `PeftModel`; anything else through `load_model`."""
    choose_device(device)
    folder = Path(name_or_path).expanduser()
    base = adapter_base(folder) if folder.is_dir() else None
    if base is None:
        return load_model(name_or_path, device=device)
    from peft import PeftModel

    model, tokenizer = load_chem_model(base, device)
    model = PeftModel.from_pretrained(model, folder, is_trainable=not merged)
    if merged:
        model = model.merge_and_unload()
    return model.to(torch.float32).eval(), tokenizer


def export_adapter(folder: Path, out: Path, dtype: str = "bfloat16") -> Path:
    """Copy the adapter in `folder` (its config and the name of its base) to `out`, its weights
    cast to `dtype`: bfloat16 halves the file, and `load_chem_model(out)` loads it as it loads
    `folder` (the weights return to float32 when applied; the tokenizer is the base's)."""
    from safetensors.torch import load_file, save_file

    if dtype not in EXPORT_DTYPES:
        raise UserError(f"--dtype takes one of {', '.join(EXPORT_DTYPES)}, got {dtype!r}.")
    base = adapter_base(folder) if folder.is_dir() else None
    if base is None or not (folder / ADAPTER_WEIGHTS).is_file():
        raise UserError(f"{folder} holds no LoRA adapter ({ADAPTER_WEIGHTS}): give the `model/` "
                        "folder of a `reprolab chem sft` or `dpo` run.")
    out.mkdir(parents=True, exist_ok=True)
    weights = load_file(folder / ADAPTER_WEIGHTS)
    save_file({k: v.to(EXPORT_DTYPES[dtype]) for k, v in weights.items()}, out / ADAPTER_WEIGHTS,
              metadata={"format": "pt"})
    write_base(out, base)
    config = json.loads((folder / ADAPTER_CONFIG).read_text())  # no path of this machine
    config["base_model_name_or_path"] = json.loads((out / BASE_FILE).read_text())["base"]
    (out / ADAPTER_CONFIG).write_text(json.dumps(config, indent=2) + "\n")
    return out
