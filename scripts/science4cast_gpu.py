"""Paper-scale Science4Cast run on the GPU machine's 16 cores: the full grid (delta 1, 3, 5 x
cutoff 0, 5, 25 x w_min 1, 3) with every method, GraphSAGE included, and the forecast.

Usage (from the repository root, no uv environment needed):

    PYTHONPATH=src python3 scripts/science4cast_gpu.py --out OUT --data-dir DATA
    PYTHONPATH=src python3 scripts/science4cast_gpu.py --out /tmp/toy --toy   # minutes on a CPU

Writes OUT/build (network.npz, growth), OUT/grid-d<delta> (auc.csv, auc_table.csv, roc.png) and
OUT/forecast (forecast.csv), the same run records as `reprolab science4cast build|grid|forecast`,
and OUT/summary.json. Needs numpy, scipy, pandas, scikit-learn, torch, torch-geometric, rich,
matplotlib, plus the wheels of `pyahocorasick`, `lightgbm` and `xgboost-cpu` (carry them: the
machine has none of them). GraphSAGE runs on the GPU (`--device`, default auto).
"""

from __future__ import annotations

import argparse
import json
from dataclasses import replace
from pathlib import Path

from reprolab.core.data import set_data_root
from reprolab.core.records import to_jsonable
from reprolab.core.report import StudyContext
from reprolab.science4cast.config import ForecastConfig, GridConfig, NetworkSource
from reprolab.science4cast.methods import METHODS, MethodOptions
from reprolab.science4cast.reproduction import reproduce

TOY = {"n_pairs": 20_000, "cutoffs": (0,), "min_edges": (1,),
       "options": MethodOptions(mlp_steps=50, gbdt_rounds=20, gnn_epochs=5, forest_trees=5)}


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True, help="output folder")
    parser.add_argument("--data-dir", default=None,
                        help="folder holding science4cast/ (default: REPROLAB_DATA_DIR)")
    parser.add_argument("--toy", action="store_true", help="one small setting for a CPU check")
    parser.add_argument("--n-pairs", type=int, default=10_000_000,
                        help="pairs per benchmark (paper: 10,000,000)")
    parser.add_argument("--year-start", type=int, default=2019)
    parser.add_argument("--methods", default=",".join(METHODS),
                        help="comma list of methods (default: all)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--device", default="auto", help="GraphSAGE's device")
    return parser


def main(args: argparse.Namespace) -> dict:
    set_data_root(args.data_dir)
    methods = tuple(m.strip() for m in args.methods.split(",") if m.strip())
    base = TOY if args.toy else {"n_pairs": args.n_pairs, "options": MethodOptions()}
    settings = {**base, "options": replace(base["options"], device=args.device)}
    grids = {f"grid-d{delta}": GridConfig(year_start=args.year_start, methods=methods,
                                          deltas=(delta,), **settings)
             for delta in ((3,) if args.toy else (3, 1, 5))}
    forecast = ForecastConfig(n_pairs=5_000 if args.toy else min(args.n_pairs, 1_000_000),
                              options=settings["options"])
    result = reproduce(StudyContext(out=args.out, seed=args.seed), NetworkSource(), grids,
                       forecast, f"{grids['grid-d3'].n_pairs:,} pairs")
    summary = {"comparisons": result.comparisons,
               "tables": {title: table.to_dict(orient="records")
                          for title, table in result.tables}}
    (args.out / "summary.json").write_text(json.dumps(to_jsonable(summary), indent=2))
    return summary


if __name__ == "__main__":
    main(make_parser().parse_args())
