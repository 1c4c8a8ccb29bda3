"""The organisers' pilot runs: per-example results of GPT-2, GPT-3 and OPT sizes.

Each run folder `pilot/results/<run>/` holds one CSV per model (`index,<metric columns>`), an
`args.log` with the run's settings (one JSON object per launch, appended, so the last one is the
latest) and sometimes `data.csv` (its input). Runs predate the final pipeline in different ways;
`PilotRun.notes` lists what a reader must know (older metric columns, models in `args.log` with
no results, empty or ragged result files, impossible values).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from reprolab.core.data import MissingDataError, dataset_dir, sha256_file
from reprolab.core.errors import UserError
from reprolab.core.progress import track
from reprolab.core.records import RunRecord
from reprolab.invscale.config import PilotConfig
from reprolab.invscale.examples import (
    TaskDataError,
    canonical_columns,
    normalise_task_type,
    parse_classes,
)
from reprolab.invscale.metrics import METRIC_LABELS
from reprolab.invscale.plots import Panel, Series, scaling_figure
from reprolab.invscale.sizes import KNOWN_SIZES
from reprolab.invscale.tasks import DATASET, read_rows
from reprolab.invscale.trends import (
    CLEAR_TREND,
    DEFAULT_TREND_SETTINGS,
    TrendCall,
    TrendSettings,
    classify_trend,
)

# Metric columns compared across sizes, with whether higher is better. The pre-final "QA"
# `logodds` column has no documented sign convention, so only its `correct` column is used;
# numeric runs are compared by `relative_error` = |estimate - true_answer| / |true_answer|.
METRICS: dict[str, bool] = {
    "correct": True,
    "loss": False,
    "logodds_difference": False,
    "relative_error": False,
}
NOT_RESULTS = {"data.csv"}


@dataclass
class PilotRun:
    """One pilot run: its settings, its result files by model, and caveats."""

    name: str
    folder: Path
    settings: dict
    launches: int
    results: dict[str, pd.DataFrame] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    copies: dict[str, str] = field(default_factory=dict)

    @property
    def is_copy(self) -> bool:
        """Every result file repeats one of an earlier run."""
        return bool(self.results) and set(self.copies) == set(self.results)

    @property
    def task_type(self) -> str:
        return str(self.settings.get("task_type", "classification"))

    @property
    def dataset(self) -> str:
        return str(self.settings.get("dataset", self.name))

    def metrics(self) -> list[str]:
        """Metric columns present in every result file of this run."""
        columns = [set(frame.columns) for frame in self.results.values()]
        shared = set.intersection(*columns) if columns else set()
        return [m for m in METRICS if m in shared]


def parse_args_log(text: str) -> list[dict]:
    """The JSON objects of an `args.log` (several launches are appended without separators)."""
    decoder, objects, position = json.JSONDecoder(), [], 0
    text = text.strip()
    while position < len(text):
        obj, position = decoder.raw_decode(text, position)
        objects.append(obj)
        while position < len(text) and text[position].isspace():
            position += 1
    return objects


def read_run(folder: Path) -> PilotRun:
    """Read one run folder; problems are recorded in `notes`, never raised."""
    notes = []
    try:
        launches = parse_args_log((folder / "args.log").read_text())
    except (OSError, json.JSONDecodeError) as error:
        launches, notes = [], [f"args.log unreadable ({type(error).__name__})"]
    run = PilotRun(folder.name, folder, launches[-1] if launches else {}, len(launches),
                   notes=notes)
    if run.launches > 1:
        run.notes.append(f"args.log holds {run.launches} launches; the last is used")
    for path in sorted(folder.glob("*.csv")):
        if path.name in NOT_RESULTS:
            continue
        frame = pd.read_csv(path)
        if frame.empty or "index" not in frame:
            run.notes.append(f"{path.stem}: empty or without an index column, skipped")
            continue
        run.results[path.stem] = frame.set_index("index").sort_index()
    _check(run)
    return run


def _check(run: PilotRun) -> None:
    listed = set(run.settings.get("models", []))
    if listed and (absent := sorted(listed - set(run.results))):
        run.notes.append(f"args.log lists {', '.join(absent)} without results")
    if extra := sorted(set(run.results) - listed) if listed else []:
        run.notes.append(f"results for {', '.join(extra)} not in the last args.log")
    lengths = {len(frame) for frame in run.results.values()}
    if len(lengths) > 1:
        run.notes.append(f"result files differ in length ({min(lengths)}..{max(lengths)} rows); "
                         "only shared indices are compared")
    if run.task_type == "QA":
        run.notes.append("pre-final 'QA' format: logodds of one prompt, no logodds_difference")
    for model, frame in run.results.items():
        if "total_logprob" in frame and (frame["total_logprob"] > 0).any():
            run.notes.append(f"{model}: total_logprob > 0 (impossible for a log-probability)")
    if unknown := sorted(m for m in run.results if m not in KNOWN_SIZES):
        run.notes.append(f"no known size for {', '.join(unknown)}")


def pilot_root() -> Path:
    """`<data root>/inverse-scaling/pilot` (raises `MissingDataError` if the dataset is absent)."""
    return dataset_dir(DATASET) / "pilot"


def discover_runs(root: Path | None = None, names: Iterable[str] | None = None
                  ) -> list[PilotRun]:
    """The runs under `root/results` (all, or those in `names`), by name. A result file identical
    to one of an earlier run (the organisers' "combined" folders) is noted and kept in `copies`."""
    results = (root or pilot_root()) / "results"
    folders = sorted(f for f in results.iterdir() if f.is_dir())
    if names is not None:
        wanted = set(names)
        if unknown := sorted(wanted - {f.name for f in folders}):
            raise UserError(f"No pilot run named {', '.join(unknown)} in {results}.")
        folders = [f for f in folders if f.name in wanted]
    runs = [read_run(folder) for folder in folders]
    first_seen: dict[str, str] = {}
    for run in runs:
        for model in run.results:
            digest = sha256_file(run.folder / f"{model}.csv")
            if digest in first_seen:
                run.copies[model] = first_seen[digest]
            else:
                first_seen[digest] = f"{run.name}/{model}"
        if run.copies:
            run.notes.append("same results as " + "; ".join(
                f"{model} = {source}" for model, source in run.copies.items()))
    return runs


def aligned_metric(run: PilotRun, metric: str, models: list[str]) -> np.ndarray:
    """`(items, models)` values of `metric` on the indices every model has."""
    frames = [run.results[m][metric] for m in models]
    shared = frames[0].index
    for frame in frames[1:]:
        shared = shared.intersection(frame.index)
    return np.column_stack([frame.loc[shared].to_numpy(dtype=np.float64) for frame in frames])


def _inputs(run: PilotRun, root: Path | None) -> list[dict]:
    """The run's input rows: its own `data.csv`, else `pilot/data/<dataset>.csv` (when the
    organisers' data is present)."""
    candidates = [run.folder / "data.csv"]
    with suppress(MissingDataError):  # a run kept outside the organisers' data
        candidates.append((root or pilot_root()) / "data" / f"{run.dataset}.csv")
    for path in candidates:
        if path.exists():
            try:
                return [canonical_columns(row) for _, row in read_rows(path)]
            except TaskDataError:
                continue
    return []


def chance_accuracy(run: PilotRun, root: Path | None = None) -> float | None:
    """Mean of 1/len(classes) over the run's input items, when its input can be found."""
    try:
        sizes = [len(parse_classes(row["classes"])) for row in _inputs(run, root)]
    except (KeyError, TaskDataError):
        return None
    return float(np.mean([1 / n for n in sizes])) if sizes else None


def add_relative_error(run: PilotRun, root: Path | None = None) -> None:
    """Give numeric runs a `relative_error` column from their inputs' `true_answer`."""
    if "estimate" not in set.union(set(), *(set(f.columns) for f in run.results.values())):
        return
    truth = pd.to_numeric(pd.Series([row.get("true_answer") for row in _inputs(run, root)],
                                    dtype=object), errors="coerce")
    if truth.empty or truth.isna().any():
        run.notes.append("numeric run without true answers: not compared")
        return
    for frame in run.results.values():
        answers = truth.reindex(frame.index)
        frame["relative_error"] = (frame["estimate"] - answers).abs() / answers.abs()


def run_task_type(run: PilotRun) -> str:
    """The run's task type in final-pipeline names (`QA` -> logodds)."""
    try:
        return normalise_task_type(run.task_type)
    except TaskDataError:
        return run.task_type


@dataclass(frozen=True)
class PilotTrend:
    """The trend of one metric over one model family's sizes in one pilot run."""

    run: str
    task_type: str
    family: str
    metric: str
    models: tuple[str, ...]
    sizes: tuple[float, ...]
    call: TrendCall
    chance: float | None


def family_ladders(run: PilotRun) -> dict[str, list[str]]:
    """The run's models of known size grouped by family, each sorted by size."""
    known = sorted((m for m in run.results if m in KNOWN_SIZES),
                   key=lambda m: KNOWN_SIZES[m].parameters)
    ladders: dict[str, list[str]] = {}
    for model in known:
        ladders.setdefault(KNOWN_SIZES[model].family, []).append(model)
    return ladders


def run_trends(run: PilotRun, settings: TrendSettings = DEFAULT_TREND_SETTINGS,
               root: Path | None = None) -> list[PilotTrend]:
    """Trends of every metric over every family with at least two sizes in `run`."""
    add_relative_error(run, root)
    chance = chance_accuracy(run, root)
    trends = []
    for family, models in family_ladders(run).items():
        if len(models) < 2:
            continue
        sizes = tuple(KNOWN_SIZES[m].parameters for m in models)
        for metric in run.metrics():
            values = aligned_metric(run, metric, models)
            if not np.isfinite(values).all(axis=1).any():
                continue
            call = classify_trend(values, sizes, higher_is_better=METRICS[metric],
                                  settings=settings)
            trends.append(PilotTrend(run.name, run_task_type(run), family, metric, tuple(models),
                                     sizes, call, chance if metric == "correct" else None))
    return trends


def primary(trends: list[PilotTrend]) -> list[PilotTrend]:
    """Each run and family's first metric in `METRICS` order (accuracy where there is one)."""
    best: dict[tuple[str, str], PilotTrend] = {}
    order = list(METRICS)
    for trend in trends:
        key = (trend.run, trend.family)
        if key not in best or order.index(trend.metric) < order.index(best[key].metric):
            best[key] = trend
    return list(best.values())


def trend_table(trends: list[PilotTrend], runs: dict[str, PilotRun] | None = None
                ) -> pd.DataFrame:
    """One row per run, family and metric: values by size, the trend call, and run notes."""
    rows = []
    for t in trends:
        call = t.call
        rows.append({
            "run": t.run, "task_type": t.task_type, "family": t.family, "metric": t.metric,
            "models": " < ".join(t.models), "n_items": call.n_items,
            "values": " → ".join(f"{m:.3g}" for m in call.means), "chance": t.chance,
            "trend": call.verdict, "estimate": call.shape, "p(trend)": call.probability,
            "slope/decade": call.slope,
            "slope CI": f"[{call.slope_lower:.3g}, {call.slope_upper:.3g}]",
            "notes": "; ".join(runs[t.run].notes) if runs else "",
        })
    return pd.DataFrame(rows)


def trend_panels(trends: list[PilotTrend]) -> list[Panel]:
    """One panel per run and metric, one line per model family."""
    grouped: dict[tuple[str, str], list[PilotTrend]] = {}
    for trend in trends:
        grouped.setdefault((trend.run, trend.metric), []).append(trend)
    return [Panel(run, METRIC_LABELS[metric],
                  tuple(Series(t.family, t.sizes, t.call) for t in group),
                  chance=group[0].chance)
            for (run, metric), group in grouped.items()]


def trend_counts(table: pd.DataFrame) -> dict[str, int]:
    """How many rows of a trend table are called by each name; calls below `CLEAR_TREND`
    count as `no clear trend`."""
    named = table["estimate"].where(table["p(trend)"] >= CLEAR_TREND, "no clear trend")
    return {str(k): int(v) for k, v in named.value_counts().items()}


DEFAULT_PILOT = PilotConfig()


@dataclass
class PilotAnalysis:
    """The trend of every pilot run: the full table, the primary-metric table and figures."""

    record: RunRecord
    table: pd.DataFrame
    primary_table: pd.DataFrame
    figures: list[Path]


def analyse_pilot(config: PilotConfig = DEFAULT_PILOT, *, out: Path | None = None,
                  root: Path | None = None) -> PilotAnalysis:
    """Classify the trend of every run (or those in `config.runs`), family and metric of the
    pilot results and record it: `trends.csv` (all metrics), `primary_trends.csv`, and figures
    of the primary metric, `pilot_accuracy.png` and `pilot_other.png` (runs without accuracy),
    leaving out runs that only repeat earlier result files."""
    runs = {run.name: run for run in discover_runs(root, config.runs)}
    record = RunRecord.create("invscale", "pilot", config, seed=config.trend.seed, out=out)
    trends = [t for run in track(list(runs.values()), "pilot runs")
              for t in run_trends(run, config.trend, root)]
    table = trend_table(trends, runs)
    record.write_table("trends.csv", table)
    first = primary(trends)
    primary_table = trend_table(first, runs)
    record.write_table("primary_trends.csv", primary_table)
    shown = [t for t in first if not runs[t.run].is_copy]
    figures = []
    for name, chosen in (("pilot_accuracy", [t for t in shown if t.metric == "correct"]),
                         ("pilot_other", [t for t in shown if t.metric != "correct"])):
        if chosen:
            figures.append(record.save_figure(name, scaling_figure(trend_panels(chosen), 5)))
    record.write_results({"runs": len(runs), "trend_calls": len(table),
                          "primary_trend_counts": trend_counts(primary_table)})
    return PilotAnalysis(record, table, primary_table, figures)
