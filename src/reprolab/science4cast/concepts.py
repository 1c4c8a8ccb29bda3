"""Concept lists: the official Science4Cast list (node id = 0-based line number, duplicates kept),
the text normalisation shared by concepts and abstracts, and a builder of new lists.

Normalisation (Krenn et al. 2023, Methods): lowercase, hyphens and every other non-alphanumeric
character to spaces, whitespace collapsed. The last word of a concept is matched in its singular
and plural forms (`surface_forms`), which is the lemmatisation of the last word upstream applies.

The builder (`build_concepts`) follows upstream's two scripts (github.com/artificial-scientist-lab/
FutureOfAIviaAI, `concept_generation/RAKE_create_concept_list_from_papers.py`, then
`reduce_concept_list.py`): RAKE phrases (Rose et al. 2010) ranked by word degree, filtered,
singularised on the last word, counted over papers, thresholded by length, then reduced by
hand-written rules whose word lists the caller passes (upstream's are in `reduce_concept_list.py`:
`nogo_word_list`, `nogo_first_word_list`, `nogo_last_word_list`).
"""

from __future__ import annotations

import re
import string
from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from pathlib import Path

from reprolab.core.errors import UserError

_NON_WORD = re.compile(r"[^a-z0-9]+")
_TOKEN = re.compile(r"\w+|[^\w\s]+")  # a run of word characters or of punctuation
_MARKS = frozenset(string.punctuation)  # a single one ends a RAKE phrase

# NLTK's English stopword list (179 function words; the list upstream's RAKE used)
_ENGLISH = """
i me my myself we our ours ourselves you you're you've you'll you'd your yours yourself yourselves
he him his himself she she's her hers herself it it's its itself they them their theirs themselves
what which who whom this that that'll these those am is are was were be been being have has had
having do does did doing a an the and but if or because as until while of at by for with about
against between into through during before after above below to from up down in out on off over
under again further then once here there when where why how all any both each few more most other
some such no nor not only own same so than too very s t can will just don don't should should've
now d ll m o re ve y ain aren aren't couldn couldn't didn didn't doesn doesn't hadn hadn't hasn
hasn't haven haven't isn isn't ma mightn mightn't mustn mustn't needn needn't shan shan't shouldn
shouldn't wasn wasn't weren weren't won won't wouldn wouldn't"""
# the words upstream added to it (its "select " has a trailing space, so it never matched a word)
_UPSTREAM = "presents us show one two three describes new approach many introduces http also " \
    "whose prove take"
ENGLISH_STOPWORDS = frozenset(_ENGLISH.split())
UPSTREAM_STOPWORDS = frozenset(_UPSTREAM.split())
STOPWORDS = ENGLISH_STOPWORDS | UPSTREAM_STOPWORDS
# upstream drops a RAKE phrase holding any of these strings
FORBIDDEN = (".", ",", "~", "http", "&", "(", "$", " et al", "}", "^", "/", "{")
# upstream keeps "second" and "higher" only in concepts that also hold "order"
REQUIRES: Mapping[str, str] = {"second": "order", "higher": "order"}


def normalise(text: str) -> str:
    """Lowercase, non-alphanumerics (hyphens included) to single spaces, stripped."""
    return _NON_WORD.sub(" ", text.lower()).strip()


# plurals the suffix rules of `_singular` get wrong (a WordNet lemmatiser knows them)
_IRREGULAR = {"series": "series", "species": "species", "matrices": "matrix",
              "vertices": "vertex", "indices": "index", "simplices": "simplex",
              "analyses": "analysis", "hypotheses": "hypothesis", "syntheses": "synthesis",
              "diagnoses": "diagnosis", "criteria": "criterion", "phenomena": "phenomenon",
              "minima": "minimum", "maxima": "maximum", "optima": "optimum"}


def _singular(word: str) -> str:
    if word in _IRREGULAR:
        return _IRREGULAR[word]
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


def read_word_list(path: Path) -> frozenset[str]:
    """The words of `path`, one a line (lowercased; blank lines skipped), for the no-go lists."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise UserError(f"Word list {path} cannot be read ({error}).") from None
    words = set()
    for number, line in enumerate(lines, 1):
        if len(line.split()) > 1:
            raise UserError(f"{path} line {number}: {line.strip()!r} is not one word "
                            "(one word per line).")
        words.update(line.lower().split())
    return frozenset(words)


def rake_phrases(text: str, *, stopwords: frozenset[str] = STOPWORDS, min_words: int = 2,
                 max_words: int | None = None) -> dict[str, float]:
    """RAKE (Rose et al. 2010) on one text: its distinct candidate phrases -> word-degree score.

    The text is lowercased with newlines and hyphens as spaces, then cut into tokens (runs of word
    characters or of punctuation, as NLTK's `wordpunct_tokenize`). A phrase is a run of tokens
    between stopwords and single punctuation marks, of `min_words` to `max_words` tokens (upstream:
    2 to unbounded), joined by spaces. A word's degree is the summed length of the phrases that
    hold it (counted per occurrence); a phrase's score is the sum of its words' degrees. With
    `min_words=2` every score is at least 4."""
    tokens = _TOKEN.findall(text.replace("\n", " ").replace("-", " ").lower())
    phrases: dict[tuple[str, ...], None] = {}  # distinct, in order of appearance
    run: list[str] = []
    for token in [*tokens, "."]:  # the last "." closes the last run
        if token in stopwords or token in _MARKS:
            if len(run) >= min_words and (max_words is None or len(run) <= max_words):
                phrases[tuple(run)] = None
            run = []
        else:
            run.append(token)
    degree: Counter[str] = Counter()
    for phrase in phrases:
        for word in phrase:
            degree[word] += len(phrase)
    return {" ".join(phrase): float(sum(degree[word] for word in phrase)) for phrase in phrases}


def candidate_concepts(text: str, *, stopwords: frozenset[str] = STOPWORDS,
                       min_score: float = 1.0, forbidden: Iterable[str] = FORBIDDEN,
                       max_words: int | None = None) -> list[str]:
    """The RAKE phrases of `text` that upstream counts: score above `min_score` (upstream: 1),
    none of the `forbidden` strings, last word singularised; distinct, in order of appearance."""
    forbidden = tuple(forbidden)
    kept = (phrase for phrase, score in rake_phrases(text, stopwords=stopwords,
                                                     max_words=max_words).items()
            if score > min_score and not any(mark in phrase for mark in forbidden))
    return list(dict.fromkeys(_canonical(phrase) for phrase in kept))


def passes_rules(concept: str, *, nogo_words: Collection[str] = (),
                 nogo_first: Collection[str] = (), nogo_first_suffixes: tuple[str, ...] = ("ly",),
                 nogo_last: Collection[str] = (), requires: Mapping[str, str] = REQUIRES) -> bool:
    """Upstream's reduction of one concept (`reduce_concept_list.py`): False if a word is numeric
    or a single character or in `nogo_words`, if the first word is in `nogo_first` or ends in one
    of `nogo_first_suffixes`, if the last word is in `nogo_last`, or if a word `w` of `requires`
    comes without `requires[w]` (upstream: "second" and "higher" only beside "order")."""
    words = concept.split()
    return not (any(word.isnumeric() or len(word) == 1 for word in words)
                or any(word in nogo_words for word in words)
                or words[0] in nogo_first or words[0].endswith(nogo_first_suffixes)
                or words[-1] in nogo_last
                or any(requires[word] not in words for word in words if word in requires))


def build_concepts(texts: Iterable[str], *, stopwords: frozenset[str] = STOPWORDS,
                   min_score: float = 1.0, forbidden: Iterable[str] = FORBIDDEN,
                   min_papers_two: int = 6, min_papers_long: int = 3,
                   max_words: int | None = None, nogo_words: Iterable[str] = (),
                   nogo_first: Iterable[str] = (), nogo_first_suffixes: tuple[str, ...] = ("ly",),
                   nogo_last: Iterable[str] = (),
                   requires: Mapping[str, str] = REQUIRES) -> list[str]:
    """A new concept list from paper texts (title and abstract each), upstream's way.

    Each text's `candidate_concepts` count once per paper; a phrase of two words needs
    `min_papers_two` papers (upstream: 6), one of three or more `min_papers_long` (upstream: 3);
    then `passes_rules` with the no-go lists (upstream's are in `reduce_concept_list.py` of
    github.com/artificial-scientist-lab/FutureOfAIviaAI; give them as files, `read_word_list`).
    Returned as upstream writes its list: the phrases of three or more words, then those of two,
    each most frequent first (ties in order of first appearance)."""
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(candidate_concepts(text, stopwords=stopwords, min_score=min_score,
                                         forbidden=forbidden, max_words=max_words))
    ranked = counts.most_common()
    kept = [phrase for phrase, count in ranked
            if len(phrase.split()) >= 3 and count >= min_papers_long] + \
           [phrase for phrase, count in ranked
            if len(phrase.split()) == 2 and count >= min_papers_two]
    rules = {"nogo_words": frozenset(nogo_words), "nogo_first": frozenset(nogo_first),
             "nogo_first_suffixes": nogo_first_suffixes, "nogo_last": frozenset(nogo_last),
             "requires": requires}
    return [concept for concept in kept if passes_rules(concept, **rules)]


def _canonical(phrase: str) -> str:
    words = phrase.split()
    return " ".join([*words[:-1], _singular(words[-1])])
