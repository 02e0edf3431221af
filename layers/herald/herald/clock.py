"""The one source of 'now', so tests and the publish path can use a controllable clock."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...

    def sleep(self, seconds: float) -> None: ...


def to_millis(moment: datetime) -> datetime:
    """Herald keeps times to the millisecond (as stored), so what it answers never changes on reread."""
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


class SystemClock:
    def now(self) -> datetime:
        return to_millis(datetime.now(UTC))

    def sleep(self, seconds: float) -> None:
        import time

        if seconds > 0:
            time.sleep(seconds)


def to_iso(moment: datetime) -> str:
    """UTC, millisecond precision, 'Z' suffix: sortable as a string in DynamoDB."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def from_iso(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)
