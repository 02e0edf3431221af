"""GET /api/history: the profile's posts, newest first, as `{"history": [...]}` (the form of
Ayrshare's history doc), with its filters: lastDays (default 30, 0 = all), limit (default 25, at
most 1000), status, type (immediate | scheduled), platforms, startDate / endDate."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from herald.api.compat import dates, names, records
from herald.api.compat.errors import AyrshareError, answer, guarded
from herald.api.compat.inputs import as_int, as_list, query
from herald.api.compat.router import bases, profile, ref_id, router, who
from herald.posts.model import Post, PostStatus
from herald.posts.ports import PostFilter
from herald.wiring import post_service
from herald.workspaces.model import Role

PAGE = 100
MAX_SCANNED = 5000  # posts read at most per call (filters Herald's list cannot apply are applied here)
TYPES = ("immediate", "scheduled")


def _statuses(value: Any) -> tuple[PostStatus, ...]:
    asked = as_list(value)
    unknown = [s for s in asked if s not in records.STATUS_FILTER]
    if unknown:
        raise AyrshareError(f"Unknown status {unknown[0]!r}; use one of: {', '.join(records.STATUS_FILTER)}.",
                            action="history", details=[{"field": "status", "value": s} for s in unknown])
    if not asked:  # deleted posts only when asked for
        return tuple(s for s in PostStatus if s not in (PostStatus.CANCELLED, PostStatus.DELETED))
    return tuple(dict.fromkeys(s for name in asked for s in records.STATUS_FILTER[name]))


@router.get("/history", include_in_schema=False)
@guarded("history")
def history():  # type: ignore[no-untyped-def]
    params = query(router)
    limit = as_int(params.get("limit"), "limit", default=25, low=1, high=1000)
    last_days = as_int(params.get("lastDays"), "lastDays", default=30, low=0, high=100_000)
    kind = params.get("type")
    if kind is not None and kind not in TYPES:
        raise AyrshareError("`type` must be immediate or scheduled.", action="history")
    platforms = [names.herald_name(p) for p in names.parse_platforms(as_list(params["platforms"]))
                 if p != names.ALL] if as_list(params.get("platforms")) else []
    start = dates.parse(params["startDate"], "startDate") if params.get("startDate") else None
    end = dates.parse(params["endDate"], "endDate") if params.get("endDate") else None
    caller = who(Role.VIEWER)
    service = post_service()
    cutoff = None
    if last_days and start is None and end is None:
        cutoff = service.clock.now() - timedelta(days=last_days)
    filters = PostFilter(statuses=_statuses(params.get("status")), start=start, end=end,
                         platform=platforms[0] if len(platforms) == 1 else None)

    def wanted(post: Post) -> bool:
        if platforms and not set(post.platforms) & set(platforms):
            return False
        return kind is None or (kind == "scheduled") == records.is_scheduled(post)

    found: list[Post] = []
    cursor: str | None = None
    scanned = 0
    while len(found) < limit and scanned < MAX_SCANNED:
        page = service.list(caller, filters, cursor, PAGE)
        scanned += PAGE
        older = False
        for post in page.posts:
            if cutoff is not None and post.created_at < cutoff:
                older = True  # newest first: every later post is older still
                break
            if wanted(post):
                found.append(post)
        cursor = page.cursor
        if older or not cursor:
            break
    title, base, ref = profile(caller).name, bases()[0], ref_id(caller)
    items = [records.record(p, base=base, profile_title=title, ref_id=ref) for p in found[:limit]]
    return answer({"history": items, "refId": ref, "count": len(items), "lastUpdated": dates.iso(service.clock.now())})
