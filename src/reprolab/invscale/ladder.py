"""Run tasks over a ladder of models and write a run record.

Layout of the record (`runs/invscale/<time>-ladder/` unless `out` is given)::

    config.json                   the LadderConfig, seed and versions
    sizes.json                    each finished model's parameters and training tokens
    <task>/<model>.csv            the organisers' per-example columns (`index,loss,correct,...`);
                                  names made file-safe (`pilot:x` -> `pilot_x`, `a/b` -> `a_b`)
    <task>/<model>.jsonl          the same rows with per-class log-probs and predictions
    summary.csv, trends.csv       per model means with intervals; per task trend calls
    scaling.png (scaling_flops.png where every model's training FLOPs are known)
    results.json                  all of the above as numbers
"""

from __future__ import annotations

import gc
import json
import re
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import get_args

import pandas as pd

from reprolab.core.records import RunRecord, write_json
from reprolab.core.seeding import seed_everything
from reprolab.invscale.analysis import (
    MetricTrend,
    metric_trends,
    panels,
    summary_table,
    trend_table,
)
from reprolab.invscale.evaluate import evaluate_examples, hf_sampler, write_official_csv
from reprolab.invscale.examples import TASK_TYPES, TaskType
from reprolab.invscale.plots import scaling_figure
from reprolab.invscale.sizes import ModelSize, model_size
from reprolab.invscale.tasks import LoadedTask, Source, load_task
from reprolab.invscale.trends import DEFAULT_TREND_SETTINGS, TrendSettings

STUDY = "invscale"
SIZES_FILE = "sizes.json"


@dataclass(frozen=True)
class LadderConfig:
    """What a ladder run evaluates and how."""

    tasks: tuple[str, ...] = field(default=("memo-trap", "neqa"), metadata={
        "help": "Winner names, pilot:NAME, or prize-format JSONL/CSV paths."})
    models: tuple[str, ...] = field(default=("smollm2-135m", "gemma3-270m"), metadata={
        "help": "Packaged model names, local folders or Hugging Face ids."})
    limit: int | None = field(default=None, metadata={
        "help": "Evaluate only the first N examples of each task (a labelled subset)."})
    batch_size: int = field(default=16, metadata={"help": "Sequences per forward pass."})
    max_length: int | None = field(default=None, metadata={
        "help": "Truncate inputs to this many tokens from the left (default: the model's)."})
    device: str = field(default="auto", metadata={"help": "auto, cpu, cuda, cuda:1, mps."})
    seed: int = field(default=0, metadata={"help": "Seed for sampling and the bootstrap."})
    source: Source = field(default="auto", metadata={
        "help": "Where winners come from: auto (local file, else the Hub), local or hub."})
    task_type: TaskType | None = field(default=None, metadata={
        "help": "Override the task type (e.g. absolute_logodds for a logodds file)."})
    trend: TrendSettings = field(default_factory=TrendSettings, metadata={
        "help": "Bootstrap and trend-classifier settings."})

    def __post_init__(self) -> None:
        if not self.tasks or not self.models:
            raise ValueError("give at least one task and one model")
        if len(set(self.models)) != len(self.models):
            raise ValueError(f"a model is listed twice in {list(self.models)}")
        if self.limit is not None and self.limit < 1:
            raise ValueError(f"limit must be >= 1, got {self.limit}")
        if self.batch_size < 1:
            raise ValueError(f"batch_size must be >= 1, got {self.batch_size}")
        if self.source not in get_args(Source):
            raise ValueError(f"source must be one of {get_args(Source)}, got {self.source!r}")
        if self.task_type is not None and self.task_type not in TASK_TYPES:
            raise ValueError(f"task_type must be one of {TASK_TYPES}, got {self.task_type!r}")


@dataclass
class LadderResult:
    """A finished ladder run: its record, tables, trends and figures."""

    record: RunRecord
    summary: pd.DataFrame
    trends: pd.DataFrame
    metric_trends: list[MetricTrend]
    figures: list[Path]


def slug(name: str) -> str:
    """A file-name-safe form of a task or model name, hub id or path."""
    return re.sub(r"[^\w.-]+", "_", name.strip("/")).strip("_") or "_"


def _evaluate_model(name: str, tasks: list[LoadedTask], config: LadderConfig,
                    record: RunRecord) -> tuple[ModelSize, dict[str, pd.DataFrame]]:
    from reprolab.lm.scoring import score_continuations
    from reprolab.lm.zoo import load_model

    model, tokenizer = load_model(name, device=config.device)
    size = model_size(name, sum(p.numel() for p in model.parameters()))
    score = partial(score_continuations, model, tokenizer, batch_size=config.batch_size,
                    max_length=config.max_length)
    sample = hf_sampler(model, tokenizer)
    frames = {}
    for task in tasks:
        seed_everything(config.seed)
        frame = evaluate_examples(task.examples, task.task_type, score, sample=sample)
        stem = f"{slug(task.name)}/{slug(name)}"
        write_official_csv(frame, task.task_type, record.path(f"{stem}.csv"))
        record.write_jsonl(f"{stem}.jsonl", frame.to_dict("records"))
        frames[task.name] = frame
    del model, tokenizer, score, sample
    gc.collect()
    return size, frames


def _results(tasks: list[LoadedTask], trends: list[MetricTrend]) -> dict:
    results: dict = {"tasks": {}}
    for task in tasks:
        results["tasks"][task.name] = {
            "task_type": task.task_type, "source": task.source, "sha256": task.sha256,
            "n_examples": len(task.examples), "paper_trend": task.prize_task and
            task.prize_task.paper_trend, "metrics": {},
        }
    for t in trends:
        results["tasks"][t.task]["metrics"][t.metric] = {
            "models": {m: {"parameters": s.parameters, "training_flops": s.training_flops,
                           "value": v, "lower": lo, "upper": hi}
                       for m, s, v, lo, hi in zip(t.models, t.sizes, t.means, t.lower, t.upper,
                                                  strict=True)},
            "trend": t.call, "chance": t.chance,
        }
    return results


def _analyse(record: RunRecord, tasks: list[LoadedTask],
             frames: dict[str, dict[str, pd.DataFrame]], sizes: dict[str, ModelSize],
             settings: TrendSettings) -> LadderResult:
    trends = [trend for task in tasks if frames[task.name]
              for trend in metric_trends(task, frames[task.name], sizes, settings)]
    summary, table = summary_table(trends), trend_table(trends)
    record.write_table("summary.csv", summary)
    record.write_table("trends.csv", table)
    figures = []
    for flops, name in ((False, "scaling"), (True, "scaling_flops")):
        if chosen := panels(trends, flops=flops):
            figures.append(record.save_figure(name, scaling_figure(chosen, ncols=2)))
    record.write_results(_results(tasks, trends))
    return LadderResult(record, summary, table, trends, figures)


def _load_tasks(config: LadderConfig) -> list[LoadedTask]:
    tasks = [load_task(name, limit=config.limit, source=config.source,
                       task_type=config.task_type) for name in config.tasks]
    if len({slug(t.name) for t in tasks}) != len(tasks):
        raise ValueError(f"two tasks would share a folder: {[t.name for t in tasks]}")
    return tasks


def run_ladder(config: LadderConfig, *, out: Path | None = None) -> LadderResult:
    """Evaluate every task on every model, then analyse trends; returns the record and tables.

    Per-example files and `sizes.json` are written as each model finishes, so an interrupted run
    keeps them (`reanalyse_ladder` analyses what is there).
    """
    seed_everything(config.seed)
    tasks = _load_tasks(config)
    record = RunRecord.create(STUDY, "ladder", config, seed=config.seed, out=out)
    sizes: dict[str, ModelSize] = {}
    frames: dict[str, dict[str, pd.DataFrame]] = {t.name: {} for t in tasks}
    for name in config.models:
        sizes[name], by_task = _evaluate_model(name, tasks, config, record)
        write_json(record.path(SIZES_FILE), sizes)
        for task_name, frame in by_task.items():
            frames[task_name][name] = frame
    return _analyse(record, tasks, frames, sizes, config.trend)


def reanalyse_ladder(folder: Path, settings: TrendSettings = DEFAULT_TREND_SETTINGS
                     ) -> LadderResult:
    """Recompute the trends, tables and figures of a ladder run folder from its per-example
    files (also of a run that stopped early: the models it finished are used)."""
    try:
        saved = json.loads((folder / "config.json").read_text())["config"]
        stored_sizes = json.loads((folder / SIZES_FILE).read_text())
    except (OSError, json.JSONDecodeError, KeyError) as error:
        raise FileNotFoundError(f"{folder} is not a ladder run folder ({error}).") from None
    config = LadderConfig(tasks=tuple(saved["tasks"]), models=tuple(saved["models"]),
                          limit=saved["limit"], source=saved["source"],
                          task_type=saved["task_type"], trend=settings)
    sizes = {name: ModelSize(**stored) for name, stored in stored_sizes.items()}
    tasks = _load_tasks(config)
    frames = {task.name: {name: pd.read_json(path, lines=True) for name in sizes
                          if (path := folder / slug(task.name) / f"{slug(name)}.jsonl").exists()}
              for task in tasks}
    return _analyse(RunRecord(folder), tasks, frames, sizes, settings)
