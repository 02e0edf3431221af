"""XPlatform against X API v2 request/response pairs, and against the X simulator."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from scripted_http import Exchange, Script

from herald.platforms import simulators
from herald.platforms.base import (
    Credentials,
    ErrorClass,
    MediaItem,
    PlatformError,
    PostContent,
    PublishedPost,
    ReconcileOutcome,
)
from herald.platforms.registry import open_platform
from herald.platforms.x import XPlatform
from support.clock import FakeClock

API = "https://api.x.com"
TOKENS = {
    "access_token": "x-access-1",
    "refresh_token": "x-refresh-1",
    "user_id": "1234567890123456789",
    "client_id": "client-abc",
}
CREDENTIALS = Credentials(account_id="acc_x", username="heraldhq", tokens=TOKENS)
AUTH = {"authorization": "Bearer x-access-1"}
POST_ID = "1445880548472328192"
DUPLICATE_DETAIL = "You are not allowed to create a Tweet with duplicate content."


def x_for(script: Script, clock: FakeClock, credentials: Credentials = CREDENTIALS) -> XPlatform:
    return XPlatform(script.client(), credentials, clock=clock)


def problem(status: int, title: str, detail: str, problem_type: str = "about:blank") -> dict[str, object]:
    return {"title": title, "detail": detail, "type": problem_type, "status": status}


# --- publish, reply, delete ------------------------------------------------------------------


def test_publish_posts_the_text_and_links_the_post(clock: FakeClock) -> None:
    script = Script(
        Exchange(
            "POST",
            f"{API}/2/tweets",
            status=201,
            json={"text": "Episode 12 is out"},
            request_headers=AUTH,
            body={"data": {"id": POST_ID, "text": "Episode 12 is out", "edit_history_tweet_ids": [POST_ID]}},
        )
    )

    post = x_for(script, clock).publish(PostContent(text="Episode 12 is out", target_key="post_1:acc_x"))

    assert post == PublishedPost(platform_post_id=POST_ID, url=f"https://x.com/heraldhq/status/{POST_ID}")
    script.assert_done()


def test_reply_names_the_post_it_answers(clock: FakeClock) -> None:
    parent = PublishedPost(platform_post_id=POST_ID, url=f"https://x.com/heraldhq/status/{POST_ID}")
    script = Script(
        Exchange(
            "POST",
            f"{API}/2/tweets",
            status=201,
            json={"text": "More below", "reply": {"in_reply_to_tweet_id": POST_ID}},
            request_headers=AUTH,
            body={"data": {"id": "1445880548472328193", "text": "More below"}},
        )
    )

    post = x_for(script, clock).reply(parent, PostContent(text="More below"))

    assert post.platform_post_id == "1445880548472328193"
    script.assert_done()


def test_media_is_refused_before_any_call(clock: FakeClock) -> None:
    script = Script()

    with pytest.raises(PlatformError) as refused:
        x_for(script, clock).publish(PostContent(text="look", media=(MediaItem("https://bucket.example/a.png", "image"),)))

    assert (refused.value.error_class, refused.value.code) == (ErrorClass.PERMANENT, "media_unsupported")
    assert script.requests == []


def test_an_account_without_a_token_must_reconnect(clock: FakeClock) -> None:
    script = Script()
    bare = Credentials(account_id="acc_x", username="heraldhq", tokens={})

    with pytest.raises(PlatformError) as refused:
        x_for(script, clock, bare).publish(PostContent(text="hi"))

    assert (refused.value.error_class, refused.value.code) == (ErrorClass.RECONNECT, "account_disconnected")
    assert script.requests == []


def test_a_created_post_without_an_id_is_a_malformed_answer(clock: FakeClock) -> None:
    script = Script(Exchange("POST", f"{API}/2/tweets", status=201, body={"data": {}}))

    with pytest.raises(PlatformError) as failed:
        x_for(script, clock).publish(PostContent(text="hi"))

    assert (failed.value.error_class, failed.value.code) == (ErrorClass.RETRY, "platform_unavailable")


def test_delete_removes_the_post(clock: FakeClock) -> None:
    script = Script(
        Exchange("DELETE", f"{API}/2/tweets/{POST_ID}", request_headers=AUTH, body={"data": {"deleted": True}})
    )

    x_for(script, clock).delete(POST_ID)

    script.assert_done()


def test_deleting_a_post_that_is_gone_is_done(clock: FakeClock) -> None:
    gone = {
        "title": "Not Found Error",
        "detail": f"Could not find tweet with id: [{POST_ID}].",
        "type": "https://api.twitter.com/2/problems/resource-not-found",
    }
    script = Script(Exchange("DELETE", f"{API}/2/tweets/{POST_ID}", status=404, body=gone))

    x_for(script, clock).delete(POST_ID)

    script.assert_done()


def test_an_unconfirmed_delete_is_refused(clock: FakeClock) -> None:
    script = Script(Exchange("DELETE", f"{API}/2/tweets/{POST_ID}", body={"data": {"deleted": False}}))

    with pytest.raises(PlatformError) as refused:
        x_for(script, clock).delete(POST_ID)

    assert (refused.value.error_class, refused.value.code) == (ErrorClass.PERMANENT, "delete_refused")


# --- metrics ---------------------------------------------------------------------------------


def test_metrics_ask_for_100_posts_at_a_time_and_normalise_them(clock: FakeClock) -> None:
    ids = [str(1445880548472328000 + n) for n in range(150)]
    first = {
        "data": [
            {
                "id": ids[0],
                "text": "a",
                "public_metrics": {
                    "retweet_count": 3,
                    "reply_count": 2,
                    "like_count": 10,
                    "quote_count": 1,
                    "bookmark_count": 4,
                    "impression_count": 500,
                },
            },
            {"id": ids[1], "text": "b", "public_metrics": {"like_count": 7, "retweet_count": 2}},
        ],
        "errors": [
            {
                "value": ids[2],
                "detail": f"Could not find tweet with ids: [{ids[2]}].",
                "title": "Not Found Error",
                "resource_type": "tweet",
                "parameter": "ids",
                "resource_id": ids[2],
                "type": "https://api.twitter.com/2/problems/resource-not-found",
            }
        ],
    }
    second = {"data": [{"id": ids[149], "text": "z", "public_metrics": {"reply_count": 1}}]}
    script = Script(
        Exchange(
            "GET",
            f"{API}/2/tweets",
            params=[("ids", ",".join(ids[:100])), ("tweet.fields", "public_metrics")],
            request_headers=AUTH,
            body=first,
        ),
        Exchange(
            "GET",
            f"{API}/2/tweets",
            params=[("ids", ",".join(ids[100:])), ("tweet.fields", "public_metrics")],
            body=second,
        ),
    )

    metrics = x_for(script, clock).metrics(ids)

    assert metrics == {
        ids[0]: {"likes": 10, "comments": 2, "shares": 4, "impressions": 500, "bookmarks": 4},
        ids[1]: {"likes": 7, "shares": 2},
        ids[149]: {"comments": 1},
    }
    script.assert_done()


def test_a_request_level_error_in_a_200_is_raised(clock: FakeClock) -> None:
    script = Script(Exchange("GET", f"{API}/2/tweets", body={"errors": [{"message": "Something broke"}]}))

    with pytest.raises(PlatformError) as failed:
        x_for(script, clock).metrics([POST_ID])

    assert failed.value.code == "platform_error"


# --- reconcile -------------------------------------------------------------------------------

TIMELINE_PARAMS = [
    ("max_results", "100"),
    ("start_time", "2030-01-07T08:00:00Z"),
    ("tweet.fields", "created_at,entities"),
]


def timeline_post(post_id: str, text: str, created_at: str, urls: list[dict[str, object]] | None = None) -> dict:
    post: dict[str, object] = {
        "id": post_id,
        "text": text,
        "created_at": created_at,
        "edit_history_tweet_ids": [post_id],
    }
    if urls:
        post["entities"] = {"urls": urls}
    return post


def test_reconcile_finds_the_post_as_x_renders_it(clock: FakeClock) -> None:
    # X shows text HTML-escaped, with the link replaced by t.co and the original in entities.
    rendered = timeline_post(
        POST_ID,
        "Q&amp;A &lt;live&gt; https://t.co/abc123XYZ0",
        "2030-01-07T08:59:00.000Z",
        urls=[
            {
                "start": 19,
                "end": 42,
                "url": "https://t.co/abc123XYZ0",
                "expanded_url": "https://example.com/live",
                "display_url": "example.com/live",
            }
        ],
    )
    script = Script(
        Exchange(
            "GET",
            f"{API}/2/users/{TOKENS['user_id']}/tweets",
            params=TIMELINE_PARAMS,
            request_headers=AUTH,
            body={"data": [timeline_post("1445880548472328199", "other", "2030-01-07T08:59:30.000Z"), rendered]},
        )
    )

    found = x_for(script, clock).reconcile(PostContent(text="Q&A <live> https://example.com/live"))

    assert found.outcome is ReconcileOutcome.FOUND
    assert found.post == PublishedPost(platform_post_id=POST_ID, url=f"https://x.com/heraldhq/status/{POST_ID}")


def test_reconcile_matches_a_reply_behind_its_automatic_mentions(clock: FakeClock) -> None:
    body = {"data": [timeline_post(POST_ID, "@someone @other thanks!", "2030-01-07T08:30:00.000Z")]}
    script = Script(Exchange("GET", f"{API}/2/users/{TOKENS['user_id']}/tweets", body=body))

    assert x_for(script, clock).reconcile(PostContent(text="thanks!")).outcome is ReconcileOutcome.FOUND


def test_reconcile_does_not_take_a_post_with_another_link(clock: FakeClock) -> None:
    other_link = timeline_post(
        POST_ID,
        "New episode https://t.co/abc123XYZ0",
        "2030-01-07T08:59:00.000Z",
        urls=[{"start": 12, "end": 35, "url": "https://t.co/abc123XYZ0", "expanded_url": "https://example.com/ep11"}],
    )
    script = Script(
        Exchange("GET", f"{API}/2/users/{TOKENS['user_id']}/tweets", body={"data": [other_link], "meta": {}})
    )

    found = x_for(script, clock).reconcile(PostContent(text="New episode https://example.com/ep12"))

    assert found.outcome is ReconcileOutcome.ABSENT


def test_reconcile_ignores_posts_older_than_the_window(clock: FakeClock) -> None:
    old = timeline_post(POST_ID, "Episode 12 is out", "2030-01-07T07:59:59.000Z")
    script = Script(Exchange("GET", f"{API}/2/users/{TOKENS['user_id']}/tweets", body={"data": [old]}))

    assert x_for(script, clock).reconcile(PostContent(text="Episode 12 is out")).outcome is ReconcileOutcome.ABSENT


def test_reconcile_reports_absent_when_the_timeline_is_empty(clock: FakeClock) -> None:
    script = Script(
        Exchange(
            "GET",
            f"{API}/2/users/{TOKENS['user_id']}/tweets",
            params=TIMELINE_PARAMS,
            body={"meta": {"result_count": 0}},
        )
    )

    assert x_for(script, clock).reconcile(PostContent(text="Episode 12 is out")).outcome is ReconcileOutcome.ABSENT


def test_reconcile_pages_through_the_window(clock: FakeClock) -> None:
    first = {
        "data": [timeline_post("2", "a", "2030-01-07T08:50:00.000Z")],
        "meta": {"next_token": "7140dibdnow9c7btw3w"},
    }
    second = {"data": [timeline_post(POST_ID, "Episode 12 is out", "2030-01-07T08:10:00.000Z")], "meta": {}}
    script = Script(
        Exchange("GET", f"{API}/2/users/{TOKENS['user_id']}/tweets", params=TIMELINE_PARAMS, body=first),
        Exchange(
            "GET",
            f"{API}/2/users/{TOKENS['user_id']}/tweets",
            params=[*TIMELINE_PARAMS, ("pagination_token", "7140dibdnow9c7btw3w")],
            body=second,
        ),
    )

    found = x_for(script, clock).reconcile(PostContent(text="Episode 12 is out"))

    assert found.outcome is ReconcileOutcome.FOUND
    script.assert_done()


def test_reconcile_looks_the_user_up_when_its_id_is_not_stored(clock: FakeClock) -> None:
    without_id = Credentials(account_id="acc_x", username="heraldhq", tokens={"access_token": "x-access-1"})
    script = Script(
        Exchange("GET", f"{API}/2/users/me", body={"data": {"id": "42", "name": "Herald", "username": "heraldhq"}}),
        Exchange("GET", f"{API}/2/users/42/tweets", body={"meta": {"result_count": 0}}),
    )

    assert x_for(script, clock, without_id).reconcile(PostContent(text="hi")).outcome is ReconcileOutcome.ABSENT
    script.assert_done()


@pytest.mark.parametrize(
    "exchange",
    [
        Exchange(
            "GET",
            f"{API}/2/users/{TOKENS['user_id']}/tweets",
            status=503,
            body=problem(503, "Service Unavailable", "x"),
        ),
        Exchange("GET", f"{API}/2/users/{TOKENS['user_id']}/tweets", raises=httpx.ReadTimeout),
        Exchange("GET", f"{API}/2/users/{TOKENS['user_id']}/tweets", body="<html>oops</html>"),
        Exchange("GET", f"{API}/2/users/{TOKENS['user_id']}/tweets", body={"errors": [{"message": "partial"}]}),
    ],
    ids=["server-error", "timeout", "malformed", "errors-in-200"],
)
def test_reconcile_cannot_tell_when_the_lookup_fails(clock: FakeClock, exchange: Exchange) -> None:
    script = Script(exchange)

    assert x_for(script, clock).reconcile(PostContent(text="hi")).outcome is ReconcileOutcome.UNKNOWN


def test_reconcile_cannot_tell_beyond_the_pages_it_reads(clock: FakeClock) -> None:
    busy = {"data": [timeline_post("2", "a", "2030-01-07T08:50:00.000Z")], "meta": {"next_token": "more"}}
    script = Script(*[Exchange("GET", f"{API}/2/users/{TOKENS['user_id']}/tweets", body=busy) for _ in range(5)])

    assert x_for(script, clock).reconcile(PostContent(text="hi")).outcome is ReconcileOutcome.UNKNOWN
    script.assert_done()


# --- classify_error --------------------------------------------------------------------------

RESET = 1894006860  # 2030-01-07T09:01:00Z


@pytest.mark.parametrize(
    ("status", "body", "headers", "error_class", "code", "platform_code"),
    [
        (
            429,
            problem(429, "Too Many Requests", "Too Many Requests"),
            {"x-rate-limit-reset": str(RESET), "x-rate-limit-remaining": "0"},
            ErrorClass.RETRY,
            "rate_limited",
            "429 Too Many Requests",
        ),
        (
            429,
            {"errors": [{"code": 88, "message": "Rate limit exceeded"}]},
            {"x-rate-limit-reset": str(RESET)},
            ErrorClass.RETRY,
            "rate_limited",
            "429 88",
        ),
        (
            429,
            {
                "title": "UsageCapExceeded",
                "detail": "Usage cap exceeded: Monthly product cap",
                "type": "https://api.twitter.com/2/problems/usage-capped",
                "period": "Monthly",
                "scope": "Product",
            },
            {},
            ErrorClass.RETRY,
            "quota_exceeded",
            "429 https://api.twitter.com/2/problems/usage-capped",
        ),
        (
            401,
            problem(401, "Unauthorized", "Unauthorized"),
            {},
            ErrorClass.REFRESH,
            "token_expired",
            "401 Unauthorized",
        ),
        (
            403,
            problem(403, "Forbidden", DUPLICATE_DETAIL),
            {},
            ErrorClass.PERMANENT,
            "duplicate_content",
            "403 Forbidden",
        ),
        (
            403,
            {
                "title": "Client Forbidden",
                "detail": "This request must be made using an approved developer account.",
                "reason": "client-not-enrolled",
                "type": "https://api.twitter.com/2/problems/client-forbidden",
            },
            {},
            ErrorClass.PERMANENT,
            "forbidden",
            "403 https://api.twitter.com/2/problems/client-forbidden",
        ),
        (
            403,
            problem(403, "Forbidden", "You are not permitted to perform this action."),
            {},
            ErrorClass.PERMANENT,
            "forbidden",
            "403 Forbidden",
        ),
        (
            400,
            {
                "errors": [{"parameters": {"text": []}, "message": "Post text is too long."}],
                "title": "Invalid Request",
                "detail": "One or more parameters to your request was invalid.",
                "type": "https://api.twitter.com/2/problems/invalid-request",
            },
            {},
            ErrorClass.PERMANENT,
            "invalid_content",
            "400 https://api.twitter.com/2/problems/invalid-request",
        ),
        (
            500,
            problem(500, "Internal Server Error", "x"),
            {},
            ErrorClass.RETRY,
            "platform_unavailable",
            "500 Internal Server Error",
        ),
        (502, "<html>Bad Gateway</html>", {}, ErrorClass.RETRY, "platform_unavailable", "502"),
        (
            503,
            problem(503, "Service Unavailable", "x"),
            {},
            ErrorClass.RETRY,
            "platform_unavailable",
            "503 Service Unavailable",
        ),
        (
            504,
            problem(504, "Gateway Timeout", "x"),
            {},
            ErrorClass.RETRY,
            "platform_unavailable",
            "504 Gateway Timeout",
        ),
        (200, "<html>upstream connect error</html>", {}, ErrorClass.RETRY, "platform_unavailable", "200"),
    ],
    ids=[
        "rate-limited",
        "rate-limited-legacy-88",
        "usage-capped",
        "unauthorized",
        "duplicate",
        "client-forbidden",
        "not-permitted",
        "invalid-request",
        "500",
        "502-html",
        "503",
        "504",
        "malformed-200",
    ],
)
def test_classify_error(
    clock: FakeClock,
    status: int,
    body: object,
    headers: dict[str, str],
    error_class: ErrorClass,
    code: str,
    platform_code: str,
) -> None:
    response = (
        httpx.Response(status, text=body, headers=headers)
        if isinstance(body, str)
        else httpx.Response(status, json=body, headers=headers)
    )

    error = x_for(Script(), clock).classify_error(response)

    assert (error.error_class, error.code, error.platform_code) == (error_class, code, platform_code)
    if code == "rate_limited":
        assert error.retry_at == datetime(2030, 1, 7, 9, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("exc", "code"),
    [
        (httpx.ReadTimeout("read"), "timeout"),
        (httpx.ConnectTimeout("connect"), "timeout"),
        (httpx.ConnectError("refused"), "network_error"),
        (httpx.RemoteProtocolError("reset"), "network_error"),
    ],
)
def test_classify_transport_errors(clock: FakeClock, exc: Exception, code: str) -> None:
    error = x_for(Script(), clock).classify_error(None, exc)

    assert (error.error_class, error.code) == (ErrorClass.RETRY, code)


def test_publish_raises_the_classified_error(clock: FakeClock) -> None:
    script = Script(Exchange("POST", f"{API}/2/tweets", status=403, body=problem(403, "Forbidden", DUPLICATE_DETAIL)))

    with pytest.raises(PlatformError) as refused:
        x_for(script, clock).publish(PostContent(text="again"))

    assert refused.value.code == "duplicate_content"
    assert refused.value.message == DUPLICATE_DETAIL


def test_publish_classifies_a_timeout(clock: FakeClock) -> None:
    script = Script(Exchange("POST", f"{API}/2/tweets", raises=httpx.ReadTimeout))

    with pytest.raises(PlatformError) as failed:
        x_for(script, clock).publish(PostContent(text="hi"))

    assert (failed.value.error_class, failed.value.code) == (ErrorClass.RETRY, "timeout")


# --- refresh_credentials ---------------------------------------------------------------------


def test_refresh_exchanges_the_refresh_token_and_keeps_the_rotated_one(clock: FakeClock) -> None:
    script = Script(
        Exchange(
            "POST",
            f"{API}/2/oauth2/token",
            form={"grant_type": "refresh_token", "refresh_token": "x-refresh-1", "client_id": "client-abc"},
            request_headers={"authorization": None},
            body={
                "token_type": "bearer",
                "expires_in": 7200,
                "access_token": "x-access-2",
                "scope": "tweet.read tweet.write users.read offline.access",
                "refresh_token": "x-refresh-2",
            },
        )
    )

    renewed = x_for(script, clock).refresh_credentials()

    assert renewed == Credentials(
        account_id="acc_x",
        username="heraldhq",
        tokens={
            **TOKENS,
            "access_token": "x-access-2",
            "refresh_token": "x-refresh-2",
            "expires_at": "2030-01-07T11:00:00.000Z",
        },
    )


def test_a_confidential_client_refreshes_with_basic_auth(clock: FakeClock) -> None:
    confidential = Credentials(account_id="acc_x", username="heraldhq", tokens={**TOKENS, "client_secret": "s3cret"})
    script = Script(
        Exchange(
            "POST",
            f"{API}/2/oauth2/token",
            request_headers={"authorization": "Basic Y2xpZW50LWFiYzpzM2NyZXQ="},
            body={"access_token": "x-access-2", "token_type": "bearer"},
        )
    )

    renewed = x_for(script, clock, confidential).refresh_credentials()

    assert renewed.tokens["access_token"] == "x-access-2"
    assert renewed.tokens["refresh_token"] == "x-refresh-1"  # none rotated in: keep the one we had


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (400, {"error": "invalid_request", "error_description": "Value passed for the token was invalid."}),
        (401, {"error": "unauthorized_client", "error_description": "Missing valid authorization header"}),
    ],
)
def test_a_refused_refresh_means_reconnect(clock: FakeClock, status: int, body: dict[str, str]) -> None:
    script = Script(Exchange("POST", f"{API}/2/oauth2/token", status=status, body=body))

    with pytest.raises(PlatformError) as refused:
        x_for(script, clock).refresh_credentials()

    assert (refused.value.error_class, refused.value.code) == (ErrorClass.RECONNECT, "account_disconnected")
    assert refused.value.platform_code == f"{status} {body['error']}"


def test_a_refresh_that_meets_an_outage_can_be_retried(clock: FakeClock) -> None:
    script = Script(
        Exchange("POST", f"{API}/2/oauth2/token", status=503, body=problem(503, "Service Unavailable", "x"))
    )

    with pytest.raises(PlatformError) as failed:
        x_for(script, clock).refresh_credentials()

    assert (failed.value.error_class, failed.value.code) == (ErrorClass.RETRY, "platform_unavailable")


# --- count_text ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "length"),
    [
        ("Hello, world", 12),
        ("x" * 280, 280),
        ("こんにちは", 10),  # CJK weighs 2
        ("故人西辞黄鹤楼" * 20, 280),
        ("A\u0301", 1),  # NFC: A + combining acute is one code point
        ("😷👾😡🔥💩", 10),
        ("👨\u200d👩\u200d👧\u200d👦", 2),  # a ZWJ family is one emoji
        ("🙋🏽👨\u200d🎤", 4),  # skin tone and ZWJ sequences
        ("🇯🇵🇫🇷", 4),  # flags
        ("1\ufe0f\u20e3", 2),  # keycap
        ("©", 1),  # text presentation: a plain character
        ("©\ufe0f", 2),  # emoji presentation
        ("Hi http://test.co", 26),  # every URL counts 23
        ("See https://example.com/a/very/long/path/that/goes/on/and/on?with=query", 27),
        ("example.com", 23),  # a bare domain under a known TLD is a URL
        ("file.py and README.md", 21),  # a bare name.<ccTLD> without a path is not
        ("www.site.io", 23),
        ("(see http://example.com/foo).", 30),  # closing punctuation is not part of the URL
        ("randomurlrandomurlrandomurlrandomurlrandomurlrandomurlrandomurls.com", 68),  # label over 63
        ("\u2000\u200a\u2010\u201f\u2032\u2037", 6),  # general punctuation in the light ranges
        ("\u2038\u2122", 4),
    ],
)
def test_count_text_weighs_like_twitter_text(clock: FakeClock, text: str, length: int) -> None:
    assert x_for(Script(), clock).count_text(text) == length


def test_count_text_punycode_length_decides_a_unicode_domain(clock: FakeClock) -> None:
    kana = "あいうえおかきくけこ"
    prefix = kana * 12 + " http://"
    assert x_for(Script(), clock).count_text(prefix + kana * 5 + "あい.com") == 240 + 1 + 23  # 63 punycode chars
    assert x_for(Script(), clock).count_text(prefix + kana * 5 + "あいう.com") == 358  # 64: not a URL


# --- the simulator, through the adapter ------------------------------------------------------


def test_simulated_publish_is_held_once(make_account) -> None:
    account = make_account("x", "acc_sim", "herald")
    platform = open_platform(account)

    post = platform.publish(PostContent(text="Hello from the simulator", target_key="post_1:acc_sim"))

    held = simulators.published("acc_sim")
    assert [p["text"] for p in held] == ["Hello from the simulator"]
    assert held[0]["id"] == post.platform_post_id
    assert len(post.platform_post_id) == 19 and post.platform_post_id.isdigit()
    assert post.url == f"https://x.com/herald/status/{post.platform_post_id}"


def test_simulated_posts_reply_measure_reconcile_and_delete(make_account) -> None:
    platform = open_platform(make_account("x", "acc_sim", "herald"))
    text = "Q&A <live> at https://example.com/live and example.org"
    post = platform.publish(PostContent(text=text))
    answer = platform.reply(post, PostContent(text="Thread, part 2"))

    metrics = platform.metrics([post.platform_post_id, answer.platform_post_id, "1000000000000000001"])
    found = platform.reconcile(PostContent(text=text))
    platform.delete(answer.platform_post_id)
    platform.delete(answer.platform_post_id)  # already gone: still done

    assert metrics[post.platform_post_id]["comments"] == 1
    assert set(metrics[post.platform_post_id]) == {"likes", "comments", "shares", "impressions", "bookmarks"}
    assert "1000000000000000001" not in metrics
    assert found.outcome is ReconcileOutcome.FOUND and found.post == post
    assert platform.reconcile(PostContent(text="never posted")).outcome is ReconcileOutcome.ABSENT
    assert [p["id"] for p in simulators.published("acc_sim")] == [post.platform_post_id]


def test_simulated_x_refuses_the_same_text_twice(make_account) -> None:
    platform = open_platform(make_account("x", "acc_sim", "herald"))
    platform.publish(PostContent(text="Only once"))

    with pytest.raises(PlatformError) as refused:
        platform.publish(PostContent(text="Only once"))

    assert refused.value.code == "duplicate_content"
    assert len(simulators.published("acc_sim")) == 1


def test_simulated_x_refuses_text_over_280(make_account) -> None:
    platform = open_platform(make_account("x", "acc_sim", "herald"))

    with pytest.raises(PlatformError) as refused:
        platform.publish(PostContent(text="語" * 141))

    assert (refused.value.error_class, refused.value.code) == (ErrorClass.PERMANENT, "invalid_content")


@pytest.mark.parametrize(
    ("failure", "error_class", "code", "created"),
    [
        ("rate_limited", ErrorClass.RETRY, "rate_limited", 0),
        ("server_error", ErrorClass.RETRY, "platform_unavailable", 0),
        ("timeout", ErrorClass.RETRY, "timeout", 1),
        ("connect_timeout", ErrorClass.RETRY, "timeout", 0),
        ("malformed", ErrorClass.RETRY, "platform_unavailable", 1),
        ("expired_token", ErrorClass.REFRESH, "token_expired", 0),
        ("revoked_token", ErrorClass.REFRESH, "token_expired", 0),
        ("duplicate", ErrorClass.PERMANENT, "duplicate_content", 0),
    ],
)
def test_each_injected_failure_is_classified(
    make_account, failure: str, error_class: ErrorClass, code: str, created: int
) -> None:
    platform = open_platform(make_account("x", "acc_sim", "herald", simulate=[failure]))

    with pytest.raises(PlatformError) as failed:
        platform.publish(PostContent(text="Launch day"))

    assert (failed.value.error_class, failed.value.code) == (error_class, code)
    assert len(simulators.published("acc_sim")) == created
    if failure == "rate_limited":
        assert failed.value.retry_at is not None
        assert timedelta(seconds=50) < failed.value.retry_at - datetime.now(UTC) <= timedelta(seconds=60)


@pytest.mark.parametrize("failure", ["timeout", "malformed"])
def test_an_unknown_outcome_is_reconciled_to_exactly_one_post(make_account, failure: str) -> None:
    platform = open_platform(make_account("x", "acc_sim", "herald"))
    simulators.inject("acc_sim", [failure])
    with pytest.raises(PlatformError):
        platform.publish(PostContent(text="Launch day https://example.com"))

    found = platform.reconcile(PostContent(text="Launch day https://example.com"))

    assert found.outcome is ReconcileOutcome.FOUND
    assert [p["id"] for p in simulators.published("acc_sim")] == [found.post.platform_post_id]


def test_a_failed_create_that_made_nothing_reconciles_absent(make_account) -> None:
    platform = open_platform(make_account("x", "acc_sim", "herald", simulate=["server_error"]))
    with pytest.raises(PlatformError):
        platform.publish(PostContent(text="Launch day"))

    assert platform.reconcile(PostContent(text="Launch day")).outcome is ReconcileOutcome.ABSENT
    platform.publish(PostContent(text="Launch day"))  # the queue is spent: the network behaves
    assert len(simulators.published("acc_sim")) == 1


def test_an_expired_token_works_again_after_a_refresh(make_account) -> None:
    account = make_account("x", "acc_sim", "herald", simulate=["expired_token"])
    platform = open_platform(account)
    with pytest.raises(PlatformError):
        platform.publish(PostContent(text="Launch day"))
    with pytest.raises(PlatformError):  # the token stays expired for every call until refreshed
        platform.metrics(["1445880548472328192"])

    renewed = platform.refresh_credentials()
    open_platform(account.model_copy(update={"credentials": renewed.tokens})).publish(PostContent(text="Launch day"))

    assert renewed.tokens["access_token"] != account.credentials["access_token"]
    assert renewed.tokens["refresh_token"] != account.credentials["refresh_token"]
    assert len(simulators.published("acc_sim")) == 1


def test_a_revoked_token_cannot_be_refreshed(make_account) -> None:
    platform = open_platform(make_account("x", "acc_sim", "herald", simulate=["revoked_token"]))
    with pytest.raises(PlatformError):
        platform.publish(PostContent(text="Launch day"))

    with pytest.raises(PlatformError) as refused:
        platform.refresh_credentials()

    assert (refused.value.error_class, refused.value.code) == (ErrorClass.RECONNECT, "account_disconnected")


def test_injected_failures_hit_creates_only(make_account) -> None:
    platform = open_platform(make_account("x", "acc_sim", "herald"))
    post = platform.publish(PostContent(text="first"))
    simulators.inject("acc_sim", ["server_error"])

    assert post.platform_post_id in platform.metrics([post.platform_post_id])
    assert platform.reconcile(PostContent(text="first")).outcome is ReconcileOutcome.FOUND
    with pytest.raises(PlatformError):
        platform.publish(PostContent(text="second"))


def test_concurrent_publishes_each_get_their_own_post(make_account) -> None:
    account = make_account("x", "acc_sim", "herald")
    ids: list[str] = []

    def publish(n: int) -> None:
        ids.append(open_platform(account).publish(PostContent(text=f"post {n}")).platform_post_id)

    threads = [threading.Thread(target=publish, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(set(ids)) == 20
    assert len(simulators.published("acc_sim")) == 20
