"""The from-scratch baseline: a small randomly initialised Llama (the same family and tokenizer
as the base LLM) trained on the same molecules, so SmileyLlama's claim ("as good as CLMs trained
only on SMILES") is tested at equal training compute.

Its examples are SFT's SMILES after the short constant start text `prompts.BARE_TEXT` instead of
a prompt (the template would spend most of its compute on tokens that never change); sample it
with `--prompts bare`.
Training compute is counted by `sft.training_flops` for both (`6 N T` here, `4 N T` for LoRA);
`--flops-of <sft run>` sets the epochs so that the baseline spends what that SFT run spent.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path

from transformers import LlamaConfig, LlamaForCausalLM

from reprolab.chem.sft import (
    SMILES_HELP,
    TrainResult,
    TrainSettings,
    check_smiles_form,
    fit,
    read_property_table,
    sft_examples,
    sft_trainer,
)
from reprolab.core.device import DEVICE_HELP, choose_device
from reprolab.core.errors import UserError
from reprolab.core.records import RunRecord
from reprolab.core.seeding import seed_everything
from reprolab.lm.zoo import load_model


@dataclass(frozen=True)
class BaselineConfig:
    """Shape and training of the from-scratch CLM."""

    data: str = field(default="", metadata={"help": "properties.parquet of `prepare`."})
    tokenizer: str = field(default="smollm2-135m", metadata={
        "help": "Model whose tokenizer (and architecture family) the baseline uses."})
    hidden: int = field(default=256, metadata={"help": "Hidden size."})
    layers: int = field(default=4, metadata={"help": "Transformer layers."})
    heads: int = field(default=4, metadata={"help": "Attention heads."})
    limit: int | None = field(default=None, metadata={"help": "Use the first N molecules."})
    smiles: str = field(default="randomised", metadata={"help": SMILES_HELP})
    train: TrainSettings = field(default_factory=lambda: TrainSettings(lr=1e-3), metadata={
        "help": "Training."})
    flops_of: str | None = field(default=None, metadata={
        "help": "A finished `chem sft` run folder: train for the FLOPs it used (sets the "
                "epochs)."})
    device: str = field(default="auto", metadata={"help": DEVICE_HELP})
    seed: int = field(default=0, metadata={"help": "Seed of the weights, SMILES and order."})

    def __post_init__(self) -> None:
        if not self.data:
            raise UserError("Give --data: the properties.parquet of `reprolab chem prepare`.")
        if min(self.hidden, self.layers, self.heads) < 1 or self.hidden % self.heads:
            raise UserError("--hidden, --layers, --heads must be >= 1, hidden divisible by heads.")
        check_smiles_form(self.smiles)
        choose_device(self.device)


def flops_used(run: Path) -> float:
    """The training FLOPs a finished SFT run recorded, or a `UserError`."""
    results = run / "results.json"
    flops = json.loads(results.read_text()).get("flops") if results.is_file() else None
    if not flops:
        raise UserError(f"{run} holds no finished SFT run with its FLOPs (results.json): "
                        "choose a run of `reprolab chem sft` that has ended.")
    return float(flops)


def epoch_tokens(tokenizer, examples: list[dict[str, str]]) -> int:
    """Tokens of one pass over `examples` as the trainer sees them (prompt, completion, EOS)."""
    return sum(len(tokenizer(e["prompt"]).input_ids) + len(tokenizer(e["completion"]).input_ids)
               + 1 for e in examples)


def run_baseline(config: BaselineConfig, out: Path | None = None) -> TrainResult:
    """Train the from-scratch CLM; the full model lands in `<out>/model`."""
    table = read_property_table(config.data, config.limit)
    budget = flops_used(Path(config.flops_of)) if config.flops_of else None
    record = RunRecord.create("chem", "baseline", config, seed=config.seed, out=out)
    with record.running():
        seed_everything(config.seed)
        _, tokenizer = load_model(config.tokenizer, device="cpu")
        model = LlamaForCausalLM(LlamaConfig(
            vocab_size=len(tokenizer), hidden_size=config.hidden, num_hidden_layers=config.layers,
            num_attention_heads=config.heads, num_key_value_heads=config.heads,
            intermediate_size=4 * config.hidden, max_position_embeddings=config.train.max_length,
            tie_word_embeddings=True, bos_token_id=tokenizer.bos_token_id,
            eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.pad_token_id))
        train = config.train
        if budget:
            tokens = epoch_tokens(tokenizer, sft_examples(table, 1, config.seed,
                                                          smiles=config.smiles, bare=True))
            train = replace(train, epochs=budget / (6 * model.num_parameters() * tokens))
        trainer = sft_trainer(model, tokenizer, table, train, record.folder,
                              base=config.tokenizer, device=config.device, seed=config.seed,
                              smiles=config.smiles, bare=True)
        result = fit(trainer, record.folder, config.tokenizer)
        record.write_results({**vars(result), "parameters": model.num_parameters(),
                              "epochs": train.epochs, "flops_budget": budget})
        return result
