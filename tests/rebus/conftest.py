"""A tiny REBUS folder (three puzzles, released answers, raw outputs) made by the tests."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from PIL import Image

DATA_HEADER = ["Filename", "Solution", "Also accept", "Theme", "Difficulty", "Exact spelling?",
               "Specific reference", "Reading?", "Attribution", "Author"]
DATA_ROWS = [
    ["0001.jpg", "LOME", "LOMÉ", "Cities", "Easy", "Yes", "No", "No", "None", "Andrew"],
    ["0002.jpg", "DOLFIN", "", "Marine life", "Medium", "No", "Yes", "No",
     "Photo by X, CC BY-SA", "Lydia"],
    ["0003.jpg", "ANDREW", "", "MBTA stations", "", "Yes", "No", "Yes", "None", "Arjun"],
]
EVAL_HEADER = ["Filename", "Theme", "Difficulty", "Solution", "Model A", "Model B", "Human"]
EVAL_ROWS = [
    ["0001.jpg", "Cities", "Easy", "LOME", "Lomé", "Rome", "Lome"],
    ["0002.jpg", "Marine life", "Medium", "DOLPHIN", "dolphin", "porpoise [COUNT]", "Dolphin"],
    ["0003.jpg", "MBTA stations", "Medium", "ANDREW", "[[NONE]]", "Andrews", "Andrew"],
]
RAW_A = (
    "https://cavendishlabs.org/rebus/images/0001.jpg\nIt shows Lo + me.\n{{{Lomé}}}\n\n\n"
    "https://cavendishlabs.org/rebus/images/0002.jpg\nFirst {{{doll}}} then {{{dolphin}}}\n\n\n"
    "https://cavendishlabs.org/rebus/images/0003.jpg\nI cannot tell.\n\n\n"
    "https://cavendishlabs.org/rebus/images/0003.jpg\nA rerun: {{{Andrew}}}\n"
)


def image_bytes(fmt: str, colour: str = "red") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 6), colour).save(buffer, format=fmt)
    return buffer.getvalue()


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def make_rebus_folder(folder: Path) -> Path:
    """Write a REBUS-shaped folder: 0001 is a PNG saved as .jpg, 0002 a real JPEG, 0003 a PNG."""
    (folder / "images").mkdir(parents=True)
    (folder / "model_outputs").mkdir()
    write_csv(folder / "data.csv", DATA_HEADER, DATA_ROWS)
    write_csv(folder / "eval_results.csv", EVAL_HEADER, EVAL_ROWS)
    (folder / "images" / "0001.jpg").write_bytes(image_bytes("PNG"))
    (folder / "images" / "0002.jpg").write_bytes(image_bytes("JPEG", "blue"))
    (folder / "images" / "0003.jpg").write_bytes(image_bytes("PNG", "green"))
    (folder / "model_outputs" / "model_a_output.txt").write_text(RAW_A)
    return folder


@pytest.fixture
def rebus_folder(tmp_path: Path) -> Path:
    return make_rebus_folder(tmp_path / "rebus")


@pytest.fixture
def rebus_data_dir(rebus_folder: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """REPROLAB_DATA_DIR holding the tiny folder, with raw outputs of a model `regrade` knows."""
    (rebus_folder / "model_outputs" / "gpt4o_output.txt").write_text(RAW_A)
    monkeypatch.setenv("REPROLAB_DATA_DIR", str(rebus_folder.parent))
    return rebus_folder.parent
