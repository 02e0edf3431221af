"""Scheduled events (local.schedule_events): every function's Schedule/ScheduleV2 event runs on
its rate() or cron(), or on an overridden cadence, and can be triggered on demand. Driven with a
fake clock through ScheduleRunner.run_once()."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from local.cloud import LocalCloud
from local.functions import FunctionRegistry, LocalFunction, specs_from_stack
from local.schedule_events import Cron, ScheduleRunner, parse_overrides, scheduled_events
from local.template import Stack, load_yaml

TEMPLATE = """
Resources:
  Sweeper:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/sweeper/
      Events:
        Sweep: {Type: Schedule, Properties: {Schedule: rate(5 minutes)}}
  Collector:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: herald-collect
      CodeUri: functions/collect/
      Events:
        Hourly:
          Type: Schedule
          Properties: {Schedule: "cron(15 * * * ? *)", Input: '{"window": "hour"}'}
        Nightly:
          Type: ScheduleV2
          Properties: {ScheduleExpression: "cron(0 2 * * ? *)", ScheduleExpressionTimezone: Europe/Paris}
        Paused: {Type: Schedule, Properties: {Schedule: rate(1 minute), Enabled: false}}
"""


def at(text: str) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp()


class Recorder:
    def __init__(self) -> None:
        self.events: list[Any] = []

    def __call__(self, event: Any, context: Any) -> None:
        self.events.append(event)


@pytest.fixture
def registry() -> FunctionRegistry:
    stack = Stack(template=load_yaml(TEMPLATE))
    functions = [LocalFunction(spec, handler=Recorder()) for spec in specs_from_stack(stack)]
    registry = FunctionRegistry(functions, workers=1)
    registry.invoke_async = lambda function, event, source="Event": f"{function.spec.logical_id}:{event}"  # type: ignore[method-assign]
    return registry


class Clock:
    def __init__(self, start: str) -> None:
        self.now = at(start)

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize(
    ("expression", "timezone", "after", "expected"),
    [
        ("cron(0/5 * * * ? *)", None, "2030-01-07T09:03:10", "2030-01-07T09:05:00"),
        ("cron(15 10 * * ? *)", None, "2030-01-07T10:15:00", "2030-01-08T10:15:00"),  # strictly after
        ("cron(0 9 ? * MON-FRI *)", None, "2030-01-05T09:03:00", "2030-01-07T09:00:00"),  # Saturday -> Monday
        ("cron(0 18 ? * FRI-MON *)", None, "2030-01-08T00:00:00", "2030-01-11T18:00:00"),  # across the week's end
        ("cron(30 8 L * ? *)", None, "2030-02-05T00:00:00", "2030-02-28T08:30:00"),  # last day of the month
        ("cron(0 12 15W * ? *)", None, "2030-06-01T00:00:00", "2030-06-14T12:00:00"),  # the 15th is a Saturday
        ("cron(0 12 ? * 6#2 *)", None, "2030-02-01T00:00:00", "2030-02-08T12:00:00"),  # 2nd Friday
        ("cron(0 12 ? * 6L *)", None, "2030-02-01T00:00:00", "2030-02-22T12:00:00"),  # last Friday
        ("cron(0 0 1 JAN,JUL ? 2031)", None, "2030-03-01T00:00:00", "2031-01-01T00:00:00"),
        ("cron(0 9 * * ? *)", "Europe/Paris", "2030-06-01T09:03:00", "2030-06-02T07:00:00"),  # 09:00 CEST
    ],
)
def test_cron_expressions(expression: str, timezone: str | None, after: str, expected: str) -> None:
    cron = Cron.parse(expression, timezone)
    assert cron is not None
    upcoming = cron.next_after(datetime.fromisoformat(after).replace(tzinfo=UTC))
    assert upcoming == datetime.fromisoformat(expected).replace(tzinfo=UTC)


def test_cron_expressions_that_are_invalid_or_never_match() -> None:
    assert Cron.parse("rate(5 minutes)") is None
    for invalid in ("cron(0 9 * * *)", "cron(0 9 * * MON *)", "cron(0 9 ? * ? *)", "cron(61 * * * ? *)"):
        with pytest.raises(ValueError):
            Cron.parse(invalid)
    never = Cron.parse("cron(0 0 30 2 ? *)")
    assert never is not None and never.next_after(datetime(2030, 1, 1, tzinfo=UTC)) is None


def test_every_functions_schedule_events_are_found(registry: FunctionRegistry) -> None:
    events = {event.key: event for event in scheduled_events(registry)}
    assert set(events) == {"Sweeper.Sweep", "Collector.Hourly", "Collector.Nightly", "Collector.Paused"}
    assert events["Sweeper.Sweep"].interval_seconds == 300
    assert events["Collector.Hourly"].cron is not None and events["Collector.Hourly"].input == {"window": "hour"}
    assert events["Collector.Nightly"].cron.timezone == "Europe/Paris"  # type: ignore[union-attr]
    assert not events["Collector.Paused"].enabled
    payload = events["Sweeper.Sweep"].payload()
    assert (payload["detail-type"], payload["source"], payload["detail"]) == ("Scheduled Event", "aws.events", {})
    assert events["Collector.Nightly"].payload() == {}  # Scheduler without Input


def test_overrides_set_cadences_by_function_event_or_for_all(registry: FunctionRegistry) -> None:
    assert parse_overrides("30") == {"*": 30.0}
    assert parse_overrides("Sweeper=2, herald-collect=10 ,Collector.Hourly=1") == {
        "Sweeper": 2.0, "herald-collect": 10.0, "Collector.Hourly": 1.0}
    with pytest.raises(ValueError):
        parse_overrides("Sweeper=often")
    events = {e.key: e for e in scheduled_events(registry, parse_overrides("Sweeper=2,herald-collect=10,Collector.Hourly=1"))}
    assert [events[k].interval_seconds for k in ("Sweeper.Sweep", "Collector.Hourly", "Collector.Nightly")] == [2, 1, 10]
    everything = scheduled_events(registry, {"*": 7})
    assert {e.interval_seconds for e in everything} == {7}


def test_each_event_runs_on_its_own_schedule(registry: FunctionRegistry) -> None:
    clock = Clock("2030-01-07T09:00:30")
    runner = ScheduleRunner(registry, scheduled_events(registry), clock=clock)
    assert runner.next_due("Collector.Hourly") == datetime(2030, 1, 7, 9, 15, tzinfo=UTC)
    assert runner.next_due("Sweeper") == datetime(2030, 1, 7, 9, 5, 30, tzinfo=UTC)
    assert runner.next_due("Collector.Paused") is None

    fired: list[str] = []
    for minute in range(1, 61):  # an hour, minute by minute
        clock.now = at("2030-01-07T09:00:30") + minute * 60
        fired += [f.event.key for f in runner.run_once()]

    assert fired.count("Sweeper.Sweep") == 12
    assert fired.count("Collector.Hourly") == 1
    assert "Collector.Paused" not in fired and "Collector.Nightly" not in fired


def test_a_late_run_fires_once_and_keeps_the_cadence(registry: FunctionRegistry) -> None:
    clock = Clock("2030-01-07T09:00:00")
    runner = ScheduleRunner(registry, [e for e in scheduled_events(registry) if e.key == "Sweeper.Sweep"], clock=clock)
    clock.now += 3600  # the machine slept for an hour
    assert len(runner.run_once()) == 1
    assert runner.next_due("Sweeper") == datetime(2030, 1, 7, 10, 5, tzinfo=UTC)


def test_a_scheduled_function_can_be_triggered_on_demand(registry: FunctionRegistry) -> None:
    runner = ScheduleRunner(registry, scheduled_events(registry), clock=Clock("2030-01-07T09:00:00"))
    [firing] = runner.trigger("herald-collect", "Hourly")
    assert firing.triggered and firing.request_id == "Collector:{'window': 'hour'}"
    assert [f.event.key for f in runner.trigger("Collector")] == [
        "Collector.Hourly", "Collector.Nightly", "Collector.Paused"]  # disabled ones too
    assert len(runner.trigger("Sweeper.Sweep")) == 1
    with pytest.raises(KeyError, match="known: Sweeper.Sweep"):
        runner.trigger("Publisher")


def test_the_local_cloud_reads_cadence_overrides_from_the_environment() -> None:
    cloud = LocalCloud.from_env({"HERALD_LOCAL_SCHEDULE_SECONDS": "SweeperFunction=2,CollectAnalyticsFunction=30"})
    assert cloud.schedule_seconds == {"SweeperFunction": 2.0, "CollectAnalyticsFunction": 30.0}
    assert LocalCloud.from_env({}).schedule_seconds == {}
