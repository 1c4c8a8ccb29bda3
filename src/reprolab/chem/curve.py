"""The compute curve: SmileyLlama's claim ("as good as CLMs trained only on SMILES") read as
metric against training FLOPs, for the SFT model and the from-scratch baseline alike.

Each point is a snapshot a training run kept (`--train-snapshot-steps`) or its final model:
`n` samples at the run's unconditioned prompt (`free` for SFT, `bare` for the baseline), scored
with the MOSES suite, at the FLOPs `sft.training_flops` counted when the snapshot was taken.
Each point's samples are written as they are drawn, so a rerun with the same `--out` resumes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from reprolab.chem.models import load_chem_model
from reprolab.chem.molecules import read_moses
from reprolab.chem.moses_metrics import moses_metrics, moses_references
from reprolab.chem.prompts import Prompt
from reprolab.chem.sampling import sample_prompts
from reprolab.core.device import DEVICE_HELP, choose_device
from reprolab.core.errors import UserError
from reprolab.core.figures import new_figure, save_png
from reprolab.core.records import RunRecord, read_jsonl
from reprolab.core.seeding import seed_everything

CURVE_KEYS = ("valid", "unique@1000", "Novelty", "FCD/Test", "SNN/Test", "IntDiv")
PLOTTED = ("valid", "Novelty", "FCD/Test", "SNN/Test")


@dataclass(frozen=True)
class CurveConfig:
    """Which training runs to follow, and how many molecules each point samples."""

    runs: str = field(default="", metadata={
        "help": "Comma-separated run folders of `chem sft` or `chem baseline`."})
    n: int = field(default=1000, metadata={"help": "Samples per point."})
    temperature: float = field(default=1.0, metadata={"help": "Sampling temperature."})
    max_new_tokens: int = field(default=96, metadata={"help": "Token limit per SMILES."})
    rows: int = field(default=64, metadata={"help": "Sequences decoded together."})
    test_limit: int | None = field(default=10000, metadata={
        "help": "First N molecules of each MOSES test set (statistics cached)."})
    device: str = field(default="auto", metadata={"help": DEVICE_HELP})
    seed: int = field(default=0, metadata={"help": "Sampling seed."})

    def __post_init__(self) -> None:
        if not self.folders():
            raise UserError("Give --runs: run folders of `reprolab chem sft` or `chem baseline`.")
        if self.n < 2 or self.rows < 1 or self.max_new_tokens < 1 or self.temperature < 0:
            raise UserError("--n must be >= 2, --rows and --max-new-tokens >= 1, "
                            "--temperature >= 0.")
        choose_device(self.device)

    def folders(self) -> list[Path]:
        return [Path(part.strip()).expanduser() for part in self.runs.split(",") if part.strip()]


@dataclass(frozen=True)
class CurvePoint:
    """A model a run wrote, and the training it had had."""

    folder: Path
    step: int
    tokens: int
    flops: float


def run_kind(run: Path) -> str:
    """`sft` or `baseline`, from the run's record; a `UserError` for any other folder."""
    config = run / "config.json"
    kind = json.loads(config.read_text()).get("name") if config.is_file() else None
    if kind not in ("sft", "baseline"):
        raise UserError(f"{run} is not a run folder of `reprolab chem sft` or `chem baseline`.")
    return kind


def curve_points(run: Path) -> list[CurvePoint]:
    """The run's snapshots by step, then its final model when it finished after the last one."""
    points = []
    for snapshot in sorted((run / "snapshots").glob("step-*/snapshot.json")):
        saved = json.loads(snapshot.read_text())
        points.append(CurvePoint(snapshot.parent, saved["step"], saved["tokens"], saved["flops"]))
    results = run / "results.json"
    if results.is_file():
        final = json.loads(results.read_text())
        if final.get("flops") and (not points or final["steps"] > points[-1].step):
            points.append(CurvePoint(run / "model", final["steps"], final["tokens"],
                                     final["flops"]))
    if not points:
        raise UserError(f"{run} has no snapshots and no finished model: train with "
                        "--train-snapshot-steps N to follow it.")
    return points


def _point_samples(config: CurveConfig, point: CurvePoint, prompt: Prompt, record: RunRecord,
                   name: str) -> list[str]:
    """The point's sampled texts, drawn now (resuming from the record's file `name`) or read
    back from it."""
    path = record.path(name)
    drawn = read_jsonl(path)
    if len(drawn) == config.n:
        return [row["text"] for row in drawn]
    model, tokenizer = load_chem_model(str(point.folder), config.device)
    samples = sample_prompts(model, tokenizer, [prompt], config.n,
                             temperature=config.temperature, rows=config.rows,
                             max_new_tokens=config.max_new_tokens, seed=config.seed, into=path)
    return [s.text for s in samples]


def curve_figure(table: pd.DataFrame):
    """One panel per plotted metric against training FLOPs (log scale), a line per run."""
    figure, axes = new_figure(1, len(PLOTTED))
    for ax, key in zip(axes[0], PLOTTED, strict=True):
        for run, rows in table.groupby("run", sort=False):
            ax.plot(rows["flops"], rows[key], marker="o", label=run)
        ax.set_xscale("log")
        ax.set_xlabel("training FLOPs")
        ax.set_title(key)
        ax.legend()
    return figure


def run_curve(config: CurveConfig, out: Path | None = None) -> pd.DataFrame:
    """Write `curve.csv` (a row per point, growing as points finish) and `curve.png`."""
    runs = {run: run_kind(run) for run in config.folders()}
    points = {run: curve_points(run) for run in runs}
    record = RunRecord.create("chem", "curve", config, seed=config.seed, out=out)
    with record.running():
        seed_everything(config.seed)
        references, train = moses_references(config.test_limit), frozenset(read_moses("train"))
        rows = []
        for run, kind in runs.items():
            prompt = Prompt((), "bare" if kind == "baseline" else "free")
            for point in points[run]:
                name = f"samples-{run.name}-step-{point.step:06d}.jsonl"
                texts = _point_samples(config, point, prompt, record, name)
                metrics = moses_metrics(texts, references, train, ks=(1000,))
                rows.append({"run": run.name, "kind": kind, "step": point.step,
                             "tokens": point.tokens, "flops": point.flops,
                             **{k: metrics[k] for k in CURVE_KEYS}})
                record.write_table("curve.csv", pd.DataFrame(rows))
        table = pd.DataFrame(rows)
        save_png(curve_figure(table), record.path("curve.png"))
        record.write_results({"points": len(rows), "runs": [run.name for run in runs]})
    return table
