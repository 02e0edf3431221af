"""Herald's metrics as a Lambda writes them (EMF lines on stdout, read back as powertools' testing
guide does): a publish run's published, failed and lag per network, webhook failures through the
webhooks handler, throttled DynamoDB answers, and nothing when off or outside an invocation."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest

from herald.observability import metrics, runs
from herald.posts.model import Post, PostStatus, PostTarget, TargetStatus
from herald.webhooks.model import Event, Webhook
from herald.webhooks.sender import AttemptResult
from support.clock import FakeClock
from support.observability import LambdaContext, emf_blobs, enable_metrics, metric_values

AT = datetime(2030, 1, 7, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def metrics_on(monkeypatch: pytest.MonkeyPatch) -> None:
    enable_metrics(monkeypatch)


def post(*targets: PostTarget, status: PostStatus = PostStatus.PUBLISHING) -> Post:
    return Post(id="post_1", workspace_id="ws_1", profile_id="prof_1", status=status, text="Launch",
                scheduled_at=AT, due_at=AT, targets=list(targets), created_at=AT - timedelta(hours=1),
                updated_at=AT)


def target(platform: str, account: str, status: TargetStatus = TargetStatus.PENDING,
           published_at: datetime | None = None) -> PostTarget:
    return PostTarget(platform=platform, account_id=account, status=status, published_at=published_at)


def test_a_publish_run_writes_published_failed_and_lag_per_network(capsys: pytest.CaptureFixture[str]) -> None:
    claimed = post(target("x", "acc_x"), target("bluesky", "acc_bsky"),
                   target("mastodon", "acc_m", TargetStatus.PUBLISHED, AT))  # done by an earlier run
    settled = post(target("x", "acc_x", TargetStatus.PUBLISHED, AT + timedelta(seconds=42)),
                   target("bluesky", "acc_bsky", TargetStatus.FAILED),
                   target("mastodon", "acc_m", TargetStatus.PUBLISHED, AT), status=PostStatus.PARTIALLY_PUBLISHED)
    with metrics.invocation():
        runs.publish_run(claimed, settled)
    out = capsys.readouterr().out
    assert metric_values(out, "x") == {"PostsPublished": [1.0], "PublishLag": [42.0]}
    assert metric_values(out, "bluesky") == {"TargetsFailed": [1.0]}
    assert metric_values(out, "mastodon") == {}  # published before this run: not counted again
    for blob in emf_blobs(out):
        (directive,) = blob["_aws"]["CloudWatchMetrics"]
        # per network, and the same values once more over all networks (what the alarms read)
        assert directive["Dimensions"] == [["network", "service"], ["service"]]
        assert blob["service"] == "herald"
        assert {m["Name"]: m["Unit"] for m in directive["Metrics"]} == {
            name: metrics.METRICS[name].unit for name in directive and blob if name in metrics.METRICS}


def test_lag_is_never_negative_and_a_target_left_for_review_is_counted(capsys: pytest.CaptureFixture[str]) -> None:
    claimed = post(target("x", "acc_x"), target("threads", "acc_t", TargetStatus.SENDING))
    settled = post(target("x", "acc_x", TargetStatus.PUBLISHED, AT - timedelta(seconds=3)),  # a clock ahead
                   target("threads", "acc_t", TargetStatus.NEEDS_REVIEW))
    with metrics.invocation():
        runs.publish_run(claimed, settled)
    out = capsys.readouterr().out
    assert metric_values(out, "x")["PublishLag"] == [0.0]
    assert metric_values(out, "threads") == {"TargetsNeedingReview": [1.0]}


def test_a_retry_left_pending_is_no_outcome(capsys: pytest.CaptureFixture[str]) -> None:
    claimed = post(target("x", "acc_x"))
    with metrics.invocation():
        runs.publish_run(claimed, post(target("x", "acc_x"), status=PostStatus.SCHEDULED))
    assert capsys.readouterr().out == ""


def test_nothing_is_written_outside_an_invocation_or_when_metrics_are_off(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    metrics.target_failed("x")  # a domain call outside any handler: dropped
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "true")
    with metrics.invocation():
        metrics.target_failed("x")
        metrics.sweeper_found(3)
    assert capsys.readouterr().out == ""


def test_a_metric_is_recorded_per_network_exactly_when_it_is_a_per_network_metric() -> None:
    with pytest.raises(ValueError):
        metrics._record(metrics.TARGETS_FAILED, 1)
    with pytest.raises(ValueError):
        metrics._record(metrics.SWEEPER_FINDS, 1, "x")


def test_the_sweeper_writes_what_it_found(capsys: pytest.CaptureFixture[str]) -> None:
    from herald.publishing.sweeper import Sweeper

    handed: list[Any] = []
    due = SimpleNamespace(due=lambda now, limit: [("ws_1", "post_1"), ("ws_1", "post_2")])
    trigger = SimpleNamespace(publish_soon=handed.append)
    with metrics.invocation():
        Sweeper(posts=due, trigger=trigger, clock=FakeClock()).run()  # type: ignore[arg-type]
    assert metric_values(capsys.readouterr().out) == {"SweeperFinds": [2.0]}
    assert len(handed) == 2


# --- webhooks, through the function's handler ------------------------------------------------

class FakeWebhookStore:
    def __init__(self, webhook: Webhook) -> None:
        self.webhook = webhook
        self.deliveries: dict[str, Any] = {}

    def get(self, workspace_id: str, profile_id: str, webhook_id: str) -> Webhook:
        return self.webhook

    def get_delivery(self, workspace_id: str, webhook_id: str, delivery_id: str) -> Any:
        return self.deliveries.get(delivery_id)

    def note_attempt(self, webhook: Webhook, delivered: bool, now: datetime) -> None:
        return None

    def put_delivery(self, delivery: Any, expires_at: datetime) -> None:
        self.deliveries[delivery.id] = delivery

    def secret(self, webhook: Webhook) -> str:
        return "whsec_test"


class ScriptedSender:
    def __init__(self, *answers: AttemptResult) -> None:
        self.answers = list(answers)

    def send(self, target: Any, body: bytes, headers: dict[str, str]) -> AttemptResult:
        return self.answers.pop(0)


def sqs_record(delivery_id: str) -> dict[str, Any]:
    event = Event(id="evt_1", type="post.failed", created_at=AT, workspace_id="ws_1", profile_id="prof_1",
                  data={"post": {"id": "post_1"}})
    body = {"delivery_id": delivery_id, "webhook_id": "wh_1", "workspace_id": "ws_1", "profile_id": "prof_1",
            "event": event.model_dump(mode="json")}
    return {"messageId": delivery_id, "receiptHandle": f"rh-{delivery_id}", "body": json.dumps(body),
            "attributes": {}, "messageAttributes": {}, "md5OfBody": "", "eventSource": "aws:sqs",
            "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:webhooks", "awsRegion": "us-east-1"}


def test_webhook_failures_are_written_by_the_webhooks_handler(capsys: pytest.CaptureFixture[str],
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from herald import wiring
    from herald.webhooks.delivery import Deliverer, RetryPolicy
    from herald.webhooks.handlers import deliver

    webhook = Webhook(id="wh_1", workspace_id="ws_1", profile_id="prof_1", url="https://hooks.example.com/in",
                      events=["post.failed"], secret_hint="whsec_", created_at=AT, updated_at=AT)
    # The first delivery is refused for good (410: failed at once); the second meets a 503 (retried).
    sender = ScriptedSender(AttemptResult(status=410), AttemptResult(status=503))
    worker = Deliverer(store=FakeWebhookStore(webhook), sender=sender, clock=FakeClock(AT),  # type: ignore[arg-type]
                       policy=RetryPolicy())
    delayed: list[dict[str, Any]] = []
    sqs = SimpleNamespace(change_message_visibility=lambda **kw: delayed.append(kw))
    monkeypatch.setattr(wiring, "deliverer", lambda: worker)
    monkeypatch.setattr(wiring, "webhook_queue_client", lambda: (sqs, "https://sqs.example/webhooks"))

    answer = deliver({"Records": [sqs_record("dlv_1"), sqs_record("dlv_2")]}, LambdaContext("herald-webhooks"))

    assert answer == {"batchItemFailures": [{"itemIdentifier": "dlv_2"}]}
    assert len(delayed) == 1
    assert metric_values(capsys.readouterr().out) == {"WebhookAttemptsFailed": [1.0, 1.0],
                                                      "WebhookDeliveriesFailed": [1.0]}


def test_throttled_dynamodb_answers_are_counted_once_registered_with_the_client(
        capsys: pytest.CaptureFixture[str]) -> None:
    from botocore.awsrequest import AWSResponse

    from herald import aws
    from herald.observability.handler import observed

    aws.reset_clients()
    try:
        @observed()
        def handler(event: Any, context: Any) -> None:
            client = aws.client("dynamodb")
            answer = AWSResponse("https://dynamodb.us-east-1.amazonaws.com/", 400, {}, None)
            for code in ("ProvisionedThroughputExceededException", "ThrottlingException", "ValidationException"):
                # What botocore emits after each attempt, before deciding on a retry.
                client.meta.events.emit(
                    "needs-retry.dynamodb.GetItem", response=(answer, {"Error": {"Code": code}}), attempts=1,
                    caught_exception=None, operation=client.meta.service_model.operation_model("GetItem"),
                    request_dict={"context": {}}, endpoint=None)

        handler({}, LambdaContext())
        handler({}, LambdaContext())  # registered once: still one count per throttled answer
    finally:
        aws.reset_clients()
    written = [metric_values(blob) for blob in capsys.readouterr().out.splitlines()]
    assert written == [{"DynamoDBThrottles": [1.0, 1.0]}, {"DynamoDBThrottles": [1.0, 1.0]}]
