"""Small pure pieces: stored time format, ids, request-time conversion, outcome rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from herald.api.models import to_utc
from herald.clock import from_iso, to_iso, to_millis
from herald.ids import new_id, ulid
from herald.platforms.base import ErrorClass, PlatformError, PublishedPost
from herald.posts.model import PostTarget, TargetStatus
from herald.publishing import outcomes
from herald.schedules.names import schedule_name_for
from herald.store.codec import from_item, to_item

NOW = datetime(2030, 1, 7, 9, 0, tzinfo=UTC)


def test_stored_times_sort_as_strings_in_time_order() -> None:
    moments = [NOW + timedelta(microseconds=m) for m in (0, 1000, 500_000, 999_000, 1_000_000, 60_000_000)]
    stored = [to_iso(m) for m in moments]
    assert stored == sorted(stored)
    assert len({len(s) for s in stored}) == 1
    assert from_iso(to_iso(NOW + timedelta(milliseconds=5))) == NOW + timedelta(milliseconds=5)


def test_to_millis_drops_microseconds_only() -> None:
    assert to_millis(NOW.replace(microsecond=123_456)) == NOW.replace(microsecond=123_000)


def test_ids_sort_by_creation_time() -> None:
    early, late = ulid(1_000), ulid(2_000)
    assert early < late and len(early) == 26
    assert new_id("post").startswith("post_") and new_id("post") != new_id("post")


def test_codec_round_trip() -> None:
    values = {"PK": "WS#1", "n": 3, "when": NOW, "nested": {"list": [1, "a"], "none": None}, "flag": True}
    back = from_item(to_item(values))
    assert back == {"PK": "WS#1", "n": 3, "when": to_iso(NOW), "nested": {"list": [1, "a"]}, "flag": True}


@pytest.mark.parametrize(
    ("moment", "zone", "expected"),
    [
        (datetime(2031, 6, 1, 9, 0), "Europe/Paris", datetime(2031, 6, 1, 7, 0, tzinfo=UTC)),
        (datetime(2031, 1, 1, 9, 0), "Europe/Paris", datetime(2031, 1, 1, 8, 0, tzinfo=UTC)),
        (datetime(2031, 1, 1, 9, 0), None, datetime(2031, 1, 1, 9, 0, tzinfo=UTC)),
        (datetime(2031, 1, 1, 9, 0, tzinfo=timezone(timedelta(hours=-5))), "Asia/Tokyo",
         datetime(2031, 1, 1, 14, 0, tzinfo=UTC)),
    ],
)
def test_local_times_become_utc(moment: datetime, zone: str | None, expected: datetime) -> None:
    assert to_utc(moment, zone) == expected


def test_schedule_names_fit_scheduler() -> None:
    assert len(schedule_name_for(new_id("post"))) <= 64


TARGET = PostTarget(platform="x", account_id="a", status=TargetStatus.SENDING, attempts=2)
BASE, CAP = timedelta(seconds=60), timedelta(hours=1)


def test_rate_limit_waits_for_the_reset_and_stays_pending() -> None:
    reset = NOW + timedelta(minutes=15)
    error = PlatformError(ErrorClass.RETRY, "rate_limited", "slow", platform_code="429", retry_at=reset)
    result = outcomes.failed(TARGET, error, NOW, retry_base=BASE, retry_max=CAP)
    assert (result.status, result.retry_after, result.error.platform_code) == (TargetStatus.PENDING, reset, "429")


@pytest.mark.parametrize("code", sorted(outcomes.OUTCOME_UNKNOWN_CODES))
def test_answers_that_may_have_published_keep_the_target_sending(code: str) -> None:
    result = outcomes.failed(TARGET, PlatformError(ErrorClass.RETRY, code, "?"), NOW, retry_base=BASE, retry_max=CAP)
    assert result.status is TargetStatus.SENDING
    assert result.retry_after == NOW + timedelta(seconds=120)  # backoff for the 2nd attempt


@pytest.mark.parametrize("error_class", [ErrorClass.RECONNECT, ErrorClass.REFRESH])
def test_credential_failures_fail_as_disconnected(error_class: ErrorClass) -> None:
    error = PlatformError(error_class, "token_expired", "no", platform_code="401")
    result = outcomes.failed(TARGET, error, NOW, retry_base=BASE, retry_max=CAP)
    assert (result.status, result.error.code, result.error.platform_code) == (
        TargetStatus.FAILED, "account_disconnected", "401")


def test_published_clears_the_error() -> None:
    failed = outcomes.failed(TARGET, PlatformError(ErrorClass.RETRY, "timeout", "t"), NOW, retry_base=BASE,
                             retry_max=CAP)
    done = outcomes.step_done(failed, PublishedPost("1", "https://x.com/a/status/1"), NOW, final=True)
    assert (done.status, done.error, done.retry_after, done.url) == (
        TargetStatus.PUBLISHED, None, None, "https://x.com/a/status/1")
    assert [p.platform_post_id for p in done.parts] == ["1"]
