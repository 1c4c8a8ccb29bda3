"""Figures: sampled property distributions against the requested band, and a grid of drawn
molecules with their checked properties (chemists look before they read)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
from rdkit import Chem
from rdkit.Chem import Draw

from reprolab.chem.prompts import NOUNS
from reprolab.core.figures import new_figure


def _band(prompt: str) -> tuple[str, float]:
    """`("<=", 300.0)` from a one-band prompt ending "...: <= 300 molecular weight:"."""
    op, value, *_ = prompt.rsplit(":", 1)[0].rsplit(": ", 1)[-1].split()
    return op, float(value)


def band_strips(samples: Sequence[Mapping[str, object]], kinds: Sequence[str],
                labels: Sequence[str] = ()):
    """One panel per band prompt kind (`"mw band"`, ...) with a column per requested band: the
    sampled property of each valid sample as a dot, a strip per model when samples carry a
    `model` key (`labels` name them), and the band's bound as a dashed line across the column."""
    figure, axes = new_figure(1, len(kinds))
    labels = list(labels) or [None]
    width = 0.8 / len(labels)
    jitter = np.random.default_rng(0)
    for ax, kind in zip(axes[0], kinds, strict=True):
        prop = kind.split()[0]
        of_kind = [s for s in samples if s["kind"] == kind]
        prompts = sorted(dict.fromkeys(s["prompt"] for s in of_kind),
                         key=lambda prompt: _band(prompt)[::-1])
        for x, prompt in enumerate(prompts):
            for j, label in enumerate(labels):
                values = [s["properties"][prop] for s in of_kind if s["prompt"] == prompt
                          and s["smiles"] is not None
                          and (label is None or s.get("model") == label)]
                centre = x - 0.4 + width * (j + 0.5)
                ax.scatter(centre + jitter.uniform(-width / 3, width / 3, len(values)), values,
                           s=12, alpha=0.7, color=f"C{j}", label=label if x == 0 else None)
            ax.hlines(_band(prompt)[1], x - 0.45, x + 0.45, colors="black", linestyles="dashed")
        ax.set_xticks(range(len(prompts)),
                      [f"{op} {value:g}" for op, value in map(_band, prompts)])
        ax.set_xlabel("requested band")
        ax.set_ylabel(NOUNS[prop])
        ax.set_title(kind)
        if labels[0] is not None:
            ax.legend()
    return figure


def molecule_grid(samples: Sequence[Mapping[str, object]], path: Path, per_prompt: int = 4,
                  max_prompts: int = 4) -> Path | None:
    """Draw the first `per_prompt` valid samples of the first `max_prompts` prompts (a row
    each), with each molecule's checks (pass/fail) below it; None when nothing is valid."""
    mols, legends = [], []
    for prompt in list(dict.fromkeys(s["prompt"] for s in samples))[:max_prompts]:
        valid = [s for s in samples if s["prompt"] == prompt and s["smiles"] is not None]
        for sample in valid[:per_prompt]:
            mols.append(Chem.MolFromSmiles(sample["smiles"]))
            checks = "; ".join(f"{'ok' if ok else 'NO'} {text}"
                               for text, ok in sample["checks"].items())
            props = sample["properties"]
            legends.append(f"MW {props['mw']:.0f} logP {props['logp']:.1f}\n{checks}"[:90])
        mols += [Chem.Mol()] * (per_prompt - len(valid[:per_prompt]))
        legends += [""] * (per_prompt - len(valid[:per_prompt]))
    if not any(m.GetNumAtoms() for m in mols):
        return None
    image = Draw.MolsToGridImage(mols, molsPerRow=per_prompt, subImgSize=(260, 220),
                                 legends=legends)
    image.save(path)
    return path
