"""The post state machine: every action from every state, and the rules the seeds fix."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from herald.errors import ConcurrentModification, InvalidContent, InvalidState
from herald.posts import lifecycle
from herald.posts.lifecycle import ScheduleAction
from herald.posts.model import Approval, PartResult, Post, PostStatus, PostTarget, TargetError, TargetStatus

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
    "remove": lambda p: lifecycle.claim_removal(p, NOW, "lease_1", NOW + timedelta(minutes=1)),
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


def test_editing_the_tracking_id_keeps_the_approval() -> None:
    approved = Approval(decision="approved", by="k", at=NOW)
    post = make(S.SCHEDULED, requires_approval=True, approval=approved, due_at=NOW + timedelta(hours=1))
    change = lifecycle.update(post, NOW, {"tracking_id": "crm-42", "notes": "internal"})
    assert change.post.status is S.SCHEDULED
    assert change.post.approval == approved
    assert change.post.tracking_id == "crm-42"
    assert change.schedule is ScheduleAction.NONE


def test_editing_the_tracking_id_with_content_needs_approval_again() -> None:
    approved = Approval(decision="approved", by="k", at=NOW)
    post = make(S.SCHEDULED, requires_approval=True, approval=approved, due_at=NOW + timedelta(hours=1))
    change = lifecycle.update(post, NOW, {"tracking_id": "crm-42", "text": "changed"})
    assert change.post.status is S.PENDING_APPROVAL
    assert change.post.approval is None


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


# --- deleting a post from its networks -----------------------------------------------------------


def _part(post_id: str) -> PartResult:
    return PartResult(platform_post_id=post_id, url=f"https://x.com/a/status/{post_id}", published_at=NOW)


def _out(account_id: str, *ids: str, status: TargetStatus = TargetStatus.PUBLISHED) -> PostTarget:
    parts = [_part(i) for i in ids]
    return PostTarget(platform="x", account_id=account_id, status=status, parts=parts,
                      platform_post_id=ids[0] if ids else None, published_at=NOW if ids else None)


def _claimed(post: Post) -> Post:
    return lifecycle.claim_removal(post, NOW, "lease_1", NOW + timedelta(minutes=1)).post


@pytest.mark.parametrize("status", list(PostStatus))
def test_what_deleting_means_in_each_state(status: PostStatus) -> None:
    post = make(status)
    if status in (S.DRAFT, S.PENDING_APPROVAL, S.SCHEDULED, S.PAUSED):
        assert lifecycle.delete_kind(post) == "cancel"
    elif status in (S.PUBLISHED, S.PARTIALLY_PUBLISHED, S.FAILED):
        assert lifecycle.delete_kind(post) == "remove"
    else:  # publishing, cancelled, deleted
        with pytest.raises(InvalidState) as refused:
            lifecycle.delete_kind(post)
        assert "published" in refused.value.details[0]["allowed"]


def test_a_target_lists_everything_it_posted_in_order() -> None:
    assert _out("a", "1", "2", "3").posted_ids == ["1", "2", "3"]
    assert PostTarget(platform="x", account_id="a", platform_post_id="9").posted_ids == ["9"]  # no parts recorded
    assert PostTarget(platform="x", account_id="a", status=TargetStatus.FAILED).posted_ids == []


def test_removing_every_target_deletes_the_post() -> None:
    post = _claimed(make(S.PUBLISHED, targets=[_out("a", "1", "2"), _out("b", "3")]))
    assert post.lease_id == "lease_1" and lifecycle.to_remove(post) == [0, 1]
    post = lifecycle.target_removed(post, NOW, 0, None).post
    post = lifecycle.target_removed(post, NOW, 1, None).post
    assert [t.status for t in post.targets] == [TargetStatus.DELETED] * 2
    assert post.targets[0].deleted_at == NOW and post.targets[0].parts  # what was posted stays on record
    settled = lifecycle.settle_removal(post, NOW, "lease_1")
    assert (settled.post.status, settled.post.lease_id, settled.schedule) == (S.DELETED, None, ScheduleAction.NONE)


def test_a_network_refusing_keeps_the_post_and_shows_why() -> None:
    post = _claimed(make(S.PUBLISHED, targets=[_out("a", "1"), _out("b", "2")]))
    refusal = TargetError(code="not_supported", message="Instagram cannot delete.")
    post = lifecycle.target_removed(post, NOW, 0, None).post
    post = lifecycle.target_removed(post, NOW, 1, refusal).post
    assert post.targets[1].status is TargetStatus.PUBLISHED and post.targets[1].delete_error == refusal
    settled = lifecycle.settle_removal(post, NOW, "lease_1").post
    assert settled.status is S.PUBLISHED and settled.lease_id is None and lifecycle.to_remove(settled) == [1]
    # Deleting again tries only what is left, and a success clears the error.
    again = lifecycle.target_removed(_claimed(settled), NOW, 1, None).post
    assert again.targets[1].status is TargetStatus.DELETED and again.targets[1].delete_error is None
    assert lifecycle.settle_removal(again, NOW, "lease_1").post.status is S.DELETED


def test_a_failed_post_deletes_the_parts_it_did_post() -> None:
    thread_cut = _out("a", "1", "2", status=TargetStatus.FAILED)  # two parts out, the third failed
    never_sent = PostTarget(platform="bluesky", account_id="b", status=TargetStatus.FAILED)
    post = _claimed(make(S.FAILED, targets=[thread_cut, never_sent]))
    assert lifecycle.to_remove(post) == [0]
    post = lifecycle.target_removed(post, NOW, 0, None).post
    done = lifecycle.settle_removal(post, NOW, "lease_1").post
    assert done.status is S.DELETED and done.targets[1].status is TargetStatus.FAILED
    nothing_out = _claimed(make(S.FAILED, targets=[never_sent]))
    assert lifecycle.settle_removal(nothing_out, NOW, "lease_1").post.status is S.DELETED


def test_one_removal_at_a_time_until_its_lease_expires() -> None:
    post = _claimed(make(S.PUBLISHED, targets=[_out("a", "1")]))
    with pytest.raises(ConcurrentModification):
        lifecycle.claim_removal(post, NOW, "lease_2", NOW + timedelta(minutes=1))
    with pytest.raises(ConcurrentModification):
        lifecycle.mark_deleted(post, NOW)
    with pytest.raises(ConcurrentModification):
        lifecycle.retry(post.model_copy(update={"status": S.PARTIALLY_PUBLISHED}), NOW)
    later = NOW + timedelta(minutes=2)  # the request holding it died
    taken = lifecycle.claim_removal(post, later, "lease_2", later + timedelta(minutes=1)).post
    assert taken.lease_id == "lease_2"
    with pytest.raises(ConcurrentModification):
        lifecycle.settle_removal(taken, later, "lease_1")  # only the holder settles


def test_a_networks_answer_is_recorded_whoever_holds_the_lease_and_never_undone() -> None:
    post = _claimed(make(S.PUBLISHED, targets=[_out("a", "1")]))
    taken_over = post.model_copy(update={"lease_id": "lease_2"})
    removed = lifecycle.target_removed(taken_over, NOW, 0, None).post
    assert removed.targets[0].status is TargetStatus.DELETED
    late_refusal = lifecycle.target_removed(removed, NOW, 0, TargetError(code="timeout", message="slow"))
    assert late_refusal.post is removed  # nothing to write
    with pytest.raises(ConcurrentModification):
        lifecycle.target_removed(make(S.DELETED, targets=[_out("a", "1")]), NOW, 0, None)


def test_a_post_partly_deleted_cannot_be_retried() -> None:
    deleted = _out("a", "1").model_copy(update={"status": TargetStatus.DELETED})
    failed = PostTarget(platform="bluesky", account_id="b", status=TargetStatus.FAILED)
    with pytest.raises(InvalidState):
        lifecycle.retry(make(S.PARTIALLY_PUBLISHED, targets=[deleted, failed]), NOW)


def test_marking_deleted_by_hand_asks_no_network() -> None:
    never_sent = PostTarget(platform="bluesky", account_id="b", status=TargetStatus.FAILED)
    change = lifecycle.mark_deleted(make(S.PARTIALLY_PUBLISHED, targets=[_out("a", "1"), never_sent]), NOW)
    assert change.post.status is S.DELETED and change.schedule is ScheduleAction.NONE
    assert [t.status for t in change.post.targets] == [TargetStatus.DELETED, TargetStatus.FAILED]
    with pytest.raises(InvalidState):
        lifecycle.mark_deleted(make(S.SCHEDULED), NOW)
