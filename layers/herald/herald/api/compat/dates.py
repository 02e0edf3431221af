"""Ayrshare's dates: UTC ISO-8601 strings out (`2026-11-02T14:00:03Z`); in, a string or the older
`{"_seconds", "_nanoseconds", "utc"}` object."""

from __future__ import annotations

from datetime import UTC, datetime

from herald.api.compat.errors import AyrshareError
from herald.clock import to_millis


def iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse(value: object, field: str) -> datetime:
    """A date Ayrshare accepts, as an aware UTC datetime; a date without an offset is UTC."""
    try:
        if isinstance(value, dict):
            if isinstance(value.get("utc"), str):
                return parse(value["utc"], field)
            seconds = value.get("_seconds")
            if isinstance(seconds, int | float) and not isinstance(seconds, bool):
                nanos = value.get("_nanoseconds") or 0
                return to_millis(datetime.fromtimestamp(seconds + float(nanos) / 1e9, UTC))
            raise ValueError("no utc or _seconds")
        if isinstance(value, str) and value.strip():
            moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00").replace("z", "+00:00"))
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=UTC)
            return to_millis(moment.astimezone(UTC))
        raise ValueError("empty")
    except (ValueError, TypeError, OverflowError, OSError) as exc:
        raise AyrshareError(
            f"`{field}` must be a UTC ISO-8601 date such as 2026-11-06T18:00:00Z.",
            details=[{"field": field, "value": str(value)[:100]}],
        ) from exc
