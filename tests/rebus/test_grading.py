from __future__ import annotations

import pytest

from reprolab.rebus.data.released import ReleasedAnswer
from reprolab.rebus.scoring.extraction import extract_answer
from reprolab.rebus.scoring.grading import grade_answer, normalise


@pytest.mark.parametrize(("text", "expected"), [
    ("Lomé", "lome"),
    ("Chișinău", "chisinau"),
    ("Saint-Saëns", "saintsaens"),
    ("N’Djamena", "ndjamena"),
    ("**Kendall/MIT**", "kendallmit"),
    ("Sea  Horse", "seahorse"),
    ("Straße", "strasse"),
    ("Ørsted", "orsted"),
    ("8½", "812"),
])
def test_normalise(text: str, expected: str) -> None:
    assert normalise(text) == expected


def test_accents_case_and_spaces_do_not_matter() -> None:
    assert grade_answer("lomé", ["LOME"]).correct
    assert grade_answer("Port au Prince", ["PORT-AU-PRINCE"]).correct


def test_also_accept_and_second_spelling_count() -> None:
    accepted = ["DOLFIN", "DOLPHIN", "PORPOISE"]
    assert grade_answer("Dolphin", accepted).matched == "DOLPHIN"
    assert grade_answer("porpoise", accepted).matched == "PORPOISE"
    assert not grade_answer("whale", accepted).correct


def test_none_and_empty_answers_are_wrong() -> None:
    assert grade_answer(None, ["OAT"]) == grade_answer("", ["OAT"])
    assert not grade_answer("...", ["OAT"]).correct
    assert grade_answer(None, ["OAT"]).similarity == 0.0


def test_released_none_cell_and_empty_braces_are_no_answer() -> None:
    cell = ReleasedAnswer.parse("GPT-4V", "0090", "[[NONE]]")
    assert cell.answer is None and not grade_answer(cell.answer, ["HARVARD"]).correct
    assert extract_answer("{{{ }}}").answer is None
    assert extract_answer("").method == "empty"


def test_count_tag_is_not_part_of_the_answer() -> None:
    cell = ReleasedAnswer.parse("GPT-4o", "0178", "Brasília [COUNT]")
    assert (cell.answer, cell.hand_tagged) == ("Brasília", True)
    assert grade_answer(cell.answer, ["BRASILIA"]).correct


def test_multiple_brace_groups_grade_the_last() -> None:
    answer = extract_answer("maybe {{{Butter}}}... no: {{{Battery}}}").answer
    assert not grade_answer(answer, ["BUTTER", "BATTER"]).correct


def test_similarity_is_diagnostic_only() -> None:
    grade = grade_answer("Hawthorn", ["HAWTHORNE"])
    assert not grade.correct
    assert grade.similarity == pytest.approx(100 * 2 * 8 / 17)  # Indel ratio: 16 of 17 chars
