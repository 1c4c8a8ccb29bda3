"""Run the quick reproductions of several studies and assemble the report."""

from __future__ import annotations

import time
import traceback
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from reprolab.core.data import MissingDataError
from reprolab.core.report import StudyContext, StudyResult, build_report
from reprolab.core.seeding import seed_everything
from reprolab.studies import STUDIES, StudyNotBuiltError


def _placeholder(name: str, status: str, summary: str) -> StudyResult:
    info = STUDIES[name]
    return StudyResult(study=name, title=info.title, summary=summary, status=status)


def run_one(name: str, ctx: StudyContext) -> StudyResult:
    """Run one study's quick reproduction; a missing study or dataset becomes a skipped section."""
    info = STUDIES[name]
    try:
        quick = info.reproduction(True)
    except StudyNotBuiltError as error:
        return _placeholder(name, "skipped", str(error))
    seed_everything(ctx.seed)
    ctx.out.mkdir(parents=True, exist_ok=True)
    try:
        return quick(ctx)
    except MissingDataError as error:
        return _placeholder(name, "skipped", str(error))
    except Exception as error:  # one failing study must not lose the others' results
        (ctx.out / "error.txt").write_text(traceback.format_exc())
        return _placeholder(name, "failed", f"{type(error).__name__}: {error} "
                                            f"(traceback in {ctx.out / 'error.txt'})")


def reproduce_studies(
    names: list[str], *, out: Path, seed: int = 0, device: str = "auto",
    console: Console | None = None,
) -> tuple[Path, Path]:
    """Run the quick reproductions of `names` and write the report into `out`."""
    console = console or Console(stderr=True)
    results = []
    for name in names:
        start = time.perf_counter()
        result = run_one(name, StudyContext(out=out / name, seed=seed, device=device))
        seconds = time.perf_counter() - start
        line = {"ok": "[green]ok[/green]", "skipped": "[yellow]skipped[/yellow]",
                "failed": "[red]failed[/red]"}[result.status]
        detail = "" if result.status == "ok" else f": {escape(result.summary)}"
        console.print(f"{name}: {line} in {seconds:.1f}s{detail}")
        results.append(result)
        build_report(results, out)  # rewrite after each study so nothing is lost
    return build_report(results, out)
