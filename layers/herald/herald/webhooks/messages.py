"""Delivery queue messages: one per (event, endpoint), with its delivery id."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any, Protocol

from herald.ids import ulid
from herald.webhooks.model import Event, Webhook


class Queue(Protocol):
    def send(self, messages: list[dict[str, Any]]) -> None: ...


def delivery_id(event: Event, webhook_id: str) -> str:
    """The same event for the same endpoint always gets the same delivery id (a redelivered stream
    record cannot create a second delivery log entry); ids sort by the event's time."""
    digest = hashlib.sha256(f"{event.id}|{webhook_id}".encode()).hexdigest()
    stamp = ulid(int(event.created_at.timestamp() * 1000))[:10].lower()
    return f"dlv_{stamp}{_b32(int(digest[:20], 16))}"


def replay_delivery_id(now: datetime) -> str:
    return f"dlv_{ulid(int(now.timestamp() * 1000)).lower()}"


def _b32(value: int) -> str:
    alphabet = "0123456789abcdefghjkmnpqrstvwxyz"
    return "".join(alphabet[(value >> (5 * n)) & 31] for n in reversed(range(16)))


def message(webhook: Webhook, event: Event, delivery: str, replay_of: str | None = None) -> dict[str, Any]:
    return {"workspace_id": webhook.workspace_id, "profile_id": webhook.profile_id, "webhook_id": webhook.id,
            "delivery_id": delivery, "event": event.model_dump(mode="json"), "replay_of": replay_of}
