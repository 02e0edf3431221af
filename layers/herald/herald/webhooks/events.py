"""The events a change in the table means (pure: a stream record's images in, events out).

- a post entering `scheduled` for a future time (or moved to another time while scheduled):
  `post.scheduled`; entering `pending_approval`, `published`, `partially_published`, `failed` or
  `cancelled`: the matching `post.*` event. Immediate and scheduled posts alike; `data.post.
  immediate` tells them apart.
- an account turning `reconnect_required`, or deleted: `account.disconnected`;
- a new `engagement_spike` signal: `analytics.engagement_spike`;
- a new mention: `mention.received`.

An event's id is a hash of what caused it (the post's id and version, the signal's key...), so a
stream record delivered twice gives the same event, and consumers can deduplicate on it."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from herald.posts.model import asked_for_later
from herald.webhooks.model import Event

_POST_EVENTS = {
    "pending_approval": "post.approval_requested",
    "published": "post.published",
    "partially_published": "post.partially_published",
    "failed": "post.failed",
    "cancelled": "post.cancelled",
}
_TARGET_FIELDS = ("platform", "account_id", "status", "platform_post_id", "url", "published_at", "error", "attempts")
_POST_FIELDS = ("id", "status", "text", "title", "scheduled_at", "timezone", "published_at", "campaign_id", "tags",
                "tracking_id", "notes", "created_at", "updated_at")


def event_id(*parts: object) -> str:
    digest = hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()
    return f"evt_{digest[:32]}"


def _workspace(image: dict[str, Any]) -> str:
    return str(image.get("workspace_id") or str(image.get("PK", "")).removeprefix("WS#").split("#", 1)[0])


def post_summary(post: dict[str, Any]) -> dict[str, Any]:
    summary = {name: post.get(name) for name in _POST_FIELDS if post.get(name) not in (None, [], "")}
    scheduled = _at(post["scheduled_at"]) if post.get("scheduled_at") else None
    created = post.get("created_at")
    summary["immediate"] = not asked_for_later(scheduled, _at(created)) if created else scheduled is None
    summary["targets"] = [
        {name: t.get(name) for name in _TARGET_FIELDS if t.get(name) is not None} for t in post.get("targets") or []
    ]
    return summary


def events_for(event_name: str, old: dict[str, Any] | None, new: dict[str, Any] | None) -> list[Event]:
    """The events one stream record means (most mean none)."""
    entity = (new or old or {}).get("entity")
    if entity == "post" and new is not None:
        return _post_events(old or {}, new)
    if entity == "account":
        return _account_events(event_name, old, new)
    if event_name == "INSERT" and new is not None and entity == "signal" and new.get("kind") == "engagement_spike":
        return [_spike_event(new)]
    if event_name == "INSERT" and new is not None and entity == "mention":
        return [_mention_event(new)]
    return []


def _post_events(old: dict[str, Any], new: dict[str, Any]) -> list[Event]:
    before, after = old.get("status"), new.get("status")
    kind: str | None = None
    if after == "scheduled":
        future = new.get("scheduled_at") is not None and str(new["scheduled_at"]) > str(new.get("updated_at") or "")
        moved = before != "scheduled" or old.get("scheduled_at") != new.get("scheduled_at")
        kind = "post.scheduled" if future and moved else None
    elif after != before:
        kind = _POST_EVENTS.get(str(after))
    if kind is None:
        return []
    return [Event(
        id=event_id(kind, new["id"], new.get("version")), type=kind, created_at=_at(new.get("updated_at")),
        workspace_id=_workspace(new), profile_id=str(new["profile_id"]), data={"post": post_summary(new)},
    )]


def _account_events(event_name: str, old: dict[str, Any] | None, new: dict[str, Any] | None) -> list[Event]:
    if event_name == "REMOVE" and old is not None:
        account, reason, source, at = old, "The account was removed from Herald.", "user", None
    elif new is not None and new.get("status") == "reconnect_required" and (old or {}).get("status") != "reconnect_required":
        account, reason, source, at = new, new.get("status_reason"), "system", new.get("updated_at")
    else:
        return []
    data = {"account": {name: account.get(name) for name in
                        ("id", "platform", "name", "username", "display_name", "platform_user_id")
                        if account.get(name) is not None},
            "reason": reason, "source": source}
    return [Event(
        id=event_id("account.disconnected", account["id"], account.get("version"), event_name),
        type="account.disconnected", created_at=_at(at or account.get("updated_at")),
        workspace_id=_workspace(account), profile_id=str(account["profile_id"]), data=data,
    )]


def _spike_event(signal: dict[str, Any]) -> Event:
    details = {k: v for k, v in signal.items() if k not in ("PK", "SK", "entity", "kind", "profile_id", "expires_at")}
    return Event(
        id=event_id("analytics.engagement_spike", signal["SK"]), type="analytics.engagement_spike",
        created_at=_at(signal.get("at")), workspace_id=_workspace(signal), profile_id=str(signal["profile_id"]),
        data=details,
    )


def _mention_event(mention: dict[str, Any]) -> Event:
    details = {k: v for k, v in mention.items()
               if k not in ("PK", "SK", "GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK", "entity", "workspace_id", "profile_id",
                            "expires_at")}
    return Event(
        id=event_id("mention.received", mention.get("account_id"), mention.get("mention_id")), type="mention.received",
        created_at=_at(mention.get("received_at") or mention.get("created_at")), workspace_id=_workspace(mention),
        profile_id=str(mention["profile_id"]), data={"mention": details},
    )


def _at(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
