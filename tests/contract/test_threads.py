"""ThreadsPlatform against the recorded Threads API exchanges (the simulator's
recordings/threads.json, from Meta's documented examples), and against the Threads simulator."""

from __future__ import annotations

import dataclasses
import threading
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from scripted_http import Exchange, Script

from herald.accounts.model import Account
from herald.platforms import simulators
from herald.platforms.base import (
    AppCredentials,
    Credentials,
    ErrorClass,
    MediaItem,
    PlatformError,
    PostContent,
    PublishedPost,
    ReconcileOutcome,
)
from herald.platforms.registry import open_platform
from herald.platforms.simulators import TEST_CLIENT_ID, TEST_CLIENT_SECRET, simulated_code
from herald.platforms.simulators import threads as threads_simulator
from herald.platforms.simulators.common import grown_followers, grown_metrics
from herald.platforms.simulators.threads import ThreadsSimulator, connect_handler, recordings
from herald.platforms.threads import SCOPES, STATUS_POLL_SECONDS, STATUS_POLLS, ThreadsPlatform
from herald.text import counting
from support.clock import FakeClock

API = "https://graph.threads.net/v1.0"
USER_ID = "1234567"
TOKENS = {"access_token": "THAAlongLivedToken1", "user_id": USER_ID}
CREDENTIALS = Credentials(account_id="acc_th", username="threadsapitestuser", tokens=TOKENS)
APP = AppCredentials(client_id="990602627938098", client_secret="a1b2C3D4")
REDIRECT_URI = "https://herald.example.com/v1/oauth/threads/callback"
NOW = datetime(2030, 1, 7, 9, 0, 0, tzinfo=UTC)
POST_ID = "18012345678901234"
PERMALINK = "https://www.threads.net/@threadsapitestuser/post/abcdefg"
IMAGE_URL = "https://www.example.com/images/bronz-fonz.jpg"
VIDEO_URL = "https://www.example.com/videos/bronz-fonz.mp4"


def recorded(name: str, **changes: Any) -> Exchange:
    """The recorded exchange `name` as a scripted one: the exact request the adapter must send
    (method, URL, query, form, headers; no Authorization header where none is recorded) and the
    recorded answer. `changes` replace Exchange fields (url, params, form, status, body, ...)."""
    entry = recordings()[name]
    request, response = entry["request"], entry["response"]
    exchange = Exchange(
        request["method"],
        request["url"],
        status=response["status"],
        body=response["body"],
        headers=response.get("headers", {}),
        params=[(key, value) for key, value in request.get("params", [])],
        form=request.get("form"),
        request_headers=request.get("headers") or {"authorization": None},
    )
    return dataclasses.replace(exchange, **changes)


def body_of(name: str) -> Any:
    return recordings()[name]["response"]["body"]


def status_check(container: str, status: str, error_message: str | None = None) -> Exchange:
    body: dict[str, str] = {"status": status, "id": container}
    if error_message:
        body["error_message"] = error_message
    return recorded("container_finished", url=f"{API}/{container}", body=body)


def threads_for(script: Script, clock: FakeClock, credentials: Credentials = CREDENTIALS) -> ThreadsPlatform:
    return ThreadsPlatform(script.client(), credentials, app=APP, clock=clock)


def graph_error(status: int, code: int, message: str, subcode: int | None = None) -> tuple[int, dict[str, Any]]:
    error: dict[str, Any] = {"message": message, "type": "OAuthException", "code": code, "fbtrace_id": "Ab1"}
    if subcode is not None:
        error["error_subcode"] = subcode
    return status, {"error": error}


# --- publish ---------------------------------------------------------------------------------


def test_a_text_post_checks_the_limit_then_creates_waits_publishes_and_links(clock: FakeClock) -> None:
    script = Script(
        recorded("publishing_limit"),
        recorded("create_text_container"),
        recorded("container_finished"),
        recorded("publish_container"),
        recorded("permalink"),
    )

    post = threads_for(script, clock).publish(PostContent(text="Today Is Monday", target_key="post_1:acc_th"))

    assert post == PublishedPost(platform_post_id=POST_ID, url=PERMALINK)
    assert clock.slept == []
    script.assert_done()


def test_an_image_post_sends_its_url_and_alt_text_and_waits_for_processing(clock: FakeClock) -> None:
    image = MediaItem(IMAGE_URL, "image", mime="image/jpeg", alt="Photograph of Bronze Fonz Statue")
    script = Script(
        recorded("publishing_limit"),
        recorded("create_image_container"),
        status_check("17889615691921649", "IN_PROGRESS"),
        status_check("17889615691921649", "FINISHED"),
        recorded("publish_container", form={"creation_id": "17889615691921649"}),
        recorded("permalink"),
    )

    post = threads_for(script, clock).publish(PostContent(text="#BronzFonz", media=(image,)))

    assert post.platform_post_id == POST_ID
    assert clock.slept == [STATUS_POLL_SECONDS]
    script.assert_done()


def test_a_video_post_is_published_once_its_container_is_finished(clock: FakeClock) -> None:
    video = MediaItem(VIDEO_URL, "video", mime="video/mp4", duration_seconds=12.5)
    script = Script(
        recorded("publishing_limit"),
        recorded("create_video_container"),
        recorded("container_in_progress"),
        recorded("container_in_progress"),
        status_check("17889615691921650", "FINISHED"),
        recorded("publish_container", form={"creation_id": "17889615691921650"}),
        recorded("permalink"),
    )

    threads_for(script, clock).publish(PostContent(text="#BronzFonz", media=(video,)))

    assert clock.slept == [STATUS_POLL_SECONDS, STATUS_POLL_SECONDS]
    script.assert_done()


def test_a_carousel_waits_for_its_items_then_for_itself(clock: FakeClock) -> None:
    media = (MediaItem(IMAGE_URL, "image"), MediaItem(VIDEO_URL, "video"))
    script = Script(
        recorded("publishing_limit"),
        recorded("create_carousel_image_item"),
        recorded("create_carousel_video_item"),
        status_check("17889615691921651", "IN_PROGRESS"),
        status_check("17889615691921652", "IN_PROGRESS"),
        status_check("17889615691921651", "FINISHED"),
        status_check("17889615691921652", "IN_PROGRESS"),
        status_check("17889615691921652", "FINISHED"),
        recorded("create_carousel_container"),
        status_check("17889615691921653", "FINISHED"),
        recorded("publish_container", form={"creation_id": "17889615691921653"}),
        recorded("permalink"),
    )

    threads_for(script, clock).publish(PostContent(text="Bronze Fonz, two ways", media=media))

    assert clock.slept == [STATUS_POLL_SECONDS, STATUS_POLL_SECONDS]
    script.assert_done()


def test_a_video_threads_cannot_download_is_not_published_and_may_be_sent_again(clock: FakeClock) -> None:
    video = MediaItem(VIDEO_URL, "video")
    script = Script(recorded("publishing_limit"), recorded("create_video_container"), recorded("container_error"))

    with pytest.raises(PlatformError) as failed:
        threads_for(script, clock).publish(PostContent(text="#BronzFonz", media=(video,)))

    assert (failed.value.error_class, failed.value.code) == (ErrorClass.RETRY, "media_processing_failed")
    assert failed.value.platform_code == "ERROR FAILED_DOWNLOADING_VIDEO"
    script.assert_done()  # no threads_publish


@pytest.mark.parametrize(
    ("status", "error_message", "error_class", "code"),
    [
        ("ERROR", "INVALID_ASPEC_RATIO", ErrorClass.PERMANENT, "media_unsupported"),
        ("ERROR", "FAILED_PROCESSING_VIDEO", ErrorClass.PERMANENT, "media_unsupported"),
        ("ERROR", "UNKNOWN", ErrorClass.RETRY, "media_processing_failed"),
        ("ERROR", None, ErrorClass.RETRY, "media_processing_failed"),
        ("EXPIRED", None, ErrorClass.RETRY, "media_processing_failed"),
    ],
)
def test_a_failed_container_is_classified(
    clock: FakeClock, status: str, error_message: str | None, error_class: ErrorClass, code: str
) -> None:
    script = Script(
        recorded("publishing_limit"),
        recorded("create_video_container"),
        status_check("17889615691921650", status, error_message),
    )

    with pytest.raises(PlatformError) as failed:
        threads_for(script, clock).publish(PostContent(text="#BronzFonz", media=(MediaItem(VIDEO_URL, "video"),)))

    assert (failed.value.error_class, failed.value.code) == (error_class, code)


def test_a_container_still_processing_after_every_check_is_left_unpublished(clock: FakeClock) -> None:
    checks = [recorded("container_in_progress") for _ in range(STATUS_POLLS)]
    script = Script(recorded("publishing_limit"), recorded("create_video_container"), *checks)

    with pytest.raises(PlatformError) as failed:
        threads_for(script, clock).publish(PostContent(text="#BronzFonz", media=(MediaItem(VIDEO_URL, "video"),)))

    assert (failed.value.error_class, failed.value.code) == (ErrorClass.RETRY, "media_processing")
    assert clock.slept == [STATUS_POLL_SECONDS] * (STATUS_POLLS - 1)
    script.assert_done()


def test_an_unknown_container_status_is_a_malformed_answer(clock: FakeClock) -> None:
    script = Script(
        recorded("publishing_limit"),
        recorded("create_text_container"),
        status_check("17889615691921648", "SOMETHING_NEW"),
    )

    with pytest.raises(PlatformError) as failed:
        threads_for(script, clock).publish(PostContent(text="Today Is Monday"))

    assert (failed.value.error_class, failed.value.code) == (ErrorClass.RETRY, "platform_unavailable")


@pytest.mark.parametrize(
    "media",
    [
        (MediaItem("https://bucket.example/a.gif", "gif"),),
        tuple(MediaItem(f"https://bucket.example/{n}.png", "image") for n in range(21)),
    ],
    ids=["gif", "21-items"],
)
def test_media_threads_cannot_take_is_refused_before_any_call(clock: FakeClock, media: tuple[MediaItem, ...]) -> None:
    script = Script()

    with pytest.raises(PlatformError) as refused:
        threads_for(script, clock).publish(PostContent(text="look", media=media))

    assert (refused.value.error_class, refused.value.code) == (ErrorClass.PERMANENT, "media_unsupported")
    assert script.requests == []


def test_a_reply_names_the_post_it_answers_and_checks_the_reply_limit(clock: FakeClock) -> None:
    parent = PublishedPost(platform_post_id=POST_ID, url=PERMALINK)
    reply_id = "18012345678901235"
    script = Script(
        recorded("reply_publishing_limit"),
        recorded("create_reply_container"),
        status_check("17889615691921654", "FINISHED"),
        recorded("publish_container", form={"creation_id": "17889615691921654"}, body={"id": reply_id}),
        recorded(
            "permalink",
            url=f"{API}/{reply_id}",
            body={"permalink": "https://www.threads.net/@threadsapitestuser/post/opqrstu", "id": reply_id},
        ),
    )

    post = threads_for(script, clock).reply(parent, PostContent(text="More below"))

    assert post == PublishedPost(reply_id, "https://www.threads.net/@threadsapitestuser/post/opqrstu")
    script.assert_done()


def test_reply_control_and_topic_tag_options_go_into_the_container(clock: FakeClock) -> None:
    form = {"media_type": "TEXT", "text": "Today Is Monday", "reply_control": "mentioned_only", "topic_tag": "Mondays"}
    script = Script(
        recorded("publishing_limit"),
        recorded("create_text_container", form=form),
        recorded("container_finished"),
        recorded("publish_container"),
        recorded("permalink"),
    )
    options = {"reply_control": "mentioned_only", "topic_tag": "Mondays", "unrelated": True}

    threads_for(script, clock).publish(PostContent(text="Today Is Monday", options=options))

    script.assert_done()


@pytest.mark.parametrize(
    ("limit", "reply", "platform_code"),
    [
        ({"data": [{"quota_usage": 250, "config": {"quota_total": 250, "quota_duration": 86400}}]}, False,
         "quota_usage 250/250"),
        ({"data": [{"reply_quota_usage": 1000, "reply_config": {"quota_total": 1000, "quota_duration": 86400}}]},
         True, "reply_quota_usage 1000/1000"),
    ],
    ids=["posts", "replies"],
)
def test_a_profile_at_its_publishing_limit_is_rate_limited_before_anything_is_made(
    clock: FakeClock, limit: dict[str, Any], reply: bool, platform_code: str
) -> None:
    script = Script(recorded("reply_publishing_limit" if reply else "publishing_limit", body=limit))
    platform = threads_for(script, clock)

    with pytest.raises(PlatformError) as limited:
        if reply:
            platform.reply(PublishedPost(POST_ID, PERMALINK), PostContent(text="More below"))
        else:
            platform.publish(PostContent(text="Today Is Monday"))

    assert (limited.value.error_class, limited.value.code) == (ErrorClass.RETRY, "rate_limited")
    assert limited.value.retry_at == NOW + timedelta(hours=1)
    assert limited.value.platform_code == platform_code
    script.assert_done()


def test_a_limit_answer_without_counts_does_not_stop_the_post(clock: FakeClock) -> None:
    script = Script(
        recorded("publishing_limit", body={"data": []}),
        recorded("create_text_container"),
        recorded("container_finished"),
        recorded("publish_container"),
        recorded("permalink"),
    )

    threads_for(script, clock).publish(PostContent(text="Today Is Monday"))

    script.assert_done()


@pytest.mark.parametrize(
    ("lookup", "url"),
    [
        (recorded("permalink", status=500, body=body_of("error_unknown")), "https://www.threads.net/@threadsapitestuser"),
        (recorded("permalink", raises=httpx.ReadTimeout), "https://www.threads.net/@threadsapitestuser"),
        (recorded("permalink", body={"shortcode": "abcdefg", "id": POST_ID}), PERMALINK),
    ],
    ids=["server-error", "timeout", "no-permalink"],
)
def test_a_published_post_is_never_failed_by_its_url_lookup(clock: FakeClock, lookup: Exchange, url: str) -> None:
    script = Script(
        recorded("publishing_limit"),
        recorded("create_text_container"),
        recorded("container_finished"),
        recorded("publish_container"),
        lookup,
    )

    post = threads_for(script, clock).publish(PostContent(text="Today Is Monday"))

    assert post == PublishedPost(platform_post_id=POST_ID, url=url)


@pytest.mark.parametrize(
    ("answer", "code"),
    [
        (recorded("publish_container", body={}), "platform_unavailable"),
        (recorded("publish_container", body="<html>upstream connect error</html>"), "platform_unavailable"),
        (recorded("publish_container", raises=httpx.ReadTimeout), "timeout"),
        (recorded("error_server"), "platform_unavailable"),
    ],
    ids=["no-id", "html", "timeout", "503"],
)
def test_a_publish_with_no_clear_answer_is_retried_after_reconciling(
    clock: FakeClock, answer: Exchange, code: str
) -> None:
    script = Script(
        recorded("publishing_limit"), recorded("create_text_container"), recorded("container_finished"), answer
    )

    with pytest.raises(PlatformError) as failed:
        threads_for(script, clock).publish(PostContent(text="Today Is Monday"))

    assert (failed.value.error_class, failed.value.code) == (ErrorClass.RETRY, code)


def test_an_account_without_a_token_must_reconnect(clock: FakeClock) -> None:
    script = Script()
    bare = Credentials(account_id="acc_th", username="threadsapitestuser", tokens={})

    with pytest.raises(PlatformError) as refused:
        threads_for(script, clock, bare).publish(PostContent(text="hi"))

    assert (refused.value.error_class, refused.value.code) == (ErrorClass.RECONNECT, "account_disconnected")
    assert script.requests == []


# --- delete ----------------------------------------------------------------------------------


def test_delete_removes_the_post(clock: FakeClock) -> None:
    script = Script(recorded("delete"))

    threads_for(script, clock).delete(POST_ID)

    script.assert_done()


def test_deleting_a_post_that_is_gone_is_done(clock: FakeClock) -> None:
    script = Script(recorded("error_not_found"))

    threads_for(script, clock).delete(POST_ID)

    script.assert_done()


def test_an_unconfirmed_delete_is_refused(clock: FakeClock) -> None:
    script = Script(recorded("delete", body={"success": False}))

    with pytest.raises(PlatformError) as refused:
        threads_for(script, clock).delete(POST_ID)

    assert (refused.value.error_class, refused.value.code) == (ErrorClass.PERMANENT, "delete_refused")


def test_deleting_without_the_delete_permission_asks_for_a_reconnection(clock: FakeClock) -> None:
    script = Script(recorded("error_permission"))

    with pytest.raises(PlatformError) as refused:
        threads_for(script, clock).delete(POST_ID)

    assert (refused.value.error_class, refused.value.code) == (ErrorClass.RECONNECT, "account_disconnected")
    assert refused.value.platform_code == "403 10"


# --- metrics ---------------------------------------------------------------------------------


def test_metrics_ask_for_each_post_and_normalise_them(clock: FakeClock) -> None:
    gone, sparse = "18012345678901236", "18012345678901237"
    sparse_body = {"data": [{**body_of("media_insights")["data"][1], "id": f"{sparse}/insights/likes/lifetime"}]}
    script = Script(
        recorded("media_insights"),
        recorded("error_not_found", method="GET", url=f"{API}/{gone}/insights",
                 params=[("metric", "views,likes,replies,reposts,quotes,shares")]),
        recorded("media_insights", url=f"{API}/{sparse}/insights", body=sparse_body),
    )

    metrics = threads_for(script, clock).metrics([POST_ID, gone, sparse])

    assert metrics == {
        POST_ID: {"impressions": 1500, "likes": 100, "comments": 10, "shares": 6},
        sparse: {"likes": 100},
    }
    script.assert_done()


def test_a_metrics_failure_other_than_a_missing_post_is_raised(clock: FakeClock) -> None:
    script = Script(recorded("media_insights", status=400, body=body_of("error_rate_limited")))

    with pytest.raises(PlatformError) as failed:
        threads_for(script, clock).metrics([POST_ID])

    assert failed.value.code == "rate_limited"


# --- reconcile -------------------------------------------------------------------------------


def listing(edge: str, posts: list[dict[str, Any]], after: str | None = None, more: bool = False) -> Exchange:
    exchange = recorded("user_replies" if edge == "replies" else "user_threads")
    body: dict[str, Any] = {"data": posts}
    if posts:
        body["paging"] = {"cursors": {"before": "QVFIUb", "after": "QVFIUa"}}
        if more:
            body["paging"]["next"] = f"{API}/{USER_ID}/{edge}?after=QVFIUa"
    params = [*exchange.params, ("after", after)] if after else exchange.params
    return dataclasses.replace(exchange, body=body, params=params)


def listed(post_id: str, text: str, timestamp: str = "2030-01-07T08:42:03+0000", media_type: str = "TEXT_POST") -> dict:
    return {"id": post_id, "text": text, "timestamp": timestamp, "media_type": media_type,
            "permalink": f"https://www.threads.net/@threadsapitestuser/post/{post_id[-7:]}", "shortcode": post_id[-7:]}


def test_reconcile_finds_the_post_among_the_accounts_threads(clock: FakeClock) -> None:
    script = Script(recorded("user_threads"))

    found = threads_for(script, clock).reconcile(PostContent(text="Today Is Monday"))

    assert found.outcome is ReconcileOutcome.FOUND
    assert found.post == PublishedPost(platform_post_id=POST_ID, url=PERMALINK)


def test_reconcile_finds_a_thread_part_among_the_accounts_replies(clock: FakeClock) -> None:
    script = Script(recorded("user_threads"), recorded("user_replies"))

    found = threads_for(script, clock).reconcile(PostContent(text="More below"))

    assert found.outcome is ReconcileOutcome.FOUND
    assert found.post == PublishedPost("18012345678901235", "https://www.threads.net/@threadsapitestuser/post/opqrstu")
    script.assert_done()


def test_reconcile_pages_through_the_window(clock: FakeClock) -> None:
    script = Script(
        listing("threads", [listed("18012345678901239", "Something else")], more=True),
        listing("threads", [listed(POST_ID, "Today Is Monday ")], after="QVFIUa"),
    )

    found = threads_for(script, clock).reconcile(PostContent(text="Today Is Monday"))

    assert found.outcome is ReconcileOutcome.FOUND
    script.assert_done()


def test_reconcile_reports_absent_when_neither_listing_has_the_post(clock: FakeClock) -> None:
    script = Script(recorded("user_threads"), recorded("user_replies"))

    assert threads_for(script, clock).reconcile(PostContent(text="Never posted")).outcome is ReconcileOutcome.ABSENT
    script.assert_done()


@pytest.mark.parametrize(
    ("post", "content"),
    [
        (listed(POST_ID, "Launch day", media_type="IMAGE"), PostContent(text="Launch day")),
        (listed(POST_ID, "Launch day"), PostContent(text="Launch day", media=(MediaItem(IMAGE_URL, "image"),))),
        (listed(POST_ID, "Launch day", timestamp="2030-01-07T07:59:59+0000"), PostContent(text="Launch day")),
    ],
    ids=["other-media", "text-only-listed", "before-the-window"],
)
def test_reconcile_does_not_take_another_post_with_the_same_text(
    clock: FakeClock, post: dict[str, Any], content: PostContent
) -> None:
    script = Script(listing("threads", [post]), listing("replies", []))

    assert threads_for(script, clock).reconcile(content).outcome is ReconcileOutcome.ABSENT


def test_reconcile_matches_a_carousel_with_empty_text(clock: FakeClock) -> None:
    media = (MediaItem(IMAGE_URL, "image"), MediaItem(VIDEO_URL, "video"))
    script = Script(listing("threads", [{"id": POST_ID, "timestamp": "2030-01-07T08:42:03+0000",
                                         "media_type": "CAROUSEL_ALBUM", "shortcode": "abcdefg"}]))

    found = threads_for(script, clock).reconcile(PostContent(text="", media=media))

    assert found.outcome is ReconcileOutcome.FOUND
    assert found.post == PublishedPost(POST_ID, PERMALINK)


@pytest.mark.parametrize(
    "failure",
    [
        recorded("user_threads", status=503, body=body_of("error_server")),
        recorded("user_threads", raises=httpx.ReadTimeout),
        recorded("user_threads", body="<html>oops</html>"),
        recorded("user_threads", body={"error_free": True}),
        recorded("user_threads", status=400, body=body_of("error_expired_token")),
    ],
    ids=["server-error", "timeout", "malformed", "no-data", "expired-token"],
)
def test_reconcile_cannot_tell_when_a_listing_fails(clock: FakeClock, failure: Exchange) -> None:
    assert threads_for(Script(failure), clock).reconcile(PostContent(text="hi")).outcome is ReconcileOutcome.UNKNOWN


def test_reconcile_cannot_tell_when_the_replies_listing_fails(clock: FakeClock) -> None:
    script = Script(recorded("user_threads"), recorded("user_replies", status=500, body=body_of("error_unknown")))

    assert threads_for(script, clock).reconcile(PostContent(text="More below")).outcome is ReconcileOutcome.UNKNOWN


def test_reconcile_cannot_tell_beyond_the_pages_it_reads(clock: FakeClock) -> None:
    busy = [listed("18012345678901239", "Something else")]
    first = listing("threads", busy, more=True)
    script = Script(first, *[listing("threads", busy, after="QVFIUa", more=True) for _ in range(4)])

    assert threads_for(script, clock).reconcile(PostContent(text="hi")).outcome is ReconcileOutcome.UNKNOWN
    script.assert_done()


# --- classify_error --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "error_class", "code", "platform_code"),
    [
        ("error_expired_token", ErrorClass.REFRESH, "token_expired", "400 190/463"),
        ("error_invalid_token", ErrorClass.REFRESH, "token_expired", "400 190"),
        ("error_session_invalidated", ErrorClass.RECONNECT, "account_disconnected", "400 190/460"),
        ("refresh_token_refused", ErrorClass.RECONNECT, "account_disconnected", "400 190/458"),
        ("error_rate_limited", ErrorClass.RETRY, "rate_limited", "400 4"),
        ("error_permission", ErrorClass.RECONNECT, "account_disconnected", "403 10"),
        ("error_duplicate", ErrorClass.PERMANENT, "duplicate_content", "400 506"),
        ("error_not_found", ErrorClass.PERMANENT, "not_found", "400 100/33"),
        ("error_text_too_long", ErrorClass.PERMANENT, "invalid_content", "400 100"),
        ("error_server", ErrorClass.RETRY, "platform_unavailable", "503 2"),
        ("error_unknown", ErrorClass.RETRY, "platform_unavailable", "500 1"),
        ("oauth_access_token_refused", ErrorClass.PERMANENT, "invalid_content", "400 400"),
    ],
)
def test_classify_recorded_errors(
    clock: FakeClock, name: str, error_class: ErrorClass, code: str, platform_code: str
) -> None:
    response = httpx.Response(recordings()[name]["response"]["status"], json=body_of(name))

    error = threads_for(Script(), clock).classify_error(response)

    assert (error.error_class, error.code, error.platform_code) == (error_class, code, platform_code)
    assert error.message == (body_of(name).get("error") or {}).get("message", body_of(name).get("error_message"))


@pytest.mark.parametrize(
    ("status", "body", "error_class", "code", "platform_code"),
    [
        (*graph_error(400, 17, "(#17) User request limit reached"), ErrorClass.RETRY, "rate_limited", "400 17"),
        (*graph_error(400, 613, "Calls to this api have exceeded the rate limit."), ErrorClass.RETRY, "rate_limited",
         "400 613"),
        (429, "", ErrorClass.RETRY, "rate_limited", "429"),
        (*graph_error(403, 200, "(#200) Permissions error"), ErrorClass.RECONNECT, "account_disconnected", "403 200"),
        (*graph_error(400, 190, "Error validating access token", 467), ErrorClass.RECONNECT, "account_disconnected",
         "400 190/467"),
        (*graph_error(400, 1, "Action is restricted", 2207051), ErrorClass.RETRY, "platform_unavailable",
         "400 1/2207051"),
        (*graph_error(400, 10, "Restricted", 4279013), ErrorClass.RECONNECT, "account_disconnected", "400 10/4279013"),
        (*graph_error(400, 100, "The user is restricted", 4279013), ErrorClass.PERMANENT, "account_restricted",
         "400 100/4279013"),
        (*graph_error(400, 9004, "The media could not be fetched from this URI"), ErrorClass.PERMANENT,
         "invalid_content", "400 9004"),
        (401, "", ErrorClass.REFRESH, "token_expired", "401"),
        (403, "<html>Forbidden</html>", ErrorClass.PERMANENT, "platform_error", "403"),
        (404, "", ErrorClass.PERMANENT, "not_found", "404"),
        (502, "<html>Bad Gateway</html>", ErrorClass.RETRY, "platform_unavailable", "502"),
        (200, "<html>upstream connect error</html>", ErrorClass.RETRY, "platform_unavailable", "200"),
    ],
    ids=["throttle-17", "throttle-613", "429", "permission-200", "token-467", "transient-with-subcode",
         "permission-with-subcode", "restricted", "media-fetch", "401", "403-html", "404", "502", "malformed-200"],
)
def test_classify_other_answers(
    clock: FakeClock, status: int, body: Any, error_class: ErrorClass, code: str, platform_code: str
) -> None:
    response = httpx.Response(status, text=body) if isinstance(body, str) else httpx.Response(status, json=body)

    error = threads_for(Script(), clock).classify_error(response)

    assert (error.error_class, error.code, error.platform_code) == (error_class, code, platform_code)


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
    error = threads_for(Script(), clock).classify_error(None, exc)

    assert (error.error_class, error.code) == (ErrorClass.RETRY, code)


@pytest.mark.parametrize(
    ("name", "error_class", "code"),
    [
        ("error_expired_token", ErrorClass.REFRESH, "token_expired"),
        ("error_session_invalidated", ErrorClass.RECONNECT, "account_disconnected"),
        ("error_text_too_long", ErrorClass.PERMANENT, "invalid_content"),
    ],
)
def test_a_refused_container_raises_the_classified_error(
    clock: FakeClock, name: str, error_class: ErrorClass, code: str
) -> None:
    script = Script(recorded("publishing_limit"), recorded(name))
    text = recordings()[name]["request"]["form"]["text"]

    with pytest.raises(PlatformError) as refused:
        threads_for(script, clock).publish(PostContent(text=text))

    assert (refused.value.error_class, refused.value.code) == (error_class, code)
    script.assert_done()


@pytest.mark.parametrize(
    ("name", "error_class", "code"),
    [
        ("error_rate_limited", ErrorClass.RETRY, "rate_limited"),
        ("error_duplicate", ErrorClass.PERMANENT, "duplicate_content"),
    ],
)
def test_a_refused_publish_raises_the_classified_error(
    clock: FakeClock, name: str, error_class: ErrorClass, code: str
) -> None:
    script = Script(
        recorded("publishing_limit"), recorded("create_text_container"), recorded("container_finished"), recorded(name)
    )

    with pytest.raises(PlatformError) as refused:
        threads_for(script, clock).publish(PostContent(text="Today Is Monday"))

    assert (refused.value.error_class, refused.value.code) == (error_class, code)
    assert refused.value.retry_at is None  # Threads sends no reset time with a throttle


# --- refresh_credentials ---------------------------------------------------------------------


def test_refresh_renews_the_long_lived_token_for_60_days(clock: FakeClock) -> None:
    script = Script(recorded("refresh_token"))

    renewed = threads_for(script, clock).refresh_credentials()

    assert renewed == Credentials(
        account_id="acc_th",
        username="threadsapitestuser",
        tokens={"access_token": "THAAlongLivedToken2", "user_id": USER_ID},
        expires_at=NOW + timedelta(seconds=5183944),
    )
    script.assert_done()


def test_a_refused_refresh_means_reconnect(clock: FakeClock) -> None:
    script = Script(recorded("refresh_token_refused"))

    with pytest.raises(PlatformError) as refused:
        threads_for(script, clock).refresh_credentials()

    assert (refused.value.error_class, refused.value.code) == (ErrorClass.RECONNECT, "account_disconnected")
    assert refused.value.platform_code == "400 190/458"


@pytest.mark.parametrize(
    "answer",
    [
        recorded("refresh_token", status=503, body=body_of("error_server")),
        recorded("refresh_token", status=400, body=body_of("error_rate_limited")),
        recorded("refresh_token", raises=httpx.ConnectTimeout),
        recorded("refresh_token", body={"token_type": "bearer"}),
    ],
    ids=["503", "throttled", "timeout", "no-token"],
)
def test_a_refresh_that_meets_an_outage_can_be_retried(clock: FakeClock, answer: Exchange) -> None:
    with pytest.raises(PlatformError) as failed:
        threads_for(Script(answer), clock).refresh_credentials()

    assert failed.value.error_class is ErrorClass.RETRY


def test_idle_accounts_are_renewed_while_threads_still_renews_their_token() -> None:
    lifetime = timedelta(seconds=body_of("long_lived_token")["expires_in"])
    renewed_at_age = lifetime - ThreadsPlatform.refresh_ahead

    assert timedelta(hours=24) <= renewed_at_age < lifetime  # at least 24 hours old, not yet expired


# --- connecting ------------------------------------------------------------------------------


def test_the_authorization_url_asks_for_the_scopes_without_pkce() -> None:
    url = ThreadsPlatform.authorization_url(APP, REDIRECT_URI, "state-123", code_challenge="challenge")

    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == "https://threads.net/oauth/authorize"
    assert parse_qs(parts.query) == {
        "response_type": ["code"],
        "client_id": ["990602627938098"],
        "redirect_uri": [REDIRECT_URI],
        "scope": [",".join(SCOPES)],
        "state": ["state-123"],
    }


def test_connect_exchanges_the_code_for_a_long_lived_token_and_reads_the_profile() -> None:
    script = Script(
        recorded("oauth_access_token"),
        recorded("long_lived_token"),
        recorded("profile"),
        recorded("followers_count"),
    )
    before = datetime.now(UTC)

    connection = ThreadsPlatform.connect_with_code(script.client(), APP, "AQBx-hBsH3", REDIRECT_URI, "unused-verifier")

    credentials, identity = connection.credentials, connection.identity
    assert credentials.account_id == ""
    assert credentials.username == "threadsapitestuser"
    assert credentials.tokens == {"access_token": "THAAlongLivedToken1", "user_id": USER_ID}
    assert credentials.expires_at is not None
    assert before + timedelta(days=59) < credentials.expires_at < datetime.now(UTC) + timedelta(days=61)
    assert identity.platform_user_id == USER_ID
    assert identity.username == "threadsapitestuser"
    assert identity.display_name == "Threads API Test User"
    assert identity.avatar_url == body_of("profile")["threads_profile_picture_url"]
    assert identity.followers == 10
    assert identity.permissions == SCOPES
    script.assert_done()


def test_connect_goes_on_without_followers_when_insights_are_not_granted() -> None:
    script = Script(
        recorded("oauth_access_token"),
        recorded("long_lived_token"),
        recorded("profile"),
        recorded("followers_count", status=403, body=body_of("error_permission")),
    )

    connection = ThreadsPlatform.connect_with_code(script.client(), APP, "AQBx-hBsH3", REDIRECT_URI, None)

    assert connection.identity.followers is None


def test_a_refused_code_fails_the_connection() -> None:
    script = Script(recorded("oauth_access_token_refused"))

    with pytest.raises(PlatformError) as refused:
        ThreadsPlatform.connect_with_code(script.client(), APP, "AQBx-used", REDIRECT_URI, None)

    assert (refused.value.error_class, refused.value.code) == (ErrorClass.PERMANENT, "authorization_failed")
    assert refused.value.platform_code == "400 400"
    assert "This authorization code has been used" in refused.value.message


def test_connecting_needs_the_app_secret() -> None:
    script = Script()

    with pytest.raises(PlatformError) as refused:
        ThreadsPlatform.connect_with_code(script.client(), AppCredentials("990602627938098"), "c", REDIRECT_URI, None)

    assert refused.value.code == "app_not_configured"
    assert script.requests == []


def test_identity_reads_the_profile_of_a_connected_account(clock: FakeClock) -> None:
    script = Script(recorded("profile"), recorded("followers_count"))

    identity = threads_for(script, clock).identity()

    assert (identity.username, identity.followers) == ("threadsapitestuser", 10)


def test_threads_has_no_revocation(clock: FakeClock) -> None:
    script = Script()

    assert threads_for(script, clock).revoke() is False
    assert script.requests == []


# --- count_text ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "length"),
    [
        ("Today Is Monday", 15),
        ("x" * 500, 500),
        ("こんにちは", 5),  # CJK: one each
        ("A\u0301", 1),  # NFC: one code point
        ("👋", 4),  # an emoji counts its UTF-8 bytes
        ("Hi 👋🏽", 3 + 8),  # with its skin tone
        ("👨\u200d👩\u200d👧\u200d👦", 25),  # a ZWJ family
        ("🇯🇵", 8),  # a flag
    ],
)
def test_count_text_counts_emoji_as_their_utf8_bytes(clock: FakeClock, text: str, length: int) -> None:
    assert threads_for(Script(), clock).count_text(text) == length == counting.threads(text)


# --- the simulator, through the adapter ------------------------------------------------------


def simulated(account: Account, clock: FakeClock) -> ThreadsPlatform:
    simulator = ThreadsSimulator.for_account(account)
    client = httpx.Client(transport=httpx.MockTransport(simulator.handle))
    credentials = Credentials(account_id=account.id, username=account.username, tokens=dict(account.credentials))
    return ThreadsPlatform(client, credentials, clock=clock)


def test_the_registry_opens_the_simulator_for_a_test_account(make_account) -> None:
    platform = open_platform(make_account("threads", "acc_sim", "heraldhq"))

    post = platform.publish(PostContent(text="Hello from the simulator 👋", target_key="post_1:acc_sim"))

    held = simulators.published("acc_sim")
    assert [p["text"] for p in held] == ["Hello from the simulator 👋"]
    assert held[0]["id"] == post.platform_post_id
    assert len(post.platform_post_id) == 17 and post.platform_post_id.isdigit()
    assert post.url == f"https://www.threads.net/@heraldhq/post/{held[0]['shortcode']}"


def test_simulated_media_posts_wait_for_processing(make_account, clock: FakeClock) -> None:
    platform = simulated(make_account("threads", "acc_sim", "heraldhq"), clock)
    image = MediaItem("https://bucket.example/a.png", "image", alt="A cat")
    video = MediaItem("https://bucket.example/b.mp4", "video")

    platform.publish(PostContent(text="A picture", media=(image,)))
    platform.publish(PostContent(text="", media=(video,)))
    platform.publish(PostContent(text="Both", media=(image, video)))

    held = simulators.published("acc_sim")
    assert [(p["media_type"], p["text"], p["children"]) for p in held] == [
        ("IMAGE", "A picture", 0),
        ("VIDEO", "", 0),
        ("CAROUSEL_ALBUM", "Both", 2),
    ]
    assert clock.slept == [STATUS_POLL_SECONDS] * 2  # the video, then the carousel's video item


def test_simulated_thread_metrics_reconcile_and_delete(make_account, clock: FakeClock) -> None:
    platform = simulated(make_account("threads", "acc_sim", "heraldhq"), clock)
    clock.set(datetime.now(UTC))
    simulators.use_clock(clock.now)  # no time passes: the counts are the real replies only
    post = platform.publish(PostContent(text="Thread, part 1"))
    part = platform.reply(post, PostContent(text="Thread, part 2"))

    metrics = platform.metrics([post.platform_post_id, part.platform_post_id, "18000000000000001"])
    found_post = platform.reconcile(PostContent(text="Thread, part 1"))
    found_part = platform.reconcile(PostContent(text="Thread, part 2"))
    absent = platform.reconcile(PostContent(text="never posted"))
    platform.delete(part.platform_post_id)
    platform.delete(part.platform_post_id)  # already gone: still done

    assert metrics[post.platform_post_id]["comments"] == 1
    assert set(metrics[post.platform_post_id]) == {"impressions", "likes", "comments", "shares"}
    assert "18000000000000001" not in metrics
    assert (found_post.outcome, found_post.post) == (ReconcileOutcome.FOUND, post)
    assert (found_part.outcome, found_part.post) == (ReconcileOutcome.FOUND, part)
    assert absent.outcome is ReconcileOutcome.ABSENT
    assert [p["id"] for p in simulators.published("acc_sim")] == [post.platform_post_id]


def test_simulated_insights_grow_from_the_posting_time(make_account, clock: FakeClock) -> None:
    simulators.use_clock(clock.now)
    posted = clock.now()
    account = make_account("threads", "acc_sim", "heraldhq")
    platform = simulated(account, clock)
    post = platform.publish(PostContent(text="Thread, part 1"))
    platform.reply(post, PostContent(text="Thread, part 2"))
    clock.advance(days=1)

    found = platform.metrics([post.platform_post_id])
    client = httpx.Client(
        transport=httpx.MockTransport(ThreadsSimulator.for_account(account).handle),
        headers={"authorization": f"Bearer {account.credentials['access_token']}"},
    )
    metric = "views,likes,replies,reposts,quotes,shares"
    rows = client.get(f"{API}/{post.platform_post_id}/insights", params={"metric": metric}).json()["data"]

    grown = grown_metrics(post.platform_post_id, posted, clock.now())
    assert grown["likes"] > 0
    assert {row["name"]: row["values"] for row in rows} == {
        "views": [{"value": grown["impressions"]}],
        "likes": [{"value": grown["likes"]}],
        "replies": [{"value": grown["comments"] + 1}],  # and the real reply
        "reposts": [{"value": grown["shares"]}],
        "quotes": [{"value": grown["quotes"]}],
        "shares": [{"value": grown["sends"]}],
    }
    assert found == {
        post.platform_post_id: {
            "impressions": grown["impressions"],
            "likes": grown["likes"],
            "comments": grown["comments"] + 1,
            "shares": grown["shares"] + grown["quotes"] + grown["sends"],
        }
    }


def test_simulated_followers_grow_with_time(make_account, clock: FakeClock) -> None:
    simulators.use_clock(clock.now)
    account = make_account("threads", "acc_sim", "heraldhq")
    key, start = f"threads:{account.credentials['user_id']}", clock.now()

    today = simulated(account, clock).identity().followers
    clock.advance(days=10)
    later = simulated(account, clock).identity().followers

    assert (today, later) == (grown_followers(key, start), grown_followers(key, clock.now()))
    assert today is not None and later is not None and later >= today + 10


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
    make_account, clock: FakeClock, failure: str, error_class: ErrorClass, code: str, created: int
) -> None:
    platform = simulated(make_account("threads", "acc_sim", "heraldhq", simulate=[failure]), clock)

    with pytest.raises(PlatformError) as failed:
        platform.publish(PostContent(text="Launch day"))

    assert (failed.value.error_class, failed.value.code) == (error_class, code)
    assert len(simulators.published("acc_sim")) == created


@pytest.mark.parametrize("failure", ["timeout", "malformed"])
def test_an_unknown_outcome_is_reconciled_to_exactly_one_post(make_account, failure: str) -> None:
    platform = open_platform(make_account("threads", "acc_sim", "heraldhq"))
    parent = platform.publish(PostContent(text="Launch day"))
    simulators.inject("acc_sim", [failure, failure])
    for content, send in (
        (PostContent(text="Launch day https://example.com"), platform.publish),
        (PostContent(text="Launch day, part 2"), lambda c: platform.reply(parent, c)),
    ):
        with pytest.raises(PlatformError):
            send(content)

        found = platform.reconcile(content)

        assert found.outcome is ReconcileOutcome.FOUND
        assert found.post is not None and found.post.platform_post_id in {p["id"] for p in simulators.published("acc_sim")}
    assert len(simulators.published("acc_sim")) == 3


def test_a_failed_publish_that_made_nothing_reconciles_absent(make_account) -> None:
    platform = open_platform(make_account("threads", "acc_sim", "heraldhq", simulate=["server_error"]))
    with pytest.raises(PlatformError):
        platform.publish(PostContent(text="Launch day"))

    assert platform.reconcile(PostContent(text="Launch day")).outcome is ReconcileOutcome.ABSENT
    platform.publish(PostContent(text="Launch day"))  # the queue is spent: the network behaves
    assert len(simulators.published("acc_sim")) == 1


def test_an_expired_token_works_again_after_a_refresh(make_account) -> None:
    account = make_account("threads", "acc_sim", "heraldhq", simulate=["expired_token"])
    platform = open_platform(account)
    with pytest.raises(PlatformError):
        platform.publish(PostContent(text="Launch day"))
    with pytest.raises(PlatformError) as still:  # the token stays expired for every call until refreshed
        platform.metrics(["18000000000000001"])
    assert still.value.code == "token_expired"

    renewed = platform.refresh_credentials()
    open_platform(account.model_copy(update={"credentials": renewed.tokens})).publish(PostContent(text="Launch day"))

    assert renewed.tokens["access_token"] != account.credentials["access_token"]
    assert renewed.tokens["user_id"] == account.credentials["user_id"]
    assert renewed.expires_at is not None
    assert len(simulators.published("acc_sim")) == 1
    with pytest.raises(PlatformError) as old:  # the previous token is no longer honoured
        platform.publish(PostContent(text="Again"))
    assert old.value.code == "token_expired"


def test_simulated_threads_counts_emoji_as_bytes_against_the_500_limit(make_account) -> None:
    platform = open_platform(make_account("threads", "acc_sim", "heraldhq"))
    platform.publish(PostContent(text="😀" * 125))  # 500

    with pytest.raises(PlatformError) as refused:
        platform.publish(PostContent(text="😀" * 126))  # 504

    assert (refused.value.error_class, refused.value.code) == (ErrorClass.PERMANENT, "invalid_content")
    assert len(simulators.published("acc_sim")) == 1


def test_simulated_publishing_limit_stops_a_post_before_its_container(make_account, monkeypatch) -> None:
    monkeypatch.setattr(threads_simulator, "POST_QUOTA", 1)
    platform = open_platform(make_account("threads", "acc_sim", "heraldhq"))
    platform.publish(PostContent(text="first"))

    with pytest.raises(PlatformError) as limited:
        platform.publish(PostContent(text="second"))

    assert limited.value.code == "rate_limited" and limited.value.retry_at is not None
    assert limited.value.platform_code == "quota_usage 1/1"


def test_the_simulator_refuses_a_container_that_is_not_finished(make_account) -> None:
    account = make_account("threads", "acc_sim", "heraldhq")
    client = httpx.Client(transport=httpx.MockTransport(ThreadsSimulator.for_account(account).handle))
    auth = {"Authorization": f"Bearer {account.credentials['access_token']}"}
    user = account.credentials["user_id"]
    created = client.post(f"{API}/{user}/threads", headers=auth, data={"media_type": "VIDEO", "video_url": VIDEO_URL})

    early = client.post(f"{API}/{user}/threads_publish", headers=auth, data={"creation_id": created.json()["id"]})
    no_text = client.post(f"{API}/{user}/threads", headers=auth, data={"media_type": "TEXT"})
    bad_url = client.post(f"{API}/{user}/threads", headers=auth, data={"media_type": "VIDEO", "video_url": "b.mp4"})
    one_child = client.post(f"{API}/{user}/threads", headers=auth,
                            data={"media_type": "CAROUSEL", "children": created.json()["id"]})
    no_token = client.get(f"{API}/me", params={"fields": "id"})

    assert early.status_code == 400 and early.json()["error"]["code"] == 100
    assert "not ready" in early.json()["error"]["message"]
    assert [r.status_code for r in (no_text, bad_url, one_child)] == [400, 400, 400]
    assert no_token.json()["error"]["code"] == 190
    assert simulators.published("acc_sim") == []


def test_the_simulator_answers_in_the_recorded_shapes(make_account) -> None:
    account = make_account("threads", "acc_sim", "heraldhq")
    client = httpx.Client(transport=httpx.MockTransport(ThreadsSimulator.for_account(account).handle))
    auth = {"Authorization": f"Bearer {account.credentials['access_token']}"}
    user = account.credentials["user_id"]

    container = client.post(f"{API}/{user}/threads", headers=auth, data={"media_type": "TEXT", "text": "Hi"}).json()
    status = client.get(f"{API}/{container['id']}", headers=auth, params={"fields": "status,error_message"}).json()
    published = client.post(f"{API}/{user}/threads_publish", headers=auth, data={"creation_id": container["id"]}).json()
    link = client.get(f"{API}/{published['id']}", headers=auth, params={"fields": "permalink,shortcode"}).json()
    limit = client.get(f"{API}/{user}/threads_publishing_limit", headers=auth,
                       params={"fields": "quota_usage,config"}).json()
    insights = client.get(f"{API}/{published['id']}/insights", headers=auth,
                          params={"metric": "views,likes,replies,reposts,quotes,shares"}).json()
    deleted = client.delete(f"{API}/{published['id']}", headers=auth).json()

    assert set(container) == set(body_of("create_text_container"))
    assert set(status) == set(body_of("container_finished"))
    assert set(published) == set(body_of("publish_container"))
    assert set(link) == set(body_of("permalink"))
    assert limit == {"data": [{"quota_usage": 1, "config": {"quota_total": 250, "quota_duration": 86400}}]}
    assert [set(row) for row in insights["data"]] == [set(row) for row in body_of("media_insights")["data"]]
    assert deleted == {"success": True, "deleted_id": published["id"]}


def test_concurrent_publishes_each_get_their_own_post(make_account) -> None:
    account = make_account("threads", "acc_sim", "heraldhq")
    ids: list[str] = []

    def publish(n: int) -> None:
        ids.append(open_platform(account).publish(PostContent(text=f"post {n}")).platform_post_id)

    workers = [threading.Thread(target=publish, args=(n,)) for n in range(20)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    assert len(set(ids)) == 20
    assert len(simulators.published("acc_sim")) == 20


# --- connecting against the simulator --------------------------------------------------------


def connect_client() -> httpx.Client:
    return httpx.Client(transport=httpx.MockTransport(connect_handler))


def test_a_simulated_connection_publishes_with_the_tokens_it_got(make_account) -> None:
    app = AppCredentials(TEST_CLIENT_ID, TEST_CLIENT_SECRET)
    code = simulated_code("heraldhq", None)

    connection = ThreadsPlatform.connect_with_code(connect_client(), app, code, REDIRECT_URI, None)

    identity = connection.identity
    assert identity.username == "heraldhq"
    assert len(identity.platform_user_id) == 17 and identity.platform_user_id.isdigit()
    assert connection.credentials.tokens["user_id"] == identity.platform_user_id
    assert identity.followers is not None
    account = make_account("threads", "acc_conn", "heraldhq").model_copy(
        update={"credentials": dict(connection.credentials.tokens)}
    )
    post = open_platform(account).publish(PostContent(text="Connected"))
    assert post.url.startswith("https://www.threads.net/@heraldhq/post/")
    assert open_platform(account).identity().platform_user_id == identity.platform_user_id


@pytest.mark.parametrize(
    ("app", "code"),
    [
        (AppCredentials(TEST_CLIENT_ID, "wrong-secret"), simulated_code("heraldhq", None)),
        (AppCredentials("someone-else", TEST_CLIENT_SECRET), simulated_code("heraldhq", None)),
        (AppCredentials(TEST_CLIENT_ID, TEST_CLIENT_SECRET), "not-a-simulated-code"),
    ],
    ids=["secret", "client-id", "code"],
)
def test_the_simulated_token_endpoint_refuses_what_threads_would(app: AppCredentials, code: str) -> None:
    with pytest.raises(PlatformError) as refused:
        ThreadsPlatform.connect_with_code(connect_client(), app, code, REDIRECT_URI, None)

    assert (refused.value.error_class, refused.value.code) == (ErrorClass.PERMANENT, "authorization_failed")


def test_the_simulated_exchange_takes_only_a_short_lived_token() -> None:
    client = connect_client()
    app = AppCredentials(TEST_CLIENT_ID, TEST_CLIENT_SECRET)
    connection = ThreadsPlatform.connect_with_code(client, app, simulated_code("heraldhq", None), REDIRECT_URI, None)
    long_token = connection.credentials.tokens["access_token"]

    again = client.get("https://graph.threads.net/access_token",
                       params={"grant_type": "th_exchange_token", "client_secret": TEST_CLIENT_SECRET,
                               "access_token": long_token})

    assert again.status_code == 400 and again.json()["error"]["code"] == 190
