"""Direct preference optimisation on the model's own samples (SmileyLlama, section 2.3): sample K
molecules per prompt, check each with RDKit, pair a sample that satisfies its prompt (chosen)
with one that does not (rejected), and train with TRL's `DPOTrainer` (LoRA on top of the merged
SFT model, which is also the reference; reference log-probs precomputed). `rounds > 1` repeats
the loop from the updated model (iterative DPO); each round's adapter stacks on the last.

Only the prompts outside the held-out split (`prompts.split_prompts`) are used.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from reprolab.chem.models import load_chem_model
from reprolab.chem.prompts import END_OF_SMILES, Prompt, evaluation_prompts, split_prompts
from reprolab.chem.sampling import Sample, sample_prompts
from reprolab.chem.sft import LoraSettings, TrainResult, TrainSettings, fit, read_property_table
from reprolab.core.device import DEVICE_HELP, choose_device
from reprolab.core.errors import UserError
from reprolab.core.records import RunRecord, write_json
from reprolab.core.seeding import seed_everything


@dataclass(frozen=True)
class DpoConfig:
    """What `reprolab chem dpo` samples and trains."""

    model: str = field(default="", metadata={"help": "The SFT model folder (its `model/`)."})
    data: str = field(default="", metadata={
        "help": "properties.parquet of `prepare`: the substructures and formulas of prompts."})
    samples_per_prompt: int = field(default=64, metadata={
        "help": "Samples per prompt and round (the paper: 1,024)."})
    temperature: float = field(default=1.0, metadata={"help": "Sampling temperature."})
    held_out: float = field(default=0.3, metadata={
        "help": "Fraction of evaluation prompts DPO never sees."})
    rounds: int = field(default=1, metadata={"help": "Rounds of sample -> pairs -> DPO."})
    beta: float = field(default=0.1, metadata={"help": "DPO's beta."})
    sample_rows: int = field(default=64, metadata={"help": "Sequences decoded together."})
    lora: LoraSettings = field(default_factory=LoraSettings, metadata={"help": "LoRA."})
    train: TrainSettings = field(default_factory=lambda: TrainSettings(lr=2e-5), metadata={
        "help": "Training."})
    device: str = field(default="auto", metadata={"help": DEVICE_HELP})
    seed: int = field(default=0, metadata={"help": "Seed of sampling, pairing and training."})

    def __post_init__(self) -> None:
        if not self.model or not self.data:
            raise UserError("Give --model (the SFT run's model folder) and --data "
                            "(properties.parquet of `prepare`).")
        if self.samples_per_prompt < 2 or self.rounds < 1 or self.sample_rows < 1:
            raise UserError("--samples-per-prompt must be >= 2, --rounds and --sample-rows >= 1.")
        if self.temperature <= 0 or self.beta <= 0 or not 0 <= self.held_out < 1:
            raise UserError("--temperature and --beta must be > 0 and --held-out in [0, 1).")
        if self.lora.r == 0:
            raise UserError("DPO trains a LoRA adapter: give --lora-r >= 1.")
        choose_device(self.device)


def preference_pairs(prompts: Sequence[Prompt], samples: Sequence[Sample],
                     rng: np.random.Generator) -> list[dict[str, str]]:
    """Per prompt, min(#satisfied, #not) pairs `{"prompt", "chosen", "rejected"}` of distinct
    samples drawn at random: chosen satisfies every constraint, rejected does not (or is not a
    molecule). A prompt whose samples all pass or all fail gives no pair."""
    chosen, rejected = defaultdict(list), defaultdict(list)
    for sample in samples:
        (chosen if sample.satisfied else rejected)[sample.prompt_id].append(sample.text)
    pairs = []
    for i, prompt in enumerate(prompts):
        good, bad = rng.permutation(chosen[i]), rng.permutation(rejected[i])
        pairs += [{"prompt": prompt.text, "chosen": g.strip() + END_OF_SMILES,
                   "rejected": b.strip() + END_OF_SMILES} for g, b in zip(good, bad, strict=False)]
    return pairs


@dataclass(frozen=True)
class DpoRound:
    """One round: how many pairs it trained on, the share of samples that satisfied their
    prompt before it, and the training result."""

    round: int
    pairs: int
    satisfied_before: float
    train: TrainResult


def _dpo_round(config: DpoConfig, base: str, prompts: list[Prompt], folder: Path,
               seed: int) -> DpoRound:
    from datasets import Dataset
    from trl import DPOConfig, DPOTrainer

    model, tokenizer = load_chem_model(base, config.device)
    samples = sample_prompts(model, tokenizer, prompts, config.samples_per_prompt,
                             temperature=config.temperature, rows=config.sample_rows,
                             seed=seed, into=folder / "samples.jsonl")
    pairs = preference_pairs(prompts, samples, np.random.default_rng(seed))
    RunRecord(folder).write_jsonl("pairs.jsonl", pairs)
    if not pairs:
        raise UserError(f"Round {folder.name}: no prompt had both a sample that satisfies it and "
                        "one that does not; sample more (--samples-per-prompt).")
    args = DPOConfig(**config.train.trainer_kwargs(folder, config.device, seed),
                     max_length=config.train.max_length, beta=config.beta,
                     precompute_ref_log_probs=True)
    trainer = DPOTrainer(model=model.train(), args=args, processing_class=tokenizer,
                         train_dataset=Dataset.from_list(pairs),
                         peft_config=config.lora.peft_config())
    satisfied = float(np.mean([s.satisfied for s in samples]))
    result = DpoRound(int(folder.name.split("-")[1]), len(pairs), satisfied,
                      fit(trainer, folder, base))
    write_json(folder / "round.json", result)
    return result


def run_dpo(config: DpoConfig, out: Path | None = None) -> list[dict]:
    """`config.rounds` rounds of DPO from `config.model`; round r writes `round-r/` (samples,
    pairs, checkpoints, `model/`, `round.json`). A finished round is not redone. Returns each
    round's `round.json` (a `DpoRound`)."""
    reference = read_property_table(config.data)
    seen, _ = split_prompts(evaluation_prompts(reference.to_dict("records")), config.held_out)
    record = RunRecord.create("chem", "dpo", config, seed=config.seed, out=out)
    rounds = []
    with record.running():
        base = config.model
        for r in range(1, config.rounds + 1):
            folder = record.path(f"round-{r}")
            seed_everything(config.seed + r)
            if not (folder / "round.json").is_file():
                _dpo_round(config, base, seen, folder, config.seed + r)
            rounds.append(json.loads((folder / "round.json").read_text()))
            record.write_results(rounds)
            base = str(folder / "model")
    return rounds
