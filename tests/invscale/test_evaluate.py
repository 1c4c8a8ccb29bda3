"""From scorer answers to the official per-example rows, with a scorer whose answers we set."""

from __future__ import annotations

import math

import pytest

from reprolab.invscale.evaluate import evaluate_examples, numeric_sampler, requests_for
from reprolab.invscale.examples import (
    ClassificationExample,
    LogoddsExample,
    NumericExample,
    SequenceProbExample,
)
from reprolab.invscale.metrics import NUMERIC_SAMPLES
from reprolab.lm.requests import LoglikelihoodRequest, LoglikelihoodResult
from tests.lm.tiny_models import tiny_llama


class TableScorer:
    """Answers from a table of log-probs; records every batch it is sent."""

    def __init__(self, table: dict[tuple[str, str], float]) -> None:
        self.table = table
        self.batches: list[list[LoglikelihoodRequest]] = []

    def __call__(self, requests):
        self.batches.append(list(requests))
        return [LoglikelihoodResult(self.table[(r.context, r.continuation)], False, 2)
                for r in requests]


def test_classification_rows_and_no_duplicate_requests():
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
    assert frame.loc[0, "total_logprob"] == pytest.approx(-1 + math.log(1 + math.exp(-1)))


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


def test_numeric_rows_average_the_parsed_samples_from_one_batched_call():
    calls = []

    def sampler(prompts):
        calls.append(list(prompts))
        return [[" 100", " 300.", " lots"], [" 7"]]

    examples = [NumericExample("How far?", 200, 403), NumericExample("How many?", 7, 1)]
    frame = evaluate_examples(examples, "numeric", TableScorer({}), sample=sampler)
    assert calls == [["How far?", "How many?"]]
    assert frame["estimate"].tolist() == [200.0, 7.0]
    assert frame["relative_error"].tolist() == [0.0, 0.0]
    with pytest.raises(AssertionError, match="need a sampler"):
        evaluate_examples(examples, "numeric", TableScorer({}))


def test_the_numeric_sampler_draws_the_official_samples_through_lm_generation(tmp_path):
    model, tokenizer = tiny_llama(tmp_path)
    sample = numeric_sampler(model, tokenizer, seed=0, batch_size=2)
    prompts = ["Question: What is 2 + 2? Answer:", "The quick brown fox"]
    first = sample(prompts)
    assert [len(s) for s in first] == [NUMERIC_SAMPLES] * 2
    assert all("\n" not in text for texts in first for text in texts)  # cut at the newline
    assert first == sample(prompts)  # seeded
    assert first != numeric_sampler(model, tokenizer, seed=1, batch_size=2)(prompts)
