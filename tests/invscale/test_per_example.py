"""Per-example files: written as the organisers' CSV plus JSON lines, read back only when whole."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from reprolab.core.errors import UserError
from reprolab.core.records import RunRecord
from reprolab.invscale.examples import ClassificationExample
from reprolab.invscale.per_example import read_per_example, slug, stem, write_per_example
from reprolab.invscale.tasks import LoadedTask

TASK = LoadedTask("quotes", "classification",
                  [ClassificationExample("Q", (" a", " b"), 0)] * 2, "quotes.jsonl")
FRAME = pd.DataFrame({"index": [0, 1], "loss": [0.25, 1.5], "correct": [1, 0],
                      "total_logprob": [-0.5, -0.75], "predicted": [0, 1],
                      "class_logprobs": [[-1.0, -2.0], [-3.0, -1.0]]})


@pytest.fixture
def written(tmp_path):
    record = RunRecord.create("invscale", "test", {}, out=tmp_path / "run")
    return write_per_example(record, TASK, "org/model", FRAME)


def test_names_are_file_safe():
    assert slug("pilot:x") == "pilot_x" and slug("/models/a b/") == "models_a_b"
    assert stem("pilot:x", "org/model") == "pilot_x/org_model"


def test_the_csv_has_the_official_columns_and_the_jsonl_reads_back_exactly(written):
    assert written.name == "org_model.jsonl" and written.parent.name == "quotes"
    official = pd.read_csv(written.with_suffix(".csv"))
    assert list(official.columns) == ["index", "loss", "correct", "total_logprob"]
    assert read_per_example(written, TASK).equals(FRAME)


@pytest.mark.parametrize(("damage", "fragment"), [
    (lambda lines: lines[:1], "holds 1 rows, not the 2 examples of quotes"),
    (lambda lines: [lines[0], lines[1][:-9] + "\n"], "org_model.jsonl:2: not valid JSON"),
    (lambda lines: [lines[0], json.dumps({"index": 1, "loss": 0.1}) + "\n"],
     "org_model.jsonl:2: missing correct, total_logprob"),
    (lambda lines: lines[::-1], "rows are not indexed 0..1 in order"),
])
def test_an_incomplete_file_is_refused_by_name(written, damage, fragment):
    lines = written.read_text().splitlines(keepends=True)
    written.write_text("".join(damage(lines)))
    with pytest.raises(UserError, match="delete the file to recompute it") as error:
        read_per_example(written, TASK)
    assert fragment in str(error.value) and str(written) in str(error.value)
