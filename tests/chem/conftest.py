"""A tiny random Llama and a prepared property table shared by the chem tests, which keep the
reference-statistics cache in a temporary folder, never the user's."""

from __future__ import annotations

import pytest

from reprolab.chem.properties import cached_property_table
from reprolab.core.cache import CACHE_ENV
from tests.lm.tiny_models import tiny_llama

MOLECULES = ["CC(=O)Oc1ccccc1C(=O)O", "C=CC(=O)Nc1ccc(cc1)C(=O)N1CCOCC1", "CCO", "c1ccncc1",
             "CCN(CC)CCOC(=O)c1ccc(N)cc1", "O=C(O)CCc1ccc(O)cc1"]


@pytest.fixture(scope="session", autouse=True)
def private_cache(tmp_path_factory):
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(CACHE_ENV, str(tmp_path_factory.mktemp("cache")))
        yield


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("chem-models")
    tiny_llama(root)
    return root / "tiny-llama"


@pytest.fixture(scope="session")
def property_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("chem-data") / "properties.parquet"
    cached_property_table(MOLECULES, path)
    return path
