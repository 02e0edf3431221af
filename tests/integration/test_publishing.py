"""The publish run against the moto table: claim, per-target writes, retries, crash recovery."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest

from herald.accounts.model import Account, AccountStatus
from herald.platforms.base import ErrorClass, PlatformError, ReconcileOutcome
from herald.posts.model import Post, PostStatus, PostTarget, TargetStatus
from herald.posts.ports import PublishRequest
from support.clock import FakeClock
from support.fake_platform import FakeNetwork
from support.records import add_account


@pytest.fixture
def network(publisher: Any) -> FakeNetwork:
    fake = FakeNetwork()
    publisher.open_platform = fake.open
    return fake


def add_scheduled_post(workspace: dict[str, Any], clock: FakeClock, *accounts: Account, due_in: float = 0) -> Post:
    from herald import wiring
    from herald.ids import new_id

    due = clock.now() + timedelta(seconds=due_in)
    post = Post(
        id=new_id("post"), workspace_id=workspace["id"], profile_id=workspace["profile_id"],
        status=PostStatus.SCHEDULED, text="Launch day", scheduled_at=due, due_at=due, schedule_version=1,
        targets=[PostTarget(platform=a.platform, account_id=a.id) for a in accounts],
        created_at=clock.now(), updated_at=clock.now(),
    )
    wiring.post_store().insert(post, None)
    return post


def reread(post: Post) -> Post:
    from herald import wiring

    return wiring.post_store().get(post.workspace_id, post.id)


def request(post: Post, version: int | None = 1) -> PublishRequest:
    return PublishRequest(post.workspace_id, post.id, version)


def test_a_due_post_is_published_with_ids_and_urls(publisher, network, workspace, clock) -> None:
    accounts = [add_account(workspace, clock), add_account(workspace, clock)]
    post = add_scheduled_post(workspace, clock, *accounts)
    outcome = publisher.run(request(post))
    assert outcome.result == "published"
    stored = reread(post)
    assert stored.status is PostStatus.PUBLISHED
    assert stored.published_at == clock.now()
    for target in stored.targets:
        assert target.status is TargetStatus.PUBLISHED
        assert target.platform_post_id and target.url and target.attempts == 1
    assert stored.lease_id is None


def test_ten_simultaneous_deliveries_publish_each_target_exactly_once(publisher, network, workspace, clock) -> None:
    accounts = [add_account(workspace, clock), add_account(workspace, clock)]
    post = add_scheduled_post(workspace, clock, *accounts)
    start = threading.Barrier(10)
    results: list[str] = []

    def deliver() -> None:
        start.wait()
        results.append(publisher.run(request(post)).result)

    threads = [threading.Thread(target=deliver) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["published"] + ["skipped"] * 9
    assert sorted(network.publish_calls) == sorted(f"{post.id}:{a.id}" for a in accounts)
    assert reread(post).status is PostStatus.PUBLISHED


def test_a_second_delivery_after_publishing_does_nothing(publisher, network, workspace, clock) -> None:
    post = add_scheduled_post(workspace, clock, add_account(workspace, clock))
    publisher.run(request(post))
    again = publisher.run(request(post))
    assert (again.result, again.reason) == ("skipped", "status_published")
    assert len(network.publish_calls) == 1


def test_a_stale_schedule_version_claims_nothing(publisher, network, workspace, clock) -> None:
    post = add_scheduled_post(workspace, clock, add_account(workspace, clock))
    outcome = publisher.run(request(post, version=0))
    assert (outcome.result, outcome.reason) == ("skipped", "stale_schedule")
    assert network.publish_calls == [] and reread(post).status is PostStatus.SCHEDULED


def test_never_publishes_before_the_scheduled_second(publisher, network, workspace, clock) -> None:
    post = add_scheduled_post(workspace, clock, add_account(workspace, clock), due_in=42.5)
    outcome = publisher.run(request(post))
    assert outcome.result == "published"
    assert clock.slept == [42.5]
    assert reread(post).targets[0].published_at >= post.due_at


def test_a_delivery_far_too_early_leaves_the_post(publisher, network, workspace, clock) -> None:
    post = add_scheduled_post(workspace, clock, add_account(workspace, clock), due_in=600)
    outcome = publisher.run(request(post))
    assert (outcome.result, outcome.reason) == ("skipped", "not_due")
    assert clock.slept == [] and network.publish_calls == []


def test_rate_limited_target_is_rearmed_at_the_reset_time(publisher, network, workspace, clock, cloud) -> None:
    from herald.schedules.names import schedule_name_for

    good, limited = add_account(workspace, clock), add_account(workspace, clock)
    post = add_scheduled_post(workspace, clock, good, limited)
    reset = clock.now() + timedelta(minutes=15)
    def fail_second() -> None:
        if len(network.publish_calls) == 1:
            network.failures.append(
                PlatformError(ErrorClass.RETRY, "rate_limited", "slow down", platform_code="429", retry_at=reset)
            )

    network.before_publish = fail_second
    outcome = publisher.run(request(post))
    assert outcome.result == "scheduled"
    stored = reread(post)
    assert stored.status is PostStatus.SCHEDULED and stored.due_at == reset
    assert stored.schedule_version == 2
    statuses = {t.account_id: t for t in stored.targets}
    assert statuses[good.id].status is TargetStatus.PUBLISHED
    waiting = statuses[limited.id]
    assert waiting.status is TargetStatus.PENDING and waiting.error.code == "rate_limited"
    assert waiting.error.platform_code == "429" and waiting.retry_after == reset
    schedule = cloud.client("scheduler").get_schedule(Name=schedule_name_for(post.id), GroupName="herald-posts")
    assert schedule["ScheduleExpression"] == f"at({reset.strftime('%Y-%m-%dT%H:%M:00')})"
    assert '"schedule_version": 2' in schedule["Target"]["Input"]

    network.before_publish = None
    clock.set(reset)
    final = publisher.run(request(post, version=2))
    assert final.result == "published"
    assert network.publish_calls.count(f"{post.id}:{good.id}") == 1  # the published one is not resent


def test_attempts_run_out_into_partial_publication(publisher, network, workspace, clock) -> None:
    from herald.settings import get_settings

    good, bad = add_account(workspace, clock), add_account(workspace, clock)
    post = add_scheduled_post(workspace, clock, good, bad)
    network.failing[f"{post.id}:{bad.id}"] = PlatformError(ErrorClass.RETRY, "rate_limited", "busy")
    runs, version = 0, 1
    while reread(post).status is PostStatus.SCHEDULED and runs < 10:
        publisher.run(request(post, version))
        runs += 1
        stored = reread(post)
        version = stored.schedule_version
        if stored.due_at:
            clock.set(stored.due_at)
    stored = reread(post)
    assert runs == get_settings().max_attempts
    assert stored.status is PostStatus.PARTIALLY_PUBLISHED
    by_account = {t.account_id: t for t in stored.targets}
    assert by_account[good.id].status is TargetStatus.PUBLISHED
    assert by_account[bad.id].status is TargetStatus.FAILED
    assert by_account[bad.id].attempts == get_settings().max_attempts
    assert network.publish_calls.count(f"{post.id}:{good.id}") == 1


def test_permanent_error_fails_at_once(publisher, network, workspace, clock) -> None:
    post = add_scheduled_post(workspace, clock, add_account(workspace, clock))
    network.failures = [PlatformError(ErrorClass.PERMANENT, "duplicate_content", "dup", platform_code="403")]
    assert publisher.run(request(post)).result == "failed"
    target = reread(post).targets[0]
    assert (target.status, target.error.code, target.error.platform_code) == (
        TargetStatus.FAILED, "duplicate_content", "403")


class Killed(BaseException):
    """Stands for the process dying: nothing after it runs."""


def test_crash_after_network_success_is_reconciled_not_reposted(publisher, network, workspace, clock) -> None:
    from herald import wiring

    post = add_scheduled_post(workspace, clock, add_account(workspace, clock))
    store = wiring.post_store()
    real_write = store.write_target

    def die_on_result(*args: Any, **kwargs: Any) -> bool:
        if args[3].status is TargetStatus.PUBLISHED:
            raise Killed()
        return real_write(*args, **kwargs)

    store.write_target = die_on_result
    with pytest.raises(Killed):
        publisher.run(request(post))
    store.write_target = real_write
    crashed = reread(post)
    assert crashed.status is PostStatus.PUBLISHING and crashed.targets[0].status is TargetStatus.SENDING

    assert publisher.run(request(post, None)).reason == "being_published"  # lease still held
    clock.advance(seconds=wiring.get_settings().lease_seconds + 1)
    due = list(store.due(clock.now(), 100))
    assert (post.workspace_id, post.id) in due  # the sweeper sees the expired lease
    outcome = publisher.run(request(post, None))
    assert outcome.result == "published"
    assert len(network.publish_calls) == 1  # adopted, not posted twice
    assert reread(post).targets[0].platform_post_id == network.published[f"{post.id}:{post.targets[0].account_id}"].platform_post_id


def test_unknown_outcome_that_cannot_be_decided_goes_to_a_person(publisher, network, workspace, clock) -> None:
    post = add_scheduled_post(workspace, clock, add_account(workspace, clock))
    network.failures = [PlatformError(ErrorClass.RETRY, "timeout", "read timed out")]
    assert publisher.run(request(post)).result == "scheduled"
    stored = reread(post)
    assert stored.targets[0].status is TargetStatus.SENDING  # outcome unknown: must reconcile first
    network.reconcile_answer = ReconcileOutcome.UNKNOWN
    clock.set(stored.due_at)
    assert publisher.run(request(post, stored.schedule_version)).result == "failed"
    target = reread(post).targets[0]
    assert target.status is TargetStatus.NEEDS_REVIEW and target.error.code == "outcome_unknown"
    assert len(network.publish_calls) == 1


def test_timeout_then_absent_is_sent_again(publisher, network, workspace, clock) -> None:
    post = add_scheduled_post(workspace, clock, add_account(workspace, clock))
    network.failures = [PlatformError(ErrorClass.RETRY, "timeout", "read timed out")]
    publisher.run(request(post))
    stored = reread(post)
    clock.set(stored.due_at)
    assert publisher.run(request(post, stored.schedule_version)).result == "published"
    assert len(network.publish_calls) == 2 and reread(post).targets[0].attempts == 2


def test_expired_token_is_refreshed_once_and_saved(publisher, network, workspace, clock) -> None:
    from herald import wiring

    account = add_account(workspace, clock, token="expired")
    post = add_scheduled_post(workspace, clock, account)
    assert publisher.run(request(post)).result == "published"
    assert network.refreshed == 1
    store = wiring.account_store()
    assert store.open(store.get(workspace["id"], account.id)).credentials == {"access_token": "fresh"}


def test_credentials_are_sealed_at_rest(network, workspace, clock, cloud) -> None:
    """The raw item holds KMS ciphertext bound to the account, never the token in the clear."""
    from herald import wiring
    from herald.settings import get_settings

    account = add_account(workspace, clock, token="a-very-secret-token")
    raw = cloud.client("dynamodb").get_item(
        TableName=get_settings().table_name, Key={"PK": {"S": f"WS#{workspace['id']}"}, "SK": {"S": f"ACCOUNT#{account.id}"}}
    )["Item"]
    assert "credentials" not in raw and "a-very-secret-token" not in str(raw)
    assert b"a-very-secret-token" not in raw["sealed_credentials"]["B"]
    store = wiring.account_store()
    stored = store.get(workspace["id"], account.id)
    assert stored.credentials == {} and store.open(stored).credentials == {"access_token": "a-very-secret-token"}
    moved = stored.model_copy(update={"id": "acc_other"})  # the ciphertext is bound to its account
    with pytest.raises(Exception, match="InvalidCiphertext|Decrypt"):
        store.open(moved)


def test_refused_refresh_disconnects_the_account(publisher, network, workspace, clock) -> None:
    from herald import wiring

    account = add_account(workspace, clock, token="expired")
    post = add_scheduled_post(workspace, clock, account)
    network.refresh_refused = True
    assert publisher.run(request(post)).result == "failed"
    assert reread(post).targets[0].error.code == "account_disconnected"
    assert wiring.account_store().get(workspace["id"], account.id).status is AccountStatus.RECONNECT_REQUIRED


def test_sweeper_hands_over_posts_whose_schedule_was_lost(trigger, workspace, clock) -> None:
    from herald import wiring
    from herald.publishing.sweeper import Sweeper

    post = add_scheduled_post(workspace, clock, add_account(workspace, clock))
    sweeper = Sweeper(posts=wiring.post_store(), trigger=trigger, clock=clock)
    sweeper.run()
    assert trigger.for_post(post.id) == []  # due, but within the grace the schedule has
    clock.advance(seconds=wiring.get_settings().sweep_grace_seconds + 1)
    sweeper.run()
    assert trigger.for_post(post.id) == [PublishRequest(post.workspace_id, post.id, None)]
