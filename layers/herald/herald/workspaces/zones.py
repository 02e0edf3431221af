"""Time zone names a profile may have: IANA names (`Europe/Paris`, `UTC`) that zoneinfo knows, and
that a browser's Intl API knows too (so not zoneinfo's file-system aliases such as `localtime`)."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from herald.errors import InvalidTimezone

MAX_LENGTH = 64
_NOT_ZONES = frozenset({"localtime", "posixrules", "Factory"})
_NOT_PREFIXES = ("posix/", "right/")


def check_timezone(name: str) -> str:
    """`name` when it is a time zone a profile may have, else InvalidTimezone."""
    if len(name) <= MAX_LENGTH and name not in _NOT_ZONES and not name.startswith(_NOT_PREFIXES):
        try:
            ZoneInfo(name)
            return name
        except (ZoneInfoNotFoundError, ValueError, OSError):
            pass
    raise InvalidTimezone(
        "The timezone must be an IANA time zone name, such as Europe/Paris or UTC.",
        details=[{"field": "timezone", "value": name[:MAX_LENGTH], "issue": "unknown_time_zone"}],
    )
