"""The paper's published accuracy table and the authors' hand grades it rests on.

`PUBLISHED` is the results table of Gritsevskiy et al., "REBUS: A Robust Evaluation Benchmark of
Understanding Symbols", arXiv 2401.05604 v2 (2024), as printed in the repository README
(github.com/cvndsh/rebus) and the Hugging Face card: accuracy in percent, overall and by
difficulty. The v2 text we could read lists the first 13 rows; the CogVLM, QWEN and
InstructBLIP rows come from the v1 table (arXiv v1, Jan 2024), whose rows for the models common
to both versions are identical. No published number was found for "Gemini Ultra 1.0" (a column
of `eval_results.csv` without raw outputs) nor for the human solver.

The table was graded by hand. The released `eval_results.csv` records only some of those hand
grades (the `[COUNT]` tags). `HAND_GRADES` lists the others, each with its evidence, so that the
authors' grade can be rebuilt answer by answer (`reprolab.rebus.scoring.regrade`):

* `forced` — the published count of that model and difficulty admits exactly this answer.
* `chosen` — the count needs k of several candidates; we name our pick and the alternatives.

Evidence "first release" is the `Also accepted` column of the first release of
`eval_results.csv` (cvndsh/rebus commit 748e571; eight models): `BEVERLY, MASSACHUSETTS` (0063),
`SEA HORSE` (0151), `SAND DOLLARS` (0154), `BLUEGRASS STATE, BLUE GRASS FESTIVAL, BLUE GRASS`
(0270), `SPILT THE BEANS, SPILLED THE BEANS` (0275), `BATTER` (0284), `BRAIN TREE` (0308).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class PublishedRow:
    """One row of the paper's table: accuracy (%) overall and on Easy/Medium/Hard puzzles."""

    model: str
    paper_name: str
    overall: float
    easy: float
    medium: float
    hard: float
    note: str = ""


# arXiv 2401.05604 v2, results table (README of github.com/cvndsh/rebus); keyed by the
# eval_results.csv column name. Rows after BLIP2 are from the v1 table (see module docstring).
PUBLISHED: dict[str, PublishedRow] = {row.model: row for row in (
    PublishedRow("GPT-4o", "GPT-4o", 41.7, 52.4, 32.5, 7.1),
    PublishedRow("GPT-4V", "GPT-4V", 24.0, 33.0, 13.2, 7.1),
    PublishedRow("Claude 3 Opus", "Claude 3 Opus", 18.9, 29.3, 6.1, 0.0),
    PublishedRow("Gemini Pro 1.5", "Gemini 1.5 Pro", 17.4, 23.0, 11.4, 3.6),
    PublishedRow("Gemini Pro 1.0", "Gemini 1.0 Pro", 13.2, 19.4, 5.3, 3.6),
    PublishedRow("Claude 3 Sonnet", "Claude 3 Sonnet", 7.5, 11.5, 2.7, 0.0,
                 note="2.7% medium is 3/113, not k/114 for any k: one medium puzzle (0313 has "
                      "no difficulty in data.csv) seems left out of that cell"),
    PublishedRow("Gemini Flash 1.5", "Gemini 1.5 Flash", 6.0, 8.9, 1.8, 3.6),
    PublishedRow("Reka Core", "Reka Core", 5.4, 7.9, 1.8, 3.6),
    PublishedRow("Claude 3 Haiku", "Claude 3 Haiku", 4.5, 6.3, 1.8, 3.6),
    PublishedRow("LLaVa-1.6-34B", "LLaVa-1.6-34B", 2.7, 3.7, 1.8, 0.0),
    PublishedRow("LLaVa-1.5-13B", "LLaVa-1.5-13B", 1.8, 2.6, 0.9, 0.0),
    PublishedRow("LLaVa-1.5-7B", "LLaVa-1.5-7B", 1.5, 2.6, 0.0, 0.0),
    PublishedRow("BLIP2-FLAN-T5-XXL", "BLIP2-FLAN-T5-XXL", 0.9, 0.5, 1.8, 0.0),
    PublishedRow("CogVLM", "CogVLM", 0.9, 1.6, 0.0, 0.0, note="row from the v1 table"),
    PublishedRow("QWEN", "QWEN", 0.9, 1.6, 0.0, 0.0, note="row from the v1 table"),
    PublishedRow("InstructBLIP", "InstructBLIP", 0.6, 0.5, 0.9, 0.0, note="row from the v1 table"),
)}


@dataclass(frozen=True)
class HandGrade:
    """A hand grade of one released answer that `eval_results.csv` does not tag."""

    model: str
    puzzle_id: str
    answer: str
    correct: bool
    rule: str
    basis: Literal["forced", "chosen"]
    alternatives: tuple[str, ...] = ()


_FIRST = "first release's Also accepted list"
_TAGGED = "same answer the authors tagged [COUNT] for GPT-4o"
HAND_GRADES: dict[tuple[str, str], HandGrade] = {(g.model, g.puzzle_id): g for g in (
    HandGrade("GPT-4V", "0270", "Bluegrass State", True, f"{_FIRST}: BLUEGRASS STATE", "forced"),
    HandGrade("Gemini Pro 1.0", "0151", "sea horse", True, f"{_FIRST}: SEA HORSE", "forced"),
    HandGrade("Gemini Pro 1.0", "0275", "spilt the beans", True, f"{_FIRST}: SPILT THE BEANS",
              "forced"),
    HandGrade("Gemini Pro 1.0", "0284", "Batter", True, f"{_FIRST}: BATTER", "forced"),
    HandGrade("BLIP2-FLAN-T5-XXL", "0154", "sand dollars", True, f"{_FIRST}: SAND DOLLARS",
              "forced"),
    HandGrade("LLaVa-1.5-13B", "0308", "Brain Tree", True,
              f"{_FIRST}: BRAIN TREE; the count admits one of the two list matches of this model "
              "and we keep the one the mechanical grade also accepts", "chosen",
              ("0270 'Blue Grass Festival'",)),
    HandGrade("Gemini Flash 1.5", "0285", "Saint-Saëns", True,
              "also-accept SAINT-SAËNS; the only candidate for the missing medium puzzle",
              "forced"),
    HandGrade("Gemini Pro 1.5", "0305", "**Kendall/MIT**", True, _TAGGED, "forced"),
    HandGrade("Gemini Pro 1.5", "0307", "Porter Square", True,
              "the station's square named in full; the count needs one more medium puzzle",
              "chosen", ("0285 'Saint-Saëns Son'",)),
    HandGrade("Claude 3 Opus", "0115", "Calcutta", True, _TAGGED, "forced"),
    HandGrade("Claude 3 Opus", "0131", "Hawthorn", True, _TAGGED, "forced"),
    HandGrade("Claude 3 Opus", "0123", "Venice, Italy", True,
              "the solution with a qualifier (as GPT-4o's tagged 'Gustav Mahler'); the count "
              "needs a third easy puzzle", "chosen",
              ("0074 'Washington'", "0100 'Live Free or Die Hard'", "0181 'Brussels Sprouts'")),
)}
