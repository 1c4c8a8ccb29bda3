"""core.network: the offline answer comes from the environment first, then one quick probe."""

import socket

from reprolab.core import network


def test_env_says_offline_without_probing(monkeypatch):
    monkeypatch.setenv(network.OFFLINE_ENV, "1")
    monkeypatch.setattr(socket, "create_connection",
                        lambda *a, **k: (_ for _ in ()).throw(AssertionError("probed")))
    assert network.offline()


def test_unreachable_hosts_mean_offline(monkeypatch):
    for name in (network.OFFLINE_ENV, "HF_HUB_OFFLINE"):
        monkeypatch.delenv(name, raising=False)
    network._hosts_unreachable.cache_clear()
    tried = []

    def refuse(address, timeout):
        tried.append((address, timeout))
        raise OSError("unreachable")

    monkeypatch.setattr(socket, "create_connection", refuse)
    assert network.offline(timeout=0.5)
    assert [host for (host, _), _ in tried] == list(network.PROBE_HOSTS)
    assert all(timeout == 0.5 for _, timeout in tried)
    network._hosts_unreachable.cache_clear()


def test_go_offline_sets_the_hub_switches(monkeypatch):
    import os

    import huggingface_hub.constants as hub

    for name in ("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE", "TRANSFORMERS_OFFLINE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(hub, "HF_HUB_OFFLINE", False)
    network.go_offline()
    assert os.environ["HF_HUB_OFFLINE"] == "1" and os.environ["TRANSFORMERS_OFFLINE"] == "1"
    assert hub.HF_HUB_OFFLINE  # read once at import: the module's own switch is set too
    for name in ("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE", "TRANSFORMERS_OFFLINE"):
        monkeypatch.delenv(name)
