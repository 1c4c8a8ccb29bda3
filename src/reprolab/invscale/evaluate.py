"""Score a task's examples with one model and compute the official per-example metrics.

The model is reached through a `Scorer` (log-likelihood requests in, results out, as
`reprolab.lm.scoring.score_continuations` answers them) and, for numeric tasks only, a `Sampler`
(prompts in, each prompt's sampled completions out, as `numeric_sampler` builds it on
`reprolab.lm.generation`). Every distinct (context, continuation) pair is scored once,
and pairs sharing a context (the classes of one prompt) go to the scorer together, which computes
that context once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial

import pandas as pd

from reprolab.invscale.examples import (
    ClassificationExample,
    Example,
    LogoddsExample,
    NumericExample,
    SequenceProbExample,
    TaskType,
)
from reprolab.invscale.metrics import (
    NUMERIC_MAX_NEW_TOKENS,
    NUMERIC_SAMPLES,
    NUMERIC_TEMPERATURE,
    classification_score,
    logodds_score,
    numeric_estimate,
    relative_error,
    sequence_prob_loss,
)
from reprolab.lm.requests import LoglikelihoodRequest, LoglikelihoodResult, SamplingParams

Scorer = Callable[[Sequence[LoglikelihoodRequest]], Sequence[LoglikelihoodResult]]
Sampler = Callable[[Sequence[str]], Sequence[Sequence[str]]]


def requests_for(example: Example) -> list[LoglikelihoodRequest]:
    """The log-likelihood requests one example needs (none for numeric examples)."""
    if isinstance(example, ClassificationExample):
        return [LoglikelihoodRequest(example.prompt, c) for c in example.classes]
    if isinstance(example, SequenceProbExample):
        return [LoglikelihoodRequest(example.prompt, example.completion)]
    if isinstance(example, LogoddsExample):
        return [LoglikelihoodRequest(prompt, c)
                for prompt in (example.prompt, example.other_prompt) for c in example.classes]
    return []


def score_examples(examples: Sequence[Example], score: Scorer
                   ) -> list[list[LoglikelihoodResult]]:
    """Each example's results, in `requests_for` order; duplicate requests are scored once."""
    per_example = [requests_for(e) for e in examples]
    unique = list(dict.fromkeys(r for requests in per_example for r in requests))
    answers = list(score(unique)) if unique else []
    assert len(answers) == len(unique), "the scorer must answer every request"
    lookup = dict(zip(unique, answers, strict=True))
    return [[lookup[r] for r in requests] for requests in per_example]


def _row(example: Example, results: list[LoglikelihoodResult], task_type: TaskType,
         completions: Sequence[str]) -> dict:
    logprobs = [r.logprob for r in results]
    if isinstance(example, ClassificationExample):
        score = classification_score(logprobs, example.answer_index)
        return {"loss": score.loss, "correct": score.correct,
                "total_logprob": score.total_logprob, "predicted": score.predicted,
                "class_logprobs": logprobs, "class_tokens": [r.n_tokens for r in results]}
    if isinstance(example, SequenceProbExample):
        (result,) = results
        return {"loss": sequence_prob_loss(result.logprob), "n_tokens": result.n_tokens,
                "is_greedy": result.is_greedy}
    if isinstance(example, LogoddsExample):
        score = logodds_score(logprobs[:2], logprobs[2:], example.answer_index,
                              absolute=task_type == "absolute_logodds")
        return {"logodds_difference": score.logodds_difference, "correct": score.correct,
                "total_logprob": score.total_logprob, "class_logprobs": logprobs[:2],
                "other_class_logprobs": logprobs[2:]}
    assert isinstance(example, NumericExample)
    estimate = numeric_estimate(completions)
    return {"estimate": estimate, "relative_error": relative_error(estimate, example.true_answer),
            "completions": list(completions)}


def evaluate_examples(examples: Sequence[Example], task_type: TaskType, score: Scorer, *,
                      sample: Sampler | None = None) -> pd.DataFrame:
    """One row per example: `index`, the official columns, then per-class details. Numeric
    examples need `sample`, called once with every numeric prompt."""
    results = score_examples(examples, score)
    numeric = [e.prompt for e in examples if isinstance(e, NumericExample)]
    assert not numeric or sample is not None, "numeric tasks need a sampler"
    samples = iter(sample(numeric) if numeric else ())
    rows = [{"index": i, **_row(e, r, task_type,
                                next(samples) if isinstance(e, NumericExample) else ())}
            for i, (e, r) in enumerate(zip(examples, results, strict=True))]
    return pd.DataFrame(rows)


def numeric_sampler(model, tokenizer, *, seed: int, batch_size: int) -> Sampler:
    """The official numeric sampling (`NUMERIC_SAMPLES` completions at `NUMERIC_TEMPERATURE`,
    at most `NUMERIC_MAX_NEW_TOKENS` tokens) through `reprolab.lm.generation`, the samples of
    `batch_size` prompts decoded together; a sample stops at its first newline, where the
    official parser cuts it anyway."""
    from reprolab.lm.generation import generate

    params = SamplingParams(max_new_tokens=NUMERIC_MAX_NEW_TOKENS,
                            temperature=NUMERIC_TEMPERATURE, stop=("\n",), seed=seed)
    return partial(generate, model, tokenizer, params=params,
                   batch_size=batch_size * NUMERIC_SAMPLES, num_return_sequences=NUMERIC_SAMPLES)
