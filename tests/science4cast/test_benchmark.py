import os
import pickle

import numpy as np
import pytest

from reprolab.core.errors import UserError
from reprolab.science4cast.benchmark import (
    BenchmarkSetting,
    connected_keys,
    load_benchmark,
    load_numpy_pickle,
    make_benchmark,
    make_training_set,
    read_official,
    sample_unconnected,
    save_benchmark,
)
from reprolab.science4cast.corpus import parse_date
from tests.science4cast.toy import graph

# known before 2010: 0-1, 1-2, 2-3, 0-2; then 0-1 again, 0-3 twice, 1-3, and 4-5 after the window
TOY = graph([(0, 1, 2005), (1, 2, 2006), (2, 3, 2007), (0, 2, 2008), (0, 1, 2010),
             (0, 3, 2010), (0, 3, 2011), (1, 3, 2012), (4, 5, 2013)], 6)


def _labelled(benchmark):
    return {tuple(p): bool(label) for p, label in
            zip(benchmark.pairs.tolist(), benchmark.labels, strict=True)}


def test_every_unconnected_pair_with_its_hand_computed_label():
    labelled = _labelled(make_benchmark(TOY, BenchmarkSetting(2010, 3, 0, 1, 11)))
    connected = {(0, 1), (1, 2), (2, 3), (0, 2)}
    assert set(labelled) == {(u, v) for u in range(6) for v in range(u + 1, 6)} - connected
    assert {pair for pair, label in labelled.items() if label} == {(0, 3), (1, 3)}


def test_min_edges_cutoff_and_delta_change_the_question():
    assert {p for p, y in _labelled(make_benchmark(
        TOY, BenchmarkSetting(2010, 3, 0, 2, 11))).items() if y} == {(0, 3)}
    assert _labelled(make_benchmark(TOY, BenchmarkSetting(2010, 3, 1, 1, 2))) == {
        (0, 3): True, (1, 3): True}  # node 3 has degree 1; 4 and 5 have none
    assert not any(make_benchmark(TOY, BenchmarkSetting(2010, 1, 0, 2, 11)).labels)
    with pytest.raises(UserError, match="Only 0 unconnected pairs have degree >= 2"):
        make_benchmark(TOY, BenchmarkSetting(2010, 3, 2, 1, 1))


def test_connected_keys_are_the_sorted_distinct_pairs():
    known = TOY.before(2011)  # 0-1 twice
    assert connected_keys(known).tolist() == [0 * 6 + 1, 0 * 6 + 2, 0 * 6 + 3, 1 * 6 + 2,
                                              2 * 6 + 3]


def test_sampling_is_uniform_distinct_and_seeded():
    rng = np.random.default_rng(0)
    known = graph([(0, 1, 2000)], 40)
    draws = [sample_unconnected(known, 0, 100, np.random.default_rng(s)) for s in (1, 1, 2)]
    assert np.array_equal(draws[0], draws[1]) and not np.array_equal(draws[0], draws[2])
    pairs = sample_unconnected(known, 0, 779, rng)  # all 40 * 39 / 2 - 1 free pairs
    assert len({tuple(p) for p in pairs.tolist()}) == 779 and (pairs[:, 0] < pairs[:, 1]).all()
    counts = np.bincount(sample_unconnected(known, 0, 300, rng).ravel(), minlength=40)
    assert counts.max() < 40  # expected 15 per node; no node is favoured


def test_training_set_adds_the_window_positives_and_ignores_the_future():
    setting = BenchmarkSetting(2010, 3, 0, 1, 11)
    train = make_training_set(TOY, setting)
    assert train.setting.year_start == 2007
    assert {p for p, y in _labelled(train).items() if y} == {(0, 2), (2, 3)}
    assert not {(0, 1), (1, 2)} & set(_labelled(train))  # connected before 2007
    rewritten = graph([(0, 1, 2005), (1, 2, 2006), (2, 3, 2007), (0, 2, 2008), (4, 5, 2010),
                       (1, 4, 2012)], 6)  # another future after 2010
    again = make_training_set(rewritten, setting)
    assert np.array_equal(train.pairs, again.pairs) and np.array_equal(train.labels,
                                                                       again.labels)


def test_benchmark_file_round_trip(tmp_path):
    setting = BenchmarkSetting(2010, 3, 0, 1, 11, seed=4)
    test, train = make_benchmark(TOY, setting), make_training_set(TOY, setting)
    loaded_test, loaded_train = load_benchmark(save_benchmark(tmp_path / "b.npz", test, train))
    assert loaded_test.setting == setting and loaded_train.setting == train.setting
    assert np.array_equal(loaded_test.pairs, test.pairs)
    assert np.array_equal(loaded_train.labels, train.labels)
    assert np.array_equal(loaded_train.known.u, train.known.u)


def _official(tmp_path, *, with_solution=True, protocol=4):
    edges = np.array([[0, 1, 0], [2, 1, 365], [3, 0, 9000]], dtype=np.int64)
    pairs = np.array([[0, 2], [3, 1]], dtype=np.int64)
    content = (edges, pairs, *([np.array([1, 0])] if with_solution else []), 2014, 3,
               np.int64(0), 1)
    path = tmp_path / "SemanticGraph_delta_3_cutoff_0_minedge_1.pkl"
    path.write_bytes(pickle.dumps(content, protocol=protocol))
    return path


@pytest.mark.parametrize("protocol", [2, 4, 5])
def test_official_files_are_read_with_dates_moved_to_1970(tmp_path, protocol):
    benchmark = read_official(_official(tmp_path, protocol=protocol))
    assert (benchmark.setting.year_start, benchmark.setting.delta) == (2014, 3)
    assert benchmark.pairs.tolist() == [[0, 2], [1, 3]] and benchmark.labels.tolist() == [1, 0]
    assert benchmark.known.u.tolist() == [0, 1, 0] and benchmark.known.v.tolist() == [1, 2, 3]
    assert benchmark.known.day[:2].tolist() == [parse_date("1990-01-01", ""),
                                                parse_date("1991-01-01", "")]
    assert benchmark.known.n_nodes == 64_719
    assert read_official(_official(tmp_path, with_solution=False)).labels is None


class _Payload:
    def __reduce__(self):
        return (os.system, (f"touch {self.target}",))


def test_the_restricted_unpickler_refuses_code(tmp_path):
    payload = _Payload()
    payload.target = tmp_path / "pwned"
    path = tmp_path / "SemanticGraph_delta_1_cutoff_0_minedge_1.pkl"
    path.write_bytes(pickle.dumps((np.zeros(3), payload)))
    with pytest.raises(UserError, match=r"refused global (posix|os|nt)\.system"):
        load_numpy_pickle(path)
    assert not payload.target.exists()
    path.write_bytes(pickle.dumps([np.zeros(2), {"a": 1}, eval]))
    with pytest.raises(UserError, match=r"refused global builtins\.eval"):
        read_official(path)
    path.write_bytes(pickle.dumps(np.array([payload], dtype=object)))
    with pytest.raises(UserError, match="not a plain numpy pickle"):
        load_numpy_pickle(path)
    assert not payload.target.exists()


def test_official_files_of_another_shape(tmp_path):
    path = tmp_path / "x.pkl"
    path.write_bytes(pickle.dumps((np.zeros(3), 1)))
    with pytest.raises(UserError, match="official 6- or 7-tuple"):
        read_official(path)
    path.write_bytes(b"\x80\x04trunc")
    with pytest.raises(UserError, match=r"x\.pkl"):
        read_official(path)
