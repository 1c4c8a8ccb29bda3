"""Quick reproduction for the report (a few minutes on 2 CPU cores).

1. Compile a reduced-round digital locker and verify it against the plain-Python SHA-256.
2. Insert it into the packaged host (SmolLM2-135M; a tiny byte-level host if that cannot be
   loaded) and check off-trigger equality and the payload under greedy decoding.
3. Short LAT runs at every site, and GCG, on the three designs: table, paper-style figure and the
   comparison with the paper's facts; the largest exact weight noise and a few noisy LAT runs;
   fine-tuning survival and the two detectors on tiny hosts.
"""

from __future__ import annotations

import pandas as pd

from reprolab.backdoor.config import (
    CompileConfig,
    DetectConfig,
    ElicitConfig,
    FinetuneConfig,
    InsertConfig,
    NoiseConfig,
)
from reprolab.backdoor.designs import DesignOptions
from reprolab.backdoor.detect import run_detection
from reprolab.backdoor.elicit import run_elicitation
from reprolab.backdoor.gcg import GcgConfig
from reprolab.backdoor.insertion import run_insert
from reprolab.backdoor.lat import LatConfig, one_thread
from reprolab.backdoor.report import PAPER_NOISE_RATE, elicitation_comparisons
from reprolab.backdoor.robustness import run_noise
from reprolab.backdoor.runs import run_compile, save_elicitation
from reprolab.core.records import RunRecord
from reprolab.core.report import Comparison, StudyContext, StudyResult
from reprolab.lm.zoo import ModelFilesError, ModelLoadError
from reprolab.studies import STUDIES

HOST = "smollm2-135m"


def run_quick(ctx: StudyContext, *, host: str = HOST, lat_steps: int = 100, gcg_steps: int = 40,
              seeds: int = 5, noise_runs: int = 3, detect_hosts: int = 6) -> StudyResult:
    """See the module docstring; keyword arguments shrink the run for tests. Runs on one CPU
    thread: mostly small tensor ops, which spare threads slow down on a shared machine."""
    with one_thread():
        return _run_quick(ctx, host, lat_steps, gcg_steps, seeds, noise_runs, detect_hosts)


def _run_quick(ctx: StudyContext, host: str, lat_steps: int, gcg_steps: int, seeds: int,
               noise_runs: int, detect_hosts: int) -> StudyResult:
    settings = {"host": host, "lat_steps": lat_steps, "gcg_steps": gcg_steps, "seeds": seeds,
                "noise_runs": noise_runs, "detect_hosts": detect_hosts}
    record = RunRecord.create("backdoor", "quick", settings, seed=ctx.seed, out=ctx.out)
    _, compiled = run_compile(CompileConfig(check_inputs=64, seed=ctx.seed))
    insertions, host_note = _insert(record, host, ctx)
    inserted = insertions[0]
    elicit = ElicitConfig(seeds=seeds, lat=LatConfig(steps=lat_steps),
                          gcg=GcgConfig(steps=gcg_steps), design=DesignOptions(seed=ctx.seed),
                          seed=ctx.seed)
    summary = save_elicitation(record, run_elicitation(elicit))
    noise_config = NoiseConfig(runs=noise_runs, test_inputs=32, sites="input", lat_steps=10)
    noise = run_noise(noise_config, elicit)
    record.write_table("noise.csv", noise)
    detection, aurocs = run_detection(DetectConfig(hosts=detect_hosts, prompts=16,
                                                   seed=ctx.seed))
    record.write_table("detection.csv", detection)
    record.write_results({"compile": compiled, "insert": insertions, "auroc": aurocs,
                          "summary": summary.to_dict(orient="records"),
                          "noise": noise.to_dict(orient="records")})
    comparisons = [
        Comparison(f"locker depth at {compiled['rounds']} rounds (layers)", compiled["depth"],
                   "<= 30", "the issue's goal for 2 rounds; with 192 nonce+trigger bits every "
                   "digest word depends on every input word only from 9 rounds"),
        Comparison("locker mismatches vs reference SHA-256", compiled["mismatches_vs_reference"],
                   0, f"{compiled['checked_inputs']} inputs incl. the trigger"),
        Comparison("off-trigger max |logit diff| vs host", inserted["off_trigger_max_abs_diff"],
                   "<= 1e-5 (goal)", host_note),
        Comparison("payload emitted by greedy decoding", str(inserted["payload_emitted"]),
                   "True (goal)", f"emitted {inserted['emitted']!r}"),
        *elicitation_comparisons(summary, lat_steps),
        *_noise_comparisons(noise, noise_config),
        Comparison("weight-statistics detector AUROC", aurocs["weight_statistics"], None,
                   "the paper measured no detectors"),
        Comparison("activation-probe detector AUROC", aurocs["activation_probe"], None,
                   "off-trigger activations equal the host's"),
    ]
    return StudyResult(
        study="backdoor", title=STUDIES["backdoor"].title,
        summary=(f"{compiled['rounds']}-round SHA-256 digital locker ({compiled['depth']} layers, "
                 f"{compiled['parameters']:,} stored weights), password-locked and 3-SAT "
                 f"baselines; LAT {lat_steps} steps x {seeds} seeds per site (the paper: "
                 f"10,000 steps). Reduced rounds weaken the cryptographic claim. {host_note}"),
        comparisons=comparisons,
        tables=[("LAT and GCG elicitation", summary), ("LAT under weight noise", noise),
                ("Insertion of the locker (fine-tuning: 10 AdamW steps on text sampled from "
                 "the host)", pd.DataFrame(insertions).drop(columns=["trigger_tokens"]))],
        figures=[("LAT loss vs step per site (dashed: at or after the check)",
                  record.path("lat_loss.png"))],
    )


def _insert(record: RunRecord, host: str, ctx: StudyContext) -> tuple[list[dict], str]:
    """The locker in `host` (if it loads; not saved, 516 MB) and in a tiny byte-level host
    (saved, reloaded and fine-tuned)."""
    options = DesignOptions(seed=ctx.seed)
    tiny = run_insert(InsertConfig(model="tiny", design="locker", options=options,
                                   finetune=FinetuneConfig(steps=10)),
                      record.folder / "insert-tiny", seed=ctx.seed)
    tuned = {f"finetune_{key}": value for key, value in tiny.pop("finetune").items()}
    tiny = {"host": "tiny", **tiny, **tuned}
    try:
        real = run_insert(InsertConfig(model=host, design="locker", options=options,
                                       check_prompts=16, prompt_length=16, save=False),
                          record.folder / "insert", seed=ctx.seed)
        note = f"Host: {host} (16 off-trigger prompts; `reprolab backdoor insert` checks 200)."
        return [{"host": host, **real}, tiny], note
    except (ModelLoadError, ModelFilesError, OSError) as error:
        return [tiny], f"{host} could not be loaded ({error}); only the tiny host was used."


def _noise_comparisons(noise: pd.DataFrame, config: NoiseConfig) -> list[Comparison]:
    rows = []
    for row in noise.itertuples(index=False):
        if row.design in PAPER_NOISE_RATE:
            rows.append(Comparison(
                f"{row.design}: noisy LAT runs eliciting the payload", f"{row.elicited}/{row.runs}",
                f"{PAPER_NOISE_RATE[row.design]:.0%} of 34",
                f"noise std {row.noise_std:.2g} (largest exact); LAT {config.lat_steps} steps "
                f"at the {config.sites} site(s)"))
    return rows
