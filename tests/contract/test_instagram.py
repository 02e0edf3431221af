"""InstagramPlatform against the Graph API exchanges recorded in recordings/instagram.json, and
against the Instagram simulator."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import graph_support as graph
import httpx
import pytest
from scripted_http import Exchange, Script

from herald.platforms import instagram, meta, simulators
from herald.platforms.base import (
    AccountIdentity,
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
from herald.platforms.simulators.common import grown_followers, grown_metrics
from herald.platforms.simulators.instagram import InstagramSimulator, connect_handler
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
PERMALINK = "https://www.instagram.com/p/C8bV9xyzAbC/"
LATTE = MediaItem("https://media.example.com/latte.jpg", "image", mime="image/jpeg", alt="A latte with foam art")
POUR = MediaItem("https://media.example.com/pour.mp4", "video", mime="video/mp4")
recorded = graph.Recorded("instagram")
RECORDED = recorded.entries


def container_status(name: str, container: str = CONTAINER) -> Exchange:
    body = {**RECORDED[name]["response"]["body"], "id": container}
    return recorded(name, url=f"{G}/{container}", body=body)


def ig_for(script: Script, clock: FakeClock, credentials: Credentials = CREDENTIALS) -> InstagramPlatform:
    return InstagramPlatform(script.client(), credentials, app=graph.APP, clock=clock)


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
    script = Script(recorded("publishing_limit"), recorded.failing("create_image_container", "error_aspect_ratio"))

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
    script = Script(recorded("insights"),
                    recorded.failing("insights", "error_not_found", url=f"{G}/17918920912340999/insights"))

    metrics = ig_for(script, clock).metrics([MEDIA, "17918920912340999"])

    assert metrics == {MEDIA: {"views": 1520, "reach": 1104, "likes": 87, "comments": 4, "shares": 6, "bookmarks": 12}}


def test_metrics_raise_when_the_network_is_down(clock: FakeClock) -> None:
    script = Script(recorded.failing("insights", "error_service"))

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


@graph.UNDECIDABLE
def test_reconcile_cannot_tell_without_a_caption_or_parent(clock: FakeClock, content: PostContent) -> None:
    script = Script()

    assert ig_for(script, clock).reconcile(content).outcome is ReconcileOutcome.UNKNOWN
    assert script.requests == []


@pytest.mark.parametrize("changes", recorded.failed_lookups("error_unknown"), ids=graph.LOOKUP_FAILURE_IDS)
def test_reconcile_cannot_tell_when_the_lookup_fails(clock: FakeClock, changes: dict[str, Any]) -> None:
    script = Script(recorded("media_list", **changes))

    assert ig_for(script, clock).reconcile(PostContent(text="#BronzFonz")).outcome is ReconcileOutcome.UNKNOWN


# --- classify_error --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "error_class", "code", "platform_code"),
    [
        *graph.GRAPH_ERRORS,
        ("error_rate_limited", ErrorClass.RETRY, "rate_limited", "400 80002"),
        ("error_publishing_limit", ErrorClass.RETRY, "quota_exceeded", "400 4/2207042"),
        ("error_media_not_ready", ErrorClass.RETRY, "media_processing", "400 9007/2207027"),
        ("error_aspect_ratio", ErrorClass.PERMANENT, "media_unsupported", "400 36003/2207009"),
    ],
)
def test_classify_recorded_errors(
    clock: FakeClock, name: str, error_class: ErrorClass, code: str, platform_code: str
) -> None:
    graph.assert_classified(ig_for(Script(), clock), recorded, name, error_class, code, platform_code)


def test_classify_transport_errors(clock: FakeClock) -> None:
    error = ig_for(Script(), clock).classify_error(None, httpx.ConnectTimeout("connect"))

    assert (error.error_class, error.code) == (ErrorClass.RETRY, "timeout")


def test_an_expired_token_at_publish_is_raised_for_a_refresh(clock: FakeClock) -> None:
    script = Script(recorded("publishing_limit"), recorded("create_image_container"),
                    container_status("container_finished"), recorded.failing("media_publish", "error_expired_token"))

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
    script = Script(recorded.failing("refresh_page_token", "error_password_changed"))

    refused = graph.raised(ig_for(script, clock).refresh_credentials)

    assert (refused.error_class, refused.code) == (ErrorClass.RECONNECT, "account_disconnected")


def test_connect_takes_the_instagram_account_of_a_granted_page(clock: FakeClock) -> None:
    script = Script(*recorded.login())

    connection = graph.connect(InstagramPlatform, script)

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
    script = Script(*recorded.login(body={"data": pages["data"][:1]}))

    assert graph.raised(lambda: graph.connect(InstagramPlatform, script)).code == "instagram_account_not_found"


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
    frozen = clock.now()
    simulators.use_clock(lambda: frozen)  # no time passes: the counts are the real replies only
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


def test_simulated_insights_grow_from_the_posting_time(make_account, clock: FakeClock) -> None:
    simulators.use_clock(clock.now)
    posted = clock.now()
    platform = simulated(make_account, clock)
    image = platform.publish(PostContent(text="Latte", media=(LATTE,)))
    platform.reply(image, PostContent(text="Link in bio"))
    clock.advance(days=1)

    found = platform.metrics([image.platform_post_id])
    account = make_account("instagram", "acc_sim", "herald")
    client = httpx.Client(
        transport=httpx.MockTransport(InstagramSimulator.for_account(account).handle),
        headers={"authorization": f"Bearer {account.credentials['access_token']}"},
    )
    rows = client.get(f"{G}/{image.platform_post_id}/insights", params={"metric": instagram.INSIGHTS}).json()["data"]

    grown = grown_metrics(image.platform_post_id, posted, clock.now())
    assert grown["likes"] > 0
    assert {row["name"]: row["values"] for row in rows} == {
        "views": [{"value": grown["impressions"]}],
        "reach": [{"value": grown["reach"]}],
        "likes": [{"value": grown["likes"]}],
        "comments": [{"value": grown["comments"] + 1}],  # and the real comment
        "shares": [{"value": grown["sends"]}],
        "saved": [{"value": grown["saves"]}],
    }
    assert found == {
        image.platform_post_id: {
            "views": grown["impressions"],
            "reach": grown["reach"],
            "likes": grown["likes"],
            "comments": grown["comments"] + 1,
            "shares": grown["sends"],
            "bookmarks": grown["saves"],
        }
    }


def test_simulated_followers_grow_with_time(make_account, clock: FakeClock) -> None:
    simulators.use_clock(clock.now)
    start = clock.now()
    connection = graph.connect_to_simulator(InstagramPlatform, connect_handler)
    account = make_account("instagram", "acc_sim", "herald").model_copy(
        update={"credentials": connection.credentials.tokens}
    )
    key = f"instagram:{connection.credentials.tokens['ig_user_id']}"
    clock.advance(days=3)

    later = open_platform(account).identity()

    assert connection.identity.followers == grown_followers(key, start)
    assert later.followers == grown_followers(key, clock.now()) >= grown_followers(key, start) + 3


def test_simulated_reconcile_of_media_and_comments(make_account, clock: FakeClock) -> None:
    platform = simulated(make_account, clock)
    image = platform.publish(PostContent(text="Latte", media=(LATTE,), target_key="post_1:acc_sim"))
    comment = platform.reply(image, PostContent(text="Link in bio", target_key="post_1:acc_sim:1"))
    platform.clock = FakeClock(datetime.now(UTC))

    assert platform.reconcile(PostContent(text="Latte", target_key="post_1:acc_sim")).post == image
    assert platform.reconcile(PostContent(text="Link in bio", target_key="post_1:acc_sim:1"), image).post == comment
    assert platform.reconcile(PostContent(text="Other", target_key="post_2:acc_sim")).outcome is ReconcileOutcome.ABSENT


@graph.INJECTED_FAILURES
def test_each_injected_failure_is_classified(
    make_account, clock: FakeClock, failure: str, error_class: ErrorClass, code: str, created: int
) -> None:
    platform = simulated(make_account, clock, [failure])
    content = PostContent(text="Launch day", media=(LATTE,))

    graph.assert_injected_failure(platform, content, failure, error_class, code, created)


@pytest.mark.parametrize("failure", ["timeout", "malformed"])
def test_an_unknown_outcome_is_reconciled_to_exactly_one_post(make_account, clock: FakeClock, failure: str) -> None:
    platform = simulated(make_account, clock, [failure])
    content = PostContent(text="Launch day", media=(LATTE,), target_key="post_1:acc_sim")

    graph.assert_reconciled_to_one_post(platform, content)


def test_an_expired_token_works_again_after_a_refresh(make_account) -> None:
    account = make_account("instagram", "acc_sim", "herald", simulate=["expired_token"])

    graph.assert_refreshed_token_works(account, PostContent(text="Launch day", media=(LATTE,)))


def test_a_revoked_token_cannot_be_refreshed(make_account, clock: FakeClock) -> None:
    platform = simulated(make_account, clock, ["revoked_token"])

    graph.assert_revoked_token_is_not_refreshed(platform, PostContent(text="Launch day", media=(LATTE,)))


def test_the_simulator_refuses_a_single_video_that_is_not_a_reel(make_account, clock: FakeClock) -> None:
    platform = simulated(make_account, clock)
    tokens = platform.credentials.tokens
    response = platform.client.post(
        f"{G}/{tokens['ig_user_id']}/media", json={"media_type": "VIDEO", "video_url": POUR.url},
        headers={"Authorization": f"Bearer {tokens['access_token']}"},
    )

    assert platform.classify_error(response).code == "invalid_content"


def test_connecting_through_the_simulator_gives_an_account_that_publishes(make_account, clock: FakeClock) -> None:
    connection = graph.connect_to_simulator(InstagramPlatform, connect_handler)
    account = make_account("instagram", "acc_sim", "herald").model_copy(
        update={"credentials": connection.credentials.tokens}
    )
    post = open_platform(account).publish(PostContent(text="Connected", media=(LATTE,)))

    assert connection.identity.username == "herald"
    assert connection.credentials.tokens["ig_user_id"] != simulators.test_credentials("instagram", "acc_sim", "herald")[
        "ig_user_id"
    ]
    assert [p["id"] for p in simulators.published("acc_sim")] == [post.platform_post_id]
