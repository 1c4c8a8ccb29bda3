from __future__ import annotations

from pathlib import Path

import datasets
import pytest

from reprolab.core.data import MissingDataError
from reprolab.rebus.data.dataset import (
    RebusDataError,
    load_local,
    load_puzzles,
    puzzles_from_hf_rows,
)
from tests.rebus.conftest import DATA_HEADER, DATA_ROWS, image_bytes


def test_every_field_is_typed(rebus_folder: Path) -> None:
    first, second, third = load_local(rebus_folder)
    assert (first.id, first.solution, first.also_accept, first.theme) == (
        "0001", "LOME", ("LOMÉ",), "Cities")
    assert (first.exact_spelling, first.specific_reference, first.reading) == (True, False, False)
    assert first.attribution is None and first.author == "Andrew"
    assert second.attribution == "Photo by X, CC BY-SA"
    assert third.reading is True


def test_released_spelling_and_difficulty_fill_in(rebus_folder: Path) -> None:
    _, second, third = load_local(rebus_folder)
    assert second.solution_variants == ("DOLPHIN",)
    assert second.accepted == ("DOLFIN", "DOLPHIN")
    assert third.difficulty == "Medium"  # blank in data.csv, Medium in eval_results.csv


def test_images_open_by_content(rebus_folder: Path) -> None:
    first, second, _ = load_local(rebus_folder)
    assert first.mime_type == "image/png"  # a PNG behind a .jpg name
    assert second.mime_type == "image/jpeg"
    assert first.open_image().size == (8, 6)


def test_missing_image_names_the_file(rebus_folder: Path) -> None:
    (rebus_folder / "images" / "0002.jpg").unlink()
    puzzle = load_local(rebus_folder)[1]
    with pytest.raises(RebusDataError, match=r"images/0002\.jpg is missing"):
        puzzle.image_bytes()


def test_unreadable_image_names_the_file(rebus_folder: Path) -> None:
    (rebus_folder / "images" / "0003.jpg").write_bytes(b"not a picture")
    with pytest.raises(RebusDataError, match=r"0003\.jpg is not a readable picture"):
        load_local(rebus_folder)[2].open_image()


def test_missing_folder_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(MissingDataError, match="reprolab data fetch rebus"):
        load_puzzles(folder=tmp_path)


def test_bad_flag_is_reported(rebus_folder: Path) -> None:
    text = (rebus_folder / "data.csv").read_text().replace("Yes,No,No,None,Andrew",
                                                           "Maybe,No,No,None,Andrew")
    (rebus_folder / "data.csv").write_text(text)
    with pytest.raises(RebusDataError, match=r"0001.*Exact spelling.*Maybe"):
        load_local(rebus_folder)


def test_hugging_face_rows_become_puzzles() -> None:
    columns = {name: [row[i] for row in DATA_ROWS[:2]] for i, name in enumerate(DATA_HEADER)}
    columns["image"] = [{"bytes": image_bytes("PNG"), "path": None},
                        {"bytes": image_bytes("JPEG"), "path": None}]
    table = datasets.Dataset.from_dict(columns).cast_column("image", datasets.Image(decode=False))
    puzzles = puzzles_from_hf_rows(table)
    assert [p.id for p in puzzles] == ["0001", "0002"]
    assert [p.mime_type for p in puzzles] == ["image/png", "image/jpeg"]


@pytest.mark.needs_data("rebus")
def test_released_dataset_has_333_puzzles_and_87_png_files() -> None:
    puzzles = load_puzzles()
    assert len(puzzles) == 333
    assert {p.difficulty for p in puzzles} == {"Easy", "Medium", "Hard"}
    assert sum(p.also_accept != () for p in puzzles) == 15
    assert {p.id for p in puzzles if p.solution_variants} == {"0118", "0142", "0249", "0290"}
    png = [p for p in puzzles if p.image_bytes()[:8] == b"\x89PNG\r\n\x1a\n"]
    assert len(png) == 87
