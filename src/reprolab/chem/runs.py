"""The data and evaluation verbs: `prepare` (molecules -> property table), `sample` (a model's
checked samples for a prompt set) and `evaluate` (distribution metrics and prompt adherence of a
samples file)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Literal, get_args

import pandas as pd

from reprolab.chem.adherence import adherence_table
from reprolab.chem.guacamol import guacamol_metrics, guacamol_reference
from reprolab.chem.models import load_chem_model
from reprolab.chem.molecules import clean, read_entries, read_moses
from reprolab.chem.moses_metrics import moses_metrics, moses_references
from reprolab.chem.prompts import Prompt, evaluation_prompts, split_prompts
from reprolab.chem.properties import cached_property_table
from reprolab.chem.sampling import sample_prompts
from reprolab.chem.sft import read_property_table
from reprolab.core.device import DEVICE_HELP, choose_device
from reprolab.core.errors import UserError
from reprolab.core.records import RunRecord, write_json
from reprolab.core.seeding import seed_everything

PromptSet = Literal["free", "bare", "seen", "held-out", "all"]
Suite = Literal["moses", "guacamol", "both"]


@dataclass(frozen=True)
class PrepareConfig:
    """Which molecules to prepare."""

    source: str = field(default="moses", metadata={
        "help": "`moses` (the MOSES training split) or a SMILES file (.smi/.csv, may be .gz)."})
    column: str | None = field(default=None, metadata={
        "help": "CSV column holding the SMILES (default: first field of each line)."})
    limit: int | None = field(default=None, metadata={"help": "Keep the first N molecules."})
    standardise: bool = field(default=True, metadata={
        "help": "RDKit clean-up, largest fragment, neutralised (user files only)."})

    def __post_init__(self) -> None:
        if self.limit is not None and self.limit < 1:
            raise UserError(f"--limit must be >= 1, got {self.limit}.")


def run_prepare(config: PrepareConfig, out: Path | None = None) -> dict[str, object]:
    """Write `properties.parquet` (one row per valid molecule) and `results.json` (counts)."""
    if config.source == "moses":
        entries = read_moses("train", config.limit)
        molecules, standardised = clean(entries, "moses", standardised=False), False
    else:
        entries = read_entries(Path(config.source), config.column, config.limit)
        molecules, standardised = clean(entries, config.source,
                                        standardised=config.standardise), config.standardise
    if not molecules.smiles:
        raise UserError(f"{config.source}: none of its {molecules.invalid} entries is a valid "
                        "SMILES.")
    record = RunRecord.create("chem", "prepare", config, out=out)
    with record.running():
        table = cached_property_table(molecules.smiles, record.path("properties.parquet"))
        results = {"molecules": len(table), "invalid_skipped": molecules.invalid,
                   "standardised": standardised, "source": config.source}
        record.write_results(results)
    return results


@dataclass(frozen=True)
class SampleConfig:
    """What `reprolab chem sample` draws."""

    model: str = field(default="", metadata={
        "help": "A trained model folder (`<run>/model`), packaged name or Hugging Face id."})
    prompts: PromptSet = field(default="free", metadata={
        "help": "free (no property stated), bare (the baseline's start text), seen (DPO's), "
                "held-out, or all evaluation prompts."})
    data: str | None = field(default=None, metadata={
        "help": "properties.parquet of `prepare`: substructures and formulas of the "
                "evaluation prompts (needed unless --prompts free)."})
    n: int = field(default=100, metadata={"help": "Samples per prompt."})
    temperature: float = field(default=1.0, metadata={"help": "Sampling temperature."})
    max_new_tokens: int = field(default=96, metadata={"help": "Token limit per SMILES."})
    rows: int = field(default=64, metadata={"help": "Sequences decoded together."})
    held_out: float = field(default=0.3, metadata={"help": "Held-out fraction of the split."})
    device: str = field(default="auto", metadata={"help": DEVICE_HELP})
    seed: int = field(default=0, metadata={"help": "Sampling seed."})

    def __post_init__(self) -> None:
        if not self.model:
            raise UserError("Give --model: a trained model folder or a model name.")
        if self.prompts not in get_args(PromptSet):
            raise UserError(f"--prompts must be one of {', '.join(get_args(PromptSet))}, got "
                            f"{self.prompts!r}.")
        if self.prompts not in ("free", "bare") and not self.data:
            raise UserError(f"--prompts {self.prompts} needs --data (properties.parquet).")
        if self.n < 1 or self.rows < 1 or self.max_new_tokens < 1:
            raise UserError("--n, --rows and --max-new-tokens must be >= 1.")
        if self.temperature < 0 or not 0 <= self.held_out < 1:
            raise UserError("--temperature must be >= 0 and --held-out in [0, 1).")
        choose_device(self.device)


def prompt_set(name: PromptSet, data: str | None, held_out: float) -> list[Prompt]:
    if name in ("free", "bare"):
        return [Prompt((), name)]
    prompts = evaluation_prompts(read_property_table(data).to_dict("records"))
    seen, held = split_prompts(prompts, held_out)
    return {"seen": seen, "held-out": held, "all": prompts}[name]


def run_sample(config: SampleConfig, out: Path | None = None) -> pd.DataFrame:
    """Write `samples.jsonl` (one checked sample per line, appended batch by batch, so a rerun
    resumes) and `adherence.csv`; return the adherence table."""
    prompts = prompt_set(config.prompts, config.data, config.held_out)
    record = RunRecord.create("chem", "sample", config, seed=config.seed, out=out)
    with record.running():
        seed_everything(config.seed)
        model, tokenizer = load_chem_model(config.model, config.device)
        samples = sample_prompts(model, tokenizer, prompts, config.n,
                                 temperature=config.temperature,
                                 max_new_tokens=config.max_new_tokens,
                                 rows=config.rows, seed=config.seed,
                                 into=record.path("samples.jsonl"))
        rows = [asdict(s) for s in samples]
        table = adherence_table(rows)
        record.write_table("adherence.csv", table)
        record.write_results({"samples": len(rows), "valid": sum(r["smiles"] is not None
                                                                  for r in rows) / len(rows)})
    return table


@dataclass(frozen=True)
class EvaluateConfig:
    """How `reprolab chem evaluate` scores a samples file."""

    samples: str = field(default="", metadata={
        "help": "samples.jsonl of `sample`, or a SMILES file (.smi, or .csv with --column)."})
    column: str | None = field(default=None, metadata={"help": "CSV column of the SMILES."})
    suite: Suite = field(default="both", metadata={"help": "moses, guacamol or both."})
    test_limit: int | None = field(default=None, metadata={
        "help": "Use the first N molecules of each MOSES test set (default: all; their "
                "statistics are cached after the first run)."})
    reference_size: int = field(default=10000, metadata={
        "help": "MOSES training molecules as GuacaMol's reference (its statistics are "
                "cached after the first run)."})

    def __post_init__(self) -> None:
        if not self.samples:
            raise UserError("Give --samples: a samples.jsonl or SMILES file.")
        if self.suite not in get_args(Suite):
            raise UserError(f"--suite must be one of {', '.join(get_args(Suite))}, got "
                            f"{self.suite!r}.")
        if (self.test_limit is not None and self.test_limit < 1) or self.reference_size < 2:
            raise UserError("--test-limit must be >= 1 and --reference-size >= 2.")


def read_samples(path: Path, column: str | None) -> tuple[list[str], list[dict] | None]:
    """`(texts, rows)`: the generated strings of a file, and its sample rows when it is a
    `samples.jsonl` (None for a SMILES file)."""
    if path.suffix != ".jsonl":
        return read_entries(path, column), None
    if not path.is_file():
        raise UserError(f"Samples file {path} does not exist.")
    rows = []
    for number, line in enumerate(path.read_text().splitlines(), 1):
        try:
            row = json.loads(line)
        except json.JSONDecodeError:
            row = None
        if not isinstance(row, dict) or not {"text", "smiles"} <= row.keys():
            raise UserError(f"{path}, line {number}: not a sample written by `reprolab chem "
                            "sample`.")
        rows.append(row)
    return [r["text"].strip() for r in rows], rows


def run_evaluate(config: EvaluateConfig, out: Path | None = None) -> dict[str, float]:
    """Write `metrics.json` (MOSES key names, GuacaMol's prefixed `guacamol/`) and, for a
    samples.jsonl, `adherence.csv`."""
    texts, rows = read_samples(Path(config.samples), config.column)
    if not texts:
        raise UserError(f"{config.samples} holds no samples.")
    record = RunRecord.create("chem", "evaluate", config, out=out)
    with record.running():
        train = frozenset(read_moses("train"))
        metrics: dict[str, float] = {}
        if config.suite in ("moses", "both"):
            metrics |= moses_metrics(texts, moses_references(config.test_limit), train)
        if config.suite in ("guacamol", "both"):
            reference = guacamol_reference(config.reference_size)
            metrics |= {f"guacamol/{k}": v
                        for k, v in guacamol_metrics(texts, reference, train).items()}
        write_json(record.path("metrics.json"), metrics)
        if rows is not None:
            record.write_table("adherence.csv", adherence_table(rows))
        record.write_results(metrics)
    return metrics

