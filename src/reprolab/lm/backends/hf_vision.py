"""A local transformers vision-language model as a chat backend (`hf/PATH_OR_ID`).

The model is a folder, a Hugging Face id, or a packaged model name (`reprolab.lm.zoo`); offline
(`reprolab.core.network.offline`) a Hub id is read from the local cache only, so a missing model
fails in seconds, naming it. Loads `AutoProcessor` + `AutoModelForImageTextToText` and formats
each request with the processor's chat template (images passed as PIL images). Greedy requests
(temperature 0) with the same `max_tokens` are generated together in left-padded batches of
`options.concurrency`; sampled requests run one at a time after
`torch.manual_seed(request.seed or 0)`, so a request's text depends only on itself and its seed.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import torch
from PIL import Image

from reprolab.core.device import choose_device
from reprolab.core.network import offline
from reprolab.lm.backends.base import BackendOptions, ChatBackend
from reprolab.lm.requests import ChatMessage, ChatRequest, ChatResponse, ImagePart
from reprolab.lm.zoo import ModelLoadError, resolve_model


def decode_image(image: ImagePart) -> Image.Image:
    """The image as PIL RGB; raises ValueError naming the image when PIL cannot read it."""
    try:
        return Image.open(io.BytesIO(image.data)).convert("RGB")
    except OSError as exc:
        raise ValueError(
            f"cannot read image sha256 {image.sha256[:12]} ({image.mime_type}, "
            f"{len(image.data)} bytes): {type(exc).__name__}"
        ) from None


def to_hf_message(message: ChatMessage) -> dict[str, Any]:
    """A chat-template message whose content lists `text` and `image` (PIL RGB) items."""
    content = [
        {"type": "text", "text": part}
        if isinstance(part, str)
        else {"type": "image", "image": decode_image(part)}
        for part in message.parts
    ]
    return {"role": message.role, "content": content}


class HFVisionBackend(ChatBackend):
    """Answers chat requests with a local image-text-to-text model; runs no network calls."""

    def __init__(self, path: str, options: BackendOptions) -> None:
        super().__init__("hf", path, options)
        self.device = choose_device(options.device)
        self.processor, self.hf_model = load_vision_model(path)
        self.processor.tokenizer.padding_side = "left"  # generation continues on the right
        self.hf_model.to(self.device).eval()

    def _answer(self, requests: list[ChatRequest]) -> Iterator[tuple[int, ChatResponse]]:
        conversations: dict[int, list[dict[str, Any]]] = {}
        for position, request in enumerate(requests):
            if request.extra:
                yield position, _error(ValueError(f"{self.name} takes no extra fields"))
                continue
            try:
                conversations[position] = [to_hf_message(m) for m in request.messages]
            except ValueError as exc:  # an image PIL cannot read
                yield position, _error(exc)
        for batch in self._batches(requests, list(conversations)):
            responses = self._generate(requests[batch[0]], [conversations[p] for p in batch])
            for position, response in zip(batch, responses, strict=True):
                self._remember(requests[position], response)
                yield position, response

    def _batches(self, requests: list[ChatRequest], positions: list[int]) -> list[list[int]]:
        """Greedy requests grouped by `max_tokens` in chunks of `concurrency`; sampled alone."""
        size = self.options.concurrency
        greedy: dict[int, list[int]] = {}
        batches = []
        for position in positions:
            request = requests[position]
            if request.temperature == 0:
                greedy.setdefault(request.max_tokens, []).append(position)
            else:
                batches.append([position])
        for group in greedy.values():
            batches.extend(group[i : i + size] for i in range(0, len(group), size))
        return batches

    @torch.inference_mode()
    def _generate(
        self, settings: ChatRequest, conversations: list[list[dict[str, Any]]]
    ) -> list[ChatResponse]:
        """Generate for a batch sharing `settings`' sampling parameters."""
        inputs = self.processor.apply_chat_template(
            conversations,
            add_generation_prompt=True,
            tokenize=True,
            return_dict=True,
            return_tensors="pt",
            processor_kwargs={"padding": True},
        ).to(self.device, dtype=self.hf_model.dtype)
        sampling: dict[str, Any] = {"do_sample": settings.temperature > 0}
        if settings.temperature > 0:
            torch.manual_seed(settings.seed or 0)
            sampling.update(temperature=settings.temperature, top_p=settings.top_p)
        tokenizer = self.processor.tokenizer
        output = self.hf_model.generate(
            **inputs,
            max_new_tokens=settings.max_tokens,
            pad_token_id=tokenizer.pad_token_id,
            **sampling,
        )
        prompt_length = inputs["input_ids"].shape[1]
        new_tokens = output[:, prompt_length:]  # (batch, generated)
        stops = _stop_ids(self.hf_model.generation_config.eos_token_id)
        return [
            _response(self.model, tokenizer.decode(row, skip_special_tokens=True), row, stops,
                      int(mask.sum()))
            for row, mask in zip(new_tokens.tolist(), inputs["attention_mask"], strict=True)
        ]


def load_vision_model(name: str) -> tuple[Any, Any]:
    """`(processor, model)` for `name` (folder, Hub id or packaged name). Raises
    `ModelLoadError` naming the model when it cannot be found (offline: when it is not in the
    local cache) or is not an image-text-to-text model."""
    from transformers import AutoConfig, AutoModelForImageTextToText, AutoProcessor
    from transformers.models.auto.modeling_auto import MODEL_FOR_IMAGE_TEXT_TO_TEXT_MAPPING_NAMES

    source = resolve_model(name)
    local_only = not Path(source).is_dir() and offline()
    try:
        config = AutoConfig.from_pretrained(source, local_files_only=local_only)
    except OSError as error:
        reason = ("it is not in the local Hugging Face cache and the Hub cannot be reached"
                  if local_only else str(error).strip().splitlines()[0])
        raise ModelLoadError(f"Could not load hf/{name}: {reason}; give a local folder or a "
                             "Hub id of a vision-language model.") from None
    if config.model_type not in MODEL_FOR_IMAGE_TEXT_TO_TEXT_MAPPING_NAMES:
        raise ModelLoadError(
            f"hf/{name} is not a vision-language model (model type {config.model_type!r}); "
            "give an image-text-to-text model, e.g. hf/llava-hf/llava-1.5-7b-hf.")
    processor = AutoProcessor.from_pretrained(source, local_files_only=local_only)
    model = AutoModelForImageTextToText.from_pretrained(source, dtype="auto",
                                                        local_files_only=local_only)
    return processor, model


def _stop_ids(eos: int | list[int] | None) -> set[int]:
    return set() if eos is None else {eos} if isinstance(eos, int) else set(eos)


def _response(
    model: str, text: str, tokens: list[int], stops: set[int], input_tokens: int
) -> ChatResponse:
    """Counts tokens up to and including the first stop token (padding after it excluded)."""
    end = next((i for i, token in enumerate(tokens) if token in stops), None)
    return ChatResponse(
        text=text,
        model=model,
        finish_reason="length" if end is None else "stop",
        input_tokens=input_tokens,
        output_tokens=len(tokens) if end is None else end + 1,
    )


def _error(exc: Exception) -> ChatResponse:
    return ChatResponse(text=None, error=f"{type(exc).__name__}: {exc}", attempts=0)


def open_hf(path: str, options: BackendOptions) -> HFVisionBackend:
    """`hf/PATH_OR_ID`: a local folder, a Hugging Face model id that transformers fetches, or a
    packaged model name."""
    return HFVisionBackend(path, options)
