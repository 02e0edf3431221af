"""RedditPlatform against the Reddit simulator: connecting, the simulated subreddits' rules, media
processing, comments, metrics, reconcile and every injected failure."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest

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
from herald.platforms.reddit import MEDIA_POLL_SECONDS, RedditPlatform
from herald.platforms.registry import open_platform
from herald.platforms.simulators import TEST_CLIENT_ID, TEST_CLIENT_SECRET, simulated_code
from herald.platforms.simulators.common import grown_followers, grown_metrics
from herald.platforms.simulators.reddit import (
    IMAGE_PROCESSING,
    MAX_IMAGE_BYTES,
    MEDIA_HOST,
    RECORDINGS,
    RedditSimulator,
    connect_handler,
)
from support.clock import FakeClock

API = "https://oauth.reddit.com"
REDIRECT_URI = "https://herald.example.com/v1/oauth/reddit/callback"
APP = AppCredentials(TEST_CLIENT_ID, TEST_CLIENT_SECRET)
IMAGE = MediaItem("https://media.example.com/cat.png", "image", mime="image/png")
VIDEO = MediaItem("https://media.example.com/clip.mp4", "video", mime="video/mp4")
POSTER = "https://media.example.com/poster.jpg"
UA = "server:herald.herald-test-client:v0.1.0 (by /u/herald_bot)"


class Files:
    def __init__(self, size: int = 64) -> None:
        self.size = size

    def read(self, item: MediaItem) -> bytes:
        head = b"\x00\x00\x00\x18ftypmp42" if item.kind == "video" else b"\x89PNG\r\n\x1a\n"
        return head + bytes(max(self.size - len(head), 0))

    def chunks(self, item: MediaItem, chunk_size: int) -> Iterator[bytes]:
        data = self.read(item)
        yield from (data[start : start + chunk_size] for start in range(0, len(data), chunk_size))


def post(title: str = "Launch day", text: str = "We shipped.", subreddit: str = "herald",
         media: tuple[MediaItem, ...] = (), **options: object) -> PostContent:
    return PostContent(text=text, title=title, media=media, options={"subreddit": subreddit, **options},
                       target_key="post_1:acc_sim")


def simulated(account: Account, clock: FakeClock, files: Files | None = None) -> RedditPlatform:
    """The adapter on the account's simulator, with the simulator reading the clock's time."""
    simulators.use_clock(clock.now)
    client = httpx.Client(transport=httpx.MockTransport(RedditSimulator.for_account(account).handle))
    credentials = Credentials(account_id=account.id, username=account.username, tokens=dict(account.credentials))
    return RedditPlatform(client, credentials, app=APP, media=files or Files(), clock=clock)


@pytest.fixture
def account(make_account) -> Account:
    return make_account("reddit", "acc_sim", "herald_bot")


def api_client(account: Account, **headers: str) -> httpx.Client:
    transport = httpx.MockTransport(RedditSimulator.for_account(account).handle)
    return httpx.Client(transport=transport, headers={"authorization": f"bearer {account.credentials['access_token']}",
                                                      "user-agent": UA, **headers})


# --- publishing through the registry -----------------------------------------------------------


def test_the_registry_opens_the_simulator_for_a_test_account(account: Account) -> None:
    platform = open_platform(account)

    published = platform.publish(post())

    held = simulators.published("acc_sim")
    assert [(p["title"], p["selftext"], p["subreddit"]) for p in held] == [("Launch day", "We shipped.", "herald")]
    assert published.platform_post_id == held[0]["name"]
    assert published.platform_post_id.startswith("t3_") and len(published.platform_post_id) == 10
    assert published.url == f"https://www.reddit.com/r/herald/comments/{held[0]['id']}/launch_day/"


def test_a_link_post_and_a_repeated_link(account: Account, clock: FakeClock) -> None:
    platform = simulated(account, clock)
    link = post(text="https://herald.example.com/blog")

    platform.publish(link)
    with pytest.raises(PlatformError) as again:
        platform.publish(link)

    assert [(p["is_self"], p["url"]) for p in simulators.published("acc_sim")] == [
        (False, "https://herald.example.com/blog")]
    assert (again.value.error_class, again.value.code, again.value.platform_code) == (
        ErrorClass.PERMANENT, "duplicate_content", "ALREADY_SUB")


def test_simulated_media_posts_show_once_reddit_has_processed_them(account: Account, clock: FakeClock) -> None:
    platform = simulated(account, clock)

    image = platform.publish(post(title="A picture", text="", media=(IMAGE,)))
    slept_for_image = list(clock.slept)
    video = platform.publish(post(title="A clip", text="", media=(VIDEO,), video_poster_url=POSTER))

    held = {p["name"]: p for p in simulators.published("acc_sim")}
    assert held[image.platform_post_id]["domain"] == "i.redd.it"
    assert held[video.platform_post_id]["is_video"] is True
    assert slept_for_image == [MEDIA_POLL_SECONDS]  # two seconds of processing: seen at the second look
    assert clock.slept[1:] == [MEDIA_POLL_SECONDS] * 3  # eight seconds for the video
    assert image.url.startswith("https://www.reddit.com/r/herald/comments/")


def test_an_nsfw_subreddit_marks_the_post(account: Account, clock: FakeClock) -> None:
    published = simulated(account, clock).publish(post(subreddit="SimNSFW"))

    assert published.notices == ("r/SimNSFW is an NSFW community: the post is marked NSFW.",)
    assert simulators.published("acc_sim")[0]["over_18"] is True


@pytest.mark.parametrize(
    ("content", "rule"),
    [
        (post(subreddit="simflair"), "post_requirements is_flair_required"),
        (post(subreddit="r/SimLinks"), "about submission_type=link"),
        (post(subreddit="simtext", text="https://herald.example.com"), "about submission_type=self"),
        (post(subreddit="simtext", text=""), "post_requirements body_restriction_policy=required"),
        (post(subreddit="simtext", title="Short"), "post_requirements title_text_min_length"),
        (post(subreddit="simrules"), "post_requirements title_required_strings"),
        (post(subreddit="simrules", title="[OC] free stuff"), "post_requirements title_blacklisted_strings"),
        (post(subreddit="simrules", title="[OC] Launch", text="Buy crypto"),
         "post_requirements body_blacklisted_strings"),
        (post(subreddit="simrules", title="[OC] Launch", text="https://example.org/x"),
         "post_requirements domain_blacklist"),
        (post(subreddit="simnoimages", text="", media=(IMAGE,)), "about allow_images=false"),
        (post(subreddit="simrestricted"), "about subreddit_type=restricted"),
        (post(subreddit="simbanned"), "about user_is_banned"),
        (post(subreddit="simprivate"), "403 private"),
        (post(subreddit="simgone"), "404 banned"),
        (post(subreddit="simmissing"), "404 not found"),
    ],
    ids=["flair", "links-only", "text-only", "body-required", "title-short", "title-required", "title-forbidden",
         "body-forbidden", "domain", "no-images", "restricted", "banned", "private", "gone", "missing"],
)
def test_the_simulated_subreddits_rules_are_refused_before_anything_is_sent(
    account: Account, clock: FakeClock, content: PostContent, rule: str
) -> None:
    with pytest.raises(PlatformError) as refused:
        simulated(account, clock).publish(content)

    assert (refused.value.error_class, refused.value.code, refused.value.platform_code) == (
        ErrorClass.PERMANENT, "invalid_content", rule)
    assert simulators.published("acc_sim") == []


@pytest.mark.parametrize(
    ("content", "fine"),
    [
        (post(subreddit="simflair", flair_id="0f1e2d3c-0000-11ee-8a3c-0e1f2a3b4c5d"), True),
        (post(subreddit="simlinks", text="https://herald.example.com/blog"), True),
        (post(subreddit="simtext", title="Ten letters at least"), True),
        (post(subreddit="simrules", title="[OC] Herald 1.0"), True),
        (post(subreddit="u/herald_bot"), True),
    ],
    ids=["flair", "link", "text", "rules", "profile"],
)
def test_a_post_that_keeps_the_rules_is_published(account: Account, clock: FakeClock, content: PostContent,
                                                  fine: bool) -> None:
    assert simulated(account, clock).publish(content).platform_post_id.startswith("t3_") is fine


@pytest.mark.parametrize(
    ("form", "code"),
    [
        ({"sr": "simflair", "kind": "self", "title": "Hi", "text": "x"}, "SUBMIT_VALIDATION_FLAIR_REQUIRED"),
        ({"sr": "simlinks", "kind": "self", "title": "Hi", "text": "x"}, "NO_SELFS"),
        ({"sr": "simtext", "kind": "link", "title": "Hi there, ten", "url": "https://e.com/x"}, "NO_LINKS"),
        ({"sr": "herald", "kind": "self", "title": "t" * 301}, "TOO_LONG"),
        ({"sr": "not a name", "kind": "self", "title": "Hi"}, "BAD_SR_NAME"),
        ({"sr": "simmissing", "kind": "self", "title": "Hi"}, "SUBREDDIT_NOEXIST"),
        ({"sr": "simbanned", "kind": "self", "title": "Hi"}, "SUBREDDIT_NOTALLOWED"),
        ({"sr": "herald", "kind": "self", "title": " "}, "NO_TEXT"),
        ({"sr": "herald", "kind": "link", "title": "Hi", "url": "not a url"}, "BAD_URL"),
        ({"sr": "herald", "kind": "image", "title": "Hi", "url": f"https://{MEDIA_HOST}/rte_images/nope"}, "BAD_URL"),
        ({"sr": "herald", "kind": "poll", "title": "Hi"}, "INVALID_OPTION"),
    ],
    ids=["flair", "no-selfs", "no-links", "too-long", "bad-sr-name", "noexist", "notallowed", "no-title",
         "bad-url", "not-uploaded", "bad-kind"],
)
def test_the_simulator_refuses_what_reddit_refuses_and_the_adapter_classifies_it(
    account: Account, clock: FakeClock, form: dict[str, str], code: str
) -> None:
    answer = api_client(account).post(f"{API}/api/submit", data={"api_type": "json", **form})

    error = simulated(account, clock).classify_error(answer)

    assert answer.status_code == 200 and answer.json()["json"]["errors"][0][0] == code
    assert (error.error_class, error.code, error.platform_code) == (ErrorClass.PERMANENT, "invalid_content", code)
    assert simulators.published("acc_sim") == []


def test_a_generic_user_agent_is_throttled(account: Account, clock: FakeClock) -> None:
    answer = api_client(account, **{"user-agent": "python-httpx/0.28"}).get(f"{API}/api/v1/me")

    error = simulated(account, clock).classify_error(answer)

    assert answer.status_code == 429 and answer.headers["x-ratelimit-reset"] == "348"
    assert (error.code, error.retry_at) == ("rate_limited", clock.now() + timedelta(seconds=348))


def test_the_media_store_checks_the_leased_upload(account: Account) -> None:
    client = api_client(account)
    lease = client.post(f"{API}/api/media/asset.json", data={"filepath": "a.png", "mimetype": "image/png"}).json()
    fields = {f["name"]: f["value"] for f in lease["args"]["fields"]}
    upload = f"https:{lease['args']['action']}/"
    png = ("a.png", b"\x89PNG\r\n\x1a\n", "image/png")

    missing = client.post(upload, data={k: v for k, v in fields.items() if k != "policy"}, files={"file": png})
    tampered = client.post(upload, data={**fields, "content-type": "image/gif"}, files={"file": png})
    too_large = client.post(upload, data=fields, files={"file": ("a.png", bytes(MAX_IMAGE_BYTES + 1), "image/png")})
    empty = client.post(upload, data=fields, files={"file": ("a.png", b"", "image/png")})
    extra = client.post(upload, data={**fields, "x-extra": "1"}, files={"file": png})
    stored = client.post(upload, data=fields, files={"file": png})

    assert [r.status_code for r in (missing, tampered, too_large, empty, extra)] == [403, 403, 400, 400, 400]
    assert "<Code>EntityTooLarge</Code>" in too_large.text and "<Code>EntityTooSmall</Code>" in empty.text
    assert stored.status_code == 201
    assert f"<Location>https://{MEDIA_HOST}/rte_images%2F{lease['asset']['asset_id']}</Location>" in stored.text


def test_a_file_too_large_for_the_media_store_is_refused(account: Account, clock: FakeClock) -> None:
    platform = simulated(account, clock, Files(size=MAX_IMAGE_BYTES + 1))

    with pytest.raises(PlatformError) as refused:
        platform.publish(post(text="", media=(IMAGE,)))

    assert (refused.value.error_class, refused.value.code) == (ErrorClass.PERMANENT, "media_too_large")
    assert simulators.published("acc_sim") == []


# --- comments, metrics, reconcile, delete ------------------------------------------------------


def test_comments_metrics_reconcile_and_delete(account: Account, clock: FakeClock) -> None:
    platform = simulated(account, clock)
    published = platform.publish(post())
    comment = platform.reply(published, PostContent(text="First!", target_key="post_1:acc_sim:1"))
    answer = platform.reply(comment, PostContent(text="Second!", target_key="post_1:acc_sim:2"))
    clock.advance(minutes=30)

    metrics = platform.metrics([published.platform_post_id, comment.platform_post_id, "t3_0000000"])
    found_post = platform.reconcile(post())
    found_comment = platform.reconcile(PostContent(text="First!", target_key="post_1:acc_sim:1"), published)
    absent = platform.reconcile(post(title="Never posted"))
    platform.delete(answer.platform_post_id)
    platform.delete(answer.platform_post_id)  # already gone: still done

    grown = grown_metrics(published.platform_post_id, clock.now() - timedelta(minutes=30), clock.now())
    assert metrics[published.platform_post_id] == {
        "likes": grown["likes"], "comments": grown["comments"] + 2, "shares": grown["shares"]}
    assert set(metrics[comment.platform_post_id]) == {"likes"}
    assert "t3_0000000" not in metrics
    assert (found_post.outcome, found_post.post) == (ReconcileOutcome.FOUND, published)
    assert (found_comment.outcome, found_comment.post) == (ReconcileOutcome.FOUND, comment)
    assert absent.outcome is ReconcileOutcome.ABSENT
    assert comment.url == f"{published.url}{comment.platform_post_id.removeprefix('t1_')}/"
    assert platform.metrics([answer.platform_post_id]) == {}  # deleted: left out
    assert [p["name"] for p in simulators.published("acc_sim")] == [published.platform_post_id,
                                                                     comment.platform_post_id]


def test_metrics_grow_with_time_and_never_go_down(account: Account, clock: FakeClock) -> None:
    platform = simulated(account, clock)
    post_id = platform.publish(post()).platform_post_id

    reads = []
    for hours in (0, 2, 24, 24 * 30):
        clock.advance(hours=hours)
        reads.append(platform.metrics([post_id])[post_id])

    assert reads[0] == {"likes": 0, "comments": 0, "shares": 0}
    assert all(later[name] >= earlier[name] for earlier, later in zip(reads, reads[1:], strict=False) for name in later)
    assert reads[-1]["likes"] > 0


def test_followers_grow_with_time(account: Account, clock: FakeClock) -> None:
    key, start = f"reddit:{account.credentials['user_id']}", clock.now()

    today = simulated(account, clock).identity()
    clock.advance(days=10)
    later = simulated(account, clock).identity().followers

    assert (today.followers, later) == (grown_followers(key, start), grown_followers(key, clock.now()))
    assert today.username == "herald_bot" and today.platform_user_id == account.credentials["user_id"]


# --- injected failures -------------------------------------------------------------------------


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
    platform = simulated(make_account("reddit", "acc_sim", "herald_bot", simulate=[failure]), clock)

    with pytest.raises(PlatformError) as failed:
        platform.publish(post())

    assert (failed.value.error_class, failed.value.code) == (error_class, code)
    assert len(simulators.published("acc_sim")) == created
    if failure == "rate_limited":
        assert failed.value.retry_at == clock.now() + timedelta(minutes=1)
    if created:
        assert code in OUTCOME_UNKNOWN_CODES


@pytest.mark.parametrize("failure", ["rate_limited", "server_error", "timeout", "duplicate"])
def test_injected_failures_hit_comments_too(account: Account, clock: FakeClock, failure: str) -> None:
    platform = simulated(account, clock)
    published = platform.publish(post())
    simulators.inject("acc_sim", [failure])

    with pytest.raises(PlatformError):
        platform.reply(published, PostContent(text="First!"))

    assert platform.metrics([published.platform_post_id])  # reads are never failed


@pytest.mark.parametrize("failure", ["timeout", "malformed"])
def test_an_unknown_outcome_is_reconciled_to_exactly_one_post(account: Account, clock: FakeClock, failure: str) -> None:
    platform = simulated(account, clock)
    parent = platform.publish(post(title="Launch day, part 0"))
    simulators.inject("acc_sim", [failure, failure])

    with pytest.raises(PlatformError):
        platform.publish(post())
    found = platform.reconcile(post())
    with pytest.raises(PlatformError):
        platform.reply(parent, PostContent(text="First!", target_key="post_0:acc_sim:1"))
    found_comment = platform.reconcile(PostContent(text="First!", target_key="post_0:acc_sim:1"), parent)

    held = {p["name"] for p in simulators.published("acc_sim")}
    assert found.outcome is ReconcileOutcome.FOUND and found.post is not None and found.post.platform_post_id in held
    assert found_comment.outcome is ReconcileOutcome.FOUND and found_comment.post is not None
    assert found_comment.post.platform_post_id in held
    assert len(held) == 3


def test_a_media_post_whose_answer_was_lost_is_found_once_processed(account: Account, clock: FakeClock) -> None:
    platform = simulated(account, clock)
    simulators.inject("acc_sim", ["timeout"])
    content = post(text="", media=(IMAGE,))

    with pytest.raises(PlatformError) as lost:
        platform.publish(content)
    clock.advance(seconds=IMAGE_PROCESSING.total_seconds())  # the runner's backoff is longer still
    found = platform.reconcile(content)

    assert lost.value.code == "timeout"
    assert found.outcome is ReconcileOutcome.FOUND
    assert found.post is not None and found.post.platform_post_id == simulators.published("acc_sim")[0]["name"]


def test_a_failed_publish_that_made_nothing_reconciles_absent(make_account, clock: FakeClock) -> None:
    platform = simulated(make_account("reddit", "acc_sim", "herald_bot", simulate=["server_error"]), clock)
    with pytest.raises(PlatformError):
        platform.publish(post())

    assert platform.reconcile(post()).outcome is ReconcileOutcome.ABSENT
    platform.publish(post())  # the queue is spent: the network behaves
    assert len(simulators.published("acc_sim")) == 1


def test_an_expired_token_works_again_after_a_refresh(make_account) -> None:
    account = make_account("reddit", "acc_sim", "herald_bot", simulate=["expired_token"])
    platform = open_platform(account)
    with pytest.raises(PlatformError):
        platform.publish(post())
    with pytest.raises(PlatformError) as still:  # the token stays expired for every call until refreshed
        platform.metrics(["t3_0000000"])
    assert still.value.code == "token_expired"

    renewed = platform.refresh_credentials()
    open_platform(account.model_copy(update={"credentials": renewed.tokens})).publish(post())

    assert renewed.tokens["access_token"] != account.credentials["access_token"]
    assert renewed.tokens["refresh_token"] == account.credentials["refresh_token"]
    assert renewed.expires_at is not None
    assert len(simulators.published("acc_sim")) == 1
    with pytest.raises(PlatformError) as old:  # the previous token is no longer honoured
        platform.publish(post(title="Again"))
    assert old.value.code == "token_expired"


def test_a_revoked_grant_cannot_be_refreshed(make_account) -> None:
    platform = open_platform(make_account("reddit", "acc_sim", "herald_bot", simulate=["revoked_token"]))
    with pytest.raises(PlatformError):
        platform.publish(post())

    with pytest.raises(PlatformError) as refused:
        platform.refresh_credentials()

    assert (refused.value.error_class, refused.value.code) == (ErrorClass.RECONNECT, "account_disconnected")


def test_revoking_ends_the_grant(account: Account) -> None:
    platform = open_platform(account)

    assert platform.revoke() is True
    with pytest.raises(PlatformError) as expired:
        platform.identity()
    with pytest.raises(PlatformError) as refused:
        platform.refresh_credentials()

    assert expired.value.error_class is ErrorClass.REFRESH
    assert refused.value.error_class is ErrorClass.RECONNECT


def test_concurrent_publishes_each_get_their_own_post(account: Account) -> None:
    ids: list[str] = []

    def publish(n: int) -> None:
        ids.append(open_platform(account).publish(post(title=f"Post {n}")).platform_post_id)

    workers = [threading.Thread(target=publish, args=(n,)) for n in range(12)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    assert len(set(ids)) == 12
    assert len(simulators.published("acc_sim")) == 12


# --- connecting against the simulator ----------------------------------------------------------


def connect_client() -> httpx.Client:
    return httpx.Client(transport=httpx.MockTransport(connect_handler))


def test_a_simulated_connection_publishes_with_the_tokens_it_got(make_account) -> None:
    connection = RedditPlatform.connect_with_code(connect_client(), APP, simulated_code("herald_bot", None),
                                                  REDIRECT_URI, None)

    identity, tokens = connection.identity, connection.credentials.tokens
    assert identity.username == "herald_bot" and identity.platform_user_id.startswith("t2_")
    assert tokens["username"] == "herald_bot" and tokens["user_id"] == identity.platform_user_id
    assert set(tokens) == {"access_token", "refresh_token", "scope", "username", "user_id"}
    assert identity.followers is not None
    account = make_account("reddit", "acc_conn", "herald_bot").model_copy(update={"credentials": dict(tokens)})
    published = open_platform(account).publish(post())
    assert published.url.startswith("https://www.reddit.com/r/herald/comments/")
    assert open_platform(account).identity().platform_user_id == identity.platform_user_id
    assert open_platform(account).refresh_credentials().tokens["access_token"] != tokens["access_token"]


@pytest.mark.parametrize(
    ("app", "code"),
    [
        (AppCredentials(TEST_CLIENT_ID, "wrong-secret"), simulated_code("herald_bot", None)),
        (AppCredentials("someone-else", TEST_CLIENT_SECRET), simulated_code("herald_bot", None)),
        (AppCredentials(TEST_CLIENT_ID, TEST_CLIENT_SECRET), "not-a-simulated-code"),
    ],
    ids=["secret", "client-id", "code"],
)
def test_the_simulated_token_endpoint_refuses_what_reddit_would(app: AppCredentials, code: str) -> None:
    with pytest.raises(PlatformError) as refused:
        RedditPlatform.connect_with_code(connect_client(), app, code, REDIRECT_URI, None)

    assert (refused.value.error_class, refused.value.code) == (ErrorClass.PERMANENT, "authorization_failed")


def test_the_reddit_recordings_are_well_formed() -> None:
    entries = json.loads(RECORDINGS.read_text("utf-8"))

    assert len({entry["name"] for entry in entries}) == len(entries)
    for entry in entries:
        request, response = entry["request"], entry["response"]
        assert entry["source"], entry["name"]
        assert request["method"] in ("GET", "POST") and request["url"].startswith("https://"), entry["name"]
        assert request["headers"]["user-agent"].startswith("server:herald."), entry["name"]
        if request["method"] == "GET":
            assert "form" not in request, entry["name"]
        if isinstance(response["body"], dict) and "json" in response["body"]:
            errors = response["body"]["json"]["errors"]
            assert all(len(error) == 3 and error[0].isupper() for error in errors), entry["name"]
