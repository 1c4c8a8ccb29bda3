"""Grading one answer: normalisation, accepted forms, and a fuzzy diagnostic.

An answer is correct when its normalised form equals the normalised form of one accepted answer:
the solution, its other spelling in the released results, or an "also accept" entry
(`Puzzle.accepted`). Normalisation (`normalise`) folds case, strips accents (`Lomé` = `LOME`),
maps letters with no decomposition (`ø`, `æ`, `ß`, ...) to ASCII and drops every character that is
not a letter or digit, so spaces, hyphens, apostrophes, slashes and markdown never matter
(`**Kendall/MIT**` = `KENDALL MIT`, `N’Djamena` = `N'DJAMENA`).

The rapidfuzz similarity in `Grade.similarity` is a diagnostic column: it never changes
`Grade.correct`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz

_NO_DECOMPOSITION = str.maketrans({
    "ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i",
})
_NOT_ASCII_ALNUM = re.compile(r"[^a-z0-9]+")


@lru_cache(maxsize=65536)
def normalise(text: str) -> str:
    """Lower-case ASCII-folded letters and digits of `text`, nothing else."""
    if text.isascii():
        return _NOT_ASCII_ALNUM.sub("", text.lower())
    folded = unicodedata.normalize("NFKD", text.casefold().translate(_NO_DECOMPOSITION))
    return "".join(ch for ch in folded if ch.isalnum() and not unicodedata.combining(ch))


@dataclass(frozen=True)
class Grade:
    """The verdict on one answer.

    `matched` is the accepted form the answer equals (None if wrong); `similarity` is the best
    rapidfuzz `ratio` (0-100) between the normalised answer and any accepted form (0 when there
    is no answer).
    """

    correct: bool
    matched: str | None
    similarity: float


def grade_answer(answer: str | None, accepted: Sequence[str]) -> Grade:
    """Grade `answer` (None = no answer) against the accepted forms, solution first."""
    assert accepted, "a puzzle needs at least one accepted answer"
    if answer is None or not normalise(answer):
        return Grade(False, None, 0.0)
    given = normalise(answer)
    forms = [normalise(form) for form in accepted]
    for form, original in zip(forms, accepted, strict=True):
        if given == form:
            return Grade(True, original, 100.0)
    return Grade(False, None, max(fuzz.ratio(given, form) for form in forms))
