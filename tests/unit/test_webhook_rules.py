"""Webhooks, the pure parts: signatures, which URLs may receive deliveries, which table changes
are which events, the retry schedule and the Ayrshare-format bodies."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta

import pytest

from herald.webhooks.delivery import RetryPolicy
from herald.webhooks.events import events_for
from herald.webhooks.formats import render, wants
from herald.webhooks.messages import delivery_id, replay_delivery_id
from herald.webhooks.model import Event, Webhook, WebhookFormat, WebhookStatus
from herald.webhooks.sender import AttemptResult
from herald.webhooks.signing import signature, verify
from herald.webhooks.targets import WebhookUrlRefused, parse_target, vetted_addresses

NOW = datetime(2030, 1, 7, 9, 0, tzinfo=UTC)
BODY = b'{"id":"evt_1","type":"post.published"}'

# --- signatures -------------------------------------------------------------------------------


def test_a_signature_is_an_hmac_of_timestamp_dot_body() -> None:
    header = signature("whsec_secret", 1_900_000_000, BODY)
    expected = hmac.new(b"whsec_secret", b"1900000000." + BODY, hashlib.sha256).hexdigest()
    assert header == f"t=1900000000,v1={expected}"
    assert verify(header, BODY, "whsec_secret", now=1_900_000_010)


@pytest.mark.parametrize("change", ["body", "secret", "timestamp", "stale", "garbage"])
def test_a_signature_does_not_verify_anything_else(change: str) -> None:
    header = signature("whsec_secret", 1_900_000_000, BODY)
    body, secret, now = BODY, "whsec_secret", 1_900_000_000
    if change == "body":
        body = BODY.replace(b"published", b"failed")
    elif change == "secret":
        secret = "whsec_other"
    elif change == "timestamp":
        header = header.replace("t=1900000000", "t=1900000001")
    elif change == "stale":
        now += 301
    else:
        header = "v1=abc"
    assert not verify(header, body, secret, now=now)


def test_any_of_several_v1_signatures_may_match() -> None:
    good = signature("whsec_new", 1_900_000_000, BODY)
    header = f"t=1900000000,v1={'0' * 64},{good.split(',')[1]}"
    assert verify(header, BODY, "whsec_new", now=1_900_000_000)


# --- delivery targets ------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["https://hooks.example.com/herald", "https://hooks.example.com:8443/in?x=1",
                                 "https://93.184.216.34/hook"])
def test_public_https_urls_are_accepted(url: str) -> None:
    assert parse_target(url).url == url


@pytest.mark.parametrize(("url", "reason"), [
    ("http://hooks.example.com/in", "uses http"),
    ("https://user:pw@hooks.example.com/in", "user name or password"),
    ("https://10.0.0.5/in", "10.0.0.5"),
    ("https://169.254.169.254/latest/meta-data", "169.254.169.254"),
    ("https://[::ffff:127.0.0.1]/in", "loopback"),
    ("https://127.0.0.1:9000/in", "loopback"),
    ("https://localhost/in", "loopback"),
    ("ftp://hooks.example.com/in", "https URL"),
    ("https://hooks.example.com/in#frag", "fragment"),
    ("https://hooks.example.com/a b", "space"),
])
def test_urls_that_could_reach_inside_are_refused(url: str, reason: str) -> None:
    with pytest.raises(WebhookUrlRefused) as refused:
        parse_target(url)
    assert reason in refused.value.message and refused.value.code == "webhook_url_refused"


def test_the_local_cloud_allows_loopback_receivers_and_nothing_else_private() -> None:
    assert parse_target("http://127.0.0.1:8080/hooks", allow_loopback=True).port == 8080
    assert parse_target("http://localhost:8080/hooks", allow_loopback=True).host == "localhost"
    for url in ("http://10.0.0.5/in", "http://hooks.example.com/in", "https://192.168.1.2/in"):
        with pytest.raises(WebhookUrlRefused):
            parse_target(url, allow_loopback=True)


def test_a_name_resolving_to_any_private_address_is_refused_at_delivery() -> None:
    target = parse_target("https://hooks.example.com/in")
    assert [str(a) for a in vetted_addresses(target, lambda host, port: ["93.184.216.34"])] == ["93.184.216.34"]
    with pytest.raises(WebhookUrlRefused, match="10.1.2.3"):
        vetted_addresses(target, lambda host, port: ["93.184.216.34", "10.1.2.3"])
    with pytest.raises(WebhookUrlRefused):
        vetted_addresses(target, lambda host, port: ["127.0.0.1"])
    assert vetted_addresses(target, lambda host, port: ["127.0.0.1"], allow_loopback=True)


# --- events from table changes ---------------------------------------------------------------


def post(status: str, version: int, scheduled_at: str | None = None, **extra: object) -> dict:
    return {"entity": "post", "PK": "WS#ws_1", "id": "post_1", "workspace_id": "ws_1", "profile_id": "prf_1",
            "status": status, "version": version, "scheduled_at": scheduled_at,
            "updated_at": "2030-01-07T09:00:00.000Z", "targets": [
                {"platform": "x", "account_id": "acc_1", "status": "published", "platform_post_id": "1",
                 "url": "https://x.com/a/status/1"}], **extra}


@pytest.mark.parametrize(("before", "after", "expected"), [
    ("publishing", "published", "post.published"),
    ("publishing", "partially_published", "post.partially_published"),
    ("publishing", "failed", "post.failed"),
    ("scheduled", "cancelled", "post.cancelled"),
    ("draft", "pending_approval", "post.approval_requested"),
    ("published", "published", None),  # a later write (metrics, a reply) is no new event
    ("scheduled", "publishing", None),
])
def test_status_changes_are_post_events(before: str, after: str, expected: str | None) -> None:
    events = events_for("MODIFY", post(before, 3), post(after, 4))
    assert [e.type for e in events] == ([expected] if expected else [])
    if expected:
        assert events[0].data["post"]["targets"][0]["platform_post_id"] == "1"
        assert events[0].profile_id == "prf_1" and events[0].workspace_id == "ws_1"


def test_post_scheduled_is_for_a_future_time_only_and_again_when_moved() -> None:
    future, later = "2030-01-08T09:00:00.000Z", "2030-01-09T09:00:00.000Z"
    assert [e.type for e in events_for("INSERT", None, post("scheduled", 1, future))] == ["post.scheduled"]
    assert events_for("INSERT", None, post("scheduled", 1, None)) == []  # an immediate post
    assert events_for("MODIFY", post("failed", 3, "2030-01-07T08:00:00.000Z"),
                      post("scheduled", 4, "2030-01-07T08:00:00.000Z")) == []  # a retry of a past date
    moved = events_for("MODIFY", post("scheduled", 1, future), post("scheduled", 2, later))
    assert [e.type for e in moved] == ["post.scheduled"]
    assert events_for("MODIFY", post("scheduled", 1, future), post("scheduled", 2, future)) == []


def test_the_same_change_always_gives_the_same_event_id() -> None:
    first = events_for("MODIFY", post("publishing", 3), post("published", 4))[0]
    again = events_for("MODIFY", post("publishing", 3), post("published", 4))[0]
    other = events_for("MODIFY", post("publishing", 5), post("published", 6))[0]
    assert first.id == again.id != other.id


def test_accounts_disconnected_by_the_network_or_removed() -> None:
    account = {"entity": "account", "PK": "WS#ws_1", "id": "acc_1", "workspace_id": "ws_1", "profile_id": "prf_1",
               "platform": "x", "name": "Acme", "status": "active", "version": 1,
               "updated_at": "2030-01-07T09:00:00.000Z", "sealed_credentials": b"secret"}
    broken = {**account, "status": "reconnect_required", "status_reason": "token revoked", "version": 2}
    (event,) = events_for("MODIFY", account, broken)
    assert event.type == "account.disconnected" and event.data["reason"] == "token revoked"
    assert event.data["source"] == "system" and "sealed_credentials" not in json.dumps(event.data, default=str)
    assert events_for("MODIFY", broken, {**broken, "version": 3}) == []
    (removed,) = events_for("REMOVE", account, None)
    assert removed.data["source"] == "user"


def test_spike_signals_and_mentions_are_events() -> None:
    signal = {"entity": "signal", "PK": "WS#ws_1", "SK": "SIGNAL#prf_1#2030-01-07T09:00:00.000Z#post_1#acc_1",
              "kind": "engagement_spike", "profile_id": "prf_1", "post_id": "post_1", "account_id": "acc_1",
              "at": "2030-01-07T09:00:00.000Z", "engagements_per_hour": 40.0}
    (spike,) = events_for("INSERT", None, signal)
    assert spike.type == "analytics.engagement_spike" and spike.data["post_id"] == "post_1"
    mention = {"entity": "mention", "PK": "WS#ws_1", "workspace_id": "ws_1", "profile_id": "prf_1",
               "account_id": "acc_1", "platform": "bluesky", "mention_id": "at://did/app.bsky.feed.post/1",
               "text": "@acme hi", "received_at": "2030-01-07T09:00:00.000Z"}
    (received,) = events_for("INSERT", None, mention)
    assert received.type == "mention.received" and received.data["mention"]["text"] == "@acme hi"
    assert events_for("MODIFY", mention, mention) == []


# --- delivery ids and retries ----------------------------------------------------------------


def event(kind: str = "post.published", immediate: bool = False) -> Event:
    return Event(id="evt_1", type=kind, created_at=NOW, workspace_id="ws_1", profile_id="prf_1",
                 data={"post": {"id": "post_1", "immediate": immediate, "targets": [
                     {"platform": "x", "status": "published", "platform_post_id": "1", "url": "https://x.com/1"},
                     {"platform": "linkedin", "status": "failed", "error": {"code": "rate_limited", "message": "later"}},
                 ]}})


def test_delivery_ids_are_stable_per_event_and_endpoint_and_sort_by_time() -> None:
    assert delivery_id(event(), "wh_1") == delivery_id(event(), "wh_1") != delivery_id(event(), "wh_2")
    assert len(delivery_id(event(), "wh_1")) == len("dlv_") + 26
    assert replay_delivery_id(NOW + timedelta(seconds=1)) > delivery_id(event(), "wh_1")


def test_backoff_doubles_from_the_base_up_to_the_cap_and_honours_retry_after() -> None:
    policy = RetryPolicy(base_seconds=60, max_seconds=3600)
    delays = [policy.delay(n, None) for n in range(1, 9)]
    for wanted, got in zip([60, 120, 240, 480, 960, 1920, 3600, 3600], delays, strict=True):
        assert wanted <= got <= wanted * 1.1
    assert policy.delay(1, 600) >= 600 and policy.delay(1, 99999) <= 3600 * 1.1


@pytest.mark.parametrize(("status", "retryable"), [
    (None, True), (408, True), (425, True), (429, True), (500, True), (503, True),
    (400, False), (401, False), (404, False), (410, False), (301, False), (200, False),
])
def test_what_is_worth_another_attempt(status: int | None, retryable: bool) -> None:
    assert AttemptResult(status=status).retryable is retryable


# --- formats ---------------------------------------------------------------------------------


def hook(fmt: WebhookFormat = WebhookFormat.HERALD, action: str | None = None,
         events: tuple[str, ...] = ("post.published", "post.failed")) -> Webhook:
    return Webhook(id="wh_1", workspace_id="ws_1", profile_id="prf_1", url="https://h.example.com/in",
                   events=list(events), format=fmt, action=action, secret_hint="whsec_ab", created_at=NOW,
                   updated_at=NOW)


def test_herald_bodies_are_the_event_signed_with_headers_naming_it() -> None:
    body, headers = render(hook(), event(), "dlv_1", 2, "whsec_secret", 1_900_000_000)
    assert json.loads(body)["id"] == "evt_1" and headers["Herald-Event-Type"] == "post.published"
    assert headers["Herald-Delivery-Attempt"] == "2" and headers["Herald-Delivery-Id"] == "dlv_1"
    assert verify(headers["Herald-Signature"], body, "whsec_secret", now=1_900_000_000)


def test_ayrshare_scheduled_action_gets_its_body_and_headers_for_scheduled_posts_only() -> None:
    ayr = hook(WebhookFormat.AYRSHARE, "scheduled", ("post.published", "post.partially_published", "post.failed"))
    assert wants(ayr, event()) and not wants(ayr, event(immediate=True))
    assert wants(hook(), event(immediate=True))  # Herald's own format: every post
    partial = event("post.partially_published")
    body, headers = render(ayr, partial, "dlv_1", 1, "whsec_secret", 1_900_000_000)
    sent = json.loads(body)
    assert sent["action"] == "scheduled" and sent["status"] == "error" and sent["id"] == "post_1"
    assert sent["postIds"] == [{"platform": "twitter", "status": "success", "id": "1", "postUrl": "https://x.com/1"}]
    assert sent["errors"][0]["platform"] == "linkedin" and sent["errors"][0]["action"] == "post"
    assert headers["X-Authorization-Timestamp"] == "1900000000"
    assert headers["X-Authorization-Content-SHA256"] == hmac.new(b"whsec_secret", body, hashlib.sha256).hexdigest()


def test_a_disabled_endpoint_wants_nothing() -> None:
    assert not wants(hook().model_copy(update={"status": WebhookStatus.DISABLED}), event())
