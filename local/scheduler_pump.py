"""The schedule pump: what EventBridge Scheduler does with one-time schedules, which moto only
stores. Called every second (HERALD_LOCAL_PUMP_SECONDS).

Each pass lists the schedules of the template's schedule groups; an `ENABLED` one-time
`at(YYYY-MM-DDTHH:MM:SS)` schedule (in its ScheduleExpressionTimezone, default UTC) that is due
is handed to its target the way Scheduler does: a Lambda target gets an asynchronous invocation
(Lambda's async queue, local.functions) with `Target.Input` as the event; an SQS target gets
`Input` as a message. Then the schedule is deleted when `ActionAfterCompletion` is `DELETE`, or
remembered as fired. DISABLED schedules do not fire; moto accepts past `at()` times, and such a
schedule fires at the next pass. A target that cannot be invoked (unknown function, Input that
is not JSON) goes to the schedule's `DeadLetterConfig` queue, as after Scheduler's retries.
Recurring (rate/cron) schedules are not fired locally.

A pass costs one listing, not one read per schedule: a schedule read once and not due yet is
read again only when the listing shows it changed (created again, updated, disabled). The due
ones of a pass are all handed over before any is deleted, as Scheduler fires a busy minute's
schedules at once: deleting each before handing over the next made the last ones seconds late."""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from botocore.exceptions import ClientError

from local.functions import FunctionRegistry, QueueSender

log = logging.getLogger(__name__)

_AT = re.compile(r"^at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)$")


@dataclass(frozen=True)
class Firing:
    group: str
    name: str
    target_arn: str
    payload: Any
    delivered: bool


def parse_at(expression: str, timezone: str | None = None) -> datetime | None:
    """The UTC instant of an `at()` expression, None for rate()/cron() or malformed ones."""
    match = _AT.match(expression.strip())
    if not match:
        return None
    local = datetime.strptime(match.group(1), "%Y-%m-%dT%H:%M:%S")
    return local.replace(tzinfo=ZoneInfo(timezone or "UTC")).astimezone(UTC)


class SchedulePump:
    def __init__(
        self,
        scheduler: Any,
        registry: FunctionRegistry,
        groups: list[str],
        *,
        send_to_queue: QueueSender | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ):
        self.scheduler = scheduler
        self.registry = registry
        self.groups = groups
        self._send_to_queue = send_to_queue
        self._clock = clock
        self._fired: set[tuple[str, str, str, str]] = set()
        self._warned: set[tuple[str, ...]] = set()
        # Schedules read and found not due yet (or DISABLED), by (group, name): not read again
        # until the listing shows another version of them.
        self._waiting: dict[tuple[str, str], _Read] = {}
        self._lock = threading.Lock()  # one pass at a time

    def run_once(self) -> list[Firing]:
        with self._lock:
            due: list[tuple[str, str, dict[str, Any], datetime]] = []
            waiting, self._waiting = self._waiting, {}
            for group in self.groups:
                for summary in self._schedule_summaries(group):
                    key, version = (group, summary["Name"]), _version(summary)
                    known = waiting.get(key)
                    if known is not None and version is not None and known.version == version:
                        if known.due is not None and known.due <= self._clock():
                            due.append((*key, known.schedule, known.due))
                        else:
                            self._waiting[key] = known
                        continue
                    found = self._consider(*key)
                    if found is not None:
                        due.append((*key, *found))
            firings: list[Firing] = []
            try:
                for group, name, schedule, at in due:
                    firings.append(self._fire(group, name, schedule, at))
            finally:  # what was handed over is completed, even when a later one failed
                for (group, name, schedule, _), _fired in zip(due, firings, strict=False):
                    self._complete(group, name, schedule)
            return firings

    def _schedule_summaries(self, group: str) -> list[dict[str, Any]]:
        summaries: list[dict[str, Any]] = []
        try:
            pages = self.scheduler.get_paginator("list_schedules").paginate(
                GroupName=group, PaginationConfig={"PageSize": 100}  # Scheduler's largest page
            )
            for page in pages:
                summaries.extend(page.get("Schedules", []))
        except ClientError as exc:
            self._warn_once(("group", group), "cannot list schedules of group %s: %s", group, exc)
        return summaries

    def _consider(self, group: str, name: str) -> tuple[dict[str, Any], datetime] | None:
        """The schedule and its due time when it fires now, else None (remembered as waiting
        when only the time or its state keeps it from firing)."""
        try:
            schedule = self.scheduler.get_schedule(GroupName=group, Name=name)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "ResourceNotFoundException":
                log.warning("cannot read schedule %s/%s: %s", group, name, exc)
            return None  # deleted meanwhile
        version = _version(schedule)
        if (schedule.get("State") or "ENABLED") != "ENABLED":
            if version is not None:
                self._waiting[group, name] = _Read(version, None, schedule)
            return None
        expression = schedule.get("ScheduleExpression", "")
        fire_key = (group, name, expression, str(schedule.get("LastModificationDate")))
        if fire_key in self._fired:
            return None
        try:
            due = parse_at(expression, schedule.get("ScheduleExpressionTimezone"))
        except (ValueError, ZoneInfoNotFoundError) as exc:
            self._warn_once(fire_key, "schedule %s/%s has an invalid %s: %s", group, name, expression, exc)
            return None
        if due is None:
            self._warn_once(
                fire_key,
                "schedule %s/%s (%s) is not a one-time at() schedule: not fired locally",
                group,
                name,
                expression,
            )
            return None
        if due > self._clock():
            if version is not None:
                self._waiting[group, name] = _Read(version, due, schedule)
            return None
        return schedule, due

    def _complete(self, group: str, name: str, schedule: dict[str, Any]) -> None:
        """After firing: delete the schedule (`ActionAfterCompletion: DELETE`), else remember it."""
        if (schedule.get("ActionAfterCompletion") or "NONE") == "DELETE":
            try:
                self.scheduler.delete_schedule(GroupName=group, Name=name)
            except ClientError as exc:
                log.info("schedule %s/%s already gone after firing: %s", group, name, exc)
        else:
            expression = schedule.get("ScheduleExpression", "")
            self._fired.add((group, name, expression, str(schedule.get("LastModificationDate"))))

    def _fire(self, group: str, name: str, schedule: dict[str, Any], due: datetime) -> Firing:
        target = schedule.get("Target") or {}
        arn = str(target.get("Arn", ""))
        raw_input = target.get("Input")
        try:
            payload = json.loads(raw_input) if raw_input else {}
        except json.JSONDecodeError:
            payload = raw_input
        error: tuple[str, str] | None = None
        if ":lambda:" in arn:
            function = self.registry.get(arn)
            if function is None:
                error = ("ResourceNotFoundException", f"Function not found: {arn}")
            elif isinstance(payload, str):
                error = ("InvalidRequestContentException", "Could not parse request body into json")
            else:
                self.registry.invoke_async(function, payload, source=f"Scheduler {group}/{name}")
        elif ":sqs:" in arn and self._send_to_queue is not None:
            self._send_to_queue(arn, raw_input or "{}", {})
        else:
            error = ("UnsupportedTarget", f"target {arn!r} is not emulated locally")
        if error is None:
            log.info("fired schedule %s/%s (due %s) -> %s input=%s", group, name, due.isoformat(), arn, raw_input)
        else:
            log.error("schedule %s/%s (due %s) could not invoke %s: %s", group, name, due.isoformat(), arn, error[1])
            self._dead_letter(schedule, raw_input, error)
        return Firing(group=group, name=name, target_arn=arn, payload=payload, delivered=error is None)

    def _dead_letter(self, schedule: dict[str, Any], raw_input: str | None, error: tuple[str, str]) -> None:
        queue_arn = ((schedule.get("Target") or {}).get("DeadLetterConfig") or {}).get("Arn")
        if not queue_arn or self._send_to_queue is None:
            return
        attributes = {
            "ERROR_CODE": error[0],
            "ERROR_MESSAGE": error[1][:1024],
            "RETRY_ATTEMPTS": "0",
            "SCHEDULE_ARN": str(schedule.get("Arn", "")),
            "TARGET_ARN": str((schedule.get("Target") or {}).get("Arn", "")),
        }
        try:
            self._send_to_queue(queue_arn, raw_input or "{}", attributes)
        except Exception:
            log.exception("could not send the failed schedule %s to %s", schedule.get("Name"), queue_arn)

    def _warn_once(self, key: tuple[str, ...], message: str, *args: Any) -> None:
        if key not in self._warned:
            self._warned.add(key)
            log.warning(message, *args)


class _Read(NamedTuple):
    version: tuple[Any, ...]
    due: datetime | None  # None: DISABLED
    schedule: dict[str, Any]  # as GetSchedule answered


def _version(schedule: dict[str, Any]) -> tuple[Any, ...] | None:
    """What changes whenever a schedule does, read from a listing's summary or a GetSchedule
    answer; None when it does not say (the schedule is then read at every pass)."""
    modified = schedule.get("LastModificationDate")
    if modified is None:
        return None
    return schedule.get("CreationDate"), modified, schedule.get("State")
