"""The reproduction pipeline behind `quick` and `full`: prepare -> SFT -> DPO -> sample (free and
evaluation prompts, before and after DPO) -> metrics, adherence, figures; with a baseline shape,
also the from-scratch baseline at the SFT's FLOPs, its free samples and metrics, and the curve of
metrics against training FLOPs. Each step is a run folder under the reproduction's output, so a
rerun resumes where it stopped."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from reprolab.chem.baseline import BaselineConfig, run_baseline
from reprolab.chem.curve import CurveConfig, run_curve
from reprolab.chem.dpo import DpoConfig, run_dpo
from reprolab.chem.plots import band_strips, molecule_grid
from reprolab.chem.prompts import held_out_input
from reprolab.chem.runs import (
    EvaluateConfig,
    PrepareConfig,
    SampleConfig,
    run_evaluate,
    run_prepare,
    run_sample,
)
from reprolab.chem.sft import LoraSettings, SftConfig, TrainSettings, run_sft
from reprolab.core.figures import save_png
from reprolab.core.records import RunRecord, read_jsonl
from reprolab.core.report import (
    Comparison,
    StudyContext,
    StudyResult,
    committed_results,
    project_root,
)

TITLE = "SmileyLlama: LLMs as chemical language models"
MOSES_KEYS = ("valid", "unique@1000", "unique@10000", "FCD/Test", "SNN/Test", "Frag/Test",
              "Scaf/Test", "IntDiv", "IntDiv2", "Filters", "Novelty")
CHARRNN = {"valid": 0.9748, "unique@10000": 0.9994, "FCD/Test": 0.0732, "SNN/Test": 0.6015,
           "Frag/Test": 0.9998, "Scaf/Test": 0.9242, "IntDiv": 0.8562, "Filters": 0.9943,
           "Novelty": 0.8419}  # MOSES README
PAPER_GUACAMOL = {"guacamol/validity": 0.958, "guacamol/uniqueness": 1.0,
                  "guacamol/novelty": 0.987, "guacamol/kl_score": 0.967,
                  "guacamol/fcd_score": 0.686}  # SmileyLlama SFT, T = 1.0
PAPER_ADHERENCE = {"hba exact": (15.0, 38.2), "mw band": (84.3, 98.0), "logp band": (85.4, 97.7),
                   "rule of 3": (62.0, 94.5), "macrocycle": (44.7, 57.8)}  # % SFT -> DPO
BAND_KINDS = ("mw band", "logp band")


@dataclass(frozen=True)
class PipelineSettings:
    """The scale of one reproduction."""

    molecules: int = 2000
    model: str = "smollm2-135m"
    adapter: str | None = None  # a trained SFT model: skip SFT
    dpo_adapter: str | None = None  # a trained DPO model, sampled when dpo_rounds is 0
    smiles: str = "randomised"  # SFT completions: randomised (the paper) or canonical SMILES
    sft_train: TrainSettings = field(default_factory=TrainSettings)
    lora: LoraSettings = field(default_factory=LoraSettings)
    dpo_rounds: int = 1
    dpo_samples: int = 16
    dpo_train: TrainSettings = field(default_factory=lambda: TrainSettings(lr=2e-5))
    free_samples: int = 1000
    eval_samples: int = 16
    max_new_tokens: int = 96
    sample_rows: int = 64  # sequences decoded together
    test_limit: int | None = None
    reference_size: int = 10000  # MOSES training molecules as GuacaMol's KL reference
    held_out: float = 0.3
    baseline_shape: tuple[int, int, int] | None = None  # hidden, layers, heads; None: no baseline
    baseline_train: TrainSettings = field(default_factory=lambda: TrainSettings(lr=1e-3))
    curve_samples: int = 250  # per snapshot, when there is a baseline


def _sample(ctx: StudyContext, s: PipelineSettings, model: str, prompts: str, n: int,
            name: str, data: Path) -> list[dict]:
    out = ctx.out / name
    if RunRecord(out).status != "complete":  # a stopped run's samples file is partial
        run_sample(SampleConfig(model=model, prompts=prompts, data=str(data), n=n,
                                max_new_tokens=s.max_new_tokens, rows=s.sample_rows,
                                held_out=s.held_out, device=ctx.device, seed=ctx.seed), out=out)
    rows = read_jsonl(out / "samples.jsonl")
    return [{**r, "model": name.split("-")[-1]} for r in rows]


def adherence_by_split(samples: list[dict], held_out: float) -> pd.DataFrame:
    """Per prompt kind and split (seen by DPO or held out): the number of prompts and, per model
    (in order of appearance), the % of samples that satisfy their prompt (a column named by the
    model), the % valid (`<model> valid`) and the % of valid samples that satisfy it (`<model>
    of valid`), which separates following the prompt from writing molecules."""
    frame = pd.DataFrame([{"kind": r["kind"], "prompt": r["prompt"], "model": r["model"],
                           "valid": r["smiles"] is not None, "satisfied": bool(r["satisfied"]),
                           "split": "held-out" if held_out_input(r["prompt"], r["kind"], held_out)
                           else "seen"} for r in samples])
    frame["kept"] = frame["satisfied"].where(frame["valid"])  # NaN for invalid samples
    grouped = frame.groupby(["kind", "split", "model"])
    shares = pd.concat({"": grouped["satisfied"].mean(), " valid": grouped["valid"].mean(),
                        " of valid": grouped["kept"].mean()}, axis=1).unstack("model") * 100
    models = frame["model"].unique()
    columns = [(suffix, model) for suffix in ("", " valid", " of valid") for model in models]
    shares = shares[columns].set_axis([f"{model}{suffix}" for suffix, model in columns], axis=1)
    prompts = frame.groupby(["kind", "split"])["prompt"].nunique().rename("prompts")
    return pd.concat([prompts, shares], axis=1).reset_index()


def run_pipeline(ctx: StudyContext, s: PipelineSettings) -> StudyResult:
    """Run (or resume) every step into `ctx.out` and assemble the report's tables and figures."""
    data = ctx.out / "prepare" / "properties.parquet"
    if not data.is_file():
        run_prepare(PrepareConfig(limit=s.molecules), out=ctx.out / "prepare")
    sft_model = s.adapter or str(ctx.out / "sft" / "model")
    if s.adapter is None and not (ctx.out / "sft" / "model").is_dir():
        run_sft(SftConfig(data=str(data), model=s.model, smiles=s.smiles, lora=s.lora,
                          train=s.sft_train, device=ctx.device, seed=ctx.seed),
                out=ctx.out / "sft")
    samples = _sample(ctx, s, sft_model, "all", s.eval_samples, "eval-sft", data)
    free = _sample(ctx, s, sft_model, "free", s.free_samples, "free-sft", data)
    if s.dpo_rounds:
        rounds = run_dpo(DpoConfig(model=sft_model, data=str(data),
                                   samples_per_prompt=s.dpo_samples, rounds=s.dpo_rounds,
                                   held_out=s.held_out, sample_rows=s.sample_rows, lora=s.lora,
                                   train=s.dpo_train, device=ctx.device, seed=ctx.seed),
                         out=ctx.out / "dpo")
    dpo_model = rounds[-1]["train"]["model"] if s.dpo_rounds else s.dpo_adapter
    if dpo_model:
        samples += _sample(ctx, s, dpo_model, "all", s.eval_samples, "eval-dpo", data)
    metrics = _evaluate(ctx, s, "free-sft", "evaluate")
    baseline = _baseline(ctx, s, data) if s.baseline_shape and s.adapter is None else None
    return _result(ctx, s, metrics, samples, free, baseline)


def _evaluate(ctx: StudyContext, s: PipelineSettings, samples: str, name: str) -> dict:
    saved = ctx.out / name / "metrics.json"
    return json.loads(saved.read_text()) if saved.is_file() else run_evaluate(
        EvaluateConfig(samples=str(ctx.out / samples / "samples.jsonl"),
                       test_limit=s.test_limit, reference_size=s.reference_size),
        out=ctx.out / name)


def _baseline(ctx: StudyContext, s: PipelineSettings, data: Path) -> dict:
    """Train the baseline at the SFT's FLOPs, sample and score it, and draw the FLOPs curve."""
    folder = ctx.out / "baseline"
    if not (folder / "results.json").is_file():
        hidden, layers, heads = s.baseline_shape
        run_baseline(BaselineConfig(
            data=str(data), tokenizer=s.model, hidden=hidden, layers=layers, heads=heads,
            limit=s.molecules, smiles=s.smiles, train=s.baseline_train,
            flops_of=str(ctx.out / "sft"), device=ctx.device, seed=ctx.seed), out=folder)
    _sample(ctx, s, str(folder / "model"), "bare", s.free_samples, "free-baseline", data)
    if not (ctx.out / "curve" / "results.json").is_file():
        run_curve(CurveConfig(runs=f"{ctx.out / 'sft'},{folder}", n=s.curve_samples,
                              max_new_tokens=s.max_new_tokens, rows=s.sample_rows,
                              test_limit=s.test_limit, device=ctx.device, seed=ctx.seed),
                  out=ctx.out / "curve")
    return _evaluate(ctx, s, "free-baseline", "evaluate-baseline")


def _result(ctx: StudyContext, s: PipelineSettings, metrics: dict, samples: list[dict],
            free: list[dict], baseline: dict | None) -> StudyResult:
    moses = pd.DataFrame({"metric": MOSES_KEYS, "SFT": [metrics[k] for k in MOSES_KEYS]})
    if baseline is not None:
        moses["baseline (same FLOPs)"] = [baseline[k] for k in MOSES_KEYS]
    moses["CharRNN (MOSES)"] = [CHARRNN.get(k) for k in MOSES_KEYS]
    adherence = adherence_by_split(samples, s.held_out)
    figures = []
    if baseline is not None:
        figures.append(("MOSES metrics against training FLOPs, SFT and the from-scratch "
                        "baseline", ctx.out / "curve" / "curve.png"))
    figure = band_strips(samples, BAND_KINDS, sorted({r["model"] for r in samples}))
    save_png(figure, ctx.out / "bands.png")
    figures.append(("Sampled weight and logP against the requested band", ctx.out / "bands.png"))
    grid = [r for r in samples if r["kind"] in ("rule of 3", "mw band", "macrocycle")]
    if molecule_grid(grid or free, ctx.out / "molecules.png"):
        figures.append(("Molecules sampled for a few prompts, with their checks",
                        ctx.out / "molecules.png"))
    comparisons = [Comparison(k.split("/")[1], metrics[k], v) for k, v in PAPER_GUACAMOL.items()]
    kinds = set(adherence["kind"])
    comparisons += [Comparison(f"adherence {kind} (SFT, %)", _mean(adherence, kind, "sft"),
                               paper[0]) for kind, paper in PAPER_ADHERENCE.items()
                    if kind in kinds]
    return StudyResult(
        "chem", TITLE,
        f"{_models(s)}; {len(free)} free samples at T=1; {len(samples)} evaluation-prompt "
        "samples.",
        comparisons=comparisons,
        tables=[("MOSES metrics (free samples) beside CharRNN", moses),
                ("Prompt adherence (% satisfied) by kind, split and model", adherence)],
        figures=figures, headline=headline(metrics))


def _models(s: PipelineSettings) -> str:
    """What was sampled: the given adapters, or what the pipeline trained."""
    if s.adapter is None:
        return f"{s.model} + LoRA r{s.lora.r} on {s.molecules} MOSES molecules"
    text = f"SFT adapter {_in_project(s.adapter)}"
    return text + (f", DPO adapter {_in_project(s.dpo_adapter)}" if s.dpo_adapter else "")


def _in_project(path: str) -> str:
    """`path` relative to the project root when it lies inside it."""
    try:
        return str(Path(path).resolve().relative_to(project_root()))
    except ValueError:
        return path


def _mean(table: pd.DataFrame, kind: str, model: str) -> float:
    return float(table.loc[table["kind"] == kind, model].mean())


def headline(metrics: dict) -> Comparison:
    """GuacaMol validity beside the paper's, from the committed real-scale results when they
    exist, else from this run."""
    committed = committed_results("chem")
    path = committed / "evaluate" / "metrics.json" if committed else None
    source = json.loads(path.read_text()) if path and path.is_file() else metrics
    note = "committed CPU-scale run" if source is not metrics else "this run"
    return Comparison("validity (GuacaMol, T=1)", source["guacamol/validity"],
                      PAPER_GUACAMOL["guacamol/validity"], note)
