"""Sizes of the models on inverse-scaling ladders: parameters, training tokens, training FLOPs.

Training compute is estimated as C = 6 N D (Kaplan et al. 2020, arXiv 2001.08361, section 2.1)
for N parameters and D pretraining tokens, where D is published.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ModelSize:
    """A model's family, parameter count and (where published) pretraining tokens."""

    name: str
    family: str
    parameters: float
    training_tokens: float | None = None

    @property
    def training_flops(self) -> float | None:
        """6 N D, or None when the number of training tokens is not published."""
        return None if self.training_tokens is None else 6 * self.parameters * self.training_tokens


def _family(family: str, tokens: float | None, sizes: dict[str, float]) -> dict[str, ModelSize]:
    return {name: ModelSize(name, family, n, tokens) for name, n in sizes.items()}


KNOWN_SIZES: dict[str, ModelSize] = {
    # GPT-2 (Radford et al. 2019): counts of the released checkpoints, as on their Hugging Face
    # model cards and in the organisers' plotting code; training tokens were not published.
    **_family("GPT-2", None, {
        "gpt2": 124e6, "gpt2-medium": 355e6, "gpt2-large": 774e6, "gpt2-xl": 1.5e9}),
    # GPT-3 API models (Brown et al. 2020, Table 2.1: all trained on 300B tokens), mapped to sizes
    # as in McKenzie et al. 2023 (after Gao, "On the sizes of OpenAI API models", EleutherAI 2021).
    **_family("GPT-3", 300e9, {
        "ada": 350e6, "babbage": 1.3e9, "curie": 6.7e9, "davinci": 175e9}),
    # InstructGPT API models (Ouyang et al. 2022): the same base sizes and pretraining tokens.
    **_family("InstructGPT", 300e9, {
        "text-ada-001": 350e6, "text-babbage-001": 1.3e9, "text-curie-001": 6.7e9,
        "text-davinci-001": 175e9}),
    # OPT (Zhang et al. 2022, arXiv 2205.01068, Table 1; about 180B training tokens).
    **_family("OPT", 180e9, {
        "opt-125m": 125e6, "opt-350m": 350e6, "opt-1.3b": 1.3e9, "opt-2.7b": 2.7e9,
        "opt-6.7b": 6.7e9, "opt-13b": 13e9}),
    # Packaged offline ladder (pretraining tokens; the instruction tuning after it is small).
    # SmolLM2-135M: 2T tokens (Allal et al. 2025, arXiv 2502.02737); Gemma 3 270M: 6T tokens
    # (Gemma 3 270M model card); Qwen2.5-Coder: the Qwen2.5 base's 18T tokens (arXiv 2412.15115)
    # plus 5.5T tokens of continued code pretraining (Hui et al. 2024, arXiv 2409.12186).
    "smollm2-135m": ModelSize("smollm2-135m", "packaged", 134.5e6, 2e12),
    "gemma3-270m": ModelSize("gemma3-270m", "packaged", 268.1e6, 6e12),
    "qwen2.5-coder-0.5b": ModelSize("qwen2.5-coder-0.5b", "packaged", 494e6, 23.5e12),
    "qwen2.5-coder-1.5b": ModelSize("qwen2.5-coder-1.5b", "packaged", 1.54e9, 23.5e12),
}


def model_size(name: str, counted_parameters: int | None = None) -> ModelSize:
    """Size of model `name`: the table's published entry, else `counted_parameters` of the loaded
    model. Published counts win because a dequantised checkpoint can count more (an output
    matrix untied from the embeddings is counted twice)."""
    if (known := KNOWN_SIZES.get(name)) is not None:
        return known
    if counted_parameters is None:
        raise KeyError(f"No known size for model {name!r}; load it to count its parameters.")
    return ModelSize(name, "other", float(counted_parameters))
