"""XPlatform against X API v2 request/response pairs, and against the X simulator.

The scripted exchanges come from `recordings/x.json` (the X simulator answers from the same
file): each test checks that the adapter sends the recorded request and parses the recorded answer."""

from __future__ import annotations

import base64
import email.parser
import email.policy
import hashlib
import io
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from PIL import Image
from scripted_http import Exchange, Script

from herald.platforms import simulators
from herald.platforms import x as x_module
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
from herald.platforms.registry import open_platform
from herald.platforms.simulators import TEST_CLIENT_ID, TEST_CLIENT_SECRET, simulated_code
from herald.platforms.simulators.common import grown_followers, grown_metrics
from herald.platforms.simulators.x import XSimulator, connect_handler, recording
from herald.platforms.x import XPlatform
from support.clock import FakeClock

API = "https://api.x.com"
TOKENS = {
    "access_token": "x-access-1",
    "refresh_token": "x-refresh-1",
    "user_id": "1234567890123456789",
}
CREDENTIALS = Credentials(account_id="acc_x", username="heraldhq", tokens=TOKENS)
AUTH = {"authorization": "Bearer x-access-1"}
POST_ID = "1445880548472328192"
DUPLICATE_DETAIL = "You are not allowed to create a Tweet with duplicate content."
# The confidential client of X's OAuth 2.0 examples: Basic auth with these is the recorded header.
DOCS_APP = AppCredentials("WTNrQS14bUhpMl83aU5adTd2NWM6MTpjaQ", "-RoKx3x58JA8Sm9JIt2fmAjq3q5GX-bqZ3vjJxSeGsdmGtXEbP")
PUBLIC_APP = AppCredentials("rG9n6402A3dbUJKzXTNX4oWHJ")  # a public client: no secret
TEST_APP = AppCredentials(TEST_CLIENT_ID, TEST_CLIENT_SECRET)


class FakeMedia:
    """A MediaSource over files held in memory, by URL; counts what was read."""

    def __init__(self, files: dict[str, bytes]) -> None:
        self.files = files
        self.reads: list[str] = []

    def read(self, item: MediaItem) -> bytes:
        self.reads.append(f"read {item.url}")
        return self.files[item.url]

    def chunks(self, item: MediaItem, chunk_size: int) -> Iterator[bytes]:
        self.reads.append(f"chunks {item.url} {chunk_size}")
        data = self.files[item.url]
        for start in range(0, len(data), chunk_size):
            yield data[start : start + chunk_size]


def x_for(
    script: Script,
    clock: FakeClock,
    credentials: Credentials = CREDENTIALS,
    *,
    app: AppCredentials | None = DOCS_APP,
    media: FakeMedia | None = None,
) -> XPlatform:
    return XPlatform(script.client(), credentials, app=app, media=media, clock=clock)


def problem(status: int, title: str, detail: str, problem_type: str = "about:blank") -> dict[str, object]:
    return {"title": title, "detail": detail, "type": problem_type, "status": status}


def recorded(name: str, *, auth: bool = True, **changes: Any) -> Exchange:
    """The recorded exchange `name` as a scripted one: the adapter must send the recorded request
    (with the account's bearer token unless `auth` is False) and gets the recorded answer.
    `changes` replace Exchange fields (e.g. json= for ids that differ in a multi-step flow)."""
    entry = recording(name)
    request, response = entry["request"], entry["response"]
    parts = urlsplit(request["url"])
    params = request.get("params")
    headers = dict(request.get("headers") or {})
    if auth and "authorization" not in headers:
        headers |= AUTH
    fields: dict[str, Any] = {
        "method": request["method"],
        "url": f"{parts.scheme}://{parts.netloc}{parts.path}",
        "status": response["status"],
        "body": response["body"],
        "headers": response.get("headers") or {},
        "params": list(params.items()) if params is not None else None,
        "json": request.get("json"),
        "form": request.get("form"),
        "request_headers": headers,
    }
    return Exchange(**(fields | changes))


def multipart_of(request: httpx.Request) -> dict[str, tuple[str | None, bytes]]:
    """A multipart/form-data request's parts: name -> (file name, bytes), read with the standard
    e-mail parser (not the simulator's)."""
    assert request.headers["content-type"].startswith("multipart/form-data; boundary=")
    raw = f"Content-Type: {request.headers['content-type']}\r\n\r\n".encode() + request.content
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(raw)
    return {
        part.get_param("name", header="content-disposition"): (part.get_filename(), part.get_payload(decode=True))
        for part in message.iter_parts()
    }


def png(width: int = 3, height: int = 2) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "white").save(buffer, "PNG")
    return buffer.getvalue()


def gif() -> bytes:
    buffer = io.BytesIO()
    frames = [Image.new("P", (4, 4), color) for color in (1, 2)]
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:])
    return buffer.getvalue()


MP4 = b"\x00\x00\x00\x18ftypmp42" + bytes(range(48, 58)) * 100  # an MP4 box header, then filler


# --- publish, reply, delete ------------------------------------------------------------------


def test_publish_posts_the_text_and_links_the_post(clock: FakeClock) -> None:
    script = Script(recorded("create_post"))

    post = x_for(script, clock).publish(PostContent(text="Hello world!", target_key="post_1:acc_x"))

    assert post == PublishedPost(platform_post_id=POST_ID, url=f"https://x.com/heraldhq/status/{POST_ID}")
    script.assert_done()


def test_publish_sends_the_options(clock: FakeClock) -> None:
    options = {"reply_settings": "following", "made_with_ai": True, "paid_partnership": False}
    script = Script(recorded("create_post", json={"text": "Hello world!", **options}))

    x_for(script, clock).publish(PostContent(text="Hello world!", options={**options, "ignored": 1}))

    script.assert_done()


def test_reply_names_the_post_it_answers(clock: FakeClock) -> None:
    parent = PublishedPost(platform_post_id=POST_ID, url=f"https://x.com/heraldhq/status/{POST_ID}")
    script = Script(recorded("create_reply"))

    post = x_for(script, clock).reply(parent, PostContent(text="Hello back!"))

    assert post.platform_post_id == "1445880548472328194"
    script.assert_done()


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
    script = Script(recorded("delete_post"))

    x_for(script, clock).delete(POST_ID)

    script.assert_done()


def test_deleting_a_post_that_is_gone_is_done(clock: FakeClock) -> None:
    script = Script(recorded("error_not_found"))

    x_for(script, clock).delete(POST_ID)

    script.assert_done()


def test_an_unconfirmed_delete_is_refused(clock: FakeClock) -> None:
    script = Script(Exchange("DELETE", f"{API}/2/tweets/{POST_ID}", body={"data": {"deleted": False}}))

    with pytest.raises(PlatformError) as refused:
        x_for(script, clock).delete(POST_ID)

    assert (refused.value.error_class, refused.value.code) == (ErrorClass.PERMANENT, "delete_refused")


# --- media -----------------------------------------------------------------------------------

IMAGE_URL = "https://bucket.example/uploads/med_1.png"
VIDEO_URL = "https://bucket.example/uploads/med_2.mp4?X-Amz-Signature=abc"
GIF_URL = "https://bucket.example/uploads/med_3.gif"
IMAGE_ID = "1146654567674912769"
VIDEO_ID = "1880028106020515840"
VIDEO = bytes(range(256)) * 4096  # 1 MiB, as declared in the recorded initialize
WITH_VIDEO = {"text": "Hello world!", "media": {"media_ids": [VIDEO_ID]}}


def video_item(**changes: Any) -> MediaItem:
    return MediaItem(**{"url": VIDEO_URL, "kind": "video", "mime": "video/mp4", "size": len(VIDEO), **changes})


def chunked_upload(*statuses: str, media_id: str = VIDEO_ID) -> list[Exchange]:
    """initialize, two appends (512 KiB chunks), finalize (pending, check after 1 s), then the STATUS answers."""
    return [
        recorded("media_initialize"),
        recorded("media_append"),
        recorded("media_append", url=f"{API}/2/media/upload/{media_id}/append"),
        recorded("media_finalize"),
        *(recorded(f"media_status_{status}") for status in statuses),
    ]


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(x_module, "CHUNK_SIZE", 512 * 1024)


def test_an_image_is_uploaded_in_one_request_described_and_attached(clock: FakeClock) -> None:
    image = png()
    media = FakeMedia({IMAGE_URL: image})
    script = Script(
        recorded("media_upload_image"),
        recorded("media_metadata"),
        recorded("create_post_with_media"),
    )
    item = MediaItem(IMAGE_URL, "image", mime="image/png", size=len(image), alt="A dancing cat")

    post = x_for(script, clock, media=media).publish(PostContent(text="Hello world!", media=(item,)))

    assert post.platform_post_id == "1445880548472328193"
    assert multipart_of(script.requests[0]) == {
        "media_category": (None, b"tweet_image"),
        "media": ("med_1.png", image),
    }
    assert media.reads == [f"read {IMAGE_URL}"]
    assert clock.slept == []
    script.assert_done()


def test_four_images_are_uploaded_in_order(clock: FakeClock) -> None:
    urls = [f"https://bucket.example/{n}.png" for n in range(4)]
    media = FakeMedia({url: png(n + 1, 1) for n, url in enumerate(urls)})
    ids = [str(1146654567674912769 + n) for n in range(4)]
    uploads = [
        recorded("media_upload_image", body={"data": {"id": media_id, "media_key": f"3_{media_id}"}})
        for media_id in ids
    ]
    script = Script(*uploads, recorded("create_post_with_media", json={"text": "four", "media": {"media_ids": ids}}))
    items = tuple(MediaItem(url, "image", mime="image/png") for url in urls)

    x_for(script, clock, media=media).publish(PostContent(text="four", media=items))

    assert [multipart_of(request)["media"][1] for request in script.requests[:4]] == [media.files[url] for url in urls]
    script.assert_done()


def test_a_video_is_uploaded_in_chunks_and_waited_for(clock: FakeClock, small_chunks: None) -> None:
    media = FakeMedia({VIDEO_URL: VIDEO})
    script = Script(
        *chunked_upload("in_progress", "succeeded"),
        recorded("create_post_with_media", json=WITH_VIDEO),
    )

    post = x_for(script, clock, media=media).publish(PostContent(text="Hello world!", media=(video_item(),)))

    assert post.platform_post_id == "1445880548472328193"
    appends = [multipart_of(request) for request in script.requests[1:3]]
    assert appends == [
        {"segment_index": (None, b"0"), "media": ("chunk", VIDEO[: 512 * 1024])},
        {"segment_index": (None, b"1"), "media": ("chunk", VIDEO[512 * 1024 :])},
    ]
    assert script.requests[3].content == b""  # finalize has no body
    assert clock.slept == [1, 10]  # check_after_secs of finalize, then of the in_progress STATUS
    assert media.reads == [f"chunks {VIDEO_URL} {512 * 1024}"]
    script.assert_done()


def test_a_video_whose_processing_fails_is_not_posted(clock: FakeClock, small_chunks: None) -> None:
    script = Script(*chunked_upload("in_progress", "failed"))

    with pytest.raises(PlatformError) as refused:
        x_for(script, clock, media=FakeMedia({VIDEO_URL: VIDEO})).publish(
            PostContent(text="Hello world!", media=(video_item(),))
        )

    assert (refused.value.error_class, refused.value.code) == (ErrorClass.PERMANENT, "media_unsupported")
    assert refused.value.platform_code == "failed InvalidMedia"
    assert "Unsupported video format" in refused.value.message
    script.assert_done()  # and no POST /2/tweets


def test_processing_is_waited_for_a_bounded_time(clock: FakeClock, small_chunks: None) -> None:
    # 1 s after finalize, then 10 s per in_progress poll: a 16th wait would pass 150 s.
    assert x_module.MAX_PROCESSING_WAIT_SECONDS == 150
    script = Script(*chunked_upload(*["in_progress"] * 15))

    with pytest.raises(PlatformError) as failed:
        x_for(script, clock, media=FakeMedia({VIDEO_URL: VIDEO})).publish(
            PostContent(text="Hello world!", media=(video_item(),))
        )

    assert (failed.value.error_class, failed.value.code) == (ErrorClass.RETRY, "media_processing")
    assert sum(clock.slept) <= x_module.MAX_PROCESSING_WAIT_SECONDS
    script.assert_done()


def test_processing_is_polled_a_bounded_number_of_times(clock: FakeClock, small_chunks: None) -> None:
    quick = recording("media_status_in_progress")["response"]["body"]
    quick["data"]["processing_info"]["check_after_secs"] = 1
    polls = [recorded("media_status_in_progress", body=quick) for _ in range(x_module.MAX_STATUS_POLLS)]
    script = Script(*chunked_upload(), *polls)

    with pytest.raises(PlatformError) as failed:
        x_for(script, clock, media=FakeMedia({VIDEO_URL: VIDEO})).publish(
            PostContent(text="Hello world!", media=(video_item(),))
        )

    assert failed.value.code == "media_processing"
    assert clock.slept == [1] * x_module.MAX_STATUS_POLLS
    script.assert_done()


def test_a_processing_status_that_fails_to_answer_is_retried_later(clock: FakeClock, small_chunks: None) -> None:
    status = recorded("media_status_in_progress", status=503, body=problem(503, "Service Unavailable", "x"))
    script = Script(*chunked_upload(), status)

    with pytest.raises(PlatformError) as failed:
        x_for(script, clock, media=FakeMedia({VIDEO_URL: VIDEO})).publish(
            PostContent(text="Hello world!", media=(video_item(),))
        )

    assert (failed.value.error_class, failed.value.code) == (ErrorClass.RETRY, "platform_unavailable")


def test_a_gif_goes_up_in_chunks_with_its_category_and_alt_text(clock: FakeClock) -> None:
    data = gif()
    gif_id = "1880028106020515841"
    script = Script(
        recorded(
            "media_initialize",
            json={"media_type": "image/gif", "total_bytes": len(data), "media_category": "tweet_gif"},
            body={"data": {"id": gif_id, "media_key": f"16_{gif_id}", "expires_after_secs": 86400}},
        ),
        recorded("media_append", url=f"{API}/2/media/upload/{gif_id}/append"),
        recorded("media_finalize", url=f"{API}/2/media/upload/{gif_id}/finalize", body={"data": {"id": gif_id}}),
        recorded("media_metadata", json={"id": gif_id, "metadata": {"alt_text": {"text": "It moves"}}}),
        recorded("create_post_with_media", json={"text": "Hello world!", "media": {"media_ids": [gif_id]}}),
    )
    item = MediaItem(GIF_URL, "gif", size=len(data), alt="It moves")  # no mime: image/gif

    x_for(script, clock, media=FakeMedia({GIF_URL: data})).publish(PostContent(text="Hello world!", media=(item,)))

    assert clock.slept == []  # finalize answered without processing_info: ready
    script.assert_done()


def test_a_video_of_unknown_size_is_read_whole_first(clock: FakeClock, small_chunks: None) -> None:
    media = FakeMedia({VIDEO_URL: VIDEO})
    script = Script(*chunked_upload("succeeded"), recorded("create_post_with_media", json=WITH_VIDEO))

    x_for(script, clock, media=media).publish(PostContent(text="Hello world!", media=(video_item(size=None),)))

    assert media.reads == [f"read {VIDEO_URL}"]
    script.assert_done()


def test_video_alt_text_is_not_sent(clock: FakeClock, small_chunks: None) -> None:
    script = Script(*chunked_upload("succeeded"), recorded("create_post_with_media", json=WITH_VIDEO))

    x_for(script, clock, media=FakeMedia({VIDEO_URL: VIDEO})).publish(
        PostContent(text="Hello world!", media=(video_item(alt="A cat"),))
    )

    script.assert_done()


def test_media_without_text_posts_no_text(clock: FakeClock) -> None:
    script = Script(
        recorded("media_upload_image"),
        recorded("create_post_with_media", json={"media": {"media_ids": [IMAGE_ID]}}),
    )

    x_for(script, clock, media=FakeMedia({IMAGE_URL: png()})).publish(
        PostContent(text="", media=(MediaItem(IMAGE_URL, "image"),))
    )

    script.assert_done()


def test_a_reply_carries_media_too(clock: FakeClock) -> None:
    parent = PublishedPost(platform_post_id=POST_ID, url=f"https://x.com/heraldhq/status/{POST_ID}")
    answer = {"text": "Hello back!", "media": {"media_ids": [IMAGE_ID]}, "reply": {"in_reply_to_tweet_id": POST_ID}}
    script = Script(recorded("media_upload_image"), recorded("create_reply", json=answer))

    x_for(script, clock, media=FakeMedia({IMAGE_URL: png()})).reply(
        parent, PostContent(text="Hello back!", media=(MediaItem(IMAGE_URL, "image"),))
    )

    script.assert_done()


@pytest.mark.parametrize(
    ("items", "code"),
    [
        (tuple(MediaItem(f"https://b.example/{n}.png", "image") for n in range(5)), "invalid_content"),
        ((video_item(), MediaItem(IMAGE_URL, "image")), "invalid_content"),
        ((MediaItem(GIF_URL, "gif"), MediaItem(GIF_URL, "gif")), "invalid_content"),
        ((MediaItem("https://b.example/a.pdf", "document"),), "media_unsupported"),
    ],
    ids=["five-images", "video-and-image", "two-gifs", "unknown-kind"],
)
def test_media_x_would_refuse_are_refused_before_any_call(clock: FakeClock, items: tuple, code: str) -> None:
    script = Script()

    with pytest.raises(PlatformError) as refused:
        x_for(script, clock, media=FakeMedia({})).publish(PostContent(text="look", media=items))

    assert (refused.value.error_class, refused.value.code) == (ErrorClass.PERMANENT, code)
    assert script.requests == []


def test_media_without_a_media_source_are_refused_before_any_call(clock: FakeClock) -> None:
    script = Script()

    with pytest.raises(PlatformError) as refused:
        x_for(script, clock).publish(PostContent(text="look", media=(MediaItem(IMAGE_URL, "image"),)))

    assert (refused.value.error_class, refused.value.code) == (ErrorClass.PERMANENT, "media_unsupported")
    assert script.requests == []


@pytest.mark.parametrize(
    ("status", "code"),
    [(400, "media_unsupported"), (413, "media_too_large"), (503, "platform_unavailable")],
)
def test_a_refused_upload_is_classified(clock: FakeClock, status: int, code: str) -> None:
    body = recording("error_invalid_request")["response"]["body"] if status == 400 else problem(status, "Refused", "x")
    script = Script(recorded("media_upload_image", status=status, body=body))

    with pytest.raises(PlatformError) as refused:
        x_for(script, clock, media=FakeMedia({IMAGE_URL: png()})).publish(
            PostContent(text="look", media=(MediaItem(IMAGE_URL, "image"),))
        )

    assert refused.value.code == code
    script.assert_done()


def test_an_upload_answer_without_a_media_id_is_malformed(clock: FakeClock) -> None:
    script = Script(recorded("media_upload_image", body={"data": {"media_key": "3_1"}}))

    with pytest.raises(PlatformError) as failed:
        x_for(script, clock, media=FakeMedia({IMAGE_URL: png()})).publish(
            PostContent(text="look", media=(MediaItem(IMAGE_URL, "image"),))
        )

    assert (failed.value.error_class, failed.value.code) == (ErrorClass.RETRY, "platform_unavailable")


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


def test_metrics_leave_out_the_posts_x_no_longer_shows(clock: FakeClock) -> None:
    script = Script(recorded("lookup_posts"))

    metrics = x_for(script, clock).metrics([POST_ID, "1445880548472328194"])

    assert metrics == {POST_ID: {"likes": 10, "comments": 2, "shares": 4, "impressions": 500, "bookmarks": 4}}
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
    ("tweet.fields", "created_at,entities,attachments"),
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




ME = "2244994945"  # the user of the recorded timeline
ME_CREDENTIALS = Credentials(account_id="acc_x", username="TwitterDev", tokens={**TOKENS, "user_id": ME})
TIMELINE_POST = recording("user_posts")["response"]["body"]["data"][0]


def test_reconcile_finds_a_post_with_media_behind_its_media_link(clock: FakeClock) -> None:
    script = Script(recorded("user_posts"))
    content = PostContent(text="Hello world!", media=(MediaItem(IMAGE_URL, "image"),))

    found = x_for(script, clock, ME_CREDENTIALS).reconcile(content)

    assert found.outcome is ReconcileOutcome.FOUND
    assert found.post == PublishedPost("1445880548472328193", "https://x.com/TwitterDev/status/1445880548472328193")
    script.assert_done()


@pytest.mark.parametrize("media", [(), (MediaItem(IMAGE_URL, "image"),) * 2], ids=["no-media", "two-images"])
def test_reconcile_does_not_take_a_post_with_other_media(clock: FakeClock, media: tuple) -> None:
    script = Script(recorded("user_posts"))

    found = x_for(script, clock, ME_CREDENTIALS).reconcile(PostContent(text="Hello world!", media=media))

    assert found.outcome is ReconcileOutcome.ABSENT


def test_reconcile_cannot_tell_which_post_without_text_is_ours(clock: FakeClock) -> None:
    media_only = {**TIMELINE_POST, "text": "https://t.co/3ZbfTmAcAg"}
    media_only["entities"] = {"urls": [{**TIMELINE_POST["entities"]["urls"][0], "start": 0, "end": 23}]}
    script = Script(recorded("user_posts", body={"data": [media_only], "meta": {"result_count": 1}}))

    found = x_for(script, clock, ME_CREDENTIALS).reconcile(PostContent(text="", media=(MediaItem(IMAGE_URL, "image"),)))

    assert found.outcome is ReconcileOutcome.UNKNOWN


def test_reconcile_proves_a_post_without_text_absent(clock: FakeClock) -> None:
    script = Script(recorded("user_posts"))  # one post, with text

    found = x_for(script, clock, ME_CREDENTIALS).reconcile(PostContent(text="", media=(MediaItem(IMAGE_URL, "image"),)))

    assert found.outcome is ReconcileOutcome.ABSENT
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
        (
            413,
            problem(413, "Payload Too Large", "x"),
            {},
            ErrorClass.PERMANENT,
            "media_too_large",
            "413 Payload Too Large",
        ),
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
        "413",
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


@pytest.mark.parametrize(
    ("name", "error_class", "code", "platform_code"),
    [
        ("error_duplicate", ErrorClass.PERMANENT, "duplicate_content", "403 Forbidden"),
        ("error_rate_limited", ErrorClass.RETRY, "rate_limited", "429 Too Many Requests"),
        ("error_unauthorized", ErrorClass.REFRESH, "token_expired", "401 Unauthorized"),
        (
            "error_invalid_request",
            ErrorClass.PERMANENT,
            "invalid_content",
            "400 https://api.twitter.com/2/problems/invalid-request",
        ),
        ("error_service_unavailable", ErrorClass.RETRY, "platform_unavailable", "503 Service Unavailable"),
    ],
)
def test_publish_raises_the_recorded_errors_classified(
    clock: FakeClock, name: str, error_class: ErrorClass, code: str, platform_code: str
) -> None:
    script = Script(recorded(name, json={"text": "Hello world!"}))  # the answers matter here

    with pytest.raises(PlatformError) as refused:
        x_for(script, clock).publish(PostContent(text="Hello world!"))

    assert (refused.value.error_class, refused.value.code, refused.value.platform_code) == (
        error_class,
        code,
        platform_code,
    )
    if code == "duplicate_content":
        assert refused.value.message == DUPLICATE_DETAIL
    if code == "rate_limited":
        assert refused.value.retry_at == datetime(2030, 1, 7, 9, 1, tzinfo=UTC)


def test_publish_classifies_a_timeout(clock: FakeClock) -> None:
    script = Script(Exchange("POST", f"{API}/2/tweets", raises=httpx.ReadTimeout))

    with pytest.raises(PlatformError) as failed:
        x_for(script, clock).publish(PostContent(text="hi"))

    assert (failed.value.error_class, failed.value.code) == (ErrorClass.RETRY, "timeout")


# --- refresh_credentials ---------------------------------------------------------------------

DOCS_TOKENS = recording("token_authorization_code")["response"]["body"]
REFRESHED = recording("token_refresh")["response"]["body"]
DOCS_CREDENTIALS = Credentials(
    account_id="acc_x",
    username="heraldhq",
    tokens={**TOKENS, "access_token": DOCS_TOKENS["access_token"], "refresh_token": DOCS_TOKENS["refresh_token"]},
)


def test_a_confidential_client_refreshes_with_basic_auth(clock: FakeClock) -> None:
    script = Script(recorded("token_refresh", auth=False))

    renewed = x_for(script, clock, DOCS_CREDENTIALS).refresh_credentials()

    assert renewed == Credentials(
        account_id="acc_x",
        username="heraldhq",
        tokens={**TOKENS, "access_token": REFRESHED["access_token"], "refresh_token": REFRESHED["refresh_token"]},
        expires_at=datetime(2030, 1, 7, 11, 0, tzinfo=UTC),
    )
    script.assert_done()


def test_a_public_client_refreshes_with_its_client_id(clock: FakeClock) -> None:
    script = Script(
        recorded(
            "token_refresh",
            auth=False,
            form={"grant_type": "refresh_token", "refresh_token": "x-refresh-1", "client_id": PUBLIC_APP.client_id},
            request_headers={"authorization": None},
        )
    )

    renewed = x_for(script, clock, app=PUBLIC_APP).refresh_credentials()

    assert renewed.tokens["refresh_token"] == REFRESHED["refresh_token"]
    script.assert_done()


def test_a_refresh_keeps_the_refresh_token_x_did_not_rotate(clock: FakeClock) -> None:
    script = Script(recorded("token_refresh", auth=False, body={"access_token": "x-access-2", "token_type": "bearer"}))

    renewed = x_for(script, clock, DOCS_CREDENTIALS).refresh_credentials()

    assert renewed.tokens["access_token"] == "x-access-2"
    assert renewed.tokens["refresh_token"] == DOCS_TOKENS["refresh_token"]
    assert renewed.expires_at is None  # X did not say


def test_a_refresh_drops_the_app_credentials_older_versions_kept_in_the_tokens(clock: FakeClock) -> None:
    legacy = Credentials(
        "acc_x",
        "heraldhq",
        {**DOCS_CREDENTIALS.tokens, "client_id": "old", "client_secret": "s3cret", "expires_at": "2030-01-07T09:00Z"},
    )
    script = Script(recorded("token_refresh", auth=False))

    renewed = x_for(script, clock, legacy).refresh_credentials()

    assert set(renewed.tokens) == {"access_token", "refresh_token", "user_id"}


@pytest.mark.parametrize("name", ["token_refused", "token_unauthorized_client"])
def test_a_refused_refresh_means_reconnect(clock: FakeClock, name: str) -> None:
    script = Script(recorded(name, auth=False, request_headers={}))

    with pytest.raises(PlatformError) as refused:
        x_for(script, clock, DOCS_CREDENTIALS).refresh_credentials()

    answer = recording(name)["response"]
    assert (refused.value.error_class, refused.value.code) == (ErrorClass.RECONNECT, "account_disconnected")
    assert refused.value.platform_code == f"{answer['status']} {answer['body']['error']}"


def test_a_refresh_that_meets_an_outage_can_be_retried(clock: FakeClock) -> None:
    script = Script(
        recorded("token_refresh", auth=False, status=503, body=problem(503, "Service Unavailable", "x"))
    )

    with pytest.raises(PlatformError) as failed:
        x_for(script, clock, DOCS_CREDENTIALS).refresh_credentials()

    assert (failed.value.error_class, failed.value.code) == (ErrorClass.RETRY, "platform_unavailable")


def test_a_token_answer_without_an_access_token_is_malformed(clock: FakeClock) -> None:
    script = Script(recorded("token_refresh", auth=False, body={"token_type": "bearer"}))

    with pytest.raises(PlatformError) as failed:
        x_for(script, clock, DOCS_CREDENTIALS).refresh_credentials()

    assert (failed.value.error_class, failed.value.code) == (ErrorClass.RETRY, "platform_unavailable")


def test_without_an_app_the_token_cannot_be_refreshed(clock: FakeClock) -> None:
    script = Script()

    with pytest.raises(PlatformError) as refused:
        x_for(script, clock, app=None).refresh_credentials()

    assert (refused.value.error_class, refused.value.code) == (ErrorClass.RECONNECT, "account_disconnected")
    assert script.requests == []


# --- connecting ------------------------------------------------------------------------------

REDIRECT_URI = "https://www.example.com"
CODE = recording("token_authorization_code")["request"]["form"]["code"]
ME_BODY = recording("users_me")["response"]["body"]["data"]


def test_connecting_exchanges_the_code_with_the_pkce_verifier_then_reads_the_user(clock: FakeClock) -> None:
    script = Script(
        recorded("token_authorization_code", auth=False),
        recorded("users_me", request_headers={"authorization": f"Bearer {DOCS_TOKENS['access_token']}"}),
    )

    connection = XPlatform.connect_with_code(script.client(), DOCS_APP, CODE, REDIRECT_URI, "challenge")

    assert connection.credentials.account_id == ""
    assert connection.credentials.username == "TwitterDev"
    assert connection.credentials.tokens == {
        "access_token": DOCS_TOKENS["access_token"],
        "refresh_token": DOCS_TOKENS["refresh_token"],
        "user_id": "2244994945",
    }
    expires_in = connection.credentials.expires_at - datetime.now(UTC)  # type: ignore[operator]
    assert timedelta(seconds=7190) < expires_in <= timedelta(seconds=7200)
    assert connection.identity == AccountIdentity(
        platform_user_id="2244994945",
        username="TwitterDev",
        display_name="Developers",
        avatar_url=ME_BODY["profile_image_url"],
        followers=513958,
        permissions=("tweet.write", "users.read", "tweet.read", "offline.access", "media.write"),
    )
    script.assert_done()


def test_a_public_client_connects_with_its_client_id(clock: FakeClock) -> None:
    form = {**recording("token_authorization_code")["request"]["form"], "client_id": PUBLIC_APP.client_id}
    script = Script(
        recorded("token_authorization_code", auth=False, form=form, request_headers={"authorization": None}),
        recorded("users_me", auth=False),
    )

    connection = XPlatform.connect_with_code(script.client(), PUBLIC_APP, CODE, REDIRECT_URI, "challenge")

    assert connection.identity.username == "TwitterDev"


def test_a_refused_code_fails_the_connection(clock: FakeClock) -> None:
    refusal = {"error": "invalid_request", "error_description": "Value passed for the authorization code was invalid."}
    script = Script(recorded("token_authorization_code", auth=False, status=400, body=refusal))

    with pytest.raises(PlatformError) as refused:
        XPlatform.connect_with_code(script.client(), DOCS_APP, CODE, REDIRECT_URI, "challenge")

    assert (refused.value.error_class, refused.value.code) == (ErrorClass.PERMANENT, "authorization_failed")
    assert refused.value.platform_code == "400 invalid_request"


def test_the_identity_leaves_out_what_x_does_not_show(clock: FakeClock) -> None:
    bare = {"data": {"id": "2244994945", "username": "TwitterDev"}}
    script = Script(recorded("users_me", body=bare))

    assert x_for(script, clock).identity() == AccountIdentity(platform_user_id="2244994945", username="TwitterDev")


def test_an_identity_without_a_username_is_malformed(clock: FakeClock) -> None:
    script = Script(recorded("users_me", body={"data": {"id": "2244994945"}}))

    with pytest.raises(PlatformError) as failed:
        x_for(script, clock).identity()

    assert failed.value.code == "platform_unavailable"


def test_the_authorization_url_asks_for_the_scopes_with_pkce() -> None:
    url = httpx.URL(XPlatform.authorization_url(DOCS_APP, REDIRECT_URI, "state-1", "challenge-1"))

    assert f"{url.scheme}://{url.host}{url.path}" == "https://x.com/i/oauth2/authorize"
    assert dict(url.params) == {
        "response_type": "code",
        "client_id": DOCS_APP.client_id,
        "redirect_uri": REDIRECT_URI,
        "scope": "tweet.read tweet.write users.read offline.access media.write",
        "state": "state-1",
        "code_challenge": "challenge-1",
        "code_challenge_method": "S256",
    }


# --- revoke ----------------------------------------------------------------------------------


def test_revoke_revokes_the_refresh_token_then_the_access_token(clock: FakeClock) -> None:
    revoke_refresh = {"token": DOCS_TOKENS["refresh_token"], "token_type_hint": "refresh_token"}
    script = Script(recorded("revoke_token", auth=False, form=revoke_refresh), recorded("revoke_token", auth=False))

    assert x_for(script, clock, DOCS_CREDENTIALS).revoke() is True
    script.assert_done()


def test_revoking_a_token_x_no_longer_honours_is_done(clock: FakeClock) -> None:
    refusal = recording("token_refused")["response"]["body"]
    script = Script(
        Exchange("POST", f"{API}/2/oauth2/revoke", status=400, body=refusal),
        Exchange("POST", f"{API}/2/oauth2/revoke", status=400, body=refusal),
    )

    assert x_for(script, clock).revoke() is True
    script.assert_done()


def test_a_revoke_that_meets_an_outage_is_raised(clock: FakeClock) -> None:
    outage = problem(503, "Service Unavailable", "x")
    script = Script(Exchange("POST", f"{API}/2/oauth2/revoke", status=503, body=outage))

    with pytest.raises(PlatformError) as failed:
        x_for(script, clock).revoke()

    assert failed.value.error_class is ErrorClass.RETRY


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


def simulated(account: Any, media: FakeMedia | None = None) -> XPlatform:
    """The adapter against the account's simulator, as the test-mode deployment's app, with
    `media` as its files and a fake clock at the simulator's time (processing polls do not wait)."""
    client = httpx.Client(transport=httpx.MockTransport(XSimulator.for_account(account).handle))
    credentials = Credentials(account.id, account.username, dict(account.credentials))
    return XPlatform(client, credentials, app=TEST_APP, media=media, clock=FakeClock(datetime.now(UTC)))


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
    frozen = datetime.now(UTC)
    simulators.use_clock(lambda: frozen)  # no time passes: the counts are the real replies only
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


def simulator_client(account: Any) -> httpx.Client:
    """Raw calls to the account's simulator with its access token."""
    transport = httpx.MockTransport(XSimulator.for_account(account).handle)
    headers = {"authorization": f"Bearer {account.credentials['access_token']}"}
    return httpx.Client(transport=transport, base_url=API, headers=headers)


def test_simulated_metrics_grow_from_the_posting_time(make_account, clock: FakeClock) -> None:
    simulators.use_clock(clock.now)
    posted = clock.now()
    account = make_account("x", "acc_sim", "herald")
    platform = simulated(account)
    post = platform.publish(PostContent(text="Growing"))
    platform.reply(post, PostContent(text="A reply"))
    clock.advance(hours=6)

    found = platform.metrics([post.platform_post_id])
    fields = {"ids": post.platform_post_id, "tweet.fields": "public_metrics,non_public_metrics"}
    [view] = simulator_client(account).get("/2/tweets", params=fields).json()["data"]

    grown = grown_metrics(post.platform_post_id, posted, clock.now())
    assert grown["impressions"] > 0
    assert view["public_metrics"] == {
        "retweet_count": grown["shares"],
        "reply_count": grown["comments"] + 1,  # and the real reply
        "like_count": grown["likes"],
        "quote_count": grown["quotes"],
        "bookmark_count": grown["saves"],
        "impression_count": grown["impressions"],
    }
    assert view["non_public_metrics"] == {
        "impression_count": grown["impressions"],
        "url_link_clicks": grown["clicks"],
        "user_profile_clicks": grown["profile_clicks"],
    }
    assert found == {
        post.platform_post_id: {
            "impressions": grown["impressions"],
            "likes": grown["likes"],
            "comments": grown["comments"] + 1,
            "shares": grown["shares"] + grown["quotes"],
            "bookmarks": grown["saves"],
        }
    }


def test_simulated_non_public_metrics_are_the_authors_for_30_days(make_account, clock: FakeClock) -> None:
    simulators.use_clock(clock.now)
    author, other = make_account("x", "acc_sim", "herald"), make_account("x", "acc_other", "other")
    mine = simulated(author).publish(PostContent(text="Mine")).platform_post_id
    theirs = simulated(other).publish(PostContent(text="Theirs")).platform_post_id
    client = simulator_client(author)
    private = {"tweet.fields": "public_metrics,non_public_metrics"}

    both = client.get("/2/tweets", params={"ids": f"{mine},{theirs}", **private}).json()
    public = client.get("/2/tweets", params={"ids": theirs, "tweet.fields": "public_metrics"}).json()
    clock.advance(days=31)
    old = client.get("/2/tweets", params={"ids": mine, **private}).json()

    assert [view["id"] for view in both["data"]] == [mine] and "non_public_metrics" in both["data"][0]
    assert [(error["resource_id"], error["field"], error["type"]) for error in both["errors"]] == [
        (theirs, "non_public_metrics", "https://api.twitter.com/2/problems/not-authorized-for-field")
    ]
    assert [view["id"] for view in public["data"]] == [theirs] and "errors" not in public
    assert "data" not in old and [error["resource_id"] for error in old["errors"]] == [mine]


def test_simulated_followers_grow_with_time(make_account, clock: FakeClock) -> None:
    simulators.use_clock(clock.now)
    account = make_account("x", "acc_sim", "herald")
    key, start = f"x:{account.credentials['user_id']}", clock.now()

    today = simulated(account).identity().followers
    clock.advance(days=10)
    later = simulated(account).identity().followers

    assert (today, later) == (grown_followers(key, start), grown_followers(key, clock.now()))
    assert today is not None and later is not None and later >= today + 10


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
    platform = simulated(account)
    with pytest.raises(PlatformError):
        platform.publish(PostContent(text="Launch day"))
    with pytest.raises(PlatformError):  # the token stays expired for every call until refreshed
        platform.metrics(["1445880548472328192"])

    renewed = platform.refresh_credentials()
    open_platform(account.model_copy(update={"credentials": renewed.tokens})).publish(PostContent(text="Launch day"))

    assert renewed.expires_at is not None
    assert renewed.tokens["access_token"] != account.credentials["access_token"]
    assert renewed.tokens["refresh_token"] != account.credentials["refresh_token"]
    assert len(simulators.published("acc_sim")) == 1


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


def test_the_simulator_refuses_a_refresh_without_the_apps_credentials(make_account) -> None:
    account = make_account("x", "acc_sim", "herald")
    platform = simulated(account)
    platform.app = AppCredentials(TEST_CLIENT_ID)  # a public client: the test app is confidential

    with pytest.raises(PlatformError) as refused:
        platform.refresh_credentials()

    assert refused.value.platform_code == "401 unauthorized_client"


def test_simulated_media_posts_are_uploaded_processed_and_reconciled(make_account) -> None:
    account = make_account("x", "acc_sim", "herald")
    media = FakeMedia({IMAGE_URL: png(), VIDEO_URL: MP4, GIF_URL: gif()})
    platform = simulated(account, media)
    images = (MediaItem(IMAGE_URL, "image", mime="image/png", alt="A cat"), MediaItem(IMAGE_URL, "image"))

    photos = platform.publish(PostContent(text="Two photos", media=images))
    video = platform.publish(PostContent(text="A video", media=(MediaItem(VIDEO_URL, "video", size=len(MP4)),)))
    animation = platform.reply(video, PostContent(text="", media=(MediaItem(GIF_URL, "gif", alt="It moves"),)))

    held = {post["id"]: post for post in simulators.published("acc_sim")}
    assert [m["type"] for m in held[photos.platform_post_id]["media"]] == ["photo", "photo"]
    assert [m["alt_text"] for m in held[photos.platform_post_id]["media"]] == ["A cat", None]
    assert held[video.platform_post_id]["media"][0]["media_key"].startswith("7_")
    assert held[animation.platform_post_id]["media"][0]["alt_text"] == "It moves"
    assert platform.clock.slept == [1, 1, 1, 1]  # finalize, then in_progress, for the video and the GIF
    assert platform.reconcile(PostContent(text="Two photos", media=images)).post == photos
    assert platform.reconcile(PostContent(text="Two photos")).outcome is ReconcileOutcome.ABSENT
    assert platform.reconcile(PostContent(text="", media=(MediaItem(GIF_URL, "gif"),))).outcome is (
        ReconcileOutcome.UNKNOWN
    )


@pytest.mark.parametrize(
    ("item", "data"),
    [
        (MediaItem(VIDEO_URL, "video"), b"not a video at all"),
        (MediaItem(GIF_URL, "gif"), png()),
    ],
    ids=["video", "gif"],
)
def test_simulated_processing_fails_for_a_file_that_is_not_what_it_claims(make_account, item, data) -> None:
    platform = simulated(make_account("x", "acc_sim", "herald"), FakeMedia({item.url: data}))

    with pytest.raises(PlatformError) as refused:
        platform.publish(PostContent(text="Broken", media=(item,)))

    assert (refused.value.error_class, refused.value.code) == (ErrorClass.PERMANENT, "media_unsupported")
    assert refused.value.platform_code == "failed InvalidMedia"
    assert simulators.published("acc_sim") == []


def test_the_simulator_refuses_an_image_it_cannot_read(make_account) -> None:
    platform = simulated(make_account("x", "acc_sim", "herald"), FakeMedia({IMAGE_URL: b"\x89PNG not really"}))

    with pytest.raises(PlatformError) as refused:
        platform.publish(PostContent(text="Broken", media=(MediaItem(IMAGE_URL, "image"),)))

    assert (refused.value.error_class, refused.value.code) == (ErrorClass.PERMANENT, "media_unsupported")


def test_the_simulator_takes_only_the_accounts_own_processed_media(make_account) -> None:
    owner = simulated(make_account("x", "acc_1", "herald"), FakeMedia({IMAGE_URL: png()}))
    media_id, _ = owner._upload_whole(MediaItem(IMAGE_URL, "image"), png())
    other = make_account("x", "acc_2", "other")
    client = httpx.Client(transport=httpx.MockTransport(XSimulator.for_account(other).handle))
    auth = {"authorization": f"Bearer {other.credentials['access_token']}"}

    answer = client.post(f"{API}/2/tweets", json={"text": "stolen", "media": {"media_ids": [media_id]}}, headers=auth)

    assert answer.status_code == 400
    assert answer.json()["errors"][0]["message"] == "Your media IDs are invalid."


def test_the_simulator_refuses_a_post_before_the_video_is_processed(make_account) -> None:
    platform = simulated(make_account("x", "acc_sim", "herald"), FakeMedia({VIDEO_URL: MP4}))
    media_id, processing = platform._upload_in_chunks(MediaItem(VIDEO_URL, "video", size=len(MP4)), platform.media)

    with pytest.raises(PlatformError) as refused:
        platform._call("POST", "/2/tweets", json={"text": "too soon", "media": {"media_ids": [media_id]}})

    assert processing == {"state": "pending", "check_after_secs": 1}
    assert refused.value.code == "invalid_content"


def test_the_simulator_checks_the_declared_size(make_account) -> None:
    platform = simulated(make_account("x", "acc_sim", "herald"), FakeMedia({VIDEO_URL: MP4}))

    with pytest.raises(PlatformError) as refused:
        platform.publish(PostContent(text="short", media=(MediaItem(VIDEO_URL, "video", size=len(MP4) + 1),)))

    assert refused.value.code == "media_unsupported"
    assert "Segments do not add up" in refused.value.message


def verifier_and_challenge() -> tuple[str, str]:
    verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
    return verifier, challenge


def test_connecting_in_test_mode_then_publishing_with_the_issued_tokens(make_account) -> None:
    verifier, challenge = verifier_and_challenge()
    client = httpx.Client(transport=httpx.MockTransport(connect_handler))

    connection = XPlatform.connect_with_code(
        client, TEST_APP, simulated_code("newsdesk", challenge), "https://api.example/v1/oauth/x/callback", verifier
    )
    account = make_account("x", "acc_new", "newsdesk").model_copy(update={"credentials": connection.credentials.tokens})
    post = open_platform(account).publish(PostContent(text="Connected"))

    assert connection.identity.username == "newsdesk"
    assert connection.identity.platform_user_id == connection.credentials.tokens["user_id"]
    assert connection.identity.followers is not None and connection.identity.avatar_url
    assert set(connection.identity.permissions) == set(XPlatform.oauth.scopes)
    assert connection.credentials.expires_at is not None
    assert simulators.published("acc_new")[0]["id"] == post.platform_post_id
    assert simulators.published("acc_new")[0]["author_id"] == connection.identity.platform_user_id
    assert simulated(account).identity().platform_user_id == connection.identity.platform_user_id


@pytest.mark.parametrize(
    ("app", "verifier", "code"),
    [
        (TEST_APP, "the-wrong-verifier-the-wrong-verifier-00000", "authorization_failed"),
        (AppCredentials(TEST_CLIENT_ID, "not-the-secret"), None, "authorization_failed"),
    ],
    ids=["wrong-verifier", "wrong-secret"],
)
def test_the_simulator_refuses_a_code_exchange_it_cannot_trust(app, verifier, code) -> None:
    right_verifier, challenge = verifier_and_challenge()
    client = httpx.Client(transport=httpx.MockTransport(connect_handler))

    with pytest.raises(PlatformError) as refused:
        XPlatform.connect_with_code(
            client, app, simulated_code("newsdesk", challenge), "https://api.example/cb", verifier or right_verifier
        )

    assert refused.value.code == code


def test_the_simulator_refuses_a_code_it_never_issued() -> None:
    client = httpx.Client(transport=httpx.MockTransport(connect_handler))

    with pytest.raises(PlatformError) as refused:
        XPlatform.connect_with_code(client, TEST_APP, "some-code", "https://api.example/cb", "verifier")

    assert refused.value.platform_code == "400 invalid_request"


def test_a_revoked_connection_is_refused_everything(make_account) -> None:
    account = make_account("x", "acc_sim", "herald")
    platform = simulated(account)
    platform.publish(PostContent(text="Before"))

    assert platform.revoke() is True
    with pytest.raises(PlatformError) as refused:
        platform.publish(PostContent(text="After"))
    assert refused.value.error_class is ErrorClass.REFRESH
    with pytest.raises(PlatformError) as reconnect:
        platform.refresh_credentials()
    assert reconnect.value.error_class is ErrorClass.RECONNECT
