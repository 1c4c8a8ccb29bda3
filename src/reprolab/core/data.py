"""Datasets on disk: where each lives locally, how to check it, how to fetch it.

The data root is `--data-dir`, else `REPROLAB_DATA_DIR`, else `~/.cache/reprolab/data`; dataset
NAME lives in `<root>/<spec.folder>`. A dataset that is not there raises `MissingDataError`, whose
message is one line naming the fetch command and the environment variable.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tarfile
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from reprolab.core.datasets import DATASETS
from reprolab.core.errors import UserError

ENV_VAR = "REPROLAB_DATA_DIR"
DEFAULT_ROOT = Path("~/.cache/reprolab/data")
_root_override: Path | None = None


class MissingDataError(UserError, FileNotFoundError):
    """A dataset (or one of its files) is not on disk; the message says how to get it."""


class ChecksumError(UserError, ValueError):
    """A downloaded or local file does not match its recorded sha256."""




def set_data_root(path: str | Path | None) -> None:
    """Override the data root for this process (the CLI's `--data-dir`)."""
    global _root_override
    _root_override = Path(path).expanduser() if path else None


def data_root() -> Path:
    """The folder holding all datasets."""
    if _root_override is not None:
        return _root_override
    return Path(os.environ.get(ENV_VAR) or DEFAULT_ROOT).expanduser()


def dataset_dir(name: str, *, must_exist: bool = True) -> Path:
    """The local folder of dataset `name`; raise `MissingDataError` if its files are absent."""
    spec = DATASETS[name]
    if spec.locate is not None and (located := spec.locate()) is not None:
        return located
    folder = data_root() / spec.folder
    if must_exist:
        missing = [p for p in spec.required if not (folder / p).exists()]
        if missing:
            raise MissingDataError(
                f"Dataset {name!r} not found in {folder} (missing {missing[0]}): run "
                f"`reprolab data fetch {name}` or set {ENV_VAR} to a folder that holds it."
            )
    return folder


def dataset_file(name: str, relative: str) -> Path:
    """Path of one file of dataset `name`, with a clear error if it is missing."""
    path = dataset_dir(name) / relative
    if not path.exists():
        raise MissingDataError(
            f"{path} is missing from dataset {name!r}: run `reprolab data fetch {name}` "
            f"or set {ENV_VAR} to a folder that holds it."
        )
    return path


def is_available(name: str) -> bool:
    """True if dataset `name` is on disk."""
    try:
        dataset_dir(name)
    except MissingDataError:
        return False
    return True


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    """Hex sha256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True)
class VerifyReport:
    """Outcome of checking a dataset folder against its manifest."""

    name: str
    folder: Path
    ok: tuple[str, ...]
    missing: tuple[str, ...]
    mismatched: tuple[str, ...]
    optional_absent: tuple[str, ...] = ()

    @property
    def passed(self) -> bool:
        return not self.missing and not self.mismatched


def verify(name: str) -> VerifyReport:
    """Check every manifest file of dataset `name` by sha256."""
    spec = DATASETS[name]
    folder = dataset_dir(name)
    ok, missing, bad, absent = [], [], [], []
    for relative, digest in sorted(spec.manifest().items()):
        path = folder / relative
        if not path.exists():
            (absent if relative in spec.optional else missing).append(relative)
        elif sha256_file(path) != digest:
            bad.append(relative)
        else:
            ok.append(relative)
    return VerifyReport(name, folder, tuple(ok), tuple(missing), tuple(bad), tuple(absent))


def _download(url: str, target: Path) -> None:
    import httpx

    from reprolab.core.progress import make_progress

    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    with httpx.stream("GET", url, follow_redirects=True, timeout=60) as response:
        response.raise_for_status()
        total = int(response.headers.get("content-length", 0)) or None
        with make_progress() as progress, partial.open("wb") as handle:
            task = progress.add_task(f"download {target.name}", total=total)
            for block in response.iter_bytes():
                handle.write(block)
                progress.advance(task, len(block))
    partial.replace(target)


def _unpack(archive: Path, folder: Path) -> None:
    with tempfile.TemporaryDirectory(dir=folder) as scratch:
        if zipfile.is_zipfile(archive):
            with zipfile.ZipFile(archive) as zf:
                zf.extractall(scratch)
        else:
            with tarfile.open(archive) as tf:
                tf.extractall(scratch, filter="data")
        entries = list(Path(scratch).iterdir())
        top = entries[0] if len(entries) == 1 and entries[0].is_dir() else Path(scratch)
        for item in top.iterdir():
            destination = folder / item.name
            if destination.exists():
                shutil.rmtree(destination) if destination.is_dir() else destination.unlink()
            shutil.move(str(item), destination)
    archive.unlink()


def fetch(name: str, *, force: bool = False) -> Path:
    """Download dataset `name` from its official source into the data root."""
    spec = DATASETS[name]
    if not force and is_available(name):
        return dataset_dir(name)
    folder = data_root() / spec.folder
    folder.mkdir(parents=True, exist_ok=True)
    if spec.remote_files:
        for remote in spec.remote_files:
            target = folder / remote.path
            _download(remote.url, target)
            if remote.sha256 and (got := sha256_file(target)) != remote.sha256:
                target.unlink()
                raise ChecksumError(f"{remote.url}: sha256 {got} != expected {remote.sha256}")
            if remote.unpack:
                _unpack(target, folder)
    elif spec.hf_dataset:
        from huggingface_hub import snapshot_download

        snapshot_download(spec.hf_dataset, repo_type="dataset", local_dir=folder)
    else:
        raise MissingDataError(f"Dataset {name!r} has no download source; see {spec.homepage}.")
    return dataset_dir(name)
