"""The post state machine: the only module that decides a post's `status`.

Every function takes the post as read and returns a `Change`: the post to write (version bumped,
so the store can make the write conditional on the version read) and what must happen to its
schedule. Nothing here performs I/O. Every status change is added to the post's `history` (by
`_write`; the store's claim adds the `publishing` one), with the API key that asked for it, if any."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from herald.errors import ConcurrentModification, InvalidContent, InvalidState
from herald.posts import content
from herald.posts.model import HISTORY_LIMIT, Approval, Post, PostStatus, StatusChange, TargetError, TargetStatus

S = PostStatus

EDITABLE = frozenset({S.DRAFT, S.PENDING_APPROVAL, S.SCHEDULED, S.PAUSED})
# Posts that went out (or tried to): deleting them deletes what Herald posted from the networks.
REMOVABLE = frozenset({S.PUBLISHED, S.PARTIALLY_PUBLISHED, S.FAILED})
FINAL = frozenset({S.PUBLISHED, S.PARTIALLY_PUBLISHED, S.FAILED, S.CANCELLED, S.DELETED})

ALLOWED: dict[str, frozenset[PostStatus]] = {
    "update": EDITABLE,
    "delete": EDITABLE,  # cancel: nothing was sent
    "remove": REMOVABLE,  # delete from the networks (or mark deleted by hand)
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
# Fields an edit of which leaves an approval standing: they are not what the post says or where it goes.
BOOKKEEPING_FIELDS = frozenset({"notes", "tracking_id"})


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


def _write(post: Post, now: datetime, *, by: str | None = None, **changes: Any) -> Post:
    """The post with `changes`, its version bumped; a new status (or the first one, on create)
    joins the history, of which the last HISTORY_LIMIT entries are kept."""
    status = changes.get("status", post.status)
    if status != post.status or post.version == 0:
        entry = StatusChange(at=now, status=status, by=by)
        changes["history"] = [*post.history, entry][-HISTORY_LIMIT:]
    return post.model_copy(update={**changes, "version": post.version + 1, "updated_at": now})


def _arm(
    post: Post, now: datetime, when: datetime | None, *, check_content: bool = True, by: str | None = None,
    **changes: Any,
) -> Change:
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
        new = _write(post, now, by=by, status=S.PENDING_APPROVAL, due_at=None, **changes)
        return Change(new, ScheduleAction.DELETE if had_schedule else ScheduleAction.NONE)
    due = when if when is not None and when > now else now
    new = _write(
        post,
        now,
        by=by,
        status=S.SCHEDULED,
        due_at=due,
        schedule_version=post.schedule_version + 1,
        lease_id=None,
        lease_expires_at=None,
        **changes,
    )
    return Change(new, ScheduleAction.ARM)


def create(post: Post, now: datetime, *, draft: bool) -> Change:
    """`post` arrives as a draft at version 0; the result is what the store inserts (version 1),
    its history starting with the status it got, by whoever created it."""
    if draft:
        return Change(_write(post, now, by=post.created_by, status=S.DRAFT))
    return _arm(post, now, post.scheduled_at, by=post.created_by)


def update(post: Post, now: datetime, changes: dict[str, Any], by: str | None = None) -> Change:
    require(post, "update")
    if "scheduled_at" in changes and changes["scheduled_at"] is None and post.status in (S.SCHEDULED, S.PAUSED):
        raise InvalidContent(
            "A scheduled post keeps a date: reschedule it, or use /publish to publish now.",
            details=[{"field": "scheduled_at", "issue": "required"}],
        )
    content_changed = any(k not in BOOKKEEPING_FIELDS for k in changes)
    if post.requires_approval and post.is_approved and content_changed:
        changes = {**changes, "approval": None}  # approved content was edited: approve it again
    ready = post.model_copy(update=changes)
    waiting = ready.requires_approval and not ready.is_approved
    if post.status in (S.SCHEDULED, S.PAUSED) and waiting:
        return _arm(post, now, ready.scheduled_at, by=by, **changes)  # -> pending_approval
    if post.status is S.PENDING_APPROVAL and not waiting:
        return _arm(post, now, ready.scheduled_at, by=by, **changes)  # approval no longer required
    if post.status is S.SCHEDULED and "scheduled_at" in changes:
        return _arm(post, now, changes["scheduled_at"], by=by, **changes)
    return Change(_write(post, now, **changes))


def delete_kind(post: Post) -> str:
    """What deleting the post means: "cancel" (not published yet: it is never sent) or "remove"
    (delete what went out from the networks). Raises InvalidState for any other status."""
    if post.status in EDITABLE:
        return "cancel"
    if post.status in REMOVABLE:
        return "remove"
    allowed = EDITABLE | REMOVABLE
    raise InvalidState(
        f"Cannot delete a post that is {post.status.value}.",
        details=[{"status": post.status.value, "allowed": sorted(s.value for s in allowed)}],
    )


def delete(post: Post, now: datetime, by: str | None = None) -> Change:
    """Cancel a post that has not been published."""
    require(post, "delete")
    had_schedule = post.status in (S.SCHEDULED, S.PAUSED)
    new = _write(post, now, by=by, status=S.CANCELLED, due_at=None)
    return Change(new, ScheduleAction.DELETE if had_schedule else ScheduleAction.NONE)


def publish_now(post: Post, now: datetime, by: str | None = None) -> Change:
    require(post, "publish")
    return _arm(post, now, now, by=by, scheduled_at=now)


def schedule(post: Post, now: datetime, when: datetime, timezone: str | None, by: str | None = None) -> Change:
    require(post, "schedule")
    if post.status is S.PENDING_APPROVAL:
        return Change(_write(post, now, scheduled_at=when, timezone=timezone))
    return _arm(post, now, when, by=by, scheduled_at=when, timezone=timezone)


def pause(post: Post, now: datetime, by: str | None = None) -> Change:
    require(post, "pause")
    return Change(_write(post, now, by=by, status=S.PAUSED), ScheduleAction.DISABLE)


def resume(post: Post, now: datetime, by: str | None = None) -> Change:
    """A passed date publishes now."""
    require(post, "resume")
    return _arm(post, now, post.scheduled_at, by=by)


def approve(post: Post, now: datetime, by: str) -> Change:
    require(post, "approve")
    approved = post.model_copy(update={"approval": Approval(decision="approved", by=by, at=now)})
    return _arm(approved, now, post.scheduled_at, by=by)


def reject(post: Post, now: datetime, by: str, reason: str | None) -> Change:
    require(post, "reject")
    decision = Approval(decision="rejected", by=by, at=now, reason=reason)
    return Change(_write(post, now, by=by, status=S.DRAFT, approval=decision))


def retry(post: Post, now: datetime, by: str | None = None) -> Change:
    """Send again the targets that failed (or were flagged for review); published ones stay. A
    post being deleted from its networks, or partly deleted already, is not sent again."""
    require(post, "retry")
    _refuse_while_removing(post, now)
    if any(t.status is TargetStatus.DELETED for t in post.targets):
        raise InvalidState(
            "This post was deleted from some of its networks: it cannot be retried (delete it again to finish).",
            details=[{"status": post.status.value, "issue": "deleted_on_networks"}],
        )
    targets = [
        t.model_copy(update={"status": TargetStatus.PENDING, "error": None, "attempts": 0, "retry_after": None})
        if t.status in RETRYABLE_TARGETS
        else t
        for t in post.targets
    ]
    return _arm(post, now, now, by=by, targets=targets)


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


# --- deleting a post from its networks ---------------------------------------------------------
#
# claim_removal (takes the post's lease) -> target_removed per target, written as each network
# answers -> settle_removal (gives the lease back; `deleted` once nothing Herald posted is left).
# The lease makes one request at a time call the networks for a post; an expired one (a request
# that died) may be taken over, and deleting again is harmless (a post already gone counts as
# deleted).


def to_remove(post: Post) -> list[int]:
    """The targets (indexes) with something Herald posted still on their network: the post,
    thread parts or first comment it recorded, not deleted yet."""
    return [n for n, t in enumerate(post.targets) if t.status is not TargetStatus.DELETED and t.posted_ids]


def removal_under_way(post: Post, now: datetime) -> bool:
    """Whether a request holds the post's lease to delete it from its networks."""
    return (post.status in REMOVABLE and post.lease_id is not None and post.lease_expires_at is not None
            and post.lease_expires_at > now)


def _refuse_while_removing(post: Post, now: datetime) -> None:
    if removal_under_way(post, now):
        raise ConcurrentModification(
            f"Post {post.id} is being deleted from its networks by another request; read it again in a moment."
        )


def claim_removal(post: Post, now: datetime, lease_id: str, until: datetime) -> Change:
    """Take the post's lease to delete it from its networks (until `until`)."""
    require(post, "remove")
    _refuse_while_removing(post, now)
    return Change(_write(post, now, lease_id=lease_id, lease_expires_at=until))


def target_removed(post: Post, now: datetime, index: int, error: TargetError | None) -> Change:
    """What the network answered when the target's posts were deleted: gone (`error` None; a post
    already gone counts), or refused (the target keeps its status, with `delete_error`). A fact
    about the network, so it is recorded whoever holds the lease; a deleted target stays deleted."""
    if post.status not in REMOVABLE:
        raise ConcurrentModification(f"Post {post.id} changed to {post.status.value} while it was being deleted.")
    target = post.targets[index]
    if target.status is TargetStatus.DELETED:
        return Change(post)  # another request got there first: nothing to write
    if error is None:
        changed = target.model_copy(update={"status": TargetStatus.DELETED, "deleted_at": now, "delete_error": None,
                                            "retry_after": None})
    else:
        changed = target.model_copy(update={"delete_error": error})
    targets = [changed if n == index else t for n, t in enumerate(post.targets)]
    return Change(_write(post, now, targets=targets))


def holds_removal(post: Post, lease_id: str) -> bool:
    return post.status in REMOVABLE and post.lease_id == lease_id


def settle_removal(post: Post, now: datetime, lease_id: str, by: str | None = None) -> Change:
    """Give the lease back: the post is `deleted` when nothing Herald posted is left on a network,
    else it stays as it was (its targets show what the networks refused; deleting again retries)."""
    if not holds_removal(post, lease_id):
        raise ConcurrentModification(f"Post {post.id} was taken over by another request deleting it.")
    status = S.DELETED if not to_remove(post) else post.status
    return Change(_write(post, now, by=by, status=status, lease_id=None, lease_expires_at=None))


def mark_deleted(post: Post, now: datetime, by: str | None = None) -> Change:
    """Record the post as deleted from every network without asking them (the caller deleted it
    there by hand): each target with something posted becomes `deleted`."""
    require(post, "remove")
    _refuse_while_removing(post, now)
    removing = set(to_remove(post))
    targets = [
        t.model_copy(update={"status": TargetStatus.DELETED, "deleted_at": now, "delete_error": None,
                             "retry_after": None}) if n in removing else t
        for n, t in enumerate(post.targets)
    ]
    return Change(_write(post, now, by=by, status=S.DELETED, targets=targets, lease_id=None, lease_expires_at=None))


def backoff(attempts: int, base_seconds: int, max_seconds: int) -> timedelta:
    """Exponential backoff for the n-th failed attempt (1-based)."""
    return timedelta(seconds=min(max_seconds, base_seconds * 2 ** max(0, attempts - 1)))
