"""Sampling molecules: N completions per prompt through `reprolab.lm.generation.generate` (the
one generation path: batched, KV cache, each row stopping at the end of its SMILES), then RDKit
checks of every sample against its prompt."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from itertools import accumulate, takewhile
from pathlib import Path

from rdkit import Chem
from transformers import PreTrainedModel, PreTrainedTokenizerBase

from reprolab.chem.molecules import parse
from reprolab.chem.prompts import END_OF_SMILES, Prompt
from reprolab.chem.properties import NUMERIC, properties
from reprolab.core.progress import make_progress
from reprolab.core.records import append_jsonl, read_jsonl, write_jsonl
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


SEGMENT_ROWS = 8  # a segment holds about this many batches' worth of samples


def plan_segments(prompts: Sequence[Prompt], n: int, rows: int) -> list[tuple[list[int], int]]:
    """The `generate` calls of `sample_prompts`, each saved as it ends: `(prompt indices,
    samples of each)`, about `SEGMENT_ROWS * rows` samples apiece (so memory and the work lost
    to a crash stay bounded for any `n`): whole prompts of similar length together, or pieces
    of one prompt's `n` when that is larger."""
    size = SEGMENT_ROWS * rows
    order = sorted(range(len(prompts)), key=lambda i: -len(prompts[i].text))
    if n >= size:
        return [([i], min(size, n - start)) for i in order for start in range(0, n, size)]
    per = size // n
    return [(order[start:start + per], n) for start in range(0, len(order), per)]


def _resume(path: Path, sizes: Sequence[int]) -> tuple[list[Sample], int]:
    """The samples of the complete segments in `path`, and how many segments that is; the file
    is cut back to them (a crash can leave a segment half-written)."""
    rows = read_jsonl(path)
    ends = list(takewhile(lambda end: end <= len(rows), accumulate(sizes)))
    kept = ends[-1] if ends else 0
    if path.is_file():
        write_jsonl(path, rows[:kept])
    return [Sample(**row) for row in rows[:kept]], len(ends)


def sample_prompts(model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase,
                   prompts: Sequence[Prompt], n: int, *, temperature: float = 1.0,
                   max_new_tokens: int = 96, rows: int = 64, seed: int = 0,
                   into: Path | None = None, progress: bool = True) -> list[Sample]:
    """`n` checked samples of each prompt, prompt-major, at `temperature` (nucleus off), `rows`
    sequences decoded together, in the segments of `plan_segments`. Each sequence ends at EOS or
    the newline after its SMILES.

    With `into`, each segment's samples are appended to that JSON-lines file as it ends, and a
    call with the same arguments resumes from the segments the file holds."""
    params = SamplingParams(max_new_tokens=max_new_tokens, temperature=temperature,
                            stop=(END_OF_SMILES,), seed=seed)
    segments = plan_segments(prompts, n, rows)
    sizes = [len(ids) * count for ids, count in segments]
    done, skip = _resume(into, sizes) if into else ([], 0)
    with make_progress() as bar:
        task = bar.add_task("sampling", total=sum(sizes), completed=len(done), visible=progress)
        for number in range(skip, len(segments)):
            ids, count = segments[number]
            texts = generate(model, tokenizer, [prompts[i].text for i in ids],
                             replace(params, seed=seed + number), batch_size=rows,
                             num_return_sequences=count, progress=progress)
            new = [check_sample(i, prompts[i], text)
                   for i, own in zip(ids, texts, strict=True) for text in own]
            if into:
                append_jsonl(into, map(asdict, new))
            done += new
            bar.advance(task, len(new))
    return sorted(done, key=lambda sample: sample.prompt_id)
