"""Every documented way to misuse `reprolab invscale ...` ends in exit code 1 and one line that
says what to do, never a traceback, and leaves earlier files as they were.

Each case is `(argv, expected fragment of the error line)`. Placeholders in argv name files made
by the `inputs` fixture: `{quotes}` and `{lazy}` good task files, `{model}` a tiny model folder,
`{file}` an existing text file, `{folder}` a non-empty folder that holds no run, `{out}` a fresh
run folder, `{missing}` a path that does not exist, and broken task files `{broken_json}`,
`{bad_row}`, `{not_object}`, `{ragged_csv}`, `{latin1_csv}`, `{empty}`, `{no_type}`. A value
outside an option's choices is click's usage error (exit 2), naming the choices.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from reprolab.invscale.cli import app
from reprolab.invscale.tasks import DATASET  # noqa: F401  (registers the dataset for needs_data)
from tests.helpers.cli_errors import one_line
from tests.invscale.toy import write_tasks
from tests.lm.tiny_models import tiny_llama

runner = CliRunner()
RUN = ["run", "--tasks", "{quotes}", "--models", "{model}", "--device", "cpu", "--out", "{out}"]
needs_data = pytest.mark.needs_data("inverse-scaling")

CASES = {
    # run: settings
    "limit 0": (["run", "--limit", "0"], "--limit must be >= 1"),
    "batch size 0": (["run", "--batch-size", "0"], "--batch-size must be >= 1"),
    "max length 0": (["run", "--max-length", "0"], "--max-length must be >= 1"),
    "a model twice": (["run", "--models", "a,a"], "A model is listed twice"),
    "too few replicates": (["run", "--n-boot", "5"], "--n-boot must be >= 10"),
    "confidence above 1": (["run", "--confidence", "1.5"], "--confidence must be in (0, 1)"),
    "negative effect": (["run", "--min-effect", "-1"], "--min-effect must be >= 0"),
    "no tasks": (["run", "--tasks", ","], "Give at least one task"),
    # run: tasks
    "misspelt winner": (["run", "--tasks", "memo-trip"], "Did you mean 'memo-trap'"),
    "task type of a winner": (["run", "--tasks", "memo-trap", "--task-type", "numeric"],
                              "--task-type numeric does not apply to memo-trap"),
    "missing task file": ([*RUN[:2], "{missing}.jsonl", *RUN[3:]], "does not exist"),
    "broken JSON line": ([*RUN[:2], "{broken_json}", *RUN[3:]],
                         "broken.jsonl:2: not valid JSON"),
    "bad row, 1-based line": ([*RUN[:2], "{bad_row}", *RUN[3:]],
                              "bad_row.jsonl:3: answer_index 2 outside 0..1"),
    "row not an object": ([*RUN[:2], "{not_object}", *RUN[3:]],
                          "list.jsonl:1: a row must be a JSON object"),
    "ragged CSV": ([*RUN[:2], "{ragged_csv}", *RUN[3:]],
                   "ragged.csv:3: the number of fields differs from the header's"),
    "CSV not UTF-8": ([*RUN[:2], "{latin1_csv}", *RUN[3:]], "latin1.csv is not UTF-8 text"),
    "empty task file": ([*RUN[:2], "{empty}", *RUN[3:]], "empty.jsonl holds no examples"),
    "columns of no task type": ([*RUN[:2], "{no_type}", *RUN[3:]],
                                "no_type.jsonl:1: cannot tell the task type"),
    # run: models, device, folder
    "unknown packaged model": ([*RUN[:4], "smollm3", *RUN[5:]], "Unknown packaged model"),
    "missing model folder": ([*RUN[:4], "{missing}/model", *RUN[5:]], "No model folder at"),
    "bogus device": ([*RUN, "--device", "tpu9"], "--device 'tpu9' is not a device"),
    "out is a file": ([*RUN[:-1], "{file}"], "is a file: give a folder"),
    "out holds other files": ([*RUN[:-1], "{folder}"], "is not empty and holds no run record"),
    # pilot
    "pilot replicates": (["pilot", "--n-boot", "3"], "--n-boot must be >= 10"),
    "unknown pilot run": pytest.param(["pilot", "--runs", "nope"], "No pilot run named nope",
                                      marks=needs_data),
    "pilot out is a file": pytest.param(["pilot", "--runs", "lambada_gpt3", "--out", "{file}"],
                                        "is a file", marks=needs_data),
    # parity
    "parity limit 0": (["parity", "--limit", "0"], "--limit must be >= 1"),
    "parity bogus device": (["parity", "--device", "tpu9"], "--device 'tpu9' is not a device"),
    "parity on a sequence task": (["parity", "--tasks", "{lazy}"],
                                  "covers classification tasks, not lazy (sequence_prob)"),
    "parity on a missing folder": pytest.param(["parity", "--model", "{missing}/model"],
                                               "No model folder at", marks=needs_data),
    # analyse
    "analyse a missing folder": (["analyse", "{missing}"], "is not a ladder run folder"),
    "analyse a folder that is no run": (["analyse", "{folder}"], "is not a ladder run folder"),
    "analyse replicates": (["analyse", "{folder}", "--n-boot", "2"], "--n-boot must be >= 10"),
}


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("inputs")
    quotes, lazy = write_tasks(root)
    tiny_llama(root)
    files = {"quotes": quotes, "lazy": lazy, "model": root / "tiny-llama",
             "file": root / "notes.txt", "folder": root / "folder", "missing": root / "missing",
             "broken_json": root / "broken.jsonl", "bad_row": root / "bad_row.jsonl",
             "not_object": root / "list.jsonl", "ragged_csv": root / "ragged.csv",
             "latin1_csv": root / "latin1.csv", "empty": root / "empty.jsonl",
             "no_type": root / "no_type.jsonl"}
    files["file"].write_text("keep me\n")
    files["folder"].mkdir()
    (files["folder"] / "notes.txt").write_text("keep me too\n")
    good = quotes.read_text().splitlines()[0]
    files["broken_json"].write_text(f"{good}\n{{\"prompt\": \"cut off\n")
    wrong = good.replace('"answer_index": 0', '"answer_index": 2')
    files["bad_row"].write_text(f"{good}\n\n{wrong}\n")
    files["not_object"].write_text("[1, 2]\n")
    files["ragged_csv"].write_text("prompt,completion\nThe dog, sleeps\na,b,c\n")
    files["latin1_csv"].write_bytes("prompt,completion\ncaf\xe9,x\n".encode("latin-1"))
    files["empty"].write_text("")
    files["no_type"].write_text('{"question": "why?"}\n')
    return files


@pytest.mark.parametrize(("argv", "fragment"), list(CASES.values()), ids=list(CASES))
def test_misuse_is_one_line_and_changes_nothing(inputs, tmp_path, argv, fragment):
    before = {path: path.read_bytes() for path in inputs.values() if path.is_file()}
    argv = [arg.format(**inputs, out=tmp_path / "out") for arg in argv]
    line = one_line(runner.invoke(app, argv))
    assert line.startswith("error: ") and fragment in line
    assert {path: path.read_bytes() for path in before} == before
    assert (inputs["folder"] / "notes.txt").read_text() == "keep me too\n"


@pytest.mark.parametrize(("option", "value"), [("--source", "web"), ("--task-type", "mcq")])
def test_a_value_outside_a_choice_is_one_line_naming_the_choices(option, value):
    result = runner.invoke(app, ["run", option, value])
    assert result.exit_code == 1
    assert result.output.strip().startswith(f"error: {option} takes one of ")
    assert len(result.output.strip().splitlines()) == 1
