"""LinkedInPlatform against LinkedIn's recorded request/response pairs (the simulator's
recordings/linkedin.json), and against the LinkedIn simulator."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fake_media import FakeMedia
from scripted_http import Exchange, Script

from herald.accounts.model import Account
from herald.platforms import simulators
from herald.platforms.base import (
    AppCredentials,
    Credentials,
    ErrorClass,
    LinkPreview,
    MediaItem,
    MentionRef,
    PlatformError,
    PostContent,
    PublishedPost,
    ReconcileOutcome,
)
from herald.platforms.linkedin import (
    LINKEDIN_VERSION,
    POSTS_PAGE_SIZE,
    VIDEO_POLL_ATTEMPTS,
    VIDEO_POLL_SECONDS,
    LinkedInPlatform,
)
from herald.platforms.registry import open_platform
from herald.platforms.simulators import TEST_CLIENT_ID, TEST_CLIENT_SECRET, simulated_code
from herald.platforms.simulators.common import grown_metrics
from herald.platforms.simulators.linkedin import LinkedInSimulator, connect_handler, recorded
from support.clock import FakeClock

API = "https://api.linkedin.com"
ACCESS = "AQXdSP_W41_UPs5ioT_t8HESyODB4FqbkJ8LrV_5mff4gPODzOYR"
REFRESH = recorded("refresh_access_token")["request"]["form"]["refresh_token"]
ORG = "urn:li:organization:2414183"
PERSON = "urn:li:person:782bbtaQ"
SHARE = "urn:li:share:6844785523593134080"
UGC = "urn:li:ugcPost:6844785532010745856"
COMMENT = "urn:li:comment:(urn:li:activity:6844785523593134081,6844798654353448960)"
APP = AppCredentials(client_id="123456789abcde", client_secret="ZYX987654321")
ORG_TOKENS = {
    "access_token": ACCESS,
    "refresh_token": REFRESH,
    "author": ORG,
    "scope": "w_organization_social,r_organization_social",
}
MEMBER_TOKENS = {"access_token": ACCESS, "author": PERSON, "scope": "openid,profile,w_member_social"}
ORG_CREDENTIALS = Credentials(account_id="acc_li", username="herald-hq", tokens=ORG_TOKENS)
MEMBER_CREDENTIALS = Credentials(account_id="acc_li", username="John Doe", tokens=MEMBER_TOKENS)
VERSIONED = {"linkedin-version": LINKEDIN_VERSION, "x-restli-protocol-version": "2.0.0"}
MIB = 1024 * 1024


def linkedin_for(
    script: Script,
    clock: FakeClock,
    credentials: Credentials = ORG_CREDENTIALS,
    *,
    media: FakeMedia | None = None,
    app: AppCredentials | None = APP,
) -> LinkedInPlatform:
    return LinkedInPlatform(script.client(), credentials, app=app, media=media, clock=clock)


def replay(name: str, **overrides: Any) -> Exchange:
    """The recorded exchange `name` as a scripted one: the adapter must send the recorded method,
    URL, query, headers and body, and gets the recorded answer."""
    entry = recorded(name)
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
        request_headers=request.get("headers", {}),
    )
    for name_, value in overrides.items():
        setattr(exchange, name_, value)
    return exchange


def assert_raw_urls(script: Script, *names: str) -> None:
    """The requests went to the recorded URLs byte for byte (URNs escaped, List(...) syntax not)."""
    sent = [request.url.raw_path for request in script.requests]
    assert sent == [httpx.URL(recorded(name)["request"]["url"]).raw_path for name in names]


def error_response(name: str, headers: dict[str, str] | None = None) -> httpx.Response:
    response = recorded(name)["response"]
    return httpx.Response(response["status"], json=response["body"], headers=headers)


# --- the recordings ----------------------------------------------------------------------------


def test_recorded_rest_requests_name_the_pinned_version() -> None:
    for name in ("create_text_post", "initialize_video_upload", "find_posts_by_author", "batch_get_social_actions"):
        headers = recorded(name)["request"]["headers"]
        assert headers["LinkedIn-Version"] == LINKEDIN_VERSION
        assert headers["X-Restli-Protocol-Version"] == "2.0.0"


# --- publish -----------------------------------------------------------------------------------


def test_publish_text_posts_the_recorded_request(clock: FakeClock) -> None:
    script = Script(replay("create_text_post"))

    post = linkedin_for(script, clock).publish(PostContent(text="Sample text Post", target_key="pst_1:acc_li"))

    assert post == PublishedPost(platform_post_id=SHARE, url=f"https://www.linkedin.com/feed/update/{SHARE}")
    script.assert_done()


def test_commentary_is_little_text_with_mentions_hashtags_and_urls_kept(clock: FakeClock) -> None:
    text = "Q&A (live) with @[Herald](urn:li:organization:2414183), email me@example.com #launch https://ex.com/a_b"
    sent = (
        "Q&A \\(live\\) with @[Herald](urn:li:organization:2414183), email me\\@example.com "
        "#launch https://ex.com/a_b"
    )
    body = {**recorded("create_text_post")["request"]["json"], "commentary": sent}
    script = Script(replay("create_text_post", json=body))
    mention = MentionRef(text="@[Herald](urn:li:organization:2414183)", ref=ORG, name="Herald")

    linkedin_for(script, clock).publish(PostContent(text=text, mentions=(mention,)))

    script.assert_done()


def test_a_member_can_post_for_connections_only(clock: FakeClock) -> None:
    body = {**recorded("create_text_post")["request"]["json"], "author": PERSON, "visibility": "CONNECTIONS"}
    script = Script(replay("create_text_post", json=body))

    linkedin_for(script, clock, MEMBER_CREDENTIALS).publish(
        PostContent(text="Sample text Post", options={"visibility": "connections"})
    )

    script.assert_done()


@pytest.mark.parametrize(
    ("credentials", "visibility"),
    [(ORG_CREDENTIALS, "CONNECTIONS"), (MEMBER_CREDENTIALS, "LOGGED_IN"), (MEMBER_CREDENTIALS, 3)],
    ids=["page-for-connections", "unknown", "not-text"],
)
def test_a_visibility_linkedin_refuses_is_refused_before_any_call(
    clock: FakeClock, credentials: Credentials, visibility: object
) -> None:
    script = Script()

    with pytest.raises(PlatformError) as refused:
        linkedin_for(script, clock, credentials).publish(PostContent(text="hi", options={"visibility": visibility}))

    assert (refused.value.error_class, refused.value.code) == (ErrorClass.PERMANENT, "invalid_content")
    assert script.requests == []


def test_an_image_is_uploaded_then_posted(clock: FakeClock) -> None:
    media = FakeMedia({"https://bucket.example/a.png": b"\x89PNG image bytes"})
    script = Script(replay("initialize_image_upload"), replay("upload_image"), replay("create_image_post"))
    image = MediaItem("https://bucket.example/a.png", "image", mime="image/png", alt="testing for alt tags")

    post = linkedin_for(script, clock, media=media).publish(PostContent(text="Sample text Post", media=(image,)))

    assert post.platform_post_id == SHARE
    upload = script.requests[1]
    assert upload.content == b"\x89PNG image bytes"
    assert upload.headers["content-type"] == "image/png"
    assert_raw_urls(script, "initialize_image_upload", "upload_image", "create_image_post")
    script.assert_done()


def test_two_to_twenty_images_make_a_multi_image_post(clock: FakeClock) -> None:
    media = FakeMedia({"https://bucket.example/1.jpg": b"one", "https://bucket.example/2.jpg": b"two"})
    second = recorded("initialize_image_upload")["response"]["body"]
    second["value"]["image"] = "urn:li:image:C4E10AQHtdM1tZwN2Xw"
    script = Script(
        replay("initialize_image_upload"),
        replay("upload_image"),
        replay("initialize_image_upload", body=second),
        replay("upload_image"),
        replay("create_multi_image_post"),
    )
    images = (
        MediaItem("https://bucket.example/1.jpg", "image", alt="testing for alt tags1"),
        MediaItem("https://bucket.example/2.jpg", "image", alt="testing for alt tags2"),
    )

    linkedin_for(script, clock, media=media).publish(PostContent(text="Sample multiimage post", media=images))

    assert [request.content for request in script.requests if request.method == "PUT"] == [b"one", b"two"]
    script.assert_done()


def test_more_than_twenty_images_are_refused_before_any_call(clock: FakeClock) -> None:
    script = Script()
    images = tuple(MediaItem(f"https://bucket.example/{n}.jpg", "image") for n in range(21))

    with pytest.raises(PlatformError) as refused:
        linkedin_for(script, clock, media=FakeMedia({})).publish(PostContent(text="many", media=images))

    assert refused.value.code == "invalid_content"
    assert script.requests == []


def test_a_video_is_uploaded_in_parts_finalized_and_awaited(clock: FakeClock) -> None:
    video = bytes(range(256)) * (5 * MIB // 256)
    media = FakeMedia({"https://bucket.example/v.mp4": video})
    script = Script(
        replay("initialize_video_upload"),
        replay("upload_video_part"),
        replay("upload_video_last_part"),
        replay("finalize_video_upload"),
        replay("get_video_processing"),
        replay("get_video_available"),
        replay("create_video_post"),
    )
    item = MediaItem("https://bucket.example/v.mp4", "video", mime="video/mp4", size=len(video))

    post = linkedin_for(script, clock, media=media).publish(
        PostContent(text="Sample video Post", media=(item,), title="title of the video")
    )

    assert post.platform_post_id == UGC
    parts = [request.content for request in script.requests if request.method == "PUT"]
    assert parts == [video[: 4 * MIB], video[4 * MIB :]]
    assert media.calls == [("chunks", "https://bucket.example/v.mp4", 4 * MIB)]  # streamed, not read whole
    assert clock.slept == [VIDEO_POLL_SECONDS]
    assert_raw_urls(
        script,
        "initialize_video_upload",
        "upload_video_part",
        "upload_video_last_part",
        "finalize_video_upload",
        "get_video_processing",
        "get_video_available",
        "create_video_post",
    )
    script.assert_done()


def test_a_video_of_unknown_size_is_read_to_learn_it(clock: FakeClock) -> None:
    video = b"v" * (5 * MIB)
    media = FakeMedia({"https://bucket.example/v.mp4": video})
    script = Script(
        replay("initialize_video_upload"),
        replay("upload_video_part"),
        replay("upload_video_last_part"),
        replay("finalize_video_upload"),
        replay("get_video_available"),
        replay("create_video_post"),
    )

    linkedin_for(script, clock, media=media).publish(
        PostContent(text="Sample video Post", media=(MediaItem("https://bucket.example/v.mp4", "video"),),
                    title="title of the video")
    )

    assert media.calls == [("read", "https://bucket.example/v.mp4")]
    script.assert_done()


def test_a_video_linkedin_cannot_process_is_permanent_and_never_posted(clock: FakeClock) -> None:
    media = FakeMedia({"https://bucket.example/v.mp4": b"v" * (5 * MIB)})
    script = Script(
        replay("initialize_video_upload"),
        replay("upload_video_part"),
        replay("upload_video_last_part"),
        replay("finalize_video_upload"),
        replay("get_video_processing"),
        replay("get_video_failed"),
    )
    item = MediaItem("https://bucket.example/v.mp4", "video", size=5 * MIB)

    with pytest.raises(PlatformError) as failed:
        linkedin_for(script, clock, media=media).publish(PostContent(text="clip", media=(item,)))

    assert (failed.value.error_class, failed.value.code) == (ErrorClass.PERMANENT, "media_processing_failed")
    assert "Video is too short" in failed.value.message
    script.assert_done()  # no create-post call came after the failed poll


def test_a_video_still_processing_after_the_last_poll_is_retried_later(clock: FakeClock) -> None:
    media = FakeMedia({"https://bucket.example/v.mp4": b"v" * (5 * MIB)})
    polls = [replay("get_video_processing") for _ in range(VIDEO_POLL_ATTEMPTS)]
    script = Script(
        replay("initialize_video_upload"),
        replay("upload_video_part"),
        replay("upload_video_last_part"),
        replay("finalize_video_upload"),
        *polls,
    )
    item = MediaItem("https://bucket.example/v.mp4", "video", size=5 * MIB)

    with pytest.raises(PlatformError) as failed:
        linkedin_for(script, clock, media=media).publish(PostContent(text="clip", media=(item,)))

    assert (failed.value.error_class, failed.value.code) == (ErrorClass.RETRY, "media_processing")
    assert clock.slept == [VIDEO_POLL_SECONDS] * (VIDEO_POLL_ATTEMPTS - 1)
    script.assert_done()


def test_a_video_shorter_than_it_was_said_to_be_is_refused(clock: FakeClock) -> None:
    media = FakeMedia({"https://bucket.example/v.mp4": b"v" * (4 * MIB + 10)})
    script = Script(replay("initialize_video_upload"), replay("upload_video_part"))
    item = MediaItem("https://bucket.example/v.mp4", "video", size=5 * MIB)

    with pytest.raises(PlatformError) as refused:
        linkedin_for(script, clock, media=media).publish(PostContent(text="clip", media=(item,)))

    assert (refused.value.error_class, refused.value.code) == (ErrorClass.PERMANENT, "invalid_content")
    script.assert_done()


def test_a_video_part_answered_without_an_etag_is_malformed(clock: FakeClock) -> None:
    media = FakeMedia({"https://bucket.example/v.mp4": b"v" * (5 * MIB)})
    script = Script(replay("initialize_video_upload"), replay("upload_video_part", headers={}))
    item = MediaItem("https://bucket.example/v.mp4", "video", size=5 * MIB)

    with pytest.raises(PlatformError) as failed:
        linkedin_for(script, clock, media=media).publish(PostContent(text="clip", media=(item,)))

    assert (failed.value.error_class, failed.value.code) == (ErrorClass.RETRY, "platform_unavailable")


def test_a_video_goes_alone(clock: FakeClock) -> None:
    script = Script()
    media = (MediaItem("https://bucket.example/v.mp4", "video"), MediaItem("https://bucket.example/a.png", "image"))

    with pytest.raises(PlatformError) as refused:
        linkedin_for(script, clock, media=FakeMedia({})).publish(PostContent(text="both", media=media))

    assert refused.value.code == "invalid_content"
    assert script.requests == []


def test_media_without_a_media_source_is_refused_before_any_call(clock: FakeClock) -> None:
    script = Script()

    with pytest.raises(PlatformError) as refused:
        linkedin_for(script, clock).publish(
            PostContent(text="x", media=(MediaItem("https://bucket.example/a.png", "image"),))
        )

    assert (refused.value.error_class, refused.value.code) == (ErrorClass.PERMANENT, "media_unsupported")
    assert script.requests == []


def test_the_upload_token_goes_to_linkedin_hosts_only(clock: FakeClock) -> None:
    foreign = recorded("initialize_image_upload")["response"]["body"]
    foreign["value"]["uploadUrl"] = "https://uploads.example.net/put/1"
    script = Script(
        replay("initialize_image_upload", body=foreign),
        Exchange("PUT", "https://uploads.example.net/put/1", status=201, request_headers={"authorization": None}),
        replay("create_image_post"),
    )
    image = MediaItem("https://bucket.example/a.png", "image", alt="testing for alt tags")

    linkedin_for(script, clock, media=FakeMedia({image.url: b"png"})).publish(
        PostContent(text="Sample text Post", media=(image,))
    )

    script.assert_done()


def test_a_link_card_is_an_article_with_an_uploaded_thumbnail(clock: FakeClock) -> None:
    media = FakeMedia({"https://cdn.example/thumb.jpg": b"jpeg"})
    script = Script(replay("initialize_image_upload"), replay("upload_image"), replay("create_article_post"))
    link = LinkPreview(
        url="https://lnkd.in/eabXpgxx",
        title="prod test title two",
        description="test description",
        thumbnail="https://cdn.example/thumb.jpg",
    )

    linkedin_for(script, clock, media=media).publish(PostContent(text="test article post", link=link))

    assert script.requests[1].content == b"jpeg"
    script.assert_done()


def test_without_a_media_source_the_card_has_no_thumbnail_and_the_url_stands_for_its_title(
    clock: FakeClock,
) -> None:
    body = {
        **recorded("create_article_post")["request"]["json"],
        "content": {"article": {"source": "https://lnkd.in/eabXpgxx", "title": "https://lnkd.in/eabXpgxx"}},
    }
    script = Script(replay("create_article_post", json=body))
    link = LinkPreview(url="https://lnkd.in/eabXpgxx", thumbnail="https://cdn.example/thumb.jpg")

    linkedin_for(script, clock).publish(PostContent(text="test article post", link=link))

    script.assert_done()


def test_a_created_post_without_its_urn_is_a_malformed_answer(clock: FakeClock) -> None:
    script = Script(replay("create_text_post", headers={}))

    with pytest.raises(PlatformError) as failed:
        linkedin_for(script, clock).publish(PostContent(text="Sample text Post"))

    assert (failed.value.error_class, failed.value.code) == (ErrorClass.RETRY, "platform_unavailable")


def test_an_account_without_an_author_must_reconnect(clock: FakeClock) -> None:
    script = Script()
    bare = Credentials(account_id="acc_li", username="x", tokens={"access_token": ACCESS})

    with pytest.raises(PlatformError) as refused:
        linkedin_for(script, clock, bare).publish(PostContent(text="hi"))

    assert (refused.value.error_class, refused.value.code) == (ErrorClass.RECONNECT, "account_disconnected")


# --- reply (comments) and delete ---------------------------------------------------------------


def test_a_reply_is_a_comment_on_the_post(clock: FakeClock) -> None:
    script = Script(replay("create_comment"))
    parent = PublishedPost(platform_post_id=SHARE, url=f"https://www.linkedin.com/feed/update/{SHARE}")

    comment = linkedin_for(script, clock).reply(parent, PostContent(text="Thanks for reading (and sharing)"))

    assert comment.platform_post_id == COMMENT
    assert comment.url == (
        f"https://www.linkedin.com/feed/update/{SHARE}?commentUrn="
        "urn%3Ali%3Acomment%3A%28urn%3Ali%3Aactivity%3A6844785523593134081%2C6844798654353448960%29"
    )
    assert comment.extra == {"root": SHARE}
    assert_raw_urls(script, "create_comment")


def test_a_reply_to_a_comment_comments_on_its_post(clock: FakeClock) -> None:
    script = Script(replay("create_comment"))
    earlier = PublishedPost(platform_post_id=COMMENT, url="", extra={"root": SHARE})

    linkedin_for(script, clock).reply(earlier, PostContent(text="Thanks for reading (and sharing)"))

    script.assert_done()


def test_a_comment_answer_without_its_urn_is_built_from_the_restli_id(clock: FakeClock) -> None:
    script = Script(replay("create_comment", body=None))
    parent = PublishedPost(platform_post_id=SHARE, url="")

    comment = linkedin_for(script, clock).reply(parent, PostContent(text="Thanks for reading (and sharing)"))

    assert comment.platform_post_id == f"urn:li:comment:({SHARE},6844798654353448960)"


def test_a_comment_with_media_is_refused_before_any_call(clock: FakeClock) -> None:
    script = Script()
    parent = PublishedPost(platform_post_id=SHARE, url="")

    with pytest.raises(PlatformError) as refused:
        linkedin_for(script, clock).reply(
            parent, PostContent(text="look", media=(MediaItem("https://bucket.example/a.png", "image"),))
        )

    assert refused.value.code == "media_unsupported"
    assert script.requests == []


def test_delete_removes_the_post(clock: FakeClock) -> None:
    script = Script(replay("delete_post"))

    linkedin_for(script, clock).delete(SHARE)

    assert_raw_urls(script, "delete_post")


def test_delete_removes_a_comment_as_its_author(clock: FakeClock) -> None:
    script = Script(replay("delete_comment"))

    linkedin_for(script, clock).delete(COMMENT)

    assert_raw_urls(script, "delete_comment")


def test_deleting_a_post_that_is_gone_is_done(clock: FakeClock) -> None:
    gone = {"status": 404, "code": "NOT_FOUND", "message": "Post does not exist"}
    script = Script(replay("delete_post", status=404, body=gone))

    linkedin_for(script, clock).delete(SHARE)

    script.assert_done()


def test_a_refused_delete_is_raised(clock: FakeClock) -> None:
    script = Script(replay("delete_post", status=403, body=recorded("error_access_denied")["response"]["body"]))

    with pytest.raises(PlatformError) as refused:
        linkedin_for(script, clock).delete(SHARE)

    assert refused.value.code == "account_disconnected"


# --- metrics -----------------------------------------------------------------------------------


def test_metrics_of_a_member_are_likes_and_comments(clock: FakeClock) -> None:
    script = Script(replay("batch_get_social_actions"))

    metrics = linkedin_for(script, clock, MEMBER_CREDENTIALS).metrics([SHARE, UGC])

    assert metrics == {SHARE: {"likes": 7, "comments": 2}}  # the ugcPost LinkedIn did not find is left out
    assert_raw_urls(script, "batch_get_social_actions")


def test_metrics_of_a_page_add_its_share_statistics(clock: FakeClock) -> None:
    ugc_statistics = Exchange(
        "GET",
        f"{API}/rest/organizationalEntityShareStatistics",
        params=[("q", "organizationalEntity"), ("organizationalEntity", ORG), ("ugcPosts", f"List({UGC})")],
        request_headers=VERSIONED,
        body={"paging": {"count": 10, "start": 0, "links": []}, "elements": []},
    )
    script = Script(replay("batch_get_social_actions"), replay("organization_share_statistics"), ugc_statistics)

    metrics = linkedin_for(script, clock).metrics([SHARE, UGC])

    assert metrics == {SHARE: {"likes": 7, "comments": 2, "impressions": 164, "clicks": 12, "shares": 3}}
    assert script.requests[1].url.raw_path == httpx.URL(
        recorded("organization_share_statistics")["request"]["url"]
    ).raw_path
    script.assert_done()


def test_metrics_are_absent_when_linkedin_does_not_let_the_app_read_them(clock: FakeClock) -> None:
    denied = recorded("error_access_denied")["response"]["body"]
    script = Script(replay("batch_get_social_actions", status=403, body=denied))

    assert linkedin_for(script, clock, MEMBER_CREDENTIALS).metrics([SHARE, UGC]) == {}


def test_metrics_ask_for_twenty_posts_at_a_time(clock: FakeClock) -> None:
    urns = [f"urn:li:share:68447855235931340{n:02d}" for n in range(25)]
    empty = {"statuses": {}, "results": {}, "errors": {}}
    script = Script(
        Exchange("GET", f"{API}/rest/socialActions", params=[("ids", f"List({','.join(urns[:20])})")], body=empty),
        Exchange("GET", f"{API}/rest/socialActions", params=[("ids", f"List({','.join(urns[20:])})")], body=empty),
    )

    assert linkedin_for(script, clock, MEMBER_CREDENTIALS).metrics(urns) == {}
    script.assert_done()


# --- reconcile ---------------------------------------------------------------------------------

FINDER = [("author", ORG), ("q", "author"), ("count", str(POSTS_PAGE_SIZE)), ("start", "0"), ("sortBy", "LAST_MODIFIED")]


def test_reconcile_finds_the_post_among_the_authors_recent_posts(clock: FakeClock) -> None:
    script = Script(replay("find_posts_by_author"))

    found = linkedin_for(script, clock).reconcile(PostContent(text="Sample text Post", target_key="pst_1:acc_li"))

    assert found.outcome is ReconcileOutcome.FOUND
    assert found.post == PublishedPost(platform_post_id=SHARE, url=f"https://www.linkedin.com/feed/update/{SHARE}")
    assert_raw_urls(script, "find_posts_by_author")


def test_reconcile_reads_little_text_back_as_written(clock: FakeClock) -> None:
    page = recorded("find_posts_by_author")["response"]["body"]
    page["elements"][0]["commentary"] = "Launch day \\(finally\\) {hashtag|\\#|launch}"
    script = Script(replay("find_posts_by_author", body=page))

    found = linkedin_for(script, clock).reconcile(PostContent(text="Launch day (finally) #launch"))

    assert found.outcome is ReconcileOutcome.FOUND


def test_reconcile_ignores_the_same_text_posted_before_the_window(clock: FakeClock) -> None:
    script = Script(replay("find_posts_by_author"))

    found = linkedin_for(script, clock).reconcile(PostContent(text="An older post"))

    assert found.outcome is ReconcileOutcome.ABSENT  # 4 hours old: not this attempt's post


def test_reconcile_pages_until_the_posts_are_older_than_the_window(clock: FakeClock) -> None:
    recent = recorded("find_posts_by_author")["response"]["body"]["elements"][0]
    full = {"paging": {"start": 0, "count": POSTS_PAGE_SIZE}, "elements": [{**recent, "commentary": "other"}] * 50}
    second = {"paging": {"start": 50, "count": POSTS_PAGE_SIZE}, "elements": [{**recent, "id": UGC}]}
    script = Script(
        Exchange("GET", f"{API}/rest/posts", params=FINDER, body=full),
        Exchange("GET", f"{API}/rest/posts", params=[*FINDER[:3], ("start", "50"), FINDER[4]], body=second),
    )

    found = linkedin_for(script, clock).reconcile(PostContent(text="Sample text Post"))

    assert found.outcome is ReconcileOutcome.FOUND and found.post is not None
    assert found.post.platform_post_id == UGC
    script.assert_done()


def test_reconcile_cannot_tell_beyond_the_pages_it_reads(clock: FakeClock) -> None:
    recent = recorded("find_posts_by_author")["response"]["body"]["elements"][0]
    full = {"elements": [{**recent, "commentary": "other"}] * POSTS_PAGE_SIZE}
    script = Script(*[Exchange("GET", f"{API}/rest/posts", body=full) for _ in range(4)])

    assert linkedin_for(script, clock).reconcile(PostContent(text="hi")).outcome is ReconcileOutcome.UNKNOWN
    script.assert_done()


def test_reconcile_cannot_tell_media_only_posts_apart(clock: FakeClock) -> None:
    page = recorded("find_posts_by_author")["response"]["body"]
    page["elements"][0]["commentary"] = ""
    script = Script(replay("find_posts_by_author", body=page))

    assert linkedin_for(script, clock).reconcile(PostContent(text="")).outcome is ReconcileOutcome.UNKNOWN


@pytest.mark.parametrize(
    "exchange",
    [
        Exchange("GET", f"{API}/rest/posts", status=403, body=recorded("error_access_denied")["response"]["body"]),
        Exchange("GET", f"{API}/rest/posts", status=500, body=recorded("error_server")["response"]["body"]),
        Exchange("GET", f"{API}/rest/posts", raises=httpx.ReadTimeout),
        Exchange("GET", f"{API}/rest/posts", body="<html>oops</html>"),
        Exchange("GET", f"{API}/rest/posts", body={"paging": {}}),
    ],
    ids=["member-without-r_member_social", "server-error", "timeout", "malformed", "no-elements"],
)
def test_reconcile_cannot_tell_when_the_listing_fails(clock: FakeClock, exchange: Exchange) -> None:
    script = Script(exchange)

    assert linkedin_for(script, clock).reconcile(PostContent(text="hi")).outcome is ReconcileOutcome.UNKNOWN


def test_reconcile_cannot_look_up_a_comment(clock: FakeClock) -> None:
    script = Script()

    found = linkedin_for(script, clock).reconcile(PostContent(text="first comment", target_key="pst_1:acc_li:1"))

    assert found.outcome is ReconcileOutcome.UNKNOWN
    assert script.requests == []


# --- classify_error ----------------------------------------------------------------------------

MIDNIGHT = datetime(2030, 1, 8, tzinfo=UTC)


@pytest.mark.parametrize(
    ("name", "credentials", "error_class", "code", "platform_code"),
    [
        ("error_throttled", ORG_CREDENTIALS, ErrorClass.RETRY, "rate_limited", "429 101"),
        ("error_duplicate_post", ORG_CREDENTIALS, ErrorClass.PERMANENT, "duplicate_content", "422 DUPLICATE_POST"),
        ("error_expired_token", ORG_CREDENTIALS, ErrorClass.REFRESH, "token_expired", "401 EXPIRED_ACCESS_TOKEN"),
        ("error_expired_token", MEMBER_CREDENTIALS, ErrorClass.RECONNECT, "account_disconnected",
         "401 EXPIRED_ACCESS_TOKEN"),
        ("error_invalid_token", ORG_CREDENTIALS, ErrorClass.REFRESH, "token_expired", "401 INVALID_ACCESS_TOKEN"),
        ("error_revoked_token", ORG_CREDENTIALS, ErrorClass.RECONNECT, "account_disconnected",
         "401 REVOKED_ACCESS_TOKEN"),
        ("error_access_denied", ORG_CREDENTIALS, ErrorClass.RECONNECT, "account_disconnected", "403 ACCESS_DENIED"),
        ("error_invalid_post", ORG_CREDENTIALS, ErrorClass.PERMANENT, "invalid_content", "422"),
        ("error_bad_request", ORG_CREDENTIALS, ErrorClass.PERMANENT, "invalid_content", "400 ILLEGAL_ARGUMENT"),
        ("error_server", ORG_CREDENTIALS, ErrorClass.RETRY, "platform_unavailable", "500"),
        ("error_gateway", ORG_CREDENTIALS, ErrorClass.RETRY, "platform_unavailable", "504"),
    ],
    ids=[
        "daily-throttle",
        "duplicate",
        "expired-with-refresh-token",
        "expired-without-refresh-token",
        "invalid-token",
        "revoked",
        "access-denied",
        "schema",
        "bad-request",
        "500",
        "504",
    ],
)
def test_classify_recorded_errors(
    clock: FakeClock, name: str, credentials: Credentials, error_class: ErrorClass, code: str, platform_code: str
) -> None:
    error = linkedin_for(Script(), clock, credentials).classify_error(error_response(name))

    assert (error.error_class, error.code, error.platform_code) == (error_class, code, platform_code)
    if code == "rate_limited":
        assert error.retry_at == MIDNIGHT  # LinkedIn's daily limits reset at midnight UTC


@pytest.mark.parametrize(
    ("response", "code", "retry_at"),
    [
        (httpx.Response(429, json={"status": 429, "message": "Too many requests"}, headers={"retry-after": "30"}),
         "rate_limited", datetime(2030, 1, 7, 9, 0, 30, tzinfo=UTC)),
        (httpx.Response(429, text="Too Many Requests"), "rate_limited", None),
        (httpx.Response(404, json={"status": 404, "message": "Not Found"}), "not_found", None),
        (httpx.Response(413, text="Request Entity Too Large"), "media_too_large", None),
        (httpx.Response(426, json={"status": 426, "code": "NONEXISTENT_VERSION", "message": "Requested version"
                                   " 202001 is not active"}), "platform_error", None),
        (httpx.Response(502, text="<html>Bad Gateway</html>"), "platform_unavailable", None),
        (httpx.Response(200, text="<html>upstream connect error</html>"), "platform_unavailable", None),
    ],
    ids=["retry-after", "bare-429", "404", "413", "426-version-sunset", "502-html", "malformed-200"],
)
def test_classify_other_answers(clock: FakeClock, response: httpx.Response, code: str, retry_at: datetime) -> None:
    error = linkedin_for(Script(), clock).classify_error(response)

    assert (error.code, error.retry_at) == (code, retry_at)


@pytest.mark.parametrize(
    ("exc", "code"),
    [
        (httpx.ReadTimeout("read"), "timeout"),
        (httpx.ConnectTimeout("connect"), "timeout"),
        (httpx.ConnectError("refused"), "network_error"),
    ],
)
def test_classify_transport_errors(clock: FakeClock, exc: Exception, code: str) -> None:
    error = linkedin_for(Script(), clock).classify_error(None, exc)

    assert (error.error_class, error.code) == (ErrorClass.RETRY, code)


def test_publish_raises_the_classified_error(clock: FakeClock) -> None:
    script = Script(replay("error_duplicate_post"))

    with pytest.raises(PlatformError) as refused:
        linkedin_for(script, clock).publish(PostContent(text="Sample text Post"))

    assert refused.value.code == "duplicate_content"
    assert "duplicate of urn:li:share:7141138937766391808" in refused.value.message


def test_publish_classifies_a_timeout(clock: FakeClock) -> None:
    script = Script(replay("create_text_post", raises=httpx.ReadTimeout))

    with pytest.raises(PlatformError) as failed:
        linkedin_for(script, clock).publish(PostContent(text="Sample text Post"))

    assert (failed.value.error_class, failed.value.code) == (ErrorClass.RETRY, "timeout")


# --- tokens ------------------------------------------------------------------------------------


def test_refresh_exchanges_the_refresh_token_with_the_apps_credentials(clock: FakeClock) -> None:
    script = Script(replay("refresh_access_token"))

    renewed = linkedin_for(script, clock).refresh_credentials()

    answer = recorded("refresh_access_token")["response"]["body"]
    assert renewed == Credentials(
        account_id="acc_li",
        username="herald-hq",
        tokens={**ORG_TOKENS, "access_token": answer["access_token"], "scope": answer["scope"]},
        expires_at=datetime(2030, 3, 8, 9, 0, tzinfo=UTC),  # 60 days
    )
    script.assert_done()


def test_without_a_refresh_token_the_account_must_be_reconnected(clock: FakeClock) -> None:
    script = Script()

    with pytest.raises(PlatformError) as refused:
        linkedin_for(script, clock, MEMBER_CREDENTIALS).refresh_credentials()

    assert (refused.value.error_class, refused.value.code) == (ErrorClass.RECONNECT, "account_disconnected")
    assert script.requests == []


def test_a_refused_refresh_means_reconnect(clock: FakeClock) -> None:
    script = Script(replay("refresh_refused"))

    with pytest.raises(PlatformError) as refused:
        linkedin_for(script, clock).refresh_credentials()

    assert (refused.value.error_class, refused.value.code) == (ErrorClass.RECONNECT, "account_disconnected")
    assert refused.value.platform_code == "400 invalid_request"


def test_a_refresh_that_meets_an_outage_can_be_retried(clock: FakeClock) -> None:
    script = Script(replay("refresh_access_token", status=503, body="<html>Service Unavailable</html>"))

    with pytest.raises(PlatformError) as failed:
        linkedin_for(script, clock).refresh_credentials()

    assert (failed.value.error_class, failed.value.code) == (ErrorClass.RETRY, "platform_unavailable")


def test_a_refresh_needs_the_apps_credentials(clock: FakeClock) -> None:
    script = Script()

    with pytest.raises(PlatformError) as refused:
        linkedin_for(script, clock, app=None).refresh_credentials()

    assert (refused.value.error_class, refused.value.code) == (ErrorClass.PERMANENT, "app_not_configured")
    assert script.requests == []


def test_connect_exchanges_the_code_and_reads_the_member(clock: FakeClock) -> None:
    script = Script(replay("exchange_authorization_code"), replay("userinfo"))
    code = recorded("exchange_authorization_code")["request"]["form"]["code"]

    connection = LinkedInPlatform.connect_with_code(
        script.client(), APP, code, "https://dev.example.com/auth/linkedin/callback", None
    )

    grant = recorded("exchange_authorization_code")["response"]["body"]
    assert connection.credentials.tokens == {
        "access_token": ACCESS,
        "refresh_token": grant["refresh_token"],
        "scope": "openid,profile,w_member_social",
        "author": PERSON,
    }
    assert connection.credentials.account_id == ""
    assert connection.credentials.expires_at is not None
    identity = connection.identity
    assert (identity.platform_user_id, identity.username, identity.display_name) == (PERSON, "John Doe", "John Doe")
    assert identity.avatar_url == recorded("userinfo")["response"]["body"]["picture"]
    assert identity.followers is None
    assert identity.permissions == ("openid", "profile", "w_member_social")
    script.assert_done()


def test_connect_sends_no_pkce_verifier_and_asks_for_none(clock: FakeClock) -> None:
    script = Script(replay("exchange_authorization_code"), replay("userinfo"))

    LinkedInPlatform.connect_with_code(script.client(), APP, "AQTQmah11lalyH65DAIivsjsAQV5P-1VTVVebnLl_SCiyMXoIjDm"
                                       "J4s6rO1VBGP5Hx2542KaR", "https://dev.example.com/auth/linkedin/callback",
                                       "a-verifier-linkedin-does-not-take")
    url = httpx.URL(LinkedInPlatform.authorization_url(APP, "https://herald.example/v1/oauth/linkedin/callback",
                                                       "state-1", "challenge"))

    assert "code_verifier" not in script.requests[0].content.decode()
    assert dict(url.params) == {
        "response_type": "code",
        "client_id": APP.client_id,
        "redirect_uri": "https://herald.example/v1/oauth/linkedin/callback",
        "scope": "openid profile w_member_social",
        "state": "state-1",
    }
    assert f"{url.scheme}://{url.host}{url.path}" == "https://www.linkedin.com/oauth/v2/authorization"


def test_a_refused_code_means_the_connection_failed(clock: FakeClock) -> None:
    refusal = {"error": "invalid_request", "error_description": "Unable to retrieve access token"}
    script = Script(replay("exchange_authorization_code", status=400, body=refusal))

    with pytest.raises(PlatformError) as refused:
        LinkedInPlatform.connect_with_code(script.client(), APP, "AQTQmah11lalyH65DAIivsjsAQV5P-1VTVVebnLl_SCiyMXoI"
                                           "jDmJ4s6rO1VBGP5Hx2542KaR", "https://dev.example.com/auth/linkedin/callback",
                                           None)

    assert refused.value.error_class is ErrorClass.RECONNECT


def test_identity_of_a_member_is_userinfo(clock: FakeClock) -> None:
    script = Script(replay("userinfo"))

    identity = linkedin_for(script, clock, MEMBER_CREDENTIALS).identity()

    assert (identity.platform_user_id, identity.username) == (PERSON, "John Doe")


def test_identity_of_a_page_is_its_organization(clock: FakeClock) -> None:
    script = Script(replay("get_organization"))

    identity = linkedin_for(script, clock).identity()

    assert (identity.platform_user_id, identity.username, identity.display_name) == (ORG, "herald-hq", "Herald")
    assert identity.permissions == ("w_organization_social", "r_organization_social")


def test_revoke_uses_the_revocation_endpoint(clock: FakeClock) -> None:
    script = Script(replay("revoke_token"))

    assert linkedin_for(script, clock).revoke() is True
    script.assert_done()


def test_revoke_without_app_credentials_cannot_be_done(clock: FakeClock) -> None:
    assert linkedin_for(Script(), clock, app=None).revoke() is False


@pytest.mark.parametrize(("text", "length"), [("Hello", 5), ("A\u0301", 1), ("(x)", 3), ("👋🏽", 2)])
def test_count_text_counts_code_points_as_written(clock: FakeClock, text: str, length: int) -> None:
    assert linkedin_for(Script(), clock).count_text(text) == length


# --- the simulator, through the adapter --------------------------------------------------------

SIM_APP = AppCredentials(client_id=TEST_CLIENT_ID, client_secret=TEST_CLIENT_SECRET)


def page_account(make_account, account_id: str = "acc_page", simulate: list[str] | None = None) -> Account:
    """A test account posting as a page: its author is an organization, with the page scopes."""
    account: Account = make_account("linkedin", account_id, "Herald HQ", simulate=simulate)
    number = str(2_000_000 + sum(map(ord, account_id)))
    credentials = {
        **account.credentials,
        "author": f"urn:li:organization:{number}",
        "scope": "w_organization_social,r_organization_social",
    }
    return account.model_copy(update={"credentials": credentials})


def simulated(
    account: Account, clock: FakeClock | None = None, media: FakeMedia | None = None, app: AppCredentials = SIM_APP
) -> LinkedInPlatform:
    handler = LinkedInSimulator.for_account(account).handle
    credentials = Credentials(account_id=account.id, username=account.username, tokens=dict(account.credentials))
    return LinkedInPlatform(
        httpx.Client(transport=httpx.MockTransport(handler)), credentials, app=app, media=media, clock=clock
    )


def test_simulated_text_post_through_the_registry(make_account) -> None:
    account = make_account("linkedin", "acc_sim", "Ada Lovelace")

    post = open_platform(account).publish(PostContent(text="Hello (LinkedIn) #launch @ada"))

    held = simulators.published("acc_sim")
    assert [p["id"] for p in held] == [post.platform_post_id]
    assert held[0]["commentary"] == held[0]["sent_commentary"]  # nothing cut: every reserved character escaped
    assert post.platform_post_id.startswith("urn:li:share:") and len(post.platform_post_id) == len(SHARE)
    assert post.url == f"https://www.linkedin.com/feed/update/{post.platform_post_id}"


def test_simulated_linkedin_cuts_commentary_at_an_unescaped_reserved_character(make_account) -> None:
    account = make_account("linkedin", "acc_sim", "Ada Lovelace")
    client = httpx.Client(transport=httpx.MockTransport(LinkedInSimulator.for_account(account).handle))
    body = {**recorded("create_text_post")["request"]["json"], "author": account.credentials["author"],
            "commentary": "Launch (today) #launch"}
    headers = {**recorded("create_text_post")["request"]["headers"],
               "Authorization": f"Bearer {account.credentials['access_token']}"}

    response = client.post(f"{API}/rest/posts", json=body, headers=headers)

    assert response.status_code == 201  # LinkedIn answers success...
    assert simulators.published("acc_sim")[0]["commentary"] == "Launch "  # ...and keeps the text up to the "("


def test_simulated_media_posts(make_account) -> None:
    account = page_account(make_account)
    video = b"\x00\x00\x00\x18ftypmp42" + b"v" * (4 * MIB + 100)
    media = FakeMedia({"https://b.example/1.png": b"png1", "https://b.example/2.png": b"png2",
                       "https://b.example/v.mp4": video, "https://b.example/t.jpg": b"jpg"})
    clock = FakeClock()
    platform = simulated(account, clock, media)
    images = (MediaItem("https://b.example/1.png", "image", alt="one"), MediaItem("https://b.example/2.png", "image"))
    clip = MediaItem("https://b.example/v.mp4", "video", size=len(video))
    link = LinkPreview("https://example.com/launch", "Launch", "What is new", thumbnail="https://b.example/t.jpg")

    single = platform.publish(PostContent(text="one image", media=images[:1]))
    multi = platform.publish(PostContent(text="two images", media=images))
    movie = platform.publish(PostContent(text="a clip", media=(clip,), title="The clip"))
    card = platform.publish(PostContent(text="a card", link=link))

    held = {post["id"]: post for post in simulators.published("acc_page")}
    assert held[single.platform_post_id]["content"]["media"]["altText"] == "one"
    assert len(held[multi.platform_post_id]["content"]["multiImage"]["images"]) == 2
    assert movie.platform_post_id.startswith("urn:li:ugcPost:")
    assert held[movie.platform_post_id]["content"]["media"]["title"] == "The clip"
    assert clock.slept == [VIDEO_POLL_SECONDS]  # PROCESSING once, then AVAILABLE
    article = held[card.platform_post_id]["content"]["article"]
    assert article["thumbnail"].startswith("urn:li:image:") and article["title"] == "Launch"


def test_simulated_comments_metrics_reconcile_and_delete(make_account) -> None:
    frozen = datetime.now(UTC)
    simulators.use_clock(lambda: frozen)  # no time passes: the counts are the real replies only
    platform = simulated(page_account(make_account), FakeClock(frozen))
    post = platform.publish(PostContent(text="Q&A at 5 (CET)", target_key="pst_1:acc_page"))
    comment = platform.reply(post, PostContent(text="Links: https://example.com/q_a", target_key="pst_1:acc_page:1"))

    metrics = platform.metrics([post.platform_post_id, "urn:li:share:6844785500000000000"])
    found = platform.reconcile(PostContent(text="Q&A at 5 (CET)", target_key="pst_1:acc_page"))
    absent = platform.reconcile(PostContent(text="never posted", target_key="pst_2:acc_page"))
    platform.delete(comment.platform_post_id)
    after = platform.metrics([post.platform_post_id])
    platform.delete(post.platform_post_id)
    platform.delete(post.platform_post_id)  # already gone: still done

    assert comment.platform_post_id.startswith("urn:li:comment:(urn:li:activity:")
    assert comment.extra == {"root": post.platform_post_id}
    assert metrics[post.platform_post_id]["comments"] == 1
    assert set(metrics[post.platform_post_id]) == {"likes", "comments", "impressions", "clicks", "shares"}
    assert "urn:li:share:6844785500000000000" not in metrics
    assert after[post.platform_post_id]["comments"] == 0
    assert found.outcome is ReconcileOutcome.FOUND and found.post == post
    assert absent.outcome is ReconcileOutcome.ABSENT
    assert simulators.published("acc_page") == []


def test_simulated_metrics_grow_from_the_posting_time(make_account, clock: FakeClock) -> None:
    simulators.use_clock(clock.now)
    posted = clock.now()
    account = page_account(make_account)
    platform = simulated(account, clock)
    post = platform.publish(PostContent(text="Growing", target_key="pst_1:acc_page"))
    platform.reply(post, PostContent(text="A comment", target_key="pst_1:acc_page:1"))
    clock.advance(hours=6)

    found = simulated(account, clock).metrics([post.platform_post_id])
    client = httpx.Client(
        transport=httpx.MockTransport(LinkedInSimulator.for_account(account).handle),
        headers={**VERSIONED, "authorization": f"Bearer {account.credentials['access_token']}"},
    )
    organization = account.credentials["author"]
    query = f"q=organizationalEntity&organizationalEntity={organization}&shares=List({post.platform_post_id})"
    [element] = client.get(f"{API}/rest/organizationalEntityShareStatistics?{query}").json()["elements"]

    grown = grown_metrics(post.platform_post_id, posted, clock.now())
    comments = grown["comments"] + 1  # and the real comment
    engaged = grown["clicks"] + grown["likes"] + comments + grown["shares"]
    assert grown["impressions"] > 0
    assert element["totalShareStatistics"] == {
        "impressionCount": grown["impressions"],
        "uniqueImpressionsCount": grown["reach"],
        "clickCount": grown["clicks"],
        "shareCount": grown["shares"],
        "likeCount": grown["likes"],
        "commentCount": comments,
        "engagement": round(engaged / grown["impressions"], 4),
    }
    assert found == {
        post.platform_post_id: {
            "likes": grown["likes"],
            "comments": comments,
            "impressions": grown["impressions"],
            "clicks": grown["clicks"],
            "shares": grown["shares"],
        }
    }


def test_simulated_member_metrics_are_likes_and_comments_only(make_account, clock: FakeClock) -> None:
    simulators.use_clock(clock.now)
    account = make_account("linkedin", "acc_sim", "Ada Lovelace")
    reader = {**account.credentials, "scope": "openid,profile,w_member_social,r_member_social"}
    platform = simulated(account.model_copy(update={"credentials": reader}), clock)
    post = platform.publish(PostContent(text="Growing"))
    clock.advance(days=2)

    found = platform.metrics([post.platform_post_id])

    grown = grown_metrics(post.platform_post_id, clock.now() - timedelta(days=2), clock.now())
    assert found == {post.platform_post_id: {"likes": grown["likes"], "comments": grown["comments"]}}
    assert platform.identity().followers is None  # userinfo has no followers


def test_simulated_member_without_r_member_social_cannot_list_or_measure(make_account) -> None:
    platform = simulated(make_account("linkedin", "acc_sim", "Ada Lovelace"))
    post = platform.publish(PostContent(text="Hello"))

    assert platform.reconcile(PostContent(text="Hello")).outcome is ReconcileOutcome.UNKNOWN
    assert platform.metrics([post.platform_post_id]) == {}


def test_simulated_linkedin_refuses_the_same_commentary_twice(make_account) -> None:
    platform = simulated(make_account("linkedin", "acc_sim", "Ada Lovelace"))
    first = platform.publish(PostContent(text="Only once"))

    with pytest.raises(PlatformError) as refused:
        platform.publish(PostContent(text="Only once"))

    assert refused.value.code == "duplicate_content"
    assert first.platform_post_id in refused.value.message
    assert len(simulators.published("acc_sim")) == 1


def test_simulated_linkedin_refuses_a_page_post_for_connections(make_account) -> None:
    account = page_account(make_account)
    client = httpx.Client(transport=httpx.MockTransport(LinkedInSimulator.for_account(account).handle))
    body = {**recorded("create_text_post")["request"]["json"], "author": account.credentials["author"],
            "visibility": "CONNECTIONS"}
    headers = {**recorded("create_text_post")["request"]["headers"],
               "Authorization": f"Bearer {account.credentials['access_token']}"}

    assert client.post(f"{API}/rest/posts", json=body, headers=headers).status_code == 422


def test_simulated_linkedin_refuses_a_retired_version(make_account) -> None:
    account = make_account("linkedin", "acc_sim", "Ada Lovelace")
    client = httpx.Client(transport=httpx.MockTransport(LinkedInSimulator.for_account(account).handle))
    headers = {"Authorization": f"Bearer {account.credentials['access_token']}", "LinkedIn-Version": "202201",
               "X-Restli-Protocol-Version": "2.0.0"}

    response = client.get(f"{API}/rest/posts", params={"q": "author", "author": account.credentials["author"]},
                          headers=headers)

    assert response.status_code == 426
    assert LinkedInPlatform(client, Credentials("acc_sim", "Ada", {})).classify_error(response).code == "platform_error"


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
    clock = FakeClock()
    platform = simulated(make_account("linkedin", "acc_sim", "Ada", simulate=[failure]), clock)

    with pytest.raises(PlatformError) as failed:
        platform.publish(PostContent(text="Launch day"))

    assert (failed.value.error_class, failed.value.code) == (error_class, code)
    assert len(simulators.published("acc_sim")) == created
    if failure == "rate_limited":
        assert failed.value.retry_at == datetime(2030, 1, 8, tzinfo=UTC)


def test_injected_failures_hit_comments_too(make_account) -> None:
    platform = simulated(make_account("linkedin", "acc_sim", "Ada"))
    post = platform.publish(PostContent(text="Launch day"))
    simulators.inject("acc_sim", ["server_error"])

    with pytest.raises(PlatformError) as failed:
        platform.reply(post, PostContent(text="first comment"))

    assert failed.value.code == "platform_unavailable"
    assert simulators.published("acc_sim")[0]["comments"] == []


@pytest.mark.parametrize("failure", ["timeout", "malformed"])
def test_an_unknown_outcome_is_reconciled_to_exactly_one_post(make_account, failure: str) -> None:
    platform = simulated(page_account(make_account, simulate=[failure]), FakeClock(datetime.now(UTC)))
    content = PostContent(text="Launch day: https://example.com/launch_now", target_key="pst_1:acc_page")
    with pytest.raises(PlatformError):
        platform.publish(content)

    found = platform.reconcile(content)

    assert found.outcome is ReconcileOutcome.FOUND and found.post is not None
    assert [p["id"] for p in simulators.published("acc_page")] == [found.post.platform_post_id]


def test_a_failed_create_that_made_nothing_reconciles_absent(make_account) -> None:
    platform = simulated(page_account(make_account, simulate=["server_error"]), FakeClock(datetime.now(UTC)))
    with pytest.raises(PlatformError):
        platform.publish(PostContent(text="Launch day"))

    assert platform.reconcile(PostContent(text="Launch day")).outcome is ReconcileOutcome.ABSENT
    platform.publish(PostContent(text="Launch day"))
    assert len(simulators.published("acc_page")) == 1


def test_an_expired_token_works_again_after_a_refresh(make_account) -> None:
    account = make_account("linkedin", "acc_sim", "Ada", simulate=["expired_token"])
    clock = FakeClock()
    with pytest.raises(PlatformError):
        simulated(account, clock).publish(PostContent(text="Launch day"))

    renewed = simulated(account, clock).refresh_credentials()
    refreshed = account.model_copy(update={"credentials": renewed.tokens})
    simulated(refreshed, clock).publish(PostContent(text="Launch day"))

    assert renewed.tokens["access_token"] != account.credentials["access_token"]
    assert renewed.expires_at == clock.now() + timedelta(days=60)
    assert len(simulators.published("acc_sim")) == 1
    with pytest.raises(PlatformError) as stale:  # the replaced token answers "expired"
        simulated(account, clock).publish(PostContent(text="Again"))
    assert stale.value.code == "token_expired"


def test_a_refresh_with_another_apps_credentials_is_refused(make_account) -> None:
    platform = simulated(make_account("linkedin", "acc_sim", "Ada"), app=AppCredentials("someone-else", "secret"))

    with pytest.raises(PlatformError) as refused:
        platform.refresh_credentials()

    assert refused.value.platform_code == "401 invalid_client"


def test_a_revoked_connection_is_refused_afterwards(make_account) -> None:
    platform = simulated(make_account("linkedin", "acc_sim", "Ada"))

    assert platform.revoke() is True
    with pytest.raises(PlatformError) as refused:
        platform.publish(PostContent(text="after revoking"))

    assert (refused.value.error_class, refused.value.code) == (ErrorClass.RECONNECT, "account_disconnected")


def test_connect_through_the_simulated_consent(make_account) -> None:
    client = httpx.Client(transport=httpx.MockTransport(connect_handler))
    code = simulated_code("Grace Hopper", None)

    connection = LinkedInPlatform.connect_with_code(
        client, SIM_APP, code, "https://herald.example/v1/oauth/linkedin/callback", None
    )
    account = make_account("linkedin", "acc_new", connection.identity.username)
    account = account.model_copy(update={"credentials": dict(connection.credentials.tokens)})
    platform = simulated(account)

    assert connection.identity.username == "Grace Hopper"
    assert connection.identity.platform_user_id == connection.credentials.tokens["author"]
    assert platform.identity() == connection.identity  # the account's simulator honours the connect tokens
    post = platform.publish(PostContent(text="Connected"))
    assert simulators.published("acc_new")[0]["author"] == connection.credentials.tokens["author"]
    assert post.platform_post_id.startswith("urn:li:share:")


@pytest.mark.parametrize(
    ("app", "code"),
    [
        (AppCredentials(TEST_CLIENT_ID, "wrong-secret"), simulated_code("Grace", None)),
        (SIM_APP, "AQ-not-a-simulated-code"),
    ],
    ids=["wrong-secret", "unknown-code"],
)
def test_simulated_consent_refuses_bad_exchanges(app: AppCredentials, code: str) -> None:
    client = httpx.Client(transport=httpx.MockTransport(connect_handler))

    with pytest.raises(PlatformError) as refused:
        LinkedInPlatform.connect_with_code(client, app, code, "https://herald.example/v1/oauth/linkedin/callback", None)

    assert refused.value.error_class is ErrorClass.RECONNECT


def test_simulated_page_identity(make_account) -> None:
    account = page_account(make_account)

    identity = simulated(account).identity()

    assert identity.platform_user_id == account.credentials["author"]
    assert (identity.username, identity.display_name) == ("herald-hq", "Herald HQ")


def test_concurrent_publishes_each_get_their_own_post(make_account) -> None:
    account = make_account("linkedin", "acc_sim", "Ada")
    ids: list[str] = []

    def publish(n: int) -> None:
        ids.append(simulated(account).publish(PostContent(text=f"post {n}")).platform_post_id)

    threads = [threading.Thread(target=publish, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(set(ids)) == 20
    assert len(simulators.published("acc_sim")) == 20
