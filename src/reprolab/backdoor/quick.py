"""Quick reproduction for the report (a few minutes on 2 CPU cores), one run folder per step
under the context's folder:

1. `compile`: a reduced-round digital locker, checked against the plain-Python SHA-256.
2. `insert-tiny`, `insert-host`: the locker in a tiny byte-level host (saved, reloaded and
   fine-tuned) and in the packaged host (SmolLM2-135M, if it loads): off-trigger equality and the
   payload under greedy decoding.
3. `elicit`: short LAT runs at every site and GCG on the three designs (table, paper-style
   figure), then the largest exact weight noise and a few noisy LAT runs.
4. `detect`: the two detectors on tiny hosts.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path

import pandas as pd

from reprolab.backdoor.config import (
    CompileConfig,
    DetectConfig,
    ElicitConfig,
    FinetuneConfig,
    GcgConfig,
    InsertConfig,
    LatConfig,
    NoiseConfig,
)
from reprolab.backdoor.insertion.insert import InsertResult
from reprolab.backdoor.report import (
    TITLE,
    committed_headline,
    elicitation_comparisons,
    locker_headline,
    noise_comparisons,
)
from reprolab.backdoor.runs import run_compile, run_detect, run_elicit, run_insert
from reprolab.core.device import one_thread
from reprolab.core.errors import UserError
from reprolab.core.records import RunRecord
from reprolab.core.report import Comparison, StudyContext, StudyResult


@dataclass(frozen=True)
class QuickConfig:
    """The quick reproduction's budgets (tests shrink them)."""

    host: str = field(default="smollm2-135m", metadata={"help": "the real host LM"})
    lat_steps: int = field(default=100, metadata={"help": "LAT steps per site"})
    gcg_steps: int = field(default=40, metadata={"help": "GCG steps per seed"})
    seeds: int = field(default=5, metadata={"help": "attack seeds per design"})
    noise_runs: int = field(default=3, metadata={"help": "noisy LAT runs per design"})
    detect_hosts: int = field(default=6, metadata={"help": "tiny hosts for the detectors"})


def run_quick(ctx: StudyContext, config: QuickConfig = QuickConfig()) -> StudyResult:
    """See the module docstring. Runs on one CPU thread: mostly small tensor ops, which spare
    threads slow down on a shared machine."""
    record = RunRecord.create("backdoor", "quick", config, seed=ctx.seed, out=ctx.out)
    with record.running(), one_thread():
        return _run_quick(record.folder, ctx, config)


def _run_quick(folder: Path, ctx: StudyContext, config: QuickConfig) -> StudyResult:
    compiled = run_compile(CompileConfig(check_inputs=64, seed=ctx.seed), folder / "compile")
    insertions, host_note = _insert(folder, config.host, ctx)
    noise = NoiseConfig(runs=config.noise_runs, test_inputs=32, sites="input", lat_steps=10)
    elicit = run_elicit(ElicitConfig(seeds=config.seeds, lat=LatConfig(steps=config.lat_steps),
                                     gcg=GcgConfig(steps=config.gcg_steps), noise=noise,
                                     seed=ctx.seed), folder / "elicit", device="cpu")
    detection = run_detect(DetectConfig(hosts=config.detect_hosts, prompts=16, seed=ctx.seed),
                           folder / "detect")
    inserted = insertions[0][1]
    comparisons = [
        Comparison(f"locker depth at {compiled.rounds} rounds (layers)", compiled.depth,
                   "<= 30", "the issue's goal for 2 rounds; with 192 nonce+trigger bits every "
                   "digest word depends on every input word only from 9 rounds"),
        Comparison("locker mismatches vs reference SHA-256", compiled.mismatches_vs_reference,
                   0, f"{compiled.checked_inputs} inputs incl. the trigger"),
        Comparison("off-trigger max |logit diff| vs host", inserted.off_trigger_max_abs_diff,
                   "<= 1e-5 (goal)", host_note),
        Comparison("payload emitted by greedy decoding", str(inserted.payload_emitted),
                   "True (goal)", f"emitted {inserted.emitted!r}"),
        *elicitation_comparisons(elicit.summary, config.lat_steps),
        *noise_comparisons(elicit.noise, noise.lat_steps, noise.sites),
        Comparison("weight-statistics detector AUROC", detection.weight_statistics_auroc, None,
                   "the paper measured no detectors"),
        Comparison("activation-probe detector AUROC", detection.activation_probe_auroc, None,
                   "off-trigger activations equal the host's"),
    ]
    headline = committed_headline() or locker_headline(
        elicit.summary, f"{config.lat_steps} LAT steps x {config.seeds} seeds (this quick run)")
    return StudyResult(
        study="backdoor", title=TITLE,
        summary=(f"{compiled.rounds}-round SHA-256 digital locker ({compiled.depth} layers, "
                 f"{compiled.parameters:,} stored weights), password-locked and 3-SAT "
                 f"baselines; LAT {config.lat_steps} steps x {config.seeds} seeds per site (the "
                 f"paper: 10,000 steps). Reduced rounds weaken the cryptographic claim. "
                 f"{host_note}"),
        comparisons=comparisons,
        tables=[("LAT and GCG elicitation", elicit.summary), ("LAT under weight noise",
                                                              elicit.noise),
                ("Insertion of the locker (fine-tuning: 10 AdamW steps on text sampled from "
                 "the host)", pd.DataFrame([_insert_row(host, r) for host, r in insertions]))],
        figures=[("LAT loss vs step per site (dashed: at or after the check)",
                  folder / "elicit" / "lat_loss.png")],
        headline=headline,
    )


def _insert(folder: Path, host: str, ctx: StudyContext) -> tuple[list[tuple[str, InsertResult]],
                                                                 str]:
    """The locker in `host` (if it loads; not saved, 516 MB) and in a tiny byte-level host
    (saved, reloaded and fine-tuned)."""
    tiny = run_insert(InsertConfig(model="tiny", finetune=FinetuneConfig(steps=10),
                                   seed=ctx.seed), folder / "insert-tiny", device=ctx.device)
    try:
        real = run_insert(InsertConfig(model=host, prompts=16, prompt_length=16, save=False,
                                       seed=ctx.seed), folder / "insert-host", device=ctx.device)
    except UserError as error:  # the host is not packaged here, or cannot be reached
        return [("tiny", tiny)], f"{host} could not be loaded ({error}); only the tiny host used."
    note = f"Host: {host} (16 off-trigger prompts; `reprolab backdoor insert` checks 200)."
    return [(host, real), ("tiny", tiny)], note


def _insert_row(host: str, result: InsertResult) -> dict:
    """One table row per insertion: its checks, fine-tuning flattened (the trigger left out)."""
    row = {"host": host, **asdict(result)}
    for key in ("trigger_tokens", "folder", "saved_to"):
        row.pop(key)
    tuned = row.pop("finetune") or {}
    return {**row, **{f"finetune_{key}": value for key, value in tuned.items()}}
