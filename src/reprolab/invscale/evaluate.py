"""Score a task's examples with one model and compute the official per-example metrics.

The model is reached through a `Scorer` (log-likelihood requests in, results out, as
`reprolab.lm.scoring.score_continuations` answers them) and, for numeric tasks only, a `Sampler`
(prompt in, sampled completions out). Every distinct (context, continuation) pair is scored once,
and pairs sharing a context (the classes of one prompt) go to the scorer together, which computes
that context once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import pandas as pd

from reprolab.core.progress import track
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
    OFFICIAL_COLUMNS,
    classification_score,
    logodds_score,
    numeric_estimate,
    relative_error,
    sequence_prob_loss,
)
from reprolab.lm.requests import LoglikelihoodRequest, LoglikelihoodResult

Scorer = Callable[[Sequence[LoglikelihoodRequest]], Sequence[LoglikelihoodResult]]
Sampler = Callable[[str], Sequence[str]]


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
         sample: Sampler | None) -> dict:
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
    if sample is None:
        raise ValueError("numeric tasks need a sampler (a model that can generate text)")
    completions = list(sample(example.prompt))
    estimate = numeric_estimate(completions)
    return {"estimate": estimate, "relative_error": relative_error(estimate, example.true_answer),
            "completions": completions}


def evaluate_examples(examples: Sequence[Example], task_type: TaskType, score: Scorer, *,
                      sample: Sampler | None = None) -> pd.DataFrame:
    """One row per example: `index`, the official columns, then per-class details."""
    results = score_examples(examples, score)
    pairs = zip(examples, results, strict=True)
    if task_type == "numeric":
        pairs = track(list(pairs), "sampling numbers")
    rows = [{"index": i, **_row(e, r, task_type, sample)} for i, (e, r) in enumerate(pairs)]
    return pd.DataFrame(rows)


def write_official_csv(frame: pd.DataFrame, task_type: TaskType, path: Path) -> Path:
    """Write the organisers' per-model result file: `index` and the official columns only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    frame[["index", *OFFICIAL_COLUMNS[task_type]]].to_csv(path, index=False)
    return path


def hf_sampler(model, tokenizer, *, samples: int = NUMERIC_SAMPLES,
               temperature: float = NUMERIC_TEMPERATURE,
               max_new_tokens: int = NUMERIC_MAX_NEW_TOKENS) -> Sampler:
    """A `Sampler` over a transformers causal LM, with the official numeric settings."""
    import torch

    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id

    def sample(prompt: str) -> list[str]:
        inputs = tokenizer(prompt, return_tensors="pt").to(model.device)
        with torch.inference_mode():
            output = model.generate(**inputs, do_sample=True, temperature=temperature,
                                    num_return_sequences=samples, max_new_tokens=max_new_tokens,
                                    pad_token_id=pad)
        new_tokens = output[:, inputs["input_ids"].shape[1]:]
        return tokenizer.batch_decode(new_tokens, skip_special_tokens=True)

    return sample
