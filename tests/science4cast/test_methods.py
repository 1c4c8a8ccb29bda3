import importlib.util
from dataclasses import replace

import numpy as np
import pytest

from reprolab.core.errors import UserError
from reprolab.science4cast.benchmark import BenchmarkSetting, make_benchmark, make_training_set
from reprolab.science4cast.corpus import read_corpus
from reprolab.science4cast.methods import (
    METHODS,
    FittedMethods,
    MethodOptions,
    check_methods,
    load_method,
    save_method,
)
from reprolab.science4cast.metrics import ranking_metrics
from reprolab.science4cast.network import DatedGraph, build_network
from tests.science4cast.toy import random_corpus, write_paperlists

OPTIONS = MethodOptions(mlp_steps=150, gbdt_rounds=40, gnn_epochs=60, node2vec_epochs=30,
                        forest_trees=30, device="cpu")
SETTING = BenchmarkSetting(2008, 2, 0, 1, 1500)
HAS_XGBOOST = importlib.util.find_spec("xgboost") is not None
NEEDS_XGBOOST = pytest.mark.skipif(not HAS_XGBOOST, reason="the optional extra xgboost is absent")


def _methods(names):
    """`names` as parameters, those that need the absent XGBoost marked to skip."""
    return [pytest.param(name, marks=NEEDS_XGBOOST) if METHODS[name].requires else name
            for name in names]


@pytest.fixture(scope="module")
def network(tmp_path_factory):
    concepts, papers = random_corpus(np.random.default_rng(0), range(1996, 2010), 60, 80)
    folder = write_paperlists(tmp_path_factory.mktemp("corpus"), papers)
    return build_network(read_corpus(folder), concepts)


def test_registry_suggests_close_names():
    assert check_methods(("jaccard", "gbdt")) == ("jaccard", "gbdt")
    with pytest.raises(UserError, match="Did you mean 'jaccard'"):
        check_methods(("jacard",))


@pytest.mark.parametrize("name", _methods(METHODS))
def test_every_method_ranks_future_links_above_chance(network, name):
    test, train = make_benchmark(network, SETTING), make_training_set(network, SETTING)
    method = METHODS[name].build(OPTIONS, 0)
    method.fit(train.query(), train.labels)
    scores = method.score(test.query())
    assert scores.shape == (len(test.pairs),)
    # popular concepts link more; Jaccard divides by the union, which penalises them
    assert ranking_metrics(test.labels, scores)["auc"] > (0.55 if name == "jaccard" else 0.6)


def _rewrite_future(network: DatedGraph, year_day: int) -> DatedGraph:
    """The same past; every edge from `year_day` on moved to a random pair."""
    later = network.day >= year_day
    rng = np.random.default_rng(1)
    u, v = network.u.copy(), network.v.copy()
    draw = np.sort(rng.choice(network.n_nodes, size=(later.sum(), 2)), axis=1)
    draw = draw[draw[:, 0] < draw[:, 1]]
    keep = ~later
    keep[np.flatnonzero(later)[:len(draw)]] = True
    u[np.flatnonzero(later)[:len(draw)]], v[np.flatnonzero(later)[:len(draw)]] = draw.T
    return DatedGraph(u[keep], v[keep], network.day[keep], network.n_nodes,
                      network.papers_per_year)


@pytest.mark.parametrize("name", _methods(
    ["m6_mlp", "gbdt", "m5_forest", "node2vec", "graphsage", "m1_blend"]))
def test_no_label_leakage(network, name):
    """Scores of the test pairs do not change when every edge from year_start on (the test
    labels' window) is replaced by another future."""
    from reprolab.science4cast.corpus import year_to_day

    other = _rewrite_future(network, year_to_day(SETTING.year_start))
    assert not np.array_equal(make_benchmark(network, SETTING).labels,
                              make_benchmark(other, SETTING).labels)
    scores = []
    for world in (network, other):
        test, train = make_benchmark(world, SETTING), make_training_set(world, SETTING)
        method = METHODS[name].build(replace(OPTIONS, node2vec_epochs=2), 0)  # any budget
        method.fit(train.query(), train.labels)
        scores.append(method.score(test.query()))
    assert np.array_equal(scores[0], scores[1])


def test_a_training_set_of_one_class_is_a_user_error(network):
    train = make_training_set(network, SETTING)
    method = METHODS["gbdt"].build(OPTIONS, 0)
    with pytest.raises(UserError, match="all of one class"):
        method.fit(train.query(), np.zeros(len(train.pairs), bool))


@pytest.fixture(scope="module")
def sets(network):
    return make_benchmark(network, SETTING), make_training_set(network, SETTING)


@pytest.mark.parametrize("name", _methods(
    ["common_neighbours", "m6_mlp", "gbdt", "m5_forest", "node2vec", "graphsage", "m1_blend"]))
def test_saved_models_score_exactly_as_fitted(sets, tmp_path, name):
    test, train = sets
    method = METHODS[name].build(replace(OPTIONS, node2vec_epochs=2), 0)
    method.fit(train.query(), train.labels)
    folder = save_method(tmp_path, name, method)
    assert (folder / "method.json").is_file()
    assert not [p for p in folder.rglob("*") if p.suffix in (".pkl", ".pickle", ".pt")]
    other = MethodOptions(mlp_steps=1, gbdt_rounds=1, gnn_epochs=1, forest_trees=1)
    loaded = load_method(tmp_path, name, other, seed=5)  # budgets and seed do not matter
    assert np.array_equal(loaded.score(test.query()), method.score(test.query()))


@NEEDS_XGBOOST
@pytest.mark.parametrize("order", [("gbdt", "graphsage", "m1_blend"), ("m1_blend", "gbdt")])
def test_a_blend_and_its_parts_are_fitted_once(sets, order):
    _, train = sets
    fitted = FittedMethods(train.query(), train.labels, replace(OPTIONS, gnn_epochs=5), 0)
    methods = {name: fitted[name] for name in order}
    assert methods["m1_blend"].parts["gbdt"] is methods["gbdt"]
    if "graphsage" in methods:
        assert methods["m1_blend"].parts["graphsage"] is methods["graphsage"]


@NEEDS_XGBOOST
def test_m1_blend_cubes_the_three_probabilities():
    blend = METHODS["m1_blend"].build(OPTIONS, 0)
    scores = {"xgboost": np.array([0.5, 0.0]), "gbdt": np.array([1.0, 0.2]),
              "graphsage": np.array([0.0, -np.inf])}  # logits: probabilities 0.5 and 0
    assert blend.combine(scores) == pytest.approx([0.125 + 1 + 0.3 * 0.125, 0.008])


def test_a_missing_optional_extra_is_one_line(monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "xgboost" else real(name, *a))
    with pytest.raises(UserError, match=r"needs xgboost.*uv sync --extra xgboost"):
        check_methods(("gbdt", "m1_blend"))
