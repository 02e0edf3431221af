"""What an endpoint receives for an event: the body and headers of its format.

- `herald`: the event envelope `{id, type, created_at, workspace_id, profile_id, data}`, signed
  with `Herald-Signature`.
- `ayrshare` (endpoints registered through /api/hook/webhook): the body of the Ayrshare action the
  endpoint registered for (`scheduled`, `social`, `mentions`) with Ayrshare's headers
  (`X-Authorization-Timestamp`, `X-Authorization-Content-SHA256`: hex HMAC-SHA256 of the raw body)
  and Herald's signature too."""

from __future__ import annotations

import json
from typing import Any

from herald import __version__
from herald.webhooks.model import TEST_EVENT, Event, Webhook, WebhookFormat
from herald.webhooks.signing import body_hmac, signature

USER_AGENT = f"Herald-Webhooks/{__version__}"

# Ayrshare's actions and the Herald events behind them.
AYRSHARE_ACTIONS: dict[str, tuple[str, ...]] = {
    "scheduled": ("post.published", "post.partially_published", "post.failed"),
    "social": ("account.disconnected",),
    "mentions": ("mention.received",),
}
AYRSHARE_NAMES = {"x": "twitter", "google_business": "gmb"}


def ayrshare_name(network: str) -> str:
    return AYRSHARE_NAMES.get(network, network)


def wants(webhook: Webhook, event: Event) -> bool:
    """Whether the endpoint receives the event: subscribed, active, and for Ayrshare's `scheduled`
    action only posts that were scheduled (Ayrshare sends no webhook for immediate posts)."""
    if not webhook.wants(event.type):
        return False
    if webhook.format is WebhookFormat.AYRSHARE and webhook.action == "scheduled":
        return not event.data.get("post", {}).get("immediate", False)
    return True


def render(webhook: Webhook, event: Event, delivery_id: str, attempt: int, secret: str, now: int) -> tuple[bytes, dict[str, str]]:
    if webhook.format is WebhookFormat.AYRSHARE:
        body = _compact(_ayrshare_body(webhook, event))
        extra = {"X-Authorization-Timestamp": str(now), "X-Authorization-Content-SHA256": body_hmac(secret, body),
                 "X-Ayrshare-Delivery-Id": delivery_id, "X-Ayrshare-Delivery-Attempt": str(attempt)}
    else:
        body = _compact(event.model_dump(mode="json"))
        extra = {}
    headers = {
        "User-Agent": USER_AGENT,
        "Herald-Event-Id": event.id,
        "Herald-Event-Type": event.type,
        "Herald-Delivery-Id": delivery_id,
        "Herald-Delivery-Attempt": str(attempt),
        "Herald-Signature": signature(secret, now, body),
        **extra,
    }
    return body, headers


def _compact(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


def _ayrshare_body(webhook: Webhook, event: Event) -> dict[str, Any]:
    created = event.created_at.isoformat().replace("+00:00", "Z")
    common = {"action": webhook.action, "created": created, "code": 200, "refId": event.profile_id,
              "hookId": event.id, "url": webhook.url}
    if event.type == TEST_EVENT:
        return {**common, "status": "success", "test": True, "message": "A test delivery from Herald."}
    if event.type == "account.disconnected":
        account = event.data.get("account", {})
        return {**common, "type": "unlink", "source": event.data.get("source", "system"),
                "platform": ayrshare_name(str(account.get("platform", ""))),
                "displayName": account.get("display_name") or account.get("name"),
                "details": {"status": "error", "message": event.data.get("reason")}}
    if event.type == "mention.received":
        mention = event.data.get("mention", {})
        return {**common, "platform": ayrshare_name(str(mention.get("platform", ""))), "mention": mention}
    post = event.data.get("post", {})
    ok = event.type == "post.published"
    return {**common, "status": "success" if ok else "error", "id": post.get("id"),
            "postIds": [_post_id(t) for t in post.get("targets", []) if t.get("status") == "published"],
            "errors": [_error(t) for t in post.get("targets", []) if t.get("status") != "published"]}


def _post_id(target: dict[str, Any]) -> dict[str, Any]:
    return {"platform": ayrshare_name(target["platform"]), "status": "success", "id": target.get("platform_post_id"),
            "postUrl": target.get("url")}


def _error(target: dict[str, Any]) -> dict[str, Any]:
    error = target.get("error") or {}
    return {"action": "post", "status": "error", "platform": ayrshare_name(target["platform"]),
            "code": error.get("code", target.get("status")), "message": error.get("message", "Not published.")}
