"""The study's runs, each `run_<verb>(config, out=None) -> <Verb>Result` writing a run record:
build the network, draw a benchmark, train and save methods on one, evaluate them on it, the
paper's grid, and a forecast.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from reprolab.core.errors import UserError
from reprolab.core.records import RunRecord
from reprolab.science4cast.benchmark import (
    Benchmark,
    BenchmarkSetting,
    load_benchmark,
    make_benchmark,
    make_training_set,
    sample_unconnected,
    save_benchmark,
)
from reprolab.science4cast.concepts import read_concepts
from reprolab.science4cast.config import (
    BenchmarkConfig,
    EvaluateConfig,
    ForecastConfig,
    GridConfig,
    NetworkSource,
    TrainConfig,
)
from reprolab.science4cast.corpus import read_corpus
from reprolab.science4cast.features import LinkQuery, Snapshot, common_neighbours
from reprolab.science4cast.methods import (
    MANIFEST,
    METHODS,
    FittedMethods,
    MethodOptions,
    load_method,
    save_method,
)
from reprolab.science4cast.metrics import ranking_metrics, roc_points
from reprolab.science4cast.network import (
    DatedGraph,
    build_network,
    growth_table,
    load_network,
    save_network,
)
from reprolab.science4cast.plots import growth_figure, roc_figure, roc_grid

STUDY = "science4cast"
PAPER_SETTING = (3, 0, 1)  # delta, cutoff, w_min of the paper's headline comparison


def load_source(source: NetworkSource) -> tuple[DatedGraph, list[str]]:
    """The network of `source`: read from its `.npz`, else built from corpus and concepts."""
    if source.network:
        path = Path(source.network)
        if not path.is_file():
            raise UserError(f"--network {path} does not exist: run `reprolab science4cast "
                            "build` first, or leave --network out to build from the corpus.")
        return load_network(path)
    concepts = read_concepts(source.concept_path())
    return build_network(read_corpus(source.corpus_path()), concepts), concepts


# --- build -----------------------------------------------------------------------------------

@dataclass
class BuildResult:
    folder: Path
    growth: pd.DataFrame  # per year: papers, concepts, edges, cumulative_edges, distinct_pairs
    seconds: float


def run_build(source: NetworkSource, out: Path | None = None) -> BuildResult:
    """Match every concept in every paper and write `network.npz`, `growth.csv`, `growth.png`."""
    record = RunRecord.create(STUDY, "build", source, out=out)
    with record.running():
        start = time.perf_counter()
        graph, concepts = load_source(source)
        seconds = time.perf_counter() - start
        save_network(record.path("network.npz"), graph, concepts)
        growth = growth_table(graph)
        record.write_table("growth.csv", growth)
        record.save_figure("growth.png", growth_figure(growth))
        record.write_results({"papers": int(growth["papers"].sum()), "edges": len(graph.u),
                              "concepts_seen": int(growth["concepts"].iloc[-1]),
                              "seconds": round(seconds, 2)})
    return BuildResult(record.folder, growth, seconds)


# --- one benchmark ------------------------------------------------------------------------

@dataclass
class Evaluation:
    """Metrics per method (`table`) and ROC curves resampled on a fixed grid (`curves`)."""

    table: pd.DataFrame  # method, auc, average_precision, precision_at_k, seconds
    curves: pd.DataFrame  # method, fpr, tpr, auc


def evaluate_methods(test: Benchmark, train: Benchmark, methods: tuple[str, ...],
                     options: MethodOptions, seed: int, models: Path | None = None,
                     snapshots: dict[int, Snapshot] | None = None) -> Evaluation:
    """Fit each method on `train` (or load it from `models`, a `train` run folder) and rank
    `test`'s pairs; metrics against `test.labels`. `snapshots`: a cache shared by every
    benchmark drawn from the same network (a grid's settings)."""
    assert test.labels is not None and train.labels is not None, "both sets need labels"
    snapshots = {} if snapshots is None else snapshots
    test_query, train_query = test.query(snapshots), train.query(snapshots)
    fitted = FittedMethods(train_query, train.labels, options, seed)
    rows, curves = [], []
    for name in methods:
        start = time.perf_counter()
        method = load_method(models, name, options, seed) if models else fitted[name]
        scores = method.score(test_query)
        metrics = ranking_metrics(test.labels, scores)
        rows.append({"method": name, **metrics, "seconds": time.perf_counter() - start})
        fpr, tpr = roc_grid(*roc_points(test.labels, scores))
        curves.append(pd.DataFrame({"method": name, "fpr": fpr, "tpr": tpr,
                                    "auc": metrics["auc"]}))
    return Evaluation(pd.DataFrame(rows), pd.concat(curves, ignore_index=True))


@dataclass
class BenchmarkResult:
    folder: Path
    summary: dict  # pairs and positives of the benchmark and its training set


def run_benchmark(config: BenchmarkConfig, out: Path | None = None) -> BenchmarkResult:
    """Draw the benchmark and its training set: `benchmark.npz` (readable by `evaluate`)."""
    record = RunRecord.create(STUDY, "benchmark", config, seed=config.setting.seed, out=out)
    with record.running():
        graph, _ = load_source(config.source)
        test = make_benchmark(graph, config.setting)
        train = make_training_set(graph, config.setting)
        save_benchmark(record.path("benchmark.npz"), test, train)
        summary = {"known_edges": len(test.known.u),
                   **_setting_columns(config.setting, test, train)}
        record.write_results(summary)
    return BenchmarkResult(record.folder, summary)


@dataclass
class TrainResult:
    folder: Path
    table: pd.DataFrame  # method, seconds (fitting, 0 for a part a blend fitted already)


def run_train(config: TrainConfig, out: Path | None = None) -> TrainResult:
    """Fit each method on the benchmark's training set and save it into `<run>/<method>/`
    (resumed: a method saved already is kept); `evaluate --models <run>` scores with them."""
    record = RunRecord.create(STUDY, "train", config, seed=config.seed, out=out)
    with record.running():
        _, train = load_benchmark(Path(config.benchmark), config.train_pairs)
        fitted = FittedMethods(train.query(), train.labels, config.options, config.seed)
        rows = []
        for name in config.methods:
            if (record.folder / name / MANIFEST).is_file():
                continue
            start = time.perf_counter()
            save_method(record.folder, name, fitted[name])
            rows.append({"method": name, "seconds": time.perf_counter() - start})
        table = pd.DataFrame(rows, columns=["method", "seconds"])
        record.write_results({"setting": train.setting, "train_pairs": len(train.pairs),
                              "train_positives": int(train.labels.sum()),
                              "methods": list(config.methods)})
    return TrainResult(record.folder, table)


@dataclass
class EvaluateResult:
    folder: Path
    evaluation: Evaluation


def run_evaluate(config: EvaluateConfig, out: Path | None = None) -> EvaluateResult:
    """Every method on one benchmark file, fitted or loaded (`config.models`): `metrics.csv`,
    `roc.csv`, `roc.png`."""
    record = RunRecord.create(STUDY, "evaluate", config, seed=config.seed, out=out)
    with record.running():
        test, train = load_benchmark(Path(config.benchmark), config.train_pairs)
        if test.labels is None:
            raise UserError(f"{config.benchmark} holds no solution: it cannot be evaluated.")
        evaluation = evaluate_methods(test, train, config.methods, config.options, config.seed,
                                      Path(config.models) if config.models else None)
        record.write_table("metrics.csv", evaluation.table)
        record.write_table("roc.csv", evaluation.curves)
        record.save_figure("roc.png", roc_figure(
            evaluation.curves, f"{test.setting.year_start}: {test.setting.label}"))
        record.write_results({"setting": test.setting,
                              "metrics": evaluation.table.to_dict(orient="records")})
    return EvaluateResult(record.folder, evaluation)


# --- the grid -------------------------------------------------------------------------------

@dataclass
class GridResult:
    folder: Path
    table: pd.DataFrame  # one row per setting and method
    wide: pd.DataFrame  # methods x settings, AUC, with the paper's column


def _setting_columns(setting: BenchmarkSetting, test: Benchmark, train: Benchmark) -> dict:
    return {"delta": setting.delta, "cutoff": setting.cutoff, "min_edges": setting.min_edges,
            "pairs": len(test.pairs), "positives": int(test.labels.sum()),
            "train_pairs": len(train.pairs), "train_positives": int(train.labels.sum())}


def auc_table(table: pd.DataFrame) -> pd.DataFrame:
    """Methods x settings AUC, with the paper's AUC at delta=3, cutoff=0, w_min=1."""
    labels = table.apply(lambda r: f"d{r.delta} c{r.cutoff} w{r.min_edges}", axis=1)
    wide = table.assign(setting=labels).pivot(index="method", columns="setting", values="auc")
    wide = wide[list(dict.fromkeys(labels))].reindex(list(dict.fromkeys(table["method"])))
    wide.insert(0, "title", [METHODS[m].title for m in wide.index])
    wide["paper d3 c0 w1"] = [METHODS[m].paper_auc for m in wide.index]
    return wide.reset_index()


def run_grid(config: GridConfig, out: Path | None = None) -> GridResult:
    """Every method on every setting of the grid: `auc.csv` (resumed per setting; a setting
    without positives gets empty metrics), `auc_table.csv`, `roc.csv` and `roc.png` of the
    paper's setting (else the first)."""
    from reprolab.core.progress import track

    record = RunRecord.create(STUDY, "grid", config, seed=config.seed, out=out)
    done = pd.read_csv(record.path("auc.csv")) if record.path("auc.csv").is_file() else None
    finished = set() if done is None else set(
        done[["delta", "cutoff", "min_edges"]].itertuples(index=False, name=None))
    settings = config.settings()
    roc_key = next((s for s in settings if (s.delta, s.cutoff, s.min_edges) == PAPER_SETTING),
                   settings[0])
    with record.running():
        graph, _ = load_source(config.source)
        snapshots: dict[int, Snapshot] = {}  # every setting's networks come from `graph`
        tables = [] if done is None else [done]
        for setting in track(settings, "grid"):
            if (setting.delta, setting.cutoff, setting.min_edges) in finished:
                continue
            test, train = make_benchmark(graph, setting), make_training_set(graph, setting)
            columns = _setting_columns(setting, test, train)
            if not (test.labels.any() and train.labels.any()):  # nothing to rank: no AUC
                tables.append(pd.DataFrame({"method": config.methods}).assign(**columns))
                record.write_table("auc.csv", pd.concat(tables, ignore_index=True))
                continue
            evaluation = evaluate_methods(test, train, config.methods, config.options,
                                          config.seed, snapshots=snapshots)
            tables.append(evaluation.table.assign(**columns))
            record.write_table("auc.csv", pd.concat(tables, ignore_index=True))
            if setting == roc_key:
                record.write_table("roc.csv", evaluation.curves)
                record.save_figure("roc.png", roc_figure(
                    evaluation.curves, f"{setting.year_start}: {setting.label}"))
        table = pd.concat(tables, ignore_index=True)
        wide = auc_table(table)
        record.write_table("auc_table.csv", wide)
        record.write_results({"settings": len(settings), "year_start": config.year_start,
                              "auc": table.to_dict(orient="records")})
    return GridResult(record.folder, table, wide)


# --- forecast -------------------------------------------------------------------------------

@dataclass
class ForecastResult:
    folder: Path
    year_start: int
    table: pd.DataFrame  # rank, concept_a, concept_b, score, degrees, common neighbours


def run_forecast(config: ForecastConfig, out: Path | None = None) -> ForecastResult:
    """Train on the last `delta` years (or load the method from `config.models`) and rank
    unconnected pairs for the years after the corpus ends: `forecast.csv` with concept names."""
    record = RunRecord.create(STUDY, "forecast", config, seed=config.seed, out=out)
    with record.running():
        graph, concepts = load_source(config.source)
        year_start = max(graph.years()) + 1
        setting = BenchmarkSetting(year_start, config.delta, config.cutoff, config.min_edges,
                                   config.n_pairs, config.seed)
        snapshots: dict[int, Snapshot] = {}
        if config.models:
            method = load_method(Path(config.models), config.method, config.options,
                                 config.seed)
        else:
            train = make_training_set(graph, setting)
            method = METHODS[config.method].build(config.options, config.seed)
            method.fit(train.query(snapshots), train.labels)
        candidates = LinkQuery(graph, year_start, sample_unconnected(
            graph, config.cutoff, config.n_pairs, np.random.default_rng(config.seed)),
            snapshots)
        scores = method.score(candidates)
        top = np.argsort(-scores, kind="stable")[:config.top]
        degree = candidates.snapshot().degree
        pairs = candidates.pairs[top]
        table = pd.DataFrame({
            "rank": np.arange(1, len(top) + 1), "concept_a": [concepts[i] for i in pairs[:, 0]],
            "concept_b": [concepts[i] for i in pairs[:, 1]], "score": scores[top],
            "degree_a": degree[pairs[:, 0]], "degree_b": degree[pairs[:, 1]],
            "common_neighbours": common_neighbours(LinkQuery(graph, year_start, pairs))})
        record.write_table("forecast.csv", table)
        record.write_results({"year_start": year_start, "method": config.method,
                              "candidates": config.n_pairs, "top": table.head(10)})
    return ForecastResult(record.folder, year_start, table)
