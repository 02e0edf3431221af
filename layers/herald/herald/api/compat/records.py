"""Herald posts in Ayrshare's terms: the status values, `postIds`, `errors` and the history
record (`GET /api/post/{id}`, `GET /api/history`)."""

from __future__ import annotations

from typing import Any

from herald.api.compat import codes, dates, uploads
from herald.api.compat.errors import entry
from herald.api.compat.names import ayrshare_name
from herald.posts.model import Post, PostStatus, PostTarget, TargetStatus, asked_for_later

S = PostStatus

# Herald's post status -> Ayrshare's. A draft (a post an approver rejected, or a native draft)
# is never sent until someone acts: Ayrshare's nearest is `paused` (PATCH scheduledPause:false
# sends it on).
STATUS: dict[PostStatus, str] = {
    S.DRAFT: "paused",
    S.PENDING_APPROVAL: "awaiting approval",
    S.SCHEDULED: "pending",
    S.PAUSED: "paused",
    S.PUBLISHING: "processing",
    S.PUBLISHED: "success",
    S.PARTIALLY_PUBLISHED: "error",
    S.FAILED: "error",
    S.CANCELLED: "deleted",
    S.DELETED: "deleted",
}
# The history filter's `status` -> Herald's statuses.
STATUS_FILTER: dict[str, tuple[PostStatus, ...]] = {}
for _herald, _ayrshare in STATUS.items():
    STATUS_FILTER.setdefault(_ayrshare, ())
    STATUS_FILTER[_ayrshare] = (*STATUS_FILTER[_ayrshare], _herald)

WAITING = frozenset({S.SCHEDULED, S.PUBLISHING})
_RETRYABLE = frozenset({"rate_limited", "platform_unavailable", "timeout", "network_error", "outcome_unknown",
                        "media_unreachable"})


def status(post: Post) -> str:
    return STATUS[post.status]


def is_scheduled(post: Post) -> bool:
    """Ayrshare's record `type`: a post asked for a later time (not an immediate one)."""
    return asked_for_later(post.scheduled_at, post.created_at)


def post_id_entry(target: PostTarget) -> dict[str, Any]:
    item: dict[str, Any] = {"status": "success", "platform": ayrshare_name(target.platform),
                            "id": target.platform_post_id, "postUrl": target.url}
    if target.first_comment_error is not None:
        item["firstCommentError"] = {
            "code": codes.ayrshare_code(target.first_comment_error.code, target.platform),
            "message": target.first_comment_error.message, "heraldCode": target.first_comment_error.code,
        }
    return item


def post_ids(post: Post) -> list[dict[str, Any]]:
    return [post_id_entry(t) for t in post.targets if t.status is TargetStatus.PUBLISHED and t.platform_post_id]


def target_errors(post: Post) -> list[dict[str, Any]]:
    found = []
    for target in post.targets:
        if target.status not in (TargetStatus.FAILED, TargetStatus.NEEDS_REVIEW):
            continue
        herald_code = target.error.code if target.error else "outcome_unknown"
        message = target.error.message if target.error else "The outcome could not be decided; check the network."
        found.append(entry(
            "post", codes.ayrshare_code(herald_code, target.platform), message,
            platform=ayrshare_name(target.platform), herald_code=herald_code,
            retryAvailable=herald_code in _RETRYABLE or target.status is TargetStatus.NEEDS_REVIEW,
            **({"post": post.text} if herald_code == "duplicate_content" else {}),
        ))
    return found


def media_urls(post: Post, base: str) -> list[str]:
    return [uploads.access_url(base, ref) if ref.startswith("med_") else ref for ref in post.media]


def record(post: Post, *, base: str, profile_title: str | None, ref_id: str) -> dict[str, Any]:
    """The history record of one post."""
    scheduled = post.scheduled_at or post.published_at or post.created_at
    short = sorted({url for per_network in post.short_links.values() for url in per_network.values()})
    found: dict[str, Any] = {
        "id": post.id,
        "status": status(post),
        "type": "scheduled" if is_scheduled(post) else "now",
        "post": post.text,
        "platforms": sorted({ayrshare_name(t.platform) for t in post.targets}),
        "mediaUrls": media_urls(post, base),
        "errors": target_errors(post),
        "postIds": post_ids(post),
        "created": dates.iso(post.created_at),
        "scheduleDate": dates.iso(scheduled),
        "shortenLinks": post.shorten_links,
        "urls": short,
        "notes": post.notes or "",
        "profileTitle": profile_title,
        "refId": ref_id,
        "requiresApproval": post.requires_approval,
        "approved": post.is_approved if post.requires_approval else None,
        "heraldStatus": post.status.value,
    }
    if post.title:
        found["title"] = post.title
    if post.published_at:
        found["publishedAt"] = dates.iso(post.published_at)
    return found
