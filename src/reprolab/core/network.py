"""Is the internet there? One quick answer, so offline runs fail or skip in a second, not after
minutes of download retries."""

from __future__ import annotations

import functools
import os
import socket

OFFLINE_ENV = "REPROLAB_OFFLINE"
PROBE_HOSTS = ("huggingface.co", "github.com")


def _env_offline() -> bool:
    flags = (os.environ.get(name, "").strip().lower() for name in (OFFLINE_ENV, "HF_HUB_OFFLINE"))
    return any(flag in ("1", "true", "yes") for flag in flags)


@functools.cache
def _hosts_unreachable(timeout: float) -> bool:
    for host in PROBE_HOSTS:
        try:
            socket.create_connection((host, 443), timeout=timeout).close()
        except OSError:
            continue
        return False
    return True


def offline(timeout: float = 1.5) -> bool:
    """True when REPROLAB_OFFLINE or HF_HUB_OFFLINE is set, or neither the Hugging Face Hub nor
    GitHub answers a TCP connection within `timeout` seconds (checked once per process)."""
    return _env_offline() or _hosts_unreachable(timeout)


def go_offline() -> None:
    """Make the Hugging Face libraries stop trying the network (no retries, no waits)."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["HF_DATASETS_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    import huggingface_hub.constants as hub  # it reads HF_HUB_OFFLINE once, at import

    hub.HF_HUB_OFFLINE = True
