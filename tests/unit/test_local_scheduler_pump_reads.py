"""The schedule pump reads a waiting schedule once, not at every pass, and still sees every change
to it (moto's Scheduler in-process, stub functions, a clock the test moves)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from local.functions import FunctionRegistry, LocalFunction
from local.scheduler_pump import SchedulePump

GROUP = "herald-posts"
PUBLISH_ARN = "arn:aws:lambda:us-east-1:123456789012:function:herald-publish"
START = datetime(2030, 1, 7, 9, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.at = START

    def now(self) -> datetime:
        return self.at



@pytest.fixture
def reads(scheduler: Any) -> Counter[str]:
    """GetSchedule calls by schedule name."""
    counted: Counter[str] = Counter()

    def count(params: dict[str, Any], **_: Any) -> None:
        counted[params["Name"]] += 1

    scheduler.meta.events.register("provide-client-params.scheduler.GetSchedule", count)
    return counted


@pytest.fixture
def published() -> Iterator[tuple[FunctionRegistry, list[Any]]]:
    events: list[Any] = []
    registry = FunctionRegistry([LocalFunction.stub("herald-publish", lambda event, _: events.append(event))],
                                workers=1)
    registry.start()
    yield registry, events
    registry.stop()


def definition(name: str, at: datetime, post: str, **extra: Any) -> dict[str, Any]:
    return {
        "GroupName": GROUP,
        "Name": name,
        "ScheduleExpression": f"at({at:%Y-%m-%dT%H:%M:%S})",
        "FlexibleTimeWindow": {"Mode": "OFF"},
        "ActionAfterCompletion": "DELETE",
        "Target": {"Arn": PUBLISH_ARN, "RoleArn": "arn:aws:iam::123456789012:role/r", "Input": json.dumps({"p": post})},
        **extra,
    }


def test_a_waiting_schedule_is_read_once_then_fires_from_that_read_when_due(
    scheduler: Any, reads: Counter[str], published: tuple[FunctionRegistry, list[Any]]
) -> None:
    registry, events = published
    clock = Clock()
    for n in range(3):
        scheduler.create_schedule(**definition(f"s{n}", START + timedelta(minutes=1), f"p{n}"))
    pump = SchedulePump(scheduler, registry, [GROUP], clock=clock.now)

    for _ in range(5):
        assert pump.run_once() == []
    clock.at += timedelta(minutes=1)
    firings = pump.run_once()

    assert sorted(f.name for f in firings) == ["s0", "s1", "s2"]
    assert reads == {"s0": 1, "s1": 1, "s2": 1}
    assert scheduler.list_schedules(GroupName=GROUP)["Schedules"] == []
    assert registry.wait_idle()
    assert sorted(e["p"] for e in events) == ["p0", "p1", "p2"]


def test_a_schedule_updated_after_it_was_read_is_read_again(
    scheduler: Any, reads: Counter[str], published: tuple[FunctionRegistry, list[Any]]
) -> None:
    registry, events = published
    clock = Clock()
    scheduler.create_schedule(**definition("moved", START + timedelta(hours=1), "before"))
    scheduler.create_schedule(**definition("paused", START + timedelta(minutes=1), "paused"))
    scheduler.create_schedule(**definition("replaced", START + timedelta(hours=1), "old"))
    pump = SchedulePump(scheduler, registry, [GROUP], clock=clock.now)
    assert pump.run_once() == []

    scheduler.update_schedule(**definition("moved", START, "after"))  # brought forward: due now
    scheduler.update_schedule(**definition("paused", START + timedelta(minutes=1), "paused", State="DISABLED"))
    scheduler.delete_schedule(GroupName=GROUP, Name="replaced")
    scheduler.create_schedule(**definition("replaced", START, "new"))
    clock.at += timedelta(minutes=2)

    assert sorted(f.name for f in pump.run_once()) == ["moved", "replaced"]
    assert pump.run_once() == []
    assert reads == {"moved": 2, "paused": 2, "replaced": 2}
    assert registry.wait_idle()
    assert sorted(e["p"] for e in events) == ["after", "new"]
    assert [s["Name"] for s in scheduler.list_schedules(GroupName=GROUP)["Schedules"]] == ["paused"]
