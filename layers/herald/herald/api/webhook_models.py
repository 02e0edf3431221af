"""Request and response bodies of /v1/webhooks."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field

from herald.pydantic_base import Model
from herald.webhooks.model import ALIASES, EVENT_TYPES, Delivery, Webhook

EventName = Annotated[str, Field(min_length=1, max_length=64,
                                 description="One of: " + ", ".join([*EVENT_TYPES, *ALIASES]))]


class CreateWebhookRequest(Model):
    model_config = ConfigDict(extra="forbid")

    url: Annotated[str, Field(min_length=1, max_length=2048, description="https only (http for loopback in the local cloud)")]
    events: Annotated[list[EventName], Field(min_length=1, max_length=20)]
    description: Annotated[str | None, Field(max_length=256)] = None


class WebhookResponse(Model):
    id: str
    url: str
    events: list[str]
    format: Literal["herald", "ayrshare"]
    action: str | None = None
    description: str | None = None
    status: Literal["active", "disabled"]
    disabled_reason: str | None = Field(default=None, description="Why deliveries stopped (a notice to act on)")
    disabled_at: datetime | None = None
    consecutive_failures: int
    failing_since: datetime | None = None
    last_delivery_at: datetime | None = None
    secret_hint: str
    created_at: datetime

    @classmethod
    def of(cls, webhook: Webhook) -> WebhookResponse:
        return cls.model_validate(webhook.model_dump(exclude={"workspace_id", "profile_id", "version", "updated_at"}))


class WebhookCreatedResponse(WebhookResponse):
    secret: str = Field(description="The signing secret, shown this once")


class WebhookListResponse(Model):
    webhooks: list[WebhookResponse]


class DeliveryQueuedResponse(Model):
    delivery_id: str
    status: Literal["queued"] = "queued"


class DeliveryResponse(Model):
    id: str
    event_id: str
    event_type: str
    status: Literal["retrying", "delivered", "failed", "skipped"]
    attempts: int
    response_status: int | None = None
    error: str | None = None
    response_excerpt: str | None = None
    next_attempt_at: datetime | None = None
    queued_at: datetime
    updated_at: datetime
    delivered_at: datetime | None = None
    replay_of: str | None = None
    event: dict[str, Any]

    @classmethod
    def of(cls, delivery: Delivery) -> DeliveryResponse:
        values = delivery.model_dump(mode="json", exclude={"workspace_id", "webhook_id"})
        return cls.model_validate(values)


class DeliveryListResponse(Model):
    deliveries: list[DeliveryResponse]
    cursor: str | None = None
