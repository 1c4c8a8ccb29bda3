"""`reprolab science4cast`: build a concept list or the network, draw a benchmark, train and
save methods, evaluate them, run the paper's grid, forecast new concept pairs.

Each verb's options are generated from its settings dataclass (`reprolab.science4cast.config`);
the verb calls one `run_*` function and prints.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from reprolab.core.cli import config_options, console, print_frame, print_mapping, user_errors
from reprolab.core.errors import UserError
from reprolab.science4cast.config import (
    BenchmarkConfig,
    ConceptsConfig,
    EvaluateConfig,
    ForecastConfig,
    GridConfig,
    NetworkSource,
    TrainConfig,
)

app = typer.Typer(help="Science4Cast: link prediction in a dated semantic network of AI.",
                  no_args_is_help=True)
Out = Annotated[Path | None, typer.Option(
    help="Run folder (default runs/science4cast/<time>-<verb>); rerun with the same one to "
         "resume.")]
SOURCE = {"source": "", "options": "", "setting": ""}
METRIC_COLUMNS = ["method", "auc", "average_precision", "precision_at_k", "seconds"]


def _kept(out: Path | None) -> str:
    return f"finished parts are in {out}; rerun the same command to resume" if out else \
        "the run folder under runs/science4cast/ keeps what finished"


@app.command("methods")
def methods_command() -> None:
    """The registered methods, with the paper's AUC at delta=3, cutoff=0, w_min=1."""
    import pandas as pd

    from reprolab.science4cast.methods import METHODS

    print_frame(pd.DataFrame([(name, m.title, "yes" if m.learned else "no", m.paper_auc)
                              for name, m in METHODS.items()],
                             columns=["method", "title", "trained", "paper AUC"]), "Methods")


@app.command("concepts")
@config_options(ConceptsConfig)
def concepts_command(config: ConceptsConfig) -> None:
    """Extract a new concept list from a corpus: RAKE with upstream's thresholds and rules."""
    from reprolab.core.progress import track
    from reprolab.science4cast.concepts import build_concepts, read_word_list, write_concepts
    from reprolab.science4cast.corpus import read_corpus

    with user_errors():
        lists = {name: read_word_list(Path(path)) for name, path in (
            ("nogo_words", config.nogo_words), ("nogo_first", config.nogo_first),
            ("nogo_last", config.nogo_last)) if path}
        texts = [paper.text for paper in track(read_corpus(Path(config.source)), "Reading")]
        if not texts:
            raise UserError(f"Corpus {config.source} holds no papers.")
        concepts = build_concepts(track(texts, "RAKE over papers"),
                                  min_papers_two=config.min_papers_two,
                                  min_papers_long=config.min_papers_long, **lists)
        if not concepts:
            raise UserError(f"No phrase of the {len(texts):,} papers passes the thresholds "
                            "and rules: lower --min-papers-two / --min-papers-long.")
        Path(config.out).parent.mkdir(parents=True, exist_ok=True)
        write_concepts(Path(config.out), concepts)
    console.print(f"{len(concepts):,} concepts from {len(texts):,} papers: {config.out}")


@app.command("build")
@config_options(NetworkSource, skip=("network",))
def build_command(config: NetworkSource, out: Out = None) -> None:
    """Match the concepts in every paper; write network.npz and the growth per year."""
    from reprolab.science4cast.runs import run_build

    with user_errors(_kept(out)):
        result = run_build(config, out=out)
    print_frame(result.growth, f"Network growth ({result.seconds:.1f} s)")
    console.print(f"network: {result.folder / 'network.npz'}")


@app.command("benchmark")
@config_options(BenchmarkConfig, nested=SOURCE)
def benchmark_command(config: BenchmarkConfig, out: Out = None) -> None:
    """Draw one benchmark (pairs, labels) and its training set into benchmark.npz."""
    from reprolab.science4cast.runs import run_benchmark

    with user_errors(_kept(out)):
        result = run_benchmark(config, out=out)
    print_mapping(result.summary, config.setting.label)
    console.print(f"benchmark: {result.folder / 'benchmark.npz'}")


@app.command("train")
@config_options(TrainConfig, nested=SOURCE)
def train_command(config: TrainConfig, out: Out = None) -> None:
    """Fit each method on the benchmark's training set and save it (no pickles)."""
    from reprolab.science4cast.runs import run_train

    with user_errors(_kept(out)):
        result = run_train(config, out=out)
    print_frame(result.table, "Trained and saved")
    console.print(f"models: {result.folder}")


@app.command("evaluate")
@config_options(EvaluateConfig, nested=SOURCE)
def evaluate_command(config: EvaluateConfig, out: Out = None) -> None:
    """Fit (or load, --models) each method and rank the benchmark's pairs: AUC, AP, P@100."""
    from reprolab.science4cast.runs import run_evaluate

    with user_errors(_kept(out)):
        result = run_evaluate(config, out=out)
    print_frame(result.evaluation.table, "Ranking metrics", columns=METRIC_COLUMNS)
    console.print(f"run folder: {result.folder}")


@app.command("grid")
@config_options(GridConfig, nested=SOURCE)
def grid_command(config: GridConfig, out: Out = None) -> None:
    """The paper's grid (delta x cutoff x w_min): every method's AUC on each setting."""
    from reprolab.science4cast.runs import run_grid

    with user_errors(_kept(out)):
        result = run_grid(config, out=out)
    print_frame(result.wide, f"ROC AUC from {config.year_start}", digits=3)
    console.print(f"run folder: {result.folder}")


@app.command("forecast")
@config_options(ForecastConfig, nested=SOURCE)
def forecast_command(config: ForecastConfig, out: Out = None) -> None:
    """The unconnected concept pairs most likely to connect after the corpus ends."""
    from reprolab.science4cast.runs import run_forecast

    with user_errors(_kept(out)):
        result = run_forecast(config, out=out)
    print_frame(result.table, f"Most likely new pairs from {result.year_start} "
                              f"(+{config.delta} years, {config.method})")
