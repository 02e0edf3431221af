"""boto3 clients, built on first use and reused for the life of the process (a Lambda container).

Every client comes from one boto3 session, so the service catalogue, endpoint rules and
partitions are loaded once; a client is only made when it is first called, so an event that
never needs, say, KMS does not pay for loading KMS's model. Region and endpoint come from the
standard AWS environment (AWS_ENDPOINT_URL points every client at the local cloud). Retries use
botocore's standard mode, which backs off with jitter on throttling, as Scheduler's own docs ask."""

from __future__ import annotations

import threading
from functools import cache
from typing import Any

_lock = threading.Lock()
_session: Any = None


@cache
def _client(service: str) -> Any:
    global _session
    import boto3
    from botocore.config import Config

    from herald.settings import get_settings

    config = Config(retries={"max_attempts": 5, "mode": "standard"}, connect_timeout=5,
                    read_timeout=get_settings().aws_read_timeout_seconds)
    with _lock:  # client creation is not thread-safe on a shared session
        if _session is None:
            _session = boto3.session.Session()
        made = _session.client(service, config=config)
    if service == "dynamodb":  # throttled answers become the DynamoDBThrottles metric
        from herald.observability.metrics import count_aws_throttle

        made.meta.events.register("needs-retry.dynamodb", count_aws_throttle, unique_id="herald-count-throttles")
    return made


class LazyClient:
    """Stands for the service's client and makes it on first attribute access."""

    __slots__ = ("service",)

    def __init__(self, service: str) -> None:
        self.service = service

    def __getattr__(self, name: str) -> Any:
        return getattr(_client(self.service), name)


def client(service: str) -> Any:
    return LazyClient(service)


def reset_clients() -> None:
    """Forget cached clients and the session (tests that switch endpoints or mocks)."""
    global _session
    with _lock:
        _session = None
    _client.cache_clear()
