"""SmileyLlama's prompts: property constraints stated as bands, the Alpaca template, the random
prompts of SFT data, and the evaluation prompt sets with a held-out split DPO never sees.

Paper facts (Cavanagh et al. 2024, section 2.1): each of 12 flags enters a training prompt with
probability 0.5; numeric properties are stated as bands (H-bond donors <= 3/4/5/7/> 7, acceptors
<= 3/4/5/10/15/> 15, weight <= 300/400/500/600/> 600, logP <= 3/4/5/6/> 6, rotatable bonds
<= 7/10/> 10, sp3 fraction > 0.4/0.5/0.6, TPSA <= 90/140/200/> 200). A training prompt states the
tightest band its molecule satisfies (our reading: the paper does not say which band).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from rdkit import Chem

from reprolab.chem.substructures import WARHEAD_SMARTS, has_substructure

INSTRUCTION = "You love and excel at generating SMILES strings of drug-like molecules"
INPUT_PREFIX = "Output a SMILES string for a drug-like molecule"
TEMPLATE = (
    "Below is an instruction that describes a task, paired with an input that provides further "
    "context. Write a response that appropriately completes the request.\n\n"
    "### Instruction:\n{instruction}\n\n### Input:\n{input}\n\n### Response:\n")
END_OF_SMILES = "\n"  # a completion is the SMILES, a newline, then the tokenizer's EOS
BARE_TEXT = "SMILES:\n"  # the whole prompt of a SMILES-only model (the from-scratch baseline)

UPPER_BANDS: dict[str, tuple[float, ...]] = {
    "hbd": (3, 4, 5, 7), "hba": (3, 4, 5, 10, 15), "mw": (300, 400, 500, 600),
    "logp": (3, 4, 5, 6), "rotb": (7, 10), "tpsa": (90, 140, 200)}
LOWER_BANDS: dict[str, tuple[float, ...]] = {"fsp3": (0.4, 0.5, 0.6)}
NOUNS = {"hbd": "H-bond donors", "hba": "H-bond acceptors", "mw": "molecular weight",
         "logp": "logP", "rotb": "rotatable bonds", "fsp3": "fraction sp3", "tpsa": "TPSA"}
FLAGS = (*NOUNS, "brics", "macrocycle", "formula", "undesirable", "warhead")
Op = Literal["<=", ">", "==", "has"]


@dataclass(frozen=True)
class Constraint:
    """One stated property: `prop op value`, e.g. `hbd <= 5`, `hba == 4`, `brics has c1ccncc1`,
    `warhead has acrylamide`, `macrocycle has True`, `undesirable has False`."""

    prop: str
    op: Op
    value: float | str | bool

    def text(self) -> str:
        if self.prop in NOUNS:
            value = f"{self.value:g}"
            lead = f"exactly {value}" if self.op == "==" else f"{self.op} {value}"
            return f"{lead} {NOUNS[self.prop]}"
        return {
            "brics": f"contains the substructure {self.value}",
            "macrocycle": "is a macrocycle",
            "formula": f"has the molecular formula {self.value}",
            "undesirable": "has no undesirable substructures",
            "warhead": f"has a {self.value} covalent warhead",
        }[self.prop]

    def holds(self, row: Mapping[str, object], mol: Chem.Mol) -> bool:
        """Whether the molecule `mol` with properties `row` (see `properties`) satisfies it."""
        if self.op == "<=":
            return row[self.prop] <= self.value
        if self.op == ">":
            return row[self.prop] > self.value
        if self.op == "==":
            return row[self.prop] == self.value
        if self.prop == "brics":
            return has_substructure(mol, str(self.value))
        if self.prop == "warhead":
            return self.value in row["warheads"]
        return row[self.prop] == self.value


@dataclass(frozen=True)
class Prompt:
    """A set of constraints and the kind of prompt it is (`"mw band"`, `"rule of 5"`, ...)."""

    constraints: tuple[Constraint, ...]
    kind: str = "sft"

    @property
    def input(self) -> str:
        if not self.constraints:
            return f"{INPUT_PREFIX}."
        return f"{INPUT_PREFIX} with the following properties: " + ", ".join(
            c.text() for c in self.constraints) + ":"

    @property
    def text(self) -> str:
        """The full prompt the model reads, ending where the SMILES starts: the template, or
        `BARE_TEXT` alone for the kind `bare`."""
        if self.kind == "bare":
            return BARE_TEXT
        return TEMPLATE.format(instruction=INSTRUCTION, input=self.input)

    def check(self, row: Mapping[str, object], mol: Chem.Mol) -> dict[str, bool]:
        """Each constraint's text -> whether it holds."""
        return {c.text(): bool(c.holds(row, mol)) for c in self.constraints}


def tightest_band(prop: str, value: float) -> Constraint | None:
    """The narrowest stated band containing `value`: `<= t` for the smallest upper bound
    `t >= value` (else `> largest`); for sp3 fraction `> t` for the largest `t < value`, or None."""
    if prop in UPPER_BANDS:
        bounds = UPPER_BANDS[prop]
        upper = next((t for t in bounds if value <= t), None)
        if upper is None:
            return Constraint(prop, ">", bounds[-1])
        return Constraint(prop, "<=", upper)
    lower = [t for t in LOWER_BANDS[prop] if value > t]
    return Constraint(prop, ">", lower[-1]) if lower else None


def _flag_constraint(flag: str, row: Mapping[str, object],
                     rng: np.random.Generator) -> Constraint | None:
    """The constraint flag `flag` states about the molecule of `row`, or None if it has none."""
    if flag in NOUNS:
        return tightest_band(flag, row[flag])
    if flag in ("brics", "warhead"):
        choices = list(row["brics" if flag == "brics" else "warheads"])
        return Constraint(flag, "has", choices[rng.integers(len(choices))]) if choices else None
    if flag == "macrocycle":
        return Constraint("macrocycle", "has", True) if row["macrocycle"] else None
    if flag == "undesirable":
        return None if row["undesirable"] else Constraint("undesirable", "has", False)
    return Constraint("formula", "has", str(row["formula"]))


def training_prompt(row: Mapping[str, object], rng: np.random.Generator,
                    p_flag: float = 0.5) -> Prompt:
    """A prompt true of the molecule of `row`: each of the 12 flags drawn with probability
    `p_flag` and kept when it says something about the molecule."""
    drawn = [flag for flag in FLAGS if rng.random() < p_flag]
    constraints = (_flag_constraint(flag, row, rng) for flag in drawn)
    return Prompt(tuple(c for c in constraints if c is not None))


# --- evaluation prompt sets -----------------------------------------------------------------

EXACT_COUNTS = {"hbd": range(0, 6), "hba": range(0, 11), "rotb": range(0, 11)}
RULE_OF_5 = (Constraint("hbd", "<=", 5), Constraint("hba", "<=", 10), Constraint("mw", "<=", 500),
             Constraint("logp", "<=", 5))
RULE_OF_3 = (Constraint("hbd", "<=", 3), Constraint("hba", "<=", 3), Constraint("mw", "<=", 300),
             Constraint("logp", "<=", 3))


def band_prompts() -> list[Prompt]:
    """One prompt per stated band of each numeric property (kind `"<prop> band"`)."""
    prompts = []
    for prop, bounds in UPPER_BANDS.items():
        prompts += [Prompt((Constraint(prop, "<=", t),), f"{prop} band") for t in bounds]
        prompts.append(Prompt((Constraint(prop, ">", bounds[-1]),), f"{prop} band"))
    for prop, bounds in LOWER_BANDS.items():
        prompts += [Prompt((Constraint(prop, ">", t),), f"{prop} band") for t in bounds]
    return prompts


def evaluation_prompts(reference: Iterable[Mapping[str, object]], n_substructures: int = 20,
                       n_formulas: int = 10) -> list[Prompt]:
    """The evaluation prompt set: every band, exact counts, the `n_substructures` most common
    BRICS fragments and `n_formulas` most common formulas of the `reference` property rows, each
    warhead, macrocycle, no undesirable groups, rule of 5 and rule of 3."""
    rows = list(reference)
    fragments = Counter(f for row in rows for f in row["brics"])
    formulas = Counter(str(row["formula"]) for row in rows)
    prompts = band_prompts()
    prompts += [Prompt((Constraint(prop, "==", n),), f"{prop} exact")
                for prop, counts in EXACT_COUNTS.items() for n in counts]
    prompts += [Prompt((Constraint("brics", "has", f),), "substructure")
                for f, _ in fragments.most_common(n_substructures)]
    prompts += [Prompt((Constraint("formula", "has", f),), "formula")
                for f, _ in formulas.most_common(n_formulas)]
    prompts += [Prompt((Constraint("warhead", "has", w),), "warhead") for w in WARHEAD_SMARTS]
    prompts += [Prompt((Constraint("macrocycle", "has", True),), "macrocycle"),
                Prompt((Constraint("undesirable", "has", False),), "no undesirable"),
                Prompt(RULE_OF_5, "rule of 5"), Prompt(RULE_OF_3, "rule of 3")]
    return prompts


SINGLETON_KINDS = frozenset({"macrocycle", "no undesirable", "rule of 5", "rule of 3"})


def is_held_out(prompt: Prompt, fraction: float) -> bool:
    """Whether `prompt` belongs to the held-out split: decided by a hash of its text, so the
    split of a prompt never changes when the set around it does. Kinds with one prompt (rule of
    5/3, macrocycle, no undesirable) are never held out: DPO must see them, as in the paper."""
    return held_out_input(prompt.input, prompt.kind, fraction)


def held_out_input(text: str, kind: str, fraction: float) -> bool:
    """`is_held_out` of the prompt with input `text` and kind `kind` (as a sample row keeps)."""
    if kind in SINGLETON_KINDS:
        return False
    digest = hashlib.sha256(text.encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < fraction



def split_prompts(prompts: Sequence[Prompt], fraction: float = 0.3
                  ) -> tuple[list[Prompt], list[Prompt]]:
    """`(seen, held_out)`: DPO's prompts and the ones it never sees (see `is_held_out`)."""
    held = [is_held_out(p, fraction) for p in prompts]
    return ([p for p, h in zip(prompts, held, strict=True) if not h],
            [p for p, h in zip(prompts, held, strict=True) if h])
