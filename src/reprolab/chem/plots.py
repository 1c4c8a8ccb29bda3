"""Figures: sampled property distributions against the requested band, and a grid of drawn
molecules with their checked properties (chemists look before they read)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from rdkit import Chem
from rdkit.Chem import Draw

from reprolab.chem.prompts import NOUNS
from reprolab.core.figures import new_figure


def band_histograms(samples: Sequence[Mapping[str, object]], kinds: Sequence[str],
                    labels: Sequence[str] = ()):
    """One panel per band prompt kind (`"mw band"`, ...): for each of its prompts a histogram
    of the sampled property, with the requested bound as a dashed line. `labels` name the
    models when samples carry a `model` key."""
    figure, axes = new_figure(1, len(kinds))
    for ax, kind in zip(axes[0], kinds, strict=True):
        prop = kind.split()[0]
        chosen = [s for s in samples if s["kind"] == kind and s["smiles"] is not None]
        for prompt in dict.fromkeys(s["prompt"] for s in chosen):
            for label in labels or (None,):
                values = [s["properties"][prop] for s in chosen if s["prompt"] == prompt
                          and (label is None or s.get("model") == label)]
                bound = prompt.rsplit(":", 1)[0].rsplit(": ", 1)[-1]
                ax.hist(values, bins=20, alpha=0.5,
                        label=f"{bound}" + (f" ({label})" if label else ""))
        ax.set_xlabel(NOUNS[prop])
        ax.set_ylabel("samples")
        ax.set_title(kind)
        if ax.get_legend_handles_labels()[0]:
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
