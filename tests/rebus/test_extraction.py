from __future__ import annotations

import pytest

from reprolab.rebus.scoring.extraction import extract_answer


@pytest.mark.parametrize(("response", "answer", "method"), [
    ("Reasoning...\n{{{Boston}}}", "Boston", "braces"),
    ("First {{{Salem}}}, no wait: {{{Lynn}}}", "Lynn", "braces"),  # last group wins
    ("{{{Lynn}}} then an empty one {{{ }}}", "Lynn", "braces"),
    ("{{{{Falmouth}}}}", "Falmouth", "braces"),
    ("{{{ **Kendall/MIT** }}}", "Kendall/MIT", "braces"),
    ("so the town is {{{Andover", "Andover", "unclosed-braces"),
    ('In conclusion, the answer to this puzzle is "New York."', "New York", "answer-phrase"),
    ("Final answer: **Athens**", "Athens", "answer-phrase"),
    ("", None, "empty"),
    (None, None, "empty"),
    ("shrewsbury ma", "shrewsbury ma", "short-response"),
    ("I'm sorry, I cannot see any image in this message.", None, "none"),
])
def test_extraction_rules(response: str | None, answer: str | None, method: str) -> None:
    found = extract_answer(response)
    assert (found.answer, found.method) == (answer, method)


def test_fallbacks_can_be_switched_off() -> None:
    found = extract_answer("the answer is Lynn", fallbacks=False)
    assert found.answer is None and found.display == "[[NONE]]"


def test_multiline_brace_group_collapses_whitespace() -> None:
    assert extract_answer("{{{Salt\n  Lake City}}}").answer == "Salt Lake City"
