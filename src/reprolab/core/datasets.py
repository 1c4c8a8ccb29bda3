"""The datasets reprolab knows: official sources, local layout, licences, sha256 manifests.

Pure description (no downloads here: `reprolab.core.data` finds, verifies and fetches them).
"""

from __future__ import annotations

import importlib.resources
import importlib.util
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from reprolab.core.registry import Registry


@dataclass(frozen=True)
class RemoteFile:
    """One file to download: `url` lands at `path` (relative to the dataset folder).

    With `unpack`, the file is a zip or tar archive whose single top folder is stripped and whose
    contents are extracted into the dataset folder.
    """

    url: str
    path: str
    sha256: str | None = None
    unpack: bool = False


@dataclass(frozen=True)
class DatasetSpec:
    """What a dataset is, where it comes from and what must be on disk."""

    name: str
    description: str
    folder: str
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    remote_files: tuple[RemoteFile, ...] = ()
    hf_dataset: str | None = None
    homepage: str = ""
    licence: str = ""
    locate: Callable[[], Path | None] | None = field(default=None, compare=False)

    def manifest(self) -> dict[str, str]:
        """`{relative path: sha256}` of every file the project knows the hash of."""
        return _manifest(self.name)


def _manifest(name: str) -> dict[str, str]:
    resource = importlib.resources.files("reprolab.core") / "manifests" / f"{name}.sha256"
    if not resource.is_file():
        return {}
    entries = {}
    for line in resource.read_text().splitlines():
        if line.strip():
            digest, path = line.split(maxsplit=1)
            entries[path] = digest
    return entries


DATASETS: Registry[DatasetSpec] = Registry("dataset")


def package_data_dir(package: str, *parts: str) -> Path | None:
    """Folder inside an installed package, found without importing the package's code."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations)), *parts)
    return folder if folder.exists() else None


def _prize_files() -> tuple[str, ...]:
    """The prize files of the manifest: each optional (the task loaders fall back to the Hub)."""
    return tuple(p for p in _manifest("inverse-scaling") if p.startswith("prize/"))


_PRIZE_RELEASE = "https://github.com/inverse-scaling/prize/raw/main/data-release"
_MNIST_MIRROR = "https://ossci-datasets.s3.amazonaws.com/mnist"
_MNIST_FILES = {  # name: sha256
    "train-images-idx3-ubyte.gz":
        "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
    "train-labels-idx1-ubyte.gz":
        "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
    "t10k-images-idx3-ubyte.gz": "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
    "t10k-labels-idx1-ubyte.gz": "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
}


def _moses_from_wheel() -> Path | None:
    """The MOSES splits shipped inside the `molsets` wheel (its code is never imported)."""
    return package_data_dir("moses", "dataset", "data")


DATASETS.register("rebus", DatasetSpec(
    name="rebus",
    description="REBUS: 333 rebus puzzles, metadata, released model answers and raw outputs",
    folder="rebus",
    required=("data.csv", "eval_results.csv", "images"),
    remote_files=(RemoteFile(
        "https://github.com/cvndsh/rebus/archive/b8f0e54.zip", "rebus.zip", unpack=True),),
    hf_dataset="cavendishlabs/rebus",
    homepage="https://github.com/cvndsh/rebus",
    licence="no licence file upstream; some images CC BY-SA (see Attribution)",
))
DATASETS.register("inverse-scaling", DatasetSpec(
    name="inverse-scaling",
    description="Inverse Scaling Prize: the 11 winning tasks, organisers' pilot data and results",
    folder="inverse-scaling",
    required=("prize",),
    optional=_prize_files(),
    remote_files=tuple(RemoteFile(f"{_PRIZE_RELEASE}/{Path(path).name}", path, sha)
                       for path, sha in _manifest("inverse-scaling").items()
                       if path in _prize_files() and path.endswith(".jsonl")),
    hf_dataset="pminervini/inverse-scaling",
    homepage="https://github.com/inverse-scaling/prize",
    licence="CC BY 4.0",
))
DATASETS.register("science4cast", DatasetSpec(
    name="science4cast",
    description="Science4Cast concept list and a dated corpus of ML paper abstracts",
    folder="science4cast",
    required=("concepts.txt", "corpus"),
    remote_files=(RemoteFile(
        "https://github.com/artificial-scientist-lab/FutureOfAIviaAI/archive/main.zip",
        "future-of-ai.zip", unpack=True),),
    homepage="https://github.com/artificial-scientist-lab/FutureOfAIviaAI",
    licence="MIT (concept list); abstracts belong to their authors",
))
DATASETS.register("mnist", DatasetSpec(
    name="mnist",
    description="MNIST handwritten digits (four IDX files)",
    folder="mnist",
    required=tuple(_MNIST_FILES),
    remote_files=tuple(
        RemoteFile(f"{_MNIST_MIRROR}/{f}", f, sha) for f, sha in _MNIST_FILES.items()
    ),
    homepage="http://yann.lecun.com/exdb/mnist/",
    licence="CC BY-SA 3.0",
))
DATASETS.register("moses", DatasetSpec(
    name="moses",
    description="MOSES benchmark splits of ZINC molecules (train, test, scaffold test)",
    folder="moses",
    required=("train.csv.gz", "test.csv.gz", "test_scaffolds.csv.gz"),
    homepage="https://github.com/molecularsets/moses (installed with the `molsets` wheel)",
    licence="MIT",
    locate=_moses_from_wheel,
))
