"""SmileyLlama at paper-like scale on one GPU: SFT -> DPO -> samples -> metrics, one script.

Usage (from the repository root, no uv environment needed):

    PYTHONPATH=src python3 scripts/chem_gpu.py --out OUT [--device cuda] [--molecules 200000]
    PYTHONPATH=src python3 scripts/chem_gpu.py --out /tmp/toy --toy --model tests/tiny-model

Steps (`reprolab.chem.reproduction.run_pipeline`), each a run folder under OUT that a rerun
resumes: prepare/ (MOSES molecules and their 12 properties), sft/ (LoRA r32, alpha 16, lr 2e-4,
one epoch of randomised SMILES behind property prompts), eval-sft/ and free-sft/ (samples at
T=1), dpo/ (rounds of K samples per seen prompt -> pairs -> DPO, lr 2e-5 unless --dpo-lr),
eval-dpo/, evaluate/metrics.json (MOSES and GuacaMol suites), baseline/ (the from-scratch
Llama at the SFT's FLOPs), free-baseline/, evaluate-baseline/, curve/ (metrics against training
FLOPs of every snapshot of both), bands.png, molecules.png, and OUT/summary.json with the
report's tables. The paper's SFT used 2.33M ChEMBL SMILES on Llama-3.1-8B and DPO 1,024
samples per prompt: --molecules, --model and --dpo-samples scale there.
Needs torch, transformers, peft, accelerate, pandas, matplotlib and rich plus trl, datasets,
rdkit, pyarrow and molsets (the MOSES files), carried as wheels when the machine lacks them.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import replace
from pathlib import Path

from reprolab.chem.reproduction import PipelineSettings, run_pipeline
from reprolab.chem.sft import LoraSettings, TrainSettings
from reprolab.core.records import to_jsonable
from reprolab.core.report import StudyContext

TOY = PipelineSettings(molecules=12, sft_train=TrainSettings(max_steps=1, batch_size=2,
                                                             max_length=1024, snapshot_steps=1),
                       lora=LoraSettings(r=2, alpha=4), dpo_rounds=0, free_samples=4,
                       eval_samples=1, max_new_tokens=6, test_limit=20, reference_size=20,
                       sample_rows=64, baseline_shape=(16, 1, 2), curve_samples=2,
                       baseline_train=TrainSettings(batch_size=2, max_length=1024,
                                                    snapshot_steps=1))


def settings_of(args: argparse.Namespace) -> PipelineSettings:
    if args.toy:
        return replace(TOY, model=args.model)
    return PipelineSettings(
        molecules=args.molecules, model=args.model,
        sft_train=TrainSettings(batch_size=args.batch_size, max_length=256, save_steps=500,
                                snapshot_steps=args.snapshot_steps),
        dpo_rounds=args.dpo_rounds, dpo_samples=args.dpo_samples,
        dpo_train=TrainSettings(lr=args.dpo_lr, epochs=args.dpo_epochs,
                                batch_size=args.batch_size, max_length=256, save_steps=500),
        free_samples=args.free_samples, eval_samples=args.eval_samples,
        sample_rows=args.sample_rows,
        baseline_shape=tuple(int(x) for x in args.baseline_shape.split(",")),
        baseline_train=TrainSettings(lr=1e-3, batch_size=args.batch_size, max_length=256,
                                     save_steps=500, snapshot_steps=args.snapshot_steps),
        curve_samples=args.curve_samples)


def main(args: argparse.Namespace) -> dict:
    result = run_pipeline(StudyContext(out=args.out, seed=args.seed, device=args.device),
                          settings_of(args))
    summary = {"summary": result.summary, "comparisons": to_jsonable(result.comparisons),
               "tables": {name: table.to_dict("records") for name, table in result.tables}}
    (args.out / "summary.json").write_text(json.dumps(to_jsonable(summary), indent=2) + "\n")
    return summary


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True, help="output folder")
    parser.add_argument("--device", default="auto", help="auto, cpu, cuda, cuda:N or mps")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--toy", action="store_true", help="tiny settings for a CPU check")
    parser.add_argument("--model", default="smollm2-135m", help="base model name or folder")
    parser.add_argument("--molecules", type=int, default=200_000, help="MOSES molecules for SFT")
    parser.add_argument("--batch-size", type=int, default=32, help="training sequences per step")
    parser.add_argument("--dpo-rounds", type=int, default=1)
    parser.add_argument("--dpo-samples", type=int, default=256, help="samples per seen prompt")
    parser.add_argument("--dpo-lr", type=float, default=2e-5,
                        help="the paper's; 3e-4 moved the CPU run's LoRA in 99 steps")
    parser.add_argument("--dpo-epochs", type=float, default=1.0)
    parser.add_argument("--eval-samples", type=int, default=128, help="per evaluation prompt")
    parser.add_argument("--free-samples", type=int, default=10_000, help="for the metrics")
    parser.add_argument("--sample-rows", type=int, default=512,
                        help="sequences decoded together")
    parser.add_argument("--baseline-shape", default="512,8,8",
                        help="hidden,layers,heads of the from-scratch baseline")
    parser.add_argument("--snapshot-steps", type=int, default=1000,
                        help="SFT and baseline steps between points of the FLOPs curve")
    parser.add_argument("--curve-samples", type=int, default=1000, help="per curve point")
    return parser


if __name__ == "__main__":
    main(make_parser().parse_args())
