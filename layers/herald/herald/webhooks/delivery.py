"""The delivery function's work: one queued delivery, one attempt.

- The endpoint is read (deleted: the delivery is dropped; disabled: logged as skipped).
- A delivery already logged as delivered, failed or skipped is not sent again (a duplicate
  message). The attempt number comes from the log.
- The body is signed and POSTed (herald.webhooks.sender). 2xx: delivered. 408, 425, 429, 5xx, a
  timeout or no connection: `RetryLater` with an exponential backoff (capped; a Retry-After is
  honoured), until the first attempt is older than the retry window (3 days), then failed. Any other
  answer (a redirect, another 4xx): failed at once, never retried.
- Every attempt updates the endpoint's failure streak; an endpoint that has failed every attempt
  for long enough (both a count and a duration) is disabled, with the reason in GET /v1/webhooks.
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from herald.clock import Clock
from herald.errors import NotFound
from herald.observability import metrics
from herald.store.webhooks import WebhookStore
from herald.webhooks.formats import render
from herald.webhooks.model import Delivery, DeliveryStatus, Event, Webhook, WebhookStatus
from herald.webhooks.sender import AttemptResult
from herald.webhooks.targets import DeliveryTarget, WebhookUrlRefused, parse_target

log = logging.getLogger(__name__)

FINAL = frozenset({DeliveryStatus.DELIVERED, DeliveryStatus.FAILED, DeliveryStatus.SKIPPED})


class Sender(Protocol):
    def send(self, target: DeliveryTarget, body: bytes, headers: dict[str, str]) -> AttemptResult: ...


class DeadLetters(Protocol):
    def send(self, messages: list[dict[str, Any]]) -> None: ...


class RetryLater(Exception):  # noqa: N818 - a signal, not an error
    def __init__(self, seconds: int) -> None:
        super().__init__(f"retry in {seconds} s")
        self.seconds = seconds


@dataclass(frozen=True)
class RetryPolicy:
    base_seconds: int = 60
    max_seconds: int = 6 * 3600  # under SQS's 12-hour visibility limit
    window: timedelta = timedelta(days=3)
    disable_after_failures: int = 10
    disable_after: timedelta = timedelta(hours=24)
    log_retention: timedelta = timedelta(days=30)

    def delay(self, attempt: int, retry_after: int | None) -> int:
        """Seconds before attempt `attempt + 1`: base * 2^(attempt-1), capped, with up to 10% jitter."""
        wanted = min(self.base_seconds * 2 ** max(attempt - 1, 0), self.max_seconds)
        if retry_after:
            wanted = max(wanted, min(retry_after, self.max_seconds))
        return int(wanted + random.uniform(0, wanted * 0.1))


@dataclass
class Deliverer:
    store: WebhookStore
    sender: Sender
    clock: Clock
    policy: RetryPolicy
    allow_loopback: bool = False
    dead_letters: DeadLetters | None = None

    def handle(self, message: dict[str, Any]) -> DeliveryStatus | None:
        """The delivery's status after this attempt (None: dropped, its endpoint is gone).
        Raises RetryLater when another attempt is due."""
        event = Event.model_validate(message["event"])
        try:
            webhook = self.store.get(message["workspace_id"], message["profile_id"], message["webhook_id"])
        except NotFound:
            log.info("webhook gone, delivery dropped", extra={"delivery_id": message["delivery_id"]})
            return None
        logged = self.store.get_delivery(webhook.workspace_id, webhook.id, message["delivery_id"])
        if logged is not None and logged.status in FINAL:
            return logged.status  # a duplicate message
        now = self.clock.now()
        delivery = logged or Delivery(
            id=message["delivery_id"], workspace_id=webhook.workspace_id, webhook_id=webhook.id, event_id=event.id,
            event_type=event.type, status=DeliveryStatus.RETRYING, queued_at=now, updated_at=now, event=event,
            replay_of=message.get("replay_of"),
        )
        if webhook.status is WebhookStatus.DISABLED:
            return self._log(delivery, DeliveryStatus.SKIPPED, now, error=f"endpoint disabled: {webhook.disabled_reason}")
        if now - delivery.queued_at > self.policy.window and delivery.attempts > 0:
            return self._give_up(message, delivery, now)
        try:
            target = parse_target(webhook.url, allow_loopback=self.allow_loopback)
        except WebhookUrlRefused as refused:
            return self._log(delivery, DeliveryStatus.FAILED, now, error=refused.message)
        attempt = delivery.attempts + 1
        body, headers = render(webhook, event, delivery.id, attempt, self.store.secret(webhook), int(now.timestamp()))
        result = self.sender.send(target, body, headers)
        done = self.clock.now()
        health = self.store.note_attempt(webhook, result.delivered, done)
        changes: dict[str, Any] = {"attempts": attempt, "response_status": result.status, "error": result.error,
                                   "response_excerpt": result.excerpt}
        if result.delivered:
            return self._log(delivery, DeliveryStatus.DELIVERED, done, delivered_at=done, **changes)
        metrics.webhook_attempt_failed()
        if health is not None:
            self._maybe_disable(health, done)
        if not result.retryable:
            return self._log(delivery, DeliveryStatus.FAILED, done, **changes)
        wait = self.policy.delay(attempt, result.retry_after)
        if done + timedelta(seconds=wait) - delivery.queued_at > self.policy.window:
            return self._give_up(message, delivery.model_copy(update=changes), done)
        self._log(delivery, DeliveryStatus.RETRYING, done, next_attempt_at=done + timedelta(seconds=wait), **changes)
        raise RetryLater(wait)

    def _log(self, delivery: Delivery, status: DeliveryStatus, now: datetime, **changes: Any) -> DeliveryStatus:
        changes.setdefault("next_attempt_at", None)
        if status is DeliveryStatus.FAILED:
            metrics.webhook_delivery_failed()
        updated = delivery.model_copy(update={"status": status, "updated_at": now, **changes})
        self.store.put_delivery(updated, now + self.policy.log_retention)
        return status

    def _give_up(self, message: dict[str, Any], delivery: Delivery, now: datetime) -> DeliveryStatus:
        error = f"gave up after {delivery.attempts} attempts over {self.policy.window}: {delivery.error}"
        status = self._log(delivery, DeliveryStatus.FAILED, now, error=error)
        if self.dead_letters is not None:
            self.dead_letters.send([{**message, "reason": error}])
        return status

    def _maybe_disable(self, webhook: Webhook, now: datetime) -> None:
        since = webhook.failing_since
        if (webhook.status is WebhookStatus.ACTIVE and since is not None
                and webhook.consecutive_failures >= self.policy.disable_after_failures
                and now - since >= self.policy.disable_after):
            reason = (f"{webhook.consecutive_failures} attempts in a row failed since {since.isoformat()}; "
                      "enable it again with POST /v1/webhooks/{id}/enable once the receiver works")
            if self.store.disable(webhook, reason, now):
                log.warning("webhook disabled", extra={"webhook_id": webhook.id})
