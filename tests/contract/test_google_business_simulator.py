"""GoogleBusinessPlatform against the Google Business Profile simulator: connecting several locations,
local posts as the simulator checks and reviews them, every injected failure, and the location's
daily metrics growing with time."""

from __future__ import annotations

import base64
import hashlib
from datetime import date, timedelta

import httpx
import pytest

from herald.accounts.model import Account
from herald.platforms import simulators
from herald.platforms.base import (
    AppCredentials,
    ErrorClass,
    LinkPreview,
    MediaItem,
    PlatformError,
    PostContent,
    PublishedPost,
    ReconcileOutcome,
)
from herald.platforms.google_business import PROCESSING_POLL_SECONDS, SCOPES, GoogleBusinessPlatform
from herald.platforms.registry import open_platform
from herald.platforms.simulators import TEST_CLIENT_ID, TEST_CLIENT_SECRET, simulated_code
from herald.platforms.simulators.google_business import GoogleBusinessSimulator, connect_handler, maps_uri
from support.clock import FakeClock

APP = AppCredentials(TEST_CLIENT_ID, TEST_CLIENT_SECRET)
REDIRECT = "https://herald.example.com/v1/oauth/google_business/callback"
VERIFIER = "M25iVXpKU3puUjFaYWg3T1NDTDQtcW1ROUY5YXlwalNoc0hhakxifmZHag"
CHALLENGE = base64.urlsafe_b64encode(hashlib.sha256(VERIFIER.encode()).digest()).decode().rstrip("=")
PHOTO = MediaItem("https://bucket.example/bread.jpg", "image", mime="image/jpeg")


@pytest.fixture
def clock() -> FakeClock:
    clock = FakeClock()
    simulators.use_clock(clock.now)
    return clock


def gbp(account: Account, clock: FakeClock) -> GoogleBusinessPlatform:
    platform = open_platform(account)
    assert isinstance(platform, GoogleBusinessPlatform)
    platform.clock = clock
    return platform


def bakery(make_account, simulate: list[str] | None = None) -> Account:
    account: Account = make_account("google_business", "acc_gbp", "Sunrise Bakery", simulate=simulate)
    return account


def failure_of(call) -> PlatformError:
    with pytest.raises(PlatformError) as failed:
        call()
    return failed.value


# --- connecting -------------------------------------------------------------------------------


def connect(username: str, app: AppCredentials = APP, verifier: str | None = VERIFIER) -> list:
    client = httpx.Client(transport=httpx.MockTransport(connect_handler))
    return GoogleBusinessPlatform.connect_all_with_code(
        client, app, simulated_code(username, CHALLENGE), REDIRECT, verifier
    )


def test_a_consent_connects_every_location_of_both_accounts() -> None:
    connections = connect("sunrise_bakery")

    assert [c.identity.username for c in connections] == [
        "Sunrise Bakery",
        "Sunrise Bakery Mission",
        "Sunrise Bakery Sunset",
    ]
    tokens = [c.credentials.tokens for c in connections]
    assert tokens[0]["account"] != tokens[1]["account"] == tokens[2]["account"]
    assert len({t["location"] for t in tokens}) == 3
    assert all(t["maps_uri"] == maps_uri(t["location"]) for t in tokens)
    assert all(c.identity.platform_user_id == c.credentials.tokens["location"] for c in connections)
    assert connections[0].identity.permissions == SCOPES
    assert connect("sunrise_bakery")[0].credentials.tokens["location"] == tokens[0]["location"]  # stable


@pytest.mark.parametrize(
    ("username", "app", "verifier", "code"),
    [
        ("nolocation_person", APP, VERIFIER, "no_locations"),
        ("sunrise", APP, "wrong", "authorization_failed"),
        ("sunrise", AppCredentials("someone-else", TEST_CLIENT_SECRET), VERIFIER, "app_not_configured"),
    ],
    ids=["no-location", "wrong-verifier", "wrong-client"],
)
def test_connect_refusals(username: str, app: AppCredentials, verifier: str, code: str) -> None:
    refused = failure_of(lambda: connect(username, app, verifier))

    assert (refused.error_class, refused.code) == (ErrorClass.PERMANENT, code)


def test_a_connected_location_is_its_own_account(make_account, clock: FakeClock) -> None:
    connection = connect("sunrise_bakery")[1]
    account = make_account("google_business", "acc_gbp", connection.identity.username).model_copy(
        update={"credentials": connection.credentials.tokens}
    )

    platform = gbp(account, clock)

    assert platform.identity().platform_user_id == connection.credentials.tokens["location"]
    post = platform.publish(PostContent(text="Open late tonight"))
    assert post.platform_post_id.startswith(
        f"{connection.credentials.tokens['account']}/{connection.credentials.tokens['location']}/localPosts/"
    )


# --- posts ------------------------------------------------------------------------------------


def test_a_photo_post_is_processed_then_live(make_account, clock: FakeClock) -> None:
    account = bakery(make_account)
    platform = gbp(account, clock)

    post = platform.publish(
        PostContent(text="Fresh bread", media=(PHOTO,), link=LinkPreview(url="https://sunrise-bakery.example/bread"))
    )

    [stored] = simulators.published("acc_gbp")
    assert stored["name"] == post.platform_post_id and stored["state"] == "LIVE"
    assert stored["body"]["callToAction"] == {"actionType": "LEARN_MORE", "url": "https://sunrise-bakery.example/bread"}
    assert stored["body"]["media"] == [{"mediaFormat": "PHOTO", "sourceUrl": PHOTO.url}]
    assert post.url == stored["searchUrl"] and post.url.startswith("https://local.google.com/place?id=")
    assert clock.slept == [PROCESSING_POLL_SECONDS]
    assert platform.identity().username == "Sunrise Bakery"


def test_events_and_offers_through_the_simulator(make_account, clock: FakeClock) -> None:
    platform = gbp(bakery(make_account), clock)
    event = {
        "topic_type": "EVENT",
        "event_title": "Tasting",
        "event_start": "2030-02-01T10:00",
        "event_end": "2030-02-01T12:00",
        "call_to_action": "CALL",
    }
    offer = {
        "topic_type": "OFFER",
        "event_title": "Week",
        "event_start": "2030-02-01",
        "event_end": "2030-02-07",
        "offer_coupon_code": "BREAD",
    }

    platform.publish(PostContent(text="Come taste", options=event))
    platform.publish(PostContent(text="", options=offer))

    stored = [post["body"] for post in simulators.published("acc_gbp")]
    assert stored[0]["event"]["schedule"]["startTime"] == {"hours": 10, "minutes": 0, "seconds": 0, "nanos": 0}
    assert stored[1]["offer"] == {"couponCode": "BREAD"} and "summary" not in stored[1]


def test_a_phone_number_gets_the_post_rejected(make_account, clock: FakeClock) -> None:
    platform = gbp(bakery(make_account), clock)

    refused = failure_of(lambda: platform.publish(PostContent(text="Call us at +1 415 555 0100!")))

    assert (refused.error_class, refused.code) == (ErrorClass.PERMANENT, "content_rejected")
    assert platform.reconcile(PostContent(text="Call us at +1 415 555 0100!")).outcome is ReconcileOutcome.ABSENT


def test_the_simulator_checks_local_posts(make_account) -> None:
    account = bakery(make_account)
    client = httpx.Client(transport=httpx.MockTransport(GoogleBusinessSimulator.for_account(account).handle))
    url = f"https://mybusiness.googleapis.com/v4/{account.credentials['account']}/{account.credentials['location']}/localPosts"
    headers = {"Authorization": f"Bearer {account.credentials['access_token']}"}
    schedule = {"startDate": {"year": 2030, "month": 2, "day": 2}, "endDate": {"year": 2030, "month": 2, "day": 1}}

    def field(body: dict) -> str:
        answer = client.post(url, json=body, headers=headers)
        assert answer.status_code == 400, answer.text
        return answer.json()["error"]["details"][0]["errorDetails"][0]["field"]

    assert field({"summary": "x"}) == "topic_type"
    assert field({"topicType": "STANDARD", "summary": "x" * 1501}) == "summary"
    assert (
        field({"topicType": "EVENT", "summary": "x", "event": {"title": "T", "schedule": schedule}}) == "event.schedule"
    )
    assert field({"topicType": "STANDARD", "summary": "x", "offer": {"couponCode": "A"}}) == "offer"
    assert (
        field({"topicType": "STANDARD", "summary": "x", "callToAction": {"actionType": "BOOK"}}) == "call_to_action.url"
    )
    assert (
        field(
            {
                "topicType": "STANDARD",
                "summary": "x",
                "media": [{"mediaFormat": "VIDEO", "sourceUrl": "https://a.example/v.mp4"}],
            }
        )
        == "media.media_format"
    )
    other = client.post(url.replace(account.credentials["location"], "locations/1"), json={}, headers=headers)
    assert other.status_code == 404
    assert simulators.published("acc_gbp") == []


def test_delete_reconcile_and_no_replies(make_account, clock: FakeClock) -> None:
    platform = gbp(bakery(make_account), clock)
    post = platform.publish(PostContent(text="Bread of the day: rye"))

    assert platform.reconcile(PostContent(text="Bread of the day: rye")).post == PublishedPost(
        post.platform_post_id, post.url
    )
    assert platform.reconcile(PostContent(text="Something else")).outcome is ReconcileOutcome.ABSENT
    assert failure_of(lambda: platform.reply(post, PostContent(text="hi"))).code == "not_supported"
    assert platform.metrics([post.platform_post_id]) == {post.platform_post_id: {}}
    platform.delete(post.platform_post_id)
    platform.delete(post.platform_post_id)
    assert simulators.published("acc_gbp") == []


# --- location metrics --------------------------------------------------------------------------------


def test_location_metrics_grow_with_time_and_agree_across_simulators(make_account, clock: FakeClock) -> None:
    account = bakery(make_account)
    today = clock.now().date()
    month = (today - timedelta(days=30), today + timedelta(days=30))

    before = gbp(account, clock).account_metrics(*month)
    clock.advance(days=10)
    later = gbp(account, clock).account_metrics(*month)
    again = gbp(account, clock).account_metrics(*month)

    assert set(later) == {
        "impressions",
        "website_clicks",
        "call_clicks",
        "direction_requests",
        "conversations",
        "bookings",
    }
    assert later == again
    assert all(later[name] >= before[name] for name in later)
    assert later["impressions"] > before["impressions"] > 0
    assert gbp(account, clock).account_metrics(today + timedelta(days=20), today + timedelta(days=25)) == dict.fromkeys(
        later, 0
    )  # days to come have no data yet


def test_the_performance_api_leaves_out_days_without_data(make_account, clock: FakeClock) -> None:
    account = bakery(make_account)
    client = httpx.Client(transport=httpx.MockTransport(GoogleBusinessSimulator.for_account(account).handle))
    start = date(2029, 12, 1)
    params = [
        ("dailyMetrics", "BUSINESS_CONVERSATIONS"),
        ("dailyRange.startDate.year", "2029"),
        ("dailyRange.startDate.month", "12"),
        ("dailyRange.startDate.day", "1"),
        ("dailyRange.endDate.year", "2029"),
        ("dailyRange.endDate.month", "12"),
        ("dailyRange.endDate.day", "31"),
    ]

    answer = client.get(
        f"https://businessprofileperformance.googleapis.com/v1/{account.credentials['location']}"
        ":fetchMultiDailyMetricsTimeSeries",
        params=params,
        headers={"Authorization": f"Bearer {account.credentials['access_token']}"},
    )

    dated = answer.json()["multiDailyMetricTimeSeries"][0]["dailyMetricTimeSeries"][0]["timeSeries"]["datedValues"]
    assert [entry["date"] for entry in dated][0] == {"year": start.year, "month": start.month, "day": start.day}
    assert len(dated) == 31
    assert any("value" not in entry for entry in dated) and any("value" in entry for entry in dated)


# --- injected failures ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("failure", "error_class", "code", "made"),
    [
        ("rate_limited", ErrorClass.RETRY, "rate_limited", False),
        ("server_error", ErrorClass.RETRY, "platform_unavailable", False),
        ("duplicate", ErrorClass.PERMANENT, "duplicate_content", False),
        ("timeout", ErrorClass.RETRY, "timeout", True),
        ("malformed", ErrorClass.RETRY, "platform_unavailable", True),
        ("connect_timeout", ErrorClass.RETRY, "timeout", False),
        ("expired_token", ErrorClass.REFRESH, "token_expired", False),
    ],
)
def test_each_injected_failure(
    make_account, clock: FakeClock, failure: str, error_class: ErrorClass, code: str, made: bool
) -> None:
    platform = gbp(bakery(make_account, [failure]), clock)

    error = failure_of(lambda: platform.publish(PostContent(text="Fresh bread")))

    assert (error.error_class, error.code) == (error_class, code)
    assert len(simulators.published("acc_gbp")) == (1 if made else 0)
    if failure == "expired_token":
        platform.credentials = platform.refresh_credentials()
    found = platform.reconcile(PostContent(text="Fresh bread")).outcome
    assert found is (ReconcileOutcome.FOUND if made else ReconcileOutcome.ABSENT)
    if not made:
        platform.publish(PostContent(text="Fresh bread"))
        assert len(simulators.published("acc_gbp")) == 1


def test_a_revoked_grant_is_not_refreshed(make_account, clock: FakeClock) -> None:
    platform = gbp(bakery(make_account, ["revoked_token"]), clock)

    assert failure_of(lambda: platform.publish(PostContent(text="x"))).error_class is ErrorClass.REFRESH
    refused = failure_of(platform.refresh_credentials)

    assert (refused.error_class, refused.code) == (ErrorClass.RECONNECT, "account_disconnected")


def test_revoke_ends_the_grant(make_account, clock: FakeClock) -> None:
    platform = gbp(bakery(make_account), clock)

    assert platform.revoke() is True
    assert failure_of(platform.identity).error_class is ErrorClass.REFRESH
    assert failure_of(platform.refresh_credentials).error_class is ErrorClass.RECONNECT


def test_failures_hit_creates_only(make_account, clock: FakeClock) -> None:
    platform = gbp(bakery(make_account), clock)
    post = platform.publish(PostContent(text="first"))
    simulators.inject("acc_gbp", ["server_error"])

    assert platform.identity().username == "Sunrise Bakery"
    assert platform.account_metrics(date(2029, 12, 1), date(2029, 12, 31))["impressions"] > 0
    assert platform.reconcile(PostContent(text="first")).post == PublishedPost(post.platform_post_id, post.url)
    platform.delete(post.platform_post_id)
    assert failure_of(lambda: platform.publish(PostContent(text="second"))).code == "platform_unavailable"
