"""What the analytics API answers, built from the stored totals, snapshots, rollups and followers."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from herald.analytics.model import METRICS, engagement_rate
from herald.store.analytics import AnalyticsStore


def _sum(rows: Iterable[dict[str, int]]) -> dict[str, int]:
    total: dict[str, int] = defaultdict(int)
    for row in rows:
        for name in METRICS:
            if name in row:
                total[name] += row[name]
    return dict(total)


def _with_rate(metrics: dict[str, int]) -> dict[str, Any]:
    rate = engagement_rate(metrics)
    return {**metrics, **({"engagement_rate": rate} if rate is not None else {})}


def _pooled(rows: Iterable[dict[str, int]]) -> dict[str, Any]:
    """Rows of different networks summed; the rate pools only rows that have one, so engagements
    of a network that reports no impressions (Bluesky) do not inflate the others' rate."""
    rows = list(rows)
    rated = [row for row in rows if engagement_rate(row) is not None]
    engagements = sum(row["engagements"] for row in rated)
    seen = sum(row.get("impressions") or row.get("views") or row.get("reach") or 0 for row in rated)
    total: dict[str, Any] = _sum(rows)
    if seen:
        total["engagement_rate"] = round(engagements / seen, 6)
    return total


@dataclass
class AnalyticsReports:
    store: AnalyticsStore
    clicks_of_post: Callable[[str, str, str], dict[str, int]]  # (workspace, profile, post) -> network -> clicks

    def post(self, workspace_id: str, profile_id: str, post_id: str) -> dict[str, Any]:
        """Total, by network and a timeseries per network; short-link clicks merged in."""
        totals = self.store.totals_for_post(workspace_id, post_id)
        clicks = self.clicks_of_post(workspace_id, profile_id, post_id)
        by_network: dict[str, dict[str, int]] = {}
        for target in totals:
            by_network[target.platform] = _sum([by_network.get(target.platform, {}), target.metrics])
        for network, count in clicks.items():
            if network in by_network or network == "direct":
                entry = by_network.setdefault(network, {})
                entry["clicks"] = entry.get("clicks", 0) + count
        series: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for snapshot in sorted(self.store.snapshots_for_post(workspace_id, post_id), key=lambda s: s.collected_at):
            series[snapshot.platform].append({"at": snapshot.collected_at, **_with_rate(snapshot.metrics)})
        return {
            "post_id": post_id,
            "total": _pooled(by_network.values()),
            "by_network": {network: _with_rate(m) for network, m in sorted(by_network.items())},
            "timeseries": dict(sorted(series.items())),
            "collected_at": max((t.collected_at for t in totals), default=None),
        }

    def summary(self, workspace_id: str, profile_id: str, start: date, end: date, platform: str | None,
                followers_of: Callable[[], list[tuple[str, str, list[tuple[datetime, int]]]]]) -> dict[str, Any]:
        """Gains over the days `start`..`end` (UTC), by network; posts published in the range with
        their totals, by post type and campaign; followers gained where known."""
        rollups = [r for r in self.store.rollups(workspace_id, profile_id, start.isoformat(), end.isoformat())
                   if platform is None or r["platform"] == platform]
        by_network: dict[str, dict[str, int]] = {}
        for row in rollups:
            by_network[row["platform"]] = _sum([by_network.get(row["platform"], {}), row])
        posts = [t for t in self.store.totals_for_profile(workspace_id, profile_id)
                 if start <= t.published_at.date() <= end and (platform is None or t.platform == platform)]
        rates = [r for t in posts if (r := engagement_rate(t.metrics)) is not None]
        top = sorted(posts, key=lambda t: (-t.metrics.get("engagements", 0), t.post_id))[:10]
        followers = []
        for account_id, network, history in followers_of():
            if platform is not None and network != platform:
                continue
            inside = sorted((at, n) for at, n in history if start <= at.date() <= end)
            if len(inside) >= 2:
                followers.append({"account_id": account_id, "platform": network,
                                  "gained": inside[-1][1] - inside[0][1], "now": inside[-1][1]})
        totals = _pooled(by_network.values())
        return {
            "start_date": start, "end_date": end, "platform": platform,
            "posts": len({t.post_id for t in posts}),
            "impressions": totals.get("impressions"), "engagements": totals.get("engagements"),
            "average_engagement_rate": round(sum(rates) / len(rates), 6) if rates else None,
            "gained": totals,
            "by_network": {n: _with_rate(m) for n, m in sorted(by_network.items())},
            "top_posts": [{"post_id": t.post_id, "platform": t.platform, "published_at": t.published_at,
                           **_with_rate(t.metrics)} for t in top],
            "by_post_type": _grouped(posts, lambda t: t.post_type),
            "by_campaign": _grouped(posts, lambda t: t.campaign_id),
            "followers": followers,
        }


def _grouped(posts: list[Any], key: Callable[[Any], str | None]) -> dict[str, dict[str, Any]]:
    groups: dict[str, list[Any]] = defaultdict(list)
    for target in posts:
        groups[key(target) or "none"].append(target)
    return {name: {"posts": len({t.post_id for t in members}), **_pooled(t.metrics for t in members)}
            for name, members in sorted(groups.items())}
