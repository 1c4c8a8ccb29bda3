"""Benchmark: valid unique molecules per second, reprolab's sampling (`lm.generation.generate`:
shared prompt prefilled once, a row passing to the next sample at the end of its SMILES) against
`transformers`' `generate` with default settings, same model, prompt, batch size, temperature,
at each of `--batch-sizes`. Medians of `--repeats` runs, alternated.

    OMP_NUM_THREADS=1 uv run python benchmarks/chem_sampling.py --model results/chem/adapter \
        --samples 128 --batch-sizes 8,32,64 --repeats 3 --out runs/chem_sampling.json
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import torch

from reprolab.chem.models import load_chem_model
from reprolab.chem.molecules import canonical
from reprolab.chem.prompts import END_OF_SMILES, Prompt
from reprolab.chem.sampling import sample_prompts
from reprolab.core.records import write_json


def _valid_unique(texts: list[str]) -> int:
    return len({c for t in texts if (c := canonical(t.split(END_OF_SMILES)[0].strip()))})


def _transformers_texts(model, tokenizer, prompt: str, n: int, batch: int, tokens: int) -> list:
    encoded = tokenizer([prompt] * batch, return_tensors="pt").to(model.device)
    texts = []
    for start in range(0, n, batch):
        torch.manual_seed(start)
        output = model.generate(**encoded, do_sample=True, temperature=1.0, top_p=1.0, top_k=0,
                                max_new_tokens=tokens, pad_token_id=tokenizer.pad_token_id)
        texts += tokenizer.batch_decode(output[:, encoded["input_ids"].shape[1]:],
                                        skip_special_tokens=True)
    return texts[:n]


def _ours(model, tokenizer, args: argparse.Namespace, batch: int) -> int:
    samples = sample_prompts(model, tokenizer, [Prompt(())], args.samples, rows=batch,
                             max_new_tokens=args.max_new_tokens, progress=False)
    return len({s.smiles for s in samples if s.smiles})


def _theirs(model, tokenizer, args: argparse.Namespace, batch: int) -> int:
    return _valid_unique(_transformers_texts(model, tokenizer, Prompt(()).text, args.samples,
                                             batch, args.max_new_tokens))


def compare(model, tokenizer, args: argparse.Namespace, batch: int) -> dict:
    """Valid unique molecules/s of both samplers at one batch size, and the ratio of medians."""
    runs: dict[str, list[float]] = {"reprolab": [], "transformers": []}
    for _ in range(args.repeats):  # alternated, so a change in load falls on both
        for name, sampler in (("reprolab", _ours), ("transformers", _theirs)):
            start = time.perf_counter()
            found = sampler(model, tokenizer, args, batch)
            runs[name].append(found / (time.perf_counter() - start))
    medians = {name: statistics.median(values) for name, values in runs.items()}
    return {"batch_size": batch, "valid_unique_per_s": runs, "median": medians,
            "ratio": (medians["reprolab"] / medians["transformers"]
                      if medians["transformers"] else None)}


def main(args: argparse.Namespace) -> dict:
    torch.set_num_threads(args.threads)
    model, tokenizer = load_chem_model(args.model, "cpu")
    result = {"samples": args.samples, "threads": args.threads, "by_batch_size": []}
    for batch in args.batch_sizes:
        result["by_batch_size"].append(compare(model, tokenizer, args, batch))
        print(result["by_batch_size"][-1])
        write_json(args.out, result)
    return result


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", required=True, help="a trained model folder or name")
    parser.add_argument("--samples", type=int, default=128, help="per run")
    parser.add_argument("--batch-sizes", type=lambda text: [int(b) for b in text.split(",")],
                        default=[8, 32, 64])
    parser.add_argument("--max-new-tokens", type=int, default=96)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--out", type=Path, default=Path("runs/chem_sampling.json"))
    return parser


if __name__ == "__main__":
    main(make_parser().parse_args())
