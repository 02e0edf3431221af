"""TikTokPlatform against TikTok's recorded request/response pairs (the simulator's
recordings/tiktok.json), step by step. The simulator is exercised in test_tiktok_simulated.py."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest
from fake_media import FakeMedia
from scripted_http import Exchange, Script

from herald.platforms.base import (
    OUTCOME_UNKNOWN_CODES,
    AppCredentials,
    Credentials,
    ErrorClass,
    MediaItem,
    PlatformError,
    PostContent,
    PublishedPost,
    ReconcileOutcome,
)
from herald.platforms.simulators.tiktok import RECORDINGS, recorded
from herald.platforms.tiktok import (
    CHUNK_BYTES,
    JSON_TYPE,
    RECONCILE_LOOK_SECONDS,
    RECONCILE_LOOKS,
    STATUS_POLL_SECONDS,
    STATUS_POLLS,
    UNAUDITED_NOTICE,
    UNAUDITED_POST_NOTICE,
    TikTokPlatform,
    chunk_plan,
    hex_challenge,
    url_verified,
)
from support.clock import FakeClock

API = "https://open.tiktokapis.com"
ACCESS = "act.example12345Example12345Example"
REFRESH = "rft.example12345Example12345Example"
OPEN_ID = "afd97af1-b87b-48b9-ac98-410aghda5344"
KEY = recorded("oauth_token")["request"]["form"]["client_key"]
SECRET = recorded("oauth_token")["request"]["form"]["client_secret"]
REDIRECT = recorded("oauth_token")["request"]["form"]["redirect_uri"]
APP = AppCredentials(KEY, SECRET, settings={"audited": "true", "verified_domains": "media.herald.example.com"})
UNAUDITED = AppCredentials(KEY, SECRET, settings={"verified_domains": "media.herald.example.com"})
TOKENS = {
    "access_token": ACCESS,
    "refresh_token": REFRESH,
    "open_id": OPEN_ID,
    "scope": recorded("oauth_token")["response"]["body"]["scope"],
}
CREDENTIALS = Credentials(account_id="acc_tt", username="tiktoker", tokens=TOKENS)
FILE_PUBLISH = "v_pub_file~v2-1.7320953458411489326"
URL_PUBLISH = "v_pub_url~v2-1.7320953458411489327"
PHOTO_PUBLISH = "p_pub_url~v2.7320953458411489328"
VIDEO_ID = "7320953458411489326"
CAPTION = "this will be a funny #cat video on your @tiktok #fyp"
VIDEO_SIZE = 31467520  # three chunks: 10 MiB, 10 MiB, 10 MiB + 10,240 bytes
UPLOAD_URL = recorded("upload_chunk")["request"]["url"]


class TikTokScript(Script):
    """Script that checks JSON bodies sent as TikTok documents them: `application/json; charset=UTF-8`."""

    def __call__(self, request: httpx.Request) -> httpx.Response:
        expected = self.pending[0] if self.pending else None
        if expected is not None and expected.json is not None:
            assert request.headers["content-type"] == JSON_TYPE
            assert json.loads(request.content) == expected.json
            self.pending[0] = dataclasses.replace(expected, json=None)
        return super().__call__(request)


def tiktok_for(
    script: Script,
    clock: FakeClock,
    *,
    app: AppCredentials | None = APP,
    media: FakeMedia | None = None,
    credentials: Credentials = CREDENTIALS,
) -> TikTokPlatform:
    return TikTokPlatform(script.client(), credentials, app=app, media=media, clock=clock)


def replay(name: str, **overrides: Any) -> Exchange:
    """The recorded exchange `name` as a scripted one: the adapter must send the recorded method,
    URL, query, headers and body, and gets the recorded answer."""
    entry = recorded(name)
    request, response = entry["request"], entry["response"]
    url = httpx.URL(request["url"])
    headers = {name_.lower(): value for name_, value in request.get("headers", {}).items()}
    exchange = Exchange(
        request["method"],
        f"{url.scheme}://{url.host}{url.path}",
        status=response["status"],
        body=response.get("body"),
        headers=response.get("headers", {}),
        params=list(url.params.multi_items()),
        json=request.get("json"),
        form=request.get("form"),
        request_headers=headers,
    )
    for name_, value in overrides.items():
        setattr(exchange, name_, value)
    return exchange


def recorded_json(name: str) -> dict[str, Any]:
    return recorded(name)["request"]["json"]


def status(name: str, publish_id: str = FILE_PUBLISH) -> Exchange:
    return replay(name, json={"publish_id": publish_id})


def answer(status_code: int, body: Any) -> httpx.Response:
    return httpx.Response(status_code, json=body)


def recorded_error(name: str) -> httpx.Response:
    response = recorded(name)["response"]
    return httpx.Response(response["status"], json=response["body"])


def chunk(first: int, length: int, *, status_code: int = 206) -> Exchange:
    headers = {
        "content-type": "video/mp4",
        "content-length": str(length),
        "content-range": f"bytes {first}-{first + length - 1}/{VIDEO_SIZE}",
    }
    return replay("upload_chunk", request_headers=headers, status=status_code)


def video_init(
    post_info: dict[str, Any], source_info: dict[str, Any], name: str = "video_init_file_upload"
) -> Exchange:
    return replay(name, json={"post_info": post_info, "source_info": source_info})


def file_source(size: int, chunk_size: int | None = None, count: int = 1) -> dict[str, Any]:
    return {"source": "FILE_UPLOAD", "video_size": size, "chunk_size": chunk_size or size, "total_chunk_count": count}


POST_INFO = {
    "title": CAPTION,
    "privacy_level": "PUBLIC_TO_EVERYONE",
    "disable_comment": False,
    "disable_duet": False,
    "disable_stitch": True,  # the recorded creator turned stitches off
}


def small_video(size: int = 1000, **fields: Any) -> tuple[MediaItem, FakeMedia]:
    url = "https://cdn.other.example.com/clip.mp4"
    return MediaItem(url, "video", mime="video/mp4", size=size, **fields), FakeMedia({url: b"v" * size})


def small_video_post(script_tail: list[Exchange], **info: Any) -> TikTokScript:
    """creator_info, a one-chunk FILE_UPLOAD of 1,000 bytes with `info` over POST_INFO, then `script_tail`."""
    return TikTokScript(
        replay("creator_info"),
        video_init({**POST_INFO, **info}, file_source(1000)),
        replay("upload_last_chunk", request_headers={"content-range": "bytes 0-999/1000", "content-length": "1000"}),
        *script_tail,
    )


# --- the recordings ------------------------------------------------------------------------------


def test_the_recordings_are_well_formed() -> None:
    path = urlsplit(recorded("oauth_token")["request"]["url"]).path
    entries = json.loads(RECORDINGS.read_text("utf-8"))

    assert path == "/v2/oauth/token/"
    assert len({entry["name"] for entry in entries}) == len(entries)
    for entry in entries:
        request, response = entry["request"], entry["response"]
        assert entry["source"].startswith("https://developers.tiktok.com/doc/"), entry["name"]
        assert request["method"] in ("GET", "POST", "PUT") and request["url"].startswith("https://"), entry["name"]
        body = response["body"]
        if isinstance(body, dict) and isinstance(body.get("error"), dict):
            assert set(body["error"]) == {"code", "message", "log_id"}, entry["name"]
            assert (body["error"]["code"] == "ok") == (response["status"] < 400), entry["name"]


# --- connecting ----------------------------------------------------------------------------------


def test_the_authorization_url_names_the_client_key_comma_scopes_and_a_hex_pkce_challenge() -> None:
    verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk0123456789abcdef"
    standard = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")

    url = TikTokPlatform.authorization_url(APP, REDIRECT, "state-123", standard)

    parts = urlsplit(url)
    params = dict(parse_qsl(parts.query))
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == "https://www.tiktok.com/v2/auth/authorize/"
    assert params == {
        "client_key": KEY,
        "scope": "user.info.basic,user.info.profile,user.info.stats,video.publish,video.upload,video.list",
        "response_type": "code",
        "redirect_uri": REDIRECT,
        "state": "state-123",
        "code_challenge": hashlib.sha256(verifier.encode()).hexdigest(),
        "code_challenge_method": "S256",
    }
    assert "client_id" not in params


def test_a_challenge_that_is_not_base64url_sha256_is_passed_as_is() -> None:
    assert hex_challenge("not-a-digest") == "not-a-digest"
    assert "code_challenge" not in TikTokPlatform.authorization_url(APP, REDIRECT, "s", None)


def test_connect_exchanges_the_code_with_the_verifier_and_reads_the_user(clock: FakeClock) -> None:
    script = Script(replay("oauth_token"), replay("user_info"))
    verifier = recorded("oauth_token")["request"]["form"]["code_verifier"]

    connection = TikTokPlatform.connect_with_code(script.client(), APP, "CODE_FROM_CALLBACK", REDIRECT, verifier)

    script.assert_done()
    assert connection.credentials.tokens == TOKENS
    assert connection.credentials.username == "tiktoker"
    identity = connection.identity
    assert (identity.platform_user_id, identity.username, identity.display_name) == (OPEN_ID, "tiktoker", "Tik Toker")
    assert identity.followers == 1024
    assert identity.avatar_url is not None and identity.avatar_url.startswith("https://p19-sign.tiktokcdn-us.com/")
    assert "video.publish" in identity.permissions and len(identity.permissions) == 6
    assert identity.notices == ()


def test_connect_expiry_is_24_hours_from_now() -> None:
    clock = FakeClock()
    script = Script(replay("oauth_token"), replay("user_info"))
    verifier = recorded("oauth_token")["request"]["form"]["code_verifier"]
    exchanging = TikTokPlatform(script.client(), Credentials("", ""), app=APP, clock=clock)

    tokens, expires_at = exchanging._token_grant(
        {
            "code": "CODE_FROM_CALLBACK",
            "grant_type": "authorization_code",
            "redirect_uri": REDIRECT,
            "code_verifier": verifier,
        },
        {},
        "the code",
    )

    assert expires_at == clock.now() + timedelta(hours=24)
    assert tokens["open_id"] == OPEN_ID


def test_an_unaudited_apps_accounts_carry_a_notice(clock: FakeClock) -> None:
    script = Script(replay("user_info"))

    identity = tiktok_for(script, clock, app=UNAUDITED).identity()

    assert identity.notices == (UNAUDITED_NOTICE,)
    assert UNAUDITED_NOTICE.startswith("The TikTok app is not audited yet: ")


def test_identity_asks_only_for_the_fields_the_granted_scopes_show(clock: FakeClock) -> None:
    body = recorded("user_info")["response"]["body"]
    body["data"]["user"] = {
        key: body["data"]["user"][key] for key in ("open_id", "union_id", "avatar_url", "display_name")
    }
    script = Script(replay("user_info", params=[("fields", "open_id,union_id,avatar_url,display_name")], body=body))
    credentials = Credentials("acc_tt", "", tokens={**TOKENS, "scope": "user.info.basic,video.list"})

    identity = tiktok_for(script, clock, credentials=credentials).identity()

    assert (identity.username, identity.followers) == ("Tik Toker", None)  # no username scope: the display name
    assert identity.permissions == ("user.info.basic", "video.list")
    assert identity.notices == (
        "TikTok did not grant video.publish: Herald cannot post for this account until it is reconnected with "
        "posting allowed.",
    )


def test_a_refused_code_means_the_account_cannot_connect() -> None:
    script = Script(replay("oauth_token_refused"))

    with pytest.raises(PlatformError) as refused:
        TikTokPlatform.connect_with_code(script.client(), APP, "CODE_ALREADY_USED", REDIRECT, None)

    assert (refused.value.error_class, refused.value.code) == (ErrorClass.RECONNECT, "account_disconnected")
    assert refused.value.platform_code == "400 invalid_grant"
    assert "Authorization code is expired." in refused.value.message


def test_refresh_exchanges_the_refresh_token_with_the_client_key(clock: FakeClock) -> None:
    script = Script(replay("oauth_refresh"))

    renewed = tiktok_for(script, clock).refresh_credentials()

    assert renewed.tokens == {
        **TOKENS,
        "access_token": "act.renewed12345Example12345Example",
        "refresh_token": "rft.renewed12345Example12345Example",
    }
    assert renewed.expires_at == clock.now() + timedelta(seconds=86400)
    assert (renewed.account_id, renewed.username) == ("acc_tt", "tiktoker")


def test_a_refused_refresh_means_reconnect(clock: FakeClock) -> None:
    script = Script(replay("oauth_refresh_refused"))

    with pytest.raises(PlatformError) as refused:
        tiktok_for(script, clock).refresh_credentials()

    assert (refused.value.error_class, refused.value.code) == (ErrorClass.RECONNECT, "account_disconnected")
    assert refused.value.platform_code == "400 invalid_grant"


@pytest.mark.parametrize(
    ("exchange", "error_class", "code"),
    [
        (
            replay("oauth_refresh", status=503, body=recorded("error_internal")["response"]["body"]),
            ErrorClass.RETRY,
            "platform_unavailable",
        ),
        (replay("oauth_refresh", status=200, body="<html>proxy</html>"), ErrorClass.RETRY, "platform_unavailable"),
        (
            replay("oauth_refresh", status=401, body={"error": "invalid_client", "error_description": "bad secret"}),
            ErrorClass.RECONNECT,
            "account_disconnected",
        ),
    ],
    ids=["outage", "not-json", "bad-client"],
)
def test_other_refresh_answers(clock: FakeClock, exchange: Exchange, error_class: ErrorClass, code: str) -> None:
    with pytest.raises(PlatformError) as failed:
        tiktok_for(Script(exchange), clock).refresh_credentials()

    assert (failed.value.error_class, failed.value.code) == (error_class, code)


def test_refresh_needs_a_refresh_token_and_the_apps_credentials(clock: FakeClock) -> None:
    without_token = Credentials("acc_tt", "tiktoker", {"access_token": ACCESS})
    with pytest.raises(PlatformError) as no_token:
        tiktok_for(Script(), clock, credentials=without_token).refresh_credentials()
    with pytest.raises(PlatformError) as no_app:
        tiktok_for(Script(), clock, app=None).refresh_credentials()

    assert (no_token.value.error_class, no_token.value.code) == (ErrorClass.RECONNECT, "account_disconnected")
    assert (no_app.value.error_class, no_app.value.code) == (ErrorClass.PERMANENT, "app_not_configured")


def test_revoke_posts_the_access_token_with_the_apps_credentials(clock: FakeClock) -> None:
    script = Script(replay("oauth_revoke"))

    assert tiktok_for(script, clock).revoke() is True
    script.assert_done()
    assert tiktok_for(Script(), clock, app=AppCredentials(KEY)).revoke() is False


# --- publishing a video --------------------------------------------------------------------------


@pytest.mark.parametrize(("failing", "code"), [(1, "upload_incomplete"), (2, "timeout")])
def test_a_lost_chunk_before_the_last_is_a_plain_retry_and_a_lost_last_chunk_is_unknown(
    clock: FakeClock, failing: int, code: str
) -> None:
    data = bytes(range(256)) * (VIDEO_SIZE // 256)
    url = "https://cdn.other.example.com/cat.mp4"
    video = MediaItem(url, "video", mime="video/mp4", size=VIDEO_SIZE, duration_seconds=42.0)
    chunks = [chunk(0, CHUNK_BYTES), chunk(CHUNK_BYTES, CHUNK_BYTES), replay("upload_last_chunk")]
    script = TikTokScript(replay("creator_info"), replay("video_init_file_upload"), *chunks[: failing + 1])
    script.pending[-1].raises = httpx.ReadTimeout

    with pytest.raises(PlatformError) as lost:
        content = PostContent(text=CAPTION, media=(video,), options={"video_cover_timestamp_ms": 1000})
        tiktok_for(script, clock, media=FakeMedia({url: data})).publish(content)

    script.assert_done()
    assert (lost.value.error_class, lost.value.code) == (ErrorClass.RETRY, code)
    # Only the last chunk can leave TikTok holding the whole video: only then does the runner reconcile.
    assert (lost.value.code in OUTCOME_UNKNOWN_CODES) is (failing == 2)


def test_a_video_goes_up_in_chunks_then_its_status_is_polled(clock: FakeClock) -> None:
    data = bytes(range(256)) * (VIDEO_SIZE // 256)
    url = "https://cdn.other.example.com/cat.mp4"
    media = FakeMedia({url: data})
    video = MediaItem(url, "video", mime="video/mp4", size=VIDEO_SIZE, duration_seconds=42.0)
    last = VIDEO_SIZE - 2 * CHUNK_BYTES
    script = TikTokScript(
        replay("creator_info"),
        replay("video_init_file_upload"),
        chunk(0, CHUNK_BYTES),
        chunk(CHUNK_BYTES, CHUNK_BYTES),
        replay("upload_last_chunk"),
        status("status_processing_upload"),
        status("status_publish_complete"),
    )
    content = PostContent(text=CAPTION, media=(video,), options={"video_cover_timestamp_ms": 1000})

    post = tiktok_for(script, clock, media=media).publish(content)

    script.assert_done()
    assert post == PublishedPost(
        VIDEO_ID, f"https://www.tiktok.com/@tiktoker/video/{VIDEO_ID}", extra={"publish_id": FILE_PUBLISH}
    )
    puts = [request for request in script.requests if request.method == "PUT"]
    assert [len(request.content) for request in puts] == [CHUNK_BYTES, CHUNK_BYTES, last]
    assert b"".join(request.content for request in puts) == data
    assert all("authorization" not in request.headers for request in puts)  # the upload URL carries its token
    assert media.calls == [("chunks", url, CHUNK_BYTES)]  # streamed, never read whole
    assert clock.slept == [STATUS_POLL_SECONDS]
    assert script.requests[0].content == b""  # creator_info/query takes no body


def test_a_video_of_unknown_size_is_read_once_to_learn_it(clock: FakeClock) -> None:
    item, media = small_video()
    item = dataclasses.replace(item, size=None)
    script = small_video_post([status("status_publish_complete")])

    tiktok_for(script, clock, media=media).publish(PostContent(text=CAPTION, media=(item,)))

    script.assert_done()
    assert media.calls == [("read", item.url)]


@pytest.mark.parametrize(
    ("size", "plan"),
    [
        (1, (1, 1)),
        (5 * 1024 * 1024 - 1, (5 * 1024 * 1024 - 1, 1)),  # under 5 MB: whole
        (2 * CHUNK_BYTES - 1, (2 * CHUNK_BYTES - 1, 1)),  # one chunk of 5 to 64 MB
        (2 * CHUNK_BYTES, (CHUNK_BYTES, 2)),
        (3 * CHUNK_BYTES - 1, (CHUNK_BYTES, 2)),  # the last chunk holds the rest
        (4 * 1024 * 1024 * 1024, (CHUNK_BYTES, 409)),
    ],
)
def test_chunk_plans_follow_tiktoks_rules(size: int, plan: tuple[int, int]) -> None:
    made = chunk_plan(size)

    assert (made.chunk_size, made.count) == plan
    assert made.count == size // made.chunk_size and 1 <= made.count <= 1000
    assert made.length(made.count - 1) <= 128 * 1024 * 1024
    assert made.count == 1 or 5 * 1000 * 1000 <= made.chunk_size <= 64 * 1000 * 1000
    assert sum(made.length(index) for index in range(made.count)) == size


def test_a_video_over_4_gb_is_refused() -> None:
    with pytest.raises(PlatformError) as refused:
        chunk_plan(4 * 1024 * 1024 * 1024 + 1)

    assert (refused.value.error_class, refused.value.code) == (ErrorClass.PERMANENT, "media_too_large")


def test_a_video_shorter_than_it_was_said_to_be_is_refused(clock: FakeClock) -> None:
    url = "https://cdn.other.example.com/short.mp4"
    media = FakeMedia({url: b"v" * (VIDEO_SIZE - 100)})
    script = TikTokScript(
        replay("creator_info"), replay("video_init_file_upload"), chunk(0, CHUNK_BYTES), chunk(CHUNK_BYTES, CHUNK_BYTES)
    )

    with pytest.raises(PlatformError) as refused:
        tiktok_for(script, clock, media=media).publish(
            PostContent(
                text=CAPTION,
                media=(MediaItem(url, "video", size=VIDEO_SIZE),),
                options={"video_cover_timestamp_ms": 1000},
            )
        )

    assert (refused.value.error_class, refused.value.code) == (ErrorClass.PERMANENT, "invalid_content")
    script.assert_done()  # the short last chunk was never sent


def test_an_external_video_on_a_verified_domain_is_pulled_by_tiktok(clock: FakeClock) -> None:
    script = TikTokScript(
        replay("creator_info"),
        replay("video_init_pull_from_url"),
        status("status_processing_download", URL_PUBLISH),
        status("status_publish_complete", URL_PUBLISH),
    )
    video = MediaItem("https://media.herald.example.com/launch.mp4", "video", size=VIDEO_SIZE)
    media = FakeMedia({})

    post = tiktok_for(script, clock, media=media).publish(PostContent(text=CAPTION, media=(video,)))

    script.assert_done()
    assert post.platform_post_id == VIDEO_ID
    assert media.calls == []  # TikTok fetches it itself


@pytest.mark.parametrize(
    ("item", "verified"),
    [
        (MediaItem("https://media.herald.example.com/launch.mp4", "video", size=1000, uploaded=True), "*"),
        (MediaItem("https://cdn.other.example.com/clip.mp4", "video", size=1000), "media.herald.example.com"),
        (MediaItem("https://cdn.other.example.com/clip.mp4", "video", size=1000), ""),
    ],
    ids=["own-upload-even-if-verified", "unverified-domain", "nothing-verified"],
)
def test_uploads_and_unverified_urls_go_up_as_files(clock: FakeClock, item: MediaItem, verified: str) -> None:
    media = FakeMedia({item.url: b"v" * 1000})
    app = AppCredentials(KEY, SECRET, settings={"audited": "true", "verified_domains": verified})
    script = small_video_post([status("status_publish_complete")])

    tiktok_for(script, clock, media=media, app=app).publish(PostContent(text=CAPTION, media=(item,)))

    script.assert_done()
    assert media.calls == [("chunks", item.url, 1000)]


@pytest.mark.parametrize(
    ("url", "verified", "expected"),
    [
        ("https://media.example.com/a.mp4", "media.example.com", True),
        ("https://cdn.media.example.com/a.mp4", "media.example.com", True),  # a subdomain
        ("https://MEDIA.example.com/a.mp4", "media.example.com", True),
        ("https://evilmedia.example.com/a.mp4", "media.example.com", False),
        ("https://example.com/a.mp4", "media.example.com", False),
        (
            "https://bucket.s3.amazonaws.com/herald/a.mp4?X-Amz-Signature=1",
            "https://bucket.s3.amazonaws.com/herald/",
            True,
        ),
        ("https://bucket.s3.amazonaws.com/other/a.mp4", "https://bucket.s3.amazonaws.com/herald/", False),
        ("https://anything.example.org/a.mp4", " other.com , * ", True),
        ("https://anything.example.org/a.mp4", "", False),
        ("https://a.example.org/x", "b.example.org,a.example.org", True),
    ],
)
def test_verified_domains_are_domains_url_prefixes_or_any(url: str, verified: str, expected: bool) -> None:
    assert url_verified(url, verified) is expected


def test_creator_settings_turn_interactions_off_and_options_pass_through(clock: FakeClock) -> None:
    item, media = small_video()
    creator = recorded("creator_info")["response"]["body"]
    creator["data"].update(comment_disabled=True, stitch_disabled=False)
    options = {
        "disable_duet": True,
        "brand_content_toggle": False,
        "brand_organic_toggle": True,
        "is_aigc": True,
        "video_cover_timestamp_ms": 2500,
    }
    info = {
        **POST_INFO,
        "disable_comment": True,
        "disable_duet": True,
        "disable_stitch": False,
        "video_cover_timestamp_ms": 2500,
        "brand_content_toggle": False,
        "brand_organic_toggle": True,
        "is_aigc": True,
    }
    script = small_video_post([status("status_publish_complete")], **info)
    script.pending[0] = replay("creator_info", body=creator)

    tiktok_for(script, clock, media=media).publish(PostContent(text=CAPTION, media=(item,), options=options))

    script.assert_done()


def test_a_video_longer_than_the_creator_may_post_is_refused_after_creator_info(clock: FakeClock) -> None:
    item, media = small_video(duration_seconds=301.5)  # the recorded creator: 300 s at most
    script = TikTokScript(replay("creator_info"))

    with pytest.raises(PlatformError) as refused:
        tiktok_for(script, clock, media=media).publish(PostContent(text=CAPTION, media=(item,)))

    assert (refused.value.error_class, refused.value.code) == (ErrorClass.PERMANENT, "media_unsupported")
    assert "300 seconds" in refused.value.message
    script.assert_done()


# --- privacy and the audit -----------------------------------------------------------------------


def test_an_unaudited_app_posts_privately_and_says_so(clock: FakeClock) -> None:
    item, media = small_video()
    script = small_video_post([status("status_publish_complete_private")], privacy_level="SELF_ONLY")

    post = tiktok_for(script, clock, media=media, app=UNAUDITED).publish(PostContent(text=CAPTION, media=(item,)))

    script.assert_done()
    assert post.platform_post_id == FILE_PUBLISH  # private posts have no public id
    assert post.url == "https://www.tiktok.com/@tiktoker"
    assert post.notices[0] == UNAUDITED_POST_NOTICE
    assert "because the TikTok app is not audited" in UNAUDITED_POST_NOTICE


def test_an_unaudited_app_asked_for_a_private_post_adds_no_audit_notice(clock: FakeClock) -> None:
    item, media = small_video()
    script = small_video_post([status("status_publish_complete_private")], privacy_level="SELF_ONLY")

    post = tiktok_for(script, clock, media=media, app=UNAUDITED).publish(
        PostContent(text=CAPTION, media=(item,), options={"privacy_level": "SELF_ONLY"})
    )

    assert UNAUDITED_POST_NOTICE not in post.notices
    assert len(post.notices) == 1 and post.notices[0].startswith("The post is not public (SELF_ONLY)")


def test_without_an_app_the_post_is_private(clock: FakeClock) -> None:
    item, media = small_video()
    script = small_video_post([status("status_publish_complete_private")], privacy_level="SELF_ONLY")

    post = tiktok_for(script, clock, media=media, app=None).publish(PostContent(text=CAPTION, media=(item,)))

    assert post.notices[0] == UNAUDITED_POST_NOTICE


def test_a_privacy_level_the_creator_does_not_offer_is_refused_listing_the_offered_ones(clock: FakeClock) -> None:
    item, media = small_video()
    script = TikTokScript(replay("creator_info"))

    with pytest.raises(PlatformError) as refused:
        tiktok_for(script, clock, media=media).publish(
            PostContent(text=CAPTION, media=(item,), options={"privacy_level": "FOLLOWER_OF_CREATOR"})
        )

    assert (refused.value.error_class, refused.value.code) == (ErrorClass.PERMANENT, "invalid_content")
    assert "PUBLIC_TO_EVERYONE, MUTUAL_FOLLOW_FRIENDS, SELF_ONLY" in refused.value.message
    script.assert_done()


def test_a_private_account_posts_at_its_first_offered_level_with_a_notice(clock: FakeClock) -> None:
    item, media = small_video()
    creator = recorded("creator_info")["response"]["body"]
    creator["data"]["privacy_level_options"] = ["FOLLOWER_OF_CREATOR", "SELF_ONLY"]
    script = small_video_post([status("status_publish_complete_private")], privacy_level="FOLLOWER_OF_CREATOR")
    script.pending[0] = replay("creator_info", body=creator)

    post = tiktok_for(script, clock, media=media).publish(PostContent(text=CAPTION, media=(item,)))

    script.assert_done()
    assert post.notices[0].startswith("The TikTok account does not offer PUBLIC_TO_EVERYONE")
    assert post.platform_post_id == FILE_PUBLISH


def test_branded_content_cannot_be_private(clock: FakeClock) -> None:
    item, media = small_video()
    script = TikTokScript(replay("creator_info"))

    with pytest.raises(PlatformError) as refused:
        tiktok_for(script, clock, media=media, app=UNAUDITED).publish(
            PostContent(text=CAPTION, media=(item,), options={"brand_content_toggle": True})
        )

    assert (refused.value.error_class, refused.value.code) == (ErrorClass.PERMANENT, "invalid_content")


# --- the status poll -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reason", "error_class", "code"),
    [
        ("file_format_check_failed", ErrorClass.PERMANENT, "media_unsupported"),
        ("duration_check_failed", ErrorClass.PERMANENT, "media_unsupported"),
        ("frame_rate_check_failed", ErrorClass.PERMANENT, "media_unsupported"),
        ("picture_size_check_failed", ErrorClass.PERMANENT, "media_unsupported"),
        ("video_pull_failed", ErrorClass.RETRY, "media_unreachable"),
        ("photo_pull_failed", ErrorClass.RETRY, "media_unreachable"),
        ("internal", ErrorClass.RETRY, "platform_unavailable"),
        ("spam_risk_too_many_posts", ErrorClass.RETRY, "quota_exceeded"),
        ("spam_risk_text", ErrorClass.PERMANENT, "invalid_content"),
        ("auth_removed", ErrorClass.RECONNECT, "account_disconnected"),
        ("something_new", ErrorClass.PERMANENT, "platform_error"),
    ],
)
def test_a_failed_publish_is_classified_by_its_fail_reason(
    clock: FakeClock, reason: str, error_class: ErrorClass, code: str
) -> None:
    item, media = small_video()
    failed = recorded("status_failed")["response"]["body"]
    failed["data"]["fail_reason"] = reason
    script = small_video_post([status("status_processing_upload"), status("status_failed", FILE_PUBLISH)])
    script.pending[-1].body = failed

    with pytest.raises(PlatformError) as refused:
        tiktok_for(script, clock, media=media).publish(PostContent(text=CAPTION, media=(item,)))

    assert (refused.value.error_class, refused.value.code) == (error_class, code)
    assert refused.value.platform_code == f"FAILED {reason}"
    assert reason in refused.value.message
    script.assert_done()


def test_a_post_still_processing_after_the_last_poll_is_an_unknown_outcome(clock: FakeClock) -> None:
    item, media = small_video()
    script = small_video_post([status("status_processing_upload") for _ in range(STATUS_POLLS)])

    with pytest.raises(PlatformError) as pending:
        tiktok_for(script, clock, media=media).publish(PostContent(text=CAPTION, media=(item,)))

    script.assert_done()
    assert (pending.value.error_class, pending.value.code) == (ErrorClass.RETRY, "platform_unavailable")
    assert pending.value.code in OUTCOME_UNKNOWN_CODES  # TikTok publishes it on its own: reconcile first
    assert pending.value.platform_code == "PROCESSING_UPLOAD"
    assert clock.slept == [STATUS_POLL_SECONDS] * (STATUS_POLLS - 1)


@pytest.mark.parametrize(
    ("response", "platform_code"),
    [
        (recorded_error("error_rate_limit_exceeded"), "429 rate_limit_exceeded"),
        (recorded_error("error_access_token_invalid"), "401 access_token_invalid"),
        (httpx.Response(200, text="<html>proxy</html>"), "200"),
    ],
    ids=["throttled", "token-expired", "malformed"],
)
def test_a_failure_while_following_a_post_tiktok_holds_is_an_unknown_outcome(
    clock: FakeClock, response: httpx.Response, platform_code: str
) -> None:
    item, media = small_video()
    body: Any = response.text if not response.headers.get("content-type", "").endswith("json") else response.json()
    poll = replay("status_processing_upload", json={"publish_id": FILE_PUBLISH}, status=response.status_code, body=body)
    script = small_video_post([poll])

    with pytest.raises(PlatformError) as unknown:
        tiktok_for(script, clock, media=media).publish(PostContent(text=CAPTION, media=(item,)))

    assert (unknown.value.error_class, unknown.value.code) == (ErrorClass.RETRY, "platform_unavailable")
    assert unknown.value.platform_code == platform_code


def test_a_refused_chunk_publishes_nothing_and_is_classified(clock: FakeClock) -> None:
    data = b"v" * VIDEO_SIZE
    url = "https://cdn.other.example.com/cat.mp4"
    refused_chunk = chunk(CHUNK_BYTES, CHUNK_BYTES, status_code=400)
    refused_chunk.body = recorded("error_invalid_file_upload")["response"]["body"]
    script = TikTokScript(
        replay("creator_info"), replay("video_init_file_upload"), chunk(0, CHUNK_BYTES), refused_chunk
    )

    with pytest.raises(PlatformError) as refused:
        tiktok_for(script, clock, media=FakeMedia({url: data})).publish(
            PostContent(
                text=CAPTION,
                media=(MediaItem(url, "video", size=VIDEO_SIZE),),
                options={"video_cover_timestamp_ms": 1000},
            )
        )

    assert (refused.value.error_class, refused.value.code) == (ErrorClass.PERMANENT, "media_unsupported")
    script.assert_done()


def test_a_public_post_is_polled_until_moderation_gives_its_id(clock: FakeClock) -> None:
    item, media = small_video()
    script = small_video_post([status("status_publish_complete_private"), status("status_publish_complete")])

    post = tiktok_for(script, clock, media=media).publish(PostContent(text=CAPTION, media=(item,)))

    assert post.platform_post_id == VIDEO_ID and post.notices == ()
    assert clock.slept == [STATUS_POLL_SECONDS]


def test_a_public_post_whose_id_never_comes_is_kept_by_its_publish_id(clock: FakeClock) -> None:
    item, media = small_video()
    script = small_video_post([status("status_publish_complete_private") for _ in range(STATUS_POLLS)])

    post = tiktok_for(script, clock, media=media).publish(PostContent(text=CAPTION, media=(item,)))

    assert (post.platform_post_id, post.url) == (FILE_PUBLISH, "https://www.tiktok.com/@tiktoker")
    assert "moderation" in post.notices[0]


def test_an_init_refusal_is_raised_classified(clock: FakeClock) -> None:
    item, media = small_video()
    script = TikTokScript(
        replay("creator_info"),
        replay("error_unaudited_client", json={"post_info": POST_INFO, "source_info": file_source(1000)}),
    )

    with pytest.raises(PlatformError) as refused:
        tiktok_for(script, clock, media=media).publish(PostContent(text=CAPTION, media=(item,)))

    assert (refused.value.error_class, refused.value.code) == (ErrorClass.PERMANENT, "app_not_configured")
    assert "make the TikTok account private, or have TikTok audit the app" in refused.value.message


def test_an_init_timeout_of_a_file_upload_is_a_plain_retry(clock: FakeClock) -> None:
    item, media = small_video()
    script = TikTokScript(
        replay("creator_info"),
        video_init(POST_INFO, file_source(1000)),
    )
    script.pending[-1].raises = httpx.ReadTimeout

    with pytest.raises(PlatformError) as lost:
        tiktok_for(script, clock, media=media).publish(PostContent(text=CAPTION, media=(item,)))

    # TikTok cannot publish a FILE_UPLOAD it never got: sending again needs no reconcile.
    assert (lost.value.error_class, lost.value.code) == (ErrorClass.RETRY, "upload_incomplete")
    assert lost.value.code not in OUTCOME_UNKNOWN_CODES and lost.value.platform_code == "ReadTimeout"


# --- photos --------------------------------------------------------------------------------------


PHOTOS = (
    MediaItem("https://tiktokcdn.com/obj/example-image-01.webp", "image", mime="image/webp"),
    MediaItem("https://tiktokcdn.com/obj/example-image-02.webp", "image", mime="image/webp"),
)
PHOTO_APP = AppCredentials(KEY, SECRET, settings={"audited": "true", "verified_domains": "https://tiktokcdn.com/obj/"})


def test_photos_are_pulled_from_verified_urls(clock: FakeClock) -> None:
    creator = recorded("creator_info")["response"]["body"]
    script = TikTokScript(
        replay("creator_info", body=creator),
        replay("content_init_photo"),
        status("status_processing_download", PHOTO_PUBLISH),
        status("status_publish_complete", PHOTO_PUBLISH),
    )
    content = PostContent(
        text="this will be a #funny photo on your @tiktok #fyp",
        title="funny cat",
        media=PHOTOS,
        options={"disable_comment": True, "auto_add_music": True, "photo_cover_index": 1, "disable_stitch": True},
    )

    post = tiktok_for(script, clock, app=PHOTO_APP).publish(content)

    script.assert_done()
    assert post.url == f"https://www.tiktok.com/@tiktoker/photo/{VIDEO_ID}"


def test_photos_without_a_title_send_none(clock: FakeClock) -> None:
    body = recorded_json("content_init_photo")
    del body["post_info"]["title"]
    body["post_info"]["disable_comment"] = False
    body["post_info"].pop("auto_add_music")
    body["source_info"]["photo_cover_index"] = 0
    script = TikTokScript(
        replay("creator_info"),
        replay("content_init_photo", json=body),
        status("status_publish_complete", PHOTO_PUBLISH),
    )

    tiktok_for(script, clock, app=PHOTO_APP).publish(
        PostContent(text="this will be a #funny photo on your @tiktok #fyp", media=PHOTOS)
    )

    script.assert_done()


@pytest.mark.parametrize(
    ("content", "app", "code"),
    [
        (PostContent(text="hi", media=PHOTOS), APP, "app_not_configured"),
        (PostContent(text="hi", media=PHOTOS, title="t" * 91), PHOTO_APP, "invalid_content"),
        (PostContent(text="hi", media=PHOTOS, options={"photo_cover_index": 2}), PHOTO_APP, "invalid_content"),
        (PostContent(text="hi"), APP, "invalid_content"),
        (
            PostContent(text="hi", media=(*PHOTOS, MediaItem("https://x.example/v.mp4", "video"))),
            APP,
            "invalid_content",
        ),
        (
            PostContent(text="hi", media=(MediaItem("https://tiktokcdn.com/obj/a.gif", "gif"),)),
            PHOTO_APP,
            "media_unsupported",
        ),
        (
            PostContent(text="hi", media=(MediaItem("https://tiktokcdn.com/obj/a.png", "image", mime="image/png"),)),
            PHOTO_APP,
            "media_unsupported",
        ),
        (
            PostContent(
                text="hi", media=tuple(MediaItem(f"https://tiktokcdn.com/obj/{n}.jpg", "image") for n in range(36))
            ),
            PHOTO_APP,
            "invalid_content",
        ),
        (
            PostContent(text="hi", media=(MediaItem("https://x.example/v.avi", "video", mime="video/x-msvideo"),)),
            APP,
            "media_unsupported",
        ),
    ],
    ids=[
        "unverified-photos",
        "long-photo-title",
        "cover-out-of-range",
        "no-media",
        "video-and-photos",
        "gif",
        "png",
        "36-photos",
        "avi",
    ],
)
def test_what_tiktok_cannot_post_is_refused_before_any_call(
    clock: FakeClock, content: PostContent, app: AppCredentials, code: str
) -> None:
    script = TikTokScript()

    with pytest.raises(PlatformError) as refused:
        tiktok_for(script, clock, app=app).publish(content)

    assert (refused.value.error_class, refused.value.code) == (ErrorClass.PERMANENT, code)
    assert script.requests == []


def test_the_unverified_photo_message_explains_verified_domains(clock: FakeClock) -> None:
    with pytest.raises(PlatformError) as refused:
        tiktok_for(TikTokScript(), clock).publish(PostContent(text="hi", media=PHOTOS))

    assert "verified for the app" in refused.value.message and "verified_domains" in refused.value.message
    assert "URL prefix" in refused.value.message


# --- what TikTok's API cannot do -----------------------------------------------------------------


def test_delete_and_replies_are_not_supported(clock: FakeClock) -> None:
    platform = tiktok_for(Script(), clock)
    parent = PublishedPost(VIDEO_ID, f"https://www.tiktok.com/@tiktoker/video/{VIDEO_ID}")

    with pytest.raises(PlatformError) as delete:
        platform.delete(VIDEO_ID)
    with pytest.raises(PlatformError) as reply:
        platform.reply(parent, PostContent(text="first comment"))

    assert (delete.value.error_class, delete.value.code) == (ErrorClass.PERMANENT, "not_supported")
    assert "delete it in the TikTok app" in delete.value.message
    assert (reply.value.error_class, reply.value.code) == (ErrorClass.PERMANENT, "not_supported")


# --- metrics -------------------------------------------------------------------------------------


def test_metrics_are_views_likes_comments_and_shares(clock: FakeClock) -> None:
    script = TikTokScript(replay("video_query"))

    found = tiktok_for(script, clock).metrics([VIDEO_ID, "7320212841003372842"])

    assert found == {
        VIDEO_ID: {"views": 1520, "likes": 96, "comments": 12, "shares": 7},
        "7320212841003372842": {"views": 870, "likes": 41, "comments": 3, "shares": 1},
    }


def test_metrics_ask_for_twenty_videos_at_a_time_and_skip_publish_ids(clock: FakeClock) -> None:
    ids = [str(7320953458411489000 + n) for n in range(45)]
    empty = {"data": {"videos": []}, "error": {"code": "ok", "message": "", "log_id": "x"}}
    script = TikTokScript(
        *[
            replay("video_query", json={"filters": {"video_ids": batch}}, body=empty)
            for batch in (ids[:20], ids[20:40], ids[40:])
        ]
    )

    found = tiktok_for(script, clock).metrics([FILE_PUBLISH, *ids, PHOTO_PUBLISH])

    script.assert_done()
    assert found == {}


# --- reconcile -----------------------------------------------------------------------------------


def listing(*videos: dict[str, Any], has_more: bool = False, cursor: int = 1893916800000) -> dict[str, Any]:
    return {
        "data": {"videos": list(videos), "cursor": cursor, "has_more": has_more},
        "error": {"code": "ok", "message": "", "log_id": "x"},
    }


def listed(video_id: str, text: str, created: int) -> dict[str, Any]:
    return {
        "id": video_id,
        "title": "",
        "video_description": text,
        "create_time": created,
        "share_url": f"https://www.tiktok.com/@tiktoker/video/{video_id}?utm_campaign=tt4d_open_api",
    }


def test_reconcile_finds_the_post_among_the_recent_public_videos(clock: FakeClock) -> None:
    script = TikTokScript(replay("creator_info"), replay("video_list"))

    found = tiktok_for(script, clock).reconcile(PostContent(text=CAPTION, target_key="pst_1:acc_tt"))

    assert found.outcome is ReconcileOutcome.FOUND
    assert found.post == PublishedPost(VIDEO_ID, f"https://www.tiktok.com/@tiktoker/video/{VIDEO_ID}")
    assert clock.slept == []


def test_reconcile_matches_a_long_caption_by_what_the_listing_shows(clock: FakeClock) -> None:
    caption = "x" * 149 + " and then some more words past the listing's 150"
    body = listing(listed("7320953458411489999", caption[:150].rstrip(), 1893999600))
    script = TikTokScript(replay("creator_info"), replay("video_list", body=body))

    found = tiktok_for(script, clock).reconcile(PostContent(text=caption, target_key="pst_1:acc_tt"))

    assert found.outcome is ReconcileOutcome.FOUND and found.post is not None
    assert found.post.platform_post_id == "7320953458411489999"


def test_reconcile_cannot_tell_when_several_looks_find_nothing(clock: FakeClock) -> None:
    script = TikTokScript(replay("creator_info"), *[replay("video_list") for _ in range(RECONCILE_LOOKS)])

    unknown = tiktok_for(script, clock).reconcile(PostContent(text="never posted", target_key="pst_1:acc_tt"))

    script.assert_done()
    assert unknown.outcome is ReconcileOutcome.UNKNOWN  # moderation may still hold it: never resend blindly
    assert clock.slept == [RECONCILE_LOOK_SECONDS] * (RECONCILE_LOOKS - 1)


def test_reconcile_finds_a_post_that_appears_on_a_later_look(clock: FakeClock) -> None:
    empty = listing(listed("7320212841003372842", "Morning run #fitness", 1893916800))
    script = TikTokScript(replay("creator_info"), replay("video_list", body=empty), replay("video_list"))

    found = tiktok_for(script, clock).reconcile(PostContent(text=CAPTION, target_key="pst_1:acc_tt"))

    assert found.outcome is ReconcileOutcome.FOUND
    assert clock.slept == [RECONCILE_LOOK_SECONDS]


def test_reconcile_ignores_the_same_caption_before_the_window_and_pages_until_then(clock: FakeClock) -> None:
    first = listing(
        *[listed(str(7320212841003372800 + n), f"other {n}", 1893999000 - n) for n in range(20)],
        has_more=True,
        cursor=1893998981000,
    )
    second = listing(listed("7320212841003372000", CAPTION, 1893916800))  # a day old: outside the window
    pages = [
        replay("video_list", body=first),
        replay("video_list", body=second, json={"max_count": 20, "cursor": 1893998981000}),
    ]
    script = TikTokScript(replay("creator_info"), *(pages * RECONCILE_LOOKS))

    older = tiktok_for(script, clock).reconcile(PostContent(text=CAPTION, target_key="pst_1:acc_tt"))

    script.assert_done()
    assert older.outcome is ReconcileOutcome.UNKNOWN and older.post is None


def test_reconcile_cannot_tell_beyond_the_pages_it_reads(clock: FakeClock) -> None:
    page = listing(
        *[listed(str(7320212841003372800 + n), f"other {n}", 1893999000) for n in range(20)],
        has_more=True,
        cursor=1893999000000,
    )
    exchanges = [replay("video_list", body=page)] + [
        replay("video_list", body=page, json={"max_count": 20, "cursor": 1893999000000}) for _ in range(4)
    ]
    script = TikTokScript(replay("creator_info"), *exchanges)

    unknown = tiktok_for(script, clock).reconcile(PostContent(text=CAPTION, target_key="pst_1:acc_tt"))

    script.assert_done()
    assert unknown.outcome is ReconcileOutcome.UNKNOWN


@pytest.mark.parametrize(
    ("content", "app", "exchanges"),
    [
        (PostContent(text=CAPTION, target_key="p:a"), UNAUDITED, []),  # every post is private
        (PostContent(text=CAPTION, target_key="p:a", options={"privacy_level": "SELF_ONLY"}), APP, []),
        (PostContent(text="", target_key="p:a"), APP, []),  # no caption to tell posts apart
        (PostContent(text=CAPTION, target_key="p:a:1"), APP, []),  # a later step: TikTok has none
        (PostContent(text=CAPTION, target_key="p:a"), APP, ["private-account"]),
        (PostContent(text=CAPTION, target_key="p:a"), APP, ["listing-refused"]),
    ],
    ids=["unaudited", "asked-private", "no-caption", "later-step", "private-account", "listing-refused"],
)
def test_reconcile_cannot_tell_for_private_posts_or_without_a_listing(
    clock: FakeClock, content: PostContent, app: AppCredentials, exchanges: list[str]
) -> None:
    scripted: list[Exchange] = []
    if "private-account" in exchanges:
        creator = recorded("creator_info")["response"]["body"]
        creator["data"]["privacy_level_options"] = ["FOLLOWER_OF_CREATOR", "SELF_ONLY"]
        scripted.append(replay("creator_info", body=creator))
    if "listing-refused" in exchanges:
        scope = recorded("error_scope_not_authorized")["response"]
        scripted += [replay("creator_info"), replay("video_list", status=scope["status"], body=scope["body"])]
    script = TikTokScript(*scripted)

    unknown = tiktok_for(script, clock, app=app).reconcile(content)

    script.assert_done()
    assert unknown.outcome is ReconcileOutcome.UNKNOWN


# --- errors --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "error_class", "code", "retry_after"),
    [
        ("error_rate_limit_exceeded", ErrorClass.RETRY, "rate_limited", timedelta(minutes=1)),
        ("error_spam_risk_too_many_posts", ErrorClass.RETRY, "quota_exceeded", timedelta(days=1)),
        ("error_spam_risk_too_many_pending_share", ErrorClass.RETRY, "quota_exceeded", timedelta(days=1)),
        ("error_access_token_invalid", ErrorClass.REFRESH, "token_expired", None),
        ("error_scope_not_authorized", ErrorClass.RECONNECT, "account_disconnected", None),
        ("error_scope_permission_missed", ErrorClass.RECONNECT, "account_disconnected", None),
        ("error_spam_risk_user_banned_from_posting", ErrorClass.PERMANENT, "account_restricted", None),
        ("error_spam_risk_text", ErrorClass.PERMANENT, "invalid_content", None),
        ("error_unaudited_client", ErrorClass.PERMANENT, "app_not_configured", None),
        ("error_reached_active_user_cap", ErrorClass.PERMANENT, "app_not_configured", None),
        ("error_url_ownership_unverified", ErrorClass.PERMANENT, "app_not_configured", None),
        ("error_privacy_level_option_mismatch", ErrorClass.PERMANENT, "invalid_content", None),
        ("error_invalid_params", ErrorClass.PERMANENT, "invalid_content", None),
        ("error_invalid_file_upload", ErrorClass.PERMANENT, "media_unsupported", None),
        ("error_internal", ErrorClass.RETRY, "platform_unavailable", None),
    ],
)
def test_classify_recorded_errors(
    clock: FakeClock, name: str, error_class: ErrorClass, code: str, retry_after: timedelta | None
) -> None:
    response = recorded_error(name)

    error = tiktok_for(Script(), clock).classify_error(response)

    tiktok_code = recorded(name)["response"]["body"]["error"]["code"]
    assert (error.error_class, error.code) == (error_class, code)
    assert error.platform_code == f"{response.status_code} {tiktok_code}"
    assert error.retry_at == (clock.now() + retry_after if retry_after else None)
    assert recorded(name)["response"]["body"]["error"]["message"] in error.message


@pytest.mark.parametrize(
    ("body", "code", "message"),
    [
        ("error_unaudited_client", "app_not_configured", "make the TikTok account private"),
        ("error_url_ownership_unverified", "app_not_configured", "verified_domains"),
        ("error_spam_risk_too_many_posts", "quota_exceeded", "tomorrow"),
    ],
)
def test_app_configuration_errors_say_how_to_fix_them(clock: FakeClock, body: str, code: str, message: str) -> None:
    error = tiktok_for(Script(), clock).classify_error(recorded_error(body))

    assert error.code == code and message in error.message


@pytest.mark.parametrize(
    ("response", "error_class", "code"),
    [
        (httpx.Response(502, text="Bad Gateway"), ErrorClass.RETRY, "platform_unavailable"),
        (httpx.Response(503), ErrorClass.RETRY, "platform_unavailable"),
        (httpx.Response(429), ErrorClass.RETRY, "rate_limited"),
        (httpx.Response(401), ErrorClass.REFRESH, "token_expired"),
        (
            httpx.Response(404, json={"error": {"code": "not_found", "message": "", "log_id": ""}}),
            ErrorClass.PERMANENT,
            "not_found",
        ),
        (
            httpx.Response(400, json={"error": {"code": "something_new", "message": "no", "log_id": ""}}),
            ErrorClass.PERMANENT,
            "invalid_content",
        ),
        (httpx.Response(200, text="<html>upstream</html>"), ErrorClass.RETRY, "platform_unavailable"),
        (
            httpx.Response(
                200, json={"data": {}, "error": {"code": "rate_limit_exceeded", "message": "", "log_id": ""}}
            ),
            ErrorClass.RETRY,
            "rate_limited",
        ),
        (
            httpx.Response(403, json={"error": {"code": "new_refusal", "message": "no", "log_id": ""}}),
            ErrorClass.PERMANENT,
            "platform_error",
        ),
    ],
    ids=["502", "503", "429-bare", "401-bare", "404", "400-unknown", "200-html", "200-with-error", "403-unknown"],
)
def test_classify_other_answers(clock: FakeClock, response: httpx.Response, error_class: ErrorClass, code: str) -> None:
    error = tiktok_for(Script(), clock).classify_error(response)

    assert (error.error_class, error.code) == (error_class, code)


def test_an_expired_token_without_a_refresh_token_means_reconnect(clock: FakeClock) -> None:
    credentials = Credentials("acc_tt", "tiktoker", {"access_token": ACCESS})

    error = tiktok_for(Script(), clock, credentials=credentials).classify_error(
        recorded_error("error_access_token_invalid")
    )

    assert (error.error_class, error.code) == (ErrorClass.RECONNECT, "account_disconnected")


@pytest.mark.parametrize(
    ("exc", "code"),
    [(httpx.ReadTimeout("slow"), "timeout"), (httpx.ConnectError("refused"), "network_error")],
)
def test_classify_transport_errors(clock: FakeClock, exc: Exception, code: str) -> None:
    error = tiktok_for(Script(), clock).classify_error(None, exc)

    assert (error.error_class, error.code) == (ErrorClass.RETRY, code)


def test_the_caption_counts_in_utf16_units(clock: FakeClock) -> None:
    platform = tiktok_for(Script(), clock)

    assert platform.count_text("héllo") == 5
    assert platform.count_text("👋") == 2
    assert (TikTokPlatform.text_limits.max_length, TikTokPlatform.text_limits.counting) == (2200, "utf16_units")
    assert TikTokPlatform.media_limits.max_items == 35
