"""The from-scratch baseline: a small randomly initialised Llama (the same family and tokenizer
as the base LLM) trained on the same molecules, so SmileyLlama's claim ("as good as CLMs trained
only on SMILES") is tested at equal training compute.

Its examples are SFT's SMILES after the short constant start text `prompts.BARE_TEXT` instead of
a prompt (the template would spend most of its compute on tokens that never change); sample it
with `--prompts bare`.
Training compute is counted by `sft.training_flops` for both (`6 N T` here, `4 N T` for LoRA).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from transformers import LlamaConfig, LlamaForCausalLM

from reprolab.chem.sft import (
    SMILES_HELP,
    TrainResult,
    TrainSettings,
    check_smiles_form,
    fit,
    read_property_table,
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
    device: str = field(default="auto", metadata={"help": DEVICE_HELP})
    seed: int = field(default=0, metadata={"help": "Seed of the weights, SMILES and order."})

    def __post_init__(self) -> None:
        if not self.data:
            raise UserError("Give --data: the properties.parquet of `reprolab chem prepare`.")
        if min(self.hidden, self.layers, self.heads) < 1 or self.hidden % self.heads:
            raise UserError("--hidden, --layers, --heads must be >= 1, hidden divisible by heads.")
        check_smiles_form(self.smiles)
        choose_device(self.device)


def run_baseline(config: BaselineConfig, out: Path | None = None) -> TrainResult:
    """Train the from-scratch CLM; the full model lands in `<out>/model`."""
    table = read_property_table(config.data, config.limit)
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
        trainer = sft_trainer(model, tokenizer, table, config.train, record.folder,
                              base=config.tokenizer, device=config.device, seed=config.seed,
                              smiles=config.smiles, bare=True)
        result = fit(trainer, record.folder, config.tokenizer)
        record.write_results({**vars(result), "parameters": model.num_parameters()})
        return result
