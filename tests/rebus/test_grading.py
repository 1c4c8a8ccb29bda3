from __future__ import annotations

import pytest

from reprolab.rebus.extraction import extract_answer
from reprolab.rebus.grading import grade_answer, normalise


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


def test_multiple_brace_groups_grade_the_last() -> None:
    answer = extract_answer("maybe {{{Butter}}}... no: {{{Battery}}}").answer
    assert not grade_answer(answer, ["BUTTER", "BATTER"]).correct


def test_similarity_is_diagnostic_only() -> None:
    grade = grade_answer("Hawthorn", ["HAWTHORNE"])
    assert not grade.correct
    assert grade.similarity == pytest.approx(100 * 2 * 8 / 17)  # Indel ratio: 16 of 17 chars
