"""One run per verb: `run_compile`, `run_insert`, `run_verify`, `run_elicit`, `run_detect`.

Each takes its settings dataclass (already checked), checks the device, creates its run folder
before any long work (`RunRecord.create`: a folder with other settings or an `--out` that is a
file is refused), marks it running / complete / failed, writes its per-item files as it goes and
`results.json` at the end, and returns a typed result. Shared by the CLI, the quick and the full
reproductions and `scripts/backdoor_gpu.py`, so all write the same files.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd
import torch

from reprolab.backdoor.attacks.elicit import DesignAttacks, attack_design, summarize
from reprolab.backdoor.attacks.noise import design_noise
from reprolab.backdoor.config import (
    CompileConfig,
    DesignOptions,
    DetectConfig,
    ElicitConfig,
    InsertConfig,
    VerifyConfig,
)
from reprolab.backdoor.designs.locker import verify_locker
from reprolab.backdoor.designs.registry import build_module
from reprolab.backdoor.designs.trigger import text_to_bits
from reprolab.backdoor.detect import DetectResult, run_detection
from reprolab.backdoor.insertion.insert import InsertResult, insert_and_check
from reprolab.backdoor.insertion.verify import VerifyResult, verify_saved
from reprolab.backdoor.report import lat_loss_figure
from reprolab.core.device import choose_device
from reprolab.core.records import RunRecord
from reprolab.core.seeding import seed_everything

STUDY = "backdoor"


@dataclass(frozen=True)
class CompileResult:
    """A compiled locker's size and its checks against the plain-Python SHA-256."""

    rounds: int
    depth: int
    width: int
    parameters: int
    residual_width: int
    build_seconds: float
    checked_inputs: int
    mismatches_vs_reference: int
    opens_on_trigger: bool
    payload_on_trigger_matches: bool
    opened_off_trigger: int
    folder: Path | None = None

    @property
    def passed(self) -> bool:
        """Exact on every input, open on the trigger with its payload."""
        return (not self.mismatches_vs_reference and self.opens_on_trigger
                and self.payload_on_trigger_matches)


@dataclass(frozen=True)
class ElicitResult:
    """Per design, method and site group: attacks, gates opened, payloads elicited (`summary`,
    empty without attack methods); the noise protocol per design (`noise`, None without runs)."""

    summary: pd.DataFrame
    noise: pd.DataFrame | None
    folder: Path | None = None


def compile_locker(config: CompileConfig) -> CompileResult:
    """Build, compile and check a locker for a random trigger (see `CompileConfig`)."""
    generator = torch.Generator().manual_seed(config.seed)
    trigger = torch.randint(0, 2, (config.trigger_bits,), generator=generator).float()
    start = time.perf_counter()
    module = build_module("locker", trigger, text_to_bits(config.payload),
                          DesignOptions(rounds=config.rounds), seed=config.seed)
    seconds = time.perf_counter() - start
    randoms = torch.randint(0, 2, (config.check_inputs, config.trigger_bits),
                            generator=generator).float()
    with torch.no_grad():
        on_trigger = module(trigger[None])
        opened_off = int(module(randoms).fires.sum())
    stats = module.circuit.stats
    return CompileResult(
        rounds=module.rounds, depth=stats.depth, width=stats.width, parameters=stats.parameters,
        residual_width=stats.residual_width, build_seconds=seconds,
        checked_inputs=config.check_inputs + 1,
        mismatches_vs_reference=verify_locker(module, torch.cat([trigger[None], randoms])),
        opens_on_trigger=bool(on_trigger.fires[0]),
        payload_on_trigger_matches=bool(
            (on_trigger.payload[0].round() == text_to_bits(config.payload)).all()),
        opened_off_trigger=opened_off)


def run_compile(config: CompileConfig, out: Path | None = None) -> CompileResult:
    """Compile and check a locker in a run folder (`results.json`)."""
    record = RunRecord.create(STUDY, "compile", config, seed=config.seed, out=out)
    with record.running():
        result = replace(compile_locker(config), folder=record.folder)
        record.write_results(result)
    return result


def run_insert(config: InsertConfig, out: Path | None = None,
               device: str = "auto") -> InsertResult:
    """Insert, check, save to OUT/model and reload; `results.json` holds the trigger (secret)."""
    chosen = choose_device(device)
    seed_everything(config.seed)
    record = RunRecord.create(STUDY, f"insert-{config.design}", config, seed=config.seed,
                              out=out)
    with record.running():
        result = insert_and_check(config, record.folder, chosen)
        record.write_results(result)
    return result


def run_verify(config: VerifyConfig, out: Path | None = None,
               device: str = "auto") -> VerifyResult:
    """Reload a model saved by `insert` and check it (`results.json`)."""
    chosen = choose_device(device)
    record = RunRecord.create(STUDY, "verify", config, seed=config.seed, out=out)
    with record.running():
        result = replace(verify_saved(config, chosen), folder=record.folder)
        record.write_results(result)
    return result


def run_elicit(config: ElicitConfig, out: Path | None = None,
               device: str = "auto") -> ElicitResult:
    """Attack each design (`attacks.csv` after each one, then `summary.csv` and the LAT figure
    `lat_loss.png`), then the noise protocol if `config.noise.runs` (`noise.csv` after each
    design)."""
    chosen = choose_device(device)
    seed_everything(config.seed)
    record = RunRecord.create(STUDY, "elicit", config, seed=config.seed, out=out)
    with record.running():
        summary = _attack_designs(record, config, chosen)
        result = ElicitResult(summary, _noise_protocol(record, config, chosen), record.folder)
        record.write_results(result)
    return result


def _attack_designs(record: RunRecord, config: ElicitConfig,
                    device: torch.device) -> pd.DataFrame:
    """The attacks of `run_elicit`; returns their summary (empty without methods)."""
    attacks: list[DesignAttacks] = []
    rows: list[dict] = []
    for index, design in enumerate(config.designs if config.methods else ()):
        attacks.append(attack_design(design, index, config, device))
        rows += attacks[-1].rows
        record.write_table("attacks.csv", pd.DataFrame(rows))
    if not rows:
        return pd.DataFrame()
    summary = summarize(pd.DataFrame(rows))
    record.write_table("summary.csv", summary)
    if with_lat := [design for design in attacks if design.lat]:
        record.save_figure("lat_loss.png", lat_loss_figure(with_lat))
    return summary


def _noise_protocol(record: RunRecord, config: ElicitConfig,
                    device: torch.device) -> pd.DataFrame | None:
    """The noise protocol of `run_elicit`, per design; None without noise runs."""
    rows = []
    for index, design in enumerate(config.designs if config.noise.runs else ()):
        rows.append(design_noise(design, index, config, device))
        record.write_table("noise.csv", pd.DataFrame(rows))
    return pd.DataFrame(rows) if rows else None


def run_detect(config: DetectConfig, out: Path | None = None) -> DetectResult:
    """Score a population of tiny hosts and their backdoored twins (`models.csv`, AUROCs in
    `results.json`)."""
    seed_everything(config.seed)
    record = RunRecord.create(STUDY, "detect", config, seed=config.seed, out=out)
    with record.running():
        result = replace(run_detection(config), folder=record.folder)
        record.write_table("models.csv", result.models)
        record.write_results(result)
    return result
