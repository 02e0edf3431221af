"""A collection worker: one message (an account and some of its targets) becomes snapshots.

The adapter's `metrics` asks the network in its batch sizes; a target's snapshot is written only
when its metrics changed since the last one, together with the target's new last metrics (one
transaction, conditional on the last collection time the message carried, so two overlapping
collections cannot both write). A transient network failure raises, so SQS delivers the message
again; an account that must be reconnected is marked and skipped."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from herald.accounts.model import Account, AccountStatus
from herald.accounts.tokens import needing_reconnect
from herald.analytics.model import Snapshot, TrackedTarget, normalized
from herald.clock import Clock
from herald.errors import AccountNotFound, ConcurrentModification
from herald.platforms.base import ErrorClass, PlatformError
from herald.store.accounts import AccountStore
from herald.store.analytics import AnalyticsStore

log = logging.getLogger(__name__)


@dataclass
class CollectionWorker:
    accounts: AccountStore
    analytics: AnalyticsStore
    clock: Clock
    open_platform: Callable[[Account], Any]
    retention: timedelta

    def handle(self, message: dict[str, Any]) -> dict[str, int]:
        counts = {"snapshots": 0, "unchanged": 0, "missing": 0}
        try:
            account = self.accounts.get(message["workspace_id"], message["account_id"])
        except AccountNotFound:
            return counts
        if account.status is AccountStatus.RECONNECT_REQUIRED:
            return counts
        targets = [TrackedTarget.model_validate(t) for t in message["targets"]]
        now = self.clock.now()
        try:
            with self.open_platform(self.accounts.open(account)) as platform:
                found = platform.metrics([t.platform_post_id for t in targets])
                followers = platform.identity().followers if message.get("followers") else None
        except PlatformError as error:
            if error.error_class is ErrorClass.RECONNECT:
                self._reconnect(account, error.message)
                return counts
            if error.error_class in (ErrorClass.RETRY, ErrorClass.REFRESH):
                raise  # SQS delivers the message again after its visibility timeout
            log.warning("metrics refused", extra={"account_id": account.id, "code": error.code})
            return counts
        for target in targets:
            metrics = normalized(found.get(target.platform_post_id, {}))
            if not metrics:
                counts["missing"] += 1  # deleted on the network, or nothing the network measures
            elif metrics == target.last_metrics:
                counts["unchanged"] += 1
            elif self._record(target, metrics, found.get(target.platform_post_id, {}), now):
                counts["snapshots"] += 1
        if followers is not None:
            self._record_followers(account, followers, now)
        return counts

    def _record(self, target: TrackedTarget, metrics: dict[str, int], native: dict[str, Any], now: Any) -> bool:
        snapshot = Snapshot(
            workspace_id=target.workspace_id, profile_id=target.profile_id, post_id=target.post_id,
            account_id=target.account_id, platform=target.platform, collected_at=now,
            published_at=target.published_at, metrics=metrics, post_type=target.post_type,
            campaign_id=target.campaign_id, native={k: v for k, v in native.items() if k not in metrics},
        )
        return self.analytics.record_snapshot(snapshot, target.last_collected_at, now + self.retention)

    def _record_followers(self, account: Account, followers: int, now: Any) -> None:
        if followers == account.followers:
            return
        self.analytics.record_followers(account.workspace_id, account.id, now, followers, now + self.retention)
        changed = account.model_copy(update={"followers": followers, "version": account.version + 1,
                                             "updated_at": now})
        try:
            self.accounts.save(changed, expected_version=account.version)
        except ConcurrentModification:
            pass  # the account changed meanwhile; the next collection records the count again

    def _reconnect(self, account: Account, reason: str) -> None:
        try:
            self.accounts.save(needing_reconnect(account, reason, self.clock.now()), expected_version=account.version)
        except ConcurrentModification:
            pass
