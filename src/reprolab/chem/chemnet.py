"""ChemNet (Preuer et al., J. Chem. Inf. Model. 2018) and the Fréchet ChemNet Distance, FCD
(Preuer et al., J. Chem. Inf. Model. 2018, 58, 1736):

    FCD = |mu_1 - mu_2|^2 + tr(C_1 + C_2 - 2 (C_1 C_2)^(1/2)),

the Fréchet distance of Gaussians fitted to two sets' ChemNet activations (the 512 outputs of
its last LSTM, the layer before the property heads).

The weights are those the `fcd-torch` wheel ships (`ChemNet_v0.13_pretrained.pt`, read with
`weights_only=True`); the network, its input encoding and the statistics are ours, and agree
with `fcd_torch.FCD`, the FCD of MOSES (checked in `tests/chem/test_chemnet.py`).

Input encoding, as in that reference: the molecule's RDKit canonical SMILES is read left to
right, a symbol being two characters when the second is `r`, `i` or `l` (Br, Cl, Si) and one
otherwise. A symbol outside ChemNet's 35 (`/`, `\\`, `%`, `0`, `9`, most two-letter elements:
`[Zn+2]` reads `[ X n + 2 ]`) becomes the unknown symbol `X`; reading stops at the first `.`
(only the first fragment of a multi-fragment SMILES counts) or after 349 symbols; an end
symbol follows, then padding to 350. A SMILES RDKit cannot parse has no canonical form: the
reference raises on it, and here only parsed molecules go in (the metrics count the rest as
invalid).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from scipy.linalg import sqrtm
from torch import nn

from reprolab.chem.molecules import DistinctMolecules
from reprolab.core.datasets import package_data_dir
from reprolab.core.errors import UserError
from reprolab.core.progress import track

VOCAB = ("C", "N", "O", "H", "F", "Cl", "P", "B", "Br", "S", "I", "Si", "#", "(", ")", "+",
         "-", "1", "2", "3", "4", "5", "6", "7", "8", "=", "[", "]", "@", "c", "n", "o", "s",
         "X", ".")
INDEX = {symbol: i for i, symbol in enumerate(VOCAB)}
UNKNOWN, END = INDEX["X"], INDEX["."]
LENGTH = 350  # symbols per input: at most 349 read, the end symbol, padding
SYMBOL = re.compile(r".[ril]|.", re.DOTALL)
WEIGHTS = "ChemNet_v0.13_pretrained.pt"
KERNEL, STRIDE = 4, 2
EPS = 1e-6  # added to both covariances' diagonals when their product has no finite root


def symbols(smiles: str) -> list[int]:
    """ChemNet's symbol indices for `smiles`, the end symbol included (see the module docs)."""
    first_fragment = smiles.split(".", 1)[0]
    read = SYMBOL.findall(first_fragment)[:LENGTH - 1]
    return [*(INDEX.get(s, UNKNOWN) for s in read), END]


def encode(smiles: Sequence[str]) -> torch.Tensor:
    """`(n, LENGTH)` int64 symbol indices, -1 for padding."""
    out = np.full((len(smiles), LENGTH), -1, dtype=np.int64)
    for row, s in zip(out, smiles, strict=True):
        ids = symbols(s)
        row[:len(ids)] = ids
    return torch.from_numpy(out)


def same_padding(length: int) -> tuple[int, int]:
    """(left, right) zeros that make a stride-2, width-4 convolution output ceil(length / 2)
    positions (Keras's `padding="same"`, which ChemNet was trained with)."""
    total = max((math.ceil(length / STRIDE) - 1) * STRIDE + KERNEL - length, 0)
    return total // 2, total - total // 2


class ChemNet(nn.Module):
    """Two convolutions (width 4, stride 2, SELU) and two LSTMs that read the sequence from
    its end; returns the second LSTM's last output, the activations the FCD compares."""

    def __init__(self) -> None:
        super().__init__()
        self.conv1 = nn.Conv1d(len(VOCAB), 32, KERNEL, stride=STRIDE, bias=False)
        self.conv2 = nn.Conv1d(32, 32, KERNEL, stride=STRIDE, bias=False)
        self.lstm1 = nn.LSTM(32, 128, batch_first=True)
        self.lstm2 = nn.LSTM(128, 512, batch_first=True)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        """`tokens` (b, 350) from `encode` -> (b, 512) activations."""
        x = F.one_hot(tokens + 1, len(VOCAB) + 1)[..., 1:]  # (b, 350, 35); padding all zero
        x = x.transpose(1, 2).float() / len(VOCAB)  # scaled as the reference feeds it
        for conv in (self.conv1, self.conv2):
            x = F.selu(conv(F.pad(x, same_padding(x.shape[2]))))  # (b, 32, 175), (b, 32, 88)
        x, _ = self.lstm1(x.transpose(1, 2).flip(1))  # (b, 88, 128), from the end backwards
        _, (last, _) = self.lstm2(x.flip(1))  # the first's outputs in reading order
        return last[0]  # (b, 512)


def load_chemnet(path: Path) -> ChemNet:
    """ChemNet with the weights at `path`: `[(kind, (state_dict, kwargs, extra)), ...]` as
    `fcd-torch` ships them, checked against this architecture."""
    layers = torch.load(path, weights_only=True, map_location="cpu")
    net = ChemNet()
    kinds = [kind for kind, _ in layers]
    assert kinds == ["Conv1d", "Conv1d", "LSTM", "LSTM"], f"unexpected ChemNet layers {kinds}"
    for module, (kind, (state, _, extra)) in zip(net.children(), layers, strict=True):
        expected = ({"activation": "selu", "padding": "same"} if kind == "Conv1d"
                    else {"reverse": True})
        assert expected.items() <= extra.items(), f"{kind} layer is not ChemNet's: {extra}"
        module.load_state_dict(state)
    return net.eval()


@cache
def chemnet() -> ChemNet:
    """The pretrained ChemNet from the installed `fcd-torch` wheel (its weights only)."""
    folder = package_data_dir("fcd_torch")
    if folder is None or not (folder / WEIGHTS).is_file():
        raise UserError("ChemNet's weights come with the `fcd-torch` package: install it "
                        "(`uv sync`) to compute the FCD.")
    return load_chemnet(folder / WEIGHTS)


def activations(smiles: Sequence[str], *, batch_size: int = 128,
                description: str = "ChemNet activations") -> np.ndarray:
    """`(n, 512)` float32 ChemNet activations of `smiles` (canonical SMILES). On one CPU thread
    batches of 64-128 run ~15% faster per molecule than batches of 512."""
    net = chemnet()
    out = np.empty((len(smiles), net.lstm2.hidden_size), dtype=np.float32)
    starts = range(0, len(smiles), batch_size)
    with torch.inference_mode():
        for start in track(starts, description):
            batch = smiles[start:start + batch_size]
            out[start:start + len(batch)] = net(encode(batch)).numpy()
    return out


@dataclass(frozen=True)
class Gaussian:
    """Mean `(d,)` and covariance `(d, d)` (unbiased) of a set's activations; NaN for fewer
    than two molecules, where the FCD is undefined."""

    mean: np.ndarray
    cov: np.ndarray

    @classmethod
    def fit(cls, acts: np.ndarray) -> Gaussian:
        n, d = acts.shape
        if n < 2:
            return cls(np.full(d, np.nan), np.full((d, d), np.nan))
        acts = acts.astype(np.float64)
        return cls(acts.mean(axis=0), np.cov(acts, rowvar=False))

    def arrays(self) -> dict[str, np.ndarray]:
        """The arrays to save (`from_arrays` reads them back)."""
        return {"fcd_mean": self.mean, "fcd_cov": self.cov}

    @classmethod
    def from_arrays(cls, data: Mapping[str, np.ndarray]) -> Gaussian:
        return cls(data["fcd_mean"], data["fcd_cov"])


def chemnet_gaussian(molecules: DistinctMolecules, description: str = "ChemNet activations"
                     ) -> Gaussian:
    """The Gaussian of the ChemNet activations of every valid entry of `molecules` (duplicates
    counted, each distinct canonical SMILES run through ChemNet once)."""
    return Gaussian.fit(activations(molecules.distinct, description=description)
                        [molecules.inverse])


def frechet_distance(a: Gaussian, b: Gaussian) -> float:
    """The Fréchet distance of two Gaussians (formula in the module docs), with the real part
    of scipy's matrix square root; when `C_a C_b` is too near singular for a finite root, both
    covariances get `EPS` on their diagonals, as in the reference. NaN when either Gaussian
    is undefined."""
    if not (np.isfinite(a.cov).all() and np.isfinite(b.cov).all()):
        return float("nan")
    root = sqrtm(a.cov @ b.cov)
    if not np.isfinite(root).all():
        offset = EPS * np.eye(len(a.cov))
        root = sqrtm((a.cov + offset) @ (b.cov + offset))
    diff = a.mean - b.mean
    return float(diff @ diff + np.trace(a.cov) + np.trace(b.cov) - 2 * np.trace(root.real))
