"""Webhooks against the moto table and queues: the API, the outbox turning stream records into
queued deliveries, and the delivery function's decisions (delivered, refused, retried with
backoff, given up, duplicates, disabled endpoints)."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from herald.webhooks.delivery import Deliverer, RetryLater, RetryPolicy
from herald.webhooks.model import DeliveryStatus
from herald.webhooks.sender import AttemptResult
from herald.webhooks.signing import verify
from support.apigw import ApiClient
from support.clock import FakeClock
from support.records import add_account

HOOK = "https://hooks.example.com/herald"


def queued(drain: bool = True) -> list[dict[str, Any]]:
    """The messages on the delivery queue (received, then deleted)."""
    from herald.aws import client
    from herald.settings import get_settings

    sqs, url = client("sqs"), get_settings().webhook_queue_url
    found = []
    while True:
        answer = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0)
        messages = answer.get("Messages", [])
        if not messages:
            return found
        for m in messages:
            found.append(json.loads(m["Body"]))
            if drain:
                sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])


@pytest.fixture
def empty_queue(trigger: Any) -> None:
    queued()


# --- the API --------------------------------------------------------------------------------


def test_register_list_and_delete_a_webhook(api: ApiClient, empty_queue: None) -> None:
    created = api.post("/v1/webhooks", {"url": HOOK, "events": ["post.published", "social.post_failed"],
                                        "description": "CRM"})
    assert created.status == 201, created.body
    secret = created.body["secret"]
    assert secret.startswith("whsec_") and created.body["secret_hint"] == secret[:9]
    assert created.body["events"] == ["post.published", "post.failed"] and created.body["status"] == "active"
    listed = api.get("/v1/webhooks")
    assert [w["id"] for w in listed.body["webhooks"]] == [created.body["id"]]
    assert "secret" not in listed.body["webhooks"][0]  # shown once
    assert api.get(f"/v1/webhooks/{created.body['id']}").body["description"] == "CRM"
    assert api.delete(f"/v1/webhooks/{created.body['id']}").status == 200
    assert api.get(f"/v1/webhooks/{created.body['id']}").error_code == "webhook_not_found"


@pytest.mark.parametrize(("body", "code"), [
    ({"url": "http://hooks.example.com/in", "events": ["post.published"]}, "webhook_url_refused"),
    ({"url": "https://10.0.0.1/in", "events": ["post.published"]}, "webhook_url_refused"),
    ({"url": "http://127.0.0.1:9/in", "events": ["post.published"]}, "webhook_url_refused"),
    ({"url": HOOK, "events": ["post.exploded"]}, "invalid_request"),
    ({"url": HOOK, "events": []}, "validation_error"),
    ({"url": HOOK}, "validation_error"),
    ({"url": HOOK, "events": ["post.published"], "secret": "mine"}, "validation_error"),
    ("not json at all", "validation_error"),
])
def test_bad_registrations_are_refused_with_a_stable_code(api: ApiClient, body: Any, code: str) -> None:
    answer = api.post("/v1/webhooks", raw_body=body) if isinstance(body, str) else api.post("/v1/webhooks", body)
    assert answer.status == 422 and answer.error_code == code, answer.body
    assert api.get("/v1/webhooks").body["webhooks"] == []


def test_other_profiles_and_roles(api: ApiClient, workspace: dict[str, Any]) -> None:
    from herald import wiring
    from herald.workspaces.model import Role

    hook = api.post("/v1/webhooks", {"url": HOOK, "events": ["post.published"]}).body
    other = wiring.workspace_service().create_profile(workspace["id"], "Other brand")
    elsewhere = ApiClient(workspace["key"], profile_key=other.profile_key)
    assert elsewhere.get(f"/v1/webhooks/{hook['id']}").status == 404
    assert elsewhere.get("/v1/webhooks").body["webhooks"] == []
    viewer = wiring.workspace_service().issue_key(workspace["id"], "viewer", Role.VIEWER).secret
    assert ApiClient(viewer).get("/v1/webhooks").status == 200
    assert ApiClient(viewer).post("/v1/webhooks", {"url": HOOK, "events": ["post.published"]}).status == 403
    assert ApiClient(viewer).delete(f"/v1/webhooks/{hook['id']}").status == 403
    stranger = wiring.workspace_service().create_workspace("another")[2].secret
    assert ApiClient(stranger).get(f"/v1/webhooks/{hook['id']}").status == 404


def test_test_and_replay_queue_deliveries(api: ApiClient, empty_queue: None) -> None:
    hook = api.post("/v1/webhooks", {"url": HOOK, "events": ["post.published"]}).body
    sent = api.post(f"/v1/webhooks/{hook['id']}/test")
    assert sent.status == 202
    (message,) = queued()
    assert message["delivery_id"] == sent.body["delivery_id"] and message["event"]["type"] == "webhook.test"
    assert api.post(f"/v1/webhooks/{hook['id']}/deliveries/dlv_00000000000000000000000000/replay").status == 404
    assert api.post(f"/v1/webhooks/{hook['id']}/deliveries/nonsense/replay").error_code == "delivery_not_found"
    assert api.get(f"/v1/webhooks/{hook['id']}/deliveries", query={"cursor": "bad"}).status == 422


# --- the outbox -----------------------------------------------------------------------------


def record(event_name: str, old: dict[str, Any] | None, new: dict[str, Any] | None) -> dict[str, Any]:
    from herald.store.codec import to_item

    change: dict[str, Any] = {}
    if old is not None:
        change["OldImage"] = to_item(old)
    if new is not None:
        change["NewImage"] = to_item(new)
    return {"eventName": event_name, "dynamodb": change}


def post_image(workspace: dict[str, Any], status: str, version: int) -> dict[str, Any]:
    return {"PK": f"WS#{workspace['id']}", "entity": "post", "id": "post_1", "workspace_id": workspace["id"],
            "profile_id": workspace["profile_id"], "status": status, "version": version,
            "updated_at": "2030-01-07T09:00:00.000Z", "targets": []}


def test_the_outbox_queues_one_delivery_per_subscribed_endpoint_and_the_same_ids_twice(
        api: ApiClient, workspace: dict[str, Any], empty_queue: None) -> None:
    from herald import wiring

    wanted = api.post("/v1/webhooks", {"url": HOOK, "events": ["post.published"]}).body
    api.post("/v1/webhooks", {"url": HOOK + "/failures", "events": ["post.failed"]})
    change = record("MODIFY", post_image(workspace, "publishing", 3), post_image(workspace, "published", 4))
    assert wiring.outbox().handle(change) == 1
    assert wiring.outbox().handle(change) == 1  # the stream delivered the record again
    first, again = queued()
    assert first == again and first["webhook_id"] == wanted["id"]
    assert first["event"]["type"] == "post.published" and first["event"]["data"]["post"]["id"] == "post_1"
    nothing = record("MODIFY", post_image(workspace, "published", 4), post_image(workspace, "published", 5))
    assert wiring.outbox().handle(nothing) == 0


# --- the delivery function -----------------------------------------------------------------


class ScriptedSender:
    def __init__(self, *answers: AttemptResult) -> None:
        self.answers = list(answers)
        self.sent: list[tuple[str, bytes, dict[str, str]]] = []

    def send(self, target: Any, body: bytes, headers: dict[str, str]) -> AttemptResult:
        self.sent.append((target.url, body, headers))
        return self.answers.pop(0) if self.answers else AttemptResult(status=200)


class Letters:
    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []

    def send(self, messages: list[dict[str, Any]]) -> None:
        self.sent += messages


def deliverer(sender: ScriptedSender, clock: FakeClock, letters: Letters | None = None, **policy: Any) -> Deliverer:
    from herald import wiring

    return Deliverer(store=wiring.webhook_store(), sender=sender, clock=clock,
                     policy=RetryPolicy(**{"base_seconds": 60, **policy}), dead_letters=letters)


@pytest.fixture
def delivery(api: ApiClient, workspace: dict[str, Any], empty_queue: None) -> dict[str, Any]:
    """A registered webhook and one queued delivery of a `post.published` event for it."""
    from herald import wiring

    hook = api.post("/v1/webhooks", {"url": HOOK, "events": ["post.published"]}).body
    wiring.outbox().handle(record("MODIFY", post_image(workspace, "publishing", 3),
                                  post_image(workspace, "published", 4)))
    (message,) = queued()
    return {"hook": hook, "message": message}


def log_of(api: ApiClient, hook: dict[str, Any]) -> list[dict[str, Any]]:
    return api.get(f"/v1/webhooks/{hook['id']}/deliveries").body["deliveries"]


def test_a_delivered_event_is_signed_logged_and_not_sent_twice(api: ApiClient, delivery: dict[str, Any],
                                                               clock: FakeClock) -> None:
    sender = ScriptedSender(AttemptResult(status=204))
    worker = deliverer(sender, clock)
    assert worker.handle(delivery["message"]) is DeliveryStatus.DELIVERED
    assert worker.handle(delivery["message"]) is DeliveryStatus.DELIVERED  # a duplicate message
    ((url, body, headers),) = sender.sent
    assert url == HOOK and verify(headers["Herald-Signature"], body, delivery["hook"]["secret"],
                                  now=int(clock.now().timestamp()))
    (logged,) = log_of(api, delivery["hook"])
    assert logged["status"] == "delivered" and logged["attempts"] == 1 and logged["response_status"] == 204
    assert api.get(f"/v1/webhooks/{delivery['hook']['id']}").body["last_delivery_at"] is not None


def test_server_errors_are_retried_with_backoff_then_delivered(api: ApiClient, delivery: dict[str, Any],
                                                               clock: FakeClock) -> None:
    sender = ScriptedSender(AttemptResult(status=503, error="answered HTTP 503"), AttemptResult(status=None,
                            error="no answer within 10 seconds"), AttemptResult(status=200))
    worker = deliverer(sender, clock)
    waits = []
    for _ in range(2):
        with pytest.raises(RetryLater) as later:
            worker.handle(delivery["message"])
        waits.append(later.value.seconds)
        (logged,) = log_of(api, delivery["hook"])
        assert logged["status"] == "retrying" and logged["next_attempt_at"] is not None
        clock.advance(seconds=later.value.seconds)
    assert 60 <= waits[0] <= 66 and 120 <= waits[1] <= 132
    assert worker.handle(delivery["message"]) is DeliveryStatus.DELIVERED
    assert [h["Herald-Delivery-Attempt"] for _, _, h in sender.sent] == ["1", "2", "3"]
    assert api.get(f"/v1/webhooks/{delivery['hook']['id']}").body["consecutive_failures"] == 0


@pytest.mark.parametrize("status", [400, 401, 404, 410, 302])
def test_other_answers_fail_at_once_and_are_never_retried(api: ApiClient, delivery: dict[str, Any],
                                                         clock: FakeClock, status: int) -> None:
    sender = ScriptedSender(AttemptResult(status=status, error=f"answered HTTP {status}", excerpt="nope"))
    assert deliverer(sender, clock).handle(delivery["message"]) is DeliveryStatus.FAILED
    assert deliverer(sender, clock).handle(delivery["message"]) is DeliveryStatus.FAILED
    assert len(sender.sent) == 1
    (logged,) = log_of(api, delivery["hook"])
    assert logged["status"] == "failed" and logged["response_excerpt"] == "nope"


def test_retries_stop_after_the_window_and_the_message_goes_to_the_dead_letter_queue(
        api: ApiClient, delivery: dict[str, Any], clock: FakeClock) -> None:
    sender = ScriptedSender(*[AttemptResult(status=500, error="answered HTTP 500")] * 50)
    letters = Letters()
    worker = deliverer(sender, clock, letters, window=timedelta(hours=3), disable_after_failures=1000)
    attempts = 0
    while True:
        try:
            status = worker.handle(delivery["message"])
            break
        except RetryLater as later:
            attempts += 1
            clock.advance(seconds=later.seconds)
    assert status is DeliveryStatus.FAILED and 5 <= len(sender.sent) <= 8
    (logged,) = log_of(api, delivery["hook"])
    assert logged["status"] == "failed" and "gave up" in logged["error"]
    assert letters.sent[0]["delivery_id"] == delivery["message"]["delivery_id"]


def test_an_endpoint_failing_for_long_enough_is_disabled_with_a_notice_then_enabled(
        api: ApiClient, delivery: dict[str, Any], clock: FakeClock) -> None:
    sender = ScriptedSender(*[AttemptResult(status=500, error="answered HTTP 500")] * 10)
    worker = deliverer(sender, clock, disable_after_failures=3, disable_after=timedelta(minutes=5))
    for _ in range(4):
        try:
            worker.handle(delivery["message"])
        except RetryLater as later:
            clock.advance(seconds=later.seconds)
    hook = api.get(f"/v1/webhooks/{delivery['hook']['id']}").body
    assert hook["status"] == "disabled" and "attempts in a row failed" in hook["disabled_reason"]
    assert worker.handle(delivery["message"]) is DeliveryStatus.SKIPPED  # not sent while disabled
    assert len(sender.sent) == 4
    assert log_of(api, delivery["hook"])[0]["status"] == "skipped"
    enabled = api.post(f"/v1/webhooks/{delivery['hook']['id']}/enable").body
    assert enabled["status"] == "active" and enabled["consecutive_failures"] == 0 and enabled["disabled_reason"] is None
    replay = api.post(f"/v1/webhooks/{delivery['hook']['id']}/deliveries/{log_of(api, delivery['hook'])[0]['id']}/replay")
    (again,) = queued()
    assert again["delivery_id"] == replay.body["delivery_id"] and again["event"] == delivery["message"]["event"]
    assert deliverer(ScriptedSender(), clock).handle(again) is DeliveryStatus.DELIVERED


def test_a_deleted_endpoint_drops_its_deliveries(api: ApiClient, delivery: dict[str, Any], clock: FakeClock) -> None:
    api.delete(f"/v1/webhooks/{delivery['hook']['id']}")
    sender = ScriptedSender()
    assert deliverer(sender, clock).handle(delivery["message"]) is None and sender.sent == []


def test_the_handler_delays_a_retry_through_the_visibility_timeout(delivery: dict[str, Any],
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from herald import wiring
    from herald.webhooks.handlers import deliver
    from support.apigw import Context

    calls: list[dict[str, Any]] = []

    class Sqs:
        def change_message_visibility(self, **kwargs: Any) -> None:
            calls.append(kwargs)

    monkeypatch.setattr(wiring, "deliverer", lambda: deliverer(ScriptedSender(AttemptResult(status=502)), FakeClock()))
    monkeypatch.setattr(wiring, "webhook_queue_client", lambda: (Sqs(), "https://queue"))
    event = {"Records": [{"messageId": "m1", "receiptHandle": "rh-1", "body": json.dumps(delivery["message"]),
                          "attributes": {"ApproximateReceiveCount": "1"}, "messageAttributes": {},
                          "eventSource": "aws:sqs", "eventSourceARN": "arn:aws:sqs:us-east-1:1:q", "awsRegion": "us-east-1"}]}
    assert deliver(event, Context()) == {"batchItemFailures": [{"itemIdentifier": "m1"}]}
    assert calls == [{"QueueUrl": "https://queue", "ReceiptHandle": "rh-1", "VisibilityTimeout": calls[0]["VisibilityTimeout"]}]
    assert 60 <= calls[0]["VisibilityTimeout"] <= 66


def test_account_disconnected_reaches_subscribers(api: ApiClient, workspace: dict[str, Any], empty_queue: None) -> None:
    from herald import wiring
    from herald.accounts.model import AccountStatus
    from herald.store.codec import from_item

    api.post("/v1/webhooks", {"url": HOOK, "events": ["social.account_disconnected"]})
    account = add_account(workspace)
    db = wiring.account_store()
    old = from_item(db._row(account))
    broken = account.model_copy(update={"status": AccountStatus.RECONNECT_REQUIRED, "status_reason": "revoked", "version": 2})
    new = from_item(db._row(broken))
    assert wiring.outbox().handle(record("MODIFY", old, new)) == 1
    (message,) = queued()
    assert message["event"]["type"] == "account.disconnected"
    assert message["event"]["data"]["account"]["id"] == account.id and "sealed" not in json.dumps(message)
