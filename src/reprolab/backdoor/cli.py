"""`reprolab backdoor ...`: compile a locker, insert a backdoor into an LM, verify, elicit, detect.

Only typer, rich and the standard library are imported here; each command imports what it needs.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

if TYPE_CHECKING:
    import pandas as pd

app = typer.Typer(help="Unelicitable backdoors via cryptographic transformer circuits "
                       "(arXiv 2406.02619).", no_args_is_help=True)
console = Console(stderr=True)
Out = Annotated[Path | None, typer.Option(help="Run folder (default runs/backdoor/<time>-<name>).")]
Seed = Annotated[int, typer.Option(help="Random seed.")]
Rounds = Annotated[int | None, typer.Option(
    help="SHA-256 rounds of the locker (64 = full SHA-256; default: the fewest after which every "
         "digest word depends on every input word, 9 for an 8-token trigger).")]
Payload = Annotated[str, typer.Option(help="Harmless payload, at most 15 ASCII characters.")]


def _fail(message: str) -> typer.Exit:
    console.print(f"[red]error:[/red] {message}")
    return typer.Exit(1)


def _user_errors() -> tuple[type[Exception], ...]:
    from reprolab.lm.zoo import ModelFilesError, ModelLoadError

    return (ValueError, KeyError, OSError, ModelLoadError, ModelFilesError)


def _split(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(",") if part.strip())


def _print_frame(frame: pd.DataFrame, title: str) -> None:
    table = Table(*map(str, frame.columns), title=title)
    for row in frame.itertuples(index=False):
        table.add_row(*("—" if v is None or v != v else f"{v:.4g}" if isinstance(v, float)
                        else str(v) for v in row))
    Console().print(table)


def _print_results(results: dict, title: str) -> None:
    table = Table("quantity", "value", title=title)
    for key, value in results.items():
        table.add_row(key, json.dumps(value) if isinstance(value, dict | list) else str(value))
    Console().print(table)


@app.command("compile")
def compile_command(
    rounds: Rounds = None,
    trigger_bits: Annotated[int, typer.Option(help="Trigger length in bits.")] = 128,
    check: Annotated[int, typer.Option(help="Random inputs checked against hashlib-style "
                                            "reference SHA-256.")] = 256,
    payload: Payload = "HELLO LOCKER",
    out: Out = None,
    seed: Seed = 0,
) -> None:
    """Compile a digital locker for a random trigger and verify it against the reference."""
    from reprolab.backdoor.config import CompileConfig
    from reprolab.backdoor.runs import run_compile
    from reprolab.core.records import RunRecord

    try:
        config = CompileConfig(rounds=rounds, trigger_bits=trigger_bits, check_inputs=check,
                               payload=payload, seed=seed)
        record = RunRecord.create("backdoor", "compile", config, seed=seed, out=out)
        _, results = run_compile(config)
    except _user_errors() as error:
        raise _fail(str(error)) from None
    record.write_results(results)
    _print_results(results, f"locker, {results['rounds']} rounds ({record.folder})")
    if results["mismatches_vs_reference"] or not results["payload_on_trigger_matches"]:
        raise typer.Exit(1)


@app.command("insert")
def insert_command(
    model: Annotated[str, typer.Option(help="Host: packaged name, folder, hub id, or tiny.")] =
    "smollm2-135m",
    design: Annotated[str, typer.Option(help="locker, password or sat.")] = "locker",
    trigger: Annotated[str | None, typer.Option(help="Trigger text (default: random "
                                                     "tokens).")] = None,
    trigger_tokens: Annotated[int, typer.Option(help="Random trigger length.")] = 8,
    payload: Payload = "HELLO LOCKER",
    rounds: Rounds = None,
    prompts: Annotated[int, typer.Option(help="Off-trigger prompts to compare.")] = 200,
    finetune_steps: Annotated[int, typer.Option(help="Also test survival of N fine-tuning "
                                                     "steps (0: skip).")] = 0,
    out: Out = None,
    seed: Seed = 0,
    device: Annotated[str, typer.Option(help="auto, cpu, cuda, mps.")] = "cpu",
) -> None:
    """Insert a backdoor into a host LM, check it, save it to OUT/model and reload it.

    The trigger is written to OUT/results.json: keep that file to yourself.
    """
    from reprolab.backdoor.config import FinetuneConfig, InsertConfig
    from reprolab.backdoor.designs import DesignOptions
    from reprolab.backdoor.insertion import run_insert
    from reprolab.core.records import RunRecord
    from reprolab.core.seeding import seed_everything

    try:
        config = InsertConfig(
            model=model, design=design, trigger=trigger, trigger_tokens=trigger_tokens,
            payload=payload, options=DesignOptions(rounds=rounds, seed=seed),
            check_prompts=prompts,
            finetune=FinetuneConfig(steps=finetune_steps) if finetune_steps else None)
        seed_everything(seed)
        record = RunRecord.create("backdoor", f"insert-{design}", config, seed=seed, out=out)
        results = run_insert(config, record.folder, device=device, seed=seed)
    except _user_errors() as error:
        raise _fail(str(error)) from None
    record.write_results(results)
    _print_results(results, f"{design} in {model} ({record.folder / 'model'})")


@app.command("verify")
def verify_command(
    model_dir: Annotated[Path, typer.Argument(help="Folder written by `insert` (OUT/model).")],
    trigger: Annotated[str, typer.Option(help="Trigger text, or token ids as `ids:1,2,3`.")],
    payload: Payload,
    prompts: Annotated[int, typer.Option(help="Off-trigger prompts to compare.")] = 200,
    out: Out = None,
    seed: Seed = 0,
    device: Annotated[str, typer.Option(help="auto, cpu, cuda, mps.")] = "cpu",
) -> None:
    """Reload a saved backdoored model and check off-trigger equality and the payload."""
    from reprolab.backdoor.verify import verify_saved
    from reprolab.core.records import RunRecord

    try:
        results = verify_saved(model_dir, trigger, payload, prompts, device, seed)
    except _user_errors() as error:
        raise _fail(str(error)) from None
    settings = {"model_dir": model_dir, "prompts": prompts, "payload": payload}
    record = RunRecord.create("backdoor", "verify", settings, seed=seed, out=out)
    record.write_results(results)
    _print_results(results, f"verify {model_dir}")
    if not results["payload_emitted"] or results["off_trigger_max_abs_diff"] > 1e-5:
        raise typer.Exit(1)


@app.command("elicit")
def elicit_command(
    designs: Annotated[str, typer.Option(help="Comma-separated designs.")] =
    "password,sat,locker",
    methods: Annotated[str, typer.Option(help="lat, gcg or lat,gcg.")] = "lat,gcg",
    seeds: Annotated[int, typer.Option(help="Attack seeds per design.")] = 5,
    lat_steps: Annotated[int, typer.Option(help="LAT steps per site (paper: 10000).")] = 200,
    lat_lr: Annotated[float, typer.Option(help="LAT Adam learning rate.")] = 10.0,
    gcg_steps: Annotated[int, typer.Option(help="GCG steps.")] = 100,
    rounds: Rounds = None,
    site_stride: Annotated[int, typer.Option(
        help="LAT at every k-th site (plus the check site and the last).")] = 1,
    noise_runs: Annotated[int, typer.Option(help="Noisy LAT runs per design at the largest "
                                                 "exact noise (paper: 34; 0: skip).")] = 0,
    out: Out = None,
    seed: Seed = 0,
) -> None:
    """LAT at every site and GCG on the trigger tokens for each design; table and figure."""
    from reprolab.backdoor.config import ElicitConfig, NoiseConfig
    from reprolab.backdoor.designs import DesignOptions
    from reprolab.backdoor.elicit import run_elicitation
    from reprolab.backdoor.gcg import GcgConfig
    from reprolab.backdoor.lat import LatConfig
    from reprolab.backdoor.robustness import run_noise
    from reprolab.backdoor.runs import save_elicitation
    from reprolab.core.records import RunRecord
    from reprolab.core.seeding import seed_everything

    try:
        config = ElicitConfig(
            designs=_split(designs), methods=_split(methods), seeds=seeds,
            lat=LatConfig(steps=lat_steps, lr=lat_lr), gcg=GcgConfig(steps=gcg_steps),
            design=DesignOptions(rounds=rounds, seed=seed), site_stride=site_stride, seed=seed)
        noise = NoiseConfig(runs=noise_runs) if noise_runs else None
    except _user_errors() as error:
        raise _fail(str(error)) from None
    seed_everything(seed)
    record = RunRecord.create("backdoor", "elicit", {"elicit": config, "noise": noise},
                              seed=seed, out=out)
    summary = save_elicitation(record, run_elicitation(config))
    _print_frame(summary, f"elicitation ({record.folder})")
    results = {"summary": summary.to_dict(orient="records")}
    if noise is not None:
        frame = run_noise(noise, config)
        record.write_table("noise.csv", frame)
        _print_frame(frame, "LAT under weight noise")
        results["noise"] = frame.to_dict(orient="records")
    record.write_results(results)


@app.command("detect")
def detect_command(
    hosts: Annotated[int, typer.Option(help="Tiny clean hosts (each gets a backdoored "
                                            "twin).")] = 8,
    prompts: Annotated[int, typer.Option(help="Off-trigger prompts per model.")] = 32,
    rounds: Rounds = None,
    out: Out = None,
    seed: Seed = 0,
) -> None:
    """AUROC of a weight-statistics score and a linear activation probe (tiny hosts)."""
    from reprolab.backdoor.config import DetectConfig
    from reprolab.backdoor.detect import run_detection
    from reprolab.core.records import RunRecord
    from reprolab.core.seeding import seed_everything

    try:
        config = DetectConfig(hosts=hosts, prompts=prompts, rounds=rounds, seed=seed)
    except _user_errors() as error:
        raise _fail(str(error)) from None
    seed_everything(seed)
    record = RunRecord.create("backdoor", "detect", config, seed=seed, out=out)
    frame, aurocs = run_detection(config)
    record.write_table("models.csv", frame)
    record.write_results({"auroc": aurocs})
    _print_frame(frame[["host", "design", "weight_score", "probe_score"]], "detector scores")
    _print_results(aurocs, f"AUROC ({record.folder})")
