"""Pull the final answer out of a model's full response.

The paper's prompt asks for the final answer in triple braces, `{{{answer}}}`. Rules, tried in
order (the first that finds something wins; `method` records which):

1. `braces` — the last non-empty `{{{...}}}` group (extra braces around it are dropped, so
   `{{{{X}}}}` gives `X`).
2. `unclosed-braces` — a `{{{` with no closing `}}}`: the text after the last one, up to the end
   of its line (responses cut off by the token limit).
3. `answer-phrase` — the last "answer is X" / "final answer: X" phrase (open models that ignore
   the braces); quotes, bold markers and a trailing full stop are removed.
4. `short-response` — a one-line response of at most `SHORT_RESPONSE_WORDS` words is itself the
   answer (BLIP-2 and InstructBLIP reply with a bare phrase).

Nothing found gives `answer=None` (the `[[NONE]]` of the released results), as does an empty or
missing response. Rules 2 to 4 are fallbacks and can be switched off (`fallbacks=False`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

NO_ANSWER = "[[NONE]]"
_BRACES = re.compile(r"\{\{\{(.*?)\}\}\}", re.DOTALL)
_PHRASE = re.compile(
    r"(?:final answer|answer|solution)(?:\s+to\s+(?:this|the)\s+(?:puzzle|rebus))?"
    r"\s*(?:is|would be|:)\s*:?\s*(?:likely\s+|probably\s+)?"
    r"(?P<answer>\"[^\"\n]+\"|“[^”\n]+”|\*\*[^*\n]+\*\*|[^\n.,;]+)",
    re.IGNORECASE,
)
SHORT_RESPONSE_WORDS = 6
_STRIP = " \t\n\"'“”‘’*{}`."


@dataclass(frozen=True)
class Extraction:
    """The answer found in a response (`None` if none) and the rule that found it."""

    answer: str | None
    method: str

    @property
    def display(self) -> str:
        """The answer, or `[[NONE]]`."""
        return self.answer if self.answer is not None else NO_ANSWER


def _clean(text: str) -> str:
    return " ".join(text.strip(_STRIP).split())


def extract_answer(response: str | None, *, fallbacks: bool = True) -> Extraction:
    """The final answer in `response` by the rules of the module docstring."""
    if not response or not response.strip():
        return Extraction(None, "empty")
    groups = [_clean(g) for g in _BRACES.findall(response)]
    groups = [g for g in groups if g]
    if groups:
        return Extraction(groups[-1], "braces")
    if not fallbacks:
        return Extraction(None, "none")
    if "{{{" in response:
        tail = _clean(response.rsplit("{{{", 1)[1].split("\n", 1)[0])
        if tail:
            return Extraction(tail, "unclosed-braces")
    phrases = [_clean(m.group("answer")) for m in _PHRASE.finditer(response)]
    phrases = [p for p in phrases if p]
    if phrases:
        return Extraction(phrases[-1], "answer-phrase")
    short = response.strip()
    if "\n" not in short and len(short.split()) <= SHORT_RESPONSE_WORDS and _clean(short):
        return Extraction(_clean(short), "short-response")
    return Extraction(None, "none")
