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
a fresh temporary folder), so our first run is cold and the runs after it are warm; MOSES
recomputes them on every call. After our first run, `--repeats` molsets runs alternate with warm
runs of ours, so that a change in the machine's load falls on both; medians are compared.
Metrics agree to 1e-3, FCD to 5e-3.

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
from reprolab.chem.moses_metrics import moses_metrics, moses_references
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
    return moses_metrics(gen, moses_references(limit, cache), train)


def main(args: argparse.Namespace) -> dict:
    if args.cache is not None:
        return compare(args, args.cache)
    with tempfile.TemporaryDirectory(prefix="chem-metrics-cache-") as cache:
        return compare(args, Path(cache))


def compare(args: argparse.Namespace, cache: Path) -> dict:
    """Time our metrics (the first run, then warm runs) and molsets', alternated so that a
    change in the machine's load falls on both, and compare their values."""
    torch.set_num_threads(1)
    train = read_moses("train")
    gen = random.Random(args.seed).sample(train, args.n)
    test = read_moses("test", args.test_limit)
    test_sf = read_moses("test_scaffolds", args.test_limit)
    result = {"n": args.n, "seed": args.seed, "test_limit": args.test_limit,
              "cache_was_empty": not any(cache.glob("moses-*.npz")), "reprolab_s": [],
              "molsets_s": []}

    def run(name: str, function, *arguments, **keywords) -> dict[str, float]:
        values, seconds = _timed(function, *arguments, **keywords)
        result[f"{name}_s"].append(seconds)
        print(f"{name}: {seconds:.0f} s", flush=True)
        write_json(args.out, result)
        return values

    ours = run("reprolab", _ours, gen, frozenset(train), args.test_limit, cache)
    _shim_molsets()
    from moses.metrics.metrics import get_all_metrics

    for _ in range(args.repeats):
        theirs = run("molsets", get_all_metrics, gen, test=test, test_scaffolds=test_sf,
                     train=train)
        ours = run("reprolab", _ours, gen, frozenset(train), args.test_limit, cache)
    diffs = {k: abs(ours[k] - theirs[k]) for k in theirs if not np.isnan(theirs[k])}
    agree = all(d <= (FCD_TOLERANCE if k.startswith("FCD/") else TOLERANCE)
                for k, d in diffs.items())
    first, *warm_runs = result["reprolab_s"]
    warm, molsets_s = statistics.median(warm_runs), statistics.median(result["molsets_s"])
    result |= {"reprolab": ours, "molsets": theirs, "abs_diff": diffs,
               "max_abs_diff": max(diffs.values()), "agree": agree,
               "reprolab_first_s": first, "reprolab_warm_s": warm,
               "molsets_median_s": molsets_s, "speedup_first": molsets_s / first,
               "speedup_warm": molsets_s / warm}
    write_json(args.out, result)
    for key, diff in diffs.items():
        print(f"{key:12s} reprolab {ours[key]:.6f} molsets {theirs[key]:.6f} |diff| {diff:.2e}")
    print(f"reprolab first {first:.0f} s, warm {warm:.0f} s; molsets {molsets_s:.0f} s")
    return result


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=30000, help="training molecules as 'generated'")
    parser.add_argument("--seed", type=int, default=0, help="seed of the sample")
    parser.add_argument("--test-limit", type=int, default=None,
                        help="first N molecules of each test set (a smoke check; default: all)")
    parser.add_argument("--cache", type=Path, default=None,
                        help="folder of our reference statistics (default: a fresh one, cold)")
    parser.add_argument("--repeats", type=int, default=1,
                        help="molsets runs, each followed by a warm run of ours (at least 1)")
    parser.add_argument("--out", type=Path, default=Path("runs/chem_metrics.json"))
    return parser


if __name__ == "__main__":
    parser = make_parser()
    arguments = parser.parse_args()
    if arguments.repeats < 1:
        parser.error("--repeats must be >= 1")
    main(arguments)
