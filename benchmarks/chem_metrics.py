"""Benchmark and parity check: reprolab's MOSES metrics against `molsets`' `get_all_metrics` on
the same MOSES training molecules (default 30,000, a seeded sample), on the MOSES Test and TestSF
sets, one process, one thread each.

`molsets` predates current RDKit, pandas, numpy and scipy; it runs here with these shims, applied
before its import: an `rdkit.six` alias, `DataFrame.append` rebuilt on `pd.concat`, `np.NaN`,
float64 inputs to `scipy.spatial.distance.cosine` (whose int64 products overflow on the 176k
test sets, so that MOSES's Frag reads exactly 1.0), SA fragment scores handed over from our
class-refusing unpickler (the same file as RDKit's), and a stand-in for `fcd_torch` (not
installed: FCD is left out of the comparison). Test sets are passed as lists so that MOSES
computes their statistics itself instead of unpickling its shipped ones.

Both sides' reference statistics are part of their timing; ours are cached after the first run
(`--cold` removes our cache first).

    OMP_NUM_THREADS=1 uv run python benchmarks/chem_metrics.py --n 30000 \
        --out results/chem/parity.json
"""

from __future__ import annotations

import argparse
import random
import sys
import time
import types
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from reprolab.chem.features import _sa_module
from reprolab.chem.molecules import read_moses
from reprolab.chem.moses_metrics import DEFAULT_CACHE, moses_metrics, moses_reference, reference_of
from reprolab.core.records import write_json

TOLERANCE = 1e-3


def _shim_molsets() -> None:
    """Make `moses` importable and correct on current libraries (see the module docstring)."""
    six = types.ModuleType("rdkit.six")
    six.iteritems = lambda mapping: iter(mapping.items())
    sys.modules["rdkit.six"] = six
    fcd = types.ModuleType("fcd_torch")

    class FCD:  # the FCD keys read NaN
        def __init__(self, **_):
            pass

        def precalc(self, _):
            return None

        def __call__(self, **_):
            return float("nan")

    fcd.FCD = FCD
    sys.modules["fcd_torch"] = fcd
    np.NaN = np.nan
    pd.DataFrame.append = lambda self, other, sort=False: pd.concat([self, other], sort=sort)

    import moses.metrics.metrics as mm
    from moses.metrics.SA_Score import sascorer
    from scipy.spatial.distance import cosine

    sascorer._fscores = _sa_module()._fscores
    mm.cos_distance = lambda u, v: cosine(np.asarray(u, np.float64), np.asarray(v, np.float64))


def main(args: argparse.Namespace) -> dict:
    torch.set_num_threads(1)
    train = read_moses("train")
    gen = random.Random(args.seed).sample(train, args.n)
    test = read_moses("test", args.test_limit)
    test_sf = read_moses("test_scaffolds", args.test_limit)
    if args.cold:
        for path in DEFAULT_CACHE.expanduser().glob("moses-*.npz"):
            path.unlink()

    start = time.perf_counter()
    if args.test_limit is None:
        refs = {"Test": moses_reference("test"), "TestSF": moses_reference("test_scaffolds")}
    else:
        refs = {"Test": reference_of(test), "TestSF": reference_of(test_sf)}
    ours = moses_metrics(gen, refs, frozenset(train))
    ours_s = time.perf_counter() - start
    print(f"reprolab: {ours_s:.0f} s", ours, flush=True)
    write_json(args.out, {"n": args.n, "seed": args.seed, "reprolab": ours, "reprolab_s": ours_s})

    _shim_molsets()
    from moses.metrics.metrics import get_all_metrics

    start = time.perf_counter()
    theirs = get_all_metrics(gen, test=test, test_scaffolds=test_sf, train=train)
    theirs_s = time.perf_counter() - start
    theirs = {k: float(v) for k, v in theirs.items()}
    diffs = {k: abs(ours[k] - theirs[k]) for k in theirs if not np.isnan(theirs[k])}
    result = {"n": args.n, "seed": args.seed, "test_limit": args.test_limit,
              "reprolab": ours, "molsets": theirs,
              "abs_diff": diffs, "max_abs_diff": max(diffs.values()),
              "agree_to_1e-3": all(d <= TOLERANCE for d in diffs.values()),
              "reprolab_s": ours_s, "molsets_s": theirs_s, "speedup": theirs_s / ours_s}
    write_json(args.out, result)
    for key, diff in diffs.items():
        print(f"{key:12s} reprolab {ours[key]:.6f} molsets {theirs[key]:.6f} |diff| {diff:.2e}")
    print(f"reprolab {ours_s:.0f} s, molsets {theirs_s:.0f} s: {theirs_s / ours_s:.2f}x")
    return result


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=30000, help="training molecules as 'generated'")
    parser.add_argument("--seed", type=int, default=0, help="seed of the sample")
    parser.add_argument("--test-limit", type=int, default=None,
                        help="first N molecules of each test set (a smoke check; default: all)")
    parser.add_argument("--cold", action="store_true", help="recompute our cached statistics")
    parser.add_argument("--out", type=Path, default=Path("runs/chem_metrics.json"))
    return parser


if __name__ == "__main__":
    main(make_parser().parse_args())
