"""Sampling molecules: N completions per prompt through `reprolab.lm.generation.generate` (the
one generation path: batched, KV cache, each row stopping at the end of its SMILES), then RDKit
checks of every sample against its prompt."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain

from rdkit import Chem
from transformers import PreTrainedModel, PreTrainedTokenizerBase

from reprolab.chem.molecules import parse
from reprolab.chem.prompts import END_OF_SMILES, Prompt
from reprolab.chem.properties import NUMERIC, properties
from reprolab.lm.generation import generate
from reprolab.lm.requests import SamplingParams


@dataclass(frozen=True)
class Sample:
    """One completion: the text after the prompt, its canonical SMILES (None when invalid), the
    numeric properties, and each constraint's check (`satisfied`: all hold; False if invalid)."""

    prompt_id: int
    kind: str
    prompt: str
    text: str
    smiles: str | None
    checks: dict[str, bool]
    satisfied: bool
    properties: dict[str, float]


def check_sample(prompt_id: int, prompt: Prompt, text: str) -> Sample:
    """Parse `text` and check it against `prompt`'s constraints."""
    smiles = text.strip()
    mol = parse(smiles) if smiles and " " not in smiles else None
    if mol is None:
        return Sample(prompt_id, prompt.kind, prompt.input, text, None, {}, False, {})
    row = properties(mol)
    checks = prompt.check(row, mol)
    return Sample(prompt_id, prompt.kind, prompt.input, text, Chem.MolToSmiles(mol), checks,
                  all(checks.values()), {k: float(row[k]) for k in NUMERIC})


def sample_prompts(model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase,
                   prompts: Sequence[Prompt], n: int, *, temperature: float = 1.0,
                   max_new_tokens: int = 96, rows: int = 64, seed: int = 0,
                   progress: bool = True) -> list[Sample]:
    """`n` checked samples of each prompt, prompt-major, at `temperature` (nucleus off). At most
    `rows` sequences are decoded together (a prompt's samples are split into chunks of at most
    `rows`, so memory stays bounded for any `n`). Each sequence ends at EOS or the newline after
    its SMILES."""
    params = SamplingParams(max_new_tokens=max_new_tokens, temperature=temperature,
                            stop=(END_OF_SMILES,), seed=seed)
    copies = min(n, rows)
    repeats = -(-n // copies)  # chunks per prompt
    texts = generate(model, tokenizer, [p.text for p in prompts for _ in range(repeats)], params,
                     batch_size=max(1, rows // copies), num_return_sequences=copies,
                     progress=progress)
    per_prompt = [list(chain.from_iterable(texts[i * repeats:(i + 1) * repeats]))[:n]
                  for i in range(len(prompts))]
    return [check_sample(i, prompt, text)
            for i, (prompt, own) in enumerate(zip(prompts, per_prompt, strict=True))
            for text in own]
