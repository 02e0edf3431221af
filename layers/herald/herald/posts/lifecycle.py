"""The post state machine: the only module that decides a post's `status`.

Every function takes the post as read and returns a `Change`: the post to write (version bumped,
so the store can make the write conditional on the version read) and what must happen to its
schedule. Nothing here performs I/O."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from herald.errors import InvalidContent, InvalidState
from herald.posts import content
from herald.posts.model import Approval, Post, PostStatus, TargetStatus

S = PostStatus

EDITABLE = frozenset({S.DRAFT, S.PENDING_APPROVAL, S.SCHEDULED, S.PAUSED})
FINAL = frozenset({S.PUBLISHED, S.PARTIALLY_PUBLISHED, S.FAILED, S.CANCELLED})

ALLOWED: dict[str, frozenset[PostStatus]] = {
    "update": EDITABLE,
    "delete": EDITABLE,
    "publish": frozenset({S.DRAFT, S.SCHEDULED, S.PAUSED}),
    "schedule": frozenset({S.DRAFT, S.SCHEDULED, S.PAUSED, S.PENDING_APPROVAL}),
    "pause": frozenset({S.SCHEDULED}),
    "resume": frozenset({S.PAUSED}),
    "approve": frozenset({S.PENDING_APPROVAL}),
    "reject": frozenset({S.PENDING_APPROVAL}),
    "retry": frozenset({S.FAILED, S.PARTIALLY_PUBLISHED}),
    "claim": frozenset({S.SCHEDULED, S.PUBLISHING}),
    "settle": frozenset({S.PUBLISHING}),
}

RETRYABLE_TARGETS = frozenset({TargetStatus.FAILED, TargetStatus.NEEDS_REVIEW})


class ScheduleAction(StrEnum):
    NONE = "none"
    ARM = "arm"  # create or update the one-time schedule for post.due_at (or hand over now)
    DISABLE = "disable"
    DELETE = "delete"


@dataclass(frozen=True)
class Change:
    post: Post
    schedule: ScheduleAction = ScheduleAction.NONE


def require(post: Post, action: str) -> None:
    allowed = ALLOWED[action]
    if post.status not in allowed:
        raise InvalidState(
            f"Cannot {action} a post that is {post.status.value}.",
            details=[{"status": post.status.value, "allowed": sorted(s.value for s in allowed)}],
        )


def _write(post: Post, now: datetime, **changes: Any) -> Post:
    return post.model_copy(update={**changes, "version": post.version + 1, "updated_at": now})


def _arm(post: Post, now: datetime, when: datetime | None, *, check_content: bool = True, **changes: Any) -> Change:
    """Send the post towards publishing at `when` (or now, if unset or past), through approval
    first when it requires one and has not been approved. The content is checked against every
    target network's rules first (not when a publish run re-arms itself: that content passed)."""
    ready = post.model_copy(update=changes)
    if not ready.targets:
        raise InvalidContent(
            "Name at least one network or account before scheduling or publishing.",
            details=[{"field": "platforms", "issue": "required"}],
        )
    if not ready.text.strip() and not ready.media:
        raise InvalidContent("A post needs text or media.", details=[{"field": "text", "issue": "required"}])
    if check_content:
        content.refuse_if_invalid(ready, now)
    had_schedule = post.status in (S.SCHEDULED, S.PAUSED)
    if ready.requires_approval and not ready.is_approved:
        new = _write(post, now, status=S.PENDING_APPROVAL, due_at=None, **changes)
        return Change(new, ScheduleAction.DELETE if had_schedule else ScheduleAction.NONE)
    due = when if when is not None and when > now else now
    new = _write(
        post,
        now,
        status=S.SCHEDULED,
        due_at=due,
        schedule_version=post.schedule_version + 1,
        lease_id=None,
        lease_expires_at=None,
        **changes,
    )
    return Change(new, ScheduleAction.ARM)


def create(post: Post, now: datetime, *, draft: bool) -> Change:
    """`post` arrives as a draft at version 0; the result is what the store inserts (version 1)."""
    if draft:
        return Change(_write(post, now, status=S.DRAFT))
    return _arm(post, now, post.scheduled_at)


def update(post: Post, now: datetime, changes: dict[str, Any]) -> Change:
    require(post, "update")
    if "scheduled_at" in changes and changes["scheduled_at"] is None and post.status in (S.SCHEDULED, S.PAUSED):
        raise InvalidContent(
            "A scheduled post keeps a date: reschedule it, or use /publish to publish now.",
            details=[{"field": "scheduled_at", "issue": "required"}],
        )
    content_changed = any(k != "notes" for k in changes)
    if post.requires_approval and post.is_approved and content_changed:
        changes = {**changes, "approval": None}  # approved content was edited: approve it again
    ready = post.model_copy(update=changes)
    waiting = ready.requires_approval and not ready.is_approved
    if post.status in (S.SCHEDULED, S.PAUSED) and waiting:
        return _arm(post, now, ready.scheduled_at, **changes)  # -> pending_approval
    if post.status is S.PENDING_APPROVAL and not waiting:
        return _arm(post, now, ready.scheduled_at, **changes)  # approval no longer required
    if post.status is S.SCHEDULED and "scheduled_at" in changes:
        return _arm(post, now, changes["scheduled_at"], **changes)
    return Change(_write(post, now, **changes))


def delete(post: Post, now: datetime) -> Change:
    require(post, "delete")
    had_schedule = post.status in (S.SCHEDULED, S.PAUSED)
    new = _write(post, now, status=S.CANCELLED, due_at=None)
    return Change(new, ScheduleAction.DELETE if had_schedule else ScheduleAction.NONE)


def publish_now(post: Post, now: datetime) -> Change:
    require(post, "publish")
    return _arm(post, now, now, scheduled_at=now)


def schedule(post: Post, now: datetime, when: datetime, timezone: str | None) -> Change:
    require(post, "schedule")
    if post.status is S.PENDING_APPROVAL:
        return Change(_write(post, now, scheduled_at=when, timezone=timezone))
    return _arm(post, now, when, scheduled_at=when, timezone=timezone)


def pause(post: Post, now: datetime) -> Change:
    require(post, "pause")
    return Change(_write(post, now, status=S.PAUSED), ScheduleAction.DISABLE)


def resume(post: Post, now: datetime) -> Change:
    """A passed date publishes now."""
    require(post, "resume")
    return _arm(post, now, post.scheduled_at)


def approve(post: Post, now: datetime, by: str) -> Change:
    require(post, "approve")
    approved = post.model_copy(update={"approval": Approval(decision="approved", by=by, at=now)})
    return _arm(approved, now, post.scheduled_at)


def reject(post: Post, now: datetime, by: str, reason: str | None) -> Change:
    require(post, "reject")
    decision = Approval(decision="rejected", by=by, at=now, reason=reason)
    return Change(_write(post, now, status=S.DRAFT, approval=decision))


def retry(post: Post, now: datetime) -> Change:
    """Send again the targets that failed (or were flagged for review); published ones stay."""
    require(post, "retry")
    targets = [
        t.model_copy(update={"status": TargetStatus.PENDING, "error": None, "attempts": 0, "retry_after": None})
        if t.status in RETRYABLE_TARGETS
        else t
        for t in post.targets
    ]
    return _arm(post, now, now, targets=targets)


def can_claim(post: Post, now: datetime, schedule_version: int | None) -> bool:
    """The rule the store's conditional claim enforces (kept here so the rule has one owner)."""
    if post.status is S.SCHEDULED:
        version_ok = schedule_version is None or schedule_version == post.schedule_version
        return version_ok and post.due_at is not None and post.due_at <= now
    if post.status is S.PUBLISHING:
        return post.lease_expires_at is not None and post.lease_expires_at < now
    return False


def settle(post: Post, now: datetime, *, max_attempts: int, retry_at: datetime | None) -> Change:
    """After a publish run: re-arm for the targets still pending, or reach a final status."""
    require(post, "settle")
    pending = [t for t in post.targets if t.status in (TargetStatus.PENDING, TargetStatus.SENDING)]
    if pending and retry_at is not None and all(t.attempts < max_attempts for t in pending):
        return _arm(post, now, retry_at, check_content=False)
    # Out of attempts: a target never sent has failed; one whose outcome is unknown goes to a person.
    # A target whose post is out and only its first comment failed is published (with the comment's error).
    exhausted = {TargetStatus.PENDING: TargetStatus.FAILED, TargetStatus.SENDING: TargetStatus.NEEDS_REVIEW}
    targets = [
        t.model_copy(
            update={"status": TargetStatus.PUBLISHED if t.first_comment_error and t.parts else exhausted[t.status]}
        )
        if t.status in exhausted
        else t
        for t in post.targets
    ]
    published = [t for t in targets if t.status is TargetStatus.PUBLISHED]
    if published and len(published) == len(targets):
        status = S.PUBLISHED
    elif published:
        status = S.PARTIALLY_PUBLISHED
    else:
        status = S.FAILED
    first = min((t.published_at for t in published if t.published_at), default=None)
    new = _write(
        post,
        now,
        status=status,
        targets=targets,
        due_at=None,
        lease_id=None,
        lease_expires_at=None,
        published_at=first,
    )
    return Change(new)


def backoff(attempts: int, base_seconds: int, max_seconds: int) -> timedelta:
    """Exponential backoff for the n-th failed attempt (1-based)."""
    return timedelta(seconds=min(max_seconds, base_seconds * 2 ** max(0, attempts - 1)))
