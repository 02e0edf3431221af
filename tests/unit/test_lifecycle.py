"""The post state machine: every action from every state, and the rules the seeds fix."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from herald.errors import InvalidContent, InvalidState
from herald.posts import lifecycle
from herald.posts.lifecycle import ScheduleAction
from herald.posts.model import Approval, Post, PostStatus, PostTarget, TargetStatus

NOW = datetime(2030, 1, 7, 9, 0, tzinfo=UTC)
S = PostStatus


def make(status: PostStatus = S.DRAFT, **changes: object) -> Post:
    values: dict[str, object] = {
        "id": "post_1",
        "workspace_id": "ws_1",
        "profile_id": "prf_1",
        "status": status,
        "text": "hello",
        "targets": [PostTarget(platform="x", account_id="acc_1")],
        "version": 3,
        "schedule_version": 2,
        "created_at": NOW - timedelta(hours=1),
        "updated_at": NOW - timedelta(hours=1),
    }
    values.update(changes)
    return Post.model_validate(values)


ACTIONS = {
    "update": lambda p: lifecycle.update(p, NOW, {"text": "edited"}),
    "delete": lambda p: lifecycle.delete(p, NOW),
    "publish": lambda p: lifecycle.publish_now(p, NOW),
    "schedule": lambda p: lifecycle.schedule(p, NOW, NOW + timedelta(days=1), None),
    "pause": lambda p: lifecycle.pause(p, NOW),
    "resume": lambda p: lifecycle.resume(p, NOW),
    "approve": lambda p: lifecycle.approve(p, NOW, "key_1"),
    "reject": lambda p: lifecycle.reject(p, NOW, "key_1", None),
    "retry": lambda p: lifecycle.retry(p, NOW),
}


@pytest.mark.parametrize("action", sorted(ACTIONS))
@pytest.mark.parametrize("status", list(PostStatus))
def test_each_action_is_allowed_exactly_in_its_states(action: str, status: PostStatus) -> None:
    post = make(status, scheduled_at=NOW + timedelta(hours=2), due_at=NOW + timedelta(hours=2))
    if status in lifecycle.ALLOWED[action]:
        change = ACTIONS[action](post)
        assert change.post.version == post.version + 1
        assert change.post.updated_at == NOW
    else:
        with pytest.raises(InvalidState) as raised:
            ACTIONS[action](post)
        assert raised.value.code == "invalid_state"


def test_no_date_and_not_a_draft_publishes_now() -> None:
    change = lifecycle.create(make(version=0), NOW, draft=False)
    assert change.post.status is S.SCHEDULED
    assert change.post.due_at == NOW
    assert change.schedule is ScheduleAction.ARM
    assert change.post.version == 1


def test_a_past_date_publishes_now() -> None:
    change = lifecycle.create(make(version=0, scheduled_at=NOW - timedelta(days=2)), NOW, draft=False)
    assert change.post.due_at == NOW


def test_a_future_date_is_kept() -> None:
    when = NOW + timedelta(days=2)
    change = lifecycle.create(make(version=0, scheduled_at=when), NOW, draft=False)
    assert (change.post.status, change.post.due_at) == (S.SCHEDULED, when)


def test_draft_stays_draft_without_schedule() -> None:
    change = lifecycle.create(make(version=0, scheduled_at=NOW + timedelta(days=1)), NOW, draft=True)
    assert change.post.status is S.DRAFT
    assert change.schedule is ScheduleAction.NONE


def test_requires_approval_waits_until_approved_then_schedules() -> None:
    when = NOW + timedelta(days=1)
    pending = lifecycle.create(make(version=0, scheduled_at=when, requires_approval=True), NOW, draft=False)
    assert pending.post.status is S.PENDING_APPROVAL
    assert pending.schedule is ScheduleAction.NONE
    approved = lifecycle.approve(pending.post, NOW, "key_9")
    assert approved.post.status is S.SCHEDULED
    assert approved.post.due_at == when
    assert approved.post.approval is not None and approved.post.approval.by == "key_9"


def test_approval_of_a_passed_date_publishes_now() -> None:
    post = make(S.PENDING_APPROVAL, requires_approval=True, scheduled_at=NOW - timedelta(hours=1))
    assert lifecycle.approve(post, NOW, "k").post.due_at == NOW


def test_reject_returns_to_draft_with_the_reason() -> None:
    change = lifecycle.reject(make(S.PENDING_APPROVAL, requires_approval=True), NOW, "k", "off brand")
    assert change.post.status is S.DRAFT
    assert change.post.approval is not None and change.post.approval.reason == "off brand"


def test_editing_approved_content_needs_approval_again() -> None:
    approved = Approval(decision="approved", by="k", at=NOW)
    post = make(S.SCHEDULED, requires_approval=True, approval=approved, due_at=NOW + timedelta(hours=1))
    change = lifecycle.update(post, NOW, {"text": "changed"})
    assert change.post.status is S.PENDING_APPROVAL
    assert change.post.approval is None
    assert change.schedule is ScheduleAction.DELETE


def test_editing_notes_keeps_the_approval() -> None:
    approved = Approval(decision="approved", by="k", at=NOW)
    post = make(S.SCHEDULED, requires_approval=True, approval=approved, due_at=NOW + timedelta(hours=1))
    change = lifecycle.update(post, NOW, {"notes": "internal"})
    assert change.post.status is S.SCHEDULED
    assert change.schedule is ScheduleAction.NONE


def test_rescheduling_by_update_rearms() -> None:
    post = make(S.SCHEDULED, due_at=NOW + timedelta(hours=1))
    change = lifecycle.update(post, NOW, {"scheduled_at": NOW + timedelta(hours=3)})
    assert change.schedule is ScheduleAction.ARM
    assert change.post.schedule_version == post.schedule_version + 1


def test_pause_disables_and_resume_of_a_passed_date_publishes_now() -> None:
    post = make(S.SCHEDULED, scheduled_at=NOW - timedelta(minutes=5), due_at=NOW - timedelta(minutes=5))
    paused = lifecycle.pause(post, NOW)
    assert (paused.post.status, paused.schedule) == (S.PAUSED, ScheduleAction.DISABLE)
    resumed = lifecycle.resume(paused.post, NOW)
    assert (resumed.post.status, resumed.post.due_at, resumed.schedule) == (S.SCHEDULED, NOW, ScheduleAction.ARM)


def test_delete_cancels_and_deletes_the_schedule() -> None:
    change = lifecycle.delete(make(S.SCHEDULED, due_at=NOW), NOW)
    assert (change.post.status, change.schedule) == (S.CANCELLED, ScheduleAction.DELETE)
    assert lifecycle.delete(make(S.DRAFT), NOW).schedule is ScheduleAction.NONE


def test_cannot_schedule_without_targets_or_content() -> None:
    with pytest.raises(InvalidContent):
        lifecycle.publish_now(make(targets=[]), NOW)
    with pytest.raises(InvalidContent):
        lifecycle.publish_now(make(text="  "), NOW)


def test_retry_resets_only_failed_and_review_targets() -> None:
    targets = [
        PostTarget(platform="x", account_id="a", status=TargetStatus.PUBLISHED, platform_post_id="1", attempts=1),
        PostTarget(platform="bluesky", account_id="b", status=TargetStatus.FAILED, attempts=5),
        PostTarget(platform="x", account_id="c", status=TargetStatus.NEEDS_REVIEW, attempts=2),
    ]
    change = lifecycle.retry(make(S.PARTIALLY_PUBLISHED, targets=targets), NOW)
    assert [t.status for t in change.post.targets] == [TargetStatus.PUBLISHED, TargetStatus.PENDING,
                                                       TargetStatus.PENDING]
    assert change.post.targets[0].platform_post_id == "1"
    assert change.post.due_at == NOW


def _publishing(*targets: PostTarget) -> Post:
    return make(S.PUBLISHING, targets=list(targets), lease_id="l", lease_expires_at=NOW + timedelta(minutes=5))


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        ([TargetStatus.PUBLISHED, TargetStatus.PUBLISHED], S.PUBLISHED),
        ([TargetStatus.PUBLISHED, TargetStatus.FAILED], S.PARTIALLY_PUBLISHED),
        ([TargetStatus.FAILED, TargetStatus.NEEDS_REVIEW], S.FAILED),
    ],
)
def test_settle_reaches_the_final_status(statuses: list[TargetStatus], expected: PostStatus) -> None:
    targets = [PostTarget(platform="x", account_id=f"a{n}", status=s, published_at=NOW if s == "published" else None)
               for n, s in enumerate(statuses)]
    change = lifecycle.settle(_publishing(*targets), NOW, max_attempts=5, retry_at=None)
    assert change.post.status is expected
    assert change.post.lease_id is None and change.post.due_at is None


def test_settle_rearms_pending_targets_with_attempts_left() -> None:
    later = NOW + timedelta(minutes=2)
    pending = PostTarget(platform="x", account_id="a", status=TargetStatus.PENDING, attempts=2, retry_after=later)
    change = lifecycle.settle(_publishing(pending), NOW, max_attempts=5, retry_at=later)
    assert (change.post.status, change.post.due_at, change.schedule) == (S.SCHEDULED, later, ScheduleAction.ARM)


def test_settle_out_of_attempts_fails_unsent_and_flags_unknown() -> None:
    unsent = PostTarget(platform="x", account_id="a", status=TargetStatus.PENDING, attempts=5)
    unknown = PostTarget(platform="x", account_id="b", status=TargetStatus.SENDING, attempts=5)
    change = lifecycle.settle(_publishing(unsent, unknown), NOW, max_attempts=5, retry_at=NOW)
    assert [t.status for t in change.post.targets] == [TargetStatus.FAILED, TargetStatus.NEEDS_REVIEW]
    assert change.post.status is S.FAILED


def test_claim_rule() -> None:
    due = make(S.SCHEDULED, due_at=NOW)
    assert lifecycle.can_claim(due, NOW, 2)
    assert not lifecycle.can_claim(due, NOW, 1)  # a stale schedule's payload
    assert lifecycle.can_claim(due, NOW, None)  # the sweeper's request
    assert not lifecycle.can_claim(make(S.SCHEDULED, due_at=NOW + timedelta(seconds=1)), NOW, 2)
    assert not lifecycle.can_claim(make(S.PUBLISHING, lease_expires_at=NOW + timedelta(seconds=1)), NOW, None)
    assert lifecycle.can_claim(make(S.PUBLISHING, lease_expires_at=NOW - timedelta(seconds=1)), NOW, None)


def test_backoff_doubles_up_to_the_cap() -> None:
    assert [lifecycle.backoff(n, 60, 600).total_seconds() for n in range(1, 6)] == [60, 120, 240, 480, 600]


def test_clearing_the_date_of_a_scheduled_post_is_refused() -> None:
    post = make(S.SCHEDULED, scheduled_at=NOW + timedelta(hours=1), due_at=NOW + timedelta(hours=1))
    with pytest.raises(InvalidContent):
        lifecycle.update(post, NOW, {"scheduled_at": None})
    assert lifecycle.update(make(S.DRAFT, scheduled_at=NOW), NOW, {"scheduled_at": None}).post.scheduled_at is None


def test_requiring_approval_later_holds_a_scheduled_post() -> None:
    post = make(S.SCHEDULED, due_at=NOW + timedelta(hours=1), scheduled_at=NOW + timedelta(hours=1))
    change = lifecycle.update(post, NOW, {"requires_approval": True})
    assert (change.post.status, change.schedule) == (S.PENDING_APPROVAL, ScheduleAction.DELETE)


def test_dropping_the_approval_requirement_sends_the_post_on() -> None:
    post = make(S.PENDING_APPROVAL, requires_approval=True, scheduled_at=NOW + timedelta(hours=1))
    change = lifecycle.update(post, NOW, {"requires_approval": False})
    assert (change.post.status, change.post.due_at, change.schedule) == (
        S.SCHEDULED, NOW + timedelta(hours=1), ScheduleAction.ARM)
