"""The official per-example formulas, by hand and against the organisers' own result files."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from reprolab.core.data import dataset_dir
from reprolab.invscale.metrics import (
    classification_score,
    logodds_score,
    numeric_estimate,
    parse_number,
    sequence_prob_loss,
)
from reprolab.invscale.tasks import DATASET

LSE = -1 + math.log(1 + math.exp(-1))  # logsumexp(-1, -2) = -0.6867...


def test_classification_by_hand():
    right = classification_score([-1.0, -2.0], 0)
    assert right.total_logprob == pytest.approx(LSE)
    assert right.loss == pytest.approx(math.log(1 + math.exp(-1)))  # -log softmax(...)[0]
    assert (right.correct, right.predicted) == (1, 0)
    wrong = classification_score([-1.0, -2.0], 1)
    assert wrong.loss == pytest.approx(1 + math.log(1 + math.exp(-1)))
    assert (wrong.correct, wrong.total_logprob) == (0, pytest.approx(LSE))


def test_classification_three_classes_and_ties():
    score = classification_score([math.log(0.2), math.log(0.1), math.log(0.1)], 2)
    assert score.total_logprob == pytest.approx(math.log(0.4))
    assert score.loss == pytest.approx(-math.log(0.25))
    assert score.correct == 0
    tie = classification_score([-1.0, -1.0], 1)
    assert (tie.predicted, tie.correct, tie.loss) == (0, 0, pytest.approx(math.log(2)))


def test_sequence_prob_loss_is_the_negative_log_likelihood():
    assert sequence_prob_loss(-3.25) == 3.25


def test_logodds_by_hand():
    score = logodds_score([-1.0, -2.0], [-2.0, -1.0], 0)
    assert score.logodds_difference == pytest.approx(2.0)  # (1) - (-1)
    assert score.correct == 0  # after other_prompt class 1 wins
    assert score.total_logprob == pytest.approx(LSE)
    assert logodds_score([-1.0, -2.0], [-2.0, -1.0], 1).logodds_difference == pytest.approx(-2.0)
    assert logodds_score([-1.0, -2.0], [-2.0, -1.0], 1, absolute=True).logodds_difference == \
        pytest.approx(2.0)
    assert logodds_score([-1.0, -2.0], [-2.0, -1.0], 1).correct == 1


def test_numbers_are_parsed_as_the_official_basic_parser():
    assert parse_number(" 1,234.") == 1234.0
    assert parse_number("(12)") == 12.0
    assert parse_number("3\n4") == 3.0
    assert parse_number(" about 5") is None
    assert numeric_estimate([" 10", "x", "20."]) == 15.0
    assert math.isnan(numeric_estimate(["none", ""]))


def _pilot(run: str, model: str) -> pd.DataFrame:
    return pd.read_csv(dataset_dir(DATASET) / "pilot" / "results" / run / f"{model}.csv")


@pytest.mark.needs_data("inverse-scaling")
@pytest.mark.parametrize(("run", "model"), [
    ("syllogism-gpt3", "davinci"), ("boolq-0shot-gpt2", "gpt2-xl"), ("dice-1shot-gpt3", "curie"),
    ("syllogism-0shot-opt", "opt-1.3b")])
def test_organisers_binary_results_are_reproduced_from_their_class_logprobs(run, model):
    """With total = logsumexp, each row's two class log-probs follow from (loss, total); our
    formulas must give back their loss, their total and, independently, their `correct`."""
    frame = _pilot(run, model)
    answer = frame["total_logprob"] - frame["loss"]
    other = np.log(np.exp(frame["total_logprob"]) - np.exp(answer))
    scores = [classification_score([a, o], 0) for a, o in zip(answer, other, strict=True)]
    assert np.allclose([s.loss for s in scores], frame["loss"], atol=1e-5)
    assert np.allclose([s.total_logprob for s in scores], frame["total_logprob"], atol=1e-6)
    assert [s.correct for s in scores] == frame["correct"].tolist()


@pytest.mark.needs_data("inverse-scaling")
def test_organisers_total_logprob_is_a_logsumexp_not_a_sum():
    """If total_logprob were the sum of the two class log-probs, these rows would need a class
    with log-probability > 0; as a logsumexp every row is consistent (total <= 0)."""
    frame = _pilot("boolq-1shot-gpt3", "ada")
    gap = np.log(np.expm1(frame["loss"]))  # lp(other) - lp(answer)
    larger_class_if_sum = (frame["total_logprob"] + gap.abs()) / 2
    assert (larger_class_if_sum > 0).mean() > 0.9
    assert (frame["total_logprob"] <= 0).all()


@pytest.mark.needs_data("inverse-scaling")
def test_organisers_absolute_logodds_drop_the_sign():
    signed = _pilot("QA-v2-gpt3", "davinci")["logodds_difference"]
    absolute = _pilot("QA-v2-gpt3-abs", "davinci")["logodds_difference"]
    assert (signed < 0).any() and (absolute >= 0).all()
