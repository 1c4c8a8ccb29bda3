"""The `hf/` backend on a tiny random-weight LLaVA built offline (word-level tokenizer, CLIP
image processor, 1-layer CLIP vision tower and 1-layer Llama)."""

from __future__ import annotations

import io
import time
from pathlib import Path

import pytest
from PIL import Image

from reprolab.lm.backends import open_backend
from reprolab.lm.requests import ChatMessage, ImagePart
from reprolab.lm.zoo import ModelLoadError
from tests.helpers.tiny_vlm import build_tiny_llava


def png(color: tuple[int, int, int], size: tuple[int, int] = (20, 24)) -> ImagePart:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="PNG")
    return ImagePart(buffer.getvalue(), "image/png")


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("tiny-llava")
    build_tiny_llava(folder)
    return folder


DEVICES = ["cpu", pytest.param("cuda", marks=pytest.mark.gpu)]


def open_tiny(model_dir: Path, tmp_path: Path, **options):
    options = {"device": "cpu", **options}
    return open_backend(f"hf/{model_dir}", cache_path=tmp_path / "cache.sqlite", **options)


def test_image_request_matches_direct_generation(model_dir, tmp_path):
    from transformers import AutoModelForImageTextToText, AutoProcessor

    backend = open_tiny(model_dir, tmp_path)
    image = png((255, 0, 0))
    [response] = backend.complete(
        [backend.request([ChatMessage.user(image, "what is in this picture")], max_tokens=6)]
    )

    processor = AutoProcessor.from_pretrained(model_dir)
    model = AutoModelForImageTextToText.from_pretrained(model_dir).eval()
    conversation = [{"role": "user", "content": [
        {"type": "image", "image": Image.open(io.BytesIO(image.data)).convert("RGB")},
        {"type": "text", "text": "what is in this picture"}]}]
    inputs = processor.apply_chat_template(conversation, add_generation_prompt=True,
                                           tokenize=True, return_dict=True, return_tensors="pt")
    assert (inputs["input_ids"] == 4).sum() == 4, "the image should become 4 image tokens"
    output = model.generate(**inputs, max_new_tokens=6, do_sample=False, pad_token_id=0)
    new = output[0, inputs["input_ids"].shape[1]:]
    assert response.text == processor.decode(new, skip_special_tokens=True)
    assert response.ok and response.model == str(model_dir)
    assert response.input_tokens == inputs["input_ids"].shape[1]
    stopped = 2 in new.tolist()
    assert response.finish_reason == ("stop" if stopped else "length")
    assert response.output_tokens == (new.tolist().index(2) + 1 if stopped else 6)


@pytest.mark.parametrize("device", DEVICES)
def test_same_seed_same_text(model_dir, tmp_path, device):
    backend = open_tiny(model_dir, tmp_path, use_cache=False, device=device)
    messages = [ChatMessage.user(png((0, 0, 255)), "describe the image")]
    texts = [backend.complete([backend.request(messages, max_tokens=12, temperature=1.0,
                                               seed=seed)])[0].text
             for seed in (3, 3, 4)]
    assert texts[0] == texts[1]
    assert texts[0] != texts[2], "another seed should sample another text"


@pytest.mark.parametrize("device", DEVICES)
def test_batched_greedy_equals_one_at_a_time(model_dir, tmp_path, device):
    prompts = [(png((255, 0, 0)), "a cat"), (png((0, 255, 0), (40, 16)), "what is this picture"),
               (png((9, 9, 9)), "red")]
    batched = open_tiny(model_dir, tmp_path, use_cache=False, concurrency=3, device=device)
    alone = open_tiny(model_dir, tmp_path, use_cache=False, concurrency=1, device=device)
    requests = [batched.request([ChatMessage.user(*p)], max_tokens=5) for p in prompts]
    assert [r.text for r in batched.complete(requests)] == [
        r.text for r in alone.complete(requests)]


def test_unreadable_image_fails_alone_and_answers_are_cached(model_dir, tmp_path):
    backend = open_tiny(model_dir, tmp_path)
    broken = ImagePart(b"not a png", "image/png")
    requests = [backend.request([ChatMessage.user(broken, "a cat")], max_tokens=3),
                backend.request([ChatMessage.user(png((1, 2, 3)), "a cat")], max_tokens=3)]
    first = backend.complete(requests)
    assert first[0].error == (f"ValueError: cannot read image sha256 {broken.sha256[:12]} "
                              "(image/png, 9 bytes): UnidentifiedImageError")
    assert first[1].ok and not first[1].cached
    again = backend.complete(requests)
    assert again[0].error == first[0].error, "failures are not cached: tried again"
    assert again[1].cached and again[1].text == first[1].text


def test_a_packaged_text_model_is_named_as_no_vision_model(tmp_path, monkeypatch):
    from transformers import LlamaConfig

    LlamaConfig(vocab_size=8, hidden_size=8, num_hidden_layers=1,
                num_attention_heads=1).save_pretrained(tmp_path / "prepared")
    monkeypatch.setattr("reprolab.lm.zoo.prepare_model", lambda name: tmp_path / "prepared")
    with pytest.raises(ModelLoadError, match=r"hf/smollm2-135m is not a vision-language model"):
        open_tiny("smollm2-135m", tmp_path)


def test_offline_a_hub_model_not_in_the_cache_fails_at_once_naming_it(tmp_path, monkeypatch):
    monkeypatch.setenv("REPROLAB_OFFLINE", "1")
    started = time.monotonic()
    with pytest.raises(ModelLoadError, match=r"hf/nobody/no-such-vlm: it is not in the local"):
        open_tiny("nobody/no-such-vlm", tmp_path)
    assert time.monotonic() - started < 10, "no Hub retries offline"
