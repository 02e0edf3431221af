"""Webhook endpoints, the events they receive and the log of each delivery."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import ConfigDict, Field

from herald.pydantic_base import Model

# Every event type, and the names other products use that mean the same (accepted when subscribing).
EVENT_TYPES = (
    "post.scheduled",
    "post.published",
    "post.partially_published",
    "post.failed",
    "post.cancelled",
    "post.approval_requested",
    "account.disconnected",
    "analytics.engagement_spike",
    "mention.received",
)
ALIASES = {
    "social.post_published": "post.published",
    "social.post_failed": "post.failed",
    "social.engagement_spike": "analytics.engagement_spike",
    "social.account_disconnected": "account.disconnected",
}
TEST_EVENT = "webhook.test"  # sent by POST /v1/webhooks/{id}/test to that endpoint only


class WebhookFormat(StrEnum):
    HERALD = "herald"  # Herald's event envelope and signature
    AYRSHARE = "ayrshare"  # registered through /api/hook/webhook: Ayrshare's bodies and headers


class WebhookStatus(StrEnum):
    ACTIVE = "active"
    DISABLED = "disabled"  # after failing for too long; enabled again by the user


class Webhook(Model):
    model_config = ConfigDict(frozen=True)

    id: str
    workspace_id: str
    profile_id: str
    url: str
    events: list[str]
    format: WebhookFormat = WebhookFormat.HERALD
    action: str | None = None  # the Ayrshare action it was registered for
    description: str | None = None
    status: WebhookStatus = WebhookStatus.ACTIVE
    disabled_reason: str | None = None
    disabled_at: datetime | None = None
    consecutive_failures: int = 0
    failing_since: datetime | None = None
    last_delivery_at: datetime | None = None
    secret_hint: str  # the first characters, to recognise the secret
    created_at: datetime
    updated_at: datetime
    version: int = 1

    def wants(self, event_type: str) -> bool:
        return self.status is WebhookStatus.ACTIVE and event_type in self.events


class Event(Model):
    """What happened, as every endpoint of the profile receives it. `id` is derived from the
    change that caused it, so the same change always gives the same id (consumers deduplicate
    on it: delivery is at least once)."""

    model_config = ConfigDict(frozen=True)

    id: str
    type: str
    created_at: datetime
    workspace_id: str
    profile_id: str
    data: dict[str, Any] = Field(default_factory=dict)


class DeliveryStatus(StrEnum):
    RETRYING = "retrying"  # failed in a way worth another attempt; one is due at next_attempt_at
    DELIVERED = "delivered"
    FAILED = "failed"  # refused for good (a 4xx other than 408, 425, 429), or retried for too long
    SKIPPED = "skipped"  # the endpoint was disabled or deleted before the attempt


class Delivery(Model):
    model_config = ConfigDict(frozen=True)

    id: str
    workspace_id: str
    webhook_id: str
    event_id: str
    event_type: str
    status: DeliveryStatus
    attempts: int = 0
    response_status: int | None = None
    error: str | None = None
    response_excerpt: str | None = None
    next_attempt_at: datetime | None = None
    queued_at: datetime
    updated_at: datetime
    delivered_at: datetime | None = None
    replay_of: str | None = None
    event: Event  # kept for replays
