"""The outbox: the stream function hands each table change here; the events it means go, one
message per subscribed endpoint, to the delivery queue. Message ids (delivery ids) are derived
from the event and the endpoint, so a stream batch delivered twice makes the same deliveries,
which the delivery function recognises and does not send again."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from herald.store.codec import from_item
from herald.store.webhooks import WebhookStore
from herald.webhooks.events import events_for
from herald.webhooks.formats import wants
from herald.webhooks.messages import Queue, delivery_id, message

log = logging.getLogger(__name__)


@dataclass
class Outbox:
    store: WebhookStore
    queue: Queue

    def handle(self, record: Mapping[str, Any]) -> int:
        """How many deliveries the record queued."""
        change = record.get("dynamodb") or {}
        new = from_item(change["NewImage"]) if change.get("NewImage") else None
        old = from_item(change["OldImage"]) if change.get("OldImage") else None
        messages = []
        for event in events_for(str(record.get("eventName")), old, new):
            for webhook in self.store.for_profile(event.workspace_id, event.profile_id):
                if wants(webhook, event):
                    messages.append(message(webhook, event, delivery_id(event, webhook.id)))
        if messages:
            self.queue.send(messages)
            log.info("webhook deliveries queued", extra={"deliveries": len(messages)})
        return len(messages)
