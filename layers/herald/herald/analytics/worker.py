"""A collection worker: one message (an account and some of its targets) becomes snapshots, and
the account's new mentions when the message asks for them, and the account's own metrics where its
network reports per account rather than per post (summed over INSIGHTS_DAYS, kept when changed).

The adapter's `metrics` asks the network in its batch sizes; a target's snapshot is written only
when its metrics changed since the last one, together with the target's new last metrics (one
transaction, conditional on the last collection time the message carried, so two overlapping
collections cannot both write). A transient network failure raises, so SQS delivers the message
again; an account that must be reconnected is marked and skipped.

Mentions are read after the snapshots are written, from the cursor the account's last read
stored. Each new one is kept once (a conditional put per account and network id), then the
cursor moves on (never backwards). A failure of the mentions read is handled as one of the metrics
(a transient one raises: the redelivered message finds its snapshots written and writes nothing
twice). An account's first read (no read before: it was just connected, or its network just
started reading mentions) keeps nothing: it only sets the cursor, so connecting an account does
not deliver its history as new mentions."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from herald.accounts.model import Account, AccountStatus
from herald.accounts.tokens import needing_reconnect
from herald.analytics.model import Mention, Snapshot, TrackedTarget, normalized
from herald.clock import Clock
from herald.errors import AccountNotFound, ConcurrentModification
from herald.platforms.base import ErrorClass, Platform, PlatformError
from herald.store.accounts import AccountStore
from herald.store.analytics import AnalyticsStore

log = logging.getLogger(__name__)

# The days an account's own metrics are summed over (Google Business Profile's performance reports).
INSIGHTS_DAYS = 28


@dataclass
class CollectionWorker:
    accounts: AccountStore
    analytics: AnalyticsStore
    clock: Clock
    open_platform: Callable[[Account], Any]
    retention: timedelta

    def handle(self, message: dict[str, Any]) -> dict[str, int]:
        counts = {"snapshots": 0, "unchanged": 0, "missing": 0, "mentions": 0, "insights": 0}
        try:
            account = self.accounts.get(message["workspace_id"], message["account_id"])
        except AccountNotFound:
            return counts
        if account.status is AccountStatus.RECONNECT_REQUIRED:
            return counts
        targets = [TrackedTarget.model_validate(t) for t in message["targets"]]
        now = self.clock.now()
        what = "metrics"
        try:
            with self.open_platform(self.accounts.open(account)) as platform:
                found = platform.metrics([t.platform_post_id for t in targets]) if targets else {}
                followers = platform.identity().followers if message.get("followers") else None
                account = self._record_metrics(account, targets, found, followers, now, counts)
                if (message.get("followers") or message.get("mentions")) and type(platform).reports_account_metrics():
                    what = "account metrics"
                    counts["insights"] = self._record_insights(account, platform, now)
                if message.get("mentions") and type(platform).may_read_mentions(account.permissions):
                    what = "mentions"
                    counts["mentions"] = self._read_mentions(account, platform, now)
        except PlatformError as error:
            if error.error_class is ErrorClass.RECONNECT:
                self._reconnect(account, error.message)
                return counts
            if error.error_class in (ErrorClass.RETRY, ErrorClass.REFRESH):
                raise  # SQS delivers the message again after its visibility timeout
            log.warning("%s refused", what, extra={"account_id": account.id, "code": error.code})
        return counts

    def _record_metrics(self, account: Account, targets: list[TrackedTarget], found: dict[str, dict[str, int]],
                        followers: int | None, now: datetime, counts: dict[str, int]) -> Account:
        """Snapshots of the targets whose metrics changed, and the follower count; the account as
        it now stands."""
        for target in targets:
            metrics = normalized(found.get(target.platform_post_id, {}))
            if not metrics:
                counts["missing"] += 1  # deleted on the network, or nothing the network measures
            elif metrics == target.last_metrics:
                counts["unchanged"] += 1
            elif self._record(target, metrics, found.get(target.platform_post_id, {}), now):
                counts["snapshots"] += 1
        if followers is not None:
            return self._record_followers(account, followers, now)
        return account

    def _record_insights(self, account: Account, platform: Platform, now: datetime) -> int:
        """The account's own metrics over the INSIGHTS_DAYS days before today (networks report a
        day once it is over, and revise recent days), kept when they changed: 1, else 0."""
        today = now.date()
        metrics = {k: v for k, v in platform.account_metrics(today - timedelta(days=INSIGHTS_DAYS), today
                                                              - timedelta(days=1)).items() if isinstance(v, int)}
        if not metrics:
            return 0
        last = self.analytics.account_insights(account.workspace_id, account.id, latest=True)
        if last and last[0].metrics == metrics and last[0].window_days == INSIGHTS_DAYS:
            return 0
        self.analytics.record_account_insights(account.workspace_id, account.id, now, INSIGHTS_DAYS, metrics,
                                               now + self.retention)
        return 1

    def _read_mentions(self, account: Account, platform: Platform, now: datetime) -> int:
        """The account's mentions since its cursor, kept; then the cursor moved on. The number of
        mentions new to Herald."""
        state = self.analytics.mention_state(account.workspace_id, account.id)
        if state is None:  # the account's mentions are no longer read (it was deleted meanwhile)
            return 0
        page = platform.mentions(state.cursor)
        kept = 0
        if state.read:  # the first read only sets where the next one starts
            for found in page.mentions:
                mention = Mention(
                    workspace_id=account.workspace_id, profile_id=account.profile_id, account_id=account.id,
                    platform=account.platform, mention_id=found.platform_mention_id,
                    author_handle=found.author_handle, author_name=found.author_name, text=found.text,
                    url=found.url, created_at=found.created_at,
                    in_reply_to_platform_post_id=found.in_reply_to_platform_post_id, received_at=now,
                )
                kept += self.analytics.record_mention(mention, now + self.retention)
        if not state.read or page.cursor != state.cursor:
            self.analytics.advance_mention_cursor(account.workspace_id, account.id, page.cursor, now)
        return kept

    def _record(self, target: TrackedTarget, metrics: dict[str, int], native: dict[str, Any], now: Any) -> bool:
        snapshot = Snapshot(
            workspace_id=target.workspace_id, profile_id=target.profile_id, post_id=target.post_id,
            account_id=target.account_id, platform=target.platform, collected_at=now,
            published_at=target.published_at, metrics=metrics, post_type=target.post_type,
            campaign_id=target.campaign_id, native={k: v for k, v in native.items() if k not in metrics},
        )
        return self.analytics.record_snapshot(snapshot, target.last_collected_at, now + self.retention)

    def _record_followers(self, account: Account, followers: int, now: Any) -> Account:
        if followers == account.followers:
            return account
        self.analytics.record_followers(account.workspace_id, account.id, now, followers, now + self.retention)
        changed = account.model_copy(update={"followers": followers, "version": account.version + 1,
                                             "updated_at": now})
        try:
            self.accounts.save(changed, expected_version=account.version)
        except ConcurrentModification:
            return account  # the account changed meanwhile; the next collection records the count again
        return changed

    def _reconnect(self, account: Account, reason: str) -> None:
        try:
            self.accounts.save(needing_reconnect(account, reason, self.clock.now()), expected_version=account.version)
        except ConcurrentModification:
            pass
