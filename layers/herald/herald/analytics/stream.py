"""What the stream function does with the table's changes (DynamoDB Streams, NEW_AND_OLD_IMAGES):

- a post whose target became published: start tracking that target for collection;
- a new snapshot: the target's totals become the snapshot's metrics, and what they gained since
  the previous snapshot is added to the profile's rollup for that day and network, in one
  transaction conditional on the totals still being the previous ones. A redelivered record (or
  an older snapshot arriving late) fails that condition and changes nothing, so a batch delivered
  twice leaves every total as it was. A post whose engagement grows far faster than its own
  history raises an `engagement_spike` signal.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from herald.analytics.model import Snapshot, TargetTotals, TrackedTarget
from herald.store.analytics import AnalyticsStore
from herald.store.codec import from_item

log = logging.getLogger(__name__)

# A spike: engagements gained per hour at least this many times the post's smoothed rate so far,
# and at least this many engagements gained, once the post has this many snapshots behind it.
SPIKE_FACTOR = 3.0
SPIKE_MIN_GAINED = 10
SPIKE_MIN_HISTORY = 2
RATE_SMOOTHING = 0.5  # weight of the newest rate in the smoothed one


@dataclass
class StreamProcessor:
    analytics: AnalyticsStore
    retention: timedelta

    def handle(self, record: Mapping[str, Any]) -> str:
        """What the record led to (for logs and tests)."""
        change = record.get("dynamodb") or {}
        new = from_item(change["NewImage"]) if change.get("NewImage") else None
        old = from_item(change["OldImage"]) if change.get("OldImage") else None
        entity = (new or old or {}).get("entity")
        if entity == "post" and new is not None:
            return self._post_changed(old or {}, new)
        if entity == "snapshot" and record.get("eventName") == "INSERT" and new is not None:
            return self._snapshot_added(Snapshot.model_validate(new))
        return "ignored"

    def _post_changed(self, old: dict[str, Any], new: dict[str, Any]) -> str:
        before = {(t.get("account_id"), t.get("status")) for t in old.get("targets") or []}
        tracked = 0
        for target in new.get("targets") or []:
            if target.get("status") != "published" or (target.get("account_id"), "published") in before:
                continue
            if not target.get("platform_post_id") or not target.get("published_at"):
                continue
            subject = TrackedTarget(
                workspace_id=new["workspace_id"], profile_id=new["profile_id"], post_id=new["id"],
                account_id=target["account_id"], platform=target["platform"],
                platform_post_id=target["platform_post_id"], published_at=target["published_at"],
                post_type=new.get("post_type"), campaign_id=new.get("campaign_id"),
            )
            tracked += self.analytics.track(subject, subject.published_at + self.retention)
        return f"tracked {tracked}"

    def _snapshot_added(self, snapshot: Snapshot) -> str:
        previous = self.analytics.totals(snapshot.workspace_id, snapshot.post_id, snapshot.account_id)
        if previous is not None and previous.collected_at >= snapshot.collected_at:
            return "already applied"
        gained = {name: value - (previous.metrics.get(name, 0) if previous else 0)
                  for name, value in snapshot.metrics.items()}
        rate = _rate(previous, snapshot, gained.get("engagements"))
        smoothed = rate
        if previous is not None and previous.engagement_rate_per_hour is not None and rate is not None:
            smoothed = RATE_SMOOTHING * rate + (1 - RATE_SMOOTHING) * previous.engagement_rate_per_hour
        totals = TargetTotals(
            workspace_id=snapshot.workspace_id, profile_id=snapshot.profile_id, post_id=snapshot.post_id,
            account_id=snapshot.account_id, platform=snapshot.platform, published_at=snapshot.published_at,
            collected_at=snapshot.collected_at, metrics=snapshot.metrics, post_type=snapshot.post_type,
            campaign_id=snapshot.campaign_id, engagement_rate_per_hour=smoothed,
            snapshots=(previous.snapshots if previous else 0) + 1,
        )
        day = snapshot.collected_at.date().isoformat()
        if not self.analytics.apply(totals, previous, gained, day):
            return "already applied"
        if _is_spike(previous, rate, gained.get("engagements")):
            assert previous is not None and previous.engagement_rate_per_hour is not None and rate is not None
            self.analytics.signal(snapshot.workspace_id, snapshot.profile_id, "engagement_spike",
                                  snapshot.collected_at, snapshot.post_id, snapshot.account_id,
                                  {"platform": snapshot.platform, "engagements_per_hour": round(rate, 2),
                                   "usual_per_hour": round(previous.engagement_rate_per_hour, 2)})
            return "applied, spike"
        return "applied"


def _rate(previous: TargetTotals | None, snapshot: Snapshot, gained: int | None) -> float | None:
    """Engagements gained per hour since the previous snapshot (since publishing for the first)."""
    if gained is None:
        return None
    since = previous.collected_at if previous is not None else snapshot.published_at
    hours = (snapshot.collected_at - since).total_seconds() / 3600
    return gained / hours if hours > 0 else None


def _is_spike(previous: TargetTotals | None, rate: float | None, gained: int | None) -> bool:
    if previous is None or rate is None or gained is None or previous.engagement_rate_per_hour is None:
        return False
    return (previous.snapshots >= SPIKE_MIN_HISTORY and gained >= SPIKE_MIN_GAINED
            and rate > SPIKE_FACTOR * max(previous.engagement_rate_per_hour, 0.1))
