"""Reading what a handler wrote: EMF metric lines (powertools' documented way: capture stdout and
parse the JSON) and the JSON log lines of the `herald` logger."""

from __future__ import annotations

import io
import json
import logging
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest


def enable_metrics(monkeypatch: pytest.MonkeyPatch) -> None:
    """EMF output on (the local cloud and other tests may have it off)."""
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "false")
    monkeypatch.setenv("POWERTOOLS_DEV", "false")


def emf_blobs(stdout: str) -> list[dict[str, Any]]:
    blobs = []
    for line in stdout.splitlines():
        line = line.strip()
        if line.startswith("{") and '"_aws"' in line:
            blobs.append(json.loads(line))
    return blobs


def metric_values(stdout: str, network: str | None = None) -> dict[str, list[float]]:
    """Metric name -> values written for `network` (None: the metrics without a network)."""
    found: dict[str, list[float]] = defaultdict(list)
    for blob in emf_blobs(stdout):
        if blob.get("network") != network:
            continue
        for directive in blob["_aws"]["CloudWatchMetrics"]:
            assert directive["Namespace"] == "Herald"
            for metric in directive["Metrics"]:
                values = blob[metric["Name"]]
                found[metric["Name"]] += values if isinstance(values, list) else [values]
    return dict(found)


@contextmanager
def json_logs(level: int = logging.INFO) -> Iterator[list[dict[str, Any]]]:
    """The `herald` logger's lines written inside, parsed (the list fills when the block ends)."""
    from herald.observability.handler import logger

    handler = logger.registered_handler
    stream = io.StringIO()
    old_stream, old_level = handler.stream, logger.log_level
    handler.setStream(stream)
    logger.setLevel(level)
    lines: list[dict[str, Any]] = []
    try:
        yield lines
    finally:
        handler.setStream(old_stream)
        logger.setLevel(old_level)
        lines += [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


class LambdaContext:
    memory_limit_in_mb = 512

    def __init__(self, function_name: str = "herald-publish", request_id: str = "req-1") -> None:
        self.function_name = function_name
        self.invoked_function_arn = f"arn:aws:lambda:us-east-1:123456789012:function:{function_name}"
        self.aws_request_id = request_id

    def get_remaining_time_in_millis(self) -> int:
        return 30_000
