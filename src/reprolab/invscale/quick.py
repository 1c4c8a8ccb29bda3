"""Quick reproduction: the packaged ladder on subsets of memo-trap and NeQA, and the trend of
every organisers' pilot run, beside the paper's direction of trend."""

from __future__ import annotations

from dataclasses import dataclass, field

from reprolab.core.report import Comparison, StudyContext, StudyResult
from reprolab.invscale.ladder import LadderConfig, run_ladder
from reprolab.invscale.pilot import analyse_pilot
from reprolab.invscale.trends import TrendSettings

TITLE = "Inverse scaling: when bigger isn't better"
PACKAGED_LADDER = ("smollm2-135m", "gemma3-270m", "qwen2.5-coder-0.5b")


def available_packaged_models(names: tuple[str, ...] = PACKAGED_LADDER) -> tuple[str, ...]:
    """The packaged models whose weights are installed (the Qwen sizes need the ladder extra)."""
    from reprolab.lm import zoo

    available = []
    for name in names:
        try:
            if not zoo.is_prepared(name):
                zoo.locate_parts(zoo.PACKAGED_MODELS[name])
        except zoo.ModelFilesError:
            continue
        available.append(name)
    return tuple(available)


@dataclass(frozen=True)
class QuickSettings:
    """Sizes of the quick reproduction."""

    models: tuple[str, ...] | None = field(default=None, metadata={
        "help": "Ladder models (default: the installed packaged models)."})
    tasks: tuple[str, ...] = field(default=("memo-trap", "neqa"),
                                   metadata={"help": "Prize tasks to run."})
    limit: int = field(default=40, metadata={"help": "Items per task (a labelled subset)."})
    n_boot: int = field(default=500, metadata={"help": "Bootstrap replicates."})
    pilot_runs: tuple[str, ...] | None = field(default=None, metadata={
        "help": "Pilot runs to analyse (default: all; empty: none)."})

    def __post_init__(self) -> None:
        if self.limit < 1:
            raise ValueError(f"limit must be >= 1, got {self.limit}")


DEFAULT_QUICK = QuickSettings()


def run_quick(ctx: StudyContext, settings: QuickSettings = DEFAULT_QUICK) -> StudyResult:
    """Run the ladder subset and the pilot trend analysis; return tables, figures, comparisons."""
    trend = TrendSettings(n_boot=settings.n_boot, seed=ctx.seed)
    models = settings.models or available_packaged_models()
    config = LadderConfig(tasks=settings.tasks, models=models, limit=settings.limit,
                          device=ctx.device, seed=ctx.seed, trend=trend)
    ladder = run_ladder(config, out=ctx.out / "ladder")
    subset = f"first {settings.limit} items"
    comparisons = [
        Comparison(f"{row['task']}: {row['metric']} trend ({subset})",
                   f"{row['trend']} (p={row['p(trend)']:.2f})", row["paper"], row["values"])
        for row in ladder.trends.to_dict("records")
    ]
    tables = [(f"Packaged ladder on {', '.join(settings.tasks)}, {subset} of each (a subset); "
               "'paper' is the trend on the prize's ladders (GPT-3, OPT and others)",
               ladder.trends), ("Per model, with 95% bootstrap intervals", ladder.summary)]
    figures = [(f"Packaged ladder ({', '.join(models)}), {subset}", path)
               for path in ladder.figures]
    summary = (f"Packaged ladder {', '.join(models)} scored as the official pipeline on the "
               f"{subset} of {', '.join(settings.tasks)} (a subset, not the full tasks).")
    if settings.pilot_runs != ():
        pilot = analyse_pilot(trend, out=ctx.out / "pilot", names=settings.pilot_runs)
        counts = pilot.primary_table["trend"].value_counts().to_dict()
        comparisons.append(Comparison("pilot runs by trend of their primary metric",
                                      ", ".join(f"{k}: {v}" for k, v in counts.items()), None,
                                      "GPT-2/GPT-3/OPT sizes, organisers' own result files"))
        tables.append(("Organisers' pilot runs: trend of the primary metric per model family",
                       pilot.primary_table.drop(columns=["notes"])))
        figures += [(f"Pilot runs ({path.stem.removeprefix('pilot_')})", path)
                    for path in pilot.figures]
        summary += f" Trends of all {len(pilot.primary_table)} pilot run/family pairs."
    return StudyResult(study="invscale", title=TITLE, summary=summary, comparisons=comparisons,
                       tables=tables, figures=figures)
