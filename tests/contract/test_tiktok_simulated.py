"""TikTokPlatform against the TikTok simulator: publishing (chunked uploads, pulls, photos),
processing polls, the audit, reconcile, metrics, tokens and every injected failure."""

from __future__ import annotations

import base64
import hashlib
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fake_media import FakeMedia

from herald.accounts.model import Account
from herald.platforms import simulators
from herald.platforms.base import (
    OUTCOME_UNKNOWN_CODES,
    AppCredentials,
    Credentials,
    ErrorClass,
    MediaItem,
    PlatformError,
    PostContent,
    ReconcileOutcome,
)
from herald.platforms.registry import open_platform
from herald.platforms.simulators import TEST_CLIENT_ID, TEST_CLIENT_SECRET, simulated_code
from herald.platforms.simulators.common import grown_followers, grown_metrics
from herald.platforms.simulators.tiktok import (
    PROCESSING_SECONDS,
    STALLED_SECONDS,
    TikTokSimulator,
    connect_handler,
    fail_next_publish,
    stall_next_publish,
)
from herald.platforms.tiktok import (
    CHUNK_BYTES,
    JSON_TYPE,
    RECONCILE_LOOK_SECONDS,
    STATUS_POLL_SECONDS,
    STATUS_POLLS,
    UNAUDITED_NOTICE,
    UNAUDITED_POST_NOTICE,
    TikTokPlatform,
)
from support.clock import FakeClock

API = "https://open.tiktokapis.com"
VERIFIED = "media.herald.example.com"
APP = AppCredentials(TEST_CLIENT_ID, TEST_CLIENT_SECRET, settings={"audited": "true", "verified_domains": VERIFIED})
UNAUDITED = AppCredentials(TEST_CLIENT_ID, TEST_CLIENT_SECRET, settings={"verified_domains": VERIFIED})
REDIRECT = "https://herald.example/v1/oauth/tiktok/callback"
BIG = 2 * CHUNK_BYTES + 4321  # two chunks: the last holds the rest
EXTERNAL = "https://cdn.other.example.com/clip.mp4"


@pytest.fixture
def sim_clock() -> FakeClock:
    """A clock shared by the adapter (its sleeps) and the simulator (its now)."""
    clock = FakeClock(datetime.now(UTC).replace(microsecond=0))
    simulators.use_clock(clock.now)
    return clock


def simulated(
    account: Account,
    clock: FakeClock | None = None,
    media: FakeMedia | None = None,
    app: AppCredentials | None = APP,
) -> TikTokPlatform:
    handler = TikTokSimulator.for_account(account).handle
    credentials = Credentials(account_id=account.id, username=account.username, tokens=dict(account.credentials))
    return TikTokPlatform(
        httpx.Client(transport=httpx.MockTransport(handler)), credentials, app=app, media=media, clock=clock
    )


def clip(size: int = 1000, url: str = EXTERNAL, **fields: Any) -> tuple[MediaItem, FakeMedia]:
    return MediaItem(url, "video", mime="video/mp4", size=size, **fields), FakeMedia({url: b"v" * size})


def raw_client(account: Account) -> httpx.Client:
    """A client on the account's simulator carrying its token, for calls the adapter would not make."""
    return httpx.Client(
        transport=httpx.MockTransport(TikTokSimulator.for_account(account).handle),
        headers={"authorization": f"Bearer {account.credentials['access_token']}", "content-type": JSON_TYPE},
    )


# --- publishing ----------------------------------------------------------------------------------


def test_a_chunked_video_is_uploaded_processed_and_published(make_account, sim_clock: FakeClock) -> None:
    account = make_account("tiktok", "acc_sim", "herald")
    item, media = clip(BIG)

    post = simulated(account, sim_clock, media).publish(PostContent(text="Launch day #herald", media=(item,)))

    [held] = simulators.published("acc_sim")
    assert held["id"] == post.platform_post_id and len(post.platform_post_id) == 19
    assert post.url == f"https://www.tiktok.com/@herald/video/{post.platform_post_id}"
    assert post.extra["publish_id"].startswith("v_pub_file~v2-1.")
    assert (held["description"], held["privacy_level"], held["video_size"]) == (
        "Launch day #herald",
        "PUBLIC_TO_EVERYONE",
        BIG,
    )
    assert held["source"] == "FILE_UPLOAD"
    assert media.calls == [("chunks", EXTERNAL, CHUNK_BYTES)]
    assert sim_clock.slept == [STATUS_POLL_SECONDS]  # processing at the first poll, complete at the second
    assert post.notices == ()


def test_a_video_on_a_verified_domain_is_pulled(make_account, sim_clock: FakeClock) -> None:
    account = make_account("tiktok", "acc_sim", "herald")
    item = MediaItem(f"https://{VERIFIED}/launch.mp4", "video", size=BIG)
    media = FakeMedia({})

    post = simulated(account, sim_clock, media).publish(PostContent(text="Pulled", media=(item,)))

    assert post.extra["publish_id"].startswith("v_pub_url~v2-1.")
    assert simulators.published("acc_sim")[0]["source"] == "PULL_FROM_URL"
    assert media.calls == []


def test_photos_are_pulled_with_their_title_and_description(make_account, sim_clock: FakeClock) -> None:
    account = make_account("tiktok", "acc_sim", "herald")
    photos = tuple(MediaItem(f"https://{VERIFIED}/{n}.jpg", "image", mime="image/jpeg") for n in range(3))

    post = simulated(account, sim_clock).publish(
        PostContent(
            text="Three shots", title="Shots", media=photos, options={"photo_cover_index": 2, "auto_add_music": True}
        )
    )

    [held] = simulators.published("acc_sim")
    assert post.url == f"https://www.tiktok.com/@herald/photo/{post.platform_post_id}"
    assert post.extra["publish_id"].startswith("p_pub_url~v2.")
    assert (held["title"], held["description"], held["kind"]) == ("Shots", "Three shots", "photo")
    assert held["photo_images"] == [item.url for item in photos]


def test_a_private_account_posts_at_its_first_level_and_keeps_the_publish_id(make_account, sim_clock) -> None:
    account = make_account("tiktok", "acc_sim", "private_herald")
    item, media = clip()
    platform = simulated(account, sim_clock, media)

    post = platform.publish(PostContent(text="Followers only", media=(item,), target_key="p1:acc_sim"))

    [held] = simulators.published("acc_sim")
    assert held["privacy_level"] == "FOLLOWER_OF_CREATOR"
    assert post.platform_post_id == post.extra["publish_id"]  # no public id for a post that is not public
    assert post.url == "https://www.tiktok.com/@private_herald"
    assert len(post.notices) == 2
    assert platform.metrics([post.platform_post_id]) == {}
    assert platform.reconcile(PostContent(text="Followers only", target_key="p1:acc_sim")).outcome is (
        ReconcileOutcome.UNKNOWN
    )


def test_a_quiet_creators_interactions_are_turned_off(make_account, sim_clock: FakeClock) -> None:
    account = make_account("tiktok", "acc_sim", "quiet_herald")
    item, media = clip()

    simulated(account, sim_clock, media).publish(PostContent(text="Shh", media=(item,)))

    [held] = simulators.published("acc_sim")
    assert (held["disable_comment"], held["disable_duet"], held["disable_stitch"]) == (True, True, True)


def test_the_simulator_refuses_interactions_the_creator_turned_off(make_account) -> None:
    account = make_account("tiktok", "acc_sim", "quiet_herald")
    body = {
        "post_info": {"title": "Shh", "privacy_level": "PUBLIC_TO_EVERYONE", "disable_comment": False},
        "source_info": {"source": "PULL_FROM_URL", "video_url": f"https://{VERIFIED}/a.mp4"},
    }

    answer = raw_client(account).post(f"{API}/v2/post/publish/video/init/", json=body)

    assert answer.status_code == 400 and answer.json()["error"]["code"] == "invalid_params"
    assert "disable_comment must be true" in answer.json()["error"]["message"]


def test_an_unaudited_app_posts_privately(make_account, sim_clock: FakeClock) -> None:
    account = make_account("tiktok", "acc_sim", "herald")
    item, media = clip()
    platform = simulated(account, sim_clock, media, app=UNAUDITED)

    post = platform.publish(PostContent(text="Private for now", media=(item,)))

    assert simulators.published("acc_sim")[0]["privacy_level"] == "SELF_ONLY"
    assert post.notices[0] == UNAUDITED_POST_NOTICE
    assert platform.identity().notices == (UNAUDITED_NOTICE,)


def test_the_creators_privacy_options_are_enforced(make_account) -> None:
    account = make_account("tiktok", "acc_sim", "private_herald")
    body = {
        "post_info": {
            "title": "x",
            "privacy_level": "PUBLIC_TO_EVERYONE",
            "disable_comment": False,
            "disable_duet": False,
            "disable_stitch": False,
        },
        "source_info": {"source": "PULL_FROM_URL", "video_url": f"https://{VERIFIED}/a.mp4"},
    }

    answer = raw_client(account).post(f"{API}/v2/post/publish/video/init/", json=body)

    assert (answer.status_code, answer.json()["error"]["code"]) == (403, "privacy_level_option_mismatch")


def test_a_pull_from_an_unverified_domain_is_refused(make_account, sim_clock: FakeClock) -> None:
    account = make_account("tiktok", "acc_sim", "herald")
    app = AppCredentials(TEST_CLIENT_ID, TEST_CLIENT_SECRET, settings={"audited": "true", "verified_domains": "*"})
    item = MediaItem("https://unverified.example.com/a.mp4", "video", size=1000)

    with pytest.raises(PlatformError) as refused:
        simulated(account, sim_clock, FakeMedia({}), app=app).publish(PostContent(text="x", media=(item,)))

    assert (refused.value.error_class, refused.value.code) == (ErrorClass.PERMANENT, "app_not_configured")
    assert refused.value.platform_code == "403 url_ownership_unverified"
    assert simulators.published("acc_sim") == []


# --- uploads, checked as TikTok does -------------------------------------------------------------


def init_upload(client: httpx.Client, size: int, chunk: int, count: int) -> httpx.Response:
    body = {
        "post_info": {
            "title": "x",
            "privacy_level": "SELF_ONLY",
            "disable_comment": False,
            "disable_duet": False,
            "disable_stitch": False,
        },
        "source_info": {"source": "FILE_UPLOAD", "video_size": size, "chunk_size": chunk, "total_chunk_count": count},
    }
    return client.post(f"{API}/v2/post/publish/video/init/", json=body)


def put(url: str, data: bytes, first: int, total: int, **headers: str) -> httpx.Response:
    sent = {
        "content-type": "video/mp4",
        "content-range": f"bytes {first}-{first + len(data) - 1}/{total}",
        "content-length": str(len(data)),
        **headers,
    }
    return httpx.Client(transport=httpx.MockTransport(TikTokSimulator("any").handle)).put(
        url, content=data, headers=sent
    )


@pytest.mark.parametrize(
    ("size", "chunk", "count", "problem"),
    [
        (4_000_000, 2_000_000, 2, "uploaded whole"),
        (30_000_000, 3_000_000, 10, "5 MB to 64 MB"),
        (30_000_000, 10_000_000, 2, "rounded down"),
        (200_000_000, 200_000_000, 1, "several chunks of at most 64 MB"),
        (30_000_000, 40_000_000, 1, "larger than video_size"),
    ],
    ids=["small-in-chunks", "tiny-chunks", "wrong-count", "one-huge-chunk", "chunk-over-size"],
)
def test_a_file_upload_must_follow_the_chunk_rules(make_account, size: int, chunk: int, count: int, problem: str):
    answer = init_upload(raw_client(make_account("tiktok", "acc_sim", "herald")), size, chunk, count)

    assert answer.status_code == 400 and answer.json()["error"]["code"] == "invalid_params"
    assert problem in answer.json()["error"]["message"]


def test_chunks_must_come_in_order_whole_and_of_the_declared_sizes(make_account) -> None:
    client = raw_client(make_account("tiktok", "acc_sim", "herald"))
    size, chunk = 2 * CHUNK_BYTES + 10, CHUNK_BYTES
    url = init_upload(client, size, chunk, 2).json()["data"]["upload_url"]
    data = bytes(size)

    out_of_order = put(url, data[chunk:], chunk, size)
    short = put(url, data[: chunk - 1], 0, size)
    wrong_total = put(url, data[:chunk], 0, size + 1)
    wrong_type = put(url, data[:chunk], 0, size, **{"content-type": "application/octet-stream"})
    lying_length = put(url, data[:chunk], 0, size, **{"content-range": f"bytes 0-{chunk}/{size}"})
    first = put(url, data[:chunk], 0, size)
    last = put(url, data[chunk:], chunk, size)
    again = put(url, data[chunk:], chunk, size)

    assert out_of_order.status_code == 416
    assert [r.status_code for r in (short, wrong_total, wrong_type, lying_length)] == [400] * 4
    assert all(r.json()["error"]["code"] == "invalid_file_upload" for r in (out_of_order, short, wrong_total))
    assert (first.status_code, last.status_code, again.status_code) == (206, 201, 400)


def test_an_unknown_upload_url_is_refused(make_account) -> None:
    make_account("tiktok", "acc_sim", "herald")

    answer = put("https://open-upload.tiktokapis.com/video/?upload_id=1&upload_token=x", b"v", 0, 1)

    assert answer.status_code == 404


# --- processing ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reason", "error_class", "code"),
    [
        ("duration_check_failed", ErrorClass.PERMANENT, "media_unsupported"),
        ("video_pull_failed", ErrorClass.RETRY, "media_unreachable"),
        ("internal", ErrorClass.RETRY, "platform_unavailable"),
    ],
)
def test_a_publish_tiktok_fails_to_process_is_classified(
    make_account, sim_clock: FakeClock, reason: str, error_class: ErrorClass, code: str
) -> None:
    account = make_account("tiktok", "acc_sim", "herald")
    item, media = clip(BIG)
    platform = simulated(account, sim_clock, media)
    fail_next_publish("acc_sim", reason)

    with pytest.raises(PlatformError) as failed:
        platform.publish(PostContent(text="Will fail", media=(item,)))

    assert (failed.value.error_class, failed.value.code) == (error_class, code)
    assert failed.value.platform_code == f"FAILED {reason}"
    assert simulators.published("acc_sim") == []
    platform.publish(PostContent(text="Next one works", media=(item,)))  # the hook hit one publish only
    assert len(simulators.published("acc_sim")) == 1


def test_a_publish_still_processing_is_found_by_reconcile_once_tiktok_is_done(make_account, sim_clock) -> None:
    account = make_account("tiktok", "acc_sim", "herald")
    item, media = clip(BIG)
    platform = simulated(account, sim_clock, media)
    stall_next_publish("acc_sim")
    content = PostContent(text="Slow one", media=(item,), target_key="p1:acc_sim")

    with pytest.raises(PlatformError) as pending:
        platform.publish(content)
    assert (pending.value.error_class, pending.value.code) == (ErrorClass.RETRY, "platform_unavailable")
    assert pending.value.code in OUTCOME_UNKNOWN_CODES
    assert sim_clock.slept == [STATUS_POLL_SECONDS] * (STATUS_POLLS - 1)
    assert simulators.published("acc_sim") == []

    sim_clock.advance(seconds=STALLED_SECONDS)  # TikTok finishes on its own
    found = platform.reconcile(PostContent(text="Slow one", target_key="p1:acc_sim"))

    [held] = simulators.published("acc_sim")
    assert found.outcome is ReconcileOutcome.FOUND and found.post is not None
    assert found.post.platform_post_id == held["id"]
    assert found.post.url == f"https://www.tiktok.com/@herald/video/{held['id']}"


# --- reconcile and metrics -----------------------------------------------------------------------


def test_reconcile_finds_or_cannot_tell(make_account, sim_clock: FakeClock) -> None:
    account = make_account("tiktok", "acc_sim", "herald")
    item, media = clip()
    platform = simulated(account, sim_clock, media)
    platform.publish(PostContent(text="Out there", media=(item,), target_key="p1:acc_sim"))

    found = platform.reconcile(PostContent(text="Out there", target_key="p1:acc_sim"))
    unseen = platform.reconcile(PostContent(text="Never sent", target_key="p2:acc_sim"))
    private = platform.reconcile(
        PostContent(text="Out there", target_key="p1:acc_sim", options={"privacy_level": "SELF_ONLY"})
    )
    unaudited = simulated(account, sim_clock, media, app=UNAUDITED).reconcile(
        PostContent(text="Out there", target_key="p1:acc_sim")
    )

    assert found.outcome is ReconcileOutcome.FOUND
    assert unseen.outcome is ReconcileOutcome.UNKNOWN
    assert private.outcome is ReconcileOutcome.UNKNOWN and unaudited.outcome is ReconcileOutcome.UNKNOWN


def test_reconcile_pages_through_the_listing(make_account, sim_clock: FakeClock) -> None:
    account = make_account("tiktok", "acc_sim", "herald")
    item, media = clip()
    platform = simulated(account, sim_clock, media)
    for n in range(25):
        platform.publish(PostContent(text=f"post {n}", media=(item,)))
        sim_clock.advance(seconds=60)

    found = platform.reconcile(PostContent(text="post 2", target_key="p:acc_sim"))

    assert found.outcome is ReconcileOutcome.FOUND and found.post is not None
    assert found.post.platform_post_id == simulators.published("acc_sim")[2]["id"]


def test_metrics_grow_with_time_for_public_videos(make_account, sim_clock: FakeClock) -> None:
    account = make_account("tiktok", "acc_sim", "herald")
    item, media = clip()
    platform = simulated(account, sim_clock, media)
    post = platform.publish(PostContent(text="Growing", media=(item,)))
    posted = datetime.fromtimestamp(simulators.published("acc_sim")[0]["create_time"], UTC)
    sim_clock.advance(days=2)

    found = platform.metrics([post.platform_post_id, "7320953458411489000", "v_pub_file~v2-1.1"])

    grown = grown_metrics(post.platform_post_id, posted, sim_clock.now())
    assert found == {
        post.platform_post_id: {
            "views": grown["impressions"],
            "likes": grown["likes"],
            "comments": grown["comments"],
            "shares": grown["shares"],
        }
    }
    assert grown["likes"] > 0


def test_metrics_need_the_video_list_scope(make_account, sim_clock: FakeClock) -> None:
    account = make_account("tiktok", "acc_sim", "herald")
    narrow = {**account.credentials, "scope": "user.info.basic,video.publish"}
    platform = simulated(account.model_copy(update={"credentials": narrow}), sim_clock)

    with pytest.raises(PlatformError) as refused:
        platform.metrics(["7320953458411489000"])

    assert (refused.value.error_class, refused.value.code) == (ErrorClass.RECONNECT, "account_disconnected")
    assert platform.reconcile(PostContent(text="x", target_key="p:acc_sim")).outcome is ReconcileOutcome.UNKNOWN


def test_identity_and_followers_that_grow(make_account, sim_clock: FakeClock) -> None:
    account = make_account("tiktok", "acc_sim", "herald")

    first = simulated(account, sim_clock).identity()
    sim_clock.advance(days=3)
    later = simulated(account, sim_clock).identity()

    assert first.platform_user_id == account.credentials["open_id"]
    assert first.username == "herald" and first.notices == ()
    assert first.followers == grown_followers(f"tiktok:{first.platform_user_id}", sim_clock.now() - timedelta(days=3))
    assert later.followers is not None and first.followers is not None and later.followers > first.followers


# --- injected failures ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("failure", "error_class", "code"),
    [
        ("rate_limited", ErrorClass.RETRY, "rate_limited"),
        # Before TikTok has the whole file of an upload nothing can publish: a plain retry.
        ("server_error", ErrorClass.RETRY, "upload_incomplete"),
        ("timeout", ErrorClass.RETRY, "upload_incomplete"),
        ("connect_timeout", ErrorClass.RETRY, "upload_incomplete"),
        ("malformed", ErrorClass.RETRY, "upload_incomplete"),
        ("expired_token", ErrorClass.REFRESH, "token_expired"),
        ("revoked_token", ErrorClass.REFRESH, "token_expired"),
    ],
)
def test_each_injected_failure_is_classified(
    make_account, sim_clock: FakeClock, failure: str, error_class: ErrorClass, code: str
) -> None:
    account = make_account("tiktok", "acc_sim", "herald", simulate=[failure])
    item, media = clip()

    with pytest.raises(PlatformError) as failed:
        simulated(account, sim_clock, media).publish(PostContent(text="Launch day", media=(item,)))

    assert (failed.value.error_class, failed.value.code) == (error_class, code)
    assert simulators.published("acc_sim") == []  # nothing published (yet)
    if failure == "rate_limited":
        assert failed.value.retry_at == sim_clock.now() + timedelta(minutes=1)


def test_a_duplicate_changes_nothing_on_tiktok(make_account, sim_clock: FakeClock) -> None:
    account = make_account("tiktok", "acc_sim", "herald", simulate=["duplicate"])
    item, media = clip()

    simulated(account, sim_clock, media).publish(PostContent(text="Twice", media=(item,)))
    simulated(account, sim_clock, media).publish(PostContent(text="Twice", media=(item,)))

    assert len(simulators.published("acc_sim")) == 2


@pytest.mark.parametrize("failure", ["timeout", "malformed"])
def test_a_lost_answer_to_a_pull_is_reconciled_to_the_post_tiktok_made(make_account, sim_clock, failure: str) -> None:
    account = make_account("tiktok", "acc_sim", "herald", simulate=[failure])
    item = MediaItem(f"https://{VERIFIED}/launch.mp4", "video", size=1000)
    platform = simulated(account, sim_clock, FakeMedia({}))
    with pytest.raises(PlatformError) as lost:
        platform.publish(PostContent(text="Pulled then lost", media=(item,), target_key="p1:acc_sim"))
    assert lost.value.code in OUTCOME_UNKNOWN_CODES
    assert sim_clock.slept == []

    found = platform.reconcile(PostContent(text="Pulled then lost", target_key="p1:acc_sim"))

    assert found.outcome is ReconcileOutcome.FOUND and found.post is not None
    assert [post["id"] for post in simulators.published("acc_sim")] == [found.post.platform_post_id]
    # TikTok finished PROCESSING_SECONDS after the pull: not on the first look, on the next one.
    assert sim_clock.slept == [RECONCILE_LOOK_SECONDS] and RECONCILE_LOOK_SECONDS >= PROCESSING_SECONDS


def test_a_lost_answer_to_a_file_upload_init_is_a_plain_retry_and_is_sent_once(make_account, sim_clock) -> None:
    account = make_account("tiktok", "acc_sim", "herald", simulate=["timeout"])
    item, media = clip()
    platform = simulated(account, sim_clock, media)
    content = PostContent(text="Uploaded later", media=(item,), target_key="p1:acc_sim")
    with pytest.raises(PlatformError) as lost:
        platform.publish(content)

    # TikTok never got the file, so it cannot publish: no reconcile needed, a new upload is safe.
    assert (lost.value.error_class, lost.value.code) == (ErrorClass.RETRY, "upload_incomplete")
    platform.publish(content)
    assert len(simulators.published("acc_sim")) == 1


def test_a_failed_create_that_made_nothing_is_a_plain_retry(make_account, sim_clock: FakeClock) -> None:
    account = make_account("tiktok", "acc_sim", "herald", simulate=["server_error"])
    item, media = clip()
    platform = simulated(account, sim_clock, media)
    with pytest.raises(PlatformError) as failed:
        platform.publish(PostContent(text="Try again", media=(item,)))

    assert (failed.value.error_class, failed.value.code) == (ErrorClass.RETRY, "upload_incomplete")
    assert simulators.published("acc_sim") == []


# --- tokens --------------------------------------------------------------------------------------


def test_an_expired_token_works_again_after_a_refresh(make_account, sim_clock: FakeClock) -> None:
    account = make_account("tiktok", "acc_sim", "herald", simulate=["expired_token"])
    item, media = clip()
    with pytest.raises(PlatformError):
        simulated(account, sim_clock, media).publish(PostContent(text="Launch", media=(item,)))

    renewed = simulated(account, sim_clock).refresh_credentials()
    assert renewed.expires_at == sim_clock.now() + timedelta(hours=24)
    refreshed = account.model_copy(update={"credentials": renewed.tokens})
    simulated(refreshed, sim_clock, media).publish(PostContent(text="Launch", media=(item,)))

    assert renewed.tokens["access_token"] != account.credentials["access_token"]
    assert renewed.tokens["refresh_token"] != account.credentials["refresh_token"]
    assert len(simulators.published("acc_sim")) == 1
    with pytest.raises(PlatformError) as stale:
        simulated(account, sim_clock, media).publish(PostContent(text="Again", media=(item,)))
    assert stale.value.code == "token_expired"


def test_a_revoked_token_cannot_be_refreshed(make_account, sim_clock: FakeClock) -> None:
    account = make_account("tiktok", "acc_sim", "herald", simulate=["revoked_token"])
    item, media = clip()
    platform = simulated(account, sim_clock, media)
    with pytest.raises(PlatformError):
        platform.publish(PostContent(text="Launch", media=(item,)))

    with pytest.raises(PlatformError) as refused:
        platform.refresh_credentials()

    assert (refused.value.error_class, refused.value.code) == (ErrorClass.RECONNECT, "account_disconnected")


def test_a_revoked_connection_is_refused_afterwards(make_account, sim_clock: FakeClock) -> None:
    platform = simulated(make_account("tiktok", "acc_sim", "herald"), sim_clock)

    assert platform.revoke() is True
    with pytest.raises(PlatformError) as refused:
        platform.identity()
    with pytest.raises(PlatformError) as no_refresh:
        platform.refresh_credentials()

    assert refused.value.code == "token_expired"
    assert no_refresh.value.error_class is ErrorClass.RECONNECT


def test_a_refresh_with_another_apps_credentials_is_refused(make_account) -> None:
    platform = simulated(make_account("tiktok", "acc_sim", "herald"), app=AppCredentials("someone-else", "secret"))

    with pytest.raises(PlatformError) as refused:
        platform.refresh_credentials()

    assert refused.value.platform_code == "400 invalid_client"


def challenge_of(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")


def test_connect_through_the_simulated_consent_with_pkce(make_account, sim_clock: FakeClock) -> None:
    client = httpx.Client(transport=httpx.MockTransport(connect_handler))
    verifier = "v" * 64
    code = simulated_code("grace_hopper", challenge_of(verifier))

    connection = TikTokPlatform.connect_with_code(client, APP, code, REDIRECT, verifier)
    account = make_account("tiktok", "acc_new", connection.identity.username)
    account = account.model_copy(update={"credentials": dict(connection.credentials.tokens)})
    platform = simulated(account, sim_clock)

    assert connection.identity.username == "grace_hopper"
    assert connection.credentials.tokens["open_id"] == connection.identity.platform_user_id
    assert connection.credentials.tokens["access_token"].startswith("act.")
    assert connection.credentials.tokens["refresh_token"].startswith("rft.")
    assert platform.identity() == connection.identity  # the account's simulator honours the connect tokens


@pytest.mark.parametrize(
    ("app", "verifier"),
    [
        (AppCredentials(TEST_CLIENT_ID, "wrong-secret"), "v" * 64),
        (APP, "w" * 64),
        (APP, None),
    ],
    ids=["wrong-secret", "wrong-verifier", "no-verifier"],
)
def test_simulated_consent_refuses_bad_exchanges(app: AppCredentials, verifier: str | None) -> None:
    client = httpx.Client(transport=httpx.MockTransport(connect_handler))
    code = simulated_code("grace_hopper", challenge_of("v" * 64))

    with pytest.raises(PlatformError) as refused:
        TikTokPlatform.connect_with_code(client, app, code, REDIRECT, verifier)

    assert (refused.value.error_class, refused.value.code) == (ErrorClass.RECONNECT, "account_disconnected")


def test_test_credentials_and_the_registry(make_account) -> None:
    account = make_account("tiktok", "acc_sim", "herald")

    platform = open_platform(account)

    assert isinstance(platform, TikTokPlatform)
    assert set(account.credentials) == {"access_token", "refresh_token", "open_id", "scope"}
    assert account.credentials == simulators.test_credentials("tiktok", "acc_sim", "herald")
    assert platform.identity().platform_user_id == account.credentials["open_id"]


def test_concurrent_publishes_each_get_their_own_post(make_account) -> None:
    account = make_account("tiktok", "acc_sim", "herald")
    item, media = clip()
    ids: list[str] = []

    def publish(n: int) -> None:
        ids.append(
            simulated(account, FakeClock(), media)
            .publish(PostContent(text=f"post {n}", media=(item,)))
            .platform_post_id
        )

    threads = [threading.Thread(target=publish, args=(n,)) for n in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(set(ids)) == 10
    assert len(simulators.published("acc_sim")) == 10
