"""The reproduction report: per study, the committed real-scale results beside the paper's, and
the rerun (quick smoke check or real-scale) of the same code.

A study registers its reproductions (`reprolab.studies`): functions taking a `StudyContext` and
returning a `StudyResult`. `build_report` writes `report.md` and a self-contained `report.html`
(figures embedded as base64 PNG, wide tables scrolling in their box) opening with one summary
table: study, status, headline number beside the paper's, where the real results live.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from reprolab.core.records import package_versions, write_json

REPORT_JSON = "report.json"


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


def project_root() -> Path:
    """The checkout reprolab runs from (it holds `results/`), else the working folder."""
    checkout = Path(__file__).resolve().parents[3]
    return checkout if (checkout / "results").is_dir() else Path.cwd()


def results_dir(study: str) -> Path:
    """`results/<study>/` of the project, where its real-scale run records are committed."""
    return project_root() / "results" / study


def committed_results(study: str) -> Path | None:
    """`results_dir(study)` when it holds committed results (a README), else None."""
    folder = results_dir(study)
    return folder if (folder / "README.md").is_file() else None


def summary_frame(results: list[StudyResult]) -> pd.DataFrame:
    """One row per study: status, headline number beside the paper's, where real results live."""
    rows = []
    for r in results:
        folder = committed_results(r.study)
        head = r.headline
        rows.append({"study": r.title, "status": r.status,
                     "headline": head.quantity if head else "—",
                     "reprolab": head.ours if head else None,
                     "paper": head.paper if head else None,
                     "real-scale results": f"results/{r.study}/" if folder else "none yet"})
    return pd.DataFrame(rows)


def _scale_label(quick: bool) -> str:
    return ("Quick rerun: a smoke check of the same code at toy scale, not the result"
            if quick else "Real-scale rerun")


def _shift_headings(markdown: str, levels: int) -> str:
    """Demote every ATX heading of `markdown` by `levels` (so a README nests under a section)."""
    return re.sub(r"^(#{1,6}) ", lambda m: "#" * min(6, len(m.group(1)) + levels) + " ",
                  markdown, flags=re.MULTILINE)


def _readme_markdown(folder: Path, out: Path) -> str:
    """The committed README with links and images made relative to the report folder."""
    text = _shift_headings((folder / "README.md").read_text(), 3)
    base = os.path.relpath(folder, out.resolve())

    def relink(match: re.Match) -> str:
        target = match.group(2)
        if re.match(r"[a-z]+:|#|/", target):
            return match.group(0)
        return f"{match.group(1)}({base}/{target})"

    return re.sub(r"(!?\[[^\]]*\])\(([^)\s]+)\)", relink, text)


def _markdown(results: list[StudyResult], out: Path, quick: bool) -> str:
    lines = ["# reprolab reproduction report", "",
             f"Generated {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC.", "",
             markdown_table(summary_frame(results)), ""]
    for result in results:
        lines += [f"## {result.title}", "", f"*Status: {result.status}*", ""]
        if (folder := committed_results(result.study)) is not None:
            lines += [f"### Real-scale results (committed in results/{result.study}/)", "",
                      _readme_markdown(folder, out), ""]
        lines += [f"### {_scale_label(quick)}", "", result.summary, ""]
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
.scroll{overflow-x:auto;max-width:100%}
table{border-collapse:collapse;margin:1em 0;font-size:0.9em}
th,td{border:1px solid #ccc;padding:4px 8px;text-align:left}th{background:#f3f3f3}
figure{margin:1em 0}figure img,.committed img{max-width:100%}
figcaption{font-style:italic;color:#555}
.committed{border-left:4px solid #4c9f70;padding-left:1em}
.quick{border-left:4px solid #bbb;padding-left:1em}
pre{overflow-x:auto;background:#f6f6f6;padding:0.5em}
.status-skipped{color:#a60}.status-failed{color:#b00}.status-ok{color:#070}
"""


def _frame_html(frame: pd.DataFrame) -> str:
    table = frame.to_html(index=False, na_rep="—", float_format=lambda v: f"{v:.4g}")
    return f"<div class='scroll'>{table}</div>"


def _image_data(path: Path) -> str:
    return "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode()


def _readme_html(folder: Path) -> str:
    """The committed README as HTML: tables scroll in their box, figures embedded."""
    from markdown_it import MarkdownIt

    text = _shift_headings((folder / "README.md").read_text(), 2)
    page = MarkdownIt("commonmark", {"html": False}).enable("table").render(text)
    page = re.sub(r"<table>", "<div class='scroll'><table>", page).replace(
        "</table>", "</table></div>")

    def embed(match: re.Match) -> str:
        source = folder / html.unescape(match.group(1))
        if source.suffix.lower() != ".png" or not _inside(source, folder) or not source.is_file():
            return match.group(0)
        return f'src="{_image_data(source)}"'

    return re.sub(r'src="([^":]+)"', embed, page)


def _html(results: list[StudyResult], quick: bool) -> str:
    parts = ["<!doctype html><html lang='en'><head><meta charset='utf-8'>",
             "<title>reprolab reproduction report</title>", f"<style>{_CSS}</style></head><body>",
             "<h1>reprolab reproduction report</h1>",
             f"<p>Generated {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC.</p>",
             "<h2>Summary</h2>", _frame_html(summary_frame(results)), "<nav><ul>"]
    parts += [f"<li><a href='#study-{r.study}'>{html.escape(r.title)}</a></li>" for r in results]
    parts.append("</ul></nav>")
    for result in results:
        parts.append(f"<section id='study-{result.study}' class='study'>")
        parts.append(f"<h2>{html.escape(result.title)}</h2>")
        parts.append(f"<p class='status-{result.status}'>Status: {result.status}</p>")
        if (folder := committed_results(result.study)) is not None:
            parts.append(f"<div class='committed'><h3>Real-scale results (committed in "
                         f"results/{result.study}/)</h3>{_readme_html(folder)}</div>")
        parts.append(f"<div class='quick'><h3>{html.escape(_scale_label(quick))}</h3>")
        parts.append(f"<p>{html.escape(result.summary)}</p>")
        tables = list(result.tables)
        if result.comparisons:
            tables.insert(0, ("Reprolab beside the paper", comparison_frame(result.comparisons)))
        for caption, frame in tables:
            parts.append(f"<h4>{html.escape(caption)}</h4>")
            parts.append(_frame_html(frame))
        for caption, path in result.figures:
            parts.append(f"<figure><img alt='{html.escape(caption, quote=True)}' "
                         f"src='{_image_data(Path(path))}'>"
                         f"<figcaption>{html.escape(caption)}</figcaption></figure>")
        parts.append("</div></section>")
    parts.append("</body></html>")
    return "\n".join(parts)


def build_report(results: list[StudyResult], out: Path, *, quick: bool = True
                 ) -> tuple[Path, Path]:
    """Write `report.md`, `report.html` and `report.json` into `out`; return md and html paths."""
    out.mkdir(parents=True, exist_ok=True)
    md = out / "report.md"
    md.write_text(_markdown(results, out, quick))
    page = out / "report.html"
    page.write_text(_html(results, quick))
    write_json(out / REPORT_JSON, {
        "versions": package_versions(),
        "quick": quick,
        "studies": [
            {"study": r.study, "status": r.status, "summary": r.summary,
             "headline": r.headline, "comparisons": r.comparisons,
             "committed_results": str(committed_results(r.study) or ""),
             "figures": [str(p) for _, p in r.figures]}
            for r in results
        ],
    })
    return md, page
