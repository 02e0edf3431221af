"""FacebookPlatform against the Graph API exchanges recorded in recordings/facebook.json, and
against the Facebook simulator."""

from __future__ import annotations

from dataclasses import replace
from typing import Any
from urllib.parse import parse_qs, urlsplit

import graph_support as graph
import httpx
import pytest
from scripted_http import Script

from herald.platforms import facebook, meta, simulators
from herald.platforms.base import (
    AccountIdentity,
    Credentials,
    ErrorClass,
    LinkPreview,
    MediaItem,
    PlatformError,
    PostContent,
    PublishedPost,
    ReconcileOutcome,
)
from herald.platforms.facebook import FacebookPlatform
from herald.platforms.registry import open_platform
from herald.platforms.simulators import simulated_code
from herald.platforms.simulators.common import grown_followers, grown_metrics
from herald.platforms.simulators.facebook import FacebookSimulator, connect_handler
from support.clock import FakeClock

G = meta.GRAPH_API
PAGE = "1755847768034402"
POST = f"{PAGE}_122112233445566"
VIDEO = "1097346158376261"
PAGE_TOKEN = "EAAGm0PX4ZCpsBAPageToken"
USER_TOKEN = "EAAGm0PX4ZCpsBALongLivedUserToken"
TOKENS = {"page_id": PAGE, "access_token": PAGE_TOKEN, "user_access_token": USER_TOKEN, "user_id": "10221349578802117"}
CREDENTIALS = Credentials(account_id="acc_fb", username="metricsaurus", tokens=TOKENS)
recorded = graph.Recorded("facebook")
RECORDED = recorded.entries


def fb_for(script: Script, clock: FakeClock, credentials: Credentials = CREDENTIALS) -> FacebookPlatform:
    return FacebookPlatform(script.client(), credentials, app=graph.APP, clock=clock)


def refused_before_any_call(clock: FakeClock, call: Any) -> PlatformError:
    script = Script()
    with pytest.raises(PlatformError) as refused:
        call(fb_for(script, clock))
    assert script.requests == []
    return refused.value


# --- publish ---------------------------------------------------------------------------------


def test_a_text_post_carries_the_link_attachment(clock: FakeClock) -> None:
    script = Script(recorded("publish_text"))

    post = fb_for(script, clock).publish(
        PostContent(text="Episode 12 is out", link=LinkPreview(url="https://example.com/ep12", title="Episode 12"))
    )

    assert post == PublishedPost(platform_post_id=POST, url=f"https://www.facebook.com/{PAGE}/posts/122112233445566")
    script.assert_done()


def test_a_post_without_text_link_or_media_is_refused(clock: FakeClock) -> None:
    refused = refused_before_any_call(clock, lambda fb: fb.publish(PostContent(text="  ")))

    assert (refused.error_class, refused.code) == (ErrorClass.PERMANENT, "invalid_content")


def test_one_photo_is_posted_with_its_caption_and_alt_text(clock: FakeClock) -> None:
    script = Script(recorded("publish_photo"))
    photo = MediaItem("https://media.example.com/cover.jpg", "image", alt="The cover")

    post = fb_for(script, clock).publish(PostContent(text="New cover", media=(photo,)))

    assert post.platform_post_id == POST
    assert post.url == f"https://www.facebook.com/{POST}"
    assert post.extra == {"photo_id": "122112233445570"}


def test_several_photos_are_uploaded_unpublished_then_attached_to_one_post(clock: FakeClock) -> None:
    script = Script(recorded("upload_unpublished_photo"), recorded("upload_unpublished_photo_2"),
                    recorded("publish_photos"))
    photos = (MediaItem("https://media.example.com/a.jpg", "image"), MediaItem("https://media.example.com/b.png", "image"))

    post = fb_for(script, clock).publish(PostContent(text="Two views", media=photos))

    assert post.platform_post_id == POST
    script.assert_done()


def test_a_video_is_fetched_by_url_and_its_processing_polled(clock: FakeClock) -> None:
    script = Script(recorded("publish_video"), recorded("video_status_processing"), recorded("video_status_ready"))
    video = MediaItem("https://media.example.com/trailer.mp4", "video", mime="video/mp4")

    post = fb_for(script, clock).publish(PostContent(text="The trailer", media=(video,)))

    assert post == PublishedPost(
        platform_post_id=VIDEO, url=f"https://www.facebook.com/{PAGE}/videos/{VIDEO}/", extra={"video_id": VIDEO}
    )
    assert clock.slept == [facebook.VIDEO_POLL_SECONDS]
    script.assert_done()


def test_a_video_whose_processing_fails_is_refused(clock: FakeClock) -> None:
    script = Script(recorded("publish_video"), recorded("video_status_error"))
    video = MediaItem("https://media.example.com/trailer.mp4", "video")

    with pytest.raises(PlatformError) as refused:
        fb_for(script, clock).publish(PostContent(text="The trailer", media=(video,)))

    assert (refused.value.error_class, refused.value.code) == (ErrorClass.PERMANENT, "media_unsupported")
    assert "too short" in refused.value.message


def test_a_video_still_processing_after_the_last_poll_is_published(
    clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(facebook, "VIDEO_POLLS", 2)
    script = Script(recorded("publish_video"), recorded("video_status_processing"), recorded("video_status_processing"))
    video = MediaItem("https://media.example.com/trailer.mp4", "video")

    post = fb_for(script, clock).publish(PostContent(text="The trailer", media=(video,)))

    assert post.platform_post_id == VIDEO  # Facebook publishes it once processed
    assert clock.slept == [facebook.VIDEO_POLL_SECONDS]


def test_a_failed_status_read_does_not_fail_a_created_video(clock: FakeClock) -> None:
    script = Script(recorded("publish_video"), recorded("video_status_processing", status=503, body={}))
    video = MediaItem("https://media.example.com/trailer.mp4", "video")

    post = fb_for(script, clock).publish(PostContent(text="The trailer", media=(video,)))

    assert post.url == f"https://www.facebook.com/{PAGE}/videos/{VIDEO}"


@pytest.mark.parametrize(
    "media",
    [
        (MediaItem("https://m.example/a.mp4", "video"), MediaItem("https://m.example/b.jpg", "image")),
        (MediaItem("https://m.example/a.jpg", "image"), MediaItem("https://m.example/a.pdf", "document")),
    ],
    ids=["video-and-photo", "not-an-image"],
)
def test_media_facebook_cannot_post_are_refused_before_any_call(clock: FakeClock, media: tuple) -> None:
    refused = refused_before_any_call(clock, lambda fb: fb.publish(PostContent(text="look", media=media)))

    assert (refused.error_class, refused.code) == (ErrorClass.PERMANENT, "media_unsupported")


def test_an_account_without_a_page_token_must_reconnect(clock: FakeClock) -> None:
    script = Script()
    bare = Credentials(account_id="acc_fb", username="metricsaurus", tokens={"page_id": PAGE})

    with pytest.raises(PlatformError) as refused:
        fb_for(script, clock, bare).publish(PostContent(text="hi"))

    assert (refused.value.error_class, refused.value.code) == (ErrorClass.RECONNECT, "account_disconnected")


def test_a_created_post_without_an_id_is_a_malformed_answer(clock: FakeClock) -> None:
    script = Script(recorded("publish_text", body={"permalink_url": "https://www.facebook.com/x"}))

    with pytest.raises(PlatformError) as failed:
        fb_for(script, clock).publish(PostContent(text="Episode 12 is out", link=LinkPreview("https://example.com/ep12")))

    assert (failed.value.error_class, failed.value.code) == (ErrorClass.RETRY, "platform_unavailable")


# --- reply and delete ------------------------------------------------------------------------


def test_a_first_comment_carries_one_image(clock: FakeClock) -> None:
    script = Script(recorded("comment"))
    parent = PublishedPost(platform_post_id=POST, url=f"https://www.facebook.com/{POST}")
    chart = MediaItem("https://media.example.com/chart.png", "image")

    comment = fb_for(script, clock).reply(parent, PostContent(text="Links in the comments", media=(chart,)))

    assert comment.platform_post_id == "122112233445566_1203344556677889"
    assert comment.url.endswith("?comment_id=1203344556677889")


def test_a_comment_with_a_video_is_refused(clock: FakeClock) -> None:
    parent = PublishedPost(platform_post_id=POST, url="")
    clip = MediaItem("https://media.example.com/clip.mp4", "video")

    refused = refused_before_any_call(clock, lambda fb: fb.reply(parent, PostContent(text="see", media=(clip,))))

    assert refused.code == "media_unsupported"


def test_delete_removes_the_post(clock: FakeClock) -> None:
    script = Script(recorded("delete"))

    fb_for(script, clock).delete(POST)

    script.assert_done()


def test_deleting_a_post_that_is_gone_is_done(clock: FakeClock) -> None:
    script = Script(recorded.failing("delete", "error_not_found"))

    fb_for(script, clock).delete(POST)

    script.assert_done()


def test_an_unconfirmed_delete_is_refused(clock: FakeClock) -> None:
    script = Script(recorded("delete", body={"success": False}))

    with pytest.raises(PlatformError) as refused:
        fb_for(script, clock).delete(POST)

    assert (refused.value.error_class, refused.value.code) == (ErrorClass.PERMANENT, "delete_refused")


# --- metrics ---------------------------------------------------------------------------------


def test_metrics_read_posts_and_videos_in_batches(clock: FakeClock) -> None:
    script = Script(recorded("metrics_posts"), recorded("metrics_videos"))

    metrics = fb_for(script, clock).metrics([POST, f"{PAGE}_122112233445599", VIDEO])

    assert metrics == {
        POST: {"likes": 42, "comments": 7, "shares": 3},
        f"{PAGE}_122112233445599": {"likes": 0, "comments": 0},  # no `shares` field: absent, not 0
        VIDEO: {"likes": 9, "comments": 2},
    }
    script.assert_done()


def test_metrics_leave_out_a_post_that_is_gone(clock: FakeClock) -> None:
    fields = facebook._POST_COUNTS
    one = RECORDED["metrics_posts"]["response"]["body"][POST]
    script = Script(
        recorded.failing("metrics_posts", "error_aliases_missing",
                         params=[("ids", f"{POST},{PAGE}_999"), ("fields", fields)]),
        recorded("metrics_posts", body={POST: one}, params=[("ids", POST), ("fields", fields)]),
        recorded.failing("metrics_posts", "error_not_found", params=[("ids", f"{PAGE}_999"), ("fields", fields)]),
    )

    metrics = fb_for(script, clock).metrics([POST, f"{PAGE}_999"])

    assert metrics == {POST: {"likes": 42, "comments": 7, "shares": 3}}
    script.assert_done()


# --- reconcile -------------------------------------------------------------------------------


def test_reconcile_finds_the_post_with_the_same_text(clock: FakeClock) -> None:
    script = Script(recorded("published_posts"))

    found = fb_for(script, clock).reconcile(PostContent(text="Episode 12 is out\n", target_key="post_1:acc_fb"))

    assert found.outcome is ReconcileOutcome.FOUND
    assert found.post == PublishedPost(POST, f"https://www.facebook.com/{PAGE}/posts/122112233445566")


def test_reconcile_finds_a_video_that_is_not_a_post_yet(clock: FakeClock) -> None:
    script = Script(recorded("published_posts"), recorded("page_videos"))

    found = fb_for(script, clock).reconcile(PostContent(text="The trailer", target_key="post_1:acc_fb"))

    assert found.outcome is ReconcileOutcome.FOUND
    assert found.post is not None and found.post.platform_post_id == VIDEO


def test_reconcile_reports_absent_when_neither_list_has_the_text(clock: FakeClock) -> None:
    script = Script(recorded("published_posts"), recorded("page_videos"))

    assert fb_for(script, clock).reconcile(PostContent(text="Never posted")).outcome is ReconcileOutcome.ABSENT
    script.assert_done()


def test_reconcile_finds_the_pages_own_comment_on_the_parent(clock: FakeClock) -> None:
    script = Script(recorded("post_comments"))
    parent = PublishedPost(platform_post_id=POST, url="")

    found = fb_for(script, clock).reconcile(PostContent(text="Links in the comments", target_key="p:a:1"), parent)

    assert found.outcome is ReconcileOutcome.FOUND
    assert found.post is not None and found.post.platform_post_id == "122112233445566_1203344556677889"


@graph.UNDECIDABLE
def test_reconcile_cannot_tell_without_text_or_parent(clock: FakeClock, content: PostContent) -> None:
    script = Script()

    assert fb_for(script, clock).reconcile(content).outcome is ReconcileOutcome.UNKNOWN
    assert script.requests == []


@pytest.mark.parametrize("changes", recorded.failed_lookups("error_service"), ids=graph.LOOKUP_FAILURE_IDS)
def test_reconcile_cannot_tell_when_the_lookup_fails(clock: FakeClock, changes: dict[str, Any]) -> None:
    script = Script(recorded("published_posts", **changes))

    assert fb_for(script, clock).reconcile(PostContent(text="Episode 12")).outcome is ReconcileOutcome.UNKNOWN


def test_reconcile_cannot_tell_beyond_the_pages_it_reads(clock: FakeClock) -> None:
    more = f"{G}/{PAGE}/published_posts?after=QVFIUjZA"
    busy = {"data": [{"id": f"{PAGE}_1", "message": "other", "created_time": "2030-01-07T08:30:00+0000"}],
            "paging": {"next": more}}
    script = Script(recorded("published_posts", body=busy),
                    *[recorded("published_posts", body=busy, params=[("after", "QVFIUjZA")])
                      for _ in range(meta.MAX_LIST_PAGES - 1)])

    assert fb_for(script, clock).reconcile(PostContent(text="Episode 12")).outcome is ReconcileOutcome.UNKNOWN
    script.assert_done()


# --- classify_error --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "error_class", "code", "platform_code"),
    [
        *graph.GRAPH_ERRORS,
        ("error_rate_limited", ErrorClass.RETRY, "rate_limited", "400 80001"),
        ("error_app_limit", ErrorClass.RETRY, "rate_limited", "403 4"),
        ("error_posting_too_fast", ErrorClass.RETRY, "rate_limited", "400 368/1390008"),
        ("error_policy", ErrorClass.PERMANENT, "content_blocked", "400 368"),
        ("error_link_scrape", ErrorClass.PERMANENT, "invalid_content", "400 1609005"),
        ("error_photo_too_large", ErrorClass.PERMANENT, "media_unsupported", "400 100/1366046"),
        ("error_permission", ErrorClass.RECONNECT, "account_disconnected", "403 200"),
        ("error_aliases_missing", ErrorClass.PERMANENT, "not_found", "404 803"),
        ("oauth_code_refused", ErrorClass.PERMANENT, "invalid_content", "400 100/36009"),
    ],
)
def test_classify_recorded_errors(
    clock: FakeClock, name: str, error_class: ErrorClass, code: str, platform_code: str
) -> None:
    graph.assert_classified(fb_for(Script(), clock), recorded, name, error_class, code, platform_code)


def test_an_error_keeps_the_message_meta_words_for_people(clock: FakeClock) -> None:
    error = fb_for(Script(), clock).classify_error(recorded.answer("error_posting_too_fast"))

    assert error.message.endswith("It looks like you were misusing this feature by going too fast.")


@pytest.mark.parametrize(
    ("response", "error_class", "code"),
    [
        (httpx.Response(502, text="<html>Bad Gateway</html>"), ErrorClass.RETRY, "platform_unavailable"),
        (httpx.Response(200, text="<html>upstream connect error</html>"), ErrorClass.RETRY, "platform_unavailable"),
        (httpx.Response(429, json={}), ErrorClass.RETRY, "rate_limited"),
        (httpx.Response(401, json={}), ErrorClass.REFRESH, "token_expired"),
    ],
    ids=["502-html", "malformed-200", "bare-429", "bare-401"],
)
def test_classify_answers_without_a_graph_error(
    clock: FakeClock, response: httpx.Response, error_class: ErrorClass, code: str
) -> None:
    error = fb_for(Script(), clock).classify_error(response)

    assert (error.error_class, error.code) == (error_class, code)


@pytest.mark.parametrize(
    ("exc", "code"), [(httpx.ReadTimeout("read"), "timeout"), (httpx.ConnectError("refused"), "network_error")]
)
def test_classify_transport_errors(clock: FakeClock, exc: Exception, code: str) -> None:
    error = fb_for(Script(), clock).classify_error(None, exc)

    assert (error.error_class, error.code) == (ErrorClass.RETRY, code)


def test_publish_raises_the_classified_duplicate(clock: FakeClock) -> None:
    script = Script(recorded.failing("publish_text", "error_duplicate"))

    with pytest.raises(PlatformError) as refused:
        fb_for(script, clock).publish(PostContent(text="Episode 12 is out", link=LinkPreview("https://example.com/ep12")))

    assert (refused.value.error_class, refused.value.code) == (ErrorClass.PERMANENT, "duplicate_content")


# --- credentials -----------------------------------------------------------------------------


def test_refresh_reads_the_page_token_again_with_the_user_token(clock: FakeClock) -> None:
    script = Script(recorded("refresh_page_token"))

    renewed = fb_for(script, clock).refresh_credentials()

    assert renewed == Credentials(
        account_id="acc_fb", username="metricsaurus",
        tokens={**TOKENS, "access_token": "EAAGm0PX4ZCpsBARenewedPageToken"},
    )


def test_a_refused_refresh_means_reconnect(clock: FakeClock) -> None:
    script = Script(recorded.failing("refresh_page_token", "error_password_changed"))

    refused = graph.raised(fb_for(script, clock).refresh_credentials)

    assert (refused.error_class, refused.code, refused.platform_code) == (
        ErrorClass.RECONNECT, "account_disconnected", "400 190/460"
    )


def test_a_refresh_that_meets_an_outage_can_be_retried(clock: FakeClock) -> None:
    script = Script(recorded.failing("refresh_page_token", "error_service"))

    with pytest.raises(PlatformError) as failed:
        fb_for(script, clock).refresh_credentials()

    assert (failed.value.error_class, failed.value.code) == (ErrorClass.RETRY, "platform_unavailable")


def test_the_authorization_url_asks_for_the_page_permissions_without_pkce() -> None:
    redirect = graph.redirect_uri("facebook")

    url = FacebookPlatform.authorization_url(graph.APP, redirect, "state-1", "challenge-ignored")

    parts = urlsplit(url)
    query = {key: values[0] for key, values in parse_qs(parts.query).items()}
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == f"https://www.facebook.com/{meta.GRAPH_VERSION}/dialog/oauth"
    assert query == {"response_type": "code", "client_id": graph.APP.client_id, "redirect_uri": redirect,
                     "scope": ",".join(facebook.SCOPES), "state": "state-1"}


def test_connect_exchanges_the_code_and_takes_the_page_it_can_publish_to(clock: FakeClock) -> None:
    script = Script(*recorded.login())

    connection = graph.connect(FacebookPlatform, script)

    assert connection.credentials.tokens == {
        "page_id": PAGE, "access_token": PAGE_TOKEN, "user_access_token": USER_TOKEN,
        "user_id": "10221349578802117", "user_token_expires_at": connection.credentials.tokens["user_token_expires_at"],
    }
    assert connection.credentials.account_id == "" and connection.credentials.expires_at is None
    assert connection.identity == AccountIdentity(
        platform_user_id=PAGE, username="metricsaurus", display_name="Metricsaurus",
        avatar_url="https://scontent.xx.fbcdn.net/v/metricsaurus.png", followers=1250,
        permissions=("pages_show_list", "pages_manage_posts", "pages_read_engagement", "pages_manage_engagement",
                     "public_profile"),
    )
    script.assert_done()


def test_connect_takes_every_granted_page_it_can_publish_to(clock: FakeClock) -> None:
    pages = RECORDED["me_accounts"]["response"]["body"]["data"]
    club = {**pages[0], "tasks": ["CREATE_CONTENT"], "username": "adasbookclub"}
    script = Script(*recorded.login(body={"data": [club, pages[1]]}))
    client = httpx.Client(transport=httpx.MockTransport(script))

    connections = FacebookPlatform.connect_all_with_code(client, graph.APP, graph.CODE, graph.redirect_uri("facebook"),
                                                         None)

    assert [c.identity.username for c in connections] == ["adasbookclub", "metricsaurus"]
    assert [c.credentials.tokens["access_token"] for c in connections] == [club["access_token"], PAGE_TOKEN]
    assert len({c.credentials.tokens["user_access_token"] for c in connections}) == 1
    script.assert_done()


def test_connect_without_a_page_to_publish_to_is_refused(clock: FakeClock) -> None:
    pages = RECORDED["me_accounts"]["response"]["body"]
    script = Script(*recorded.login(body={"data": pages["data"][:1]}))

    assert graph.raised(lambda: graph.connect(FacebookPlatform, script)).code == "page_not_granted"


def test_a_refused_code_fails_the_connection(clock: FakeClock) -> None:
    script = Script(recorded("oauth_code_refused"))

    assert graph.raised(lambda: graph.connect(FacebookPlatform, script)).platform_code == "400 100/36009"


def test_identity_reads_the_page(clock: FakeClock) -> None:
    script = Script(recorded("page_profile"))

    assert fb_for(script, clock).identity() == AccountIdentity(
        platform_user_id=PAGE, username="metricsaurus", display_name="Metricsaurus",
        avatar_url="https://scontent.xx.fbcdn.net/v/metricsaurus.png", followers=1251,
    )


def test_revoking_is_left_to_the_person(clock: FakeClock) -> None:
    script = Script()

    assert fb_for(script, clock).revoke() is False
    assert script.requests == []


def test_count_text_counts_code_points_after_nfc(clock: FakeClock) -> None:
    assert fb_for(Script(), clock).count_text("Cafe\u0301 😀") == 6


# --- the simulator, through the adapter ------------------------------------------------------


def test_simulated_posts_photos_video_comment_metrics_and_delete(make_account, clock: FakeClock) -> None:
    frozen = clock.now()
    simulators.use_clock(lambda: frozen)  # no time passes: the counts are the real replies only
    platform = open_platform(make_account("facebook", "acc_sim", "herald"))
    platform.clock = clock  # the video's processing is polled
    photo = MediaItem("https://media.example.com/a.jpg", "image")

    text = platform.publish(PostContent(text="Hello", link=LinkPreview("https://example.com")))
    album = platform.publish(PostContent(text="Album", media=(photo, photo)))
    video = platform.publish(PostContent(text="Trailer", media=(MediaItem("https://media.example.com/t.mp4", "video"),)))
    comment = platform.reply(text, PostContent(text="First comment", media=(photo,)))
    metrics = platform.metrics([text.platform_post_id, album.platform_post_id, video.platform_post_id])
    platform.delete(album.platform_post_id)
    platform.delete(album.platform_post_id)  # already gone: still done

    page_id = simulators.test_credentials("facebook", "acc_sim", "herald")["page_id"]
    assert text.platform_post_id.startswith(f"{page_id}_")
    assert text.url == f"https://www.facebook.com/{page_id}/posts/{text.platform_post_id.split('_')[1]}"
    assert video.url == f"https://www.facebook.com/{page_id}/videos/{video.platform_post_id}/"
    assert metrics[text.platform_post_id]["comments"] == 1
    assert "shares" not in metrics[video.platform_post_id]
    assert [p["id"] for p in simulators.published("acc_sim")] == [
        text.platform_post_id, video.platform_post_id, comment.platform_post_id
    ]
    assert platform.metrics([album.platform_post_id, text.platform_post_id]).keys() == {text.platform_post_id}


def test_simulated_counts_grow_from_the_posting_time(make_account, clock: FakeClock) -> None:
    simulators.use_clock(clock.now)
    posted = clock.now()
    account = make_account("facebook", "acc_sim", "herald")
    platform = open_platform(account)
    platform.clock = clock  # the video's processing is polled
    text = platform.publish(PostContent(text="Growing"))
    video = platform.publish(PostContent(text="Trailer", media=(MediaItem("https://media.example.com/t.mp4", "video"),)))
    platform.reply(text, PostContent(text="First comment"))
    clock.advance(days=2)

    found = platform.metrics([text.platform_post_id, video.platform_post_id])
    client = httpx.Client(
        transport=httpx.MockTransport(FacebookSimulator.for_account(account).handle),
        headers={"authorization": f"Bearer {account.credentials['access_token']}"},
    )
    fields = "reactions.summary(total_count).limit(0),comments.summary(total_count).limit(0),shares"
    answer = client.get(f"{G}/", params={"ids": text.platform_post_id, "fields": fields}).json()[text.platform_post_id]

    grown = grown_metrics(text.platform_post_id, posted, clock.now())
    shares = {"shares": grown["shares"]} if grown["shares"] else {}  # the Graph leaves out none
    assert grown["likes"] > 0
    assert answer["reactions"]["summary"]["total_count"] == grown["likes"]
    assert answer["comments"]["summary"]["total_count"] == grown["comments"] + 1  # and the real comment
    assert answer.get("shares") == ({"count": grown["shares"]} if shares else None)
    assert found[text.platform_post_id] == {"likes": grown["likes"], "comments": grown["comments"] + 1, **shares}
    video_grown = grown_metrics(video.platform_post_id, posted, clock.now())
    assert found[video.platform_post_id] == {"likes": video_grown["likes"], "comments": video_grown["comments"]}


def test_simulated_page_followers_grow_with_time(make_account, clock: FakeClock) -> None:
    simulators.use_clock(clock.now)
    start = clock.now()
    connection = graph.connect_to_simulator(FacebookPlatform, connect_handler)
    account = make_account("facebook", "acc_sim", "herald").model_copy(
        update={"credentials": connection.credentials.tokens}
    )
    key = f"facebook:{connection.credentials.tokens['page_id']}"
    clock.advance(days=3)

    later = open_platform(account).identity()
    client = httpx.Client(
        transport=httpx.MockTransport(FacebookSimulator.for_account(account).handle),
        headers={"authorization": f"Bearer {account.credentials['access_token']}"},
    )
    page = client.get(f"{G}/{account.credentials['page_id']}", params={"fields": "followers_count,fan_count"}).json()

    assert connection.identity.followers == grown_followers(key, start)
    assert later.followers == grown_followers(key, clock.now()) >= grown_followers(key, start) + 3
    assert page["followers_count"] == later.followers and page["fan_count"] == later.followers * 24 // 25


def test_simulated_reconcile_of_posts_and_comments(make_account) -> None:
    platform = open_platform(make_account("facebook", "acc_sim", "herald"))
    post = platform.publish(PostContent(text="Launch day", target_key="post_1:acc_sim"))
    comment = platform.reply(post, PostContent(text="Details", target_key="post_1:acc_sim:1"))

    assert platform.reconcile(PostContent(text="Launch day", target_key="post_1:acc_sim")).post == post
    assert platform.reconcile(PostContent(text="Details", target_key="post_1:acc_sim:1"), post).post == comment
    assert platform.reconcile(PostContent(text="Other", target_key="post_2:acc_sim")).outcome is ReconcileOutcome.ABSENT


def test_the_simulator_refuses_the_same_message_twice_in_a_row(make_account) -> None:
    platform = open_platform(make_account("facebook", "acc_sim", "herald"))
    platform.publish(PostContent(text="Only once"))

    with pytest.raises(PlatformError) as refused:
        platform.publish(PostContent(text="Only once"))

    assert refused.value.code == "duplicate_content"
    assert len(simulators.published("acc_sim")) == 1


@graph.INJECTED_FAILURES
def test_each_injected_failure_is_classified(
    make_account, failure: str, error_class: ErrorClass, code: str, created: int
) -> None:
    platform = open_platform(make_account("facebook", "acc_sim", "herald", simulate=[failure]))

    graph.assert_injected_failure(platform, PostContent(text="Launch day"), failure, error_class, code, created)


@pytest.mark.parametrize("failure", ["timeout", "malformed"])
def test_an_unknown_outcome_is_reconciled_to_exactly_one_post(make_account, failure: str) -> None:
    platform = open_platform(make_account("facebook", "acc_sim", "herald", simulate=[failure]))

    graph.assert_reconciled_to_one_post(platform, PostContent(text="Launch day", target_key="post_1:acc_sim"))


def test_an_injected_failure_hits_a_first_comment_too(make_account) -> None:
    platform = open_platform(make_account("facebook", "acc_sim", "herald", simulate=["ok", "server_error"]))
    post = platform.publish(PostContent(text="Launch day"))

    with pytest.raises(PlatformError) as failed:
        platform.reply(post, PostContent(text="Details"))

    assert failed.value.code == "platform_unavailable"


def test_an_expired_token_works_again_after_a_refresh(make_account) -> None:
    account = make_account("facebook", "acc_sim", "herald", simulate=["expired_token"])

    graph.assert_refreshed_token_works(account, PostContent(text="Launch day"))


def test_a_revoked_token_cannot_be_refreshed(make_account) -> None:
    platform = open_platform(make_account("facebook", "acc_sim", "herald", simulate=["revoked_token"]))

    graph.assert_revoked_token_is_not_refreshed(platform, PostContent(text="Launch day"))


def test_connecting_through_the_simulator_gives_an_account_that_publishes(make_account) -> None:
    connection = graph.connect_to_simulator(FacebookPlatform, connect_handler)
    account = make_account("facebook", "acc_sim", "herald").model_copy(
        update={"credentials": connection.credentials.tokens}
    )
    post = open_platform(account).publish(PostContent(text="Connected"))

    assert connection.identity.username == "herald"
    assert set(connection.identity.permissions) == set(facebook.SCOPES)
    assert post.platform_post_id.startswith(connection.credentials.tokens["page_id"] + "_")


def test_the_simulator_refuses_a_code_it_never_issued_and_a_wrong_secret() -> None:
    wrong_secret = replace(graph.TEST_APP, client_secret="wrong")

    bad_code = graph.raised(lambda: graph.connect(FacebookPlatform, connect_handler, app=graph.TEST_APP, code="x"))
    bad_secret = graph.raised(
        lambda: graph.connect(FacebookPlatform, connect_handler, app=wrong_secret, code=simulated_code("herald", None))
    )

    assert bad_code.code == "invalid_content"
    assert bad_secret.platform_code == "400 1"  # "Error validating client secret."
