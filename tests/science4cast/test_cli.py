"""The verbs end to end on a toy corpus: build -> benchmark -> evaluate, grid (resumed), and
forecast, each writing its run record."""

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from reprolab.cli import app
from reprolab.science4cast.concepts import write_concepts
from tests.science4cast.toy import random_corpus, write_paperlists

runner = CliRunner()
FAST = ["--mlp-steps", "50", "--gbdt-rounds", "20"]


@pytest.fixture(scope="module")
def toy(tmp_path_factory):
    folder = tmp_path_factory.mktemp("toy")
    concepts, papers = random_corpus(np.random.default_rng(0), range(2000, 2012), 40, 60)
    write_paperlists(folder / "corpus", papers)
    write_concepts(folder / "concepts.txt", concepts)
    return folder, ["--corpus", str(folder / "corpus"), "--concepts",
                    str(folder / "concepts.txt")]


def _invoke(argv):
    result = runner.invoke(app, ["science4cast", *argv])
    assert result.exit_code == 0, result.output
    return result.output


def test_build_benchmark_evaluate(toy, tmp_path):
    _, source = toy
    output = _invoke(["build", *source, "--out", str(tmp_path / "build")])
    assert "2011" in output and (tmp_path / "build" / "growth.png").is_file()
    growth = pd.read_csv(tmp_path / "build" / "growth.csv")
    assert growth["papers"].tolist() == [40] * 12
    network = str(tmp_path / "build" / "network.npz")
    _invoke(["benchmark", "--network", network, "--year-start", "2009", "--delta", "2",
             "--n-pairs", "500", "--out", str(tmp_path / "bench")])
    summary = json.loads((tmp_path / "bench" / "results.json").read_text())
    assert summary["pairs"] == 500 and 0 < summary["positives"] < 500
    output = _invoke(["evaluate", "--benchmark", str(tmp_path / "bench" / "benchmark.npz"),
                      "--methods", "preferential_attachment,gbdt", *FAST,
                      "--out", str(tmp_path / "eval")])
    metrics = pd.read_csv(tmp_path / "eval" / "metrics.csv")
    assert metrics["method"].tolist() == ["preferential_attachment", "gbdt"]
    assert (metrics["auc"] > 0.5).all() and (tmp_path / "eval" / "roc.png").is_file()

    # train and save, then evaluate and forecast with the saved models: the same numbers
    _invoke(["train", "--benchmark", str(tmp_path / "bench" / "benchmark.npz"),
             "--methods", "preferential_attachment,gbdt", *FAST, "--out", str(tmp_path / "m")])
    assert (tmp_path / "m" / "gbdt" / "lightgbm.txt").is_file()
    _invoke(["evaluate", "--benchmark", str(tmp_path / "bench" / "benchmark.npz"),
             "--methods", "gbdt,preferential_attachment", "--models", str(tmp_path / "m"),
             "--out", str(tmp_path / "eval-saved")])
    saved = pd.read_csv(tmp_path / "eval-saved" / "metrics.csv").set_index("method")
    assert saved.loc[metrics["method"], "auc"].tolist() == metrics["auc"].tolist()
    _invoke(["forecast", "--network", network, "--cutoff", "3", "--n-pairs", "300",
             "--top", "5", "--method", "gbdt", "--models", str(tmp_path / "m"),
             "--out", str(tmp_path / "forecast")])
    assert len(pd.read_csv(tmp_path / "forecast" / "forecast.csv")) == 5


def test_grid_resumes_settings_already_done(toy, tmp_path):
    _, source = toy
    argv = ["grid", *source, "--year-start", "2009", "--deltas", "1,2", "--cutoffs", "0",
            "--min-edges", "1", "--n-pairs", "400", "--methods", "common_neighbours,m6_mlp",
            *FAST, "--out", str(tmp_path / "grid")]
    output = _invoke(argv)
    assert "d1 c0 w1" in output and "d2 c0 w1" in output
    table = pd.read_csv(tmp_path / "grid" / "auc.csv")
    assert len(table) == 4 and set(table["delta"]) == {1, 2}
    first = table[table["delta"] == 1]
    table[table["delta"] == 1].assign(auc=0.123).pipe(
        lambda done: done.to_csv(tmp_path / "grid" / "auc.csv", index=False))
    _invoke(argv)  # delta 1 is kept from the file, delta 2 is run again
    again = pd.read_csv(tmp_path / "grid" / "auc.csv")
    assert (again[again["delta"] == 1]["auc"] == 0.123).all() and len(first) == 2
    assert len(again) == 4
    wide = pd.read_csv(tmp_path / "grid" / "auc_table.csv")
    assert wide["paper d3 c0 w1"].tolist()[0] == 0.848


def test_forecast_names_concepts(toy, tmp_path):
    _, source = toy
    _invoke(["forecast", *source, "--cutoff", "3", "--n-pairs", "300", "--top", "5",
             "--method", "common_neighbours", "--out", str(tmp_path / "forecast")])
    table = pd.read_csv(tmp_path / "forecast" / "forecast.csv")
    assert len(table) == 5 and table["concept_a"].str.startswith("concept").all()
    assert (table["score"].diff().dropna() <= 0).all()
    assert table["score"].tolist() == table["common_neighbours"].tolist()
    assert json.loads((tmp_path / "forecast" / "results.json").read_text())["year_start"] == 2012


def test_a_setting_without_positives_leaves_its_auc_empty(toy, tmp_path):
    _, source = toy
    _invoke(["grid", *source, "--year-start", "2009", "--deltas", "1", "--cutoffs", "0",
             "--min-edges", "1,50", "--n-pairs", "300", "--methods", "common_neighbours",
             "--out", str(tmp_path / "grid")])
    table = pd.read_csv(tmp_path / "grid" / "auc.csv")
    assert table["min_edges"].tolist() == [1, 50] and table["positives"].tolist()[1] == 0
    assert table["auc"].notna().tolist() == [True, False]
