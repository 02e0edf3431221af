"""GoogleBusinessPlatform against the recorded Google Business Profile exchanges (the simulator's
recordings/google_business.json, from the Account Management, Business Information, My Business v4
and Performance API references), step by step."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
from scripted_http import Exchange, Script

from herald.platforms.base import (
    AppCredentials,
    Credentials,
    ErrorClass,
    LinkPreview,
    MediaItem,
    PlatformError,
    PostContent,
    PublishedPost,
    ReconcileOutcome,
)
from herald.platforms.google_business import (
    PROCESSING_POLL_SECONDS,
    PROCESSING_POLLS,
    SCOPES,
    GoogleBusinessPlatform,
)
from herald.platforms.simulators.google_business import recordings
from support.clock import FakeClock

GRANT = recordings()["exchange_authorization_code"]["response"]["body"]
TOKEN, REFRESH = GRANT["access_token"], GRANT["refresh_token"]
ACCOUNT = "accounts/102345678901234567890"
GROUP = "accounts/109876543210987654321"
LOCATION = "locations/4458309102983450123"
MAPS = "https://maps.google.com/maps?cid=8414837359302315106"
POST = f"{ACCOUNT}/{LOCATION}/localPosts/1382738719287371723"
SEARCH = "https://local.google.com/place?id=8414837359302315106&use=posts&lpsid=1382738719287371723"
TOKENS = {
    "access_token": TOKEN,
    "refresh_token": REFRESH,
    "scope": SCOPES[0],
    "account": ACCOUNT,
    "location": LOCATION,
    "maps_uri": MAPS,
}
CREDENTIALS = Credentials(account_id="acc_gbp", username="Sunrise Bakery", tokens=TOKENS)
APP = AppCredentials("1234567890-abc123def456.apps.googleusercontent.com", "GOCSPX-abc123def456")
STANDARD = recordings()["create_standard_post"]["request"]["json"]
EVENT = recordings()["create_event_post"]["request"]["json"]
OFFER = recordings()["create_offer_post"]["request"]["json"]
PHOTO = MediaItem("https://bucket.example/sourdough.jpg", "image", mime="image/jpeg")
CREATED_AT = datetime(2030, 1, 7, 9, 0, 2, tzinfo=UTC)


def replay(name: str, **changes: Any) -> Exchange:
    entry = recordings()[name]
    request, response = entry["request"], entry["response"]
    url = httpx.URL(request["url"])
    exchange = Exchange(
        request["method"],
        f"{url.scheme}://{url.host}{url.path}",
        status=response["status"],
        body=response.get("body"),
        headers=response.get("headers", {}),
        params=list(url.params.multi_items()),
        json=request.get("json"),
        form=request.get("form"),
        request_headers=dict(request.get("headers", {})),
    )
    return dataclasses.replace(exchange, **changes)


def body_of(name: str) -> Any:
    return recordings()[name]["response"]["body"]


def error_response(name: str) -> httpx.Response:
    response = recordings()[name]["response"]
    return httpx.Response(response["status"], json=response["body"])


def gbp_for(script: Script, clock: FakeClock, credentials: Credentials = CREDENTIALS) -> GoogleBusinessPlatform:
    return GoogleBusinessPlatform(script.client(), credentials, app=APP, clock=clock)


def standard(**changes: Any) -> PostContent:
    base = PostContent(
        text=STANDARD["summary"],
        media=(PHOTO,),
        target_key="pst_1:acc_gbp",
        options={"call_to_action": "ORDER", "call_to_action_url": "https://sunrise-bakery.example/order"},
    )
    return dataclasses.replace(base, **changes)


def failure_of(call) -> PlatformError:
    with pytest.raises(PlatformError) as failed:
        call()
    return failed.value


# --- connect ---------------------------------------------------------------------------------------


def connect(script: Script) -> list:
    form = recordings()["exchange_authorization_code"]["request"]["form"]
    return GoogleBusinessPlatform.connect_all_with_code(
        script.client(), APP, form["code"], form["redirect_uri"], form["code_verifier"]
    )


def test_connecting_makes_one_connection_per_location_of_every_account() -> None:
    script = Script(
        replay("exchange_authorization_code"),
        replay("list_accounts"),
        replay("list_locations"),
        replay("list_group_locations"),
    )

    connections = connect(script)

    assert [c.identity.username for c in connections] == [
        "Sunrise Bakery",
        "Sunrise Bakery Mission",
        "Sunrise Bakery Sunset",
    ]
    first = connections[0]
    assert first.identity.platform_user_id == LOCATION
    assert first.identity.display_name == "Sunrise Bakery" and first.identity.followers is None
    assert first.identity.permissions == SCOPES
    assert first.credentials.tokens == TOKENS
    assert first.credentials.username == "Sunrise Bakery"
    assert first.credentials.expires_at is not None
    assert [c.credentials.tokens["account"] for c in connections] == [ACCOUNT, GROUP, GROUP]
    assert connections[2].credentials.tokens["location"] == "locations/7812345098765432102"
    script.assert_done()


def test_connecting_follows_pages_and_keeps_a_location_once() -> None:
    accounts = dict(body_of("list_accounts"), nextPageToken="page2")
    second_page = {"accounts": [body_of("list_accounts")["accounts"][0]]}  # the personal account again
    script = Script(
        replay("exchange_authorization_code"),
        replay("list_accounts", body=accounts),
        replay("list_accounts", body=second_page, params=[("pageSize", "20"), ("pageToken", "page2")]),
        replay("list_locations"),
        replay("list_group_locations"),
        replay("list_locations"),
    )

    assert len(connect(script)) == 3
    script.assert_done()


def test_a_person_without_locations_is_refused() -> None:
    script = Script(
        replay("exchange_authorization_code"),
        replay("list_accounts"),
        replay("list_locations", body={}),
        replay("list_group_locations", body={}),
    )

    refused = failure_of(lambda: connect(script))

    assert (refused.error_class, refused.code) == (ErrorClass.PERMANENT, "no_locations")


def test_connect_with_code_answers_the_first_location() -> None:
    script = Script(
        replay("exchange_authorization_code"),
        replay("list_accounts"),
        replay("list_locations"),
        replay("list_group_locations"),
    )
    form = recordings()["exchange_authorization_code"]["request"]["form"]

    connection = GoogleBusinessPlatform.connect_with_code(
        script.client(), APP, form["code"], form["redirect_uri"], form["code_verifier"]
    )

    assert connection.identity.platform_user_id == LOCATION


def test_identity_rereads_the_location(clock: FakeClock) -> None:
    script = Script(replay("get_location"))

    identity = gbp_for(script, clock).identity()

    assert (identity.platform_user_id, identity.username) == (LOCATION, "Sunrise Bakery")
    script.assert_done()


def test_refresh_and_its_refusal(clock: FakeClock) -> None:
    refreshed = gbp_for(Script(replay("refresh_access_token")), clock).refresh_credentials()
    assert refreshed.tokens == {**TOKENS, "access_token": "ya29.a0AfB_byGbpRefreshed"}

    refused = failure_of(gbp_for(Script(replay("refresh_refused")), clock).refresh_credentials)
    assert (refused.error_class, refused.code) == (ErrorClass.RECONNECT, "account_disconnected")


# --- publish -------------------------------------------------------------------------------------


def test_a_standard_post_with_a_photo_and_an_order_button(clock: FakeClock) -> None:
    script = Script(replay("create_standard_post"))

    post = gbp_for(script, clock).publish(standard())

    assert post == PublishedPost(platform_post_id=POST, url=SEARCH)
    assert clock.slept == []
    script.assert_done()


def test_the_link_becomes_a_learn_more_button_even_with_a_photo(clock: FakeClock) -> None:
    body = {**STANDARD, "callToAction": {"actionType": "LEARN_MORE", "url": "https://sunrise-bakery.example/bread"}}
    script = Script(replay("create_standard_post", json=body))

    gbp_for(script, clock).publish(standard(options={}, link=LinkPreview(url="https://sunrise-bakery.example/bread")))

    script.assert_done()


def test_a_named_action_takes_the_link_when_no_url_option_is_given(clock: FakeClock) -> None:
    body = {**STANDARD, "callToAction": {"actionType": "BOOK", "url": "https://sunrise-bakery.example/bread"}}
    script = Script(replay("create_standard_post", json=body))

    gbp_for(script, clock).publish(
        standard(options={"call_to_action": "BOOK"}, link=LinkPreview(url="https://sunrise-bakery.example/bread"))
    )

    script.assert_done()


def test_a_call_button_takes_no_url_and_a_text_post_no_media(clock: FakeClock) -> None:
    body = {
        "languageCode": "fr",
        "summary": STANDARD["summary"],
        "topicType": "STANDARD",
        "callToAction": {"actionType": "CALL"},
    }
    script = Script(replay("create_standard_post", json=body))

    gbp_for(script, clock).publish(
        standard(
            media=(),
            options={"call_to_action": "CALL", "language_code": "fr"},
            link=LinkPreview(url="https://ignored.example"),
        )
    )

    script.assert_done()


def test_an_event_post_carries_its_schedule(clock: FakeClock) -> None:
    script = Script(replay("create_event_post"))
    options = {
        "topic_type": "EVENT",
        "event_title": "Spring tasting",
        "event_start": "2030-03-21T10:00",
        "event_end": "2030-03-21T14:30:00",
        "call_to_action": "LEARN_MORE",
        "call_to_action_url": "https://sunrise-bakery.example/spring",
    }

    post = gbp_for(script, clock).publish(PostContent(text=EVENT["summary"], options=options))

    assert post.platform_post_id == POST
    script.assert_done()


def test_an_offer_post_carries_its_offer_and_dates(clock: FakeClock) -> None:
    script = Script(replay("create_offer_post"))
    options = {
        "topic_type": "OFFER",
        "event_title": "Croissant week",
        "event_start": "2030-01-07",
        "event_end": "2030-01-13",
        "offer_coupon_code": "CROISSANT20",
        "offer_redeem_url": "https://sunrise-bakery.example/offer",
        "offer_terms": "One per customer.",
    }

    gbp_for(script, clock).publish(PostContent(text=OFFER["summary"], options=options))

    script.assert_done()


@pytest.mark.parametrize(
    ("content", "named"),
    [
        (PostContent(text="x", options={"topic_type": "EVENT", "event_title": "T"}), "event_start and event_end"),
        (
            PostContent(text="x", options={"topic_type": "OFFER", "event_title": "T", "event_start": "2030-01-07"}),
            "event_end",
        ),
        (
            PostContent(
                text="x", options={"topic_type": "EVENT", "event_start": "2030-01-07", "event_end": "2030-01-08"}
            ),
            "event_title",
        ),
        (
            PostContent(
                text="x",
                options={
                    "topic_type": "EVENT",
                    "event_title": "T",
                    "event_start": "next tuesday",
                    "event_end": "2030-01-08",
                },
            ),
            "event_start must be an ISO 8601",
        ),
        (
            PostContent(
                text="x",
                options={
                    "topic_type": "EVENT",
                    "event_title": "T",
                    "event_start": "2030-01-08",
                    "event_end": "2030-01-07T23:00",
                },
            ),
            "before",
        ),
        (PostContent(text="x", options={"call_to_action": "ORDER"}), "call_to_action_url"),
        (PostContent(text="x", options={"topic_type": "ALERT"}), "topic_type"),
        (PostContent(text=""), "needs text"),
        (PostContent(text="x" * 1501), "1500"),
    ],
    ids=[
        "event-no-dates",
        "offer-no-end",
        "event-no-title",
        "bad-date",
        "end-before-start",
        "action-no-url",
        "unknown-topic",
        "no-summary",
        "long-summary",
    ],
)
def test_what_google_refuses_is_refused_before_any_call(clock: FakeClock, content: PostContent, named: str) -> None:
    script = Script()

    refused = failure_of(lambda: gbp_for(script, clock).publish(content))

    assert (refused.error_class, refused.code) == (ErrorClass.PERMANENT, "invalid_content")
    assert named in refused.message
    assert script.requests == []


@pytest.mark.parametrize(
    "media",
    [
        (PHOTO, PHOTO),
        (MediaItem("https://bucket.example/v.mp4", "video"),),
        (MediaItem("https://bucket.example/a.gif", "gif"),),
    ],
    ids=["two-photos", "video", "gif"],
)
def test_media_beyond_one_photo_is_refused(clock: FakeClock, media: tuple) -> None:
    refused = failure_of(lambda: gbp_for(Script(), clock).publish(standard(media=media)))

    assert (refused.error_class, refused.code) == (ErrorClass.PERMANENT, "media_unsupported")


def test_a_processing_post_is_looked_at_until_live(clock: FakeClock) -> None:
    script = Script(replay("create_standard_post_processing"), replay("get_post_processing"), replay("get_post_live"))

    post = gbp_for(script, clock).publish(standard())

    assert post == PublishedPost(platform_post_id=POST, url=SEARCH)
    assert clock.slept == [PROCESSING_POLL_SECONDS] * 2
    script.assert_done()


def test_a_post_rejected_after_processing_is_permanent(clock: FakeClock) -> None:
    script = Script(replay("create_standard_post_processing"), replay("get_post_rejected"))

    refused = failure_of(lambda: gbp_for(script, clock).publish(standard()))

    assert (refused.error_class, refused.code, refused.platform_code) == (
        ErrorClass.PERMANENT,
        "content_rejected",
        "REJECTED",
    )
    script.assert_done()


def test_a_post_rejected_at_once_is_permanent(clock: FakeClock) -> None:
    rejected = {**body_of("create_standard_post"), "state": "REJECTED"}
    script = Script(replay("create_standard_post", body=rejected))

    assert failure_of(lambda: gbp_for(script, clock).publish(standard())).code == "content_rejected"
    assert clock.slept == []


def test_a_post_still_processing_after_the_polls_is_published_with_the_maps_url(clock: FakeClock) -> None:
    polls = [replay("get_post_processing")] * PROCESSING_POLLS
    script = Script(replay("create_standard_post_processing"), *polls)

    post = gbp_for(script, clock).publish(standard())

    assert post.platform_post_id == POST
    assert post.url == MAPS  # no searchUrl yet: the location's Maps page
    assert len(post.notices) == 1 and "still processing" in post.notices[0]
    script.assert_done()


def test_a_poll_that_fails_leaves_the_post_published_with_a_notice(clock: FakeClock) -> None:
    script = Script(
        replay("create_standard_post_processing"),
        replay("get_post_processing", status=503, body=body_of("error_unavailable")),
    )

    post = gbp_for(script, clock).publish(standard())

    assert post.platform_post_id == POST and "could not be checked" in post.notices[0]


def test_a_create_answer_without_a_name_is_an_unknown_outcome(clock: FakeClock) -> None:
    script = Script(replay("create_standard_post", body={"state": "LIVE"}))

    failed = failure_of(lambda: gbp_for(script, clock).publish(standard()))

    assert (failed.error_class, failed.code) == (ErrorClass.RETRY, "platform_unavailable")


# --- delete, reply, metrics ---------------------------------------------------------------------


def test_delete_and_a_post_already_gone(clock: FakeClock) -> None:
    script = Script(
        replay("delete_local_post"), replay("delete_local_post", status=404, body=body_of("error_not_found"))
    )

    platform = gbp_for(script, clock)
    platform.delete(POST)
    platform.delete(POST)

    script.assert_done()


def test_local_posts_have_no_replies(clock: FakeClock) -> None:
    refused = failure_of(lambda: gbp_for(Script(), clock).reply(PublishedPost(POST, SEARCH), PostContent(text="hi")))

    assert (refused.error_class, refused.code) == (ErrorClass.PERMANENT, "not_supported")


def test_posts_have_no_metrics(clock: FakeClock) -> None:
    script = Script()

    assert gbp_for(script, clock).metrics([POST, "other"]) == {POST: {}, "other": {}}
    assert script.requests == []


def test_account_metrics_sum_the_daily_series_with_missing_days_as_zero(clock: FakeClock) -> None:
    script = Script(replay("fetch_daily_metrics"))

    totals = gbp_for(script, clock).account_metrics(date(2030, 1, 1), date(2030, 1, 3))

    assert totals == {
        "impressions": 21 + 129 + 157 + 391,
        "website_clicks": 12,
        "call_clicks": 3,
        "direction_requests": 23,
        "conversations": 0,
        "bookings": 1,
    }
    assert script.requests[0].url.path == f"/v1/{LOCATION}:fetchMultiDailyMetricsTimeSeries"
    script.assert_done()


def test_account_metrics_of_an_empty_range_ask_nothing(clock: FakeClock) -> None:
    script = Script()

    assert gbp_for(script, clock).account_metrics(date(2030, 1, 3), date(2030, 1, 1)) == {}
    assert script.requests == []


# --- reconcile --------------------------------------------------------------------------------------


def test_reconcile_finds_the_post_by_its_summary(clock: FakeClock) -> None:
    clock.set(CREATED_AT + timedelta(minutes=5))
    script = Script(replay("list_local_posts"))

    found = gbp_for(script, clock).reconcile(standard())

    assert (found.outcome, found.post) == (ReconcileOutcome.FOUND, PublishedPost(POST, SEARCH))
    script.assert_done()


@pytest.mark.parametrize(
    ("content", "moment", "listing"),
    [
        (standard(text="Another summary"), CREATED_AT, None),
        (standard(), CREATED_AT + timedelta(days=2), None),
        (standard(), CREATED_AT, {"localPosts": [{**body_of("create_standard_post"), "state": "REJECTED"}]}),
        (standard(), CREATED_AT, {}),
    ],
    ids=["other-summary", "too-old", "rejected", "no-posts"],
)
def test_reconcile_is_absent_without_a_match(
    clock: FakeClock, content: PostContent, moment: datetime, listing: dict | None
) -> None:
    clock.set(moment)
    exchange = replay("list_local_posts") if listing is None else replay("list_local_posts", body=listing)

    assert gbp_for(Script(exchange), clock).reconcile(content).outcome is ReconcileOutcome.ABSENT


def test_reconcile_pages_and_is_unknown_past_its_pages(clock: FakeClock) -> None:
    clock.set(CREATED_AT)
    page = {**body_of("list_local_posts"), "nextPageToken": "next"}
    paged = [("pageSize", "100"), ("pageToken", "next")]
    script = Script(replay("list_local_posts", body=page), *[replay("list_local_posts", body=page, params=paged)] * 2)

    assert gbp_for(script, clock).reconcile(standard(text="Elsewhere")).outcome is ReconcileOutcome.UNKNOWN
    script.assert_done()


def test_reconcile_is_unknown_when_the_listing_fails(clock: FakeClock) -> None:
    script = Script(replay("list_local_posts", status=503, body=body_of("error_unavailable")))

    assert gbp_for(script, clock).reconcile(standard()).outcome is ReconcileOutcome.UNKNOWN


def test_a_reply_step_never_published_anything(clock: FakeClock) -> None:
    script = Script()

    found = gbp_for(script, clock).reconcile(PostContent(text="hi"), PublishedPost(POST, SEARCH))

    assert found.outcome is ReconcileOutcome.ABSENT
    assert script.requests == []


# --- errors ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("recording", "error_class", "code"),
    [
        ("error_resource_exhausted", ErrorClass.RETRY, "rate_limited"),
        ("error_unauthenticated", ErrorClass.REFRESH, "token_expired"),
        ("error_permission_denied", ErrorClass.RECONNECT, "account_disconnected"),
        ("error_api_disabled", ErrorClass.PERMANENT, "app_not_configured"),
        ("error_not_found", ErrorClass.PERMANENT, "not_found"),
        ("error_invalid_argument", ErrorClass.PERMANENT, "invalid_content"),
        ("error_unavailable", ErrorClass.RETRY, "platform_unavailable"),
        ("error_internal", ErrorClass.RETRY, "platform_unavailable"),
    ],
)
def test_each_row_of_the_error_table(clock: FakeClock, recording: str, error_class: ErrorClass, code: str) -> None:
    error = gbp_for(Script(), clock).classify_error(error_response(recording))

    assert (error.error_class, error.code) == (error_class, code)
    status = recordings()[recording]["response"]["status"]
    assert error.platform_code is not None and error.platform_code.startswith(f"{status} ")


def test_validation_errors_name_the_field(clock: FakeClock) -> None:
    error = gbp_for(Script(), clock).classify_error(error_response("error_invalid_argument"))

    assert error.message == "Request contains an invalid argument. (summary: Summary is too long.)"


def test_unauthenticated_without_a_refresh_token_means_reconnecting(clock: FakeClock) -> None:
    credentials = Credentials("acc_gbp", "Sunrise Bakery", {k: v for k, v in TOKENS.items() if k != "refresh_token"})

    error = gbp_for(Script(), clock, credentials).classify_error(error_response("error_unauthenticated"))

    assert (error.error_class, error.code) == (ErrorClass.RECONNECT, "account_disconnected")


def test_transport_failures_are_retried(clock: FakeClock) -> None:
    platform = gbp_for(Script(), clock)

    assert platform.classify_error(None, httpx.ReadTimeout("slow")).code == "timeout"
    assert platform.classify_error(httpx.Response(200, text="<html/>")).code == "platform_unavailable"
