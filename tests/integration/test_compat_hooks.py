"""/api/hook/webhook: Ayrshare's webhook registration on Herald's webhooks, and what an
Ayrshare-format endpoint receives."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from test_webhooks import ScriptedSender, deliverer, post_image, queued, record

from herald.webhooks.model import DeliveryStatus
from support.apigw import ApiClient
from support.clock import FakeClock

HOOK = "https://hooks.example.com/ayr"


def test_register_list_replace_and_unregister(api: ApiClient, trigger: Any) -> None:
    made = api.post("/api/hook/webhook", {"action": "scheduled", "url": HOOK, "secret": "s3cret"})
    assert made.status == 200 and made.body["status"] == "success" and made.body["action"] == "scheduled"
    assert "secret" not in made.body  # the caller chose it
    replaced = api.post("/api/hook/webhook", {"action": "scheduled", "url": HOOK + "/v2"})
    assert replaced.body["secret"].startswith("whsec_")  # Herald made one: shown once
    social = api.post("/api/hook/webhook", {"action": "social", "url": HOOK, "secret": "another"})
    assert social.status == 200
    listed = api.get("/api/hook/webhook").body
    assert sorted((w["action"], w["url"]) for w in listed["webhooks"]) == [("scheduled", HOOK + "/v2"),
                                                                           ("social", HOOK)]
    native = {w["id"]: w for w in api.get("/v1/webhooks").body["webhooks"]}
    assert native[replaced.body["hookId"]]["format"] == "ayrshare"
    assert native[replaced.body["hookId"]]["events"] == ["post.published", "post.partially_published", "post.failed"]
    gone = api.call("DELETE", "/api/hook/webhook", {"action": "social"})
    assert gone.status == 200 and gone.body["status"] == "success"
    assert [w["action"] for w in api.get("/api/hook/webhook").body["webhooks"]] == ["scheduled"]
    again = api.call("DELETE", "/api/hook/webhook", {"action": "social"})
    assert again.status == 404 and again.body["status"] == "error"


def test_bad_registrations_answer_in_ayrshare_shape(api: ApiClient, trigger: Any) -> None:
    for body in ({"action": "feed", "url": HOOK}, {"action": "scheduled", "url": "http://hooks.example.com/x"},
                 {"action": "scheduled", "url": "https://10.1.1.1/x"}, {"action": "scheduled"}, {"url": HOOK}):
        answer = api.post("/api/hook/webhook", body)
        assert answer.status == 400 and answer.body["status"] == "error", (body, answer.body)
        assert answer.body["errors"][0]["action"] in ("webhook", "request")
    assert api.post("/api/hook/webhook", raw_body="{nope").status == 400
    assert api.get("/api/hook/webhook").body["webhooks"] == []


def test_a_scheduled_post_reaches_an_ayrshare_endpoint_in_its_shape(api: ApiClient, workspace: dict[str, Any],
                                                                   trigger: Any) -> None:
    queued()
    api.post("/api/hook/webhook", {"action": "scheduled", "url": HOOK, "secret": "s3cret"})
    from herald import wiring

    immediate = record("MODIFY", post_image(workspace, "publishing", 3), post_image(workspace, "published", 4))
    assert wiring.outbox().handle(immediate) == 0  # Ayrshare sends no webhook for immediate posts
    scheduled = {**post_image(workspace, "published", 4), "scheduled_at": "2030-01-07T08:59:00.000Z",
                 "created_at": "2030-01-07T08:00:00.000Z",
                 "targets": [{"platform": "x", "account_id": "acc_1", "status": "published",
                              "platform_post_id": "1851", "url": "https://x.com/acme/status/1851"}]}
    assert wiring.outbox().handle(record("MODIFY", {**scheduled, "status": "publishing", "version": 3}, scheduled)) == 1
    (message,) = queued()
    sender = ScriptedSender()
    assert deliverer(sender, FakeClock()).handle(message) is DeliveryStatus.DELIVERED
    ((_, body, headers),) = sender.sent
    sent = json.loads(body)
    assert sent["action"] == "scheduled" and sent["status"] == "success" and sent["id"] == "post_1"
    assert sent["postIds"] == [{"platform": "twitter", "status": "success", "id": "1851",
                                "postUrl": "https://x.com/acme/status/1851"}]
    assert headers["X-Authorization-Content-SHA256"] == hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()


def test_a_missing_or_wrong_key_on_api_answers_in_ayrshare_shape(trigger: Any) -> None:
    for client in (ApiClient(None), ApiClient("hk_not_a_key_at_all_0000000000")):
        answer = client.get("/api/user")
        assert answer.status == 401 and answer.body["status"] == "error", answer.body
        assert answer.body["errors"][0]["action"] == "request" and answer.body["heraldCode"] == "unauthenticated"
    native = ApiClient(None).get("/v1/posts")
    assert native.status == 401 and native.error_code == "unauthenticated"  # /v1 keeps its envelope
