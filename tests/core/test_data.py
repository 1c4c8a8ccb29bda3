import hashlib
import io
import zipfile

import pytest

from reprolab.core import data
from reprolab.core.data import MissingDataError
from reprolab.core.datasets import DATASETS, DatasetSpec, RemoteFile


@pytest.fixture
def root(tmp_path, monkeypatch):
    monkeypatch.setenv(data.ENV_VAR, str(tmp_path))
    data.set_data_root(None)
    return tmp_path


def test_root_resolution_order(tmp_path, monkeypatch):
    monkeypatch.delenv(data.ENV_VAR, raising=False)
    assert data.data_root() == data.DEFAULT_ROOT.expanduser()
    monkeypatch.setenv(data.ENV_VAR, str(tmp_path / "env"))
    assert data.data_root() == tmp_path / "env"
    data.set_data_root(tmp_path / "flag")
    try:
        assert data.data_root() == tmp_path / "flag"
    finally:
        data.set_data_root(None)


def test_missing_dataset_message_names_fetch_and_env(root):
    with pytest.raises(MissingDataError) as info:
        data.dataset_dir("rebus")
    message = str(info.value)
    assert "reprolab data fetch rebus" in message
    assert data.ENV_VAR in message
    assert "\n" not in message
    assert not data.is_available("mnist")


def test_registry_knows_all_datasets():
    assert {"rebus", "inverse-scaling", "science4cast", "mnist", "moses"} <= set(DATASETS)
    # The official sha256 of all 11 prize files is in the manifest; each is downloaded by hash.
    spec = DATASETS["inverse-scaling"]
    remote = {r.path: r.sha256 for r in spec.remote_files}
    assert len(remote) == 11 and all(path.startswith("prize/") for path in remote)
    assert remote["prize/memo-trap_classification.jsonl"].startswith("f09aac90")
    assert set(remote) <= set(spec.optional)


def test_core_modules_import_no_study_and_no_cycle():
    import ast
    from pathlib import Path

    core = Path(data.__file__).parent
    imports = {}
    for module in core.glob("*.py"):
        tree = ast.parse(module.read_text())
        imports[module.stem] = {n.module for n in ast.walk(tree)
                                if isinstance(n, ast.ImportFrom) and n.module}
        imports[module.stem] |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import)
                                 for a in n.names}
    for name, found in imports.items():
        assert not any(m.startswith(("reprolab.rebus", "reprolab.invscale", "reprolab.backdoor",
                                     "reprolab.studies")) for m in found), name
    assert "reprolab.core.data" not in imports["datasets"]


def test_moses_read_from_the_wheel_without_importing_it():
    import sys

    folder = data.dataset_dir("moses")
    assert (folder / "train.csv.gz").is_file()
    assert "moses" not in sys.modules
    report = data.verify("moses")
    assert report.passed and len(report.ok) == 3


def _spec(name, files, **kw):
    spec = DatasetSpec(name=name, description="t", folder=name, required=tuple(files), **kw)
    DATASETS._items[name] = spec  # test-only registration, removed below
    return spec


def test_verify_detects_missing_and_corrupt(root, monkeypatch):
    folder = root / "toy"
    folder.mkdir()
    (folder / "a.txt").write_text("alpha")
    (folder / "b.txt").write_text("tampered")
    spec = _spec("toy", ["a.txt"], optional=("c.txt",))
    sha = {p: hashlib.sha256(t.encode()).hexdigest() for p, t in
           [("a.txt", "alpha"), ("b.txt", "beta"), ("c.txt", "gamma"), ("d.txt", "delta")]}
    monkeypatch.setattr(DatasetSpec, "manifest", lambda self: sha)
    try:
        report = data.verify("toy")
    finally:
        del DATASETS._items["toy"]
    assert report.ok == ("a.txt",)
    assert report.mismatched == ("b.txt",)
    assert report.missing == ("d.txt",)
    assert report.optional_absent == ("c.txt",)
    assert not report.passed
    assert spec.manifest() == sha


def test_fetch_downloads_checks_and_unpacks(root, monkeypatch):
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("toy-abc123/data.csv", "x,y\n1,2\n")
        zf.writestr("toy-abc123/images/0001.png", b"png")
    payload = archive.getvalue()
    downloads = []

    def fake_download(url, target):
        downloads.append(url)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(payload)

    monkeypatch.setattr(data, "_download", fake_download)
    good = hashlib.sha256(payload).hexdigest()
    _spec("toy", ["data.csv", "images/0001.png"],
          remote_files=(RemoteFile("https://example.org/toy.zip", "toy.zip", good, True),))
    try:
        folder = data.fetch("toy")
        assert (folder / "data.csv").read_text() == "x,y\n1,2\n"
        assert not (folder / "toy.zip").exists()
        data.fetch("toy")  # present: no second download
        assert len(downloads) == 1
        _spec_bad = DatasetSpec(
            name="toy", description="t", folder="toy2", required=("data.csv",),
            remote_files=(RemoteFile("https://example.org/t.zip", "t.zip", "0" * 64),))
        DATASETS._items["toy"] = _spec_bad
        with pytest.raises(data.ChecksumError, match="sha256"):
            data.fetch("toy")
        assert not (root / "toy2" / "t.zip").exists()
    finally:
        del DATASETS._items["toy"]


@pytest.mark.needs_data("rebus", "mnist", "science4cast", "inverse-scaling")
def test_shared_data_verifies():
    for name in ("mnist", "science4cast", "inverse-scaling"):
        report = data.verify(name)
        assert report.passed, (name, report.missing[:3], report.mismatched[:3])
    assert len(data.verify("rebus").ok) == 351
    absent = data.verify("inverse-scaling").optional_absent
    assert len(absent) == 9
