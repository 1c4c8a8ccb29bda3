"""Run tasks over a ladder of models and write a run record.

Layout of the record (`runs/invscale/<time>-ladder/` unless `out` is given)::

    config.json                   the LadderConfig, seed and versions
    status.json                   running | complete | interrupted | failed
    sizes.json                    each loaded model's parameters and training tokens
    <task>/<model>.csv, .jsonl    per-example files (`reprolab.invscale.per_example`)
    summary.csv, trends.csv       per model means with intervals; per task trend calls
    scaling.png (scaling_flops.png where every model's training FLOPs are known)
    results.json                  all of the above as numbers

A run folder made with the same settings is resumed: each (task, model) pair whose per-example
file is complete is read back instead of recomputed, and a model whose pairs are all done is not
loaded.
"""

from __future__ import annotations

import gc
import json
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import pandas as pd

from reprolab.core.device import choose_device
from reprolab.core.errors import UserError
from reprolab.core.network import go_offline, offline
from reprolab.core.records import RunRecord, write_json
from reprolab.invscale.analysis import (
    MetricTrend,
    metric_trends,
    panels,
    summary_table,
    trend_table,
)
from reprolab.invscale.config import LadderConfig
from reprolab.invscale.evaluate import evaluate_examples, numeric_sampler
from reprolab.invscale.per_example import read_per_example, slug, stem, write_per_example
from reprolab.invscale.plots import scaling_figure
from reprolab.invscale.sizes import ModelSize, model_size
from reprolab.invscale.tasks import LoadedTask, load_task
from reprolab.invscale.trends import DEFAULT_TREND_SETTINGS, TrendSettings

STUDY = "invscale"
SIZES_FILE = "sizes.json"


@dataclass
class LadderResult:
    """A finished ladder run: its record, tables, trends and figures, and the (task, model)
    pairs read back from an earlier run into the same folder."""

    record: RunRecord
    summary: pd.DataFrame
    trends: pd.DataFrame
    metric_trends: list[MetricTrend]
    figures: list[Path]
    resumed: list[tuple[str, str]] = field(default_factory=list)
    n_pairs: int = 0


def _load_tasks(config: LadderConfig) -> list[LoadedTask]:
    tasks = [load_task(name, limit=config.limit, source=config.source,
                       task_type=config.task_type) for name in config.tasks]
    if len({slug(t.name) for t in tasks}) != len(tasks):
        raise UserError(f"Two tasks would share a folder: {', '.join(t.name for t in tasks)}.")
    return tasks


def _read_sizes(folder: Path) -> dict[str, ModelSize]:
    path = folder / SIZES_FILE
    if not path.exists():
        return {}
    try:
        return {name: ModelSize(**size) for name, size in json.loads(path.read_text()).items()}
    except (json.JSONDecodeError, TypeError, AttributeError) as error:
        raise UserError(f"{path} cannot be read ({error}); delete it to recompute it.") from None


@dataclass
class LadderRun:
    """A ladder run whose settings, device and tasks are checked and whose folder exists; no
    model is loaded yet. Make it with `prepare_ladder`, then `run()` it."""

    config: LadderConfig
    device: str
    tasks: list[LoadedTask]
    record: RunRecord

    def path(self, task: LoadedTask, model: str) -> Path:
        return self.record.path(f"{stem(task.name, model)}.jsonl")

    def kept(self) -> list[tuple[str, str]]:
        """The (task, model) pairs whose per-example files are in the folder."""
        return [(task.name, model) for model in self.config.models for task in self.tasks
                if self.path(task, model).exists()]

    def run(self) -> LadderResult:
        """Evaluate every task on every model (reading finished pairs back), then analyse."""
        config, record = self.config, self.record
        with record.running():
            sizes = _read_sizes(record.folder)
            frames: dict[str, dict[str, pd.DataFrame]] = {t.name: {} for t in self.tasks}
            resumed = []
            for model in config.models:
                for task in self.tasks:
                    if self.path(task, model).exists():
                        frames[task.name][model] = read_per_example(self.path(task, model), task)
                        resumed.append((task.name, model))
                todo = [task for task in self.tasks if model not in frames[task.name]]
                if todo or model not in sizes:
                    for task, frame in self._evaluate(model, todo, sizes).items():
                        frames[task][model] = frame
            result = _analyse(record, self.tasks, frames, sizes, config.trend)
        result.resumed, result.n_pairs = resumed, len(self.tasks) * len(config.models)
        return result

    def _evaluate(self, name: str, tasks: list[LoadedTask], sizes: dict[str, ModelSize]
                  ) -> dict[str, pd.DataFrame]:
        """Load model `name`, record its size, score `tasks` and write each pair's files."""
        from reprolab.lm.scoring import score_continuations
        from reprolab.lm.zoo import load_model

        config = self.config
        model, tokenizer = load_model(name, device=self.device)
        sizes[name] = model_size(name, sum(p.numel() for p in model.parameters()))
        write_json(self.record.path(SIZES_FILE), sizes)
        score = partial(score_continuations, model, tokenizer, batch_size=config.batch_size,
                        max_length=config.max_length)
        sample = numeric_sampler(model, tokenizer, seed=config.seed, batch_size=config.batch_size)
        frames = {}
        for task in tasks:
            frames[task.name] = evaluate_examples(task.examples, task.task_type, score,
                                                  sample=sample)
            write_per_example(self.record, task, name, frames[task.name])
        del model, tokenizer, score, sample
        gc.collect()
        return frames


def _check_models(names: tuple[str, ...]) -> None:
    """Raise `UserError` for a packaged model that is not installed or a name that is neither
    packaged, a folder nor a hub id; with no network, make hub lookups fail at once."""
    from reprolab.lm.zoo import PACKAGED_MODELS, check_installed, resolve_model

    hub_ids = False
    for name in names:
        if name in PACKAGED_MODELS:
            check_installed(name)
        else:
            hub_ids |= not Path(resolve_model(name)).is_dir()
    if hub_ids and offline():
        go_offline()


def prepare_ladder(config: LadderConfig, *, out: Path | None = None) -> LadderRun:
    """Check the device, the model names and the tasks, then create the run folder, or resume
    the one in `out` made with the same settings (`RunRecord.create` refuses other settings).
    No model is loaded."""
    device = str(choose_device(config.device))
    tasks = _load_tasks(config)
    _check_models(config.models)
    record = RunRecord.create(STUDY, "ladder", config, seed=config.seed, out=out)
    return LadderRun(config, device, tasks, record)


def run_ladder(config: LadderConfig, *, out: Path | None = None) -> LadderResult:
    """`prepare_ladder(config, out=out).run()`: per-example files are written as each (task,
    model) pair finishes, so an interrupted run keeps them and a rerun resumes from them."""
    return prepare_ladder(config, out=out).run()


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


def _saved_config(folder: Path, settings: TrendSettings) -> LadderConfig:
    """The `LadderConfig` in a run folder's `config.json`, with trend `settings`."""
    path = folder / "config.json"
    try:
        saved = json.loads(path.read_text())["config"]
        return LadderConfig(
            tasks=tuple(saved["tasks"]), models=tuple(saved["models"]), limit=saved["limit"],
            seed=settings.seed, source=saved["source"], task_type=saved["task_type"],
            trend=settings)
    except (OSError, json.JSONDecodeError, KeyError, TypeError) as error:
        raise UserError(f"{folder} is not a ladder run folder ({path}: "
                        f"{type(error).__name__}: {error}).") from None


def _check_folder(folder: Path, config: LadderConfig, tasks: list[LoadedTask],
                  sizes: dict[str, ModelSize]) -> None:
    """Refuse per-example files or sizes of models that `config` does not list."""
    listed = {slug(model) for model in config.models}
    if unlisted := sorted(set(sizes) - set(config.models)):
        raise UserError(f"{folder / SIZES_FILE} has {', '.join(unlisted)}, not among the "
                        f"models of {folder / 'config.json'}.")
    for task in tasks:
        for path in sorted((folder / slug(task.name)).glob("*.jsonl")):
            if path.stem not in listed:
                raise UserError(f"{path} is the file of a model that {folder / 'config.json'} "
                                f"does not list ({', '.join(config.models)}).")


def reanalyse_ladder(folder: Path, settings: TrendSettings = DEFAULT_TREND_SETTINGS
                     ) -> LadderResult:
    """Recompute the trends, tables and figures of a ladder run folder from its per-example
    files (also of a run that stopped early: the pairs it finished are used). Files that
    disagree with the folder's `config.json` raise `UserError` naming the file."""
    config = _saved_config(folder, settings)
    sizes = _read_sizes(folder)
    tasks = _load_tasks(config)
    _check_folder(folder, config, tasks, sizes)
    frames: dict[str, dict[str, pd.DataFrame]] = {task.name: {} for task in tasks}
    for task in tasks:
        for model in config.models:
            path = folder / f"{stem(task.name, model)}.jsonl"
            if not path.exists():
                continue
            if model not in sizes:
                raise UserError(f"{path} has no size in {folder / SIZES_FILE}.")
            frames[task.name][model] = read_per_example(path, task)
    return _analyse(RunRecord(folder), tasks, frames, sizes, settings)
