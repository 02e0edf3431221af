"""The collection: every target published inside the retention window, grouped per account into
messages that the workers (an SQS-triggered function) turn into metric snapshots. The collector
only reads the tracked-target index and sends messages, so a million targets cost it about 10,000
messages and never a network call."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import groupby
from typing import Any, Protocol

from herald.analytics.model import TrackedTarget
from herald.clock import Clock

log = logging.getLogger(__name__)

# Targets of one account per message: the adapters batch their lookups inside (X 100 ids, Bluesky
# 25, Mastodon 20, Facebook 50), and a message stays far below SQS's 256 KB.
TARGETS_PER_MESSAGE = 100


class WorkQueue(Protocol):
    def send(self, messages: list[dict[str, Any]]) -> None:
        """Send the messages (in batches of at most 10)."""


class TrackedSource(Protocol):
    def tracked_since(self, cutoff: datetime) -> Iterable[TrackedTarget]: ...


def messages_for(targets: Iterable[TrackedTarget]) -> Iterator[dict[str, Any]]:
    """One message per account and up to TARGETS_PER_MESSAGE of its targets; the first message
    of an account also asks for its follower count. `targets` come account by account."""
    for (workspace_id, account_id), group in groupby(targets, key=lambda t: (t.workspace_id, t.account_id)):
        chunk: list[TrackedTarget] = []
        first = True
        for target in group:
            chunk.append(target)
            if len(chunk) == TARGETS_PER_MESSAGE:
                yield _message(workspace_id, account_id, chunk, first)
                chunk, first = [], False
        if chunk:
            yield _message(workspace_id, account_id, chunk, first)


def _message(workspace_id: str, account_id: str, chunk: list[TrackedTarget], followers: bool) -> dict[str, Any]:
    return {"workspace_id": workspace_id, "account_id": account_id, "platform": chunk[0].platform,
            "followers": followers, "targets": [t.model_dump(mode="json") for t in chunk]}


@dataclass
class Collector:
    tracked: TrackedSource
    queue: WorkQueue
    clock: Clock
    retention: timedelta
    send_every: int = 100  # messages buffered before a send

    def run(self) -> dict[str, int]:
        cutoff = self.clock.now() - self.retention
        counts = {"messages": 0, "targets": 0}
        buffer: list[dict[str, Any]] = []
        for message in messages_for(self.tracked.tracked_since(cutoff)):
            buffer.append(message)
            counts["messages"] += 1
            counts["targets"] += len(message["targets"])
            if len(buffer) >= self.send_every:
                self.queue.send(buffer)
                buffer = []
        if buffer:
            self.queue.send(buffer)
        log.info("collection queued", extra=counts)
        return counts
