from pathlib import Path

from reprolab.core.cache import CACHE_ENV, cache_dir


def test_cache_dir_follows_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    assert cache_dir("chem") == tmp_path / "chem"
    monkeypatch.delenv(CACHE_ENV)
    assert cache_dir("chem") == Path("~/.cache/reprolab/chem").expanduser()
