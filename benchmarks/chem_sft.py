"""Benchmark: SFT throughput in real (non-padding) tokens per second, `reprolab chem sft`'s
trainer (best-fit packing without padding, completion-only loss) against TRL's `SFTTrainer` with
its default settings (no packing: each batch padded to its longest example), same model, LoRA,
examples, batch size and learning rate. Medians of `--repeats` runs, alternated.

    OMP_NUM_THREADS=1 uv run python benchmarks/chem_sft.py \
        --data runs/chem/prepare/properties.parquet --steps 8 --repeats 3 --out runs/chem_sft.json
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from pathlib import Path

import torch

from reprolab.chem.models import load_chem_model
from reprolab.chem.sft import (
    LoraSettings,
    TrainSettings,
    read_property_table,
    sft_examples,
    sft_trainer,
)
from reprolab.core.records import write_json


def _trl_defaults(model, tokenizer, table, args: argparse.Namespace, folder: str, peft_config):
    from datasets import Dataset
    from trl import SFTConfig, SFTTrainer

    config = SFTConfig(output_dir=folder, max_steps=args.steps, learning_rate=args.lr,
                       per_device_train_batch_size=args.batch_size, save_strategy="no",
                       report_to=[], use_cpu=True, seed=0,
                       include_num_input_tokens_seen="non_padding")
    examples = Dataset.from_list(sft_examples(table, 1, seed=0))
    return SFTTrainer(model=model.train(), args=config, processing_class=tokenizer,
                      train_dataset=examples, peft_config=peft_config)


def _ours(model, tokenizer, table, args: argparse.Namespace, folder: str, peft_config):
    train = TrainSettings(lr=args.lr, max_steps=args.steps, batch_size=args.batch_size,
                          save_steps=10**6)
    return sft_trainer(model, tokenizer, table, train, Path(folder), base=args.model,
                       device="cpu", seed=0, peft_config=peft_config)


def tokens_per_second(build, table, args: argparse.Namespace) -> float:
    """Real tokens trained on per second of `trainer.train()`."""
    model, tokenizer = load_chem_model(args.model, "cpu", merged=False)
    with tempfile.TemporaryDirectory() as folder:
        trainer = build(model, tokenizer, table, args, folder,
                        LoraSettings(r=args.lora_r).peft_config())
        output = trainer.train()
    return trainer.state.num_input_tokens_seen / output.metrics["train_runtime"]


def main(args: argparse.Namespace) -> dict:
    torch.set_num_threads(args.threads)
    table = read_property_table(args.data, args.limit)
    runs: dict[str, list[float]] = {"reprolab": [], "trl_defaults": []}
    for _ in range(args.repeats):
        runs["reprolab"].append(tokens_per_second(_ours, table, args))
        runs["trl_defaults"].append(tokens_per_second(_trl_defaults, table, args))
    medians = {name: statistics.median(values) for name, values in runs.items()}
    result = {"steps": args.steps, "batch_size": args.batch_size, "lora_r": args.lora_r,
              "tokens_per_second": runs, "median": medians,
              "ratio": medians["reprolab"] / medians["trl_defaults"]}
    print(result)
    write_json(args.out, result)
    return result


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", required=True, help="properties.parquet of `chem prepare`")
    parser.add_argument("--model", default="smollm2-135m")
    parser.add_argument("--limit", type=int, default=512, help="molecules to draw examples from")
    parser.add_argument("--steps", type=int, default=8)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--lora-r", type=int, default=16)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--out", type=Path, default=Path("runs/chem_sft.json"))
    return parser


if __name__ == "__main__":
    main(make_parser().parse_args())
