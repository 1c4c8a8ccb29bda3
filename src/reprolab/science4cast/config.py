"""Settings of the science4cast verbs, one dataclass each: the CLI's options are generated from
them (`reprolab.core.cli.config_options`) and runs save them in `config.json`."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from reprolab.core.errors import UserError
from reprolab.science4cast.benchmark import BenchmarkSetting
from reprolab.science4cast.methods import HEURISTICS, MethodOptions, check_methods

DATASET = "science4cast"
MODELS_HELP = "A run folder of `train`: score with its saved models instead of fitting."


def check_models(models: str | None) -> None:
    if models is not None and not Path(models).is_dir():
        raise UserError(f"--models {models} is not a folder: give the run folder of "
                        "`reprolab science4cast train`.")


@dataclass(frozen=True)
class NetworkSource:
    """Where the network comes from: a saved `network.npz`, else built from a corpus and a
    concept list (by default the dataset's paperlists corpus and official concepts)."""

    network: str | None = field(default=None, metadata={
        "help": "A network.npz written by `build` (default: build from --corpus)."})
    corpus: str | None = field(default=None, metadata={
        "help": "Paperlists folder, arXiv .jsonl[.gz] or .csv (default: the dataset's corpus)."})
    concepts: str | None = field(default=None, metadata={
        "help": "Concept list, one per line (default: the official 64,719 concepts)."})

    def concept_path(self) -> Path:
        from reprolab.core.data import dataset_file

        return Path(self.concepts) if self.concepts else dataset_file(DATASET, "concepts.txt")

    def corpus_path(self) -> Path:
        from reprolab.core.data import dataset_file

        return Path(self.corpus) if self.corpus else dataset_file(DATASET, "corpus")


@dataclass(frozen=True)
class ConceptsConfig:
    """Build a new concept list from a corpus with upstream's RAKE thresholds and reduction rules
    (`reprolab.science4cast.concepts.build_concepts`)."""

    source: str = field(default="", metadata={
        "help": "Paperlists folder, arXiv .jsonl[.gz] or .csv to extract concepts from."})
    out: str = field(default="", metadata={"help": "The concept list to write, one per line."})
    min_papers_two: int = field(default=6, metadata={
        "help": "Papers a two-word phrase needs (upstream: 6)."})
    min_papers_long: int = field(default=3, metadata={
        "help": "Papers a phrase of three or more words needs (upstream: 3)."})
    nogo_words: str | None = field(default=None, metadata={
        "help": "File of words, one a line: drop concepts holding any (upstream: nogo_word_list)."})
    nogo_first: str | None = field(default=None, metadata={
        "help": "File of words that may not start a concept (upstream: nogo_first_word_list)."})
    nogo_last: str | None = field(default=None, metadata={
        "help": "File of words that may not end a concept (upstream: nogo_last_word_list)."})

    def __post_init__(self) -> None:
        if not self.source or not self.out:
            raise UserError("Give the corpus (--source) and the file to write (--out).")
        if Path(self.out).is_dir():
            raise UserError(f"--out {self.out} is a folder: give the concept list's file name.")
        if min(self.min_papers_two, self.min_papers_long) < 1:
            raise UserError("--min-papers-two and --min-papers-long must be >= 1.")


@dataclass(frozen=True)
class GridConfig:
    """The paper's grid (delta x cutoff x w_min) at one year_start, every method on each."""

    source: NetworkSource = field(default_factory=NetworkSource, metadata={"help": "Network."})
    year_start: int = field(default=2019, metadata={
        "help": "Predict from the network known before 1 January of this year."})
    deltas: tuple[int, ...] = field(default=(1, 3, 5), metadata={"help": "Years ahead."})
    cutoffs: tuple[int, ...] = field(default=(0, 5, 25), metadata={
        "help": "Minimum degrees of both concepts."})
    min_edges: tuple[int, ...] = field(default=(1, 3), metadata={
        "help": "New edges needed to count as connected (w_min)."})
    n_pairs: int = field(default=1_000_000, metadata={
        "help": "Pairs per benchmark (paper: 10,000,000)."})
    methods: tuple[str, ...] = field(default=(*HEURISTICS, "m6_mlp", "gbdt"), metadata={
        "help": "Methods to compare (see `reprolab science4cast methods`)."})
    options: MethodOptions = field(default_factory=MethodOptions, metadata={
        "help": "Training budgets."})
    seed: int = field(default=0, metadata={"help": "Seed of the pair samples and methods."})

    def __post_init__(self) -> None:
        check_methods(self.methods)
        if not self.deltas or not self.cutoffs or not self.min_edges:
            raise UserError("Give at least one value each for --deltas, --cutoffs and "
                            "--min-edges.")
        self.settings()  # each BenchmarkSetting checks its values

    def settings(self) -> list[BenchmarkSetting]:
        return [BenchmarkSetting(self.year_start, delta, cutoff, w, self.n_pairs, self.seed)
                for delta in self.deltas for cutoff in self.cutoffs for w in self.min_edges]


@dataclass(frozen=True)
class ForecastConfig:
    """Rank unconnected concept pairs by their chance to connect within `delta` years after the
    corpus's last year."""

    source: NetworkSource = field(default_factory=NetworkSource, metadata={"help": "Network."})
    method: str = field(default="gbdt", metadata={"help": "The method that ranks."})
    delta: int = field(default=3, metadata={"help": "Years ahead."})
    cutoff: int = field(default=25, metadata={"help": "Minimum degree of both concepts."})
    min_edges: int = field(default=1, metadata={"help": "New edges that count (w_min)."})
    n_pairs: int = field(default=1_000_000, metadata={"help": "Candidate pairs sampled."})
    top: int = field(default=50, metadata={"help": "Pairs listed."})
    options: MethodOptions = field(default_factory=MethodOptions, metadata={
        "help": "Training budgets."})
    seed: int = field(default=0, metadata={"help": "Seed of the candidates and the method."})
    models: str | None = field(default=None, metadata={"help": MODELS_HELP})

    def __post_init__(self) -> None:
        check_methods((self.method,))
        check_models(self.models)
        if self.top < 1:
            raise UserError(f"--top must be >= 1, got {self.top}.")
        BenchmarkSetting(2000, self.delta, self.cutoff, self.min_edges, self.n_pairs, self.seed)


@dataclass(frozen=True)
class BenchmarkConfig:
    """Draw one benchmark and its training set from the network."""

    source: NetworkSource = field(default_factory=NetworkSource, metadata={"help": "Network."})
    setting: BenchmarkSetting = field(default_factory=BenchmarkSetting, metadata={
        "help": "The benchmark's question."})


@dataclass(frozen=True)
class TrainConfig:
    """Fit methods on a benchmark file's training set and save each model."""

    benchmark: str = field(default="", metadata={
        "help": "benchmark.npz from `benchmark`, or an official SemanticGraph_*.pkl."})
    methods: tuple[str, ...] = field(default=(*HEURISTICS, "m6_mlp", "gbdt"), metadata={
        "help": "Methods (see `reprolab science4cast methods`)."})
    train_pairs: int | None = field(default=None, metadata={
        "help": "Training pairs drawn for an official .pkl (default: as many as it has)."})
    options: MethodOptions = field(default_factory=MethodOptions, metadata={
        "help": "Training budgets."})
    seed: int = field(default=0, metadata={"help": "Seed of the methods."})

    def __post_init__(self) -> None:
        check_methods(self.methods)
        if not self.benchmark:
            raise UserError("Give the benchmark file (--benchmark).")
        if not Path(self.benchmark).is_file():
            raise UserError(f"--benchmark {self.benchmark} does not exist: make one with "
                            "`reprolab science4cast benchmark`.")
        if self.train_pairs is not None and self.train_pairs < 1:
            raise UserError(f"--train-pairs must be >= 1, got {self.train_pairs}.")


@dataclass(frozen=True)
class EvaluateConfig(TrainConfig):
    """Fit methods on a benchmark file's training set (or load them, `--models`) and score its
    pairs."""

    models: str | None = field(default=None, metadata={"help": MODELS_HELP})

    def __post_init__(self) -> None:
        super().__post_init__()
        check_models(self.models)
