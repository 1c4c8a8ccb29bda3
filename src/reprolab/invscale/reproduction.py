"""What the quick and the full reproduction share: the packaged ladder, the report's tables and
comparisons from a ladder run and a pilot analysis, and the headline from the committed
real-scale results (`results/invscale/ladder-full/results.json`)."""

from __future__ import annotations

import json
from pathlib import Path

from reprolab.core.report import Comparison, StudyContext, StudyResult, results_dir
from reprolab.invscale.config import LadderConfig, PilotConfig
from reprolab.invscale.ladder import LadderResult, run_ladder
from reprolab.invscale.metrics import METRIC_LABELS
from reprolab.invscale.pilot import PilotAnalysis, analyse_pilot, trend_counts
from reprolab.invscale.trends import describe

TITLE = "Inverse scaling: when bigger isn't better"
PACKAGED_LADDER = ("smollm2-135m", "gemma3-270m", "qwen2.5-coder-0.5b", "qwen2.5-coder-1.5b")
RESULTS = results_dir("invscale")
HEADLINE = ("memo-trap", "correct")  # the task and metric the report's summary shows


def available_packaged_models(names: tuple[str, ...] = PACKAGED_LADDER) -> tuple[str, ...]:
    """The packaged models whose weights are installed (the Qwen sizes need the ladder extra)."""
    from reprolab.lm.zoo import ModelFilesError, check_installed

    available = []
    for name in names:
        try:
            check_installed(name)
        except ModelFilesError:
            continue
        available.append(name)
    return tuple(available)


def committed_headline(results: Path = RESULTS / "ladder-full" / "results.json"
                       ) -> Comparison | None:
    """The memo-trap accuracy trend of the committed full ladder run, beside the paper's; None
    when `results` is absent."""
    if not results.exists():
        return None
    task, metric = HEADLINE
    saved = json.loads(results.read_text())["tasks"][task]
    entry = saved["metrics"][metric]
    trend = entry["trend"]
    values = ", ".join(f"{model} {v['value']:.3f}" for model, v in entry["models"].items())
    return Comparison(f"{task}: {METRIC_LABELS[metric]} trend, packaged ladder, all "
                      f"{saved['n_examples']} items",
                      describe(trend["shape"], trend["probability"]), saved["paper_trend"], values)


def ladder_comparisons(ladder: LadderResult, scope: str) -> list[Comparison]:
    """One comparison per task and metric: the worded trend call beside the paper's."""
    return [Comparison(f"{row['task']}: {row['metric']} trend ({scope})",
                       describe(row["estimate"], row["p(trend)"]), row["paper"], row["values"])
            for row in ladder.trends.to_dict("records")]


def reproduce(ctx: StudyContext, ladder: LadderConfig, pilot: PilotConfig,
              folder: str) -> StudyResult:
    """Run the ladder into `ctx.out / folder` and the pilot analysis into `ctx.out / "pilot"`,
    and return the report's section."""
    result = run_ladder(ladder, out=ctx.out / folder)
    analysis = analyse_pilot(pilot, out=ctx.out / "pilot")
    return study_result(result, analysis,
                        f"first {ladder.limit} items" if ladder.limit else "all items")


def study_result(ladder: LadderResult, pilot: PilotAnalysis, scope: str) -> StudyResult:
    """The report's section for a ladder run over `scope` ("all items", "first 40 items") and
    the pilot analysis."""
    models = ", ".join(dict.fromkeys(ladder.summary["model"]))
    tasks = ", ".join(dict.fromkeys(ladder.summary["task"]))
    comparisons = ladder_comparisons(ladder, scope)
    tables = [(f"Ladder on {tasks}, {scope} of each; 'trend' names a call only when p >= 0.95; "
               "'paper' is the trend on the prize's ladders (GPT-3, OPT and others)",
               ladder.trends), ("Per model, with 95% bootstrap intervals", ladder.summary)]
    figures = [(f"Ladder ({models}), {scope}", path) for path in ladder.figures]
    summary = f"Ladder {models} scored as the official pipeline on the {scope} of {tasks}."
    counts = trend_counts(pilot.primary_table)
    comparisons.append(Comparison("pilot runs by trend of their primary metric (p >= 0.95)",
                                  ", ".join(f"{k}: {v}" for k, v in counts.items()), None,
                                  "GPT-2/GPT-3/OPT sizes, organisers' own result files"))
    tables.append(("Organisers' pilot runs: trend of the primary metric per model family",
                   pilot.primary_table.drop(columns=["notes"])))
    figures += [(f"Pilot runs ({path.stem.removeprefix('pilot_')})", path)
                for path in pilot.figures]
    summary += f" Trends of all {len(pilot.primary_table)} pilot run/family pairs."
    return StudyResult(study="invscale", title=TITLE, summary=summary, comparisons=comparisons,
                       tables=tables, figures=figures, headline=committed_headline())
