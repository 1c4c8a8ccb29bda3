"""The paper's prompt and the per-model variants its evaluation scripts used.

Every variant shows the puzzle image and names its category (the puzzle's theme). `standard` is
the prompt of the paper's API runs (text, then image); the Claude runs put the image first
(`image-first`); BLIP-2 and InstructBLIP were asked to think longer (`think-longer`); the LLaVA
runs asked for a final answer without braces (`no-braces`). `auto` picks `image-first` for
Anthropic models and `standard` for the rest.
"""

from __future__ import annotations

from dataclasses import dataclass

from reprolab.core.registry import Registry
from reprolab.lm.requests import ChatMessage, ImagePart
from reprolab.rebus.data.dataset import Puzzle

_INTRO = (
    "This rebus puzzle is a play on words based on images, and may contain text, logical "
    "operators, addition/subtraction of letters, and other forms of creative thinking to solve. "
    "Can you figure out what it is? The category for this puzzle is {category}; that is, your "
    "answer should match the category in order to be correct.\n\n"
)
_BRACES = (
    "Take a deep breath, and let's begin. You can think for as long as you want, until you get "
    "a correct answer in the category {category}. When you're done reasoning and thinking, "
    "output your final answer in three braces, like {{{{{{this}}}}}}.\n"
)


@dataclass(frozen=True)
class PromptVariant:
    """A prompt template (`{category}` is filled in) and where the image goes."""

    name: str
    template: str
    image_first: bool
    used_for: str

    def text(self, puzzle: Puzzle) -> str:
        return self.template.format(category=puzzle.theme)

    def messages(self, puzzle: Puzzle) -> tuple[ChatMessage, ...]:
        """The chat turn for `puzzle`: its image (by content type) and the filled-in text."""
        image = ImagePart(puzzle.image_bytes(), puzzle.mime_type)
        text = self.text(puzzle)
        parts = (image, text) if self.image_first else (text, image)
        return (ChatMessage.user(*parts),)


PROMPTS: Registry[PromptVariant] = Registry("REBUS prompt")
for _variant in (
    PromptVariant("standard", _INTRO + _BRACES, False, "GPT-4V, GPT-4o, Gemini, Reka"),
    PromptVariant("image-first", _INTRO + _BRACES, True, "Claude 3"),
    PromptVariant(
        "think-longer",
        _INTRO + _BRACES.rstrip("\n") + " Make sure to think for at least a few paragraphs "
        "before outputting a final answer.\n",
        False, "BLIP-2, InstructBLIP"),
    PromptVariant(
        "no-braces",
        _INTRO + "Take a deep breath, and let's begin. Spend at least two paragraphs thinking "
        "through the puzzle, until you get a correct answer in the category {category}. When "
        "you're done reasoning and thinking, output your final answer.\n",
        False, "LLaVA-1.5"),
):
    PROMPTS.register(_variant.name, _variant)


def resolve_prompt(name: str, model_spec: str) -> PromptVariant:
    """The variant called `name`; `auto` chooses by the model's provider."""
    if name == "auto":
        name = "image-first" if model_spec.startswith("anthropic/") else "standard"
    return PROMPTS[name]
