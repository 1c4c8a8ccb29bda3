"""Run records: one folder per run with its settings, results, per-item files and figures.

Layout (`runs/<study>/<UTC time>-<name>/` unless `--out` is given)::

    config.json    settings, seed, package versions, git commit, command line
    status.json    running | complete | stopped (with the reason) | interrupted |
                   failed (with the error)
    results.json   the run's headline numbers
    *.csv/*.jsonl  per-item records
    *.png          figures
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import platform
import re
import subprocess
import sys
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path
from typing import Any

from reprolab.core.errors import UserError

RECORD_VERSION = 1
STATUS_FILE = "status.json"
TRACKED_PACKAGES = (
    "reprolab", "torch", "transformers", "trl", "peft", "accelerate", "datasets", "numpy",
    "scipy", "scikit-learn", "lightgbm", "xgboost-cpu", "xgboost", "networkx", "pyahocorasick",
    "rdkit", "fcd-torch", "torch-geometric", "torchvision", "lm-eval", "openai", "anthropic",
    "google-genai",
)


_URL_CREDENTIALS = re.compile(r"(?<=://)[^/@\s]+@")


def without_credentials(text: str) -> str:
    """`text` with the `user:password@` part of every URL in it removed."""
    return _URL_CREDENTIALS.sub("", text)


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
    """Dataclasses, paths, pandas tables (lists of rows), numpy scalars and arrays -> plain JSON
    values."""
    if hasattr(value, "to_dict") and hasattr(value, "columns"):  # a pandas DataFrame
        return to_jsonable(value.to_dict(orient="records"))
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


def write_jsonl(path: Path, rows: Iterable[Any]) -> Path:
    """Write rows as JSON lines atomically, as `write_json`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".part")
    with partial.open("w") as handle:
        handle.writelines(json.dumps(to_jsonable(row)) + "\n" for row in rows)
    partial.replace(path)
    return path


def append_jsonl(path: Path, rows: Iterable[Any]) -> None:
    """Append rows as JSON lines, flushed to disk, for files that grow as a run goes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        handle.writelines(json.dumps(to_jsonable(row)) + "\n" for row in rows)
        handle.flush()
        os.fsync(handle.fileno())


def read_jsonl(path: Path) -> list[Any]:
    """The rows of a JSON-lines file that `append_jsonl` grows (none if it is absent). A torn
    last line, left by a crash mid-write, is dropped; a broken earlier line is a `UserError`
    naming it."""
    if not path.is_file():
        return []
    lines = path.read_text().splitlines()
    rows = []
    for number, line in enumerate(lines, start=1):
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError:
            if number == len(lines):
                break
            raise UserError(f"{path}:{number} is not a JSON line: delete the file or the run "
                            "folder to start again.") from None
    return rows


_ABSENT = object()


def _defaults(config: Any) -> Any:
    """The JSON form of each defaulted field of a settings dataclass (nested ones too)."""
    if not dataclasses.is_dataclass(config):
        return {}
    defaults = {}
    for field in dataclasses.fields(config):
        value = getattr(config, field.name)
        if dataclasses.is_dataclass(value):
            defaults[field.name] = _defaults(value)
        elif field.default is not dataclasses.MISSING:
            defaults[field.name] = to_jsonable(field.default)
        elif field.default_factory is not dataclasses.MISSING:
            defaults[field.name] = to_jsonable(field.default_factory())
    return defaults


def _differences(saved: Any, wanted: Any, defaults: Any = None, prefix: str = "") -> list[str]:
    """Dotted names of the settings that differ between two JSON values; a setting absent from
    `saved` (a field added since) counts as its default from `defaults`."""
    if isinstance(saved, dict) and isinstance(wanted, dict):
        defaults = defaults if isinstance(defaults, dict) else {}
        names = []
        for key in sorted(set(saved) | set(wanted)):
            before = saved.get(key, _ABSENT)
            if before is _ABSENT and key in defaults and not isinstance(defaults[key], dict):
                before = defaults[key]
            names += _differences(None if before is _ABSENT else before, wanted.get(key),
                                  defaults.get(key), f"{prefix}{key}.")
        return names
    return [] if saved == wanted else [prefix.rstrip(".") or "settings"]


def _usable_folder(out: Path) -> None:
    """Make `out` (a folder) or raise a `UserError` saying why it cannot be a run folder."""
    if out.exists() and not out.is_dir():
        raise UserError(f"--out {out} is a file: give a folder for the run.")
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / ".write-test"
        probe.touch()
        probe.unlink()
    except OSError as error:
        raise UserError(f"Cannot write the run folder {out}: {error.strerror or error}.") from None


class RunRecord:
    """The folder of one run. Create with `RunRecord.create(study, name, config, seed)`.

    `resumed` is True when the folder already held a run with the same settings (its per-item
    files may be reused); a folder holding other settings is refused, never mixed.
    """

    def __init__(self, folder: Path, *, resumed: bool = False) -> None:
        self.folder = folder
        self.resumed = resumed
        self._stopped: str | None = None

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
        """Make the run folder and write `config.json` at once, or resume the run in `out` if
        it was made with the same study, settings and seed. Raises `UserError` for an `out` that
        is a file, cannot be written, holds a run with other settings, or holds other files."""
        if out is None:
            stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
            out = root / study / f"{stamp}-{name}"
        settings = {"study": study, "name": name, "config": to_jsonable(config), "seed": seed}
        saved_path = out / "config.json"
        if saved_path.is_file():
            try:
                saved = json.loads(saved_path.read_text())
            except (OSError, json.JSONDecodeError) as error:
                raise UserError(f"{saved_path} cannot be read ({error}): choose another --out."
                                ) from None
            differ = _differences({k: saved.get(k) for k in settings}, settings,
                                  {"config": _defaults(config)})
            if differ:
                raise UserError(
                    f"{out} holds a run with other settings (differs in: {', '.join(differ)}): "
                    "rerun with the same settings to resume it, or choose another --out.")
            _usable_folder(out)
            return cls(out, resumed=True)
        if out.is_dir() and any(p.name != STATUS_FILE for p in out.iterdir()):
            raise UserError(f"{out} is not empty and holds no run record: choose a new folder.")
        _usable_folder(out)
        write_json(saved_path, {
            "record_version": RECORD_VERSION,
            **settings,
            "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "versions": package_versions(),
            "python": sys.version.split()[0],
            "platform": platform.platform(),
            "git_commit": git_commit(),
            "argv": [without_credentials(arg) for arg in sys.argv],
        })
        return cls(out)

    @contextmanager
    def running(self) -> Iterator[RunRecord]:
        """Mark the run's state in `status.json`: running, then complete, stopped (see `stop`),
        interrupted (Ctrl-C) or failed (with the error), so a folder never looks finished when it
        is not."""
        self._stopped = None
        write_json(self.path(STATUS_FILE), {"status": "running"})
        try:
            yield self
        except KeyboardInterrupt:
            write_json(self.path(STATUS_FILE), {"status": "interrupted"})
            raise
        except BaseException as error:
            write_json(self.path(STATUS_FILE), {"status": "failed",
                                                "error": f"{type(error).__name__}: {error}"})
            raise
        write_json(self.path(STATUS_FILE), {"status": "complete"} if self._stopped is None
                   else {"status": "stopped", "reason": self._stopped})

    def stop(self, reason: str) -> None:
        """Record that the run ends unfinished by design (a time budget, say): rerunning the same
        command resumes it. The status turns `stopped` when the `running` block ends."""
        self._stopped = reason

    @property
    def status(self) -> str | None:
        """`running`, `complete`, `stopped`, `interrupted`, `failed`, or None for a record
        without one."""
        path = self.path(STATUS_FILE)
        try:
            return json.loads(path.read_text())["status"]
        except (OSError, json.JSONDecodeError, KeyError):
            return None

    def path(self, name: str) -> Path:
        return self.folder / name

    def write_results(self, results: Any) -> Path:
        """Write `results.json` (headline numbers)."""
        return write_json(self.path("results.json"), results)

    def write_jsonl(self, name: str, rows: Iterable[Any]) -> Path:
        """Write per-item rows as JSON lines (atomically, as `write_json`)."""
        return write_jsonl(self.path(name), rows)

    def write_table(self, name: str, frame: Any) -> Path:
        """Write a pandas DataFrame as CSV (atomically, as `write_json`)."""
        path = self.path(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".part")
        frame.to_csv(partial, index=False)
        partial.replace(path)
        return path

    def save_figure(self, name: str, figure: Any) -> Path:
        """Save a matplotlib `Figure` as PNG."""
        from reprolab.core.figures import save_png

        path = self.path(name if name.endswith(".png") else f"{name}.png")
        save_png(figure, path)
        return path
