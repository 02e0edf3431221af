"""Webhook receivers failing: 5xx, hanging past the timeout, slow, refusing connections, down for a
day, failing one event for the whole window. The event is a real `post.published` (a post
published through the simulator, its stream record handed to the outbox, the delivery read off
the queue), sent by the delivery function's real sender with the production retry policy on a
controllable clock. Nothing is lost while the receiver comes back within the window; every attempt
carries the same delivery and event ids (at least once); a receiver down for good is disabled or
its delivery dead-lettered."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from herald.webhooks.delivery import RetryLater
from herald.webhooks.model import DeliveryStatus
from support.apigw import ApiClient
from support.clock import FakeClock
from support.faults_receiver import Answer, FaultyReceiver
from support.faults_runs import Runs
from support.faults_webhooks import TableStream, deliverer, drain


@pytest.fixture
def loopback_hooks(trigger: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Receivers on 127.0.0.1 allowed (as in the local cloud), a 1-second answer timeout, and
    empty delivery queues."""
    from herald import wiring
    from herald.settings import get_settings

    monkeypatch.setenv("HERALD_WEBHOOK_ALLOW_LOOPBACK", "true")
    monkeypatch.setenv("HERALD_WEBHOOK_TIMEOUT_SECONDS", "1")
    wiring.reset()
    drain(get_settings().webhook_queue_url)
    drain(get_settings().webhook_dlq_url)


@pytest.fixture
def receiver() -> Iterator[FaultyReceiver]:
    started = FaultyReceiver()
    started.up()
    yield started
    started.stop()


@pytest.fixture
def published(loopback_hooks: None, api: ApiClient, account: Any, runs: Runs,
              receiver: FaultyReceiver) -> dict[str, Any]:
    """A webhook for post.published at the receiver, and the delivery of a real post's event."""
    from herald.settings import get_settings

    hook = api.post("/v1/webhooks", {"url": receiver.url, "events": ["post.published"]})
    assert hook.status == 201, hook.body
    stream = TableStream().start()
    target = account("x")
    post_id = api.post("/v1/posts", {"text": "Announced", "account_ids": [target["id"]]}).body["id"]
    assert runs.deliver(runs.trigger.for_post(post_id)[0]).result == "published"
    assert stream.to_outbox() == 1
    (message,) = drain(get_settings().webhook_queue_url)
    assert message["event"]["type"] == "post.published" and message["event"]["data"]["post"]["id"] == post_id
    return {"hook": hook.body, "message": message}


def attempt_until_final(worker: Any, message: dict[str, Any], clock: FakeClock,
                        before_each: Any = None) -> tuple[DeliveryStatus | None, list[int]]:
    """Hand the message to the delivery function until it stops asking for another attempt, letting
    each backoff pass on the clock (SQS's visibility timeout); the final status and the waits."""
    waits: list[int] = []
    for _ in range(60):
        if before_each is not None:
            before_each()
        try:
            return worker.handle(message), waits
        except RetryLater as later:
            waits.append(later.seconds)
            clock.advance(seconds=later.seconds)
    raise AssertionError(f"still retrying after 60 attempts: {waits}")


def assert_one_event_at_least_once(receiver: FaultyReceiver, message: dict[str, Any]) -> None:
    """Every request the receiver read is this delivery, the same event, attempts counting up."""
    got = receiver.received()
    assert got, "the receiver never got the event"
    assert {(r.delivery_id, r.event_id) for r in got} == {(message["delivery_id"], message["event"]["id"])}
    assert {r.body for r in got} == {got[0].body}  # the same event body on every attempt
    assert [r.attempt for r in got] == sorted(r.attempt for r in got)


def log_of(api: ApiClient, hook: dict[str, Any]) -> list[dict[str, Any]]:
    return api.get(f"/v1/webhooks/{hook['id']}/deliveries").body["deliveries"]


def dead_letters() -> list[dict[str, Any]]:
    from herald.settings import get_settings

    return drain(get_settings().webhook_dlq_url)


def test_a_receiver_answering_errors_gets_the_event_once_it_recovers(
        published: dict[str, Any], receiver: FaultyReceiver, clock: FakeClock, api: ApiClient) -> None:
    receiver.answer(Answer(500), Answer(502), Answer(503), Answer(429))
    status, waits = attempt_until_final(deliverer(clock), published["message"], clock)
    assert status is DeliveryStatus.DELIVERED
    assert [w // 60 for w in waits] == [1, 2, 4, 8]  # 1 min doubling (with up to 10% jitter)
    assert [r.attempt for r in receiver.received()] == [1, 2, 3, 4, 5]
    assert_one_event_at_least_once(receiver, published["message"])
    (logged,) = log_of(api, published["hook"])
    assert (logged["status"], logged["attempts"], logged["response_status"]) == ("delivered", 5, 200)
    hook = api.get(f"/v1/webhooks/{published['hook']['id']}").body
    assert (hook["status"], hook["consecutive_failures"]) == ("active", 0)
    assert dead_letters() == []


def test_a_receiver_refusing_connections_for_hours_gets_the_event_when_it_is_back(
        published: dict[str, Any], receiver: FaultyReceiver, clock: FakeClock, api: ApiClient) -> None:
    receiver.down()
    back_at = clock.now() + timedelta(hours=20)

    def back_after_20_hours() -> None:
        if receiver.server is None and clock.now() >= back_at:
            receiver.up()

    status, waits = attempt_until_final(deliverer(clock), published["message"], clock, back_after_20_hours)
    assert status is DeliveryStatus.DELIVERED and len(waits) >= 10
    (only,) = receiver.received()  # the refused attempts never reached it
    assert only.attempt == len(waits) + 1
    assert_one_event_at_least_once(receiver, published["message"])
    assert api.get(f"/v1/webhooks/{published['hook']['id']}").body["status"] == "active"  # not yet a day
    assert dead_letters() == []


def test_a_receiver_hanging_past_the_timeout_gets_the_event_again_with_the_same_ids(
        published: dict[str, Any], receiver: FaultyReceiver, clock: FakeClock, api: ApiClient) -> None:
    receiver.answer(Answer(hang=True))
    status, waits = attempt_until_final(deliverer(clock), published["message"], clock)
    receiver.release()
    assert status is DeliveryStatus.DELIVERED and len(waits) == 1
    assert [r.attempt for r in receiver.received()] == [1, 2]  # it got the event twice: deduplicate on the id
    assert_one_event_at_least_once(receiver, published["message"])
    (logged,) = log_of(api, published["hook"])
    assert (logged["status"], logged["attempts"]) == ("delivered", 2)


def test_a_slow_receiver_within_the_timeout_gets_the_event_once_even_if_the_message_repeats(
        published: dict[str, Any], receiver: FaultyReceiver, clock: FakeClock) -> None:
    receiver.answer(Answer(delay=0.3))
    worker = deliverer(clock)
    assert worker.handle(published["message"]) is DeliveryStatus.DELIVERED
    assert worker.handle(published["message"]) is DeliveryStatus.DELIVERED  # SQS handed it over again
    assert len(receiver.received()) == 1
    assert_one_event_at_least_once(receiver, published["message"])


def test_a_receiver_down_for_over_a_day_is_disabled_and_gets_the_event_by_replay(
        published: dict[str, Any], receiver: FaultyReceiver, clock: FakeClock, api: ApiClient) -> None:
    from herald.settings import get_settings

    receiver.down()
    started = clock.now()
    status, waits = attempt_until_final(deliverer(clock), published["message"], clock)
    hook = api.get(f"/v1/webhooks/{published['hook']['id']}").body
    assert status is DeliveryStatus.SKIPPED and hook["status"] == "disabled"
    assert len(waits) >= 10 and clock.now() - started >= timedelta(hours=24)  # both thresholds were met
    (logged,) = log_of(api, published["hook"])
    assert logged["status"] == "skipped" and dead_letters() == []  # kept in the log, not failed

    receiver.up()
    assert api.post(f"/v1/webhooks/{hook['id']}/enable").body["status"] == "active"
    replay = api.post(f"/v1/webhooks/{hook['id']}/deliveries/{logged['id']}/replay")
    assert replay.status == 202, replay.body
    (again,) = drain(get_settings().webhook_queue_url)
    assert deliverer(clock).handle(again) is DeliveryStatus.DELIVERED
    (got,) = receiver.received()
    assert got.event_id == published["message"]["event"]["id"] and got.delivery_id == replay.body["delivery_id"]


def test_one_event_failing_for_the_whole_window_is_dead_lettered_while_the_webhook_stays_up(
        published: dict[str, Any], receiver: FaultyReceiver, clock: FakeClock, api: ApiClient) -> None:
    """The receiver answers 500 to this one event only; other events keep getting through, so the
    webhook is never disabled, and after 3 days the delivery fails and goes to the dead-letter
    queue (real SQS) with its delivery id."""
    from herald.settings import get_settings

    worker = deliverer(clock)
    hook_id = published["hook"]["id"]
    poison = published["message"]["event"]["id"]
    healthy: list[DeliveryStatus | None] = []

    def fail_this_event_and_deliver_another() -> None:
        receiver.answer(Answer(500))
        assert api.post(f"/v1/webhooks/{hook_id}/test").status == 202

    def deliver_the_other() -> None:
        for message in drain(get_settings().webhook_queue_url):
            healthy.append(worker.handle(message))

    started = clock.now()
    status, waits = attempt_until_final(worker, published["message"], clock, lambda: (
        deliver_the_other(), fail_this_event_and_deliver_another()))
    assert status is DeliveryStatus.FAILED
    assert timedelta(hours=60) <= clock.now() - started <= timedelta(hours=72)
    assert healthy and set(healthy) == {DeliveryStatus.DELIVERED}
    (letter,) = dead_letters()
    assert letter["delivery_id"] == published["message"]["delivery_id"] and "gave up" in letter["reason"]
    assert api.get(f"/v1/webhooks/{hook_id}").body["status"] == "active"
    attempts = [r.attempt for r in receiver.received() if r.event_id == poison]
    assert attempts == list(range(1, len(waits) + 2))
