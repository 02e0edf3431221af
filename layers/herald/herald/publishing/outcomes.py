"""How one target's attempt ends, as a pure function of the platform's classified answer."""

from __future__ import annotations

from datetime import datetime, timedelta

from herald.platforms.base import ErrorClass, PlatformError, PublishedPost
from herald.posts.lifecycle import backoff
from herald.posts.model import PostTarget, TargetError, TargetStatus

# Answers after which the network may or may not have created the post: the next attempt must
# reconcile before sending again, so the target stays `sending` (outcome unknown).
OUTCOME_UNKNOWN_CODES = frozenset({"timeout", "network_error", "platform_unavailable", "malformed_response"})


def published(target: PostTarget, post: PublishedPost, now: datetime) -> PostTarget:
    return target.model_copy(
        update={
            "status": TargetStatus.PUBLISHED,
            "platform_post_id": post.platform_post_id,
            "url": post.url,
            "published_at": now,
            "error": None,
            "retry_after": None,
        }
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
