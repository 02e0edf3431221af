"""Analytics as the domain sees it: what is tracked per published target, the snapshots a
collection writes, and each target's latest totals."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import ConfigDict, Field

from herald.pydantic_base import Model

# The normalized metrics, in the order answers show them. A network that does not provide one
# leaves it out: absent, never zero.
METRICS = ("impressions", "reach", "views", "likes", "comments", "shares", "saves", "clicks", "engagements")
_ENGAGEMENT_PARTS = ("likes", "comments", "shares", "saves", "clicks")


def normalized(raw: dict[str, int]) -> dict[str, int]:
    """The metrics Herald keeps from an adapter's answer, with `engagements` derived from its
    parts where the network gives no total of its own."""
    kept = {name: int(raw[name]) for name in METRICS if isinstance(raw.get(name), int) and raw[name] >= 0}
    if "engagements" not in kept:
        parts = [kept[name] for name in _ENGAGEMENT_PARTS if name in kept]
        if parts:
            kept["engagements"] = sum(parts)
    return kept


def engagement_rate(metrics: dict[str, int]) -> float | None:
    """Engagements per impression (or per view, or per account reached, where impressions are not
    given); None when neither side is known."""
    engagements = metrics.get("engagements")
    seen = metrics.get("impressions") or metrics.get("views") or metrics.get("reach")
    if engagements is None or not seen:
        return None
    return round(engagements / seen, 6)


class TrackedTarget(Model):
    """A published target whose metrics are collected until the retention window closes."""

    model_config = ConfigDict(frozen=True)

    workspace_id: str
    profile_id: str
    post_id: str
    account_id: str
    platform: str
    platform_post_id: str
    published_at: datetime
    post_type: str | None = None
    campaign_id: str | None = None
    last_metrics: dict[str, int] | None = None
    last_collected_at: datetime | None = None


class Snapshot(Model):
    """One collection's metrics for one target, written only when they changed."""

    model_config = ConfigDict(frozen=True)

    workspace_id: str
    profile_id: str
    post_id: str
    account_id: str
    platform: str
    collected_at: datetime
    published_at: datetime
    metrics: dict[str, int]
    post_type: str | None = None
    campaign_id: str | None = None
    native: dict[str, Any] = Field(default_factory=dict)  # the network's own fields, as answered


class TargetTotals(Model):
    """A target's latest metrics (from its newest snapshot), kept by the stream function."""

    model_config = ConfigDict(frozen=True)

    workspace_id: str
    profile_id: str
    post_id: str
    account_id: str
    platform: str
    published_at: datetime
    collected_at: datetime
    metrics: dict[str, int]
    post_type: str | None = None
    campaign_id: str | None = None
    # Engagements gained per hour between the two newest snapshots, smoothed: the spike baseline.
    engagement_rate_per_hour: float | None = None
    snapshots: int = 0


class Mention(Model):
    """A post by someone else that mentions one of the profile's accounts, kept once per account
    and network id; the stream turns a new one into a `mention.received` webhook event."""

    model_config = ConfigDict(frozen=True)

    workspace_id: str
    profile_id: str
    account_id: str
    platform: str
    mention_id: str  # the network's id of the mentioning post (its at:// uri on Bluesky)
    author_handle: str
    author_name: str | None = None
    text: str
    url: str | None = None
    created_at: datetime
    in_reply_to_platform_post_id: str | None = None
    received_at: datetime  # when Herald read it


def cursor_order(cursor: str) -> str:
    """A mentions cursor as a string that sorts in the network's order: decimal ids (X, Mastodon)
    padded to one width, anything else (ISO times written by herald.clock.to_iso) as it is."""
    return cursor.zfill(40) if cursor.isdigit() else cursor
