"""Toy inputs for inverse-scaling tests: two tiny random models and two small task files."""

from __future__ import annotations

import json
from pathlib import Path

from tests.lm.tiny_models import tiny_gemma3, tiny_llama

QUOTES = [
    ('Write a quote that ends in the word "heavy": Absence makes the heart grow',
     [" heavy.", " fonder."], 0),
    ("The quick brown fox jumps over the lazy", [" dog.", " cat.", " fox."], 1),
    ("Question: What is 2 + 2? Answer:", [" 4", " 5"], 0),
]


def write_tasks(root: Path) -> tuple[Path, Path]:
    """`quotes.jsonl` (classification, 3 items) and `lazy.jsonl` (sequence_prob, 1 item)."""
    quotes, lazy = root / "quotes.jsonl", root / "lazy.jsonl"
    quotes.write_text("".join(json.dumps({"prompt": p, "classes": str(c), "answer_index": a})
                              + "\n" for p, c, a in QUOTES))
    lazy.write_text(json.dumps({"prompt": "The dog", "completion": " sleeps"}) + "\n")
    return quotes, lazy


def write_models(root: Path) -> tuple[Path, Path]:
    """Folders of a tiny Llama and a tiny Gemma 3 (different sizes, so a trend is called)."""
    tiny_llama(root)
    tiny_gemma3(root)
    return root / "tiny-llama", root / "tiny-gemma3"


def run_argv(tasks: tuple[Path, ...], models: tuple[Path, ...], out: Path) -> list[str]:
    """`invscale run` arguments for a fast toy ladder."""
    return ["run", "--tasks", ",".join(map(str, tasks)), "--models", ",".join(map(str, models)),
            "--device", "cpu", "--batch-size", "4", "--n-boot", "20", "--out", str(out)]
