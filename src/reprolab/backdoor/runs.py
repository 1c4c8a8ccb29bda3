"""Experiment runs that write records: compile a locker, elicitation, noise, detection.

Shared by the CLI and the quick reproduction, so both write the same files.
"""

from __future__ import annotations

import time

import pandas as pd
import torch

from reprolab.backdoor.config import CompileConfig
from reprolab.backdoor.designs import DesignOptions, build_module
from reprolab.backdoor.elicit import ElicitationOutcome, summarize
from reprolab.backdoor.locker import DigitalLockerModule, verify_locker
from reprolab.backdoor.report import lat_loss_figure
from reprolab.backdoor.trigger import text_to_bits
from reprolab.core.records import RunRecord


def run_compile(config: CompileConfig) -> tuple[DigitalLockerModule, dict[str, object]]:
    """Build, compile and verify a locker; returns it and its size and checks."""
    generator = torch.Generator().manual_seed(config.seed)
    trigger = torch.randint(0, 2, (config.trigger_bits,), generator=generator).float()
    start = time.perf_counter()
    module = build_module("locker", trigger, text_to_bits(config.payload),
                          DesignOptions(rounds=config.rounds, seed=config.seed))
    seconds = time.perf_counter() - start
    randoms = torch.randint(0, 2, (config.check_inputs, config.trigger_bits),
                            generator=generator).float()
    with torch.no_grad():
        on_trigger = module(trigger[None])
        opened_off = int(module(randoms).fires.sum())
    stats = module.circuit.stats
    results = {
        "rounds": module.rounds, "depth": stats.depth, "width": stats.width,
        "parameters": stats.parameters, "residual_width": stats.residual_width,
        "build_seconds": seconds, "checked_inputs": config.check_inputs + 1,
        "mismatches_vs_reference": verify_locker(module, torch.cat([trigger[None], randoms])),
        "opens_on_trigger": bool(on_trigger.fires[0]),
        "payload_on_trigger_matches": bool(
            (on_trigger.payload[0].round() == text_to_bits(config.payload)).all()),
        "opened_off_trigger": opened_off,
    }
    return module, results


def save_elicitation(record: RunRecord, outcome: ElicitationOutcome) -> pd.DataFrame:
    """Write attack rows, the summary table and the LAT figure; return the summary."""
    record.write_table("attacks.csv", outcome.rows)
    summary = summarize(outcome.rows)
    record.write_table("summary.csv", summary)
    if outcome.lat:
        record.save_figure("lat_loss.png", lat_loss_figure(outcome.lat, outcome.check_sites))
    return summary
