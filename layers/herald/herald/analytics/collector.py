"""The collection: every target published inside the retention window, grouped per account into
messages that the workers (an SQS-triggered function) turn into metric snapshots, and every
account whose mentions are read. The collector only reads two indexes and sends messages, so a
million targets cost it about 10,000 messages and never a network call.

Mentions. The accounts whose mentions are read come from the mentions index (GSI1 `MENTIONS#`,
kept by the account store while an account is active on a network that reads mentions). The
first message of such an account also asks for its mentions (`"mentions": true`); an account
with no tracked target gets a message of its own, without targets, asking for its mentions only.
The watched accounts are held in memory while the targets are walked (a set of ids: a hundred
thousand accounts are a few megabytes)."""

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


class Watched(Protocol):
    workspace_id: str
    account_id: str
    platform: str


class MentionWatches(Protocol):
    def mention_watches(self) -> Iterable[Watched]: ...


def messages_for(targets: Iterable[TrackedTarget],
                 watched: dict[tuple[str, str], str] | None = None) -> Iterator[dict[str, Any]]:
    """One message per account and up to TARGETS_PER_MESSAGE of its targets; the first message
    of an account also asks for its follower count, and for its mentions when the account is in
    `watched` ((workspace, account) -> platform), which loses the accounts it meets. Then one
    mentions-only message for each account left in `watched`. `targets` come account by account."""
    watched = {} if watched is None else watched
    for (workspace_id, account_id), group in groupby(targets, key=lambda t: (t.workspace_id, t.account_id)):
        mentions = watched.pop((workspace_id, account_id), None) is not None
        chunk: list[TrackedTarget] = []
        first = True
        for target in group:
            chunk.append(target)
            if len(chunk) == TARGETS_PER_MESSAGE:
                yield _message(workspace_id, account_id, chunk[0].platform, chunk, first, first and mentions)
                chunk, first = [], False
        if chunk:
            yield _message(workspace_id, account_id, chunk[0].platform, chunk, first, first and mentions)
    for (workspace_id, account_id), platform in watched.items():
        yield _message(workspace_id, account_id, platform, [], followers=False, mentions=True)


def _message(workspace_id: str, account_id: str, platform: str, chunk: list[TrackedTarget], followers: bool,
             mentions: bool) -> dict[str, Any]:
    message = {"workspace_id": workspace_id, "account_id": account_id, "platform": platform,
               "followers": followers, "targets": [t.model_dump(mode="json") for t in chunk]}
    if mentions:
        message["mentions"] = True
    return message


@dataclass
class Collector:
    tracked: TrackedSource
    queue: WorkQueue
    clock: Clock
    retention: timedelta
    watches: MentionWatches | None = None  # None: no mentions are read
    send_every: int = 100  # messages buffered before a send

    def run(self) -> dict[str, int]:
        cutoff = self.clock.now() - self.retention
        counts = {"messages": 0, "targets": 0, "mention_reads": 0}
        watched = {(w.workspace_id, w.account_id): w.platform for w in self.watches.mention_watches()} \
            if self.watches is not None else {}
        buffer: list[dict[str, Any]] = []
        for message in messages_for(self.tracked.tracked_since(cutoff), watched):
            buffer.append(message)
            counts["messages"] += 1
            counts["targets"] += len(message["targets"])
            counts["mention_reads"] += bool(message.get("mentions"))
            if len(buffer) >= self.send_every:
                self.queue.send(buffer)
                buffer = []
        if buffer:
            self.queue.send(buffer)
        log.info("collection queued", extra=counts)
        return counts
