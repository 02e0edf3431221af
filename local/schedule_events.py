"""Recurring `Schedule` (EventBridge rule) and `ScheduleV2` (EventBridge Scheduler) events of the
template's functions: every such function runs on its own expression, invoked asynchronously
(Lambda's async queue and retries, local.functions), as EventBridge does.

- `rate(N minute|minutes|hour|hours|day|days)`: every N units, the first run one interval after
  the local cloud starts (like a freshly created rule).
- `cron(minutes hours day-of-month month day-of-week year)`: EventBridge's six fields, with
  `* ? , - /`, month and day names, `L`, `W` and `#`; in UTC for `Schedule`, in
  `ScheduleExpressionTimezone` for `ScheduleV2`. A run at every matching minute.
- `at(yyyy-mm-ddThh:mm:ss)` (ScheduleV2): once.
- `Enabled: false` / `State: DISABLED`: not run on its own, but still triggerable.

`overrides` replace the cadence by a number of seconds, per function (logical id or name, or
`LogicalId.EventName` for one event; `*` for all): HERALD_LOCAL_SCHEDULE_SECONDS, and
HERALD_LOCAL_SWEEP_SECONDS for SweeperFunction. `ScheduleRunner.trigger()` runs one at once
(LocalCloud.trigger_schedule)."""

from __future__ import annotations

import calendar
import json
import logging
import re
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from local.functions import FunctionRegistry, LocalFunction

log = logging.getLogger(__name__)

_RATE = re.compile(r"^rate\(\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*\)$")
_CRON = re.compile(r"^cron\((.*)\)$")
_AT = re.compile(r"^at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)$")
_UNIT_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}
_MONTHS = {name: number for number, name in enumerate(
    ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"), start=1)}
_WEEKDAYS = {"SUN": 1, "MON": 2, "TUE": 3, "WED": 4, "THU": 5, "FRI": 6, "SAT": 7}  # EventBridge: 1 = Sunday
_CRON_HORIZON_YEARS = 5  # an expression that matches nothing sooner is treated as never


def rate_seconds(expression: str) -> int | None:
    """Seconds between runs of a `rate()` expression, None when it is not one."""
    match = _RATE.match(expression.strip())
    if not match:
        return None
    count, unit = int(match.group(1)), match.group(2)
    if count < 1 or (count == 1) != (not unit.endswith("s")):
        raise ValueError(f"invalid rate expression {expression!r} (1 takes a singular unit, more a plural)")
    return count * _UNIT_SECONDS[unit.rstrip("s")]


# -- cron() -------------------------------------------------------------------------------------


def _weekday(day: date) -> int:
    """EventBridge's day of week: 1 = Sunday ... 7 = Saturday."""
    return (day.weekday() + 1) % 7 + 1


def _value(text: str, names: Mapping[str, int], low: int, high: int) -> int:
    text = text.strip().upper()
    value = names[text] if text in names else int(text)
    if not low <= value <= high:
        raise ValueError(f"{text} is out of range {low}-{high}")
    return value


def _values(text: str, low: int, high: int, names: Mapping[str, int] | None = None) -> frozenset[int]:
    """A cron field of `* , - /` and names as the set of values it allows."""
    names = names or {}
    allowed: set[int] = set()
    for part in text.split(","):
        base, _, step_text = part.partition("/")
        step = int(step_text) if step_text else 1
        if step < 1:
            raise ValueError(f"invalid step in {part!r}")
        if base in ("*", "?"):
            first, last = low, high
        elif "-" in base:
            start, _, end = base.partition("-")
            first, last = _value(start, names, low, high), _value(end, names, low, high)
        else:
            first = _value(base, names, low, high)
            last = high if step_text else first
        if first <= last:
            allowed.update(range(first, last + 1, step))
        else:  # a range across the end (FRI-MON, NOV-FEB)
            allowed.update(v for v in [*range(first, high + 1), *range(low, last + 1)][::step])
    return frozenset(allowed)


def _nearest_weekday(year: int, month: int, day: int) -> int:
    """The `W` rule: the weekday nearest to that day, within the month."""
    last = calendar.monthrange(year, month)[1]
    day = min(day, last)
    weekday = date(year, month, day).weekday()  # Monday = 0
    if weekday == 5:  # Saturday: Friday, or Monday when the 1st is a Saturday
        return day - 1 if day > 1 else day + 2
    if weekday == 6:  # Sunday: Monday, or Friday when it is the last day
        return day + 1 if day < last else day - 2
    return day


def _day_of_month_rule(text: str) -> Callable[[date], bool] | None:
    text = text.strip().upper()
    if text == "?":
        return None
    if text == "L":
        return lambda d: d.day == calendar.monthrange(d.year, d.month)[1]
    if text == "LW":
        return lambda d: d.day == _nearest_weekday(d.year, d.month, 31)
    if text.endswith("W"):
        target = _value(text[:-1], {}, 1, 31)
        return lambda d: d.day == _nearest_weekday(d.year, d.month, target)
    days = _values(text, 1, 31)
    return lambda d: d.day in days


def _day_of_week_rule(text: str) -> Callable[[date], bool] | None:
    text = text.strip().upper()
    if text == "?":
        return None
    if text == "L":
        return lambda d: _weekday(d) == 7
    if text.endswith("L"):  # 6L: the last Friday of the month
        weekday = _value(text[:-1], _WEEKDAYS, 1, 7)
        return lambda d: _weekday(d) == weekday and d.day + 7 > calendar.monthrange(d.year, d.month)[1]
    if "#" in text:  # 3#2: the second Tuesday of the month
        day_text, _, nth_text = text.partition("#")
        weekday, nth = _value(day_text, _WEEKDAYS, 1, 7), int(nth_text)
        if not 1 <= nth <= 5:
            raise ValueError(f"invalid {text!r}")
        return lambda d: _weekday(d) == weekday and (d.day - 1) // 7 + 1 == nth
    days = _values(text, 1, 7, _WEEKDAYS)
    return lambda d: _weekday(d) in days


@dataclass(frozen=True)
class Cron:
    """An EventBridge cron() expression, evaluated in `timezone`."""

    expression: str
    minutes: frozenset[int] = field(repr=False)
    hours: frozenset[int] = field(repr=False)
    months: frozenset[int] = field(repr=False)
    years: frozenset[int] = field(repr=False)
    day_of_month: Callable[[date], bool] | None = field(repr=False)
    day_of_week: Callable[[date], bool] | None = field(repr=False)
    timezone: str = "UTC"

    @classmethod
    def parse(cls, expression: str, timezone: str | None = None) -> Cron | None:
        """None when `expression` is not a cron(); ValueError when it is an invalid one."""
        match = _CRON.match(expression.strip())
        if not match:
            return None
        fields = match.group(1).split()
        if len(fields) != 6:
            raise ValueError(f"{expression!r}: cron() takes 6 fields (minutes hours day-of-month month day-of-week year)")
        minutes, hours, day_of_month, month, day_of_week, year = fields
        dom, dow = _day_of_month_rule(day_of_month), _day_of_week_rule(day_of_week)
        if (dom is None) == (dow is None):
            raise ValueError(f"{expression!r}: one (and only one) of day-of-month and day-of-week must be ?")
        ZoneInfo(timezone or "UTC")  # fails early on an unknown timezone
        return cls(
            expression=expression,
            minutes=_values(minutes, 0, 59),
            hours=_values(hours, 0, 23),
            months=_values(month, 1, 12, _MONTHS),
            years=_values(year, 1970, 2199),
            day_of_month=dom,
            day_of_week=dow,
            timezone=timezone or "UTC",
        )

    def _day_matches(self, day: date) -> bool:
        rule = self.day_of_month or self.day_of_week
        return rule is not None and rule(day)

    def next_after(self, moment: datetime) -> datetime | None:
        """The first matching minute strictly after `moment` (aware), in UTC; None if none soon."""
        zone = ZoneInfo(self.timezone)
        local = moment.astimezone(zone).replace(tzinfo=None, second=0, microsecond=0) + timedelta(minutes=1)
        horizon = local.year + _CRON_HORIZON_YEARS
        while local.year <= horizon:
            if local.year not in self.years:
                local = datetime(local.year + 1, 1, 1)
            elif local.month not in self.months:
                local = datetime(local.year + (local.month == 12), local.month % 12 + 1, 1)
            elif not self._day_matches(local.date()):
                local = datetime.combine(local.date() + timedelta(days=1), datetime.min.time())
            elif local.hour not in self.hours:
                local = local.replace(minute=0) + timedelta(hours=1)
            elif local.minute not in self.minutes:
                local += timedelta(minutes=1)
            else:
                return local.replace(tzinfo=zone).astimezone(UTC)
        return None


# -- the template's scheduled events ------------------------------------------------------------


@dataclass(frozen=True)
class ScheduledEvent:
    function: LocalFunction = field(repr=False)
    event_name: str
    expression: str
    interval_seconds: float | None  # rate() or an override
    input: Any | None  # the event's Input, else EventBridge's "Scheduled Event"
    kind: str  # "Schedule" (EventBridge rule) or "ScheduleV2" (Scheduler)
    cron: Cron | None = None
    at: datetime | None = None  # ScheduleV2 at(): once
    enabled: bool = True

    @property
    def key(self) -> str:
        return f"{self.function.spec.logical_id}.{self.event_name}"

    def payload(self) -> Any:
        if self.input is not None:
            return self.input
        if self.kind == "ScheduleV2":
            return {}
        region, account = self.function.spec.arn.split(":")[3:5]
        return {
            "version": "0",
            "id": str(uuid.uuid4()),
            "detail-type": "Scheduled Event",
            "source": "aws.events",
            "account": account,
            "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "region": region,
            "resources": [f"arn:aws:events:{region}:{account}:rule/{self.function.name}-{self.event_name}"],
            "detail": {},
        }

    def next_after(self, moment: float) -> float | None:
        """When it runs next after `moment` (epoch seconds), on its own; None: never again."""
        if self.interval_seconds is not None:
            return moment + self.interval_seconds
        if self.cron is not None:
            upcoming = self.cron.next_after(datetime.fromtimestamp(moment, UTC))
            return upcoming.timestamp() if upcoming else None
        if self.at is not None:
            return self.at.timestamp() if self.at.timestamp() > moment else None
        return None


def _override(overrides: Mapping[str, float], function: LocalFunction, event_name: str) -> float | None:
    for key in (f"{function.spec.logical_id}.{event_name}", function.spec.logical_id, function.name, "*"):
        if overrides.get(key):
            return float(overrides[key])
    return None


def scheduled_events(registry: FunctionRegistry, overrides: Mapping[str, float] | None = None) -> list[ScheduledEvent]:
    """The Schedule/ScheduleV2 events of every function in the registry (disabled ones too, with
    `enabled=False`); `overrides` replaces cadences by seconds (see the module docstring)."""
    overrides = overrides or {}
    found = []
    for function in registry:
        for event_name, event in function.spec.events.items():
            kind = event.get("Type")
            if kind not in ("Schedule", "ScheduleV2"):
                continue
            where = f"{function.spec.logical_id}.{event_name}"
            props = event.get("Properties") or {}
            enabled = props.get("Enabled") not in (False, "false") and str(props.get("State", "")).upper() != "DISABLED"
            expression = str(props.get("Schedule") or props.get("ScheduleExpression") or "").strip()
            timezone = props.get("ScheduleExpressionTimezone") if kind == "ScheduleV2" else None
            interval: float | None = _override(overrides, function, event_name)
            cron, at = None, None
            try:
                if interval is None:
                    interval = rate_seconds(expression)
                    cron = Cron.parse(expression, timezone) if interval is None else None
                    match = _AT.match(expression)
                    if match and kind == "ScheduleV2":
                        at = datetime.strptime(match.group(1), "%Y-%m-%dT%H:%M:%S").replace(
                            tzinfo=ZoneInfo(timezone or "UTC"))
            except (ValueError, KeyError) as exc:
                log.warning("%s: %s cannot be run locally (%s); trigger it on demand or override its cadence",
                            where, expression, exc)
            if interval is None and cron is None and at is None:
                log.warning("%s: %r is not a rate(), cron() or at() expression: it runs only when triggered",
                            where, expression)
            raw_input = props.get("Input")
            found.append(
                ScheduledEvent(
                    function=function,
                    event_name=event_name,
                    expression=expression,
                    interval_seconds=interval,
                    input=json.loads(raw_input) if isinstance(raw_input, str) else raw_input,
                    kind=kind,
                    cron=cron,
                    at=at,
                    enabled=enabled,
                )
            )
    return found


@dataclass
class _Timer:
    event: ScheduledEvent
    due: float | None  # epoch seconds; None: not on its own


@dataclass
class Firing:
    event: ScheduledEvent
    request_id: str
    triggered: bool  # on demand, not on its schedule


class ScheduleRunner:
    """Runs the scheduled events when due (`run_once`, every tick) or on demand (`trigger`)."""

    def __init__(
        self,
        registry: FunctionRegistry,
        events: list[ScheduledEvent],
        *,
        clock: Callable[[], float] = time.time,
    ):
        self.registry = registry
        self.events = events
        self._clock = clock
        now = clock()
        self._timers = [_Timer(event, event.next_after(now) if event.enabled else None) for event in events]
        self._lock = threading.Lock()
        for timer in self._timers:
            self._describe(timer)

    @property
    def tick_seconds(self) -> float:
        """How often run_once should be called to keep every cadence."""
        intervals = [t.event.interval_seconds for t in self._timers if t.event.interval_seconds and t.event.enabled]
        return max(0.01, min([1.0, *(interval / 4 for interval in intervals)]))

    def next_due(self, name: str) -> datetime | None:
        """When the function's (or `LogicalId.EventName`'s) next run on its own is due."""
        dues = [t.due for t in self._timers if self._matches(t.event, name) and t.due is not None]
        return datetime.fromtimestamp(min(dues), UTC) if dues else None

    def run_once(self) -> list[Firing]:
        """Fire every event that is due (once, however late: missed runs are not made up)."""
        firings = []
        with self._lock:
            now = self._clock()
            for timer in self._timers:
                if timer.due is None or timer.due > now:
                    continue
                firings.append(self._fire(timer.event, triggered=False))
                following = timer.event.next_after(timer.due)
                if following is not None and following <= now:  # late: keep the cadence, skip the missed
                    following = timer.event.next_after(now)
                timer.due = following
        return firings

    def trigger(self, name: str, event_name: str | None = None) -> list[Firing]:
        """Run a function's scheduled events now (all of them, or `event_name`), whatever their
        schedule or state. `name`: logical id, function name or ARN, or `LogicalId.EventName`."""
        chosen = [
            event for event in self.events
            if self._matches(event, name) and (event_name is None or event.event_name == event_name)
        ]
        if not chosen:
            known = ", ".join(event.key for event in self.events) or "none"
            raise KeyError(f"no scheduled event {name}{'.' + event_name if event_name else ''} (known: {known})")
        return [self._fire(event, triggered=True) for event in chosen]

    @staticmethod
    def _matches(event: ScheduledEvent, name: str) -> bool:
        function = event.function
        return name in (event.key, function.spec.logical_id, function.name, function.spec.arn)

    def _fire(self, event: ScheduledEvent, *, triggered: bool) -> Firing:
        source = f"schedule {event.expression}" + (" (triggered)" if triggered else "")
        request_id = self.registry.invoke_async(event.function, event.payload(), source=source)
        return Firing(event, request_id, triggered)

    def _describe(self, timer: _Timer) -> None:
        event = timer.event
        if not event.enabled:
            log.info("%s (%s) is disabled: it runs only when triggered", event.key, event.expression)
        elif event.interval_seconds is not None:
            log.info("%s runs every %g s (%s)", event.function.name, event.interval_seconds, event.expression)
        elif timer.due is not None:
            log.info("%s runs on %s, next at %s", event.function.name, event.expression,
                     datetime.fromtimestamp(timer.due, UTC).isoformat(timespec="seconds"))


def parse_overrides(text: str | None) -> dict[str, float]:
    """HERALD_LOCAL_SCHEDULE_SECONDS: `30` (every scheduled event every 30 s) or
    `SweeperFunction=5,herald-collect=60` (per function, or `LogicalId.EventName`)."""
    seconds: dict[str, float] = {}
    for part in (text or "").split(","):
        part = part.strip()
        if not part:
            continue
        name, separator, value = part.rpartition("=")
        try:
            seconds[name.strip() if separator else "*"] = float(value)
        except ValueError as exc:
            raise ValueError(f"HERALD_LOCAL_SCHEDULE_SECONDS: {part!r} is not [name=]seconds") from exc
    return seconds
