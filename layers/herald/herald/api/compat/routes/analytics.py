"""POST /api/analytics/post {id, platforms?}: per network `{id, postUrl, analytics, lastUpdated,
nextUpdate}` from the post's stored totals (the latest collection; short-link clicks merged in),
plus `status`: success, partial (some networks have nothing to show, see `errors`) or error."""

from __future__ import annotations

from datetime import timedelta
from http import HTTPStatus
from typing import Any

from herald.api.compat import codes, dates, metrics, names
from herald.api.compat.errors import AyrshareError, answer, entry, guarded
from herald.api.compat.inputs import json_body
from herald.api.compat.router import router, who
from herald.posts.model import TargetStatus
from herald.wiring import analytics_reports, analytics_store, post_service
from herald.workspaces.model import Role

COLLECTION_INTERVAL = timedelta(hours=6)  # the template's AnalyticsSchedule default


@router.post("/analytics/post", include_in_schema=False)
@guarded("analytics")
def post_analytics():  # type: ignore[no-untyped-def]
    raw = json_body(router)
    post_id = raw.get("id")
    if not isinstance(post_id, str) or not post_id:
        raise AyrshareError("Missing `id`: the post's id.", action="analytics")
    if raw.get("searchPlatformId"):
        raise AyrshareError("`searchPlatformId` is not supported: Herald reports on its own posts.",
                            herald_code="not_supported", action="analytics")
    wanted = None
    if raw.get("platforms") is not None:
        wanted = {names.herald_name(p) for p in names.parse_platforms(raw["platforms"]) if p != names.ALL} or None
    caller = who(Role.VIEWER)
    post = post_service().get(caller, post_id)
    # The collection times first, then the report: totals only ever appear, so a network that has a
    # time here has its numbers in the report read after it (never `lastUpdated` with no analytics).
    collected = {t.platform: t.collected_at for t in analytics_store().totals_for_post(caller.workspace_id, post.id)}
    report = analytics_reports().post(caller.workspace_id, caller.profile_id, post.id)
    natives: dict[str, dict[str, Any]] = {}
    for snapshot in sorted(analytics_store().snapshots_for_post(caller.workspace_id, post.id),
                           key=lambda s: s.collected_at):
        natives[snapshot.platform] = snapshot.native
    result: dict[str, Any] = {}
    errors: list[dict[str, Any]] = []
    targets = [t for t in post.targets if wanted is None or t.platform in wanted]
    for network in sorted(wanted or set()):
        if network not in post.platforms:
            errors.append(entry("analytics", codes.HERALD_CODES["not_published"],
                                f"The post was not sent to {names.ayrshare_name(network)}.",
                                platform=names.ayrshare_name(network), herald_code="not_published"))
    for target in targets:
        platform = names.ayrshare_name(target.platform)
        if target.status is not TargetStatus.PUBLISHED:
            errors.append(entry("analytics", codes.HERALD_CODES["not_published"],
                                f"The post is not published on {platform}.", platform=platform,
                                herald_code="not_published"))
            continue
        normalized = report["by_network"].get(target.platform, {})
        last = collected.get(target.platform)
        result[platform] = {
            "id": target.platform_post_id, "postUrl": target.url,
            "analytics": metrics.ayrshare_metrics(target.platform, normalized, natives.get(target.platform)),
            "normalized": normalized,
            "lastUpdated": dates.iso(last),
            "nextUpdate": dates.iso((last or target.published_at or post.created_at) + COLLECTION_INTERVAL),
        }
        if last is None:
            errors.append(entry("analytics", codes.HERALD_CODES["no_analytics"],
                                f"No analytics collected yet for {platform}; Herald collects every "
                                f"{int(COLLECTION_INTERVAL.total_seconds() // 3600)} hours.",
                                platform=platform, herald_code="no_analytics"))
    if not result:
        first = errors[0] if errors else entry("analytics", codes.HERALD_CODES["not_published"],
                                               "The post is not published.", herald_code="not_published")
        raise AyrshareError(first["message"], herald_code=first["heraldCode"], code=first["code"],
                            action="analytics", entries=errors or [first], extra={"id": post.id})
    status = "partial" if errors else "success"
    return answer({**result, "status": status, "id": post.id, **({"errors": errors} if errors else {})},
                  HTTPStatus.OK)
