"""Every documented way to misuse `reprolab chem ...` ends in exit code 1 and one line that says
what to do, never a traceback, and leaves earlier files as they were.

Each case is `(argv, expected fragment of the error line)`. Placeholders name files made by the
`inputs` fixture: `{smi}` a SMILES file with no valid entry, `{csv}` a CSV without a `smiles`
column, `{text}` a text file that is no parquet table, `{jsonl}` a samples file with a broken
second line, `{model}` a tiny model folder, `{folder}` a non-empty folder that holds no run,
`{out}` a fresh run folder, `{missing}` a path that does not exist.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from reprolab.chem.cli import app
from tests.helpers.cli_errors import one_line
from tests.lm.tiny_models import tiny_llama

runner = CliRunner()
SFT = ["sft", "--data", "{text}", "--device", "cpu", "--out", "{out}"]

CASES = {
    # prepare
    "missing SMILES file": (["prepare", "--source", "{missing}.smi"], "does not exist"),
    "no such CSV column": (["prepare", "--source", "{csv}", "--column", "smiles"],
                           "has no column 'smiles'"),
    "no valid SMILES": (["prepare", "--source", "{smi}"], "none of its 2 entries is a valid"),
    "prepare limit 0": (["prepare", "--limit", "0"], "--limit must be >= 1"),
    "prepare out is a file": (["prepare", "--source", "{csv}", "--column", "SMILES", "--out",
                               "{text}"], "is a file: give a folder"),
    "prepare out holds other files": (["prepare", "--limit", "3", "--out", "{folder}"],
                                      "is not empty and holds no run record"),
    # sft
    "sft without data": (["sft"], "Give --data"),
    "sft on a missing table": (["sft", "--data", "{missing}.parquet"], "No property table at"),
    "sft on a text file": (SFT, "is not a property table"),
    "negative LoRA rank": ([*SFT, "--lora-r", "-1"], "LoRA needs r >= 0"),
    "zero learning rate": ([*SFT, "--train-lr", "0"], "--lr and --epochs must be > 0"),
    "zero max steps": ([*SFT, "--train-max-steps", "0"], "--max-steps must be >= 1 or -1"),
    "p-flag above 1": ([*SFT, "--p-flag", "2"], "--p-flag must be in [0, 1]"),
    "bogus device": ([*SFT[:3], "--device", "tpu9"], "--device 'tpu9' is not a device"),
    # dpo
    "dpo without model": (["dpo"], "Give --model"),
    "dpo with one sample": (["dpo", "--model", "{model}", "--data", "{text}",
                             "--samples-per-prompt", "1"], "--samples-per-prompt must be >= 2"),
    "dpo without LoRA": (["dpo", "--model", "{model}", "--data", "{text}", "--lora-r", "0"],
                         "DPO trains a LoRA adapter"),
    # sample
    "sample without model": (["sample"], "Give --model"),
    "evaluation prompts without data": (["sample", "--model", "{model}", "--prompts", "seen"],
                                        "--prompts seen needs --data"),
    "zero samples": (["sample", "--model", "{model}", "--n", "0"], "must be >= 1"),
    "unknown packaged model": (["sample", "--model", "smollm3", "--device", "cpu", "--out",
                                "{out}"], "smollm3"),
    "missing model folder": (["sample", "--model", "{missing}/model", "--device", "cpu",
                              "--out", "{out}"], "No model folder at"),
    # evaluate
    "evaluate without samples": (["evaluate"], "Give --samples"),
    "missing samples file": (["evaluate", "--samples", "{missing}.jsonl"], "does not exist"),
    "broken samples line": (["evaluate", "--samples", "{jsonl}"],
                            "samples.jsonl, line 2: not a sample"),
    "test limit 0": (["evaluate", "--samples", "{jsonl}", "--test-limit", "0"],
                     "--test-limit must be >= 1"),
    # export
    "export a full model": (["export", "--model", "{model}", "--out", "{out}"],
                            "holds no LoRA adapter"),
    "export to an unknown type": (["export", "--model", "{model}", "--out", "{out}", "--dtype",
                                   "int3"], "--dtype takes one of bfloat16"),
}


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("inputs")
    tiny_llama(root)
    files = {"smi": root / "bad.smi", "csv": root / "mols.csv", "text": root / "notes.txt",
             "jsonl": root / "samples.jsonl", "model": root / "tiny-llama",
             "folder": root / "folder", "missing": root / "missing"}
    files["smi"].write_text("C1CC\nnot-a-smiles\n")
    files["csv"].write_text("id,SMILES\n1,CCO\n")
    files["text"].write_text("keep me\n")
    files["jsonl"].write_text('{"text": "CCO", "smiles": "CCO"}\n{"text": \n')
    files["folder"].mkdir()
    (files["folder"] / "notes.txt").write_text("keep me too\n")
    return files


@pytest.mark.parametrize(("argv", "fragment"), list(CASES.values()), ids=list(CASES))
def test_misuse_is_one_line_and_changes_nothing(inputs, tmp_path, argv, fragment):
    before = {path: path.read_bytes() for path in inputs.values() if path.is_file()}
    argv = [arg.format(**inputs, out=tmp_path / "out") for arg in argv]
    line = one_line(runner.invoke(app, argv))
    assert line.startswith("error: ") and fragment in line
    assert {path: path.read_bytes() for path in before} == before
    assert (inputs["folder"] / "notes.txt").read_text() == "keep me too\n"


@pytest.mark.parametrize(("argv", "option"), [
    (["evaluate", "--samples", "x.smi", "--suite", "all"], "--suite"),
    (["sample", "--model", "m", "--prompts", "some"], "--prompts"),
])
def test_a_value_outside_a_choice_is_one_line_naming_the_choices(argv, option):
    result = runner.invoke(app, argv)
    assert result.exit_code == 1
    assert result.output.strip().startswith(f"error: {option} takes one of ")
    assert len(result.output.strip().splitlines()) == 1
