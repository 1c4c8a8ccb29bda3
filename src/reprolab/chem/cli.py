"""`reprolab chem`: prepare molecules, fine-tune (SFT), align (DPO), train the from-scratch
baseline, sample, evaluate, follow metrics against training compute (curve); export an adapter
to share.

Each verb's options come from its settings dataclass; the verb calls one `run_*` and prints.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from reprolab.chem.baseline import BaselineConfig, run_baseline
from reprolab.chem.curve import CurveConfig, run_curve
from reprolab.chem.dpo import DpoConfig, run_dpo
from reprolab.chem.models import EXPORT_DTYPES, export_adapter
from reprolab.chem.runs import (
    EvaluateConfig,
    PrepareConfig,
    SampleConfig,
    run_evaluate,
    run_prepare,
    run_sample,
)
from reprolab.chem.sft import SftConfig, run_sft
from reprolab.core.cli import config_options, console, print_frame, print_mapping, user_errors

app = typer.Typer(help="SmileyLlama: LLMs fine-tuned into chemical language models.",
                  no_args_is_help=True)
Out = Annotated[Path | None, typer.Option(help="Run folder (default runs/chem/<time>-<name>); "
                                               "rerun with the same one to resume.")]
RESUME = "rerun the same command with the same --out to resume"


@app.command("prepare")
@config_options(PrepareConfig)
def prepare_command(config: PrepareConfig, out: Out = None) -> None:
    """Read molecules, skip invalid SMILES, compute the 12 properties once (properties.parquet)."""
    with user_errors(RESUME):
        print_mapping(run_prepare(config, out=out), "prepared")


@app.command("sft")
@config_options(SftConfig)
def sft_command(config: SftConfig, out: Out = None) -> None:
    """Fine-tune a causal LM on property prompts -> randomised SMILES (LoRA by default)."""
    with user_errors(f"checkpoints kept; {RESUME}"):
        result = run_sft(config, out=out)
    console.print(f"model: {result.model} ({result.steps} steps, loss {result.train_loss:.3f})")


@app.command("dpo")
@config_options(DpoConfig)
def dpo_command(config: DpoConfig, out: Out = None) -> None:
    """Sample, check with RDKit, pair satisfied/unsatisfied samples, train with DPO."""
    with user_errors(f"finished rounds and checkpoints kept; {RESUME}"):
        rounds = run_dpo(config, out=out)
    for r in rounds:
        console.print(f"round {r['round']}: {r['pairs']} pairs, satisfied before "
                      f"{r['satisfied_before']:.3f}, model {r['train']['model']}")


@app.command("baseline")
@config_options(BaselineConfig)
def baseline_command(config: BaselineConfig, out: Out = None) -> None:
    """Train the from-scratch SMILES-only baseline (a small Llama) on the same molecules."""
    with user_errors(f"checkpoints kept; {RESUME}"):
        result = run_baseline(config, out=out)
    console.print(f"model: {result.model} ({result.steps} steps, loss {result.train_loss:.3f})")


@app.command("sample")
@config_options(SampleConfig)
def sample_command(config: SampleConfig, out: Out = None) -> None:
    """Sample molecules for a prompt set and check each against its prompt."""
    with user_errors():
        table = run_sample(config, out=out)
    print_frame(table, "prompt adherence")


@app.command("evaluate")
@config_options(EvaluateConfig)
def evaluate_command(config: EvaluateConfig, out: Out = None) -> None:
    """MOSES and GuacaMol distribution metrics of a samples file (metrics.json)."""
    with user_errors():
        print_mapping(run_evaluate(config, out=out), "metrics")


@app.command("curve")
@config_options(CurveConfig)
def curve_command(config: CurveConfig, out: Out = None) -> None:
    """Metrics against training FLOPs: each snapshot of SFT and baseline runs sampled, scored."""
    with user_errors(f"finished points kept; {RESUME}"):
        print_frame(run_curve(config, out=out), "metrics against training FLOPs")


@app.command("export")
def export_command(
        model: Annotated[Path, typer.Option(help="The `model/` folder of an sft or dpo run.")],
        out: Annotated[Path, typer.Option(help="Folder to write the adapter to.")],
        dtype: Annotated[str, typer.Option(
            help=f"Weight type: {', '.join(EXPORT_DTYPES)}.")] = "bfloat16") -> None:
    """Copy a trained LoRA adapter at half precision (half the size), to share or commit."""
    with user_errors():
        folder = export_adapter(model, out, dtype)
    size = sum(p.stat().st_size for p in folder.iterdir()) / 2**20
    console.print(f"adapter: {folder} ({size:.1f} MiB)")
