"""The reproduction report: each study's quick reproduction, its numbers beside the paper's.

A study registers a quick reproduction (`reprolab.studies`): a function taking a `StudyContext`
and returning a `StudyResult`. `build_report` writes `report.md` and a self-contained
`report.html` (figures embedded as base64 PNG) from a list of results.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from reprolab.core.records import package_versions, write_json


@dataclass(frozen=True)
class StudyContext:
    """What a reproduction is given: its output folder, seed and device."""

    out: Path
    seed: int = 0
    device: str = "auto"


@dataclass(frozen=True)
class Comparison:
    """One of our numbers beside the paper's."""

    quantity: str
    ours: float | str
    paper: float | str | None
    note: str = ""


@dataclass
class StudyResult:
    """What a study's reproduction (`run_quick` or `run_full`) returns for the report.

    `headline`: the one number the report's summary table shows beside the paper's, taken from
    the study's committed real-scale results (`results/<study>/`) where it has them.
    """

    study: str
    title: str
    summary: str
    comparisons: list[Comparison] = field(default_factory=list)
    tables: list[tuple[str, pd.DataFrame]] = field(default_factory=list)
    figures: list[tuple[str, Path]] = field(default_factory=list)
    status: str = "ok"  # ok | skipped | failed
    headline: Comparison | None = None


def _fmt(value: Any) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return "—"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value).replace("|", "\\|")


def markdown_table(frame: pd.DataFrame) -> str:
    """A GitHub-flavoured markdown table of `frame` (no index)."""
    header = "| " + " | ".join(map(str, frame.columns)) + " |"
    rule = "|" + "|".join("---" for _ in frame.columns) + "|"
    rows = ["| " + " | ".join(_fmt(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join([header, rule, *rows])


def comparison_frame(comparisons: list[Comparison]) -> pd.DataFrame:
    return pd.DataFrame(
        [(c.quantity, c.ours, c.paper, c.note) for c in comparisons],
        columns=["quantity", "reprolab", "paper", "note"],
    )


def _markdown(results: list[StudyResult], out: Path) -> str:
    lines = ["# reprolab reproduction report", "",
             f"Generated {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC.", ""]
    for result in results:
        lines += [f"## {result.title}", "", f"*Status: {result.status}*", "", result.summary, ""]
        if result.comparisons:
            lines += [markdown_table(comparison_frame(result.comparisons)), ""]
        for caption, frame in result.tables:
            lines += [f"**{caption}**", "", markdown_table(frame), ""]
        for caption, path in result.figures:
            rel = Path(path).resolve().relative_to(out.resolve()) if _inside(path, out) else path
            lines += [f"![{caption}]({rel})", "", f"*{caption}*", ""]
    return "\n".join(lines)


def _inside(path: Path, folder: Path) -> bool:
    try:
        Path(path).resolve().relative_to(folder.resolve())
    except ValueError:
        return False
    return True


_CSS = """
body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:1em 0;font-size:0.9em}
th,td{border:1px solid #ccc;padding:4px 8px;text-align:left}th{background:#f3f3f3}
figure{margin:1em 0}figure img{max-width:100%}figcaption{font-style:italic;color:#555}
.status-skipped{color:#a60}.status-failed{color:#b00}.status-ok{color:#070}
"""


def _html(results: list[StudyResult]) -> str:
    parts = ["<!doctype html><html lang='en'><head><meta charset='utf-8'>",
             "<title>reprolab reproduction report</title>", f"<style>{_CSS}</style></head><body>",
             "<h1>reprolab reproduction report</h1>",
             f"<p>Generated {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC.</p><nav><ul>"]
    parts += [f"<li><a href='#study-{r.study}'>{html.escape(r.title)}</a></li>" for r in results]
    parts.append("</ul></nav>")
    for result in results:
        parts.append(f"<section id='study-{result.study}' class='study'>")
        parts.append(f"<h2>{html.escape(result.title)}</h2>")
        parts.append(f"<p class='status-{result.status}'>Status: {result.status}</p>")
        parts.append(f"<p>{html.escape(result.summary)}</p>")
        tables = list(result.tables)
        if result.comparisons:
            tables.insert(0, ("Reprolab beside the paper", comparison_frame(result.comparisons)))
        for caption, frame in tables:
            parts.append(f"<h3>{html.escape(caption)}</h3>")
            parts.append(frame.to_html(index=False, na_rep="—", float_format=lambda v: f"{v:.4g}"))
        for caption, path in result.figures:
            data = base64.b64encode(Path(path).read_bytes()).decode()
            parts.append(f"<figure><img alt='{html.escape(caption, quote=True)}' "
                         f"src='data:image/png;base64,{data}'>"
                         f"<figcaption>{html.escape(caption)}</figcaption></figure>")
        parts.append("</section>")
    parts.append("</body></html>")
    return "\n".join(parts)


def build_report(results: list[StudyResult], out: Path) -> tuple[Path, Path]:
    """Write `report.md`, `report.html` and `report.json` into `out`; return md and html paths."""
    out.mkdir(parents=True, exist_ok=True)
    md = out / "report.md"
    md.write_text(_markdown(results, out))
    page = out / "report.html"
    page.write_text(_html(results))
    write_json(out / "report.json", {
        "versions": package_versions(),
        "studies": [
            {"study": r.study, "status": r.status, "summary": r.summary,
             "comparisons": r.comparisons, "figures": [str(p) for _, p in r.figures]}
            for r in results
        ],
    })
    return md, page
