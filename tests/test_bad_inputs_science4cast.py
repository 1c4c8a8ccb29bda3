"""Every documented way to misuse `reprolab science4cast ...` ends in exit code 1 and one line
that says what to do, never a traceback, and leaves earlier files as they were.

Placeholders name files made by the `inputs` fixture: `{network}` a good network file,
`{corpus}` and `{concepts}` a good toy corpus and list, `{file}` a text file, `{folder}` a
non-empty folder that holds no run, `{missing}` a path that does not exist, and the broken
inputs `{bad_csv}`, `{gap_concepts}`, `{empty_jsonl}`, `{broken_npz}` and `{evil_pkl}` (a
pickle that would run a shell command); `{benchmark}` a good benchmark file, `{models}` a
`train` run folder of it, and copies of that folder each with one model file damaged or missing.
"""

from __future__ import annotations

import os
import pickle
import shutil
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from reprolab.science4cast.benchmark import (
    BenchmarkSetting,
    make_benchmark,
    make_training_set,
    save_benchmark,
)
from reprolab.science4cast.cli import app
from reprolab.science4cast.concepts import write_concepts
from reprolab.science4cast.config import TrainConfig
from reprolab.science4cast.corpus import read_corpus
from reprolab.science4cast.methods import MethodOptions
from reprolab.science4cast.network import build_network, load_network, save_network
from reprolab.science4cast.runs import run_train
from tests.science4cast.toy import random_corpus, write_paperlists

runner = CliRunner()
SOURCE = ["--corpus", "{corpus}", "--concepts", "{concepts}"]

CASES = {
    # build
    "missing corpus": (["build", "--corpus", "{missing}", "--concepts", "{concepts}"],
                       "does not exist: give a paperlists"),
    "CSV without abstract": (["build", "--corpus", "{bad_csv}", "--concepts", "{concepts}"],
                             "lacks the column(s) abstract"),
    "empty concept line": (["build", *SOURCE[:2], "--concepts", "{gap_concepts}"],
                           "gap.txt line 2: empty concept"),
    "out is a file": (["build", *SOURCE, "--out", "{file}"], "is a file: give a folder"),
    "out holds other files": (["build", *SOURCE, "--out", "{folder}"],
                              "is not empty and holds no run record"),
    # concepts
    "concepts without source": (["concepts"], "Give the corpus (--source) and the file"),
    "concepts missing source": (["concepts", "--source", "{missing}"],
                                "does not exist: give a paperlists"),
    "concepts empty source": (["concepts", "--source", "{empty_jsonl}"], "holds no papers"),
    "concepts out is a folder": (["concepts", "--source", "{corpus}", "--out", "{folder}"],
                                 "is a folder: give the concept list's file name"),
    "concepts threshold 0": (["concepts", "--source", "{corpus}", "--min-papers-two", "0"],
                             "--min-papers-two and --min-papers-long must be >= 1"),
    "concepts missing no-go list": (["concepts", "--source", "{corpus}", "--nogo-last",
                                     "{missing}.txt"], "missing.txt cannot be read"),
    "concepts no-go line of two words": (["concepts", "--source", "{corpus}", "--nogo-words",
                                          "{gap_concepts}"],
                                         "line 3: 'neural network' is not one word"),
    "concepts none pass": (["concepts", "--source", "{corpus}", "--min-papers-two", "999",
                            "--min-papers-long", "999"], "passes the thresholds and rules"),
    # benchmark
    "delta 0": (["benchmark", "--delta", "0"], "--delta must be >= 1"),
    "negative cutoff": (["benchmark", "--cutoff", "-1"], "--cutoff must be >= 0"),
    "missing network": (["benchmark", "--network", "{missing}.npz"],
                        "does not exist: run `reprolab science4cast build` first"),
    "broken network": (["benchmark", "--network", "{broken_npz}"],
                       "is not a network written by `reprolab science4cast build`"),
    "year before the corpus": (["benchmark", "--network", "{network}", "--year-start", "1990"],
                               "no edges before 1990"),
    "cutoff nobody reaches": (["benchmark", "--network", "{network}", "--cutoff", "1000"],
                              "Only 0 unconnected pairs have degree >= 1000"),
    "more pairs than exist": (["benchmark", "--network", "{network}", "--n-pairs", "100000"],
                              "ask for fewer than 100000"),
    # evaluate
    "no benchmark": (["evaluate"], "Give the benchmark file (--benchmark)"),
    "missing benchmark": (["evaluate", "--benchmark", "{missing}.npz"], "does not exist"),
    "a network is no benchmark": (["evaluate", "--benchmark", "{network}"],
                                  "is not a benchmark written by"),
    "pickle that runs code": (["evaluate", "--benchmark", "{evil_pkl}"],
                              "is not a plain numpy pickle"),
    "misspelt method": (["evaluate", "--benchmark", "{network}", "--methods", "gbtd"],
                        "Did you mean 'gbdt'"),
    "train pairs 0": (["evaluate", "--benchmark", "{network}", "--train-pairs", "0"],
                      "--train-pairs must be >= 1"),
    # train, and scoring with saved models
    "train without benchmark": (["train", "--methods", "gbdt"],
                                "Give the benchmark file (--benchmark)"),
    "train on a bad device": (["train", "--benchmark", "{benchmark}", "--device", "tpu"],
                              "--device 'tpu' is not a device"),
    "models not a folder": (["evaluate", "--benchmark", "{benchmark}", "--models", "{file}"],
                            "is not a folder: give the run folder of"),
    "models lack the method": (["evaluate", "--benchmark", "{benchmark}", "--methods",
                                "jaccard", "--models", "{models}"],
                               "holds no saved 'jaccard' model: train it with"),
    "damaged LightGBM file": (["evaluate", "--benchmark", "{benchmark}", "--methods", "gbdt",
                               "--models", "{bad_lightgbm}"],
                              "lightgbm.txt is not a readable saved model"),
    "missing MLP weights": (["evaluate", "--benchmark", "{benchmark}", "--methods", "m6_mlp",
                             "--models", "{no_mlp}"], "m6.safetensors is missing"),
    "damaged GraphSAGE weights": (["evaluate", "--benchmark", "{benchmark}", "--methods",
                                   "graphsage", "--models", "{bad_sage}"],
                                  "is not a readable reprolab checkpoint"),
    "damaged forest arrays": (["evaluate", "--benchmark", "{benchmark}", "--methods",
                               "m5_forest", "--models", "{bad_forest}"],
                              "forest.npz is not a random forest saved by"),
    "node2vec file without its weights": (["evaluate", "--benchmark", "{benchmark}",
                                           "--methods", "node2vec", "--models", "{bad_n2v}"],
                                          "node2vec.npz is not a readable saved model"),
    "broken method.json": (["evaluate", "--benchmark", "{benchmark}", "--methods", "gbdt",
                            "--models", "{bad_manifest}"],
                           "method.json is not a readable saved model"),
    "method.json of another method": (["forecast", "--network", "{network}", "--method",
                                       "gbdt", "--models", "{swapped}"],
                                      "does not describe a saved 'gbdt' model"),
    # grid
    "grid method": (["grid", "--methods", "jacard"], "Did you mean 'jaccard'"),
    "grid deltas not numbers": (["grid", "--deltas", "1,three"],
                                "--deltas takes a comma list of int"),
    "grid no cutoffs": (["grid", "--cutoffs", ","], "Give at least one value each"),
    "grid pairs 0": (["grid", "--n-pairs", "0"], "--n-pairs must be >= 1"),
    "grid MLP steps 0": (["grid", "--mlp-steps", "0"],
                         "--mlp-steps, --gbdt-rounds, --gnn-epochs, --node2vec-epochs and"),
    # forecast
    "forecast top 0": (["forecast", "--top", "0"], "--top must be >= 1"),
    "forecast method": (["forecast", "--method", "pagerank"], "Unknown science4cast method"),
}


class _Shell:
    def __init__(self, target: Path) -> None:
        self.target = target

    def __reduce__(self):
        return (os.system, (f"touch {self.target}",))


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("inputs")
    concepts, papers = random_corpus(np.random.default_rng(0), range(2000, 2006), 20, 30)
    files = {"corpus": write_paperlists(root / "corpus", papers),
             "concepts": write_concepts(root / "concepts.txt", concepts),
             "network": root / "network.npz", "file": root / "notes.txt",
             "folder": root / "folder", "missing": root / "missing",
             "bad_csv": root / "papers.csv", "gap_concepts": root / "gap.txt",
             "broken_npz": root / "broken.npz", "empty_jsonl": root / "empty.jsonl",
             "evil_pkl": root / "SemanticGraph_delta_1_cutoff_0_minedge_1.pkl"}
    save_network(files["network"], build_network(read_corpus(files["corpus"]), concepts),
                 concepts)
    files["file"].write_text("keep me\n")
    files["folder"].mkdir()
    (files["folder"] / "notes.txt").write_text("keep me too\n")
    files["bad_csv"].write_text("title,date\nA,2001\n")
    files["gap_concepts"].write_text("graph\n\nneural network\n")
    files["broken_npz"].write_bytes(b"PK\x03\x04 not really")
    files["empty_jsonl"].write_text("\n")
    files["evil_pkl"].write_bytes(pickle.dumps((np.zeros(2), _Shell(root / "pwned"))))
    files |= _saved_models(root, files["network"])
    return files


def _saved_models(root: Path, network: Path) -> dict[str, Path]:
    """A benchmark, a `train` run of five methods on it, and damaged copies of that run."""
    graph, _ = load_network(network)
    setting = BenchmarkSetting(2004, 1, 0, 1, 150)
    benchmark = save_benchmark(root / "benchmark.npz", make_benchmark(graph, setting),
                               make_training_set(graph, setting))
    options = MethodOptions(mlp_steps=5, gbdt_rounds=5, gnn_epochs=2, forest_trees=3,
                            device="cpu")
    models = run_train(TrainConfig(str(benchmark), ("gbdt", "m6_mlp", "graphsage", "m5_forest",
                                                    "node2vec"), options=options),
                       out=root / "models").folder
    files = {"benchmark": benchmark, "models": models}
    damage = {"bad_lightgbm": ("gbdt/lightgbm.txt", b"tree\nnot a model"),
              "no_mlp": ("m6_mlp/m6.safetensors", None),
              "bad_sage": ("graphsage/graphsage.safetensors", b"\x08\x00\x00\x00{}"),
              "bad_forest": ("m5_forest/forest.npz", b"PK\x03\x04 no zip"),
              "bad_manifest": ("gbdt/method.json", b"{not json"),
              "swapped": ("gbdt/method.json", (models / "m6_mlp" / "method.json").read_bytes())}
    for name, (file, content) in damage.items():
        files[name] = shutil.copytree(models, root / name)
        if content is None:
            (files[name] / file).unlink()
        else:
            (files[name] / file).write_bytes(content)
    files["bad_n2v"] = shutil.copytree(models, root / "bad_n2v")
    np.savez(files["bad_n2v"] / "node2vec" / "node2vec.npz", mean=np.zeros(4))
    return files


@pytest.mark.parametrize(("argv", "fragment"), list(CASES.values()), ids=list(CASES))
def test_misuse_is_one_line_and_changes_nothing(inputs, tmp_path, argv, fragment):
    before = {path: path.read_bytes() for path in inputs.values() if path.is_file()}
    argv = [arg.format(**inputs) for arg in argv]
    if "--out" not in argv:
        argv += ["--out", str(tmp_path / "out")]
    result = runner.invoke(app, argv)
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    assert fragment in lines[0], result.output
    assert "Traceback" not in result.output
    assert {path: path.read_bytes() for path in before} == before
    assert (inputs["folder"] / "notes.txt").read_text() == "keep me too\n"
    assert not (inputs["corpus"].parent / "pwned").exists()
