"""Benchmark: valid unique molecules per second, reprolab's sampling (`lm.generation.generate`:
shared prompt prefilled once, rows leaving the batch at the end of their SMILES) against
`transformers`' `generate` with default settings, same model, prompt, batch size, temperature.

    OMP_NUM_THREADS=1 uv run python benchmarks/chem_sampling.py --model results/chem/adapter \
        --samples 64 --batch-size 8 --out runs/chem_sampling.json
"""

from __future__ import annotations

import argparse
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


def main(args: argparse.Namespace) -> dict:
    torch.set_num_threads(args.threads)
    model, tokenizer = load_chem_model(args.model, "cpu")
    prompt = Prompt(())
    start = time.perf_counter()
    ours = sample_prompts(model, tokenizer, [prompt], args.samples, rows=args.batch_size,
                          max_new_tokens=args.max_new_tokens, progress=False)
    ours_s = time.perf_counter() - start
    ours_n = len({s.smiles for s in ours if s.smiles})
    start = time.perf_counter()
    theirs = _transformers_texts(model, tokenizer, prompt.text, args.samples, args.batch_size,
                                 args.max_new_tokens)
    theirs_s = time.perf_counter() - start
    theirs_n = _valid_unique(theirs)
    result = {"samples": args.samples, "batch_size": args.batch_size,
              "reprolab_valid_unique_per_s": ours_n / ours_s,
              "transformers_valid_unique_per_s": theirs_n / theirs_s,
              "ratio": (ours_n / ours_s) / (theirs_n / theirs_s) if theirs_n else None}
    print(result)
    write_json(args.out, result)
    return result


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", required=True, help="a trained model folder or name")
    parser.add_argument("--samples", type=int, default=64)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--max-new-tokens", type=int, default=96)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--out", type=Path, default=Path("runs/chem_sampling.json"))
    return parser


if __name__ == "__main__":
    main(make_parser().parse_args())
