"""Per-example metrics exactly as the Inverse Scaling Prize pipeline computes them.

Conventions of the organisers' evaluation code (naimenz/inverse-scaling-eval-pipeline), restated
from its behaviour and checked against their own result files (`tests/invscale/test_metrics.py`):

- classification: each class's log-probability is the sum of its token log-probs after the prompt;
  `loss = -log_softmax(class_logprobs)[answer_index]`, `correct = argmax == answer_index` (first
  maximum on ties), `total_logprob = logsumexp(class_logprobs)` (log of the mass on the classes).
- sequence_prob: `loss = -log P(completion | prompt)`.
- logodds: `logodds = lp(class 0) - lp(class 1)` after each prompt; `logodds_difference =
  logodds(prompt) - logodds(other_prompt)`, negated when `answer_index == 1`, absolute for
  `absolute_logodds`; `correct` is the argmax after `other_prompt`; `total_logprob` is the mean of
  the two prompts' `logsumexp` over classes.
- numeric: 10 samples at temperature 0.5, cut at the first newline, parsed after stripping spaces,
  commas, brackets and trailing full stops; `estimate` is the mean of the numbers that parse.

Each per-example output file has the official columns, `index` first (`OFFICIAL_COLUMNS`).

Tokens: log-probabilities come from `reprolab.lm.scoring`, which splits context and continuation
as lm-evaluation-harness does (the continuation's tokens are those of prompt + class after the
prompt's). The organisers' HF path took the last `len(tokenize(class))` tokens of prompt + class;
the two agree whenever the class (which starts with a space) does not merge with the prompt's
last token; checked for all 2,472 (item, class) pairs of memo-trap and NeQA under the SmolLM2,
Gemma 3 and Qwen2.5 tokenizers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.special import logsumexp

OFFICIAL_COLUMNS: dict[str, tuple[str, ...]] = {
    "classification": ("loss", "correct", "total_logprob"),
    "sequence_prob": ("loss",),
    "logodds": ("logodds_difference", "correct", "total_logprob"),
    "absolute_logodds": ("logodds_difference", "correct", "total_logprob"),
    "numeric": ("estimate",),
}
# Metrics compared across model sizes per task type, with whether higher is better. Numeric
# tasks are compared by relative_error = |estimate - true_answer| / |true_answer|.
TREND_METRICS: dict[str, tuple[tuple[str, bool], ...]] = {
    "classification": (("correct", True), ("loss", False)),
    "sequence_prob": (("loss", False),),
    "logodds": (("logodds_difference", False), ("correct", True)),
    "absolute_logodds": (("logodds_difference", False), ("correct", True)),
    "numeric": (("relative_error", False),),
}
METRIC_LABELS = {"correct": "accuracy", "loss": "loss (nats)",
                 "logodds_difference": "log-odds difference", "relative_error": "relative error"}
NUMERIC_SAMPLES = 10
NUMERIC_TEMPERATURE = 0.5
NUMERIC_MAX_NEW_TOKENS = 7


@dataclass(frozen=True)
class ClassificationScore:
    """One classification example's official metrics, plus the predicted class index."""

    loss: float
    correct: int
    total_logprob: float
    predicted: int


@dataclass(frozen=True)
class LogoddsScore:
    """One logodds example's official metrics."""

    logodds_difference: float
    correct: int
    total_logprob: float


def classification_score(class_logprobs: Sequence[float], answer_index: int) -> ClassificationScore:
    """Metrics of one example from its per-class log-probabilities (natural log, summed over
    each class's tokens). McKenzie et al. 2023, section 2 ("classification" tasks)."""
    logprobs = np.asarray(class_logprobs, dtype=np.float64)
    assert logprobs.ndim == 1 and len(logprobs) >= 2, "need one log-prob per class (>= 2)"
    assert 0 <= answer_index < len(logprobs), "answer_index outside the classes"
    total = float(logsumexp(logprobs))
    predicted = int(np.argmax(logprobs))
    return ClassificationScore(
        loss=total - float(logprobs[answer_index]),
        correct=int(predicted == answer_index),
        total_logprob=total,
        predicted=predicted,
    )


def sequence_prob_loss(completion_logprob: float) -> float:
    """The sequence_prob loss: the completion's negative log-likelihood (nats)."""
    return -float(completion_logprob)


def logodds_score(prompt_logprobs: Sequence[float], other_logprobs: Sequence[float],
                  answer_index: int, *, absolute: bool = False) -> LogoddsScore:
    """Metrics of one logodds example from the two class log-probs after each prompt."""
    first = np.asarray(prompt_logprobs, dtype=np.float64)
    other = np.asarray(other_logprobs, dtype=np.float64)
    assert first.shape == other.shape == (2,), "logodds needs exactly two classes per prompt"
    assert answer_index in (0, 1), "answer_index must be 0 or 1"
    difference = (first[0] - first[1]) - (other[0] - other[1])
    if answer_index == 1:
        difference = -difference
    if absolute:
        difference = abs(difference)
    return LogoddsScore(
        logodds_difference=float(difference),
        correct=int(int(np.argmax(other)) == answer_index),
        total_logprob=float((logsumexp(first) + logsumexp(other)) / 2),
    )


def parse_number(text: str) -> float | None:
    """A sampled completion as a number, or None: the text up to the first newline, stripped of
    spaces, commas and brackets and of trailing full stops, read by `float`."""
    cleaned = text.split("\n")[0].strip().replace(",", "").replace("(", "").replace(")", "")
    try:
        return float(cleaned.rstrip("."))
    except ValueError:
        return None


def relative_error(estimate: float, true_answer: float) -> float:
    """|estimate - true_answer| / |true_answer| (NaN for a NaN estimate; inf for a wrong
    estimate of 0)."""
    error = abs(estimate - true_answer)
    return error / abs(true_answer) if true_answer else (float("inf") if error else 0.0)


def numeric_estimate(completions: Sequence[str]) -> float:
    """Mean of the completions that parse as numbers; NaN when none does."""
    numbers = [n for n in map(parse_number, completions) if n is not None]
    return float(np.mean(numbers)) if numbers else float("nan")
