"""The from-scratch baseline: a small randomly initialised Llama (the same family and tokenizer
as the base LLM) trained on the same molecules, so SmileyLlama's claim ("as good as CLMs trained
only on SMILES") is tested at equal training compute.

Its examples are SFT's with no property stated (`p_flag=0`): every prompt is the same constant
text, so only SMILES carry information, and sampling uses the `free` prompt set unchanged.
Training compute is counted as `6 N T` for full training and `4 N T` for LoRA (no weight
gradients of the frozen base: Kaplan et al. 2020's estimate without the third pass), with N the
model's parameters and T the tokens seen.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from transformers import LlamaConfig, LlamaForCausalLM

from reprolab.chem.sft import TrainResult, TrainSettings, fit, read_property_table, sft_trainer
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
    train: TrainSettings = field(default_factory=lambda: TrainSettings(lr=1e-3), metadata={
        "help": "Training."})
    device: str = field(default="auto", metadata={"help": DEVICE_HELP})
    seed: int = field(default=0, metadata={"help": "Seed of the weights, SMILES and order."})

    def __post_init__(self) -> None:
        if not self.data:
            raise UserError("Give --data: the properties.parquet of `reprolab chem prepare`.")
        if min(self.hidden, self.layers, self.heads) < 1 or self.hidden % self.heads:
            raise UserError("--hidden, --layers, --heads must be >= 1, hidden divisible by heads.")
        choose_device(self.device)


def training_flops(parameters: int, tokens: int, *, lora: bool) -> float:
    """Training FLOPs: `4 N T` with a frozen base (LoRA), `6 N T` when every weight trains."""
    return (4 if lora else 6) * parameters * tokens


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
                              device=config.device, seed=config.seed, p_flag=0)
        result = fit(trainer, record.folder, config.tokenizer)
        tokens = max((log.get("num_tokens", 0) for log in trainer.state.log_history), default=0)
        record.write_results({**vars(result), "parameters": model.num_parameters(),
                              "flops": training_flops(model.num_parameters(), tokens, lora=False)})
        return result
