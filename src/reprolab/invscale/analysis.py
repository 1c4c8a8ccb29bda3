"""Trend analysis of a model ladder: per task and metric, each model's mean with a bootstrap
interval, the classified trend over sizes, and paper-style panels."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from reprolab.core.stats import bootstrap_interval
from reprolab.invscale.metrics import METRIC_LABELS, TREND_METRICS
from reprolab.invscale.plots import Panel, Series
from reprolab.invscale.sizes import ModelSize
from reprolab.invscale.tasks import LoadedTask
from reprolab.invscale.trends import (
    DEFAULT_TREND_SETTINGS,
    TrendCall,
    TrendSettings,
    classify_trend,
)


@dataclass(frozen=True)
class MetricTrend:
    """One task's metric over the ladder: models by increasing size, their intervals, the trend
    (None for a single model or models of equal size) and, for accuracy, the chance level."""

    task: str
    metric: str
    models: tuple[str, ...]
    sizes: tuple[ModelSize, ...]
    means: tuple[float, ...]
    lower: tuple[float, ...]
    upper: tuple[float, ...]
    call: TrendCall | None
    chance: float | None
    paper_trend: str | None
    n_items: int


def metric_trends(task: LoadedTask, frames: dict[str, pd.DataFrame], sizes: dict[str, ModelSize],
                  settings: TrendSettings = DEFAULT_TREND_SETTINGS) -> list[MetricTrend]:
    """Trends of every compared metric of `task`, from per-model per-example frames."""
    models = tuple(sorted(frames, key=lambda m: sizes[m].parameters))
    ordered_sizes = tuple(sizes[m] for m in models)
    paper = task.prize_task.paper_trend if task.prize_task else None
    trends = []
    for metric, higher_is_better in TREND_METRICS[task.task_type]:
        values = np.column_stack([frames[m][metric].to_numpy(dtype=np.float64) for m in models])
        values = values[~np.isnan(values).any(axis=1)]
        if len(values) == 0:
            continue
        call = None
        if len({s.parameters for s in ordered_sizes}) == len(models) >= 2:
            call = classify_trend(values, [s.parameters for s in ordered_sizes],
                                  higher_is_better=higher_is_better, settings=settings)
        interval = bootstrap_interval(values, n_boot=settings.n_boot,
                                      confidence=settings.confidence, seed=settings.seed)
        chance = task.random_chance if metric == "correct" else None
        trends.append(MetricTrend(
            task.name, metric, models, ordered_sizes, tuple(interval.mean.tolist()),
            tuple(interval.lower.tolist()), tuple(interval.upper.tolist()), call, chance, paper,
            len(values)))
    return trends


def summary_table(trends: list[MetricTrend]) -> pd.DataFrame:
    """One row per task, metric and model: size, training FLOPs, mean and interval."""
    rows = [
        {"task": t.task, "metric": METRIC_LABELS[t.metric], "model": model,
         "parameters": size.parameters, "training_flops": size.training_flops,
         "value": mean, "lower": low, "upper": high, "n_items": t.n_items}
        for t in trends
        for model, size, mean, low, high in zip(t.models, t.sizes, t.means, t.lower, t.upper,
                                                strict=True)
    ]
    return pd.DataFrame(rows)


def trend_table(trends: list[MetricTrend]) -> pd.DataFrame:
    """One row per task and metric: the values by size, the trend call (`trend` names it only
    when clear, `estimate` is the shape of the means) and the paper's trend."""
    rows = []
    for t in trends:
        if t.call is None:
            continue
        rows.append({
            "task": t.task, "metric": METRIC_LABELS[t.metric], "models": " < ".join(t.models),
            "values": " → ".join(f"{m:.3f}" for m in t.means),
            "chance": t.chance, "trend": t.call.verdict, "estimate": t.call.shape,
            "p(trend)": t.call.probability,
            "slope/decade": t.call.slope,
            "slope CI": f"[{t.call.slope_lower:.3f}, {t.call.slope_upper:.3f}]",
            "paper": t.paper_trend, "n_items": t.n_items,
        })
    return pd.DataFrame(rows)


def panels(trends: list[MetricTrend], label: str = "ladder", *, flops: bool = False
           ) -> list[Panel]:
    """One panel per task and metric with a trend; x is parameters, or training FLOPs."""
    result = []
    for t in trends:
        if t.call is None:
            continue
        xs = tuple(s.training_flops if flops else s.parameters for s in t.sizes)
        if any(x is None for x in xs):
            continue
        result.append(Panel(t.task, METRIC_LABELS[t.metric], (Series(label, xs, t.call),),
                            chance=t.chance,
                            xlabel="Training FLOPs (6ND)" if flops else "Parameters"))
    return result
