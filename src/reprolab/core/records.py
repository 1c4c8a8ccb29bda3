"""Run records: one folder per run with its settings, results, per-item files and figures.

Layout (`runs/<study>/<UTC time>-<name>/` unless `--out` is given)::

    config.json    settings, seed, package versions, git commit, command line
    results.json   the run's headline numbers
    *.csv/*.jsonl  per-item records
    *.png          figures
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import platform
import subprocess
import sys
from collections.abc import Iterable, Mapping
from importlib import metadata
from pathlib import Path
from typing import Any

RECORD_VERSION = 1
TRACKED_PACKAGES = (
    "reprolab", "torch", "transformers", "trl", "peft", "accelerate", "datasets", "numpy",
    "scikit-learn", "rdkit", "torch-geometric", "lm-eval", "openai", "anthropic", "google-genai",
)


def package_versions(names: Iterable[str] = TRACKED_PACKAGES) -> dict[str, str]:
    """Installed versions of the packages that can change a result."""
    versions = {}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return versions


def git_commit(cwd: Path | None = None) -> str | None:
    """The current git commit (with `-dirty` when the tree has changes), or None outside git."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=cwd, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=cwd, capture_output=True, text=True, check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    return commit + ("-dirty" if dirty else "")


def to_jsonable(value: Any) -> Any:
    """Dataclasses, paths, numpy scalars and arrays -> plain JSON values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [to_jsonable(v) for v in value]
    if isinstance(value, Path):
        return str(value)
    if hasattr(value, "tolist"):  # numpy / torch
        return value.tolist()
    if isinstance(value, float | int | str | bool) or value is None:
        return value
    return repr(value)


def write_json(path: Path, payload: Any) -> Path:
    """Write JSON atomically (temporary file then rename), so a crash never leaves half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".part")
    partial.write_text(json.dumps(to_jsonable(payload), indent=2, allow_nan=True) + "\n")
    partial.replace(path)
    return path


class RunRecord:
    """The folder of one run. Create with `RunRecord.create(study, name, config, seed)`."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    @classmethod
    def create(
        cls,
        study: str,
        name: str,
        config: Any,
        *,
        seed: int | None = None,
        out: Path | None = None,
        root: Path = Path("runs"),
    ) -> RunRecord:
        """Make the run folder and write `config.json` at once."""
        if out is None:
            stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
            out = root / study / f"{stamp}-{name}"
        out.mkdir(parents=True, exist_ok=True)
        record = cls(out)
        write_json(out / "config.json", {
            "record_version": RECORD_VERSION,
            "study": study,
            "name": name,
            "config": config,
            "seed": seed,
            "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "versions": package_versions(),
            "python": sys.version.split()[0],
            "platform": platform.platform(),
            "git_commit": git_commit(),
            "argv": sys.argv,
        })
        return record

    def path(self, name: str) -> Path:
        return self.folder / name

    def write_results(self, results: Any) -> Path:
        """Write `results.json` (headline numbers)."""
        return write_json(self.path("results.json"), results)

    def write_jsonl(self, name: str, rows: Iterable[Any]) -> Path:
        """Write per-item rows as JSON lines."""
        path = self.path(name)
        with path.open("w") as handle:
            for row in rows:
                handle.write(json.dumps(to_jsonable(row)) + "\n")
        return path

    def write_table(self, name: str, frame: Any) -> Path:
        """Write a pandas DataFrame as CSV."""
        path = self.path(name)
        frame.to_csv(path, index=False)
        return path

    def save_figure(self, name: str, figure: Any) -> Path:
        """Save a matplotlib figure as PNG and close it."""
        import matplotlib.pyplot as plt

        path = self.path(name if name.endswith(".png") else f"{name}.png")
        figure.savefig(path, dpi=120, bbox_inches="tight")
        plt.close(figure)
        return path
