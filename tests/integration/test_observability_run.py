"""A real publish run through the publish function's handler (moto table, scripted network):
the metrics it writes (published and lag for one network, failed for the other) and its JSON log
lines, every one with the post id."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from test_publishing import add_scheduled_post

from herald.platforms.base import ErrorClass, PlatformError
from support.fake_platform import FakeNetwork
from support.observability import LambdaContext, enable_metrics, metric_values
from support.records import add_account


def test_a_publish_run_writes_its_metrics_and_logs_with_the_post_id(
        publisher: Any, workspace: dict[str, Any], clock: Any, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    from herald import wiring
    from herald.observability.handler import logger
    from herald.publishing.handler import lambda_handler

    enable_metrics(monkeypatch)
    network = FakeNetwork()
    publisher.open_platform = network.open
    monkeypatch.setattr(wiring, "publisher", lambda: publisher)
    x, bluesky = add_account(workspace, clock, platform="x"), add_account(workspace, clock, platform="bluesky")
    post = add_scheduled_post(workspace, clock, x, bluesky, due_in=-30)  # 30 s late: the lag
    network.failing[f"{post.id}:{bluesky.id}"] = PlatformError(ErrorClass.PERMANENT, "duplicate_content", "dup")
    level = logger.log_level
    logger.setLevel(logging.INFO)
    try:
        answer = lambda_handler({"workspace_id": workspace["id"], "post_id": post.id, "schedule_version": 1},
                                LambdaContext())
    finally:
        logger.setLevel(level)
    assert answer["result"] == "partially_published"

    out = capsys.readouterr().out
    assert metric_values(out, "x") == {"PostsPublished": [1.0], "PublishLag": [30.0]}
    assert metric_values(out, "bluesky") == {"TargetsFailed": [1.0]}
    logs = [json.loads(line) for line in out.splitlines() if line.startswith("{") and '"_aws"' not in line]
    assert logs and logs[-1]["message"] == "publish run ended"
    for line in logs:
        assert (line["post_id"], line["workspace_id"]) == (post.id, workspace["id"]), line
