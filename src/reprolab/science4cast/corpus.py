"""Dated paper corpora: the paperlists JSON folder (the offline default), arXiv metadata
snapshots (JSON lines) and a plain CSV (title, abstract, date).

Every reader yields `Paper`s whose `day` counts days since 1970-01-01; a corpus known only to the
year (paperlists) dates each paper on 1 January of its year.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from reprolab.core.errors import UserError

EPOCH = dt.date(1970, 1, 1)
_YEAR_IN_NAME = re.compile(r"(\d{4})\.json(\.gz)?$")


@dataclass(frozen=True)
class Paper:
    """One paper: its text (title and abstract) and its date in days since 1970-01-01."""

    text: str
    day: int

    @property
    def year(self) -> int:
        return day_to_year(self.day)


def year_to_day(year: int) -> int:
    """Days from 1970-01-01 to 1 January of `year`."""
    return (dt.date(year, 1, 1) - EPOCH).days


def day_to_year(day: int) -> int:
    return (EPOCH + dt.timedelta(days=int(day))).year


def parse_date(text: str, where: str) -> int:
    """`YYYY`, `YYYY-MM` or `YYYY-MM-DD` (a longer ISO time is cut to its date) -> days."""
    text = text.strip()
    try:
        if re.fullmatch(r"\d{4}", text):
            date = dt.date(int(text), 1, 1)
        elif re.fullmatch(r"\d{4}-\d{2}", text):
            date = dt.date(int(text[:4]), int(text[5:]), 1)
        else:
            date = dt.date.fromisoformat(text[:10])
    except ValueError:
        raise UserError(f"{where}: {text!r} is not a date (YYYY, YYYY-MM or YYYY-MM-DD).") from None
    return (date - EPOCH).days


def _text(record: dict) -> str:
    return f"{record.get('title') or ''}. {record.get('abstract') or ''}"


def read_paperlists(folder: Path) -> Iterator[Paper]:
    """Papers of a paperlists folder (`<venue>/<venue><year>.json[.gz]`, each a JSON list of
    records with `title` and `abstract`); the year comes from the file name."""
    files = sorted(p for p in folder.rglob("*.json*") if _YEAR_IN_NAME.search(p.name))
    if not files:
        raise UserError(f"{folder} holds no <venue><year>.json(.gz) files: give a paperlists "
                        "folder, an arXiv .jsonl or a .csv corpus.")
    for path in files:
        day = year_to_day(int(_YEAR_IN_NAME.search(path.name).group(1)))
        opener = gzip.open if path.suffix == ".gz" else open
        try:
            with opener(path, "rt", encoding="utf-8") as handle:
                records = json.load(handle)
        except (OSError, EOFError, UnicodeDecodeError, json.JSONDecodeError) as error:
            raise UserError(f"{path} cannot be read as JSON ({error}).") from None
        if not isinstance(records, list):
            raise UserError(f"{path}: expected a JSON list of paper records.")
        for record in records:
            if isinstance(record, dict) and (record.get("title") or record.get("abstract")):
                yield Paper(_text(record), day)


def _arxiv_day(record: dict, where: str) -> int:
    """First version's date (`versions[0].created`, an RFC 2822 time), else `update_date`."""
    versions = record.get("versions") or []
    if versions and isinstance(versions[0], dict) and versions[0].get("created"):
        from email.utils import parsedate_to_datetime

        try:
            return (parsedate_to_datetime(versions[0]["created"]).date() - EPOCH).days
        except (TypeError, ValueError):
            raise UserError(f"{where}: versions[0].created {versions[0]['created']!r} is not "
                            "a date.") from None
    if record.get("update_date"):
        return parse_date(record["update_date"], where)
    raise UserError(f"{where}: no date (versions[0].created or update_date).")


def read_arxiv(path: Path) -> Iterator[Paper]:
    """Papers of an arXiv metadata snapshot (one JSON object per line, `.jsonl[.gz]`)."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            where = f"{path} line {number}"
            try:
                record = json.loads(line)
            except json.JSONDecodeError as error:
                raise UserError(f"{where}: not JSON ({error.msg}).") from None
            yield Paper(_text(record), _arxiv_day(record, where))


def read_csv(path: Path) -> Iterator[Paper]:
    """Papers of a CSV with columns `title`, `abstract`, `date` (YYYY[-MM[-DD]])."""
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = {"title", "abstract", "date"} - set(reader.fieldnames or ())
        if missing:
            raise UserError(f"{path} lacks the column(s) {', '.join(sorted(missing))} "
                            "(needs title, abstract, date).")
        for record in reader:
            yield Paper(_text(record), parse_date(record["date"] or "",
                                                  f"{path} line {reader.line_num}"))


def read_corpus(source: Path) -> Iterator[Paper]:
    """Papers of `source`: a paperlists folder, an arXiv `.jsonl[.gz]` or a `.csv`."""
    if source.is_dir():
        return read_paperlists(source)
    if not source.is_file():
        raise UserError(f"Corpus {source} does not exist: give a paperlists folder, an arXiv "
                        ".jsonl or a .csv.")
    if source.name.endswith((".jsonl", ".jsonl.gz", ".json", ".json.gz")):
        return read_arxiv(source)
    if source.suffix == ".csv":
        return read_csv(source)
    raise UserError(f"Corpus {source}: unknown format (a folder, .jsonl[.gz] or .csv).")
