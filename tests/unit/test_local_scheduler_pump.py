"""The schedule pump against moto's Scheduler (in-process mock), with stub functions."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from local.functions import FunctionRegistry, LocalFunction
from local.scheduler_pump import SchedulePump, parse_at

GROUP = "herald-posts"
PUBLISH_ARN = "arn:aws:lambda:us-east-1:123456789012:function:herald-publish"
ROLE_ARN = "arn:aws:iam::123456789012:role/herald-SchedulerRole"
DLQ_ARN = "arn:aws:sqs:us-east-1:123456789012:herald-ScheduleDeadLetterQueue"


class Recorder:
    def __init__(self) -> None:
        self.events: list[Any] = []
        self.arrived = threading.Event()

    def __call__(self, event: Any, context: Any) -> None:
        self.events.append(event)
        self.arrived.set()



@pytest.fixture
def publish() -> Recorder:
    return Recorder()


@pytest.fixture
def registry(publish: Recorder) -> Iterator[FunctionRegistry]:
    functions = FunctionRegistry([LocalFunction.stub("herald-publish", publish)], workers=2)
    functions.start()
    yield functions
    functions.stop()


def at(moment: datetime) -> str:
    return f"at({moment.strftime('%Y-%m-%dT%H:%M:%S')})"


def create(scheduler: Any, name: str, expression: str, payload: dict, **extra: Any) -> None:
    scheduler.create_schedule(
        GroupName=GROUP,
        Name=name,
        ScheduleExpression=expression,
        FlexibleTimeWindow={"Mode": "OFF"},
        Target={
            "Arn": PUBLISH_ARN,
            "RoleArn": ROLE_ARN,
            "Input": json.dumps(payload),
            "DeadLetterConfig": {"Arn": DLQ_ARN},
            **extra.pop("target", {}),
        },
        **extra,
    )


def names(scheduler: Any) -> set[str]:
    return {s["Name"] for s in scheduler.list_schedules(GroupName=GROUP)["Schedules"]}


def test_a_due_enabled_schedule_fires_once_with_its_input_and_is_deleted(
    scheduler: Any, registry: FunctionRegistry, publish: Recorder
) -> None:
    payload = {"workspace_id": "ws_1", "post_id": "p_1", "schedule_version": 3}
    past = datetime.now(UTC) - timedelta(minutes=5)
    create(scheduler, "post-p_1-3", at(past), payload, ActionAfterCompletion="DELETE")
    pump = SchedulePump(scheduler, registry, [GROUP])

    firings = pump.run_once()

    assert [(f.name, f.payload, f.delivered) for f in firings] == [("post-p_1-3", payload, True)]
    assert publish.arrived.wait(5)
    assert publish.events == [payload]
    assert names(scheduler) == set()
    assert pump.run_once() == []
    assert registry.wait_idle()
    assert len(publish.events) == 1


def test_disabled_and_future_schedules_do_not_fire(
    scheduler: Any, registry: FunctionRegistry, publish: Recorder
) -> None:
    now = datetime.now(UTC)
    create(
        scheduler,
        "disabled",
        at(now - timedelta(minutes=1)),
        {"post_id": "d"},
        State="DISABLED",
        ActionAfterCompletion="DELETE",
    )
    create(scheduler, "future", at(now + timedelta(hours=1)), {"post_id": "f"}, ActionAfterCompletion="DELETE")
    pump = SchedulePump(scheduler, registry, [GROUP])

    assert pump.run_once() == []
    assert names(scheduler) == {"disabled", "future"}
    assert publish.events == []


def test_a_schedule_kept_after_completion_fires_only_once(
    scheduler: Any, registry: FunctionRegistry, publish: Recorder
) -> None:
    create(scheduler, "keep", at(datetime.now(UTC) - timedelta(seconds=1)), {"post_id": "k"})
    pump = SchedulePump(scheduler, registry, [GROUP])
    assert len(pump.run_once()) == 1
    assert pump.run_once() == []
    assert names(scheduler) == {"keep"}
    assert publish.arrived.wait(5)


def test_at_times_are_read_in_the_schedule_timezone(scheduler: Any, registry: FunctionRegistry) -> None:
    assert parse_at("at(2030-01-07T09:00:00)") == datetime(2030, 1, 7, 9, tzinfo=UTC)
    assert parse_at("at(2030-01-07T09:00:00)", "Europe/Paris") == datetime(2030, 1, 7, 8, tzinfo=UTC)
    assert parse_at("rate(5 minutes)") is None
    # Due in UTC terms only when read in its own timezone (New York is behind UTC).
    local_now = datetime.now(UTC).astimezone(ZoneInfo("America/New_York"))
    create(
        scheduler,
        "ny",
        at(local_now - timedelta(seconds=30)),
        {"post_id": "ny"},
        ScheduleExpressionTimezone="America/New_York",
        ActionAfterCompletion="DELETE",
    )
    assert [f.name for f in SchedulePump(scheduler, registry, [GROUP]).run_once()] == ["ny"]


def test_a_target_that_cannot_be_invoked_goes_to_the_dead_letter_queue(scheduler: Any) -> None:
    sent: list[tuple[str, str, dict]] = []
    empty = FunctionRegistry([])
    create(
        scheduler,
        "orphan",
        at(datetime.now(UTC) - timedelta(seconds=1)),
        {"post_id": "o"},
        ActionAfterCompletion="DELETE",
    )
    pump = SchedulePump(
        scheduler, empty, [GROUP], send_to_queue=lambda arn, body, attrs: sent.append((arn, body, attrs))
    )

    [firing] = pump.run_once()

    assert not firing.delivered
    arn, body, attributes = sent[0]
    assert (arn, json.loads(body)) == (DLQ_ARN, {"post_id": "o"})
    assert attributes["ERROR_CODE"] == "ResourceNotFoundException"
    assert names(scheduler) == set()
