import gzip
import json

import pytest

from reprolab.core.errors import UserError
from reprolab.science4cast.corpus import (
    day_to_year,
    parse_date,
    read_arxiv,
    read_corpus,
    read_csv,
    year_to_day,
)
from tests.science4cast.toy import write_paperlists


def test_paperlists_take_the_year_from_the_file_name_and_skip_empty_records(tmp_path):
    write_paperlists(tmp_path, {2019: [{"title": "Graph nets", "abstract": "A graph."},
                                       {"title": "", "abstract": ""}],
                                2021: [{"title": "Policies", "abstract": None}]})
    papers = list(read_corpus(tmp_path))
    assert [(p.year, p.text) for p in papers] == [(2019, "Graph nets. A graph."),
                                                  (2021, "Policies. ")]
    assert papers[0].day == year_to_day(2019) == 17897  # days from 1970-01-01


def test_arxiv_uses_the_first_version_date_then_update_date(tmp_path):
    path = tmp_path / "arxiv.jsonl.gz"
    with gzip.open(path, "wt") as handle:
        handle.write(json.dumps({"title": "A", "abstract": "x", "versions": [
            {"created": "Mon, 2 Apr 2007 19:18:42 GMT"}, {"created": "Tue, 1 Jan 2008 ..."}]}))
        handle.write("\n\n" + json.dumps({"title": "B", "abstract": "y",
                                          "update_date": "2010-05-03"}) + "\n")
    papers = list(read_arxiv(path))
    assert [p.day for p in papers] == [parse_date("2007-04-02", ""), parse_date("2010-05-03", "")]
    assert day_to_year(papers[0].day) == 2007


def test_csv_dates_of_three_precisions(tmp_path):
    path = tmp_path / "papers.csv"
    path.write_text("title,abstract,date\nA,x,2001\nB,y,2001-03\nC,z,2001-03-04\n")
    assert [p.day - year_to_day(2001) for p in read_csv(path)] == [0, 31 + 28, 31 + 28 + 3]


@pytest.mark.parametrize(("name", "content", "fragment"), [
    ("a.csv", "title,date\nA,2001\n", "lacks the column(s) abstract"),
    ("a.csv", "title,abstract,date\nA,x,2001\nB,y,May 2001\n", "line 3: 'May 2001' is not"),
    ("a.jsonl", '{"title": "A", "update_date": "2001-01-01"}\n{oops\n', "a.jsonl line 2: not"),
    ("a.jsonl", '{"title": "A"}\n', "line 1: no date"),
    ("a.txt", "anything", "unknown format"),
])
def test_bad_corpus_files_name_the_file_and_line(tmp_path, name, content, fragment):
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(UserError, match=None) as error:
        list(read_corpus(path))
    assert fragment in str(error.value)


def test_missing_and_empty_corpora(tmp_path):
    with pytest.raises(UserError, match="does not exist"):
        read_corpus(tmp_path / "nowhere")
    with pytest.raises(UserError, match="no <venue><year>"):
        list(read_corpus(tmp_path))
    (tmp_path / "v").mkdir()
    (tmp_path / "v" / "v2001.json").write_text("{broken")
    with pytest.raises(UserError, match="cannot be read as JSON"):
        list(read_corpus(tmp_path))
