"""Benchmark and parity check: reprolab's MOSES metrics against `molsets`' `get_all_metrics` on
the same MOSES training molecules (default 30,000, a seeded sample), on the MOSES Test and TestSF
sets, one process, one thread each.

`molsets` predates current RDKit, pandas, numpy and scipy; it runs here with these shims, applied
before its import: an `rdkit.six` alias, `DataFrame.append` rebuilt on `pd.concat`, `np.NaN`,
float64 inputs to `scipy.spatial.distance.cosine` (whose int64 products overflow on the 176k
test sets, so that MOSES's Frag reads exactly 1.0), and SA fragment scores handed over from our
class-refusing unpickler (the same file as RDKit's). Its FCD is the installed `fcd_torch`, whose
`torch.load` of the ChemNet weights is forced to `weights_only`. Test sets are passed as lists so
that MOSES computes their statistics itself instead of unpickling its shipped ones.

Both sides' reference statistics are part of their timing. Ours are cached in `--cache` (default:
a fresh temporary folder), so our first run is cold and the `--repeats` after it are warm; MOSES
recomputes them on every call. Metrics agree to 1e-3, FCD to 5e-3.

    OMP_NUM_THREADS=1 uv run python benchmarks/chem_metrics.py --n 30000 \
        --out results/chem/parity.json
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import types
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from reprolab.chem.features import _sa_module
from reprolab.chem.molecules import read_moses
from reprolab.chem.moses_metrics import moses_metrics, moses_reference
from reprolab.core.records import write_json

TOLERANCE = 1e-3
FCD_TOLERANCE = 5e-3


def _shim_molsets() -> None:
    """Make `moses` importable and correct on current libraries (see the module docstring)."""
    six = types.ModuleType("rdkit.six")
    six.iteritems = lambda mapping: iter(mapping.items())
    sys.modules["rdkit.six"] = six
    os.environ["TORCH_FORCE_WEIGHTS_ONLY_LOAD"] = "1"
    np.NaN = np.nan
    pd.DataFrame.append = lambda self, other, sort=False: pd.concat([self, other], sort=sort)

    import moses.metrics.metrics as mm
    from moses.metrics.SA_Score import sascorer
    from scipy.spatial.distance import cosine

    sascorer._fscores = _sa_module()._fscores
    mm.cos_distance = lambda u, v: cosine(np.asarray(u, np.float64), np.asarray(v, np.float64))


def _timed(function, *args, **kwargs) -> tuple[dict[str, float], float]:
    start = time.perf_counter()
    result = function(*args, **kwargs)
    return {k: float(v) for k, v in result.items()}, time.perf_counter() - start


def _ours(gen: list[str], train: frozenset[str], limit: int | None, cache: Path) -> dict:
    refs = {"Test": moses_reference("test", limit, cache),
            "TestSF": moses_reference("test_scaffolds", limit, cache)}
    return moses_metrics(gen, refs, train)


def main(args: argparse.Namespace) -> dict:
    if args.cache is not None:
        return compare(args, args.cache)
    with tempfile.TemporaryDirectory(prefix="chem-metrics-cache-") as cache:
        return compare(args, Path(cache))


def compare(args: argparse.Namespace, cache: Path) -> dict:
    """Time our metrics (first and warm runs) and molsets', and compare their values."""
    torch.set_num_threads(1)
    train = read_moses("train")
    gen = random.Random(args.seed).sample(train, args.n)
    cold = not any(cache.glob("moses-*.npz"))
    result = {"n": args.n, "seed": args.seed, "test_limit": args.test_limit,
              "cache_was_empty": cold, "reprolab_s": []}
    for _ in range(1 + args.repeats):
        ours, seconds = _timed(_ours, gen, frozenset(train), args.test_limit, cache)
        result["reprolab_s"].append(seconds)
        print(f"reprolab: {seconds:.0f} s", flush=True)
        write_json(args.out, result | {"reprolab": ours})

    _shim_molsets()
    from moses.metrics.metrics import get_all_metrics

    test = read_moses("test", args.test_limit)
    test_sf = read_moses("test_scaffolds", args.test_limit)
    result["molsets_s"] = []
    for _ in range(args.molsets_repeats):
        theirs, seconds = _timed(get_all_metrics, gen, test=test, test_scaffolds=test_sf,
                                 train=train)
        result["molsets_s"].append(seconds)
        print(f"molsets: {seconds:.0f} s", flush=True)
    diffs = {k: abs(ours[k] - theirs[k]) for k in theirs if not np.isnan(theirs[k])}
    agree = all(d <= (FCD_TOLERANCE if k.startswith("FCD/") else TOLERANCE)
                for k, d in diffs.items())
    times = result["reprolab_s"]
    warm = statistics.median(times[1:]) if len(times) > 1 else None
    molsets_s = statistics.median(result["molsets_s"])
    result |= {"reprolab": ours, "molsets": theirs, "abs_diff": diffs,
               "max_abs_diff": max(diffs.values()), "agree": agree,
               "reprolab_first_s": times[0], "reprolab_warm_s": warm,
               "molsets_median_s": molsets_s, "speedup_first": molsets_s / times[0],
               "speedup_warm": None if warm is None else molsets_s / warm}
    write_json(args.out, result)
    for key, diff in diffs.items():
        print(f"{key:12s} reprolab {ours[key]:.6f} molsets {theirs[key]:.6f} |diff| {diff:.2e}")
    print(f"reprolab first {times[0]:.0f} s, warm {warm} s; molsets {molsets_s:.0f} s")
    return result


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=30000, help="training molecules as 'generated'")
    parser.add_argument("--seed", type=int, default=0, help="seed of the sample")
    parser.add_argument("--test-limit", type=int, default=None,
                        help="first N molecules of each test set (a smoke check; default: all)")
    parser.add_argument("--cache", type=Path, default=None,
                        help="folder of our reference statistics (default: a fresh one, cold)")
    parser.add_argument("--repeats", type=int, default=1, help="our warm runs after the first")
    parser.add_argument("--molsets-repeats", type=int, default=1, help="molsets runs")
    parser.add_argument("--out", type=Path, default=Path("runs/chem_metrics.json"))
    return parser


if __name__ == "__main__":
    main(make_parser().parse_args())
