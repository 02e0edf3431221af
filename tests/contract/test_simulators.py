"""The simulators' shared controls: test credentials, failure queues, reset and published()."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from itertools import pairwise

import httpx
import pytest

from herald.accounts.model import Account
from herald.platforms import simulators
from herald.platforms.base import (
    Credentials,
    ErrorClass,
    MediaItem,
    Platform,
    PlatformError,
    PostContent,
    ReconcileOutcome,
)
from herald.platforms.registry import adapter_class, open_platform
from herald.platforms.simulators.bluesky import RECORDINGS, BlueskySimulator, did_for_handle, shaped
from herald.platforms.simulators.common import FOLLOWERS_EPOCH, GROWN_METRICS, grown_followers, grown_metrics
from herald.platforms.simulators.x import XSimulator
from herald.platforms.x import XPlatform
from support.clock import FakeClock


def test_test_credentials_are_stable_per_account() -> None:
    x = simulators.test_credentials("x", "acc_1", "herald")
    bluesky = simulators.test_credentials("bluesky", "acc_1", "herald.bsky.social")

    assert x == simulators.test_credentials("x", "acc_1", "herald")
    assert x != simulators.test_credentials("x", "acc_2", "herald")
    assert set(x) == {"access_token", "refresh_token", "user_id"}
    assert len(x["user_id"]) == 19 and x["user_id"].isdigit()
    assert set(bluesky) == {"did", "access_jwt", "refresh_jwt"}
    assert bluesky["did"].startswith("did:plc:") and len(bluesky["did"]) == len("did:plc:") + 24
    assert bluesky["access_jwt"].count(".") == 2


def test_networks_without_a_simulator_get_no_credentials() -> None:
    assert simulators.test_credentials("myspace", "acc_1", "herald") == {}


def test_unknown_failures_cannot_be_injected() -> None:
    with pytest.raises(ValueError, match="no_such_failure"):
        simulators.inject("acc_1", ["rate_limited", "no_such_failure"])


def test_failures_queue_in_order_and_unknown_simulate_names_are_skipped(make_account) -> None:
    simulators.inject("acc_1", ["server_error"])  # before the account is first seen
    platform = open_platform(make_account("x", "acc_1", "herald", simulate=["bogus", "rate_limited"]))
    codes = []
    for n in range(3):
        try:
            platform.publish(PostContent(text=f"attempt {n}"))
            codes.append("published")
        except PlatformError as error:
            codes.append(error.code)

    assert codes == ["platform_unavailable", "rate_limited", "published"]


def test_the_simulate_list_is_seeded_once_per_account(make_account) -> None:
    account = make_account("x", "acc_1", "herald", simulate=["server_error"])
    with pytest.raises(PlatformError):
        open_platform(account).publish(PostContent(text="first"))

    open_platform(account).publish(PostContent(text="second"))  # a new simulator: same state, queue spent

    assert [p["text"] for p in simulators.published("acc_1")] == ["second"]


def test_reset_forgets_posts_and_queued_failures(make_account) -> None:
    platform = open_platform(make_account("x", "acc_1", "herald"))
    platform.publish(PostContent(text="before"))
    simulators.inject("acc_1", ["server_error"])

    simulators.reset()

    assert simulators.published("acc_1") == []
    open_platform(make_account("x", "acc_1", "herald")).publish(PostContent(text="after"))
    assert [p["text"] for p in simulators.published("acc_1")] == ["after"]


def test_published_hands_out_copies(make_account) -> None:
    open_platform(make_account("x", "acc_1", "herald")).publish(PostContent(text="original"))

    simulators.published("acc_1")[0]["text"] = "tampered"

    assert simulators.published("acc_1")[0]["text"] == "original"
    assert simulators.published("acc_unknown") == []


@pytest.mark.parametrize("platform", ["x", "bluesky"])
def test_an_account_without_credentials_gets_simulated_tokens(make_account, platform: str) -> None:
    account = make_account(platform, "acc_1", "herald").model_copy(update={"credentials": {}})
    simulator = {"x": XSimulator, "bluesky": BlueskySimulator}[platform].for_account(account)
    client = httpx.Client(transport=httpx.MockTransport(simulator.handle))
    tokens = simulators.test_credentials(platform, "acc_1", "herald")
    adapter = adapter_class(platform)(client, Credentials(account_id="acc_1", username="herald", tokens=tokens))
    adapter.publish(PostContent(text="minted", target_key="post_1:acc_1"))

    assert len(simulators.published("acc_1")) == 1
    with pytest.raises(PlatformError) as refused:  # the account itself holds no token: it must reconnect
        open_platform(account).publish(PostContent(text="no token", target_key="post_2:acc_1"))
    assert (refused.value.error_class, refused.value.code) == (ErrorClass.RECONNECT, "account_disconnected")


def test_the_x_simulator_serves_only_its_host(make_account) -> None:
    account = make_account("x", "acc_1", "herald")
    client = httpx.Client(
        transport=httpx.MockTransport(XSimulator.for_account(account).handle), base_url="https://api.twitter.com"
    )

    with pytest.raises(httpx.ConnectError):
        client.get("/2/users/me")

    error = XPlatform(client, Credentials("acc_1", "herald", dict(account.credentials))).classify_error(
        None, httpx.ConnectError("no such host")
    )
    assert error.code == "network_error"


# --- time: post metrics and follower counts that grow ------------------------------------------

POSTED = datetime(2030, 1, 7, 9, 0, 0, tzinfo=UTC)
NETWORKS = ("x", "bluesky", "linkedin", "facebook", "instagram", "threads", "mastodon", "telegram", "tiktok",
            "pinterest", "reddit", "youtube", "google_business")
# What each adapter reports from its simulator once a post has an audience; anything else the
# network does not give is absent, never zero.
MEASURED = {
    "x": {"impressions", "likes", "comments", "shares", "bookmarks"},
    "bluesky": {"likes", "comments", "shares", "bookmarks"},
    "linkedin": {"impressions", "clicks", "likes", "comments", "shares"},  # a page's post
    "facebook": {"likes", "comments", "shares"},  # shares only once there is one
    "instagram": {"views", "reach", "likes", "comments", "shares", "bookmarks"},
    "threads": {"impressions", "likes", "comments", "shares"},
    "mastodon": {"likes", "comments", "shares"},
    "telegram": set(),  # the Bot API shows no counts
    "tiktok": {"views", "likes", "comments", "shares"},
    "pinterest": {"impressions", "saves", "clicks", "outbound_clicks"},
    "reddit": {"likes", "comments", "shares"},
    "youtube": {"views", "likes", "comments"},
    "google_business": set(),  # no per-post insights: the location's own metrics instead
}
NO_COUNTS = ("telegram", "google_business")
# The count each network's growth is watched on (the others have likes).
GROWING = {"pinterest": "impressions"}
LATTE = MediaItem("https://media.example.com/latte.jpg", "image", mime="image/jpeg")
CLIP_BYTES = bytes(300 * 1024)
CLIP = MediaItem("https://media.example.com/clip.mp4", "video", mime="video/mp4", size=len(CLIP_BYTES),
                 width=1920, height=1080, duration_seconds=30.0)


class ClipSource:
    """The clip's bytes, for networks that take uploads (no network here)."""

    def read(self, item: MediaItem) -> bytes:
        return CLIP_BYTES

    def chunks(self, item: MediaItem, chunk_size: int) -> Iterator[bytes]:
        return iter([CLIP_BYTES[n : n + chunk_size] for n in range(0, len(CLIP_BYTES), chunk_size)])


def adapter(account: Account) -> Platform:
    platform = open_platform(account)
    platform.media = ClipSource()
    return platform


def grown_account(make_account, network: str) -> Account:
    username = {"bluesky": "herald.bsky.social", "telegram": "heraldnews"}.get(network, "herald")
    account: Account = make_account(network, "acc_grow", username)
    if network == "linkedin":  # a page: LinkedIn lets few apps read a member's post metrics
        page = {"author": "urn:li:organization:2000123", "scope": "w_organization_social,r_organization_social"}
        account = account.model_copy(update={"credentials": {**account.credentials, **page}})
    return account


def opened(account: Account, clock: FakeClock) -> Platform:
    """The adapter on a new simulator instance for the account (the account's state is shared)."""
    platform = adapter(account)
    platform.clock = clock  # processing polls do not wait
    return platform


def content_for(network: str, account: Account, text: str, target_key: str = "") -> PostContent:
    """A post the network takes: media where it needs them, a title and the options it requires."""
    media = (LATTE,) if network in ("instagram", "tiktok", "pinterest") else ()
    title, options = None, {}
    if network == "youtube":
        media, title = (CLIP,), text
    elif network == "reddit":
        title, options = text, {"subreddit": "herald"}
    elif network == "pinterest":
        from herald.platforms.simulators.pinterest import board_ids

        options = {"board_id": board_ids(account.id)[0]}
    return PostContent(text=text, media=media, title=title, target_key=target_key, options=options)


def published(make_account, network: str, clock: FakeClock) -> tuple[Account, str]:
    """A post made at the clock's time, on simulators that read the time from the clock."""
    simulators.use_clock(clock.now)
    account = grown_account(make_account, network)
    post = opened(account, clock).publish(content_for(network, account, "Growing", "post_1:acc_grow"))
    return account, post.platform_post_id


@pytest.mark.parametrize("network", NETWORKS)
def test_metrics_grow_with_the_time_since_posting_and_never_go_down(make_account, network: str) -> None:
    clock = FakeClock(POSTED)
    account, post_id = published(make_account, network, clock)
    platform = opened(account, clock)

    reads = []
    for hours in (0, 1, 1, 22, 24 * 30):  # at posting, then an hour, two hours, a day, a month later
        clock.advance(hours=hours)
        reads.append(platform.metrics([post_id]).get(post_id, {}))

    assert all(value == 0 for value in reads[0].values())  # nothing yet at posting
    for earlier, later in pairwise(reads):
        assert set(earlier) <= set(later)
        assert all(later[name] >= value for name, value in earlier.items()), (earlier, later)
    growing = GROWING.get(network, "likes")
    if network in NO_COUNTS:
        assert reads == [{}] * len(reads)
    else:
        assert reads[-1][growing] > reads[2][growing]  # a slow post may have none yet after two hours


@pytest.mark.parametrize("network", NETWORKS)
def test_a_network_reports_only_the_metrics_it_has(make_account, network: str) -> None:
    clock = FakeClock(POSTED)
    account, post_id = published(make_account, network, clock)
    clock.advance(days=30)

    found = opened(account, clock).metrics([post_id])

    expected = set(MEASURED[network])
    if network == "facebook" and not grown_metrics(post_id, POSTED, clock.now())["shares"]:
        expected.discard("shares")  # the Graph leaves `shares` out until there is one
    assert set(found.get(post_id, {})) == expected


@pytest.mark.parametrize("network", NETWORKS)
def test_the_same_post_counts_the_same_on_fresh_simulators(make_account, network: str) -> None:
    clock = FakeClock(POSTED)
    account, post_id = published(make_account, network, clock)
    clock.advance(days=1)

    first = opened(account, clock).metrics([post_id])
    second = opened(account, clock).metrics([post_id])

    assert first == second
    assert network in NO_COUNTS or first[post_id][GROWING.get(network, "likes")] > 0


@pytest.mark.parametrize("network", NETWORKS)
def test_followers_grow_day_by_day(make_account, network: str) -> None:
    clock = FakeClock(POSTED)
    simulators.use_clock(clock.now)
    account = grown_account(make_account, network)

    now = opened(account, clock).identity().followers
    clock.advance(hours=1)
    an_hour_later = opened(account, clock).identity().followers
    clock.advance(days=2)
    later = opened(account, clock).identity().followers
    again = opened(account, clock).identity().followers

    if network in ("linkedin", "google_business"):  # neither shows followers
        assert now is None and later is None
    else:
        assert now is not None and an_hour_later is not None and later is not None
        assert now <= an_hour_later < later == again


def test_grown_metrics_start_at_zero_and_approach_a_ceiling() -> None:
    every_17_minutes = range(0, 60 * 24 * 60, 17)  # for 60 days
    at = [grown_metrics("post_1", POSTED, POSTED + timedelta(minutes=minutes)) for minutes in every_17_minutes]
    before = grown_metrics("post_1", POSTED, POSTED - timedelta(hours=1))

    assert set(at[0]) == set(GROWN_METRICS)
    assert at[0] == before == dict.fromkeys(GROWN_METRICS, 0)
    for earlier, later in pairwise(at):
        assert all(later[name] >= earlier[name] for name in GROWN_METRICS)
    assert all(counts["reach"] <= counts["impressions"] for counts in at)
    assert 300 <= at[-1]["impressions"] <= 10_000
    month, two_months = (grown_metrics("post_1", POSTED, POSTED + timedelta(days=days)) for days in (30, 60))
    assert two_months["impressions"] - month["impressions"] <= 1  # saturated


def test_grown_metrics_depend_on_the_post_and_the_elapsed_time_only() -> None:
    elapsed = timedelta(hours=7)
    one = grown_metrics("post_1", POSTED, POSTED + elapsed)

    assert one == grown_metrics("post_1", POSTED + timedelta(days=3), POSTED + timedelta(days=3) + elapsed)
    assert one != grown_metrics("post_2", POSTED, POSTED + elapsed)


def test_grown_followers_start_from_a_base_and_gain_each_day() -> None:
    days = [grown_followers("x:1", FOLLOWERS_EPOCH + timedelta(days=n)) for n in range(0, 400, 3)]

    assert grown_followers("x:1", FOLLOWERS_EPOCH - timedelta(days=30)) == days[0]
    assert all(later >= earlier + 3 for earlier, later in pairwise(days))  # at least one a day
    assert grown_followers("x:1", POSTED) != grown_followers("x:2", POSTED)


def test_grown_counts_are_the_same_in_another_process() -> None:
    script = (
        "import json; from datetime import datetime;"
        "from herald.platforms.simulators.common import grown_followers, grown_metrics;"
        "t = datetime.fromisoformat('2030-01-07T09:00:00+00:00'); u = datetime.fromisoformat('2030-01-08T01:30:00+00:00');"
        "print(json.dumps([grown_metrics('1445880548472328192', t, u), grown_followers('bluesky:did:plc:abc', u)]))"
    )
    env = {**os.environ, "PYTHONHASHSEED": "4242"}
    answer = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)

    later = POSTED + timedelta(hours=16, minutes=30)
    assert json.loads(answer.stdout) == [
        grown_metrics("1445880548472328192", POSTED, later),
        grown_followers("bluesky:did:plc:abc", later),
    ]


def test_the_simulated_time_is_the_clock_given_until_a_reset() -> None:
    clock = FakeClock(POSTED)
    simulators.use_clock(clock.now)
    clock.advance(hours=2)

    assert simulators.simulated_now() == POSTED + timedelta(hours=2)
    simulators.reset()
    assert abs(simulators.simulated_now() - datetime.now(UTC)) < timedelta(minutes=1)


# --- Bluesky: handle resolution and record validation ----------------------------------------

PDS = "https://bsky.social/xrpc"


def bluesky_client(account: Account) -> httpx.Client:
    transport = httpx.MockTransport(BlueskySimulator.for_account(account).handle)
    return httpx.Client(transport=transport, headers={"authorization": f"Bearer {account.credentials['access_jwt']}"})


def test_the_bluesky_simulator_resolves_the_handles_it_knows(make_account) -> None:
    own = make_account("bluesky", "acc_1", "herald.example.com")
    other = make_account("bluesky", "acc_2", "friend.bsky.social")
    BlueskySimulator.for_account(other)  # seen by this process
    client = bluesky_client(own)
    client.headers.pop("authorization")  # the lookup is public

    def did_of(handle: str) -> str:
        answer = client.get(f"{PDS}/com.atproto.identity.resolveHandle", params={"handle": handle})
        assert answer.status_code == 200, answer.text
        return answer.json()["did"]

    assert did_of("Herald.Example.com") == own.credentials["did"]
    assert did_of("friend.bsky.social") == other.credentials["did"]
    assert did_of("someone.bsky.social") == did_of("SomeOne.bsky.social") == did_for_handle("someone.bsky.social")
    assert did_of("dev.test").startswith("did:plc:") and len(did_of("dev.test")) == len("did:plc:") + 24
    assert did_of("dev.test") != did_of("other.test")


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"handle": "nobody.example.com"}, "Unable to resolve handle"),
        ({"handle": "not a handle"}, "Error: handle must be a valid handle"),
        ({}, 'Error: Params must have the property "handle"'),
    ],
)
def test_the_bluesky_simulator_refuses_handles_it_cannot_resolve(make_account, params: dict, message: str) -> None:
    client = bluesky_client(make_account("bluesky", "acc_1", "herald.bsky.social"))

    answer = client.get(f"{PDS}/com.atproto.identity.resolveHandle", params=params)

    assert (answer.status_code, answer.json()) == (400, {"error": "InvalidRequest", "message": message})


TEXT = "Hi @ann.test #go 🚀"  # 21 bytes: "@ann.test" is 3-12, "#go" 13-16, the rocket 17-21
ANN = "did:plc:ann22222222222222222222"


def facet(start: int, end: int, feature: dict) -> dict:
    return {"index": {"byteStart": start, "byteEnd": end}, "features": [feature]}


MENTION = facet(3, 12, {"$type": "app.bsky.richtext.facet#mention", "did": ANN})
TAG = facet(13, 16, {"$type": "app.bsky.richtext.facet#tag", "tag": "go"})
EXTERNAL = {"uri": "https://example.com", "title": "Example", "description": ""}


def record(**extra: object) -> dict:
    return {"$type": "app.bsky.feed.post", "text": TEXT, "createdAt": "2030-01-07T09:00:00.000Z", **extra}


def create_record(account: Account, record: dict) -> httpx.Response:
    body = {"repo": account.credentials["did"], "collection": "app.bsky.feed.post", "record": record}
    return bluesky_client(account).post(f"{PDS}/com.atproto.repo.createRecord", json=body)


def test_the_bluesky_simulator_takes_a_record_with_facets_and_a_card(make_account) -> None:
    account = make_account("bluesky", "acc_1", "herald.bsky.social")
    embed = {"$type": "app.bsky.embed.external", "external": EXTERNAL}
    unknown = facet(17, 21, {"$type": "com.example.facet#sparkle"})  # the feature union is open

    answer = create_record(account, record(facets=[TAG, MENTION, unknown], embed=embed))

    assert answer.status_code == 200, answer.text
    assert simulators.published("acc_1")[0]["record"]["embed"] == embed


@pytest.mark.parametrize(
    ("extra", "problem"),
    [
        ({"facets": [facet(13, 22, TAG["features"][0])]}, "Record/facets/0/index must be a byte range inside"),
        ({"facets": [facet(13, 13, TAG["features"][0])]}, "Record/facets/0/index must be a byte range inside"),
        ({"facets": [facet(-1, 3, TAG["features"][0])]}, "integers of at least 0"),
        ({"facets": [facet(18, 20, TAG["features"][0])]}, "must start and end between UTF-8 characters"),
        ({"facets": [MENTION, facet(10, 16, TAG["features"][0])]}, "Record/facets/1 overlaps Record/facets/0"),
        (
            {"facets": [facet(3, 12, {"$type": "app.bsky.richtext.facet#mention", "did": "ann.test"})]},
            "did must be a valid did",
        ),
        (
            {"facets": [facet(3, 12, {"$type": "app.bsky.richtext.facet#link", "uri": "not a uri"})]},
            "uri must be a uri",
        ),
        (
            {"facets": [facet(13, 16, {"$type": "app.bsky.richtext.facet#tag", "tag": "g" * 65})]},
            "not be longer than 64",
        ),
        ({"facets": [facet(13, 16, {"$type": "app.bsky.richtext.facet#tag"})]}, 'must have the property "tag"'),
        ({"facets": [{"index": {"byteStart": 3, "byteEnd": 12}, "features": []}]}, 'must have the property "features"'),
        (
            {"embed": {"$type": "app.bsky.embed.external", "external": {"uri": "https://e.com", "title": "t"}}},
            'Record/embed/external must have the property "description"',
        ),
        (
            {"embed": {"$type": "app.bsky.embed.external", "external": {**EXTERNAL, "title": None}}},
            "Record/embed/external/title must be a string",
        ),
        (
            {"embed": {"$type": "app.bsky.embed.external", "external": {**EXTERNAL, "uri": "example.com"}}},
            "Record/embed/external/uri must be a uri",
        ),
        (
            {"embed": {"$type": "app.bsky.embed.external", "external": {**EXTERNAL, "thumb": "https://e.com/og.png"}}},
            "Record/embed/external/thumb should be a blob ref",
        ),
        ({"embed": {"$type": "app.bsky.embed.external"}}, 'Record/embed must have the property "external"'),
    ],
    ids=[
        "past-the-end",
        "empty",
        "negative",
        "mid-character",
        "overlap",
        "handle-as-did",
        "bad-uri",
        "long-tag",
        "no-tag",
        "no-features",
        "no-description",
        "title-not-string",
        "uri-not-uri",
        "thumb-not-blob",
        "no-external",
    ],
)
def test_the_bluesky_simulator_refuses_bad_records_as_the_pds_does(make_account, extra: dict, problem: str) -> None:
    account = make_account("bluesky", "acc_1", "herald.bsky.social")

    answer = create_record(account, record(**extra))

    assert answer.status_code == 400 and answer.json()["error"] == "InvalidRequest"
    assert answer.json()["message"].startswith("Invalid app.bsky.feed.post record: ")
    assert problem in answer.json()["message"]
    assert simulators.published("acc_1") == []


def upload(account: Account, data: bytes, mime: str) -> dict:
    answer = bluesky_client(account).post(
        f"{PDS}/com.atproto.repo.uploadBlob", content=data, headers={"content-type": mime}
    )
    assert answer.status_code == 200, answer.text
    return answer.json()["blob"]


def images(*blobs: dict, **extra: object) -> dict:
    return {"$type": "app.bsky.embed.images", "images": [{"alt": "", "image": blob, **extra} for blob in blobs]}


def test_the_bluesky_simulator_holds_the_blobs_the_account_uploaded(make_account) -> None:
    account = make_account("bluesky", "acc_1", "herald.bsky.social")
    blob = upload(account, b"\x89PNG\r\n\x1a\n" + bytes(10), "image/png")

    answer = create_record(account, record(embed=images(blob, aspectRatio={"width": 4, "height": 3})))

    assert answer.status_code == 200, answer.text
    assert blob == {"$type": "blob", "ref": blob["ref"], "mimeType": "image/png", "size": 18}
    assert blob["ref"]["$link"].startswith("bafkrei") and len(blob["ref"]["$link"]) == 59


@pytest.mark.parametrize(
    ("data", "mime", "error", "message"),
    [
        (None, None, "BlobNotFound", "Could not find blob: bafkreinotuploaded"),
        (
            b"plain text",
            "text/plain",
            "InvalidMimeType",
            "Wrong type of file. It is text/plain but it must match image/*",
        ),
        (bytes(1_000_001), "image/png", "BlobTooLarge", "This file is too large. It is 1000001"),
    ],
    ids=["not-uploaded", "not-an-image", "too-large"],
)
def test_the_bluesky_simulator_refuses_blobs_as_the_pds_does(
    make_account, data: bytes | None, mime: str | None, error: str, message: str
) -> None:
    account = make_account("bluesky", "acc_1", "herald.bsky.social")
    blob = (
        upload(account, data, mime)
        if data is not None and mime is not None
        else {"$type": "blob", "ref": {"$link": "bafkreinotuploaded"}, "mimeType": "image/png", "size": 1}
    )

    answer = create_record(account, record(embed=images(blob)))

    assert (answer.status_code, answer.json()["error"]) == (400, error)
    assert answer.json()["message"].startswith(message)
    assert simulators.published("acc_1") == []


BLOB = {"$type": "blob", "ref": {"$link": "bafkreiany"}, "mimeType": "image/png", "size": 1}


@pytest.mark.parametrize(
    ("embed", "problem"),
    [
        (images(*[BLOB] * 5), "Record/embed/images must not have more than 4 elements"),
        (
            {"$type": "app.bsky.embed.images", "images": [{"image": BLOB}]},
            'Record/embed/images/0 must have the property "alt"',
        ),
        (images({"cid": "bafkreiany"}), "Record/embed/images/0/image should be a blob ref"),
        (images(BLOB, aspectRatio={"width": 0, "height": 3}), "aspectRatio must have width and height"),
        ({"$type": "app.bsky.embed.video", "video": "bafkreiany"}, "Record/embed/video should be a blob ref"),
        ({"$type": "app.bsky.embed.video", "video": BLOB, "alt": 3}, "Record/embed/alt must be a string"),
    ],
    ids=["five-images", "no-alt", "not-a-blob", "zero-width", "video-not-a-blob", "alt-not-string"],
)
def test_the_bluesky_simulator_checks_media_embeds_lexicon_first(make_account, embed: dict, problem: str) -> None:
    answer = create_record(make_account("bluesky", "acc_1", "herald.bsky.social"), record(embed=embed))

    assert (answer.status_code, answer.json()["error"]) == (400, "InvalidRequest")
    assert problem in answer.json()["message"]


@pytest.mark.parametrize(
    ("params", "status", "error"),
    [
        ({"aud": "did:web:video.bsky.app", "lxm": "app.bsky.video.getUploadLimits"}, 200, None),
        ({"aud": "did:web:bsky.social", "lxm": "com.atproto.repo.uploadBlob", "exp": "+1800"}, 200, None),
        ({"aud": "did:web:bsky.social", "lxm": "com.atproto.repo.uploadBlob", "exp": "+7200"}, 400, "BadExpiration"),
        ({"aud": "did:web:bsky.social", "exp": "+120"}, 400, "BadExpiration"),  # no method: a minute at most
        ({"aud": "did:web:bsky.social", "lxm": "com.atproto.repo.uploadBlob", "exp": "-10"}, 400, "BadExpiration"),
        ({"aud": "video.bsky.app"}, 400, "InvalidRequest"),
    ],
    ids=["limits", "upload-30-min", "two-hours", "methodless", "past", "aud-not-a-did"],
)
def test_the_bluesky_simulator_signs_service_tokens_within_bounds(
    make_account, params: dict[str, str], status: int, error: str | None
) -> None:
    now = int(datetime.now(UTC).timestamp())
    if "exp" in params:
        params = {**params, "exp": str(now + int(params["exp"]))}
    client = bluesky_client(make_account("bluesky", "acc_1", "herald.bsky.social"))

    answer = client.get(f"{PDS}/com.atproto.server.getServiceAuth", params=params)

    assert answer.status_code == status, answer.text
    assert answer.json().get("error") == error
    if status == 200:
        assert answer.json()["token"].count(".") == 2


def test_the_bluesky_video_service_takes_only_the_right_service_token(make_account) -> None:
    account = make_account("bluesky", "acc_1", "herald.bsky.social")
    client = bluesky_client(account)
    limits_token = client.get(
        f"{PDS}/com.atproto.server.getServiceAuth",
        params={"aud": "did:web:video.bsky.app", "lxm": "app.bsky.video.getUploadLimits"},
    ).json()["token"]
    video = "https://video.bsky.app/xrpc"
    upload_params = {"did": account.credentials["did"], "name": "a.mp4"}

    limits = client.get(f"{video}/app.bsky.video.getUploadLimits", headers={"authorization": f"Bearer {limits_token}"})
    wrong = client.post(
        f"{video}/app.bsky.video.uploadVideo",
        params=upload_params,
        content=b"\x00\x00\x00\x18ftypmp42",
        headers={"authorization": f"Bearer {limits_token}", "content-type": "video/mp4"},
    )
    session = client.get(f"{video}/app.bsky.video.getUploadLimits")  # the session token is no service token
    unknown = client.get(f"{video}/app.bsky.video.getJobStatus", params={"jobId": "nosuchjob"})

    assert limits.json() == {"canUpload": True, "remainingDailyVideos": 25, "remainingDailyBytes": 10 * 1024**3}
    assert (wrong.status_code, session.status_code, unknown.status_code) == (401, 401, 404)


def test_the_bluesky_recordings_are_well_formed() -> None:
    entries = json.loads(RECORDINGS.read_text("utf-8"))

    assert len({entry["name"] for entry in entries}) == len(entries)
    for entry in entries:
        request, response = entry["request"], entry["response"]
        assert request["method"] in ("GET", "POST") and request["url"].startswith("https://"), entry["name"]
        assert entry["source"], entry["name"]
        if response["status"] >= 400 and "error" in response["body"] and "jobId" not in response["body"]:
            assert set(response["body"]) == {"error", "message"}, entry["name"]
        if request["method"] == "GET":
            assert "json" not in request, entry["name"]


def test_simulator_answers_carry_only_recorded_fields() -> None:
    with pytest.raises(ValueError, match="shows no"):
        shaped("createRecord", uri="at://x", invented=True)
    assert shaped("getJobStatus_processing", "jobStatus", state="JOB_STATE_ENCODING", jobId="j") == {
        "jobId": "j",
        "state": "JOB_STATE_ENCODING",
    }


# What every simulator does alike, checked through each network's real adapter.


@pytest.mark.parametrize(("network", "username"), [("x", "herald"), ("threads", "heraldhq"), ("linkedin", "Ada"),
                                                   ("tiktok", "herald"), ("pinterest", "herald"), ("reddit", "herald"),
                                                   ("youtube", "herald"), ("google_business", "Sunrise Bakery")])
def test_a_revoked_token_cannot_be_refreshed(make_account, network: str, username: str) -> None:
    account = make_account(network, "acc_sim", username, simulate=["revoked_token"])
    platform = adapter(account)
    with pytest.raises(PlatformError):
        platform.publish(content_for(network, account, "Launch day"))

    with pytest.raises(PlatformError) as refused:
        platform.refresh_credentials()

    assert (refused.value.error_class, refused.value.code) == (ErrorClass.RECONNECT, "account_disconnected")


@pytest.mark.parametrize(("network", "username"), [("x", "herald"), ("threads", "heraldhq"), ("mastodon", "herald"),
                                                   ("tiktok", "herald"), ("pinterest", "herald"), ("reddit", "herald"),
                                                   ("google_business", "Sunrise Bakery")])
def test_injected_failures_hit_creates_only(make_account, network: str, username: str) -> None:
    account = make_account(network, "acc_sim", username)
    platform = adapter(account)
    post = platform.publish(content_for(network, account, "first", "p1"))
    simulators.inject("acc_sim", ["server_error"])

    assert post.platform_post_id in platform.metrics([post.platform_post_id])
    assert platform.reconcile(content_for(network, account, "first", "p1")).outcome is ReconcileOutcome.FOUND
    with pytest.raises(PlatformError):
        platform.publish(content_for(network, account, "second", "p2"))
