"""Structured logs: every JSON line a handler writes for a piece of work carries its post id (and
workspace, network, delivery where known), package modules' own loggers included, and nothing is
left over for the next invocation. The API's lines carry API Gateway's request id."""

from __future__ import annotations

import json
import logging
from types import SimpleNamespace
from typing import Any

import pytest

from herald.observability.logs import log_keys
from support.observability import LambdaContext, json_logs

POST_A = "post_01hzzzzzzzzzzzzzzzzzzzzzza"
POST_B = "post_01hzzzzzzzzzzzzzzzzzzzzzzb"


class LoggingPublisher:
    """Logs the way the run does: from the package's module loggers, per target inside log_keys."""

    def run(self, request: Any) -> Any:
        runner = logging.getLogger("herald.publishing.runner")
        runner.info("claimed")
        for network in ("x", "bluesky"):
            with log_keys(network=network, account_id=f"acc_{network}"):
                logging.getLogger("herald.publishing.session").warning("token refresh ahead of expiry failed")
        runner.info("settled")
        return SimpleNamespace(result="published", reason="")


def test_every_line_of_a_publish_run_carries_the_post_and_nothing_leaks_into_the_next(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from herald import wiring
    from herald.publishing.handler import lambda_handler

    monkeypatch.setattr(wiring, "publisher", lambda: LoggingPublisher())
    with json_logs() as lines:
        lambda_handler({"workspace_id": "ws_a", "post_id": POST_A, "schedule_version": 1}, LambdaContext())
        lambda_handler({"workspace_id": "ws_b", "post_id": POST_B, "schedule_version": 1}, LambdaContext())
    assert [line["message"] for line in lines] == ["claimed", "token refresh ahead of expiry failed",
                                                   "token refresh ahead of expiry failed", "settled",
                                                   "publish run ended"] * 2
    first, second = lines[:5], lines[5:]
    for run, (post_id, workspace_id) in ((first, (POST_A, "ws_a")), (second, (POST_B, "ws_b"))):
        for line in run:
            assert (line["post_id"], line["workspace_id"]) == (post_id, workspace_id), line
            assert line["function_name"] == "herald-publish" and line["service"] == "herald"
        assert [line.get("network") for line in run] == [None, "x", "bluesky", None, None]
    assert lines[-1]["result"] == "published"


def test_a_webhook_delivery_lines_carry_the_delivery_and_its_post(monkeypatch: pytest.MonkeyPatch) -> None:
    from herald import wiring
    from herald.webhooks.handlers import deliver

    class LoggingDeliverer:
        def handle(self, message: dict[str, Any]) -> None:
            logging.getLogger("herald.webhooks.delivery").warning("webhook disabled")

    monkeypatch.setattr(wiring, "deliverer", lambda: LoggingDeliverer())
    body = {"delivery_id": "dlv_1", "webhook_id": "wh_1", "workspace_id": "ws_a", "profile_id": "prof_1",
            "event": {"id": "evt_1", "type": "post.published", "data": {"post": {"id": POST_A}}}}
    record = {"messageId": "m1", "receiptHandle": "rh", "body": json.dumps(body), "attributes": {},
              "messageAttributes": {}, "md5OfBody": "", "eventSource": "aws:sqs", "eventSourceARN": "arn", "awsRegion": ""}
    with json_logs() as lines:
        deliver({"Records": [record]}, LambdaContext("herald-webhooks"))
    (line,) = lines
    assert {k: line.get(k) for k in ("delivery_id", "webhook_id", "workspace_id", "event_type", "post_id")} == {
        "delivery_id": "dlv_1", "webhook_id": "wh_1", "workspace_id": "ws_a", "event_type": "post.published",
        "post_id": POST_A}


def test_an_analytics_collection_lines_carry_the_account_network_and_posts(monkeypatch: pytest.MonkeyPatch) -> None:
    from herald import wiring
    from herald.analytics.handlers import work

    class LoggingWorker:
        def handle(self, message: dict[str, Any]) -> None:
            logging.getLogger("herald.analytics.worker").warning("metrics refused")

    monkeypatch.setattr(wiring, "collection_worker", lambda: LoggingWorker())
    body = {"workspace_id": "ws_a", "account_id": "acc_x", "platform": "x", "followers": False,
            "targets": [{"post_id": POST_A}, {"post_id": POST_B}]}
    record = {"messageId": "m1", "receiptHandle": "rh", "body": json.dumps(body), "attributes": {},
              "messageAttributes": {}, "md5OfBody": "", "eventSource": "aws:sqs", "eventSourceARN": "arn", "awsRegion": ""}
    with json_logs() as lines:
        work({"Records": [record]}, LambdaContext("herald-analytics-worker"))
    (line,) = lines
    assert (line["workspace_id"], line["account_id"], line["network"]) == ("ws_a", "acc_x", "x")
    assert line["post_ids"] == [POST_A, POST_B]


def test_api_lines_carry_the_request_id_the_workspace_and_the_post_of_the_path(monkeypatch: pytest.MonkeyPatch) -> None:
    from herald.api import gate
    from herald.api import handler as api_handler
    from herald.workspaces.model import Principal

    def admit(event: dict[str, Any]) -> None:
        gate.current_principal.set(Principal.model_construct(workspace_id="ws_a", key_id="key_1"))

    def resolve(event: dict[str, Any], context: Any) -> dict[str, Any]:
        logging.getLogger("herald.publishing.deleter").warning("adapter failed to delete")
        return {"statusCode": 200}

    monkeypatch.setattr(api_handler, "admit", admit)
    monkeypatch.setattr(api_handler, "resolve", resolve)
    event = {"rawPath": f"/v1/posts/{POST_A}", "requestContext": {"requestId": "apigw-req-7",
                                                                  "http": {"method": "DELETE"}}}
    compat = {"rawPath": "/api/post", "body": json.dumps({"id": POST_B}),
              "requestContext": {"requestId": "apigw-req-8", "http": {"method": "DELETE"}}}
    with json_logs() as lines:
        api_handler.lambda_handler(event, LambdaContext("herald-api"))
        api_handler.lambda_handler(compat, LambdaContext("herald-api"))
    assert [(line["correlation_id"], line["workspace_id"], line["post_id"]) for line in lines] == [
        ("apigw-req-7", "ws_a", POST_A), ("apigw-req-8", "ws_a", POST_B)]


def test_log_keys_put_back_what_was_there() -> None:
    from herald.observability.handler import logger

    with log_keys(network="x", post_id=POST_A):
        with log_keys(network="bluesky", account_id=None):
            assert logger.thread_safe_get_current_keys()["network"] == "bluesky"
            assert "account_id" not in logger.thread_safe_get_current_keys()
        assert logger.thread_safe_get_current_keys()["network"] == "x"
    assert not {"network", "post_id"} & set(logger.thread_safe_get_current_keys())
