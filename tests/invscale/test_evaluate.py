"""From scorer answers to the official per-example rows, with a scorer whose answers we set."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from reprolab.invscale.evaluate import evaluate_examples, requests_for, write_official_csv
from reprolab.invscale.examples import (
    ClassificationExample,
    LogoddsExample,
    NumericExample,
    SequenceProbExample,
)
from reprolab.lm.requests import LoglikelihoodRequest, LoglikelihoodResult


class TableScorer:
    """Answers from a table of log-probs; records every batch it is sent."""

    def __init__(self, table: dict[tuple[str, str], float]) -> None:
        self.table = table
        self.batches: list[list[LoglikelihoodRequest]] = []

    def __call__(self, requests):
        self.batches.append(list(requests))
        return [LoglikelihoodResult(self.table[(r.context, r.continuation)], False, 2)
                for r in requests]


def test_classification_rows_and_no_duplicate_requests(tmp_path):
    scorer = TableScorer({("Q1", " a"): -1.0, ("Q1", " b"): -2.0, ("Q2", " a"): -0.5,
                          ("Q2", " b"): -0.1})
    examples = [ClassificationExample("Q1", (" a", " b"), 0),
                ClassificationExample("Q2", (" a", " b"), 0),
                ClassificationExample("Q1", (" a", " b"), 1)]  # same prompt and classes again
    frame = evaluate_examples(examples, "classification", scorer)
    assert len(scorer.batches) == 1 and len(scorer.batches[0]) == 4
    assert frame["correct"].tolist() == [1, 0, 0]
    assert frame["predicted"].tolist() == [0, 1, 0]
    assert frame.loc[0, "loss"] == pytest.approx(math.log(1 + math.exp(-1)))
    assert frame.loc[2, "loss"] == pytest.approx(1 + math.log(1 + math.exp(-1)))
    assert frame.loc[1, "class_logprobs"] == [-0.5, -0.1]
    path = write_official_csv(frame, "classification", tmp_path / "model.csv")
    written = pd.read_csv(path)
    assert list(written.columns) == ["index", "loss", "correct", "total_logprob"]
    assert written["total_logprob"].iloc[0] == pytest.approx(-1 + math.log(1 + math.exp(-1)))


def test_sequence_prob_and_logodds_rows():
    scorer = TableScorer({("p", " c"): -4.5, ("x", " Yes"): -1.0, ("x", " No"): -2.0,
                          ("y", " Yes"): -2.0, ("y", " No"): -1.0})
    seq = evaluate_examples([SequenceProbExample("p", " c")], "sequence_prob", scorer)
    assert seq["loss"].tolist() == [4.5]
    example = LogoddsExample("x", "y", (" Yes", " No"), 1)
    assert [(r.context, r.continuation) for r in requests_for(example)] == [
        ("x", " Yes"), ("x", " No"), ("y", " Yes"), ("y", " No")]
    signed = evaluate_examples([example], "logodds", scorer)
    absolute = evaluate_examples([example], "absolute_logodds", scorer)
    assert signed["logodds_difference"].tolist() == [pytest.approx(-2.0)]
    assert absolute["logodds_difference"].tolist() == [pytest.approx(2.0)]
    assert signed["correct"].tolist() == [1]


def test_numeric_rows_average_the_parsed_samples():
    prompts = []

    def sampler(prompt):
        prompts.append(prompt)
        return [" 100", " 300.", " lots"]

    frame = evaluate_examples([NumericExample("How far?", 200, 403)], "numeric",
                              TableScorer({}), sample=sampler)
    assert prompts == ["How far?"]
    assert frame["estimate"].tolist() == [200.0]
    assert frame["relative_error"].tolist() == [0.0]
    with pytest.raises(ValueError, match="need a sampler"):
        evaluate_examples([NumericExample("How far?", 200, 403)], "numeric", TableScorer({}))
