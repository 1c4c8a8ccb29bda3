"""The report's reproductions on a toy corpus: the quick one and the full one's stages."""

import numpy as np
import pytest

from reprolab.core.report import StudyContext
from reprolab.science4cast.concepts import write_concepts
from reprolab.science4cast.config import ForecastConfig, GridConfig, NetworkSource
from reprolab.science4cast.full import run_full
from reprolab.science4cast.methods import MethodOptions
from reprolab.science4cast.quick import QUICK_GRID, run_quick
from tests.science4cast.toy import random_corpus, write_paperlists

FAST = MethodOptions(mlp_steps=30, gbdt_rounds=10)


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    folder = tmp_path_factory.mktemp("toy")
    concepts, papers = random_corpus(np.random.default_rng(1), range(2010, 2024), 40, 60)
    write_paperlists(folder / "corpus", papers)
    return NetworkSource(corpus=str(folder / "corpus"),
                         concepts=str(write_concepts(folder / "concepts.txt", concepts)))


def test_quick_reports_auc_beside_the_paper(source, tmp_path):
    grid = GridConfig(deltas=(3,), cutoffs=(0,), min_edges=(1,), n_pairs=500,
                      methods=QUICK_GRID.methods, options=FAST)
    result = run_quick(StudyContext(out=tmp_path), source, grid)
    assert result.status == "ok"
    paper = {c.quantity.split(",")[0]: c.paper for c in result.comparisons}
    assert paper == {"AUC common neighbours (M4B)": 0.848,
                     "AUC preferential attachment (M4A)": 0.870}
    assert all(0.5 < c.ours <= 1 for c in result.comparisons)
    assert [path.name for _, path in result.figures] == ["growth.png", "roc.png"]
    assert all(path.is_file() for _, path in result.figures)
    wide = dict(result.tables)["ROC AUC from 2019, grid-d3 (500 pairs)"]
    assert list(wide["method"]) == list(QUICK_GRID.methods)


def test_full_runs_each_stage_and_the_forecast(source, tmp_path):
    grids = {f"grid-d{delta}": GridConfig(year_start=2018, deltas=(delta,), cutoffs=(0,),
                                          min_edges=(1,), n_pairs=400,
                                          methods=("common_neighbours",)) for delta in (1, 3)}
    forecast = ForecastConfig(method="preferential_attachment", n_pairs=300, cutoff=0, top=3)
    result = run_full(StudyContext(out=tmp_path), source, grids, forecast)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["build", "forecast", "grid-d1",
                                                          "grid-d3"]
    assert len(dict(result.tables)["Forecast: most likely new pairs from 2024"]) == 3
