"""Recurring `Schedule`/`ScheduleV2` events of the template's functions (the sweeper's
`rate(5 minutes)`): a ticker per event invokes the function asynchronously, as EventBridge does.

Supported expressions: `rate(N minute|minutes|hour|hours|day|days)`. A cron() expression is
not emulated unless the function's cadence is overridden (`overrides`; HERALD_LOCAL_SWEEP_SECONDS
sets SweeperFunction's).
The first run is one interval after start, like a freshly created rule."""

from __future__ import annotations

import json
import logging
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from local.functions import FunctionRegistry, LocalFunction
from local.ticker import Ticker

log = logging.getLogger(__name__)

_RATE = re.compile(r"^rate\(\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*\)$")
_UNIT_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}


def rate_seconds(expression: str) -> int | None:
    """Seconds between runs of a `rate()` expression, None when it is not one."""
    match = _RATE.match(expression.strip())
    if not match:
        return None
    count, unit = int(match.group(1)), match.group(2)
    if count < 1 or (count == 1) != (not unit.endswith("s")):
        raise ValueError(f"invalid rate expression {expression!r} (1 takes a singular unit, more a plural)")
    return count * _UNIT_SECONDS[unit.rstrip("s")]


@dataclass(frozen=True)
class ScheduledEvent:
    function: LocalFunction
    event_name: str
    expression: str
    interval_seconds: float
    input: Any | None  # the event's Input, else EventBridge's "Scheduled Event"
    kind: str  # "Schedule" (EventBridge rule) or "ScheduleV2" (Scheduler)

    def payload(self) -> Any:
        if self.input is not None:
            return self.input
        if self.kind == "ScheduleV2":
            return {}
        return {
            "version": "0",
            "id": str(uuid.uuid4()),
            "detail-type": "Scheduled Event",
            "source": "aws.events",
            "account": self.function.spec.arn.split(":")[4],
            "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "region": self.function.spec.arn.split(":")[3],
            "resources": [
                f"arn:aws:events:{self.function.spec.arn.split(':')[3]}:{self.function.spec.arn.split(':')[4]}"
                f":rule/{self.function.name}-{self.event_name}"
            ],
            "detail": {},
        }


def scheduled_events(registry: FunctionRegistry, overrides: dict[str, float] | None = None) -> list[ScheduledEvent]:
    """The enabled Schedule/ScheduleV2 events of every function in the registry; `overrides`
    replaces the cadence of a function's events, by logical id (`{"SweeperFunction": 2}`)."""
    overrides = overrides or {}
    found = []
    for function in registry:
        for event_name, event in function.spec.events.items():
            kind = event.get("Type")
            if kind not in ("Schedule", "ScheduleV2"):
                continue
            props = event.get("Properties") or {}
            if props.get("Enabled") in (False, "false") or props.get("State") == "DISABLED":
                log.info("%s.%s is disabled", function.spec.logical_id, event_name)
                continue
            expression = str(props.get("Schedule") or props.get("ScheduleExpression") or "")
            interval = overrides.get(function.spec.logical_id) or rate_seconds(expression)
            if interval is None:
                log.warning(
                    "%s.%s: %s is not emulated (only rate()); set HERALD_LOCAL_SWEEP_SECONDS to run it",
                    function.spec.logical_id,
                    event_name,
                    expression,
                )
                continue
            raw_input = props.get("Input")
            found.append(
                ScheduledEvent(
                    function=function,
                    event_name=event_name,
                    expression=expression,
                    interval_seconds=float(interval),
                    input=json.loads(raw_input) if isinstance(raw_input, str) else raw_input,
                    kind=kind,
                )
            )
    return found


def event_tickers(registry: FunctionRegistry, events: list[ScheduledEvent]) -> list[Ticker]:
    def runner(scheduled: ScheduledEvent):
        def run() -> None:
            registry.invoke_async(scheduled.function, scheduled.payload(), source=f"schedule {scheduled.expression}")

        return run

    tickers = []
    for scheduled in events:
        log.info("%s runs every %.0f s (%s)", scheduled.function.name, scheduled.interval_seconds, scheduled.expression)
        tickers.append(
            Ticker(scheduled.interval_seconds, runner(scheduled), name=f"schedule-{scheduled.function.name}")
        )
    return tickers
