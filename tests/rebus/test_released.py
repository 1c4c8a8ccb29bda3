from __future__ import annotations

from pathlib import Path

import pytest

from reprolab.core.data import MissingDataError, dataset_dir
from reprolab.rebus.data.released import (
    OUTPUT_FILES,
    load_raw_outputs,
    load_released,
    parse_model_outputs,
)
from tests.rebus.conftest import RAW_A


def test_cells_keep_tags_and_none(rebus_folder: Path) -> None:
    released = load_released(rebus_folder)
    assert released.models == ("Model A", "Model B", "Human")
    tagged = released.answers["Model B"]["0002"]
    assert (tagged.answer, tagged.hand_tagged) == ("porpoise", True)
    assert released.answers["Model A"]["0003"].answer is None  # [[NONE]]
    assert released.solutions["0002"] == "DOLPHIN"


def test_raw_outputs_split_into_first_and_reruns() -> None:
    raw = parse_model_outputs(RAW_A, "Model A")
    assert raw.first["0001"].endswith("{{{Lomé}}}")
    assert raw.first["0003"] == "I cannot tell."
    assert raw.reruns == {"0003": ("A rerun: {{{Andrew}}}",)}


def test_missing_results_are_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(MissingDataError, match=r"eval_results\.csv not found"):
        load_released(tmp_path)
    with pytest.raises(MissingDataError, match="No model outputs"):
        load_raw_outputs(tmp_path)


@pytest.mark.needs_data("rebus")
def test_released_files_cover_16_models_and_the_human() -> None:
    folder = dataset_dir("rebus")
    released = load_released(folder)
    assert len(released.puzzle_ids) == 333
    assert set(OUTPUT_FILES) | {"Gemini Ultra 1.0", "Human"} == set(released.models)
    raw = load_raw_outputs(folder)
    assert len(raw) == 16
    assert all(len(r.first) == 333 for r in raw.values())
    assert len(raw["LLaVa-1.5-7B"].reruns) == 19  # 371 blocks: 19 puzzles run three times
    tags = sum(a.hand_tagged for m in released.models for a in released.answers[m].values())
    assert tags == 8
