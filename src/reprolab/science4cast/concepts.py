"""Concept lists: the official Science4Cast list (node id = 0-based line number, duplicates kept),
the text normalisation shared by concepts and abstracts, and a RAKE-style builder for new lists.

Normalisation (Krenn et al. 2023, Methods): lowercase, hyphens and every other non-alphanumeric
character to spaces, whitespace collapsed. The last word of a concept is matched in its singular
and plural forms (`surface_forms`), which is the lemmatisation of the last word upstream applies.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from reprolab.core.errors import UserError

_NON_WORD = re.compile(r"[^a-z0-9]+")
_SPLIT = re.compile(r"[.,;:!?()\[\]{}\"']+")
# RAKE's phrase delimiters: English function words (Rose et al. 2010 use a stoplist like this)
_STOPLIST = """a about above after again against all also an and any are as at be
because been before being below between both but by can could did do does doing down during each
few for from further had has have having here how however i if in into is it its itself just
many may might more most much must no nor not now of off on once only or other our out over own
same should so some such than that the their them then there these they this those through to
too under until up upon us very via was we were what when where which while who whom why will
with within without would yet you your new based using show shows propose proposed paper
approach method methods results result well also novel use used"""
STOPWORDS = frozenset(_STOPLIST.split())


def normalise(text: str) -> str:
    """Lowercase, non-alphanumerics (hyphens included) to single spaces, stripped."""
    return _NON_WORD.sub(" ", text.lower()).strip()


def _singular(word: str) -> str:
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "xes", "ches", "shes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is", "ias", "ous")) and len(word) > 3:
        return word[:-1]
    return word


def _plural(word: str) -> str:
    if word.endswith("y") and len(word) > 2 and word[-2] not in "aeiou":
        return word[:-1] + "ies"
    if word.endswith(("s", "x", "ch", "sh")):
        return word + "es"
    return word + "s"


def surface_forms(concept: str) -> set[str]:
    """The normalised concept with its last word singular and plural:
    `"neural networks"` -> `{"neural networks", "neural network"}`."""
    words = normalise(concept).split()
    if not words:
        return set()
    stem, last = words[:-1], words[-1]
    singular = _singular(last)
    return {" ".join([*stem, form]) for form in (last, singular, _plural(singular))}


def read_concepts(path: Path) -> list[str]:
    """The concept list of `path`, one per line (CRLF or LF); id = 0-based line number.
    Duplicate strings keep both ids; an empty line is an error naming its line."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise UserError(f"Concept list {path} cannot be read ({error}).") from None
    for number, line in enumerate(lines, 1):
        if not normalise(line):
            raise UserError(f"{path} line {number}: empty concept (one concept per line).")
    if not lines:
        raise UserError(f"Concept list {path} is empty.")
    return [line.strip() for line in lines]


def write_concepts(path: Path, concepts: Iterable[str]) -> Path:
    path.write_text("".join(f"{c}\n" for c in concepts), encoding="utf-8")
    return path


def rake_phrases(text: str, max_words: int = 4) -> list[str]:
    """Candidate phrases of `text` (Rose et al. 2010): runs of words between stopwords and
    punctuation, normalised, of 2 to `max_words` words with at least one letter each word."""
    phrases = []
    for chunk in _SPLIT.split(text.lower()):
        run: list[str] = []
        for word in [*normalise(chunk).split(), "the"]:  # "the" closes the last run
            if word in STOPWORDS or not re.search("[a-z]", word):
                if 2 <= len(run) <= max_words:
                    phrases.append(" ".join(run))
                run = []
            else:
                run.append(word)
    return phrases


def build_concepts(texts: Iterable[str], *, min_papers: int = 3, max_words: int = 4,
                   blacklist: Iterable[str] = ()) -> list[str]:
    """A new concept list: RAKE phrases found in at least `min_papers` texts, singularised on
    the last word, without any phrase holding a `blacklist` word; most frequent first.

    Upstream (Krenn et al. 2023) ran RAKE over arXiv AI abstracts, kept phrases of two or more
    words seen in enough papers, and removed hand-listed generic words; the thresholds are the
    arguments here."""
    banned = {normalise(word) for word in blacklist}
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update({_canonical(p) for p in rake_phrases(text, max_words)})
    return [phrase for phrase, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
            if count >= min_papers and not banned & set(phrase.split())]


def _canonical(phrase: str) -> str:
    words = phrase.split()
    return " ".join([*words[:-1], _singular(words[-1])])
