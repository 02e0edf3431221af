"""What `POST /api/post` answers, in Ayrshare's shapes: published (`success`/`error` with `postIds`
and `errors`), `scheduled`, `awaiting approval`, or `pending` when the publish run has not
finished within the wait; HTTP 400 whenever `status` is `error`."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from herald.api.compat import dates, records
from herald.posts.model import Post, PostStatus

S = PostStatus
DONE = frozenset({S.PUBLISHED, S.PARTIALLY_PUBLISHED, S.FAILED})


def created(post: Post, *, extra_errors: list[dict[str, Any]], ref_id: str) -> tuple[dict[str, Any], int]:
    """The answer to a create (or its idempotent repeat), and its HTTP status."""
    base: dict[str, Any] = {"id": post.id, "refId": ref_id, "post": post.text}
    errors = [*extra_errors, *records.target_errors(post)]
    if post.status in DONE:
        answer = {"status": "success" if post.status is S.PUBLISHED else "error", "errors": errors,
                  "postIds": records.post_ids(post), **base}
    elif records.is_scheduled(post) and post.status in (S.SCHEDULED, S.PAUSED, S.PENDING_APPROVAL):
        answer = {"status": "scheduled", "scheduleDate": dates.iso(post.scheduled_at), **base,
                  **({"requiresApproval": True} if post.status is S.PENDING_APPROVAL else {})}
    elif post.status is S.PENDING_APPROVAL:
        answer = {"status": "awaiting approval", "requiresApproval": True, **base}
    elif post.status not in records.WAITING:  # an idempotent repeat of a post changed since (paused, deleted)
        answer = {"status": records.status(post), **base}
    else:  # still on its way: the outcome will show in history
        answer = {"status": "pending", "errors": errors, "postIds": records.post_ids(post), **base}
    if extra_errors:
        answer = {**answer, "status": "error", "errors": errors}
    return answer, HTTPStatus.BAD_REQUEST if answer["status"] == "error" else HTTPStatus.OK


def with_profile(answer: dict[str, Any], profile_title: str | None) -> dict[str, Any]:
    """With a Profile-Key header Ayrshare's current docs wrap the answer as `{status, posts: [...]}`
    while older clients read the object itself: Herald answers both at once (the object, plus
    `posts` holding it with `profileTitle`)."""
    return {**answer, "posts": [{**answer, "profileTitle": profile_title}]}
