"""The real-scale reproduction: the runs behind `results/backdoor/README.md` (hours on a CPU).

`reproduce` runs the phases of one real-scale run, each in its own run folder under OUT, and is
what `scripts/backdoor_gpu.py` calls:

1. `elicitation`: LAT at every site (10,000 steps, 5 seeds) and GCG (500 steps) on the three
   designs with a reduced-round locker.
2. `noise`: the largest exact weight noise per design and 34 noisy LAT runs each.
3. `full_locker`: the 64-round SHA-256 locker, compiled, checked against the plain-Python
   reference, and LAT at every k-th site.

`run_full` runs the README's four runs with its settings, plus its 3-SAT checks (random LAT
starts, noise beyond the exact edge).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from reprolab.backdoor.config import (
    CompileConfig,
    DesignOptions,
    ElicitConfig,
    GcgConfig,
    LatConfig,
    NoiseConfig,
)
from reprolab.backdoor.report import (
    TITLE,
    committed_headline,
    elicitation_comparisons,
    locker_headline,
    noise_comparisons,
)
from reprolab.backdoor.runs import STUDY, run_compile, run_elicit
from reprolab.core.device import choose_device
from reprolab.core.errors import UserError
from reprolab.core.records import RunRecord
from reprolab.core.report import Comparison, StudyContext, StudyResult

PHASES = ("elicitation", "noise", "full_locker")
PAPER_ELICIT = ElicitConfig(lat=LatConfig(steps=10_000), gcg=GcgConfig(steps=500), seeds=5)
PAPER_NOISE = NoiseConfig(runs=34, lat_steps=300)


@dataclass(frozen=True)
class FullConfig:
    """One real-scale run: its phases and their settings."""

    elicit: ElicitConfig = field(default=PAPER_ELICIT, metadata={
        "help": "the attacks of phase 1 (also the organisms, seed and LAT settings of 2 and 3)"})
    noise: NoiseConfig = field(default=PAPER_NOISE, metadata={"help": "the noise protocol"})
    full_rounds: int | None = field(default=64, metadata={
        "help": "rounds of the phase-3 locker (64 = SHA-256; None: the fewest)"})
    full_lat_steps: int = field(default=200, metadata={
        "help": "LAT steps per site on the phase-3 locker (0: compile and check only)"})
    full_site_stride: int = field(default=1, metadata={
        "help": "LAT at every k-th site of the phase-3 locker (and its check site)"})
    phases: tuple[str, ...] = field(default=PHASES, metadata={"help": "phases to run"})
    budget: float | None = field(default=None, metadata={
        "help": "seconds after which no new phase starts (None: no limit)"})

    def __post_init__(self) -> None:
        if unknown := sorted(set(self.phases) - set(PHASES)):
            raise UserError(f"Unknown phase(s) {unknown}; choose from {', '.join(PHASES)}.")


@dataclass(frozen=True)
class PhaseRun:
    """A phase's run folder and seconds, or why it was skipped (`folder` None)."""

    phase: str
    folder: Path | None
    seconds: float
    skipped: str = ""


@dataclass(frozen=True)
class FullRun:
    """The phases of one real-scale run, in order, and where each wrote its records."""

    device: str
    phases: list[PhaseRun]
    folder: Path


def _elicitation(config: FullConfig, out: Path, device: str) -> None:
    run_elicit(replace(config.elicit, noise=NoiseConfig()), out, device)


def _noise(config: FullConfig, out: Path, device: str) -> None:
    run_elicit(replace(config.elicit, methods=(), noise=config.noise), out, device)


def _full_locker(config: FullConfig, out: Path, device: str) -> None:
    seed = config.elicit.seed
    run_compile(CompileConfig(rounds=config.full_rounds, seed=seed), out / "compile")
    if config.full_lat_steps:
        run_elicit(replace(config.elicit, designs=("locker",), methods=("lat",),
                           lat=replace(config.elicit.lat, steps=config.full_lat_steps),
                           options=DesignOptions(rounds=config.full_rounds),
                           site_stride=config.full_site_stride, noise=NoiseConfig()),
                   out / "lat", device)


RUNNERS = {"elicitation": _elicitation, "noise": _noise, "full_locker": _full_locker}


def reproduce(config: FullConfig, out: Path | None = None, device: str = "auto") -> FullRun:
    """Run the chosen phases in order, each under OUT/<phase>; a phase that would start after
    `budget` seconds is skipped and logged. `results.json` is rewritten after every phase."""
    chosen = str(choose_device(device))
    record = RunRecord.create(STUDY, "full", config, seed=config.elicit.seed, out=out)
    start, phases = time.perf_counter(), []
    with record.running():
        for phase in (name for name in PHASES if name in config.phases):
            elapsed = time.perf_counter() - start
            if config.budget is not None and elapsed > config.budget:
                phases.append(PhaseRun(phase, None, 0.0, f"skipped at {elapsed:.0f} s (budget "
                                                           f"{config.budget:.0f} s)"))
            else:
                began = time.perf_counter()
                RUNNERS[phase](config, record.path(phase), chosen)
                phases.append(PhaseRun(phase, record.path(phase), time.perf_counter() - began))
            record.write_results(FullRun(chosen, phases, record.folder))
    return FullRun(chosen, phases, record.folder)


def readme_runs(seed: int = 0) -> dict[str, FullConfig]:
    """The runs of results/backdoor/README.md by folder name (`-cpu` dropped)."""
    elicit = replace(PAPER_ELICIT, seed=seed)
    full_locker = FullConfig(elicit=elicit, phases=("full_locker",), full_site_stride=16)
    return {
        "paper-budget": FullConfig(elicit=elicit, phases=("elicitation",)),
        "noise-protocol": FullConfig(elicit=elicit, phases=("noise",),
                                     noise=replace(PAPER_NOISE, site_stride=8)),
        "sha256-64-rounds": full_locker,
        "sha256-64-rounds-random-start": replace(
            full_locker, elicit=replace(elicit, lat=replace(elicit.lat, init_std=1.0))),
    }


def sat_noise_checks(seed: int = 0) -> dict[str, ElicitConfig]:
    """The README's 3-SAT checks: random LAT starts at the largest exact noise, and noise 10x to
    1000x beyond it (34 runs, 300 LAT steps each)."""
    base = ElicitConfig(designs=("sat",), methods=(), lat=LatConfig(steps=300),
                        noise=NoiseConfig(runs=34, lat_steps=300), seed=seed)
    starts = {f"init-std-{std}": replace(base, lat=LatConfig(steps=300, init_std=std))
              for std in (0.1, 0.5, 1.0)}
    scales = {f"noise-x{scale}": replace(base, noise=replace(base.noise, scale=scale))
              for scale in (10, 100, 1000)}
    return {**starts, **scales}


def run_full(ctx: StudyContext) -> StudyResult:
    """Every run of results/backdoor/README.md under `ctx.out`, then the report's numbers."""
    for name, config in readme_runs(ctx.seed).items():
        reproduce(config, ctx.out / name, ctx.device)
    checks = {name: run_elicit(config, ctx.out / "sat-noise-checks" / name, ctx.device).noise
              for name, config in sat_noise_checks(ctx.seed).items()}
    return _study_result(ctx.out, checks)


def _study_result(out: Path, checks: dict[str, pd.DataFrame]) -> StudyResult:
    elicitation = out / "paper-budget" / "elicitation"
    summary = pd.read_csv(elicitation / "summary.csv")
    noise = pd.read_csv(out / "noise-protocol" / "noise" / "noise.csv")
    locker = pd.read_csv(out / "sha256-64-rounds" / "full_locker" / "lat" / "summary.csv")
    sat = pd.concat([frame.assign(check=name) for name, frame in checks.items()])
    return StudyResult(
        study=STUDY, title=TITLE,
        summary=("The README's runs at the paper's budgets: LAT at 10,000 steps and GCG at 500, "
                 "5 seeds, three designs with a 9-round locker; the 34-run noise protocol; the "
                 "64-round SHA-256 locker under LAT at every 16th site (with and without a "
                 "random start); 3-SAT under random starts and larger noise."),
        comparisons=[*elicitation_comparisons(summary, PAPER_ELICIT.lat.steps),
                     *noise_comparisons(noise, PAPER_NOISE.lat_steps, PAPER_NOISE.sites),
                     Comparison("64-round locker: LAT attacks eliciting the payload",
                                f"{int(locker['elicited'].sum())}/{int(locker['attacks'].sum())}",
                                "never", "every 16th site and the check site, 200 steps")],
        tables=[("LAT and GCG elicitation at the paper's budget", summary),
                ("LAT under weight noise (34 runs per design)", noise),
                ("64-round SHA-256 locker under LAT", locker),
                ("3-SAT: random LAT starts and noise beyond the exact edge", sat)],
        figures=[("LAT loss vs step per site (dashed: at or after the check)",
                  elicitation / "lat_loss.png")],
        headline=committed_headline() or locker_headline(summary, "this run"),
    )
