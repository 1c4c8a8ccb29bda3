"""core.cli: options generated from settings dataclasses, one error line for user errors only."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Literal

import pytest
import typer
from typer.testing import CliRunner

from reprolab.core.cli import config_options, split_list, user_errors
from reprolab.core.errors import UserError

runner = CliRunner()


@dataclass(frozen=True)
class Inner:
    steps: int = field(default=3, metadata={"help": "Inner steps."})
    seed: int = field(default=0, metadata={"help": "Inner seed."})


@dataclass(frozen=True)
class Settings:
    model: str = field(metadata={"help": "The model."})
    tasks: tuple[str, ...] = field(default=("a", "b"), metadata={"help": "Tasks, comma list."})
    limit: int | None = field(default=None, metadata={"help": "First N items."})
    kind: Literal["x", "y"] = field(default="x", metadata={"help": "The kind."})
    years: tuple[int, ...] = field(default=(1, 3), metadata={"help": "Years, comma list."})
    flag: bool = field(default=True, metadata={"help": "A switch."})
    inner: Inner = field(default_factory=lambda: Inner(steps=4, seed=9))

    def __post_init__(self) -> None:
        if self.limit is not None and self.limit < 1:
            raise UserError(f"--limit must be at least 1, got {self.limit}.")
        if self.model == "bug":
            raise KeyError("internal")


def _app(seen: list) -> typer.Typer:
    app = typer.Typer()

    @app.command()
    @config_options(Settings, skip=("inner.seed",))
    def run(config: Settings,
            out: Annotated[Path | None, typer.Option(help="Run folder.")] = None) -> None:
        seen.append((config, out))

    @app.command()
    def other() -> None:
        """A second verb, so `run` is a subcommand."""

    return app


def test_every_field_is_an_option_with_its_default_and_help():
    help_text = runner.invoke(_app([]), ["run", "--help"]).output
    for fragment in ("--model", "The model.", "--tasks", "[default: a,b]", "--limit",
                     "--kind", "--no-flag", "--inner-steps", "Inner steps.", "[default: 4]",
                     "--out", "Run folder."):
        assert fragment in help_text, fragment
    assert "--inner-seed" not in help_text  # skipped: keeps its default


def test_options_build_the_dataclass():
    seen: list = []
    result = runner.invoke(_app(seen), ["run", "--model", "m", "--tasks", "p, q", "--limit", "2",
                                        "--no-flag", "--inner-steps", "7", "--out", "o",
                                        "--years", "5,10"])
    assert result.exit_code == 0, result.output
    assert seen == [(Settings(model="m", tasks=("p", "q"), limit=2, flag=False,
                              years=(5, 10), inner=Inner(steps=7, seed=9)), Path("o"))]
    seen.clear()
    runner.invoke(_app(seen), ["run", "--model", "m"])
    assert seen == [(Settings(model="m"), None)]  # the dataclass defaults, nothing restated
    assert seen[0][0].inner == Inner(steps=4, seed=9)  # the factory's, not Inner's own


def test_a_bad_setting_is_one_line_and_exit_1():
    result = runner.invoke(_app([]), ["run", "--model", "m", "--limit", "0"])
    assert result.exit_code == 1
    assert result.output.strip() == "error: --limit must be at least 1, got 0."


def test_a_comma_list_of_numbers_that_does_not_parse_is_one_line():
    result = runner.invoke(_app([]), ["run", "--model", "m", "--years", "1,x"])
    assert result.exit_code == 1
    assert result.output.strip() == "error: --years takes a comma list of int, got '1,x'."


def test_a_value_outside_a_literal_is_one_line_listing_the_choices():
    result = runner.invoke(_app([]), ["run", "--model", "m", "--kind", "z"])
    assert result.exit_code == 1
    assert result.output.strip() == "error: --kind takes one of x, y, got 'z'."
    assert "(one of: x, y)" in runner.invoke(_app([]), ["run", "--help"]).output


def test_an_internal_error_keeps_its_traceback():
    result = runner.invoke(_app([]), ["run", "--model", "bug"])
    assert isinstance(result.exception, KeyError)  # not turned into a one-line "user error"
    assert "error:" not in result.output


def test_ctrl_c_is_one_line_saying_what_was_kept():
    app = typer.Typer()

    @app.command()
    def run() -> None:
        with user_errors("3 of 4 models kept; rerun the same command to resume"):
            raise KeyboardInterrupt

    result = runner.invoke(app, [])
    assert result.exit_code == 130
    assert result.output.strip() == (
        "interrupted: 3 of 4 models kept; rerun the same command to resume")


def test_the_ctrl_c_line_can_be_computed_at_the_interrupt():
    app = typer.Typer()
    done = []

    @app.command()
    def run() -> None:
        with user_errors(lambda: f"{len(done)} pairs kept"):
            done.extend([1, 2])
            raise KeyboardInterrupt

    result = runner.invoke(app, [])
    assert result.exit_code == 130 and result.output.strip() == "interrupted: 2 pairs kept"


def test_rich_markup_in_messages_is_printed_as_written():
    app = typer.Typer()

    @app.command()
    def run() -> None:
        with user_errors():
            raise UserError("no file [bold]x[/bold].csv")

    assert runner.invoke(app, []).output.strip() == "error: no file [bold]x[/bold].csv"


def test_a_field_without_help_is_refused_at_definition():
    @dataclass(frozen=True)
    class Bare:
        n: int = 1

    with pytest.raises(AssertionError, match="help"):
        config_options(Bare)


def test_split_list():
    assert split_list(" a, b,,c ,") == ("a", "b", "c")
