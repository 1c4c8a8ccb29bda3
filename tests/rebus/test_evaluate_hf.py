"""`reprolab rebus eval` on a local transformers vision-language model (tiny, random weights)."""

from __future__ import annotations

from pathlib import Path

import pytest

from reprolab.rebus.config import EvalConfig
from reprolab.rebus.data.dataset import load_local
from reprolab.rebus.evaluate import run_eval
from tests.helpers.tiny_vlm import build_tiny_llava


@pytest.fixture(scope="module")
def tiny_vlm(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("tiny-llava")
    build_tiny_llava(folder)
    return folder


def test_local_vlm_answers_every_puzzle_greedily(tiny_vlm: Path, rebus_folder: Path,
                                                 tmp_path: Path) -> None:
    puzzles = load_local(rebus_folder)
    config = EvalConfig(model=f"hf/{tiny_vlm}", max_tokens=6, device="cpu", concurrency=2,
                        cache=tmp_path / "cache.sqlite")
    first = run_eval(config, puzzles)
    assert len(first) == 3 and first["error"].isna().all()
    assert all(isinstance(text, str) for text in first["response"])
    assert (first["output_tokens"] <= 6).all()
    assert not first["correct"].any()  # random weights cannot solve a rebus
    again = run_eval(config, puzzles)
    assert again["cached"].all()
    fresh = run_eval(EvalConfig(model=f"hf/{tiny_vlm}", max_tokens=6, device="cpu",
                                cache=tmp_path / "other.sqlite"), puzzles)
    assert fresh["response"].tolist() == first["response"].tolist()  # greedy: same text
