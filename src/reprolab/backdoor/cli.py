"""`reprolab backdoor ...`: compile a locker, insert a backdoor into an LM, verify, elicit, detect.

Each verb's options are generated from its settings dataclass (`reprolab.backdoor.config`, plain
Python); the verb calls one `run_*` function (`reprolab.backdoor.runs`, imported on use, as it
needs torch) and prints its result.
"""

from __future__ import annotations

from dataclasses import asdict, replace
from pathlib import Path
from typing import Annotated, Any

import typer

from reprolab.backdoor.config import (
    CompileConfig,
    DetectConfig,
    ElicitConfig,
    InsertConfig,
    VerifyConfig,
)
from reprolab.core.cli import config_options, print_frame, print_mapping, user_errors
from reprolab.core.device import DEVICE_HELP

app = typer.Typer(help="Unelicitable backdoors via cryptographic transformer circuits "
                       "(arXiv 2406.02619).", no_args_is_help=True)
Out = Annotated[Path | None, typer.Option(
    help="Run folder (default runs/backdoor/<time>-<name>); one with the same settings is "
         "resumed, one with other settings refused.")]
Device = Annotated[str, typer.Option(help=f"Device: {DEVICE_HELP}.")]
MODEL_DIR_HELP = VerifyConfig.__dataclass_fields__["model_dir"].metadata["help"]
KEPT = "the run folder is marked interrupted; rerun the same command to start it again"


def _scalars(result: Any) -> dict[str, Any]:
    """A result's fields without its tables and run folder, for a quantity | value table."""
    return {key: value for key, value in asdict(result).items()
            if key != "folder" and not hasattr(value, "to_dict")}


@app.command("compile")
@config_options(CompileConfig)
def compile_command(config: CompileConfig, out: Out = None) -> None:
    """Compile a digital locker for a random trigger and check it against the reference SHA-256
    (exit 1 if any check fails)."""
    from reprolab.backdoor.runs import run_compile

    with user_errors(KEPT):
        result = run_compile(config, out)
    print_mapping(_scalars(result), f"locker, {result.rounds} rounds ({result.folder})")
    if not result.passed:
        raise typer.Exit(1)


@app.command("insert")
@config_options(InsertConfig, nested={"options": ""})
def insert_command(config: InsertConfig, out: Out = None, device: Device = "auto") -> None:
    """Insert a backdoor into a host LM, check it, save it to OUT/model and reload it.

    The trigger is written to OUT/results.json: keep that file to yourself.
    """
    from reprolab.backdoor.runs import run_insert

    with user_errors(KEPT):
        result = run_insert(config, out, device)
    print_mapping(_scalars(result), f"{config.design} in {config.model} ({result.saved_to})")


@app.command("verify")
@config_options(VerifyConfig, skip=("model_dir",))
def verify_command(
    config: VerifyConfig,
    model_dir: Annotated[Path, typer.Argument(help=MODEL_DIR_HELP)],
    out: Out = None,
    device: Device = "auto",
) -> None:
    """Reload a saved backdoored model and check off-trigger equality and the payload (exit 1 if
    any check fails)."""
    from reprolab.backdoor.runs import run_verify

    with user_errors(KEPT):
        result = run_verify(replace(config, model_dir=model_dir), out, device)
    print_mapping(_scalars(result), f"verify {model_dir} ({result.folder})")
    if not result.passed:
        raise typer.Exit(1)


@app.command("elicit")
@config_options(ElicitConfig, nested={"options": ""})
def elicit_command(config: ElicitConfig, out: Out = None, device: Device = "auto") -> None:
    """LAT at every site and GCG on the trigger tokens for each design (table and figure), and
    the noise protocol with --noise-runs."""
    from reprolab.backdoor.runs import run_elicit

    with user_errors(KEPT):
        result = run_elicit(config, out, device)
    if not result.summary.empty:
        print_frame(result.summary, f"elicitation ({result.folder})")
    if result.noise is not None:
        print_frame(result.noise, f"LAT under weight noise ({result.folder})")


@app.command("detect")
@config_options(DetectConfig, nested={"options": ""})
def detect_command(config: DetectConfig, out: Out = None) -> None:
    """AUROC of a weight-statistics score and a linear activation probe (tiny hosts)."""
    from reprolab.backdoor.runs import run_detect

    with user_errors(KEPT):
        result = run_detect(config, out)
    print_frame(result.models, "detector scores",
                columns=["host", "design", "weight_score", "probe_score"])
    print_mapping(_scalars(result), f"AUROC ({result.folder})")
