"""Run several studies' reproductions, with their data set up first, and assemble the report.

For each study: every dataset it needs is found, or fetched from its official source and checked
by sha256 (offline, the study is skipped with one line); then its quick check (`run_quick`, minutes)
or its real-scale reproduction (`run_full`, the commands behind `results/<study>/`) runs, and the
report is rewritten so that nothing finished is lost when a later study fails.
"""

from __future__ import annotations

import shutil
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape

from reprolab.core import data
from reprolab.core.device import DEVICE_HELP, choose_device
from reprolab.core.errors import UserError
from reprolab.core.network import go_offline, offline
from reprolab.studies import STUDIES, StudyNotBuiltError

if TYPE_CHECKING:
    from reprolab.core.report import StudyContext, StudyResult


@dataclass(frozen=True)
class ReproduceConfig:
    """Which reproductions run, and how."""

    quick: bool = field(default=False, metadata={
        "help": "Each study's quick smoke check (minutes) instead of its real-scale "
                "reproduction (the commands behind results/STUDY/, hours)."})
    offline: bool = field(default=False, metadata={
        "help": "Never download: a study whose data is absent is skipped."})
    seed: int = field(default=0, metadata={"help": "Random seed."})
    device: str = field(default="auto", metadata={"help": DEVICE_HELP})

    def __post_init__(self) -> None:
        choose_device(self.device)


def _placeholder(name: str, status: str, summary: str) -> StudyResult:
    from reprolab.core.report import StudyResult

    return StudyResult(study=name, title=STUDIES[name].title, summary=summary, status=status)


def missing_data(name: str, *, is_offline: bool, console: Console) -> str | None:
    """Fetch and verify the datasets study `name` lacks; return why it must be skipped, if so."""
    for dataset in STUDIES[name].datasets:
        if data.is_available(dataset):
            continue
        if is_offline:
            return (f"needs dataset {dataset!r}, absent and offline: run `reprolab data fetch "
                    f"{dataset}` when online, or set {data.ENV_VAR} to a folder that holds it")
        console.print(f"{name}: fetching dataset {dataset!r} from its official source")
        data.fetch(dataset)
        report = data.verify(dataset)
        if not report.passed:
            bad = [*report.missing, *report.mismatched]
            raise UserError(f"dataset {dataset!r} fetched but {len(bad)} files fail their "
                            f"sha256 check (first: {bad[0]}): run `reprolab data verify {dataset}`")
    return None


def run_one(name: str, ctx: StudyContext, quick: bool) -> StudyResult:
    """Run one study's reproduction; a missing study or dataset becomes a skipped section and a
    failure a failed one (traceback in `error.txt`)."""
    from reprolab.core.seeding import seed_everything

    try:
        reproduction = STUDIES[name].reproduction(quick)
    except StudyNotBuiltError as error:
        return _placeholder(name, "skipped", str(error))
    seed_everything(ctx.seed)
    if quick and ctx.out.exists():  # a quick check is rerun whole, never mixed with the last one
        shutil.rmtree(ctx.out)
    ctx.out.mkdir(parents=True, exist_ok=True)
    try:
        return reproduction(ctx)
    except data.MissingDataError as error:
        return _placeholder(name, "skipped", str(error))
    except Exception as error:  # one failing study must not lose the others' results
        (ctx.out / "error.txt").write_text(traceback.format_exc())
        return _placeholder(name, "failed", f"{type(error).__name__}: {error} "
                                            f"(traceback in {ctx.out / 'error.txt'})")


def _check_out(out: Path) -> None:
    from reprolab.core.report import REPORT_JSON

    if out.exists() and not out.is_dir():
        raise UserError(f"--out {out} is a file: give a folder for the report.")
    if out.is_dir() and any(out.iterdir()) and not (out / REPORT_JSON).exists():
        raise UserError(f"{out} is not empty and holds no report: choose a new folder.")


def reproduce_studies(names: list[str], config: ReproduceConfig, *, out: Path,
                      console: Console) -> tuple[Path, Path]:
    """Run the reproductions of `names` and write the report into `out`; returns md and html."""
    from reprolab.core.report import StudyContext, build_report

    _check_out(out)
    is_offline = config.offline or offline()
    if is_offline:
        go_offline()
    results = []
    for name in names:
        start = time.perf_counter()
        try:
            skip = missing_data(name, is_offline=is_offline, console=console)
        except UserError as error:
            result = _placeholder(name, "failed", str(error))
        else:
            ctx = StudyContext(out=out / name, seed=config.seed, device=config.device)
            result = (_placeholder(name, "skipped", skip) if skip
                      else run_one(name, ctx, config.quick))
        seconds = time.perf_counter() - start
        line = {"ok": "[green]ok[/green]", "skipped": "[yellow]skipped[/yellow]",
                "failed": "[red]failed[/red]"}[result.status]
        detail = "" if result.status == "ok" else f": {escape(result.summary)}"
        console.print(f"{name}: {line} in {seconds:.1f}s{detail}")
        results.append(result)
        build_report(results, out, quick=config.quick)  # rewritten after each study
    return build_report(results, out, quick=config.quick)
