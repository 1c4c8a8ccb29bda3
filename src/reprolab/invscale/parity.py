"""Parity with lm-evaluation-harness's `inverse_scaling_mc` tasks (accuracy and log-likelihoods).

lm-eval runs offline on a local model folder with a local task that includes lm-eval's own
`_inverse_scaling_mc_yaml` (prompt as text, `answer_index` as target, no target delimiter, `acc`),
reading the same JSONL file. Only the data source and the choice list change: the prize files
store `classes` as a string holding a list, so the local task parses it with lm-eval's template
path (`doc_to_choice: "{{classes}}"`, read with `ast.literal_eval` by lm-eval) rather than reading
the string column as a list.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from reprolab.core.device import choose_device
from reprolab.core.errors import UserError
from reprolab.invscale.config import ParityConfig
from reprolab.invscale.tasks import LoadedTask

LM_EVAL_BASE = "_inverse_scaling_mc_yaml"
OFFLINE_ENV = {"HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}


@dataclass(frozen=True)
class ParityResult:
    """Ours beside lm-eval on one task: accuracies, per-item disagreements on `correct`, and the
    largest absolute difference of any class log-likelihood."""

    task: str
    n_items: int
    accuracy_ours: float
    accuracy_lm_eval: float
    correct_disagreements: int
    max_abs_loglik_difference: float

    @property
    def identical_accuracy(self) -> bool:
        return self.accuracy_ours == self.accuracy_lm_eval


def lm_eval_base_yaml() -> Path:
    """lm-eval's shared settings file of the `inverse_scaling_mc` task family."""
    import lm_eval

    return Path(lm_eval.__file__).parent / "tasks" / "inverse_scaling" / LM_EVAL_BASE


def local_task_yaml(task_name: str, data_file: Path) -> str:
    """A task config inheriting `inverse_scaling_mc`, reading `data_file` (prize JSONL)."""
    return (f"include: {lm_eval_base_yaml()}\n"
            f"task: {task_name}\n"
            "dataset_path: json\n"
            "dataset_kwargs:\n"
            f"  data_files: {{train: '{data_file}'}}\n"
            "doc_to_choice: '{{classes}}'\n")


@contextmanager
def _offline() -> Iterator[None]:
    saved = {key: os.environ.get(key) for key in OFFLINE_ENV}
    os.environ.update(OFFLINE_ENV)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def lm_eval_task_name(task: LoadedTask) -> str:
    return "reprolab_parity_" + re.sub(r"\W+", "_", task.name)


def run_lm_eval(model_folder: Path, tasks: list[LoadedTask], *, limit: int | None = None,
                batch_size: int = 8, device: str = "cpu") -> dict[str, pd.DataFrame]:
    """lm-eval's per-item results on each task (one lm-eval run): `index`, `correct` (its acc)
    and `logliks` (one per class) for the first `limit` items, by task name. Each task's
    `source` must be a local JSONL file."""
    from lm_eval import simple_evaluate
    from lm_eval.tasks import TaskManager

    for task in tasks:
        if not Path(task.source).is_file():
            raise UserError(f"Parity needs {task.name} as a local file, not {task.source}.")
    names = {task.name: lm_eval_task_name(task) for task in tasks}
    with tempfile.TemporaryDirectory() as folder, _offline():
        for task in tasks:
            (Path(folder) / f"{names[task.name]}.yaml").write_text(
                local_task_yaml(names[task.name], Path(task.source)))
        output = simple_evaluate(
            model="hf", model_args={"pretrained": str(model_folder), "dtype": "float32"},
            tasks=list(names.values()),
            task_manager=TaskManager(include_path=folder, include_defaults=False),
            limit=limit, batch_size=batch_size, device=device, log_samples=True,
            random_seed=0, numpy_random_seed=0, torch_random_seed=0, fewshot_random_seed=0)
    frames = {}
    for task_name, name in names.items():
        samples = sorted(output["samples"][name], key=lambda s: s["doc_id"])
        frames[task_name] = pd.DataFrame({
            "index": [s["doc_id"] for s in samples],
            "correct": [int(s["acc"]) for s in samples],
            "logliks": [[float(r[0]) for r in s["filtered_resps"]] for s in samples],
        })
    return frames


def compare(task: str, ours: pd.DataFrame, theirs: pd.DataFrame) -> ParityResult:
    """Compare our per-example frame (`class_logprobs`, `correct`) with `run_lm_eval`'s."""
    merged = ours.merge(theirs, on="index", suffixes=("_ours", "_lm_eval"))
    assert len(merged) == len(theirs), "lm-eval scored items that we did not"
    differences = [np.abs(np.subtract(a, b)).max()
                   for a, b in zip(merged["class_logprobs"], merged["logliks"], strict=True)]
    return ParityResult(
        task=task,
        n_items=len(merged),
        accuracy_ours=float(merged["correct_ours"].mean()),
        accuracy_lm_eval=float(merged["correct_lm_eval"].mean()),
        correct_disagreements=int((merged["correct_ours"] != merged["correct_lm_eval"]).sum()),
        max_abs_loglik_difference=float(max(differences)),
    )


def check_parity(config: ParityConfig) -> list[ParityResult]:
    """Score each task's first `config.limit` items with our scorer and with lm-eval, on the
    same model folder (a packaged name or a local transformers folder), and compare."""
    from functools import partial

    from reprolab.invscale.evaluate import evaluate_examples
    from reprolab.invscale.tasks import load_task
    from reprolab.lm.scoring import score_continuations
    from reprolab.lm.zoo import load_model, resolve_model

    device = str(choose_device(config.device))
    loaded = [load_task(name, limit=config.limit, source="local") for name in config.tasks]
    for task in loaded:
        if task.task_type != "classification":
            raise UserError(f"lm-eval's inverse_scaling_mc covers classification tasks, "
                            f"not {task.name} ({task.task_type}).")
    folder = Path(resolve_model(config.model))
    if not folder.is_dir():
        raise UserError(f"Parity runs lm-eval offline on a local model folder; "
                        f"{config.model!r} is not one.")
    loaded_model, tokenizer = load_model(str(folder), device=device)
    score = partial(score_continuations, loaded_model, tokenizer, batch_size=config.batch_size)
    theirs = run_lm_eval(folder, loaded, limit=config.limit, batch_size=config.batch_size,
                         device=device)
    return [compare(task.name, evaluate_examples(task.examples, task.task_type, score),
                    theirs[task.name]) for task in loaded]
