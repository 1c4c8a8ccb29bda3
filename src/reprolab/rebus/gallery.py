"""One HTML page to browse the puzzles: image, metadata, solution and every model's answer.

`write_gallery` writes `index.html` and an `images/` folder (each image copied under the
extension its content calls for). The page filters by model, by that model's outcome, by
difficulty and by theme with a few lines of plain JavaScript; nothing is fetched from the
network. Answers are marked right or wrong by the grade in the records' `correct` column; where
records carry the authors' grade (`authors_correct`, from `regrade`) and it differs, the page
says so, with the deciding rule as a tooltip.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from reprolab.core.errors import UserError
from reprolab.rebus.data.dataset import DIFFICULTIES, Puzzle

_CSS = """
body{font-family:system-ui,sans-serif;margin:1em 2em;color:#222}
#filters{position:sticky;top:0;background:#fff;padding:.6em 0;border-bottom:1px solid #ccc}
#filters label{margin-right:1.2em}
#grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(320px,1fr));gap:1em;margin-top:1em}
.puzzle{border:1px solid #ccc;border-radius:6px;padding:.6em}
.puzzle img{max-width:100%;max-height:260px;display:block;margin:auto}
.meta{font-size:.85em;color:#555}.solution{font-weight:bold;margin:.3em 0}
.answers{list-style:none;padding:0;margin:.3em 0;font-size:.9em}
.right::before{content:"\\2713  ";color:#080}.wrong::before{content:"\\2717  ";color:#b00}
.right{color:#060}.wrong{color:#800}
"""
_SCRIPT = """
const pick = id => document.getElementById(id).value;
function applyFilters() {
  const model = pick('model'), outcome = pick('outcome');
  const difficulty = pick('difficulty'), theme = pick('theme');
  let shown = 0;
  for (const card of document.querySelectorAll('.puzzle')) {
    let visible = (!difficulty || card.dataset.difficulty === difficulty)
      && (!theme || card.dataset.theme === theme);
    for (const row of card.querySelectorAll('.answers li')) {
      row.hidden = model !== '' && row.dataset.model !== model;
    }
    if (model && outcome) {
      const row = card.querySelector(`.answers li[data-model="${CSS.escape(model)}"]`);
      visible = visible && row !== null && row.dataset.outcome === outcome;
    }
    card.hidden = !visible;
    shown += visible;
  }
  document.getElementById('shown').textContent = shown;
}
for (const id of ['model', 'outcome', 'difficulty', 'theme']) {
  document.getElementById(id).addEventListener('change', applyFilters);
}
applyFilters();
"""


def _select(name: str, label: str, options: Sequence[str], all_label: str) -> str:
    items = [f"<option value=''>{html.escape(all_label)}</option>"]
    items += [f"<option value='{html.escape(o, quote=True)}'>{html.escape(o)}</option>"
              for o in options]
    return f"<label>{label} <select id='{name}'>{''.join(items)}</select></label>"


def _copy_image(puzzle: Puzzle, folder: Path) -> str:
    """Copy the puzzle's image into `folder`; return its name relative to the page."""
    extension = ".png" if puzzle.mime_type == "image/png" else ".jpg"
    name = f"{puzzle.id}{extension}"
    (folder / name).write_bytes(puzzle.image_bytes())
    return f"images/{name}"


def _card(puzzle: Puzzle, image: str, answers: pd.DataFrame) -> str:
    flags = [name for name, on in (("exact spelling", puzzle.exact_spelling),
                                   ("specific reference", puzzle.specific_reference),
                                   ("reading", puzzle.reading)) if on]
    meta = [f"#{puzzle.id}", puzzle.theme, puzzle.difficulty or "no difficulty",
            f"by {puzzle.author}", *flags]
    also = f" (also: {', '.join(puzzle.also_accept)})" if puzzle.also_accept else ""
    credit = (f"<div class='meta'>Image: {html.escape(puzzle.attribution)}</div>"
              if puzzle.attribution else "")
    rows = []
    for row in answers.to_dict(orient="records"):
        outcome = "right" if row["correct"] else "wrong"
        answer = row["answer"] if isinstance(row["answer"], str) and row["answer"] else "[[NONE]]"
        authors = row.get("authors_correct")
        note = ("" if authors is None or authors == row["correct"] else
                f" <em title='{html.escape(row.get('rule', ''), quote=True)}'>(authors' grade: "
                f"{'right' if authors else 'wrong'})</em>")
        rows.append(f"<li class='{outcome}' data-model='{html.escape(row['model'], quote=True)}' "
                    f"data-outcome='{outcome}'>{html.escape(row['model'])}: "
                    f"{html.escape(answer)}{note}</li>")
    return (
        f"<article class='puzzle' id='p{puzzle.id}' "
        f"data-difficulty='{html.escape(puzzle.difficulty or '', quote=True)}' "
        f"data-theme='{html.escape(puzzle.theme, quote=True)}'>"
        f"<img src='{html.escape(image, quote=True)}' alt='rebus {puzzle.id}' loading='lazy'>"
        f"<div class='meta'>{html.escape(' · '.join(meta))}</div>"
        f"<div class='solution'>{html.escape(puzzle.solution)}{html.escape(also)}</div>"
        f"{credit}<ul class='answers'>{''.join(rows)}</ul></article>"
    )


def write_gallery(
    puzzles: Sequence[Puzzle], records: pd.DataFrame, out: Path,
    title: str = "REBUS puzzles and model answers",
) -> Path:
    """Write the gallery into folder `out`; `records` has columns model, puzzle, answer,
    correct. Returns the page's path; an `out` that is a file or cannot be written raises
    `UserError`."""
    if out.exists() and not out.is_dir():
        raise UserError(f"--out {out} is a file: give a folder for the gallery.")
    images = out / "images"
    try:
        images.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise UserError(f"Cannot write the gallery folder {out}: {error.strerror}.") from None
    by_puzzle = {pid: group for pid, group in records.groupby("puzzle", sort=False)}
    empty = records.iloc[0:0]
    models = list(dict.fromkeys(records["model"]))
    themes = sorted({p.theme for p in puzzles})
    cards = [_card(p, _copy_image(p, images), by_puzzle.get(p.id, empty)) for p in puzzles]
    filters = "".join([
        _select("model", "Model", models, "all models"),
        _select("outcome", "Outcome", ["right", "wrong"], "any"),
        _select("difficulty", "Difficulty", DIFFICULTIES, "all"),
        _select("theme", "Theme", themes, "all themes"),
        f"<span><b id='shown'>{len(cards)}</b> of {len(cards)} puzzles</span>",
    ])
    page = out / "index.html"
    page.write_text(
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body>"
        f"<h1>{html.escape(title)}</h1><div id='filters'>{filters}</div>"
        f"<main id='grid'>{''.join(cards)}</main>"
        f"<script>{_SCRIPT}</script></body></html>",
        encoding="utf-8",
    )
    return page
