"""InstagramPlatform against the Graph API exchanges recorded in recordings/instagram.json, and
against the Instagram simulator."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from scripted_http import Exchange, Script

from herald.platforms import instagram, meta, simulators
from herald.platforms.base import (
    AccountIdentity,
    AppCredentials,
    Credentials,
    ErrorClass,
    MediaItem,
    PlatformError,
    PostContent,
    PublishedPost,
    ReconcileOutcome,
)
from herald.platforms.instagram import InstagramPlatform
from herald.platforms.registry import open_platform
from herald.platforms.simulators import TEST_CLIENT_ID, TEST_CLIENT_SECRET, simulated_code
from herald.platforms.simulators.instagram import connect_handler
from herald.platforms.simulators.meta import recordings
from support.clock import FakeClock

G = meta.GRAPH_API
IG = "17841405822304914"
PAGE = "134895793791914"
CONTAINER = "17889455560051444"
MEDIA = "17918920912340654"
PAGE_TOKEN = "EAAGm0PX4ZCpsBAIgPageToken"
USER_TOKEN = "EAAGm0PX4ZCpsBALongLivedUserToken"
TOKENS = {"ig_user_id": IG, "page_id": PAGE, "access_token": PAGE_TOKEN, "user_access_token": USER_TOKEN,
          "user_id": "10221349578802117"}
CREDENTIALS = Credentials(account_id="acc_ig", username="bluebottle", tokens=TOKENS)
APP = AppCredentials("1234567890123456", "app-secret")
REDIRECT = "https://api.example.com/v1/oauth/instagram/callback"
PERMALINK = "https://www.instagram.com/p/C8bV9xyzAbC/"
LATTE = MediaItem("https://media.example.com/latte.jpg", "image", mime="image/jpeg", alt="A latte with foam art")
POUR = MediaItem("https://media.example.com/pour.mp4", "video", mime="video/mp4")
RECORDED = recordings("instagram")


def recorded(name: str, **changes: Any) -> Exchange:
    """The recorded exchange `name` as a scripted one: the adapter must send the recorded request
    (method, URL, query in order, JSON body, headers) and gets the recorded answer."""
    request, response = RECORDED[name]["request"], RECORDED[name]["response"]
    fields: dict[str, Any] = {
        "method": request["method"],
        "url": request["url"],
        "status": response["status"],
        "body": response["body"],
        "headers": response.get("headers", {}),
        "params": list((request.get("params") or {}).items()),
        "json": request.get("json"),
        "request_headers": {key.lower(): value for key, value in (request.get("headers") or {}).items()},
    }
    return Exchange(**(fields | changes))


def container_status(name: str, container: str = CONTAINER) -> Exchange:
    body = {**RECORDED[name]["response"]["body"], "id": container}
    return recorded(name, url=f"{G}/{container}", body=body)


def answer(name: str) -> httpx.Response:
    response = RECORDED[name]["response"]
    return httpx.Response(response["status"], json=response["body"], headers=response.get("headers"))


def ig_for(script: Script, clock: FakeClock, credentials: Credentials = CREDENTIALS) -> InstagramPlatform:
    return InstagramPlatform(script.client(), credentials, app=APP, clock=clock)


def published_exchanges() -> tuple[Exchange, ...]:
    return recorded("media_publish"), recorded("media_permalink")


# --- publish ---------------------------------------------------------------------------------


def test_an_image_is_a_container_then_published(clock: FakeClock) -> None:
    script = Script(recorded("publishing_limit"), recorded("create_image_container"),
                    container_status("container_finished"), *published_exchanges())

    post = ig_for(script, clock).publish(PostContent(text="#BronzFonz", media=(LATTE,)))

    assert post == PublishedPost(platform_post_id=MEDIA, url=PERMALINK)
    assert clock.slept == []
    script.assert_done()


def test_a_video_is_a_reel_whose_container_is_polled_until_finished(clock: FakeClock) -> None:
    script = Script(recorded("publishing_limit"), recorded("create_reel_container"),
                    container_status("container_in_progress"), container_status("container_in_progress"),
                    container_status("container_finished"), *published_exchanges())

    post = ig_for(script, clock).publish(PostContent(text="Pour-over", media=(POUR,)))

    assert post.platform_post_id == MEDIA
    assert clock.slept == [instagram.POLL_SECONDS, instagram.POLL_SECONDS]
    script.assert_done()


def test_a_carousel_waits_for_its_items_then_for_itself(clock: FakeClock) -> None:
    child1, child2, carousel = "17899506308402767", "17899506308402768", "17899506308402790"
    script = Script(
        recorded("publishing_limit"),
        recorded("create_carousel_image_item"),
        recorded("create_carousel_video_item"),
        container_status("container_finished", child1),
        container_status("container_in_progress", child2),
        container_status("container_finished", child2),
        recorded("create_carousel_container"),
        container_status("container_finished", carousel),
        recorded("media_publish", json={"creation_id": carousel}),
        recorded("media_permalink"),
    )
    items = (MediaItem("https://media.example.com/beans.jpg", "image"),
             MediaItem("https://media.example.com/roast.mp4", "video"))

    post = ig_for(script, clock).publish(PostContent(text="From bean to cup", media=items))

    assert post.platform_post_id == MEDIA
    script.assert_done()


@pytest.mark.parametrize(
    ("status", "error_class", "code"),
    [
        ("container_error", ErrorClass.PERMANENT, "media_unsupported"),
        ("container_expired", ErrorClass.PERMANENT, "media_unsupported"),
    ],
)
def test_a_container_that_fails_processing_is_not_published(
    clock: FakeClock, status: str, error_class: ErrorClass, code: str
) -> None:
    script = Script(recorded("publishing_limit"), recorded("create_reel_container"),
                    container_status("container_in_progress"), container_status(status))

    with pytest.raises(PlatformError) as failed:
        ig_for(script, clock).publish(PostContent(text="Pour-over", media=(POUR,)))

    assert (failed.value.error_class, failed.value.code) == (error_class, code)
    script.assert_done()  # no media_publish


def test_a_transient_cause_named_in_the_status_is_retried(clock: FakeClock) -> None:
    timed_out = {"status_code": "ERROR", "status": "Error: Media download has timed out (2207003)", "id": CONTAINER}
    script = Script(recorded("publishing_limit"), recorded("create_image_container"),
                    recorded("container_error", body=timed_out))

    with pytest.raises(PlatformError) as failed:
        ig_for(script, clock).publish(PostContent(text="#BronzFonz", media=(LATTE,)))

    assert (failed.value.error_class, failed.value.code) == (ErrorClass.RETRY, "media_unreachable")


def test_a_container_still_processing_after_the_last_poll_is_retried_later(
    clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(instagram, "POLLS", 3)
    script = Script(recorded("publishing_limit"), recorded("create_reel_container"),
                    *[container_status("container_in_progress") for _ in range(3)])

    with pytest.raises(PlatformError) as failed:
        ig_for(script, clock).publish(PostContent(text="Pour-over", media=(POUR,)))

    assert (failed.value.error_class, failed.value.code) == (ErrorClass.RETRY, "media_processing")
    assert clock.slept == [instagram.POLL_SECONDS] * 2
    script.assert_done()


def test_a_full_publishing_quota_creates_nothing(clock: FakeClock) -> None:
    script = Script(recorded("publishing_limit_reached"))

    with pytest.raises(PlatformError) as failed:
        ig_for(script, clock).publish(PostContent(text="#BronzFonz", media=(LATTE,)))

    assert (failed.value.error_class, failed.value.code) == (ErrorClass.RETRY, "quota_exceeded")
    script.assert_done()


def test_a_failed_permalink_read_does_not_fail_a_published_post(clock: FakeClock) -> None:
    script = Script(recorded("publishing_limit"), recorded("create_image_container"),
                    container_status("container_finished"), recorded("media_publish"),
                    recorded("media_permalink", raises=httpx.ReadTimeout))

    post = ig_for(script, clock).publish(PostContent(text="#BronzFonz", media=(LATTE,)))

    assert post == PublishedPost(platform_post_id=MEDIA, url="https://www.instagram.com/bluebottle/")


@pytest.mark.parametrize(
    ("media", "code"),
    [
        ((), "invalid_content"),
        ((MediaItem("https://m.example/a.gif", "gif"),), "media_unsupported"),
        (tuple(MediaItem(f"https://m.example/{n}.jpg", "image") for n in range(11)), "invalid_content"),
    ],
    ids=["text-only", "gif", "eleven-items"],
)
def test_posts_instagram_cannot_take_are_refused_before_any_call(clock: FakeClock, media: tuple, code: str) -> None:
    script = Script()

    with pytest.raises(PlatformError) as refused:
        ig_for(script, clock).publish(PostContent(text="look", media=media))

    assert (refused.value.error_class, refused.value.code) == (ErrorClass.PERMANENT, code)
    assert script.requests == []


def test_a_refused_container_is_classified(clock: FakeClock) -> None:
    aspect = RECORDED["error_aspect_ratio"]["response"]
    script = Script(recorded("publishing_limit"),
                    recorded("create_image_container", status=aspect["status"], body=aspect["body"]))

    with pytest.raises(PlatformError) as refused:
        ig_for(script, clock).publish(PostContent(text="#BronzFonz", media=(LATTE,)))

    assert (refused.value.code, refused.value.platform_code) == ("media_unsupported", "400 36003/2207009")


# --- reply, delete, metrics ------------------------------------------------------------------


def test_a_first_comment_is_text_on_the_media(clock: FakeClock) -> None:
    script = Script(recorded("comment"))
    parent = PublishedPost(platform_post_id=MEDIA, url=PERMALINK)

    comment = ig_for(script, clock).reply(parent, PostContent(text="Link in bio"))

    assert comment == PublishedPost(platform_post_id="17870913679156914", url=PERMALINK)


def test_a_comment_with_media_is_refused(clock: FakeClock) -> None:
    script = Script()

    with pytest.raises(PlatformError) as refused:
        ig_for(script, clock).reply(PublishedPost(MEDIA, PERMALINK), PostContent(text="look", media=(LATTE,)))

    assert refused.value.code == "media_unsupported"
    assert script.requests == []


def test_instagram_cannot_delete(clock: FakeClock) -> None:
    script = Script()

    with pytest.raises(PlatformError) as refused:
        ig_for(script, clock).delete(MEDIA)

    assert (refused.value.error_class, refused.value.code) == (ErrorClass.PERMANENT, "not_supported")
    assert script.requests == []


def test_metrics_read_each_media_insights_and_leave_out_the_gone(clock: FakeClock) -> None:
    gone = RECORDED["error_not_found"]["response"]
    script = Script(recorded("insights"),
                    recorded("insights", url=f"{G}/17918920912340999/insights", status=gone["status"], body=gone["body"]))

    metrics = ig_for(script, clock).metrics([MEDIA, "17918920912340999"])

    assert metrics == {MEDIA: {"views": 1520, "reach": 1104, "likes": 87, "comments": 4, "shares": 6, "bookmarks": 12}}


def test_metrics_raise_when_the_network_is_down(clock: FakeClock) -> None:
    outage = RECORDED["error_service"]["response"]
    script = Script(recorded("insights", status=outage["status"], body=outage["body"]))

    with pytest.raises(PlatformError) as failed:
        ig_for(script, clock).metrics([MEDIA])

    assert failed.value.code == "platform_unavailable"


# --- reconcile -------------------------------------------------------------------------------


def test_reconcile_finds_the_media_with_the_same_caption_past_a_pinned_post(clock: FakeClock) -> None:
    script = Script(recorded("media_list"))

    found = ig_for(script, clock).reconcile(PostContent(text="#BronzFonz", target_key="post_1:acc_ig"))

    assert found.outcome is ReconcileOutcome.FOUND
    assert found.post == PublishedPost(platform_post_id=MEDIA, url=PERMALINK)


def test_reconcile_reports_absent_when_the_window_holds_no_such_caption(clock: FakeClock) -> None:
    script = Script(recorded("media_list"))

    assert ig_for(script, clock).reconcile(PostContent(text="Never posted")).outcome is ReconcileOutcome.ABSENT


def test_reconcile_stops_past_the_pinned_posts(clock: FakeClock) -> None:
    old = [{"id": f"1791892091234{n:04d}", "caption": "old", "timestamp": "2029-05-01T10:00:00+0000"} for n in range(4)]
    more = f"{G}/{IG}/media?after=QVFIUmx1"
    script = Script(recorded("media_list", body={"data": old, "paging": {"next": more}}))

    assert ig_for(script, clock).reconcile(PostContent(text="#BronzFonz")).outcome is ReconcileOutcome.ABSENT
    script.assert_done()


def test_reconcile_finds_the_accounts_own_comment(clock: FakeClock) -> None:
    script = Script(recorded("media_comments"))
    parent = PublishedPost(platform_post_id=MEDIA, url=PERMALINK)

    found = ig_for(script, clock).reconcile(PostContent(text="Link in bio", target_key="p:a:1"), parent)

    assert found.post == PublishedPost(platform_post_id="17870913679156914", url=PERMALINK)


@pytest.mark.parametrize(
    "content",
    [PostContent(text=" ", target_key="post_1:acc_ig"), PostContent(text="Link in bio", target_key="post_1:acc_ig:1")],
    ids=["no-caption", "comment-without-parent"],
)
def test_reconcile_cannot_tell_without_a_caption_or_parent(clock: FakeClock, content: PostContent) -> None:
    script = Script()

    assert ig_for(script, clock).reconcile(content).outcome is ReconcileOutcome.UNKNOWN
    assert script.requests == []


@pytest.mark.parametrize(
    "changes",
    [{"status": 500, "body": RECORDED["error_unknown"]["response"]["body"]}, {"raises": httpx.ReadTimeout},
     {"body": "<html>oops</html>"}],
    ids=["server-error", "timeout", "malformed"],
)
def test_reconcile_cannot_tell_when_the_lookup_fails(clock: FakeClock, changes: dict[str, Any]) -> None:
    script = Script(recorded("media_list", **changes))

    assert ig_for(script, clock).reconcile(PostContent(text="#BronzFonz")).outcome is ReconcileOutcome.UNKNOWN


# --- classify_error --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "error_class", "code", "platform_code"),
    [
        ("error_expired_token", ErrorClass.REFRESH, "token_expired", "400 190/463"),
        ("error_invalid_token", ErrorClass.REFRESH, "token_expired", "400 190"),
        ("error_password_changed", ErrorClass.RECONNECT, "account_disconnected", "400 190/460"),
        ("error_rate_limited", ErrorClass.RETRY, "rate_limited", "400 80002"),
        ("error_publishing_limit", ErrorClass.RETRY, "quota_exceeded", "400 4/2207042"),
        ("error_media_not_ready", ErrorClass.RETRY, "media_processing", "400 9007/2207027"),
        ("error_aspect_ratio", ErrorClass.PERMANENT, "media_unsupported", "400 36003/2207009"),
        ("error_duplicate", ErrorClass.PERMANENT, "duplicate_content", "400 506"),
        ("error_not_found", ErrorClass.PERMANENT, "not_found", "400 100/33"),
        ("error_unknown", ErrorClass.RETRY, "platform_unavailable", "500 1"),
        ("error_service", ErrorClass.RETRY, "platform_unavailable", "503 2"),
    ],
)
def test_classify_recorded_errors(
    clock: FakeClock, name: str, error_class: ErrorClass, code: str, platform_code: str
) -> None:
    error = ig_for(Script(), clock).classify_error(answer(name))

    assert (error.error_class, error.code, error.platform_code) == (error_class, code, platform_code)
    assert error.retry_at == (clock.now() + timedelta(minutes=1) if name == "error_rate_limited" else None)


def test_classify_transport_errors(clock: FakeClock) -> None:
    error = ig_for(Script(), clock).classify_error(None, httpx.ConnectTimeout("connect"))

    assert (error.error_class, error.code) == (ErrorClass.RETRY, "timeout")


def test_an_expired_token_at_publish_is_raised_for_a_refresh(clock: FakeClock) -> None:
    expired = RECORDED["error_expired_token"]["response"]
    script = Script(recorded("publishing_limit"), recorded("create_image_container"),
                    container_status("container_finished"),
                    recorded("media_publish", status=expired["status"], body=expired["body"]))

    with pytest.raises(PlatformError) as failed:
        ig_for(script, clock).publish(PostContent(text="#BronzFonz", media=(LATTE,)))

    assert (failed.value.error_class, failed.value.code) == (ErrorClass.REFRESH, "token_expired")


# --- credentials and connecting --------------------------------------------------------------


def test_refresh_reads_the_page_token_again(clock: FakeClock) -> None:
    script = Script(recorded("refresh_page_token"))

    renewed = ig_for(script, clock).refresh_credentials()

    assert renewed.tokens == {**TOKENS, "access_token": "EAAGm0PX4ZCpsBARenewedIgPageToken"}
    assert renewed.expires_at is None


def test_a_refused_refresh_means_reconnect(clock: FakeClock) -> None:
    refused_answer = RECORDED["error_password_changed"]["response"]
    script = Script(recorded("refresh_page_token", status=refused_answer["status"], body=refused_answer["body"]))

    with pytest.raises(PlatformError) as refused:
        ig_for(script, clock).refresh_credentials()

    assert (refused.value.error_class, refused.value.code) == (ErrorClass.RECONNECT, "account_disconnected")


def test_connect_takes_the_instagram_account_of_a_granted_page(clock: FakeClock) -> None:
    script = Script(recorded("oauth_code_exchange"), recorded("oauth_long_lived_exchange"), recorded("me_permissions"),
                    recorded("me"), recorded("me_accounts"))

    connection = InstagramPlatform.connect_with_code(script.client(), APP, "AQD8-authorization-code", REDIRECT, None)

    tokens = connection.credentials.tokens
    assert {key: tokens[key] for key in TOKENS} == TOKENS
    assert connection.credentials.username == "bluebottle"
    assert connection.identity == AccountIdentity(
        platform_user_id=IG, username="bluebottle", display_name="Blue Bottle Coffee",
        avatar_url="https://scontent.cdninstagram.com/v/bluebottle.jpg", followers=267788,
        permissions=(*instagram.SCOPES[:4], "pages_show_list", "pages_read_engagement", "public_profile"),
    )
    script.assert_done()


def test_connect_without_a_linked_instagram_account_is_refused(clock: FakeClock) -> None:
    pages = RECORDED["me_accounts"]["response"]["body"]
    script = Script(recorded("oauth_code_exchange"), recorded("oauth_long_lived_exchange"), recorded("me_permissions"),
                    recorded("me"), recorded("me_accounts", body={"data": pages["data"][:1]}))

    with pytest.raises(PlatformError) as refused:
        InstagramPlatform.connect_with_code(script.client(), APP, "AQD8-authorization-code", REDIRECT, None)

    assert refused.value.code == "instagram_account_not_found"


def test_identity_reads_the_instagram_account(clock: FakeClock) -> None:
    script = Script(recorded("ig_user"))

    identity = ig_for(script, clock).identity()

    assert (identity.platform_user_id, identity.username, identity.followers) == (IG, "bluebottle", 267790)


def test_count_text_counts_code_points(clock: FakeClock) -> None:
    assert ig_for(Script(), clock).count_text("#latte ☕") == 8


# --- the simulator, through the adapter ------------------------------------------------------


def simulated(make_account, clock: FakeClock, simulate: list[str] | None = None) -> InstagramPlatform:
    platform = open_platform(make_account("instagram", "acc_sim", "herald", simulate=simulate))
    platform.clock = clock  # video containers are polled
    assert isinstance(platform, InstagramPlatform)
    return platform


def test_simulated_image_reel_carousel_comment_and_metrics(make_account, clock: FakeClock) -> None:
    platform = simulated(make_account, clock)

    image = platform.publish(PostContent(text="Latte", media=(LATTE,)))
    reel = platform.publish(PostContent(text="Pour", media=(POUR,)))
    carousel = platform.publish(PostContent(text="Album", media=(LATTE, POUR, LATTE)))
    comment = platform.reply(image, PostContent(text="Link in bio"))
    metrics = platform.metrics([image.platform_post_id, reel.platform_post_id, "17900000000000001"])

    assert len(image.platform_post_id) == 17 and image.url.startswith("https://www.instagram.com/p/")
    assert comment.url == image.url
    assert metrics[image.platform_post_id]["comments"] == 1
    assert set(metrics) == {image.platform_post_id, reel.platform_post_id}
    assert clock.slept == [instagram.POLL_SECONDS, instagram.POLL_SECONDS]  # the reel's and the carousel video's
    assert [p["id"] for p in simulators.published("acc_sim")] == [
        image.platform_post_id, reel.platform_post_id, carousel.platform_post_id, comment.platform_post_id
    ]


def test_simulated_reconcile_of_media_and_comments(make_account, clock: FakeClock) -> None:
    platform = simulated(make_account, clock)
    image = platform.publish(PostContent(text="Latte", media=(LATTE,), target_key="post_1:acc_sim"))
    comment = platform.reply(image, PostContent(text="Link in bio", target_key="post_1:acc_sim:1"))
    platform.clock = FakeClock(datetime.now(UTC))

    assert platform.reconcile(PostContent(text="Latte", target_key="post_1:acc_sim")).post == image
    assert platform.reconcile(PostContent(text="Link in bio", target_key="post_1:acc_sim:1"), image).post == comment
    assert platform.reconcile(PostContent(text="Other", target_key="post_2:acc_sim")).outcome is ReconcileOutcome.ABSENT


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
    platform = simulated(make_account, clock, [failure])

    with pytest.raises(PlatformError) as failed:
        platform.publish(PostContent(text="Launch day", media=(LATTE,)))

    assert (failed.value.error_class, failed.value.code) == (error_class, code)
    assert len(simulators.published("acc_sim")) == created
    if failure == "rate_limited":
        assert failed.value.retry_at is not None
        assert timedelta(seconds=50) < failed.value.retry_at - clock.now() <= timedelta(seconds=60)


@pytest.mark.parametrize("failure", ["timeout", "malformed"])
def test_an_unknown_outcome_is_reconciled_to_exactly_one_post(make_account, clock: FakeClock, failure: str) -> None:
    platform = simulated(make_account, clock, [failure])
    with pytest.raises(PlatformError):
        platform.publish(PostContent(text="Launch day", media=(LATTE,), target_key="post_1:acc_sim"))
    platform.clock = FakeClock(datetime.now(UTC))

    found = platform.reconcile(PostContent(text="Launch day", target_key="post_1:acc_sim"))

    assert found.outcome is ReconcileOutcome.FOUND and found.post is not None
    assert [p["id"] for p in simulators.published("acc_sim")] == [found.post.platform_post_id]


def test_an_expired_token_works_again_after_a_refresh(make_account, clock: FakeClock) -> None:
    account = make_account("instagram", "acc_sim", "herald", simulate=["expired_token"])
    platform = open_platform(account)
    with pytest.raises(PlatformError):
        platform.publish(PostContent(text="Launch day", media=(LATTE,)))

    renewed = platform.refresh_credentials()
    open_platform(account.model_copy(update={"credentials": renewed.tokens})).publish(
        PostContent(text="Launch day", media=(LATTE,))
    )

    assert renewed.tokens["access_token"] != account.credentials["access_token"]
    assert len(simulators.published("acc_sim")) == 1


def test_a_revoked_token_cannot_be_refreshed(make_account, clock: FakeClock) -> None:
    platform = simulated(make_account, clock, ["revoked_token"])
    with pytest.raises(PlatformError):
        platform.publish(PostContent(text="Launch day", media=(LATTE,)))

    with pytest.raises(PlatformError) as refused:
        platform.refresh_credentials()

    assert (refused.value.error_class, refused.value.code) == (ErrorClass.RECONNECT, "account_disconnected")


def test_the_simulator_refuses_a_single_video_that_is_not_a_reel(make_account, clock: FakeClock) -> None:
    platform = simulated(make_account, clock)
    tokens = platform.credentials.tokens
    response = platform.client.post(
        f"{G}/{tokens['ig_user_id']}/media", json={"media_type": "VIDEO", "video_url": POUR.url},
        headers={"Authorization": f"Bearer {tokens['access_token']}"},
    )

    assert platform.classify_error(response).code == "invalid_content"


def test_connecting_through_the_simulator_gives_an_account_that_publishes(make_account, clock: FakeClock) -> None:
    client = httpx.Client(transport=httpx.MockTransport(connect_handler))
    app = AppCredentials(TEST_CLIENT_ID, TEST_CLIENT_SECRET)

    connection = InstagramPlatform.connect_with_code(client, app, simulated_code("herald", None), REDIRECT, None)
    account = make_account("instagram", "acc_sim", "herald").model_copy(
        update={"credentials": connection.credentials.tokens}
    )
    post = open_platform(account).publish(PostContent(text="Connected", media=(LATTE,)))

    assert connection.identity.username == "herald"
    assert connection.credentials.tokens["ig_user_id"] != simulators.test_credentials("instagram", "acc_sim", "herald")[
        "ig_user_id"
    ]
    assert [p["id"] for p in simulators.published("acc_sim")] == [post.platform_post_id]
