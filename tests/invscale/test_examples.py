"""Parsing prize-format rows into examples."""

from __future__ import annotations

import pytest

from reprolab.invscale.examples import (
    ClassificationExample,
    LogoddsExample,
    NumericExample,
    SequenceProbExample,
    TaskDataError,
    example_from_row,
    examples_from_rows,
    infer_task_type,
    normalise_task_type,
    parse_classes,
)


def test_parse_classes_reads_the_prize_string_format():
    assert parse_classes("[' heavy.', ' fonder.']") == (" heavy.", " fonder.")
    assert parse_classes([" A", " B", " C"]) == (" A", " B", " C")


def test_parse_classes_never_evaluates_code(tmp_path):
    marker = tmp_path / "evaluated"
    with pytest.raises(TaskDataError, match="not a Python list literal"):
        parse_classes(f"[open({str(marker)!r}, 'w').name, ' b']")
    assert not marker.exists()


@pytest.mark.parametrize("bad", ["[1, 2]", "[' only']", "' a string'", "{' a': 1}", "[' a',"])
def test_parse_classes_rejects_what_is_not_a_list_of_two_strings(bad):
    with pytest.raises(TaskDataError):
        parse_classes(bad)


def test_rows_of_each_task_type_become_their_examples():
    row = {"prompt": "Q?", "classes": "[' Yes', ' No']", "answer_index": 1, "round": 2}
    assert example_from_row(row, "classification") == ClassificationExample(
        "Q?", (" Yes", " No"), 1)
    assert example_from_row({"prompt": "p", "completion": " c"}, "sequence_prob") == \
        SequenceProbExample("p", " c")
    logodds = {"prompt": "p", "other_prompt": "q", "classes": "[' Yes', ' No']",
               "answer_index": 0}
    assert example_from_row(logodds, "absolute_logodds") == LogoddsExample(
        "p", "q", (" Yes", " No"), 0)
    assert example_from_row({"prompt": "p", "true_answer": "2350", "anchor": 403}, "numeric") \
        == NumericExample("p", 2350.0, 403.0)


def test_old_pilot_column_names_are_accepted():
    row = {"filled_template": "t", "classes": "[' a', ' b']", "answer_ix": 0}
    assert example_from_row(row, "classification") == ClassificationExample("t", (" a", " b"), 0)
    biased = {"prompt": "p", "biased_prompt": "q", "classes": "[' a', ' b']", "answer_index": 1}
    assert example_from_row(biased, "logodds").other_prompt == "q"


def test_task_type_is_inferred_from_columns():
    assert infer_task_type(["prompt", "classes", "answer_index"]) == "classification"
    assert infer_task_type(["prompt", "completion"]) == "sequence_prob"
    assert infer_task_type(["prompt", "biased_prompt", "classes", "answer_index"]) == "logodds"
    assert infer_task_type(["filled_template", "true_answer", "anchor"]) == "numeric"
    with pytest.raises(TaskDataError, match="cannot tell"):
        infer_task_type(["prompt", "label"])


def test_organisers_task_type_names_map_to_ours():
    assert normalise_task_type("classification_acc") == "classification"
    assert normalise_task_type("QA") == "logodds"
    assert normalise_task_type("single_word") == "sequence_prob"
    with pytest.raises(TaskDataError, match="unknown task type"):
        normalise_task_type("hitrate")


def test_errors_name_the_failing_row():
    rows = [("t.jsonl:1", {"prompt": "a", "classes": "[' a', ' b']", "answer_index": 0}),
            ("t.jsonl:3", {"prompt": "b", "classes": "[' a', ' b']", "answer_index": 2})]
    with pytest.raises(TaskDataError, match=r"^t\.jsonl:3: answer_index 2 outside 0\.\.1"):
        examples_from_rows(rows, "classification")
    with pytest.raises(TaskDataError, match=r"t\.jsonl:1: missing column 'completion'"):
        examples_from_rows([("t.jsonl:1", {"prompt": "a"})], "sequence_prob")
    with pytest.raises(TaskDataError, match="exactly two classes"):
        example_from_row({"prompt": "p", "other_prompt": "q", "classes": "[' a', ' b', ' c']",
                          "answer_index": 0}, "logodds")
