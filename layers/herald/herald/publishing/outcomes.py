"""How one target's attempt ends, as a pure function of the platform's classified answer."""

from __future__ import annotations

from datetime import datetime, timedelta

from herald.platforms.base import OUTCOME_UNKNOWN_CODES, ErrorClass, PlatformError, PublishedPost
from herald.posts.lifecycle import backoff
from herald.posts.model import PartResult, PostTarget, TargetError, TargetStatus


def step_done(target: PostTarget, post: PublishedPost, now: datetime, *, final: bool) -> PostTarget:
    """One more step answered: the post itself (which names the target's id and URL), a thread
    part or the first comment. The target is published once its last step is."""
    result = PartResult(platform_post_id=post.platform_post_id, url=post.url, published_at=now, extra=post.extra)
    changes: dict[str, object] = {
        "parts": [*target.parts, result],
        "status": TargetStatus.PUBLISHED if final else TargetStatus.PENDING,
        "error": None,
        "retry_after": None,
    }
    if post.notices:
        changes["notices"] = [*target.notices, *(n for n in post.notices if n not in target.notices)]
    if not target.parts:
        changes.update(platform_post_id=post.platform_post_id, url=post.url, published_at=now)
    return target.model_copy(update=changes)


def as_published(part: PartResult) -> PublishedPost:
    return PublishedPost(platform_post_id=part.platform_post_id, url=part.url, extra=dict(part.extra))


def comment_failed(
    target: PostTarget,
    error: PlatformError,
    now: datetime,
    *,
    attempts_left: bool,
    retry_base: timedelta,
    retry_max: timedelta,
) -> PostTarget:
    """The post is out; only its first comment failed. A retryable failure waits for another
    attempt while attempts are left; otherwise the target is published with the comment's error."""
    comment_error = TargetError(code=error.code, message=error.message, platform_code=error.platform_code)
    if error.error_class is ErrorClass.RETRY and attempts_left:
        waiting = failed(target, error, now, retry_base=retry_base, retry_max=retry_max)
        return waiting.model_copy(update={"error": None, "first_comment_error": comment_error})
    return target.model_copy(
        update={"status": TargetStatus.PUBLISHED, "first_comment_error": comment_error, "retry_after": None}
    )


def failed(
    target: PostTarget, error: PlatformError, now: datetime, *, retry_base: timedelta, retry_max: timedelta
) -> PostTarget:
    target_error = TargetError(code=error.code, message=error.message, platform_code=error.platform_code)
    if error.error_class is ErrorClass.RETRY:
        wait = backoff(target.attempts, int(retry_base.total_seconds()), int(retry_max.total_seconds()))
        retry_at = error.retry_at if error.retry_at is not None else now + wait
        status = TargetStatus.SENDING if error.code in OUTCOME_UNKNOWN_CODES else TargetStatus.PENDING
        return target.model_copy(update={"status": status, "error": target_error, "retry_after": retry_at})
    if error.error_class in (ErrorClass.RECONNECT, ErrorClass.REFRESH):
        target_error = TargetError(
            code="account_disconnected",
            message=f"The account must be reconnected: {error.message}",
            platform_code=error.platform_code,
        )
    return target.model_copy(update={"status": TargetStatus.FAILED, "error": target_error, "retry_after": None})


def needs_review(target: PostTarget, message: str) -> PostTarget:
    return target.model_copy(
        update={
            "status": TargetStatus.NEEDS_REVIEW,
            "error": TargetError(code="outcome_unknown", message=message),
            "retry_after": None,
        }
    )
