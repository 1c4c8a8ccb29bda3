"""Supervised fine-tuning (SmileyLlama, section 2.2): a causal LM learns to answer a property
prompt with a SMILES string, with TRL's `SFTTrainer` and PEFT's LoRA (or full fine-tuning).

Each molecule of the prepared property table gives one example per epoch: a random prompt true of
it (`prompts.training_prompt`) and one of its randomised SMILES (or its canonical SMILES, with
`--smiles canonical`) as the completion. The loss is on
the completion only; examples are packed into `max_length`-token sequences (best-fit decreasing)
without attention across examples. Runs on CPU, one GPU or many (`accelerate launch`) unchanged;
checkpoints in `checkpoints/` resume a run given the same `--out`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from transformers import TrainerCallback

from reprolab.chem.models import ADAPTER_CONFIG, load_chem_model, write_base
from reprolab.chem.molecules import parse, randomised
from reprolab.chem.prompts import END_OF_SMILES, Prompt, training_prompt
from reprolab.core.device import DEVICE_HELP, choose_device
from reprolab.core.errors import UserError
from reprolab.core.records import RunRecord, write_json
from reprolab.core.seeding import seed_everything


@dataclass(frozen=True)
class LoraSettings:
    """LoRA on every linear layer (the paper: r 32, alpha 16); `r=0` trains all weights."""

    r: int = field(default=32, metadata={"help": "LoRA rank (0: full fine-tuning)."})
    alpha: int = field(default=16, metadata={"help": "LoRA alpha."})
    dropout: float = field(default=0.05, metadata={"help": "LoRA dropout."})

    def __post_init__(self) -> None:
        if self.r < 0 or self.alpha < 1 or not 0 <= self.dropout < 1:
            raise UserError(f"LoRA needs r >= 0, alpha >= 1, 0 <= dropout < 1; got r={self.r}, "
                            f"alpha={self.alpha}, dropout={self.dropout}.")

    def peft_config(self):
        from peft import LoraConfig

        if self.r == 0:
            return None
        return LoraConfig(r=self.r, lora_alpha=self.alpha, lora_dropout=self.dropout,
                          target_modules="all-linear", task_type="CAUSAL_LM")


@dataclass(frozen=True)
class TrainSettings:
    """Optimiser and batching, shared by SFT, DPO and the baseline."""

    lr: float = field(default=2e-4, metadata={"help": "Peak learning rate (cosine decay)."})
    epochs: float = field(default=1.0, metadata={"help": "Passes over the examples."})
    max_steps: int = field(default=-1, metadata={"help": "Stop after this many optimiser steps "
                                                         "(-1: the epochs decide)."})
    batch_size: int = field(default=8, metadata={"help": "Sequences per device per step."})
    grad_accum: int = field(default=1, metadata={"help": "Gradient accumulation steps."})
    max_length: int = field(default=256, metadata={"help": "Tokens per (packed) sequence."})
    save_steps: int = field(default=200, metadata={"help": "Checkpoint every N steps."})
    snapshot_steps: int = field(default=0, metadata={
        "help": "Keep the weights alone every N steps in snapshots/, with the training FLOPs so "
                "far, for `reprolab chem curve` (0: none)."})

    def __post_init__(self) -> None:
        if self.lr <= 0 or self.epochs <= 0:
            raise UserError(f"--lr and --epochs must be > 0, got {self.lr} and {self.epochs}.")
        if self.snapshot_steps < 0:
            raise UserError(f"--snapshot-steps must be >= 0, got {self.snapshot_steps}.")
        if min(self.batch_size, self.grad_accum, self.max_length, self.save_steps) < 1:
            raise UserError("--batch-size, --grad-accum, --max-length and --save-steps must be "
                            ">= 1.")
        if self.max_steps == 0 or self.max_steps < -1:
            raise UserError(f"--max-steps must be >= 1 or -1, got {self.max_steps}.")

    def trainer_kwargs(self, folder: Path, device: str, seed: int) -> dict[str, object]:
        """The `TrainingArguments` fields these settings decide."""
        return dict(
            output_dir=str(folder / "checkpoints"), learning_rate=self.lr,
            num_train_epochs=self.epochs, max_steps=self.max_steps,
            per_device_train_batch_size=self.batch_size,
            gradient_accumulation_steps=self.grad_accum, lr_scheduler_type="cosine",
            warmup_steps=0.03, save_steps=self.save_steps, save_total_limit=2,
            logging_steps=10, report_to=[], seed=seed, data_seed=seed,
            use_cpu=choose_device(device).type == "cpu", activation_checkpointing=False,
            disable_tqdm=False)


SMILES_FORMS = ("randomised", "canonical")
SMILES_HELP = ("Completions as randomised SMILES (the paper) or canonical SMILES (easier to learn "
               "from few molecules).")


def check_smiles_form(form: str) -> None:
    if form not in SMILES_FORMS:
        raise UserError(f"--smiles must be one of {', '.join(SMILES_FORMS)}, got {form!r}.")


@dataclass(frozen=True)
class SftConfig:
    """What `reprolab chem sft` trains, on what."""

    data: str = field(default="", metadata={
        "help": "properties.parquet written by `reprolab chem prepare`."})
    model: str = field(default="smollm2-135m", metadata={
        "help": "Base model: packaged name, local folder or Hugging Face id."})
    limit: int | None = field(default=None, metadata={"help": "Use the first N molecules."})
    p_flag: float = field(default=0.5, metadata={
        "help": "Probability that each of the 12 properties enters a prompt."})
    smiles: str = field(default="randomised", metadata={"help": SMILES_HELP})
    packing: bool = field(default=True, metadata={"help": "Pack examples into full sequences."})
    lora: LoraSettings = field(default_factory=LoraSettings, metadata={"help": "LoRA."})
    train: TrainSettings = field(default_factory=TrainSettings, metadata={"help": "Training."})
    device: str = field(default="auto", metadata={"help": DEVICE_HELP})
    seed: int = field(default=0, metadata={"help": "Seed of prompts, SMILES and training."})

    def __post_init__(self) -> None:
        if not self.data:
            raise UserError("Give --data: the properties.parquet of `reprolab chem prepare`.")
        if self.limit is not None and self.limit < 1:
            raise UserError(f"--limit must be >= 1, got {self.limit}.")
        if not 0 <= self.p_flag <= 1:
            raise UserError(f"--p-flag must be in [0, 1], got {self.p_flag}.")
        check_smiles_form(self.smiles)
        choose_device(self.device)


def read_property_table(path: str | Path, limit: int | None = None) -> pd.DataFrame:
    """The property table written by `prepare` (first `limit` rows), or a `UserError`."""
    path = Path(path)
    if not path.is_file():
        raise UserError(f"No property table at {path}: run `reprolab chem prepare` first.")
    try:
        table = pd.read_parquet(path)
    except (OSError, ValueError) as error:
        raise UserError(f"{path} is not a property table ({error}).") from None
    if "smiles" not in table.columns or table.empty:
        raise UserError(f"{path} holds no molecules (no `smiles` rows).")
    return table.head(limit) if limit else table


def sft_examples(table: pd.DataFrame, epochs: int, seed: int, p_flag: float = 0.5,
                 smiles: str = "randomised", bare: bool = False) -> list[dict[str, str]]:
    """`epochs` examples per molecule (`{"prompt", "completion"}`), each with a fresh prompt (or
    the bare start text) and randomised SMILES (or the table's canonical SMILES), in a seeded
    order."""
    rng = np.random.default_rng(seed)
    rows = table.to_dict("records")
    examples = []
    for i, row in enumerate(rows):
        variants = (randomised(parse(row["smiles"]), epochs, seed + i) if smiles == "randomised"
                    else [row["smiles"]] * epochs)
        prompt = Prompt((), "bare") if bare else training_prompt(row, rng, p_flag)
        examples += [{"prompt": prompt.text,
                      "completion": smiles + END_OF_SMILES} for smiles in variants]
    rng.shuffle(examples)
    return examples


@dataclass(frozen=True)
class TrainResult:
    """Where the trained model is, and what training measured."""

    model: Path
    steps: int
    train_loss: float
    tokens_per_second: float | None
    tokens: int | None = None
    flops: float | None = None


def training_flops(model, tokens: int) -> float:
    """Training FLOPs of `tokens` through `model`: `6 N T` when every weight trains, `4 N T` for a
    LoRA model (no weight gradients of the frozen base: Kaplan et al. 2020's estimate without that
    third pass), N counting every parameter."""
    lora = any(not p.requires_grad for p in model.parameters())
    return (4 if lora else 6) * model.num_parameters() * tokens


class Snapshots(TrainerCallback):
    """Keeps the model every `every` steps in `folder/step-NNNNNN`, loadable as `model/` is
    (an adapter with its base's name, or weights with the tokenizer) but with no optimiser
    state, and `snapshot.json`: step, tokens and training FLOPs so far."""

    def __init__(self, folder: Path, every: int, base: str) -> None:
        self.folder, self.every, self.base = folder, every, base

    def on_step_end(self, args, state, control, model=None, processing_class=None, **kwargs):
        if state.global_step % self.every or not state.is_world_process_zero:
            return
        target = self.folder / f"step-{state.global_step:06d}"
        model.save_pretrained(str(target))
        if (target / ADAPTER_CONFIG).is_file():
            write_base(target, self.base)
        else:
            processing_class.save_pretrained(str(target))
        tokens = state.num_input_tokens_seen
        write_json(target / "snapshot.json", {"step": state.global_step, "tokens": tokens,
                                              "flops": training_flops(model, tokens)})


def last_checkpoint(folder: Path) -> str | None:
    from transformers.trainer_utils import get_last_checkpoint

    checkpoints = folder / "checkpoints"
    return get_last_checkpoint(str(checkpoints)) if checkpoints.is_dir() else None


def fit(trainer, run_folder: Path, base: str) -> TrainResult:
    """Train (resuming from the last checkpoint in `run_folder/checkpoints`), and save the model
    or adapter to `run_folder/model` with the tokenizer and the base's name."""
    output = trainer.train(resume_from_checkpoint=last_checkpoint(run_folder))
    folder = run_folder / "model"
    trainer.save_model(str(folder))
    trainer.processing_class.save_pretrained(str(folder))
    (folder / "training_args.bin").unlink(missing_ok=True)  # a pickle; config.json has them
    if (folder / ADAPTER_CONFIG).is_file():
        write_base(folder, base)
    runtime = output.metrics.get("train_runtime")
    tokens = max((log.get("num_tokens", 0) for log in trainer.state.log_history), default=0)
    seen = trainer.state.num_input_tokens_seen or None  # counted by SFT, not by DPO
    return TrainResult(folder, output.global_step, float(output.training_loss),
                       tokens / runtime if tokens and runtime else None, seen,
                       seen and training_flops(trainer.model, seen))


def sft_trainer(model, tokenizer, table: pd.DataFrame, train: TrainSettings, folder: Path, *,
                base: str, device: str, seed: int, p_flag: float = 0.5,
                smiles: str = "randomised", bare: bool = False, packing: bool = True,
                peft_config=None):
    """TRL's `SFTTrainer` on `sft_examples(table)`: completion-only loss, packing, checkpoints
    in `folder/checkpoints`, snapshots of `base` fine-tuned in `folder/snapshots`. Each rounded
    epoch sees other prompts and SMILES."""
    from datasets import Dataset
    from trl import SFTConfig, SFTTrainer

    copies = max(1, round(train.epochs))
    examples = sft_examples(table, copies, seed, p_flag, smiles, bare)
    kwargs = train.trainer_kwargs(folder, device, seed)
    args = SFTConfig(**{**kwargs, "num_train_epochs": train.epochs / copies},
                     max_length=train.max_length, packing=packing, completion_only_loss=True,
                     include_num_input_tokens_seen="non_padding")
    callbacks = ([Snapshots(folder / "snapshots", train.snapshot_steps, base)]
                 if train.snapshot_steps else [])
    return SFTTrainer(model=model.train(), args=args, processing_class=tokenizer,
                      train_dataset=Dataset.from_list(examples), peft_config=peft_config,
                      callbacks=callbacks)


def run_sft(config: SftConfig, out: Path | None = None) -> TrainResult:
    """Fine-tune `config.model` on the prepared molecules; the model (or adapter) lands in
    `<out>/model`."""
    table = read_property_table(config.data, config.limit)
    record = RunRecord.create("chem", "sft", config, seed=config.seed, out=out)
    with record.running():
        seed_everything(config.seed)
        model, tokenizer = load_chem_model(config.model, config.device, merged=False)
        trainer = sft_trainer(model, tokenizer, table, config.train, record.folder,
                              base=config.model, device=config.device, seed=config.seed,
                              p_flag=config.p_flag, smiles=config.smiles, packing=config.packing,
                              peft_config=config.lora.peft_config())
        result = fit(trainer, record.folder, config.model)
        record.write_results(result)
        return result
