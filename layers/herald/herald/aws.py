"""boto3 clients, built on first use and reused for the life of the process (a Lambda container).

Region and endpoint come from the standard AWS environment (AWS_ENDPOINT_URL points every
client at the local cloud). Retries use botocore's standard mode, which backs off with jitter on
throttling, as Scheduler's own docs ask."""

from __future__ import annotations

import threading
from functools import cache
from typing import Any

_lock = threading.Lock()


@cache
def _client(service: str) -> Any:
    import boto3
    from botocore.config import Config

    from herald.settings import get_settings

    config = Config(retries={"max_attempts": 5, "mode": "standard"}, connect_timeout=5,
                    read_timeout=get_settings().aws_read_timeout_seconds)
    with _lock:  # client creation is not thread-safe on a shared session
        return boto3.session.Session().client(service, config=config)


def client(service: str) -> Any:
    return _client(service)


def reset_clients() -> None:
    """Forget cached clients (tests that switch endpoints or mocks)."""
    _client.cache_clear()
