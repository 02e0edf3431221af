"""Which time zone names a profile may have: IANA names only, every other one refused with
`invalid_timezone` (422)."""

from __future__ import annotations

import pytest

from herald.api.errors import from_herald_error
from herald.errors import InvalidTimezone
from herald.workspaces.zones import check_timezone


@pytest.mark.parametrize("name", ["UTC", "Europe/Paris", "America/Argentina/Buenos_Aires", "Etc/GMT+5", "Asia/Kolkata"])
def test_iana_names_are_kept_as_given(name: str) -> None:
    assert check_timezone(name) == name


@pytest.mark.parametrize("name", [
    "", "europe/paris", "Europe", "Europe/", "Mars/Olympus", " UTC", "UTC\n", "../etc/passwd", "/etc/localtime",
    "localtime", "posixrules", "posix/Europe/Paris", "right/UTC", "zone.tab", "Factory", "x" * 5000, "a\x00b",
])
def test_anything_else_is_refused_with_a_stable_code(name: str) -> None:
    with pytest.raises(InvalidTimezone) as refused:
        check_timezone(name)
    assert refused.value.code == "invalid_timezone"
    assert refused.value.details[0]["field"] == "timezone"
    assert len(refused.value.details[0]["value"]) <= 64


def test_the_code_answers_422_in_the_envelope() -> None:
    answer = from_herald_error(InvalidTimezone("bad", details=[{"field": "timezone"}]))
    assert answer.status_code == 422
    assert '"code":"invalid_timezone"' in answer.body
