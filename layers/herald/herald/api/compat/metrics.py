"""Herald's normalized metrics -> the names Ayrshare's analytics use per network.

Where Ayrshare's docs record a network's names (Facebook, Instagram, LinkedIn, TikTok, YouTube,
Pinterest, Threads) they are used; elsewhere (X, Bluesky, Mastodon, Telegram, and any metric not
recorded) Herald answers `<metric>Count` style names, listed in docs/migrate-from-ayrshare.md. A
metric the network does not give is absent, never zero (Herald's rule)."""

from __future__ import annotations

from typing import Any

_GENERIC = {
    "impressions": "impressionCount", "reach": "reachCount", "views": "viewCount", "likes": "likeCount",
    "comments": "commentCount", "shares": "shareCount", "saves": "saveCount", "clicks": "clickCount",
    "engagements": "engagementCount",
}
_BY_NETWORK: dict[str, dict[str, str]] = {
    "facebook": {"likes": "likeCount", "comments": "commentsCount", "shares": "sharesCount",
                 "views": "totalVideoViews"},
    "instagram": {"likes": "likeCount", "comments": "commentsCount", "reach": "reachCount", "views": "viewsCount",
                  "saves": "savedCount", "shares": "sharesCount"},
    "linkedin": {"impressions": "impressionCount", "reach": "uniqueImpressionsCount", "likes": "likeCount",
                 "comments": "commentCount", "shares": "shareCount", "clicks": "clickCount"},
    "tiktok": {"views": "videoViews", "likes": "likeCount", "comments": "commentsCount", "shares": "shareCount",
               "reach": "reach"},
    "youtube": {"views": "views", "likes": "likes", "comments": "comments"},
    "pinterest": {"impressions": "impression", "clicks": "pinClick", "saves": "save"},
    "threads": {"views": "views", "likes": "likes", "comments": "replies", "shares": "shares"},
    "x": {"comments": "replyCount", "shares": "repostCount"},
    "bluesky": {"comments": "replyCount", "shares": "repostCount"},
    "mastodon": {"likes": "favouritesCount", "comments": "repliesCount", "shares": "reblogsCount"},
}
# The network's own fields Herald keeps next to the normalized ones (a snapshot's `native`).
_NATIVE: dict[str, dict[str, str]] = {"x": {"bookmarks": "bookmarkCount"}, "pinterest": {"outbound_clicks": "outboundClick"}}


def ayrshare_metrics(network: str, normalized: dict[str, Any], native: dict[str, Any] | None = None) -> dict[str, Any]:
    names = {**_GENERIC, **_BY_NETWORK.get(network, {})}
    found: dict[str, Any] = {}
    for metric, value in normalized.items():
        if metric == "engagement_rate":
            found["engagement" if network == "linkedin" else "engagementRate"] = value
        elif metric in names and value is not None:
            found[names[metric]] = value
    for field, value in (native or {}).items():
        name = _NATIVE.get(network, {}).get(field)
        if name and isinstance(value, int | float) and not isinstance(value, bool):
            found[name] = value
    return found
