"""The 333 REBUS puzzles: a typed loader for every metadata field and the images.

Sources (`load_puzzles(source=...)`):

* `local` — a folder laid out like the GitHub repository (`data.csv`, `images/NNNN.jpg`); by
  default the registered dataset folder (`reprolab.core.data.dataset_dir("rebus")`).
* `github` — `reprolab data fetch rebus` (the repository archive), then as `local`.
* `hf` — the Hugging Face dataset `cavendishlabs/rebus` (one `train` split, images inline).

Images are opened by content, never by extension: 87 of the `.jpg` files hold PNG data.
When `eval_results.csv` sits beside `data.csv`, its solution spelling is kept as an accepted
variant where the two files differ (0118, 0142, 0249, 0290) and it fills the one blank
difficulty (0313 is Medium there).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, get_args

from PIL import Image, UnidentifiedImageError

import reprolab.core.datasets  # noqa: F401  (registers the `rebus` dataset)
from reprolab.core.data import MissingDataError, dataset_dir, fetch
from reprolab.core.errors import UserError

HF_DATASET = "cavendishlabs/rebus"
DIFFICULTIES: tuple[str, ...] = ("Easy", "Medium", "Hard")
Source = Literal["local", "github", "hf"]
SOURCES: tuple[str, ...] = get_args(Source)
DATA_COLUMNS = ("Filename", "Solution", "Also accept", "Theme", "Difficulty", "Exact spelling?",
                "Specific reference", "Reading?", "Attribution", "Author")


class RebusDataError(UserError, ValueError):
    """A puzzle file is missing, unreadable or malformed; the message names the file."""


@dataclass(frozen=True)
class Puzzle:
    """One rebus and its metadata (the columns of `data.csv`).

    `solution_variants` holds other spellings of the solution found in the released results;
    `also_accept` the answers the authors list as also correct. The image is either a file
    (`image_path`) or inline bytes (`image_data`, from the Hugging Face copy).
    """

    id: str
    solution: str
    theme: str
    difficulty: str | None
    exact_spelling: bool
    specific_reference: bool
    reading: bool
    author: str
    also_accept: tuple[str, ...] = ()
    attribution: str | None = None
    solution_variants: tuple[str, ...] = ()
    image_path: Path | None = None
    image_data: bytes | None = field(default=None, repr=False, compare=False)

    @property
    def accepted(self) -> tuple[str, ...]:
        """Every answer that counts as correct: solution, its variants, then also-accept."""
        return (self.solution, *self.solution_variants, *self.also_accept)

    def image_bytes(self) -> bytes:
        """The image file's bytes; `RebusDataError` naming the file if it cannot be read."""
        if self.image_data is not None:
            return self.image_data
        if self.image_path is None:
            raise RebusDataError(f"Puzzle {self.id} has no image.")
        try:
            return self.image_path.read_bytes()
        except OSError as error:
            raise RebusDataError(
                f"Image {self.image_path} is missing or unreadable ({error.strerror}): run "
                "`reprolab data verify rebus` and fetch the dataset again."
            ) from None

    def open_image(self) -> Image.Image:
        """The decoded image (format detected from the bytes, not the file name)."""
        data = self.image_bytes()
        try:
            image = Image.open(io.BytesIO(data))
            image.load()
        except (UnidentifiedImageError, OSError) as error:
            where = self.image_path or f"puzzle {self.id}"
            raise RebusDataError(
                f"Image {where} is not a readable picture ({error}): run "
                "`reprolab data verify rebus` and fetch the dataset again."
            ) from None
        return image

    @property
    def mime_type(self) -> str:
        """`image/png` or `image/jpeg`, from the image content."""
        image = self.open_image()
        return Image.MIME[image.format or "PNG"]


def _flag(value: str, column: str, puzzle: str) -> bool:
    if value.strip() in ("Yes", "No"):
        return value.strip() == "Yes"
    raise RebusDataError(f"Puzzle {puzzle}: column {column!r} is {value!r}, expected Yes or No.")


def _split_accept(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(",") if part.strip())


def puzzle_from_row(
    row: Mapping[str, Any], *, image_path: Path | None = None, image_data: bytes | None = None,
    variants: tuple[str, ...] = (), difficulty: str | None = None,
) -> Puzzle:
    """Build a `Puzzle` from one `data.csv` row (or the same fields from Hugging Face)."""
    missing = [c for c in DATA_COLUMNS if c not in row]
    if missing:
        raise RebusDataError(f"Puzzle row lacks columns {missing}; is this REBUS data.csv?")
    pid = Path(str(row["Filename"])).stem
    given = (row["Difficulty"] or "").strip() or difficulty
    if given is not None and given not in DIFFICULTIES:
        raise RebusDataError(f"Puzzle {pid}: difficulty {given!r} is not one of {DIFFICULTIES}.")
    attribution = (row["Attribution"] or "").strip()
    solution = str(row["Solution"]).strip()
    return Puzzle(
        id=pid,
        solution=solution,
        theme=str(row["Theme"]).strip(),
        difficulty=given,
        exact_spelling=_flag(row["Exact spelling?"], "Exact spelling?", pid),
        specific_reference=_flag(row["Specific reference"], "Specific reference", pid),
        reading=_flag(row["Reading?"], "Reading?", pid),
        author=str(row["Author"]).strip(),
        also_accept=_split_accept(row["Also accept"] or ""),
        attribution=None if attribution in ("", "None") else attribution,
        solution_variants=tuple(v for v in variants if v and v != solution),
        image_path=image_path,
        image_data=image_data,
    )


def read_csv_rows(path: Path) -> list[dict[str, str]]:
    """Rows of a CSV file as dicts of strings (empty cells stay empty strings)."""
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            return list(csv.DictReader(handle))
    except OSError as error:
        raise MissingDataError(f"{path} cannot be read ({error.strerror}).") from None


def _released_fields(folder: Path) -> dict[str, tuple[str, str]]:
    """`{puzzle id: (solution, difficulty)}` from `eval_results.csv`, if present."""
    path = folder / "eval_results.csv"
    if not path.exists():
        return {}
    return {Path(r["Filename"]).stem: (r["Solution"].strip(), r["Difficulty"].strip())
            for r in read_csv_rows(path)}


def load_local(folder: Path) -> list[Puzzle]:
    """Puzzles from a folder holding `data.csv` and `images/` (image files are not read yet)."""
    data = folder / "data.csv"
    if not data.exists():
        raise MissingDataError(
            f"{data} not found: run `reprolab data fetch rebus` or point --data-dir at a "
            "folder that holds the REBUS repository."
        )
    released = _released_fields(folder)
    puzzles = []
    for row in read_csv_rows(data):
        pid = Path(row.get("Filename", "")).stem
        solution, difficulty = released.get(pid, ("", ""))
        puzzles.append(puzzle_from_row(
            row, image_path=folder / "images" / f"{pid}.jpg", variants=(solution,),
            difficulty=difficulty or None,
        ))
    return puzzles


def puzzles_from_hf_rows(rows: Iterable[Mapping[str, Any]]) -> list[Puzzle]:
    """Puzzles from Hugging Face rows whose `image` column is undecoded (`{"bytes": ...}`)."""
    puzzles = []
    for row in rows:
        image = row.get("image") or {}
        data = image.get("bytes") if isinstance(image, Mapping) else None
        if not data:
            raise RebusDataError(f"Hugging Face row {row.get('Filename')!r} has no image bytes.")
        puzzles.append(puzzle_from_row(row, image_data=data))
    return puzzles


def load_hf(name: str = HF_DATASET) -> list[Puzzle]:
    """Download (or read the HF cache of) `cavendishlabs/rebus` and return its puzzles."""
    import datasets

    table = datasets.load_dataset(name, split="train")
    table = table.cast_column("image", datasets.Image(decode=False))
    return puzzles_from_hf_rows(table)


def load_puzzles(source: Source = "local", folder: Path | None = None) -> list[Puzzle]:
    """All puzzles from `source`, sorted by id. See the module docstring for the sources."""
    if source == "hf":
        puzzles = load_hf()
    elif source == "github":
        puzzles = load_local(folder or fetch("rebus"))
    elif source == "local":
        puzzles = load_local(folder or dataset_dir("rebus"))
    else:
        raise UserError(f"Unknown source {source!r}: use {', '.join(SOURCES)}.")
    return sorted(puzzles, key=lambda p: p.id)

