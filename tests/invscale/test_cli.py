"""`reprolab invscale` through its command line: one-line errors, resumable runs, Ctrl-C, the
wording of trend calls, and analyse refusing folders whose files disagree with their settings."""

from __future__ import annotations

import json
import shlex
import shutil

import pandas as pd
import pytest
from typer.testing import CliRunner

from reprolab.invscale.cli import app
from reprolab.invscale.per_example import stem
from reprolab.invscale.tasks import DATASET  # noqa: F401  (registers the dataset for needs_data)
from tests.invscale.toy import run_argv, write_models, write_tasks

runner = CliRunner()


@pytest.fixture(scope="module")
def toy(tmp_path_factory):
    """(tasks, models, folder of a finished run of them)."""
    root = tmp_path_factory.mktemp("toy")
    tasks, models = write_tasks(root), write_models(root)
    result = runner.invoke(app, run_argv(tasks, models, root / "run"))
    assert result.exit_code == 0, result.output
    return tasks, models, root / "run"


def one_error_line(result, fragment: str, code: int = 1) -> None:
    """Exit `code` and one line holding `fragment` (besides transformers' weight-loading bar)."""
    assert result.exit_code == code, result.output
    lines = [line for line in result.output.strip().splitlines()
             if not line.startswith("Loading weights")]
    assert len(lines) == 1 and fragment in lines[0], result.output
    assert "Traceback" not in result.output


def snapshot(folder) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


def test_tasks_lists_the_eleven_winners():
    result = runner.invoke(app, ["tasks"], terminal_width=200)
    assert result.exit_code == 0
    for name in ("memo-trap", "neqa", "sig-figs", "hindsight-neglect", "prompt-injection"):
        assert name in result.output
    assert "sequence_prob" in result.output


def test_bad_options_are_one_line_without_traceback():
    one_error_line(runner.invoke(app, ["run", "--tasks", "memo-trip", "--models", "x"]),
                   "Did you mean 'memo-trap'")
    one_error_line(runner.invoke(app, ["run", "--limit", "0"]), "--limit must be >= 1")


def test_an_internal_error_keeps_its_traceback(toy, tmp_path, monkeypatch):
    tasks, models, _ = toy

    def broken(*args, **kwargs):
        raise KeyError("an internal bug")

    monkeypatch.setattr("reprolab.invscale.ladder.metric_trends", broken)
    result = runner.invoke(app, run_argv(tasks, models, tmp_path / "run"))
    assert isinstance(result.exception, KeyError)
    assert "error:" not in result.output
    assert json.loads((tmp_path / "run" / "status.json").read_text())["status"] == "failed"


def test_calls_below_p_095_are_not_named(toy, tmp_path):
    folder = tmp_path / "run"
    shutil.copytree(toy[2], folder)
    trends = pd.read_csv(folder / "trends.csv")
    assert {"trend", "estimate", "p(trend)"} <= set(trends.columns)
    for row in trends.to_dict("records"):
        if row["p(trend)"] >= 0.95:
            assert row["trend"] == row["estimate"]
        else:
            assert row["trend"] == (f"no clear trend (estimate: {row['estimate']}, "
                                    f"p={row['p(trend)']:.2f})")
    result = runner.invoke(app, ["analyse", str(folder), "--n-boot", "20"],
                           env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    unclear = trends[trends["p(trend)"] < 0.95]
    assert not unclear.empty  # three items on random models
    assert "no clear trend (estimate:" in result.output


def test_ctrl_c_keeps_finished_pairs_and_a_rerun_resumes_them(toy, tmp_path, monkeypatch):
    tasks, models, uninterrupted = toy
    import reprolab.lm.scoring as scoring

    real, calls = scoring.score_continuations, []

    def interrupt_after_the_first_pair(*args, **kwargs):
        calls.append(args[2])
        if len(calls) > 1:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(scoring, "score_continuations", interrupt_after_the_first_pair)
    out = tmp_path / "run"
    result = runner.invoke(app, run_argv(tasks, models, out))
    first = out / f"{stem(tasks[0].stem, str(models[0]))}.jsonl"
    one_error_line(result, f"interrupted: kept 1 model/task pairs in {out} ({models[0]} on "
                           f"{tasks[0].stem}); resume with: reprolab invscale run ", code=130)
    assert json.loads((out / "status.json").read_text())["status"] == "interrupted"
    kept = first.read_bytes()

    command = shlex.split(result.output.split("resume with: ")[1])
    assert command[:3] == ["reprolab", "invscale", "run"] and command[-2:] == ["--out", str(out)]
    calls.clear()
    monkeypatch.setattr(scoring, "score_continuations",
                        lambda *args, **kwargs: calls.append(args[2]) or real(*args, **kwargs))
    result = runner.invoke(app, command[2:])
    assert result.exit_code == 0, result.output
    assert f"resumed: 1 of 4 model/task pairs read from {out}" in result.output
    assert len(calls) == 3  # the first pair was read, not scored again
    assert first.read_bytes() == kept
    for name in ("summary.csv", "trends.csv"):
        assert pd.read_csv(out / name).equals(pd.read_csv(uninterrupted / name))


def test_a_folder_with_other_settings_is_refused_and_left_alone(toy):
    tasks, models, folder = toy
    before = snapshot(folder)
    one_error_line(runner.invoke(app, [*run_argv(tasks, models, folder), "--limit", "2"]),
                   "holds a run with other settings (differs in: config.limit)")
    assert snapshot(folder) == before


def test_nothing_loads_before_the_out_folder_and_device_are_checked(toy, tmp_path,
                                                                     monkeypatch):
    tasks, models, _ = toy

    def no_loading(*args, **kwargs):
        raise AssertionError("a model was loaded")

    monkeypatch.setattr("reprolab.lm.zoo.load_model", no_loading)
    a_file = tmp_path / "a-file"
    a_file.write_text("keep me")
    one_error_line(runner.invoke(app, run_argv(tasks, models, a_file)), "is a file")
    assert a_file.read_text() == "keep me"
    one_error_line(runner.invoke(app, [*run_argv(tasks, models, tmp_path / "x"), "--device",
                                       "bogus"]), "--device 'bogus' is not a device")
    assert not (tmp_path / "x").exists()


def test_max_length_is_applied_or_refused_never_ignored(toy, tmp_path):
    tasks, models, _ = toy
    one_error_line(runner.invoke(app, [*run_argv(tasks, models, tmp_path / "a"),
                                       "--max-length", "0"]), "--max-length must be >= 1")
    one_error_line(runner.invoke(app, [*run_argv(tasks, models, tmp_path / "b"),
                                       "--max-length", "1"]), "more than max_length=1")
    result = runner.invoke(app, [*run_argv(tasks[1:], models, tmp_path / "c"),
                                 "--max-length", "3"])
    assert result.exit_code == 0, result.output
    name = f"{stem(tasks[1].stem, str(models[0]))}.csv"
    cut, whole = (pd.read_csv(folder / name)["loss"] for folder in (tmp_path / "c", toy[2]))
    assert cut.tolist() != pytest.approx(whole.tolist())  # the context was cut to fit


def test_task_type_on_a_winner_is_refused():
    one_error_line(runner.invoke(app, ["run", "--tasks", "memo-trap", "--task-type",
                                       "sequence_prob"]),
                   "--task-type sequence_prob does not apply to memo-trap")


@pytest.mark.parametrize(("damage", "fragment"), [
    ("extra model", "is the file of a model that"),
    ("short file", "holds 2 rows, not the 3 examples of quotes"),
    ("truncated line", ":3: not valid JSON"),
])
def test_analyse_refuses_files_that_disagree_with_the_settings(toy, tmp_path, damage,
                                                               fragment):
    tasks, models, finished = toy
    folder = tmp_path / "run"
    shutil.copytree(finished, folder)
    quotes = folder / f"{stem(tasks[0].stem, str(models[0]))}.jsonl"
    if damage == "extra model":
        shutil.copy(quotes, quotes.with_name("someone-else.jsonl"))
    elif damage == "short file":
        quotes.write_text("".join(quotes.read_text().splitlines(keepends=True)[:2]))
    else:
        quotes.write_bytes(quotes.read_bytes()[:-20])
    before = snapshot(folder)
    result = runner.invoke(app, ["analyse", str(folder)])
    one_error_line(result, fragment)
    assert str(folder) in result.output
    assert snapshot(folder) == before


@pytest.mark.needs_data("inverse-scaling")
def test_pilot_verb_writes_its_record(tmp_path):
    result = runner.invoke(app, ["pilot", "--runs", "syllogism-opt,lambada_gpt3", "--n-boot",
                                 "20", "--out", str(tmp_path)], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert "lambada_gpt3" in result.output and "syllogism-opt" in result.output
    for name in ("config.json", "results.json", "trends.csv", "primary_trends.csv"):
        assert (tmp_path / name).exists()
    one_error_line(runner.invoke(app, ["pilot", "--runs", "nope"]), "No pilot run named nope")
