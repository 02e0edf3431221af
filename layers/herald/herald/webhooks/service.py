"""Webhook use cases: register an endpoint (its secret shown once), list, delete, enable again,
send a test event, read the delivery log and replay a delivery."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from herald.clock import Clock
from herald.errors import InvalidRequest
from herald.ids import new_id, new_secret
from herald.store.webhooks import DeliveryNotFound, WebhookStore
from herald.webhooks.events import event_id
from herald.webhooks.messages import Queue, message, replay_delivery_id
from herald.webhooks.model import (
    ALIASES,
    EVENT_TYPES,
    TEST_EVENT,
    Delivery,
    Event,
    Webhook,
    WebhookFormat,
    WebhookStatus,
)
from herald.webhooks.targets import parse_target

if TYPE_CHECKING:
    from herald.posts.service import Caller

MAX_WEBHOOKS_PER_PROFILE = 20
MIN_SECRET_LENGTH = 16


def canonical_events(names: list[str]) -> list[str]:
    """The event types asked for, aliases resolved; unknown names are refused."""
    unknown = [n for n in names if n not in EVENT_TYPES and n not in ALIASES]
    if unknown or not names:
        raise InvalidRequest(
            f"Unknown event type(s): {', '.join(unknown)}." if unknown else "Name at least one event type.",
            details=[{"field": "events", "value": n, "allowed": [*EVENT_TYPES, *ALIASES]} for n in unknown]
            or [{"field": "events", "issue": "required"}],
        )
    return list(dict.fromkeys(ALIASES.get(n, n) for n in names))


@dataclass
class WebhookService:
    store: WebhookStore
    queue: Queue
    clock: Clock
    allow_loopback: bool = False

    def create(self, caller: Caller, url: str, events: list[str], *, description: str | None = None,
               secret: str | None = None, fmt: WebhookFormat = WebhookFormat.HERALD,
               action: str | None = None) -> tuple[Webhook, str]:
        parse_target(url, allow_loopback=self.allow_loopback)
        chosen = canonical_events(events)
        # Ayrshare lets its users choose any secret; Herald's own registrations need a strong one.
        shortest = 1 if fmt is WebhookFormat.AYRSHARE else MIN_SECRET_LENGTH
        if secret is not None and len(secret) < shortest:
            raise InvalidRequest(f"A webhook secret needs at least {shortest} characters.",
                                 details=[{"field": "secret", "issue": "too_short"}])
        existing = self.store.for_profile(caller.workspace_id, caller.profile_id)
        if len(existing) >= MAX_WEBHOOKS_PER_PROFILE:
            raise InvalidRequest(f"A profile has at most {MAX_WEBHOOKS_PER_PROFILE} webhooks; delete one first.",
                                 details=[{"field": "url", "issue": "too_many_webhooks"}])
        secret = secret or new_secret("whsec")
        now = self.clock.now()
        webhook = Webhook(id=new_id("wh"), workspace_id=caller.workspace_id, profile_id=caller.profile_id, url=url,
                          events=chosen, format=fmt, action=action, description=description,
                          secret_hint=secret[:9], created_at=now, updated_at=now)
        self.store.add(webhook, secret)
        return webhook, secret

    def list(self, caller: Caller) -> list[Webhook]:
        return sorted(self.store.for_profile(caller.workspace_id, caller.profile_id), key=lambda w: w.id)

    def get(self, caller: Caller, webhook_id: str) -> Webhook:
        return self.store.get(caller.workspace_id, caller.profile_id, webhook_id)

    def delete(self, caller: Caller, webhook_id: str) -> Webhook:
        webhook = self.get(caller, webhook_id)
        self.store.delete(webhook)
        return webhook

    def enable(self, caller: Caller, webhook_id: str) -> Webhook:
        """Deliver to a disabled endpoint again, its failure streak forgotten. Deliveries skipped
        while it was disabled stay in the log and can be replayed."""
        webhook = self.get(caller, webhook_id)
        enabled = webhook.model_copy(update={
            "status": WebhookStatus.ACTIVE, "disabled_reason": None, "disabled_at": None, "consecutive_failures": 0,
            "failing_since": None, "updated_at": self.clock.now(), "version": webhook.version + 1,
        })
        self.store.save(enabled, expected_version=webhook.version)
        return enabled

    def send_test(self, caller: Caller, webhook_id: str) -> str:
        webhook = self.get(caller, webhook_id)
        now = self.clock.now()
        event = Event(id=event_id(TEST_EVENT, webhook.id, now.isoformat()), type=TEST_EVENT, created_at=now,
                      workspace_id=webhook.workspace_id, profile_id=webhook.profile_id,
                      data={"webhook_id": webhook.id, "message": "A test delivery from Herald."})
        delivery = replay_delivery_id(now)
        self.queue.send([message(webhook, event, delivery)])
        return delivery

    def deliveries(self, caller: Caller, webhook_id: str, limit: int, cursor: str | None,
                   status: str | None) -> tuple[list[Delivery], str | None]:
        webhook = self.get(caller, webhook_id)
        return self.store.deliveries(webhook.workspace_id, webhook.id, limit, cursor, status)

    def replay(self, caller: Caller, webhook_id: str, delivery: str) -> str:
        """Send a logged delivery's event again, as a new delivery (same event id, so a consumer
        that already has it can tell)."""
        webhook = self.get(caller, webhook_id)
        found = self.store.get_delivery(webhook.workspace_id, webhook.id, delivery)
        if found is None:
            raise DeliveryNotFound(f"No delivery {delivery} for webhook {webhook_id}.")
        fresh = replay_delivery_id(self.clock.now())
        self.queue.send([message(webhook, found.event, fresh, replay_of=found.id)])
        return fresh
