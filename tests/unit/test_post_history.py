"""A post's timeline: every status change the state machine makes joins `history`, with the key that
asked for it; changes that keep the status add nothing; only the last HISTORY_LIMIT are kept."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from herald.posts import lifecycle
from herald.posts.model import HISTORY_LIMIT, Post, PostStatus, PostTarget, StatusChange, TargetStatus

T0 = datetime(2030, 1, 7, 9, 0, tzinfo=UTC)
S = PostStatus


def new_post(**changes: object) -> Post:
    """A post as PostService.create hands it to lifecycle.create: a draft at version 0."""
    values: dict[str, object] = {
        "id": "post_1", "workspace_id": "ws_1", "profile_id": "prf_1", "status": S.DRAFT, "text": "hello",
        "targets": [PostTarget(platform="x", account_id="acc_1")], "version": 0,
        "created_at": T0, "updated_at": T0, "created_by": "key_editor",
    }
    values.update(changes)
    return Post.model_validate(values)


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def timeline(post: Post) -> list[tuple[str, datetime, str | None]]:
    return [(entry.status.value, entry.at, entry.by) for entry in post.history]


def claimed(post: Post, now: datetime) -> Post:
    """What the store's claim writes: scheduled -> publishing, its entry appended (by Herald)."""
    entry = StatusChange(at=now, status=S.PUBLISHING)
    return post.model_copy(update={"status": S.PUBLISHING, "history": [*post.history, entry], "version": post.version + 1})


def published(post: Post, now: datetime) -> Post:
    target = post.targets[0].model_copy(update={"status": TargetStatus.PUBLISHED, "platform_post_id": "1",
                                                "published_at": now})
    return post.model_copy(update={"targets": [target]})


def test_create_starts_the_history_with_the_first_status_by_its_creator() -> None:
    assert timeline(lifecycle.create(new_post(), T0, draft=True).post) == [("draft", T0, "key_editor")]
    scheduled = lifecycle.create(new_post(scheduled_at=at(60)), T0, draft=False).post
    assert timeline(scheduled) == [("scheduled", T0, "key_editor")]
    waiting = lifecycle.create(new_post(requires_approval=True), T0, draft=False).post
    assert timeline(waiting) == [("pending_approval", T0, "key_editor")]


def test_draft_to_approval_to_scheduled_to_publishing_to_published() -> None:
    draft = lifecycle.create(new_post(requires_approval=True, scheduled_at=at(60)), T0, draft=True).post
    pending = lifecycle.schedule(draft, at(1), at(60), "Europe/Paris", by="key_editor").post
    approved = lifecycle.approve(pending, at(2), "key_approver").post
    running = claimed(approved, at(60))
    done = lifecycle.settle(published(running, at(60)), at(61), max_attempts=5, retry_at=None).post
    assert timeline(done) == [
        ("draft", T0, "key_editor"),
        ("pending_approval", at(1), "key_editor"),
        ("scheduled", at(2), "key_approver"),
        ("publishing", at(60), None),
        ("published", at(61), None),
    ]


def test_a_rejection_is_recorded_with_who_rejected() -> None:
    pending = lifecycle.create(new_post(requires_approval=True), T0, draft=False).post
    rejected = lifecycle.reject(pending, at(5), "key_approver", "Off brand").post
    assert timeline(rejected)[-1] == ("draft", at(5), "key_approver")
    assert rejected.approval is not None and rejected.approval.reason == "Off brand"


def test_pause_resume_and_cancel_each_add_an_entry() -> None:
    scheduled = lifecycle.create(new_post(scheduled_at=at(60)), T0, draft=False).post
    paused = lifecycle.pause(scheduled, at(1), by="key_a").post
    resumed = lifecycle.resume(paused, at(2), by="key_b").post
    cancelled = lifecycle.delete(resumed, at(3), by="key_c").post
    assert [(s, b) for s, _, b in timeline(cancelled)] == [
        ("scheduled", "key_editor"), ("paused", "key_a"), ("scheduled", "key_b"), ("cancelled", "key_c"),
    ]


def test_changes_that_keep_the_status_add_nothing() -> None:
    scheduled = lifecycle.create(new_post(scheduled_at=at(60)), T0, draft=False).post
    edited = lifecycle.update(scheduled, at(1), {"text": "edited"}, "key_a").post
    moved = lifecycle.schedule(edited, at(2), at(90), None, by="key_a").post
    assert edited.version == scheduled.version + 1 and moved.version == edited.version + 1
    assert timeline(moved) == timeline(scheduled)


def test_a_retry_after_a_rate_limit_goes_back_to_scheduled_by_herald() -> None:
    running = claimed(lifecycle.create(new_post(), T0, draft=False).post, at(0))
    retried = lifecycle.settle(running, at(1), max_attempts=5, retry_at=at(5)).post
    assert [(s, b) for s, _, b in timeline(retried)] == [
        ("scheduled", "key_editor"), ("publishing", None), ("scheduled", None),
    ]


def test_only_the_last_entries_are_kept() -> None:
    post = lifecycle.create(new_post(scheduled_at=at(10_000)), T0, draft=False).post
    for n in range(1, HISTORY_LIMIT + 5):
        post = lifecycle.pause(post, at(2 * n), by="key_a").post
        post = lifecycle.resume(post, at(2 * n + 1), by="key_a").post
    assert len(post.history) == HISTORY_LIMIT
    assert post.history[-1] == StatusChange(at=at(2 * (HISTORY_LIMIT + 4) + 1), status=S.SCHEDULED, by="key_a")
    assert [e.at for e in post.history] == sorted(e.at for e in post.history)
