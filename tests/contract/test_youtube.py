"""YouTubePlatform against YouTube's recorded request/response pairs (the simulator's
recordings/youtube.json, from the Data API v3 reference and the resumable upload guide), step by step."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fake_media import FakeMedia
from scripted_http import Exchange, Script

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
from herald.platforms.simulators.youtube import recordings
from herald.platforms.youtube import (
    CHUNK_SIZE,
    MAX_RESUMES,
    PROCESSING_POLL_SECONDS,
    PROCESSING_POLLS,
    RESUME_WAIT_SECONDS,
    SCOPES,
    UNAUDITED_NOTICE,
    YouTubePlatform,
)
from support.clock import FakeClock

API = "https://www.googleapis.com/youtube/v3"
UPLOAD = "https://www.googleapis.com/upload/youtube/v3"
TOKEN = recordings()["exchange_authorization_code"]["response"]["body"]["access_token"]
REFRESH = recordings()["exchange_authorization_code"]["response"]["body"]["refresh_token"]
CHANNEL = "UC_x5XG1OV2P6uZZ5FSM9Ttw"
VIDEO = "Ks-_Mh1QhMc"
THREAD = "UgzDE2tasfmrYLyNkGt4AaABAg"
REPLY = f"{THREAD}.9iPXEClD9lW9iPXLqKy_Pt"
SESSION = f"{UPLOAD}/videos?uploadType=resumable&part=snippet,status&upload_id=xa298sd_f"
TOKENS = {"access_token": TOKEN, "refresh_token": REFRESH, "channel_id": CHANNEL, "scope": " ".join(SCOPES)}
CREDENTIALS = Credentials(account_id="acc_yt", username="@googledevelopers", tokens=TOKENS)
APP = AppCredentials(
    "1234567890-abc123def456.apps.googleusercontent.com", "GOCSPX-abc123def456", settings={"audited": "true"}
)
UNAUDITED = AppCredentials(APP.client_id, APP.client_secret)
VIDEO_URL = "https://bucket.example/surf.mp4"
THUMB_URL = "https://cdn.example/thumb.png"
SIZE = 9 * 1024 * 1024  # the recorded upload: one 8 MiB chunk, then 1 MiB
FILE = bytes(range(256)) * (SIZE // 256)
PNG = b"\x89PNG\r\n\x1a\n" + bytes(64)
META = recordings()["start_resumable_upload"]["request"]["json"]
TITLE, DESCRIPTION = META["snippet"]["title"], META["snippet"]["description"]
OPTIONS = {"privacy": "private", "tags": ["surfing", "Santa Cruz"]}
WATCH = f"https://www.youtube.com/watch?v={VIDEO}"


def replay(name: str, **changes: Any) -> Exchange:
    """The recorded exchange `name` as a scripted one: the adapter must send the recorded method,
    URL, query, headers and body, and gets the recorded answer."""
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


def error_body(name: str) -> dict[str, Any]:
    return recordings()[name]["response"]["body"]


def error_response(name: str, headers: dict[str, str] | None = None) -> httpx.Response:
    response = recordings()[name]["response"]
    return httpx.Response(response["status"], json=response["body"], headers=headers)


def youtube_for(
    script: Script,
    clock: FakeClock,
    *,
    media: FakeMedia | None = None,
    app: AppCredentials | None = APP,
    credentials: Credentials = CREDENTIALS,
) -> YouTubePlatform:
    return YouTubePlatform(script.client(), credentials, app=app, media=media, clock=clock)


def video(size: int | None = SIZE, **extra: Any) -> MediaItem:
    return MediaItem(VIDEO_URL, "video", mime="video/mp4", size=size, **extra)


def content(**changes: Any) -> PostContent:
    base = PostContent(text=DESCRIPTION, title=TITLE, media=(video(),), options=OPTIONS, target_key="pst_1:acc_yt")
    return dataclasses.replace(base, **changes)


def media() -> FakeMedia:
    return FakeMedia({VIDEO_URL: FILE, THUMB_URL: PNG})


UPLOADED = (replay("start_resumable_upload"), replay("upload_chunk"), replay("upload_last_chunk"))


# --- publish: the resumable upload -------------------------------------------------------------------


def test_a_video_is_uploaded_in_256k_multiple_chunks_then_awaited(clock: FakeClock) -> None:
    files = media()
    script = Script(*UPLOADED, replay("video_processing"), replay("video_processed"))

    post = youtube_for(script, clock, media=files).publish(content())

    assert post == PublishedPost(platform_post_id=VIDEO, url=WATCH, extra={"kind": "video", "shorts": False})
    puts = [request for request in script.requests if request.method == "PUT"]
    assert [request.content for request in puts] == [FILE[:CHUNK_SIZE], FILE[CHUNK_SIZE:]]
    assert CHUNK_SIZE % (256 * 1024) == 0
    assert [request.headers["content-length"] for request in puts] == ["8388608", "1048576"]
    assert files.calls == [("chunks", VIDEO_URL, CHUNK_SIZE)]  # streamed, never read whole
    assert clock.slept == [PROCESSING_POLL_SECONDS]
    assert script.requests[1].headers["authorization"] == f"Bearer {TOKEN}"  # googleapis.com: the token goes along
    script.assert_done()


def test_the_upload_metadata_carries_every_option(clock: FakeClock) -> None:
    options = {
        "privacy": "unlisted",
        "category_id": "28",
        "tags": ["a b"],
        "made_for_kids": True,
        "default_language": "pt",
        "contains_synthetic_media": False,
        "notify_subscribers": False,
    }
    body = {
        "snippet": {
            "title": TITLE,
            "description": DESCRIPTION,
            "categoryId": "28",
            "tags": ["a b"],
            "defaultLanguage": "pt",
        },
        "status": {"privacyStatus": "unlisted", "selfDeclaredMadeForKids": True, "containsSyntheticMedia": False},
    }
    params = [("uploadType", "resumable"), ("part", "snippet,status"), ("notifySubscribers", "false")]
    script = Script(
        replay("start_resumable_upload", json=body, params=params), *UPLOADED[1:], replay("video_processed")
    )

    youtube_for(script, clock, media=media()).publish(content(options=options))

    script.assert_done()


def test_defaults_are_public_people_and_blogs_not_for_kids(clock: FakeClock) -> None:
    body = {
        "snippet": {"title": TITLE, "description": DESCRIPTION, "categoryId": "22"},
        "status": {"privacyStatus": "public", "selfDeclaredMadeForKids": False},
    }
    script = Script(replay("start_resumable_upload", json=body), *UPLOADED[1:], replay("video_processed"))

    youtube_for(script, clock, media=media()).publish(content(options={}))

    script.assert_done()


def test_a_server_error_mid_upload_asks_the_session_and_resumes_from_the_acknowledged_byte(clock: FakeClock) -> None:
    files = media()
    first_half = 4 * 1024 * 1024  # YouTube kept half of the failed chunk
    failed = replay("upload_chunk", status=503, body=error_body("error_backend"), headers={})
    status = replay("upload_status", headers={"Range": f"bytes=0-{first_half - 1}"})
    resumed = replay(
        "upload_chunk",
        request_headers={"Content-Range": f"bytes {first_half}-{SIZE - 1}/{SIZE}"},
        status=201,
        body=recordings()["upload_last_chunk"]["response"]["body"],
        headers={},
    )
    script = Script(replay("start_resumable_upload"), failed, status, resumed, replay("video_processed"))

    post = youtube_for(script, clock, media=files).publish(content())

    assert post.platform_post_id == VIDEO
    assert script.requests[3].content == FILE[first_half:]  # re-read from the source, from the acknowledged byte
    assert files.calls == [("chunks", VIDEO_URL, CHUNK_SIZE)] * 2
    assert clock.slept == [RESUME_WAIT_SECONDS]
    script.assert_done()


def test_a_dropped_connection_on_the_last_chunk_is_resumed(clock: FakeClock) -> None:
    dropped = dataclasses.replace(UPLOADED[2], raises=httpx.ReadError)
    script = Script(*UPLOADED[:2], dropped, replay("upload_status"), UPLOADED[2], replay("video_processed"))

    post = youtube_for(script, clock, media=media()).publish(content())

    assert post.platform_post_id == VIDEO
    assert script.requests[4].content == FILE[CHUNK_SIZE:]
    script.assert_done()


def test_a_lost_answer_to_the_last_chunk_finds_the_upload_complete(clock: FakeClock) -> None:
    lost = dataclasses.replace(UPLOADED[2], raises=httpx.ReadTimeout)
    script = Script(*UPLOADED[:2], lost, replay("upload_status_complete"), replay("video_processed"))

    post = youtube_for(script, clock, media=media()).publish(content())

    assert post.platform_post_id == VIDEO
    script.assert_done()


def test_a_malformed_answer_to_the_last_chunk_asks_the_session(clock: FakeClock) -> None:
    malformed = dataclasses.replace(UPLOADED[2], status=200, body="<html>upstream connect error</html>")
    script = Script(*UPLOADED[:2], malformed, replay("upload_status_complete"), replay("video_processed"))

    assert youtube_for(script, clock, media=media()).publish(content()).platform_post_id == VIDEO
    script.assert_done()


def test_a_session_that_is_gone_sends_the_whole_post_again_later(clock: FakeClock) -> None:
    failed = replay("upload_chunk", status=503, body=error_body("error_backend"), headers={})
    script = Script(replay("start_resumable_upload"), failed, replay("upload_session_gone"))

    with pytest.raises(PlatformError) as gone:
        youtube_for(script, clock, media=media()).publish(content())

    assert (gone.value.error_class, gone.value.code) == (ErrorClass.RETRY, "upload_session_expired")
    assert gone.value.code not in ("timeout", "platform_unavailable")  # nothing was published: send again
    script.assert_done()


def test_resumes_are_bounded(clock: FakeClock) -> None:
    failed = replay("upload_chunk", status=503, body=error_body("error_backend"), headers={})
    status = replay("upload_status", headers={})
    attempts = [failed]
    for _ in range(MAX_RESUMES):
        attempts += [
            status,
            dataclasses.replace(failed, request_headers={"Content-Range": f"bytes 0-{CHUNK_SIZE - 1}/{SIZE}"}),
        ]
    script = Script(replay("start_resumable_upload"), *attempts)

    with pytest.raises(PlatformError) as interrupted:
        youtube_for(script, clock, media=media()).publish(content())

    assert (interrupted.value.error_class, interrupted.value.code) == (ErrorClass.RETRY, "upload_interrupted")
    assert clock.slept == [RESUME_WAIT_SECONDS * 2**n for n in range(MAX_RESUMES)]
    script.assert_done()


def test_giving_up_after_the_last_chunk_may_have_landed_is_an_unknown_outcome(clock: FakeClock) -> None:
    lost = dataclasses.replace(UPLOADED[2], raises=httpx.ReadTimeout)
    status_lost = replay("upload_status", raises=httpx.ConnectTimeout)
    script = Script(*UPLOADED[:2], lost, *[status_lost] * MAX_RESUMES)

    with pytest.raises(PlatformError) as unknown:
        youtube_for(script, clock, media=media()).publish(content())

    assert (unknown.value.error_class, unknown.value.code) == (ErrorClass.RETRY, "platform_unavailable")
    script.assert_done()


def test_a_video_of_unknown_size_names_its_total_on_the_last_chunk(clock: FakeClock) -> None:
    start = replay(
        "start_resumable_upload",
        request_headers={"X-Upload-Content-Length": None, "X-Upload-Content-Type": "video/mp4"},
    )
    first = replay("upload_chunk", request_headers={"Content-Range": f"bytes 0-{CHUNK_SIZE - 1}/*"})
    script = Script(start, first, UPLOADED[2], replay("video_processed"))

    youtube_for(script, clock, media=media()).publish(content(media=(video(size=None),)))

    script.assert_done()


def test_a_file_shorter_than_it_was_said_to_be_is_refused(clock: FakeClock) -> None:
    files = FakeMedia({VIDEO_URL: FILE[: SIZE - 10]})
    script = Script(replay("start_resumable_upload"), replay("upload_chunk"))

    with pytest.raises(PlatformError) as refused:
        youtube_for(script, clock, media=files).publish(content())

    assert (refused.value.error_class, refused.value.code) == (ErrorClass.PERMANENT, "invalid_content")
    script.assert_done()


def test_a_session_answer_without_location_is_malformed(clock: FakeClock) -> None:
    script = Script(replay("start_resumable_upload", headers={}))

    with pytest.raises(PlatformError) as failed:
        youtube_for(script, clock, media=media()).publish(content())

    assert (failed.value.error_class, failed.value.code) == (ErrorClass.RETRY, "platform_unavailable")


def test_a_refused_start_is_classified(clock: FakeClock) -> None:
    script = Script(replay("start_resumable_upload", status=400, body=error_body("error_invalid_title"), headers={}))

    with pytest.raises(PlatformError) as refused:
        youtube_for(script, clock, media=media()).publish(content())

    assert (refused.value.error_class, refused.value.code) == (ErrorClass.PERMANENT, "invalid_content")
    assert refused.value.platform_code == "400 invalidTitle"


# --- publish: processing ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("recording", "code", "reason"),
    [("video_failed", "media_processing_failed", "codec"), ("video_rejected", "duplicate_content", "duplicate")],
    ids=["failed", "rejected-duplicate"],
)
def test_a_video_youtube_fails_or_rejects_is_permanent(
    clock: FakeClock, recording: str, code: str, reason: str
) -> None:
    script = Script(*UPLOADED, replay("video_processing"), replay(recording))

    with pytest.raises(PlatformError) as failed:
        youtube_for(script, clock, media=media()).publish(content(options={**OPTIONS, "thumbnail_url": THUMB_URL}))

    assert (failed.value.error_class, failed.value.code) == (ErrorClass.PERMANENT, code)
    assert reason in failed.value.message
    script.assert_done()  # no thumbnail for a video YouTube refused


def test_a_video_still_processing_after_the_polls_is_published_with_a_notice(clock: FakeClock) -> None:
    script = Script(*UPLOADED, *[replay("video_processing")] * PROCESSING_POLLS)

    post = youtube_for(script, clock, media=media()).publish(content())

    assert post.platform_post_id == VIDEO
    assert len(post.notices) == 1 and "still processing" in post.notices[0]
    assert clock.slept == [PROCESSING_POLL_SECONDS] * (PROCESSING_POLLS - 1)
    script.assert_done()


def test_a_poll_that_fails_leaves_the_video_published_with_a_notice(clock: FakeClock) -> None:
    poll = replay("video_processing", status=503, body=error_body("error_backend"))
    script = Script(*UPLOADED, poll)

    post = youtube_for(script, clock, media=media()).publish(content())

    assert post.platform_post_id == VIDEO
    assert "could not be checked" in post.notices[0]


# --- publish: thumbnail, shorts, privacy -------------------------------------------------------------


def test_a_thumbnail_is_set_from_the_image_bytes(clock: FakeClock) -> None:
    files = media()
    script = Script(*UPLOADED, replay("video_processed"), replay("set_thumbnail"))

    post = youtube_for(script, clock, media=files).publish(content(options={**OPTIONS, "thumbnail_url": THUMB_URL}))

    assert post.notices == ()
    assert script.requests[-1].content == PNG
    assert files.calls[-1] == ("read", THUMB_URL)
    script.assert_done()


@pytest.mark.parametrize("failure", ["forbidden", "unreadable"])
def test_a_thumbnail_failure_is_a_notice_not_a_failed_post(clock: FakeClock, failure: str) -> None:
    files = media() if failure == "forbidden" else FakeMedia({VIDEO_URL: FILE})
    after = [replay("error_thumbnail_forbidden")] if failure == "forbidden" else []
    script = Script(*UPLOADED, replay("video_processed"), *after)

    post = youtube_for(script, clock, media=files).publish(content(options={**OPTIONS, "thumbnail_url": THUMB_URL}))

    assert post.platform_post_id == VIDEO
    assert len(post.notices) == 1 and post.notices[0].startswith("The video is out, but its thumbnail could not be set")
    script.assert_done()


def test_an_unaudited_project_says_public_videos_are_locked_private(clock: FakeClock) -> None:
    body = {**META, "status": {"privacyStatus": "public", "selfDeclaredMadeForKids": False}}
    script = Script(replay("start_resumable_upload", json=body), *UPLOADED[1:], replay("video_processed"))

    post = youtube_for(script, clock, media=media(), app=UNAUDITED).publish(content(options={"tags": OPTIONS["tags"]}))

    assert post.notices == (f"The video was asked to be public, but {UNAUDITED_NOTICE}",)
    script.assert_done()


def test_an_unaudited_project_asking_for_private_gets_no_notice(clock: FakeClock) -> None:
    script = Script(*UPLOADED, replay("video_processed"))

    assert youtube_for(script, clock, media=media(), app=UNAUDITED).publish(content()).notices == ()


def test_a_short_gets_the_shorts_tag_and_url(clock: FakeClock) -> None:
    body = {"snippet": {**META["snippet"], "title": f"{TITLE} #Shorts"}, "status": META["status"]}
    script = Script(replay("start_resumable_upload", json=body), *UPLOADED[1:], replay("video_processed"))
    short = video(width=1080, height=1920, duration_seconds=59.5)

    post = youtube_for(script, clock, media=media()).publish(
        content(media=(short,), options={**OPTIONS, "shorts": True})
    )

    assert post.url == f"https://www.youtube.com/shorts/{VIDEO}"
    assert post.extra["shorts"] is True
    script.assert_done()


def test_a_short_that_names_shorts_already_is_left_as_written(clock: FakeClock) -> None:
    body = {"snippet": {**META["snippet"], "description": "Surf #shorts"}, "status": META["status"]}
    script = Script(replay("start_resumable_upload", json=body), *UPLOADED[1:], replay("video_processed"))

    youtube_for(script, clock, media=media()).publish(content(text="Surf #shorts", options={**OPTIONS, "shorts": True}))

    script.assert_done()


def test_a_short_with_a_full_title_gets_the_tag_in_its_description(clock: FakeClock) -> None:
    title = "t" * 95
    body = {
        "snippet": {**META["snippet"], "title": title, "description": f"{DESCRIPTION}\n\n#Shorts"},
        "status": META["status"],
    }
    script = Script(replay("start_resumable_upload", json=body), *UPLOADED[1:], replay("video_processed"))

    youtube_for(script, clock, media=media()).publish(content(title=title, options={**OPTIONS, "shorts": True}))

    script.assert_done()


@pytest.mark.parametrize(
    "item",
    [video(width=1920, height=1080), video(width=1080, height=1920, duration_seconds=181)],
    ids=["horizontal", "too-long"],
)
def test_a_short_youtube_would_not_take_is_refused_before_any_call(clock: FakeClock, item: MediaItem) -> None:
    script = Script()

    with pytest.raises(PlatformError) as refused:
        youtube_for(script, clock, media=media()).publish(content(media=(item,), options={"shorts": True}))

    assert (refused.value.error_class, refused.value.code) == (ErrorClass.PERMANENT, "media_unsupported")
    assert script.requests == []


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"title": None}, "invalid_content"),
        ({"title": "  "}, "invalid_content"),
        ({"title": "x" * 101}, "invalid_content"),
        ({"title": "a <b> c"}, "invalid_content"),
        ({"text": "é" * 2501}, "invalid_content"),  # 5,002 bytes
        ({"text": "1 > 0"}, "invalid_content"),
        ({"media": ()}, "media_unsupported"),
        ({"media": (MediaItem("https://bucket.example/a.png", "image"),)}, "media_unsupported"),
        ({"media": (video(), video())}, "media_unsupported"),
        ({"options": {"privacy": "secret"}}, "invalid_content"),
    ],
    ids=[
        "no-title",
        "blank-title",
        "long-title",
        "angle-title",
        "long-description",
        "angle-description",
        "no-video",
        "image",
        "two-videos",
        "bad-privacy",
    ],
)
def test_what_youtube_refuses_is_refused_before_any_call(clock: FakeClock, changes: dict, code: str) -> None:
    script = Script()

    with pytest.raises(PlatformError) as refused:
        youtube_for(script, clock, media=media()).publish(content(**changes))

    assert (refused.value.error_class, refused.value.code) == (ErrorClass.PERMANENT, code)
    assert script.requests == []


def test_a_description_of_exactly_5000_bytes_is_taken(clock: FakeClock) -> None:
    text = "é" * 2500
    body = {"snippet": {**META["snippet"], "description": text}, "status": META["status"]}
    script = Script(replay("start_resumable_upload", json=body), *UPLOADED[1:], replay("video_processed"))

    youtube_for(script, clock, media=media()).publish(content(text=text))

    assert youtube_for(Script(), clock).count_text(text) == 5000
    script.assert_done()


def test_media_without_a_media_source_is_refused_before_any_call(clock: FakeClock) -> None:
    script = Script()

    with pytest.raises(PlatformError) as refused:
        youtube_for(script, clock).publish(content())

    assert refused.value.code == "media_unsupported"
    assert script.requests == []


# --- comments ---------------------------------------------------------------------------------------


def test_a_first_comment_is_a_comment_thread_on_the_video(clock: FakeClock) -> None:
    script = Script(replay("insert_comment_thread"))
    parent = PublishedPost(platform_post_id=VIDEO, url=WATCH, extra={"kind": "video"})

    comment = youtube_for(script, clock).reply(parent, PostContent(text="First!"))

    assert comment == PublishedPost(
        platform_post_id=THREAD, url=f"{WATCH}&lc={THREAD}", extra={"kind": "comment", "video_id": VIDEO}
    )
    script.assert_done()


def test_a_reply_to_a_comment_replies_in_its_thread(clock: FakeClock) -> None:
    script = Script(replay("insert_comment_reply"))
    parent = PublishedPost(platform_post_id=THREAD, url="", extra={"kind": "comment", "video_id": VIDEO})

    reply = youtube_for(script, clock).reply(parent, PostContent(text="Thanks for watching"))

    assert reply.platform_post_id == REPLY
    assert reply.url == f"{WATCH}&lc={REPLY}"
    script.assert_done()


def test_a_reply_to_a_reply_goes_to_the_top_of_the_thread(clock: FakeClock) -> None:
    script = Script(replay("insert_comment_reply"))
    parent = PublishedPost(platform_post_id=REPLY, url="", extra={})  # an id alone: known by its shape

    youtube_for(script, clock).reply(parent, PostContent(text="Thanks for watching"))

    script.assert_done()


def test_comments_are_text_only(clock: FakeClock) -> None:
    parent = PublishedPost(platform_post_id=VIDEO, url=WATCH)
    with pytest.raises(PlatformError) as refused:
        youtube_for(Script(), clock).reply(parent, PostContent(text="x", media=(video(),)))
    assert refused.value.code == "media_unsupported"


def test_comments_disabled_is_permanent(clock: FakeClock) -> None:
    script = Script(replay("insert_comment_thread", status=403, body=error_body("error_comments_disabled")))

    with pytest.raises(PlatformError) as refused:
        youtube_for(script, clock).reply(PublishedPost(VIDEO, WATCH), PostContent(text="First!"))

    assert (refused.value.error_class, refused.value.code) == (ErrorClass.PERMANENT, "comments_disabled")


# --- delete and metrics -------------------------------------------------------------------------------


def test_delete_a_video_and_a_comment(clock: FakeClock) -> None:
    script = Script(replay("delete_video"), replay("delete_comment"))

    platform = youtube_for(script, clock)
    platform.delete(VIDEO)
    platform.delete(THREAD)

    script.assert_done()


def test_a_video_or_comment_already_gone_counts_as_deleted(clock: FakeClock) -> None:
    script = Script(replay("error_video_not_found"), replay("error_comment_not_found"))

    platform = youtube_for(script, clock)
    platform.delete(VIDEO)
    platform.delete(THREAD)

    script.assert_done()


def test_another_delete_failure_is_raised(clock: FakeClock) -> None:
    script = Script(replay("delete_video", status=403, body=error_body("error_forbidden")))

    with pytest.raises(PlatformError) as refused:
        youtube_for(script, clock).delete(VIDEO)

    assert (refused.value.error_class, refused.value.code) == (ErrorClass.PERMANENT, "forbidden")


def test_metrics_are_views_likes_and_comments_with_hidden_counts_absent(clock: FakeClock) -> None:
    script = Script(replay("video_statistics"))

    found = youtube_for(script, clock).metrics([VIDEO, "wtLJPvx7-ys", THREAD])

    assert found == {VIDEO: {"views": 1523, "likes": 87, "comments": 12}, "wtLJPvx7-ys": {"views": 40, "comments": 0}}
    script.assert_done()  # the comment id was not asked for


def test_metrics_are_read_50_ids_a_call(clock: FakeClock) -> None:
    ids = [f"video{n:06d}" for n in range(51)]
    empty = {"kind": "youtube#videoListResponse", "items": []}
    script = Script(
        Exchange("GET", f"{API}/videos", params=[("part", "statistics"), ("id", ",".join(ids[:50]))], body=empty),
        Exchange("GET", f"{API}/videos", params=[("part", "statistics"), ("id", ids[50])], body=empty),
    )

    assert youtube_for(script, clock).metrics(ids) == {}
    script.assert_done()


# --- reconcile ------------------------------------------------------------------------------------------

RECORDED_AT = datetime(2030, 1, 7, 9, 0, 5, tzinfo=UTC)


def test_reconcile_finds_the_upload_by_title_in_the_uploads_playlist(clock: FakeClock) -> None:
    clock.set(RECORDED_AT + timedelta(minutes=10))
    script = Script(replay("channels_uploads"), replay("playlist_items_uploads"))

    found = youtube_for(script, clock).reconcile(content())

    assert found.outcome is ReconcileOutcome.FOUND
    assert found.post == PublishedPost(platform_post_id=VIDEO, url=WATCH, extra={"kind": "video", "shorts": False})
    script.assert_done()


def test_reconcile_is_absent_when_the_uploads_hold_no_such_title(clock: FakeClock) -> None:
    clock.set(RECORDED_AT + timedelta(minutes=10))
    script = Script(replay("channels_uploads"), replay("playlist_items_uploads"))

    assert youtube_for(script, clock).reconcile(content(title="Another title")).outcome is ReconcileOutcome.ABSENT


def test_reconcile_ignores_an_upload_older_than_its_window(clock: FakeClock) -> None:
    clock.set(RECORDED_AT + timedelta(days=2))
    script = Script(replay("channels_uploads"), replay("playlist_items_uploads"))

    assert youtube_for(script, clock).reconcile(content()).outcome is ReconcileOutcome.ABSENT


def test_reconcile_is_unknown_when_the_uploads_cannot_be_read(clock: FakeClock) -> None:
    script = Script(
        replay("channels_uploads"), replay("playlist_items_uploads", status=503, body=error_body("error_backend"))
    )

    assert youtube_for(script, clock).reconcile(content()).outcome is ReconcileOutcome.UNKNOWN


def test_reconcile_reads_further_pages_and_is_unknown_past_them(clock: FakeClock) -> None:
    clock.set(RECORDED_AT + timedelta(minutes=10))
    page = dict(recordings()["playlist_items_uploads"]["response"]["body"], nextPageToken="CDIQAA")
    params = list(httpx.URL(recordings()["playlist_items_uploads"]["request"]["url"]).params.multi_items())
    pages = [replay("playlist_items_uploads", body=page)]
    pages += [replay("playlist_items_uploads", body=page, params=[*params, ("pageToken", "CDIQAA")])] * 3
    script = Script(replay("channels_uploads"), *pages)

    assert youtube_for(script, clock).reconcile(content(title="Not there")).outcome is ReconcileOutcome.UNKNOWN
    script.assert_done()


def thread_listing(text: str, author: str = CHANNEL, published: str = "2030-01-07T09:01:00Z") -> dict[str, Any]:
    thread = recordings()["insert_comment_thread"]["response"]["body"]
    top = thread["snippet"]["topLevelComment"]
    snippet = {
        **top["snippet"],
        "textOriginal": text,
        "textDisplay": text,
        "authorChannelId": {"value": author},
        "publishedAt": published,
    }
    item = {**thread, "snippet": {**thread["snippet"], "topLevelComment": {**top, "snippet": snippet}}}
    return {**recordings()["list_comment_threads"]["response"]["body"], "items": [item]}


def test_reconcile_finds_a_first_comment_by_the_channel(clock: FakeClock) -> None:
    clock.set(RECORDED_AT + timedelta(minutes=5))
    script = Script(replay("list_comment_threads", body=thread_listing("First!")))
    parent = PublishedPost(VIDEO, WATCH, extra={"kind": "video"})

    found = youtube_for(script, clock).reconcile(PostContent(text="First!"), parent)

    assert found.outcome is ReconcileOutcome.FOUND and found.post is not None
    assert found.post.platform_post_id == THREAD
    script.assert_done()


@pytest.mark.parametrize(
    "listing",
    [
        thread_listing("First!", author="UCsomeoneelse0000000000"),
        thread_listing("Second!"),
        thread_listing("First!", published="2030-01-01T00:00:00Z"),
    ],
    ids=["someone-else", "other-text", "too-old"],
)
def test_reconcile_of_a_comment_is_absent_without_a_match(clock: FakeClock, listing: dict) -> None:
    clock.set(RECORDED_AT + timedelta(minutes=5))
    script = Script(replay("list_comment_threads", body=listing))

    found = youtube_for(script, clock).reconcile(PostContent(text="First!"), PublishedPost(VIDEO, WATCH))

    assert found.outcome is ReconcileOutcome.ABSENT


def test_reconcile_of_a_reply_reads_the_thread_replies(clock: FakeClock) -> None:
    clock.set(RECORDED_AT + timedelta(minutes=5))
    reply = recordings()["insert_comment_reply"]["response"]["body"]
    listing = {**recordings()["list_comment_replies"]["response"]["body"], "items": [reply]}
    script = Script(replay("list_comment_replies", body=listing))
    parent = PublishedPost(THREAD, "", extra={"kind": "comment", "video_id": VIDEO})

    found = youtube_for(script, clock).reconcile(PostContent(text="Thanks for watching"), parent)

    assert found.outcome is ReconcileOutcome.FOUND and found.post is not None
    assert found.post.platform_post_id == REPLY
    script.assert_done()


def test_reconcile_of_a_comment_is_unknown_when_the_listing_fails(clock: FakeClock) -> None:
    script = Script(replay("list_comment_threads", status=403, body=error_body("error_quota_exceeded")))

    found = youtube_for(script, clock).reconcile(PostContent(text="First!"), PublishedPost(VIDEO, WATCH))

    assert found.outcome is ReconcileOutcome.UNKNOWN


# --- connect, identity, tokens -----------------------------------------------------------------------


def test_connect_exchanges_the_code_with_pkce_and_reads_the_channel(clock: FakeClock) -> None:
    script = Script(replay("exchange_authorization_code"), replay("channels_mine"))
    exchange = recordings()["exchange_authorization_code"]["request"]["form"]

    connection = YouTubePlatform.connect_with_code(
        script.client(), APP, exchange["code"], exchange["redirect_uri"], exchange["code_verifier"]
    )

    identity = connection.identity
    assert (identity.platform_user_id, identity.username, identity.display_name) == (
        CHANNEL,
        "@googledevelopers",
        "Google for Developers",
    )
    assert identity.followers == 2410000
    assert identity.avatar_url is not None and "s800" in identity.avatar_url
    assert identity.permissions == SCOPES
    assert identity.notices == ()
    assert connection.credentials.tokens == {**TOKENS}
    assert connection.credentials.expires_at is not None
    script.assert_done()


def test_a_google_account_without_a_channel_is_refused(clock: FakeClock) -> None:
    script = Script(replay("exchange_authorization_code"), replay("channels_mine_without_channel"))
    exchange = recordings()["exchange_authorization_code"]["request"]["form"]

    with pytest.raises(PlatformError) as refused:
        YouTubePlatform.connect_with_code(
            script.client(), APP, exchange["code"], exchange["redirect_uri"], exchange["code_verifier"]
        )

    assert (refused.value.error_class, refused.value.code) == (ErrorClass.PERMANENT, "youtube_channel_required")
    assert "create one" in refused.value.message


def test_identity_of_an_account_whose_channel_needs_signup_must_reconnect(clock: FakeClock) -> None:
    script = Script(replay("channels_mine", status=401, body=error_body("error_youtube_signup_required")))

    with pytest.raises(PlatformError) as refused:
        youtube_for(script, clock).identity()

    assert (refused.value.error_class, refused.value.code) == (ErrorClass.RECONNECT, "account_disconnected")


def test_hidden_subscribers_are_unknown_and_an_unaudited_app_is_noticed(clock: FakeClock) -> None:
    body = recordings()["channels_mine"]["response"]["body"]
    channel = body["items"][0]
    hidden = {**body, "items": [{**channel, "statistics": {**channel["statistics"], "hiddenSubscriberCount": True}}]}
    script = Script(replay("channels_mine", body=hidden))

    identity = youtube_for(script, clock, app=UNAUDITED).identity()

    assert identity.followers is None
    assert identity.notices == (UNAUDITED_NOTICE,)


def test_refresh_keeps_the_refresh_token(clock: FakeClock) -> None:
    script = Script(replay("refresh_access_token"))

    refreshed = youtube_for(script, clock).refresh_credentials()

    assert refreshed.tokens == {**TOKENS, "access_token": "ya29.a0AfB_byDrefreshed2Nq"}
    assert refreshed.expires_at == clock.now() + timedelta(seconds=3599)
    script.assert_done()


def test_a_refused_refresh_means_reconnecting(clock: FakeClock) -> None:
    script = Script(replay("refresh_refused"))

    with pytest.raises(PlatformError) as refused:
        youtube_for(script, clock).refresh_credentials()

    assert (refused.value.error_class, refused.value.code) == (ErrorClass.RECONNECT, "account_disconnected")
    assert refused.value.platform_code == "400 invalid_grant"


def test_revoke_posts_the_refresh_token(clock: FakeClock) -> None:
    script = Script(replay("revoke_token"))

    assert youtube_for(script, clock).revoke() is True
    script.assert_done()


# --- errors ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("recording", "error_class", "code"),
    [
        ("error_rate_limit_exceeded", ErrorClass.RETRY, "rate_limited"),
        ("error_user_rate_limit_exceeded", ErrorClass.RETRY, "rate_limited"),
        ("error_auth", ErrorClass.REFRESH, "token_expired"),
        ("error_youtube_signup_required", ErrorClass.RECONNECT, "account_disconnected"),
        ("error_forbidden", ErrorClass.PERMANENT, "forbidden"),
        ("error_insufficient_permissions", ErrorClass.RECONNECT, "account_disconnected"),
        ("error_invalid_title", ErrorClass.PERMANENT, "invalid_content"),
        ("error_invalid_category", ErrorClass.PERMANENT, "invalid_content"),
        ("error_invalid_tags", ErrorClass.PERMANENT, "invalid_content"),
        ("error_video_not_found", ErrorClass.PERMANENT, "not_found"),
        ("error_comments_disabled", ErrorClass.PERMANENT, "comments_disabled"),
        ("error_backend", ErrorClass.RETRY, "platform_unavailable"),
    ],
)
def test_each_recorded_error_is_classified(
    clock: FakeClock, recording: str, error_class: ErrorClass, code: str
) -> None:
    error = youtube_for(Script(), clock).classify_error(error_response(recording))

    assert (error.error_class, error.code) == (error_class, code)
    reason = error_body(recording)["error"]["errors"][0]["reason"]
    assert error.platform_code == f"{recordings()[recording]['response']['status']} {reason}"


@pytest.mark.parametrize("reason", ["invalidDescription", "invalidPublishAt", "mediaBodyRequired", "invalidFilename"])
def test_the_other_metadata_errors_are_permanent(clock: FakeClock, reason: str) -> None:
    body = {
        "error": {"code": 400, "message": "Bad metadata", "errors": [{"reason": reason, "domain": "youtube.video"}]}
    }

    error = youtube_for(Script(), clock).classify_error(httpx.Response(400, json=body))

    assert (error.error_class, error.code) == (ErrorClass.PERMANENT, "invalid_content")


def test_quota_exceeded_is_retried_at_the_next_midnight_pacific(clock: FakeClock) -> None:
    clock.set(datetime(2030, 1, 7, 9, 0, tzinfo=UTC))  # 01:00 PST

    error = youtube_for(Script(), clock).classify_error(error_response("error_quota_exceeded"))

    assert (error.error_class, error.code) == (ErrorClass.RETRY, "quota_exceeded")
    assert error.retry_at == datetime(2030, 1, 8, 8, 0, tzinfo=UTC)  # midnight PST is 08:00 UTC


def test_the_channel_upload_limit_is_retried_a_day_later(clock: FakeClock) -> None:
    error = youtube_for(Script(), clock).classify_error(error_response("error_upload_limit_exceeded"))

    assert (error.error_class, error.code) == (ErrorClass.RETRY, "quota_exceeded")
    assert error.retry_at == clock.now() + timedelta(hours=24)


def test_a_401_without_a_refresh_token_means_reconnecting(clock: FakeClock) -> None:
    credentials = Credentials("acc_yt", "@googledevelopers", {"access_token": TOKEN, "channel_id": CHANNEL})

    error = youtube_for(Script(), clock, credentials=credentials).classify_error(error_response("error_auth"))

    assert (error.error_class, error.code) == (ErrorClass.RECONNECT, "account_disconnected")


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_server_errors_are_retried(clock: FakeClock, status: int) -> None:
    error = youtube_for(Script(), clock).classify_error(httpx.Response(status, text="<html>error</html>"))

    assert (error.error_class, error.code) == (ErrorClass.RETRY, "platform_unavailable")


def test_transport_failures_are_retried(clock: FakeClock) -> None:
    platform = youtube_for(Script(), clock)

    assert platform.classify_error(None, httpx.ReadTimeout("slow")).code == "timeout"
    assert platform.classify_error(None, httpx.ConnectError("down")).code == "network_error"
