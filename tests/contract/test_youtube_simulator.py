"""YouTubePlatform against the YouTube simulator: connecting, the resumable upload as the simulator
checks it, every injected failure, and what grows with time."""

from __future__ import annotations

import base64
import hashlib
from datetime import timedelta

import httpx
import pytest
from fake_media import FakeMedia

from herald.accounts.model import Account
from herald.platforms import simulators
from herald.platforms.base import (
    AppCredentials,
    ErrorClass,
    MediaItem,
    PlatformError,
    PostContent,
    PublishedPost,
    ReconcileOutcome,
)
from herald.platforms.registry import open_platform
from herald.platforms.simulators import TEST_CLIENT_ID, TEST_CLIENT_SECRET, simulated_code
from herald.platforms.simulators.common import grown_followers
from herald.platforms.simulators.youtube import YouTubeSimulator, channel_id_for, connect_handler, exhaust_quota
from herald.platforms.youtube import (
    CHUNK_SIZE,
    PROCESSING_POLL_SECONDS,
    RESUME_WAIT_SECONDS,
    SCOPES,
    UNAUDITED_NOTICE,
    YouTubePlatform,
)
from support.clock import FakeClock

APP = AppCredentials(TEST_CLIENT_ID, TEST_CLIENT_SECRET, settings={"audited": "true"})
REDIRECT = "https://herald.example.com/v1/oauth/youtube/callback"
VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
CHALLENGE = base64.urlsafe_b64encode(hashlib.sha256(VERIFIER.encode()).digest()).decode().rstrip("=")
BIG = bytes(range(251)) * (CHUNK_SIZE * 2 // 251 + 1000)  # three chunks, the last short
SMALL = b"\x00\x00\x00\x18ftypmp42" + bytes(300_000)
BIG_URL, SMALL_URL, THUMB_URL = (
    "https://bucket.example/big.mp4",
    "https://bucket.example/small.mp4",
    "https://cdn.example/thumb.jpg",
)
JPEG = b"\xff\xd8\xff\xe0" + bytes(500)


@pytest.fixture
def clock() -> FakeClock:
    clock = FakeClock()
    simulators.use_clock(clock.now)
    return clock


def files() -> FakeMedia:
    return FakeMedia({BIG_URL: BIG, SMALL_URL: SMALL, THUMB_URL: JPEG})


def youtube(account: Account, clock: FakeClock, media: FakeMedia | None = None) -> YouTubePlatform:
    platform = open_platform(account)
    assert isinstance(platform, YouTubePlatform)
    platform.clock = clock
    platform.media = media or files()
    return platform


def clip(url: str = SMALL_URL, **changes: object) -> PostContent:
    data = {BIG_URL: BIG, SMALL_URL: SMALL}[url]
    item = MediaItem(url, "video", mime="video/mp4", size=len(data))
    base = {"text": "Surfing in Santa Cruz", "title": "Summer vacation", "media": (item,), "target_key": "p1:acc_yt"}
    return PostContent(**{**base, **changes})  # type: ignore[arg-type]


def failure_of(call) -> PlatformError:
    with pytest.raises(PlatformError) as failed:
        call()
    return failed.value


# --- connecting -------------------------------------------------------------------------------


def connect_client() -> httpx.Client:
    return httpx.Client(transport=httpx.MockTransport(connect_handler))


def test_connect_exchanges_a_code_with_its_pkce_verifier_and_reads_the_channel() -> None:
    connection = YouTubePlatform.connect_with_code(
        connect_client(), APP, simulated_code("surf_daily", CHALLENGE), REDIRECT, VERIFIER
    )

    identity = connection.identity
    assert identity.platform_user_id == channel_id_for("connect:surf_daily")
    assert len(identity.platform_user_id) == 24 and identity.platform_user_id.startswith("UC")
    assert (identity.username, identity.display_name) == ("@surf_daily", "Surf Daily")
    assert identity.permissions == SCOPES
    assert connection.credentials.tokens["channel_id"] == identity.platform_user_id
    assert connection.credentials.tokens["access_token"].startswith("ya29.")
    assert connection.credentials.tokens["refresh_token"].startswith("1//")


@pytest.mark.parametrize(
    ("app", "verifier", "code"),
    [
        (APP, "not-the-verifier", "authorization_failed"),
        (APP, None, "authorization_failed"),
        (AppCredentials(TEST_CLIENT_ID, "wrong"), VERIFIER, "app_not_configured"),
    ],
    ids=["wrong-verifier", "no-verifier", "wrong-secret"],
)
def test_connect_is_refused_as_google_refuses(app: AppCredentials, verifier: str | None, code: str) -> None:
    refused = failure_of(
        lambda: YouTubePlatform.connect_with_code(
            connect_client(), app, simulated_code("surf_daily", CHALLENGE), REDIRECT, verifier
        )
    )

    assert (refused.error_class, refused.code) == (ErrorClass.PERMANENT, code)


def test_a_google_account_without_a_channel_cannot_connect() -> None:
    refused = failure_of(
        lambda: YouTubePlatform.connect_with_code(
            connect_client(), APP, simulated_code("nochannel_person", None), REDIRECT, None
        )
    )

    assert refused.code == "youtube_channel_required"


def test_a_connected_account_acts_as_its_channel(make_account, clock: FakeClock) -> None:
    connection = YouTubePlatform.connect_with_code(
        connect_client(), APP, simulated_code("surf_daily", None), REDIRECT, None
    )
    account = make_account("youtube", "acc_yt", "@surf_daily").model_copy(
        update={"credentials": connection.credentials.tokens}
    )

    identity = youtube(account, clock).identity()

    assert identity.platform_user_id == connection.identity.platform_user_id
    assert identity.followers == grown_followers(f"youtube:{identity.platform_user_id}", clock.now())


# --- publishing --------------------------------------------------------------------------------


def test_a_video_is_uploaded_in_chunks_processed_thumbnailed_and_listed(make_account, clock: FakeClock) -> None:
    account = make_account("youtube", "acc_yt", "herald")
    platform = youtube(account, clock)

    post = platform.publish(
        clip(BIG_URL, options={"thumbnail_url": THUMB_URL, "tags": ["surf"], "privacy": "unlisted"})
    )

    [video] = simulators.published("acc_yt")
    assert video["id"] == post.platform_post_id and len(post.platform_post_id) == 11
    assert post.url == f"https://www.youtube.com/watch?v={post.platform_post_id}"
    assert (video["size"], video["sha256"]) == (len(BIG), hashlib.sha256(BIG).hexdigest())
    assert (video["title"], video["description"], video["tags"]) == (
        "Summer vacation",
        "Surfing in Santa Cruz",
        ["surf"],
    )
    assert video["privacyStatus"] == "unlisted"
    assert video["thumbnail"]["sha256"] == hashlib.sha256(JPEG).hexdigest()
    assert post.notices == ()
    assert clock.slept == [PROCESSING_POLL_SECONDS]  # processing took one more look
    assert platform.reconcile(clip(BIG_URL)).post == PublishedPost(
        post.platform_post_id, post.url, extra={"kind": "video", "shorts": False}
    )


def test_a_short_is_tagged_and_linked_as_a_short(make_account, clock: FakeClock) -> None:
    platform = youtube(make_account("youtube", "acc_yt", "herald"), clock)
    item = MediaItem(
        SMALL_URL, "video", mime="video/mp4", size=len(SMALL), width=1080, height=1920, duration_seconds=30
    )

    post = platform.publish(clip(media=(item,), options={"shorts": True}))

    assert simulators.published("acc_yt")[0]["title"] == "Summer vacation #Shorts"
    assert post.url == f"https://www.youtube.com/shorts/{post.platform_post_id}"


def test_an_unaudited_app_has_its_uploads_locked_private(
    make_account, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HERALD_YOUTUBE_AUDITED", "false")
    platform = youtube(make_account("youtube", "acc_yt", "herald"), clock)

    post = platform.publish(clip())

    assert simulators.published("acc_yt")[0]["privacyStatus"] == "private"
    assert post.notices == (f"The video was asked to be public, but {UNAUDITED_NOTICE}",)
    assert platform.identity().notices == (UNAUDITED_NOTICE,)


def test_the_simulator_refuses_chunks_that_are_not_256k_multiples(make_account) -> None:
    account = make_account("youtube", "acc_yt", "herald")
    client = httpx.Client(transport=httpx.MockTransport(YouTubeSimulator.for_account(account).handle))
    start = client.post(
        "https://www.googleapis.com/upload/youtube/v3/videos",
        params={"uploadType": "resumable", "part": "snippet,status"},
        json={"snippet": {"title": "t"}, "status": {"privacyStatus": "private"}},
        headers={
            "Authorization": f"Bearer {account.credentials['access_token']}",
            "X-Upload-Content-Type": "video/mp4",
            "X-Upload-Content-Length": "600000",
        },
    )
    session = start.headers["location"]

    odd = client.put(session, content=bytes(300_000), headers={"Content-Range": "bytes 0-299999/600000"})
    gap = client.put(session, content=bytes(262_144), headers={"Content-Range": "bytes 10-262153/600000"})
    good = client.put(session, content=bytes(262_144), headers={"Content-Range": "bytes 0-262143/600000"})
    status = client.put(session, headers={"Content-Range": "bytes */600000"})
    last = client.put(session, content=bytes(337_856), headers={"Content-Range": "bytes 262144-599999/600000"})

    assert (odd.status_code, gap.status_code) == (400, 400)
    assert "multiple of 262144" in odd.json()["error"]["message"]
    assert (good.status_code, good.headers["range"]) == (308, "bytes=0-262143")
    assert (status.status_code, status.headers["range"]) == (308, "bytes=0-262143")
    assert last.status_code == 201 and len(last.json()["id"]) == 11
    again = client.put(session, headers={"Content-Range": "bytes */600000"})
    assert again.status_code == 200 and again.json()["id"] == last.json()["id"]


def test_the_simulator_checks_the_metadata(make_account) -> None:
    account = make_account("youtube", "acc_yt", "herald")
    client = httpx.Client(transport=httpx.MockTransport(YouTubeSimulator.for_account(account).handle))
    headers = {"Authorization": f"Bearer {account.credentials['access_token']}", "X-Upload-Content-Type": "video/mp4"}
    url = "https://www.googleapis.com/upload/youtube/v3/videos?uploadType=resumable&part=snippet,status"

    def reason(body: dict, extra: dict | None = None) -> str:
        answer = client.post(url, json=body, headers={**headers, **(extra or {})})
        assert answer.status_code == 400
        return answer.json()["error"]["errors"][0]["reason"]

    assert reason({"snippet": {"title": ""}}) == "invalidTitle"
    assert reason({"snippet": {"title": "a<b"}}) == "invalidTitle"
    assert reason({"snippet": {"title": "t", "description": "x" * 5001}}) == "invalidDescription"
    assert reason({"snippet": {"title": "t", "categoryId": "99"}}) == "invalidCategoryId"
    assert reason({"snippet": {"title": "t", "tags": ["t" * 501]}}) == "invalidTags"
    assert reason({"snippet": {"title": "t"}}, {"X-Upload-Content-Type": "image/png"}) == "badContent"
    assert simulators.published("acc_yt") == []


# --- comments, metrics, delete ------------------------------------------------------------------


def test_comments_replies_metrics_and_deletes(make_account, clock: FakeClock) -> None:
    platform = youtube(make_account("youtube", "acc_yt", "herald"), clock)
    post = platform.publish(clip())

    comment = platform.reply(post, PostContent(text="First!"))
    reply = platform.reply(comment, PostContent(text="Thanks"))
    at_posting = platform.metrics([post.platform_post_id])
    clock.advance(days=30)
    later = platform.metrics([post.platform_post_id, comment.platform_post_id])

    assert comment.platform_post_id.startswith("Ugz") and reply.platform_post_id.startswith(
        comment.platform_post_id + "."
    )
    assert comment.url == f"{post.url}&lc={comment.platform_post_id}"
    assert at_posting == {post.platform_post_id: {"views": 0, "likes": 0, "comments": 2}}
    assert set(later) == {post.platform_post_id}
    assert later[post.platform_post_id]["views"] > 0 and later[post.platform_post_id]["likes"] > 0
    assert later[post.platform_post_id]["comments"] >= 2

    platform.delete(reply.platform_post_id)
    platform.delete(post.platform_post_id)
    platform.delete(post.platform_post_id)  # gone already: still deleted
    assert simulators.published("acc_yt") == []


def test_reconcile_is_absent_when_nothing_was_made_and_finds_comments(make_account, clock: FakeClock) -> None:
    platform = youtube(make_account("youtube", "acc_yt", "herald"), clock)
    assert platform.reconcile(clip()).outcome is ReconcileOutcome.ABSENT
    post = platform.publish(clip())
    assert platform.reconcile(PostContent(text="First!"), post).outcome is ReconcileOutcome.ABSENT

    comment = platform.reply(post, PostContent(text="First!"))

    assert platform.reconcile(PostContent(text="First!"), post).post == comment
    clock.advance(days=2)
    assert platform.reconcile(clip()).outcome is ReconcileOutcome.ABSENT  # out of the window


# --- injected failures ---------------------------------------------------------------------------


def test_rate_limited_is_youtubes_403_and_creates_nothing(make_account, clock: FakeClock) -> None:
    platform = youtube(make_account("youtube", "acc_yt", "herald", simulate=["rate_limited"]), clock)

    error = failure_of(lambda: platform.publish(clip()))

    assert (error.error_class, error.code, error.platform_code) == (
        ErrorClass.RETRY,
        "rate_limited",
        "403 rateLimitExceeded",
    )
    assert simulators.published("acc_yt") == []
    platform.publish(clip())
    assert len(simulators.published("acc_yt")) == 1


def test_an_exhausted_quota_waits_for_midnight_pacific(make_account, clock: FakeClock) -> None:
    platform = youtube(make_account("youtube", "acc_yt", "herald"), clock)
    exhaust_quota("acc_yt")

    error = failure_of(lambda: platform.publish(clip()))

    assert (error.error_class, error.code, error.platform_code) == (
        ErrorClass.RETRY,
        "quota_exceeded",
        "403 quotaExceeded",
    )
    assert error.retry_at is not None and timedelta(0) < error.retry_at - clock.now() <= timedelta(hours=24)
    assert simulators.published("acc_yt") == []


def test_a_server_error_mid_upload_is_resumed_to_one_whole_video(make_account, clock: FakeClock) -> None:
    media = files()
    platform = youtube(make_account("youtube", "acc_yt", "herald", simulate=["server_error"]), clock, media)

    post = platform.publish(clip(BIG_URL))

    [video] = simulators.published("acc_yt")
    assert video["id"] == post.platform_post_id
    assert video["sha256"] == hashlib.sha256(BIG).hexdigest()
    assert clock.slept[0] == RESUME_WAIT_SECONDS
    assert media.calls == [("chunks", BIG_URL, CHUNK_SIZE)] * 2  # read again from where YouTube stood


def test_a_server_error_on_a_single_chunk_upload_is_resumed_from_the_start(make_account, clock: FakeClock) -> None:
    platform = youtube(make_account("youtube", "acc_yt", "herald", simulate=["server_error"]), clock)

    platform.publish(clip())

    assert simulators.published("acc_yt")[0]["sha256"] == hashlib.sha256(SMALL).hexdigest()


@pytest.mark.parametrize("failure", ["timeout", "malformed"])
def test_a_lost_answer_to_the_last_chunk_is_recovered_from_the_session(
    make_account, clock: FakeClock, failure: str
) -> None:
    platform = youtube(make_account("youtube", "acc_yt", "herald", simulate=[failure]), clock)

    post = platform.publish(clip())

    assert [video["id"] for video in simulators.published("acc_yt")] == [post.platform_post_id]


def test_connect_timeout_creates_nothing_and_reconciles_absent(make_account, clock: FakeClock) -> None:
    platform = youtube(make_account("youtube", "acc_yt", "herald", simulate=["connect_timeout"]), clock)

    error = failure_of(lambda: platform.publish(clip()))

    assert (error.error_class, error.code) == (ErrorClass.RETRY, "timeout")
    assert simulators.published("acc_yt") == []
    assert platform.reconcile(clip()).outcome is ReconcileOutcome.ABSENT


def test_an_expired_token_is_refreshed_then_the_publish_goes_through(make_account, clock: FakeClock) -> None:
    account = make_account("youtube", "acc_yt", "herald", simulate=["expired_token"])
    platform = youtube(account, clock)

    error = failure_of(lambda: platform.publish(clip()))
    refreshed = platform.refresh_credentials()
    platform.credentials = refreshed

    assert (error.error_class, error.code) == (ErrorClass.REFRESH, "token_expired")
    assert refreshed.tokens["access_token"] != account.credentials["access_token"]
    assert refreshed.tokens["refresh_token"] == account.credentials["refresh_token"]  # Google keeps it
    platform.publish(clip())
    assert len(simulators.published("acc_yt")) == 1


def test_a_revoked_grant_cannot_be_refreshed(make_account, clock: FakeClock) -> None:
    platform = youtube(make_account("youtube", "acc_yt", "herald", simulate=["revoked_token"]), clock)
    failure_of(lambda: platform.publish(clip()))

    error = failure_of(platform.refresh_credentials)

    assert (error.error_class, error.code, error.platform_code) == (
        ErrorClass.RECONNECT,
        "account_disconnected",
        "400 invalid_grant",
    )


def test_revoke_ends_the_grant(make_account, clock: FakeClock) -> None:
    platform = youtube(make_account("youtube", "acc_yt", "herald"), clock)

    assert platform.revoke() is True
    assert failure_of(platform.identity).error_class is ErrorClass.REFRESH
    assert failure_of(platform.refresh_credentials).error_class is ErrorClass.RECONNECT
    assert platform.revoke() is True  # a grant revoked already counts as revoked


def test_a_duplicate_is_rejected_by_youtube_once_processed(make_account, clock: FakeClock) -> None:
    platform = youtube(make_account("youtube", "acc_yt", "herald", simulate=["duplicate"]), clock)

    error = failure_of(lambda: platform.publish(clip()))

    assert (error.error_class, error.code, error.platform_code) == (
        ErrorClass.PERMANENT,
        "duplicate_content",
        "rejected duplicate",
    )


@pytest.mark.parametrize(
    ("failure", "error_class", "code"),
    [
        ("server_error", ErrorClass.RETRY, "platform_unavailable"),
        ("rate_limited", ErrorClass.RETRY, "rate_limited"),
        ("duplicate", ErrorClass.PERMANENT, "duplicate_content"),
        ("timeout", ErrorClass.RETRY, "timeout"),
        ("malformed", ErrorClass.RETRY, "platform_unavailable"),
    ],
)
def test_failures_injected_into_a_comment(
    make_account, clock: FakeClock, failure: str, error_class: ErrorClass, code: str
) -> None:
    platform = youtube(make_account("youtube", "acc_yt", "herald"), clock)
    post = platform.publish(clip())
    simulators.inject("acc_yt", [failure])

    error = failure_of(lambda: platform.reply(post, PostContent(text="First!")))

    assert (error.error_class, error.code) == (error_class, code)
    made = platform.reconcile(PostContent(text="First!"), post).outcome
    assert made is (ReconcileOutcome.FOUND if failure in ("timeout", "malformed") else ReconcileOutcome.ABSENT)


def test_failures_hit_creates_only(make_account, clock: FakeClock) -> None:
    platform = youtube(make_account("youtube", "acc_yt", "herald"), clock)
    post = platform.publish(clip())
    simulators.inject("acc_yt", ["rate_limited"])

    assert post.platform_post_id in platform.metrics([post.platform_post_id])
    assert platform.identity().username == "@herald"
    assert platform.reconcile(clip()).outcome is ReconcileOutcome.FOUND
    assert failure_of(lambda: platform.publish(clip(title="Second"))).code == "rate_limited"
