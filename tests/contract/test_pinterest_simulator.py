"""PinterestPlatform against the Pinterest simulator (test-mode accounts), and the simulator's own
checks of what Pinterest documents."""

from __future__ import annotations

import base64
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from herald.accounts.model import Account
from herald.platforms import simulators
from herald.platforms.base import (
    AppCredentials,
    Credentials,
    ErrorClass,
    LinkPreview,
    MediaItem,
    PlatformError,
    PostContent,
    ReconcileOutcome,
)
from herald.platforms.pinterest import MEDIA_POLL_SECONDS, MEDIA_POLLS, PIN_TRIAL_NOTICE, PinterestPlatform
from herald.platforms.registry import open_platform
from herald.platforms.simulators import TEST_CLIENT_ID, TEST_CLIENT_SECRET, simulated_code
from herald.platforms.simulators import pinterest as pinterest_simulator
from herald.platforms.simulators.common import grown_followers, grown_metrics
from herald.platforms.simulators.pinterest import (
    BOARDS,
    UPLOAD_HOST,
    PinterestSimulator,
    board_ids,
    boards_of,
    connect_handler,
    fail_next_video,
    recordings,
)
from support.clock import FakeClock

API = "https://api.pinterest.com/v5"
REDIRECT_URI = "https://herald.example.com/v1/oauth/pinterest/callback"
IMAGE = "https://media.example.com/uploads/latte.jpg"
IMAGE_2 = "https://media.example.com/uploads/latte-2.jpg"
VIDEO = "https://media.example.com/uploads/latte.mp4"
VIDEO_BYTES = b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 40


class FakeMedia:
    def __init__(self, data: bytes = VIDEO_BYTES) -> None:
        self.data = data

    def read(self, item: MediaItem) -> bytes:
        return self.data

    def chunks(self, item: MediaItem, chunk_size: int) -> Iterator[bytes]:
        return iter([self.data[start : start + chunk_size] for start in range(0, len(self.data), chunk_size)])


def simulated(account: Account, clock: FakeClock | None = None, app: AppCredentials | None = None) -> PinterestPlatform:
    """The adapter on a new simulator instance for the account (its state is shared)."""
    client = httpx.Client(transport=httpx.MockTransport(PinterestSimulator.for_account(account).handle))
    credentials = Credentials(account.id, account.username, dict(account.credentials))
    app = app or AppCredentials(TEST_CLIENT_ID, TEST_CLIENT_SECRET, settings={"audited": "true"})
    clock = clock or FakeClock(simulators.simulated_now())  # the simulator's time: reconcile windows agree
    return PinterestPlatform(client, credentials, app=app, media=FakeMedia(), clock=clock)


def pin(account: Account, text: str = "Latte art", **changes: Any) -> PostContent:
    fields: dict[str, Any] = {
        "text": text,
        "title": "Latte",
        "media": (MediaItem(IMAGE, "image", mime="image/jpeg", alt="A latte"),),
        "link": LinkPreview("https://www.example.com/latte"),
        "options": {"board_id": board_ids(account.id)[0]},
        "target_key": f"post_{text}:{account.id}",
    }
    return PostContent(**{**fields, **changes})


def video(account: Account, text: str = "Latte, poured") -> PostContent:
    item = MediaItem(VIDEO, "video", mime="video/mp4", size=len(VIDEO_BYTES))
    return pin(account, text, media=(item,))


@pytest.fixture
def account(make_account) -> Account:
    return make_account("pinterest", "acc_sim", "herald")


# --- boards and accounts ---------------------------------------------------------------------


def test_a_test_accounts_boards_are_derived_from_its_id(make_account) -> None:
    first = board_ids("acc_sim")

    simulators.reset()

    assert board_ids("acc_sim") == first  # another process answers the same
    assert board_ids("acc_other") != first
    assert len(first) == len(BOARDS) == 2
    assert all(len(board) == 18 and board.isdigit() for board in first)


def test_boards_lists_the_accounts_boards_with_their_sections(account: Account) -> None:
    boards = simulated(account).boards()

    assert [board.id for board in boards] == board_ids("acc_sim")
    assert [(board.name, board.privacy) for board in boards] == [("Ideas", "PUBLIC"), ("Inspiration", "PUBLIC")]
    assert [section.name for section in boards[0].sections] == ["Recipes", "Travel"]
    assert boards[0].sections[0].id == boards_of("acc_sim")[0]["sections"][0]["id"]
    assert boards[1].sections == ()


def test_the_registry_opens_the_simulator_for_a_test_account(account: Account) -> None:
    platform = open_platform(account)

    post = platform.publish(pin(account))

    held = simulators.published("acc_sim")
    assert [(p["id"], p["title"], p["description"], p["board_id"]) for p in held] == [
        (post.platform_post_id, "Latte", "Latte art", board_ids("acc_sim")[0])
    ]
    assert held[0]["media_source"] == {"source_type": "image_url", "url": IMAGE}
    assert held[0]["link"] == "https://www.example.com/latte" and held[0]["alt_text"] == "A latte"
    assert post.url == f"https://www.pinterest.com/pin/{post.platform_post_id}/"
    assert len(post.platform_post_id) == 18 and post.platform_post_id.isdigit()


def test_identity_shows_the_account_and_its_growing_followers(account: Account) -> None:
    clock = FakeClock(datetime(2030, 1, 7, 9, tzinfo=UTC))
    simulators.use_clock(clock.now)

    today = simulated(account, clock).identity()
    clock.advance(days=3)
    later = simulated(account, clock).identity()

    user_id = account.credentials["user_id"]
    assert (today.platform_user_id, today.username) == (user_id, "herald")
    assert today.followers == grown_followers(f"pinterest:{user_id}", datetime(2030, 1, 7, 9, tzinfo=UTC))
    assert today.followers is not None and later.followers is not None and today.followers < later.followers
    assert today.notices == ()


def test_a_trial_app_is_told_its_pins_are_private(account: Account) -> None:
    platform = simulated(account, app=AppCredentials(TEST_CLIENT_ID, TEST_CLIENT_SECRET))

    post = platform.publish(pin(account))

    assert post.notices == (PIN_TRIAL_NOTICE,)
    assert platform.identity().notices != ()


# --- publishing ------------------------------------------------------------------------------


def test_a_carousel_goes_to_a_board_section(account: Account) -> None:
    board = boards_of("acc_sim")[0]
    options = {"board_id": board["id"], "board_section_id": board["sections"][1]["id"]}
    media = (MediaItem(IMAGE, "image"), MediaItem(IMAGE_2, "image"))

    simulated(account).publish(pin(account, media=media, options=options))

    held = simulators.published("acc_sim")[0]
    assert held["media_type"] == "multiple_images"
    assert [item["url"] for item in held["media_source"]["items"]] == [IMAGE, IMAGE_2]
    assert held["board_section_id"] == board["sections"][1]["id"]


@pytest.mark.parametrize(
    ("options", "code", "wording"),
    [
        ({"board_id": "111111111111111111"}, "invalid_content", "Board not found."),
        ({"board_id": "OTHER"}, "forbidden", "not permitted"),
        ({"board_id": "MINE", "board_section_id": "222"}, "invalid_content", "board section"),
    ],
    ids=["unknown-board", "another-accounts-board", "unknown-section"],
)
def test_the_simulator_refuses_a_board_that_is_not_the_accounts(
    make_account, account: Account, options: dict[str, str], code: str, wording: str
) -> None:
    other = make_account("pinterest", "acc_other", "someone")
    simulated(other)  # seen by this process
    mapping = {"OTHER": board_ids("acc_other")[0], "MINE": board_ids("acc_sim")[0]}
    options = {name: mapping.get(value, value) for name, value in options.items()}

    with pytest.raises(PlatformError) as refused:
        simulated(account).publish(pin(account, options=options))

    assert (refused.value.error_class, refused.value.code) == (ErrorClass.PERMANENT, code)
    assert wording in refused.value.message
    assert simulators.published("acc_sim") == []


def test_an_image_pinterest_cannot_reach_is_refused(account: Account) -> None:
    with pytest.raises(PlatformError) as refused:
        simulated(account).publish(pin(account, media=(MediaItem("https://media.example.invalid/a.jpg", "image"),)))

    assert (refused.value.error_class, refused.value.code) == (ErrorClass.PERMANENT, "invalid_content")
    assert "Unable to reach the URL" in refused.value.message


def test_a_video_is_uploaded_processed_and_pinned(account: Account) -> None:
    clock = FakeClock()

    post = simulated(account, clock).publish(video(account))

    held = simulators.published("acc_sim")
    assert [p["id"] for p in held] == [post.platform_post_id]
    source = held[0]["media_source"]
    assert source["source_type"] == "video_id" and source["cover_image_key_frame_time"] == 0
    assert pinterest_simulator._MEDIA[source["media_id"]]["size"] == len(VIDEO_BYTES)
    assert clock.slept == [MEDIA_POLL_SECONDS]  # processing at the first look, succeeded at the second


def test_a_video_pinterest_fails_to_process_publishes_nothing(account: Account) -> None:
    fail_next_video("acc_sim")
    platform = simulated(account)

    with pytest.raises(PlatformError) as failed:
        platform.publish(video(account))
    platform.publish(video(account, "second try"))  # only the next video fails

    assert (failed.value.error_class, failed.value.code) == (ErrorClass.PERMANENT, "media_unsupported")
    assert [p["description"] for p in simulators.published("acc_sim")] == ["second try"]


def test_a_video_still_processing_is_retried_later_with_nothing_published(account: Account, monkeypatch) -> None:
    monkeypatch.setattr(pinterest_simulator, "PROCESSING_LOOKS", MEDIA_POLLS + 5)
    clock = FakeClock()

    with pytest.raises(PlatformError) as failed:
        simulated(account, clock).publish(video(account))

    assert (failed.value.error_class, failed.value.code) == (ErrorClass.RETRY, "media_processing")
    assert len(clock.slept) == MEDIA_POLLS - 1
    assert simulators.published("acc_sim") == []


def test_the_simulator_refuses_a_pin_for_a_video_that_is_not_processed(account: Account) -> None:
    client = httpx.Client(transport=httpx.MockTransport(PinterestSimulator.for_account(account).handle))
    auth = {"authorization": f"Bearer {account.credentials['access_token']}"}
    media_id = client.post(f"{API}/media", headers=auth, json={"media_type": "video"}).json()["media_id"]
    board = board_ids("acc_sim")[0]

    def pin_with(source: dict[str, Any]) -> httpx.Response:
        return client.post(f"{API}/pins", headers=auth, json={"board_id": board, "media_source": source})

    not_uploaded = pin_with({"source_type": "video_id", "media_id": media_id, "cover_image_key_frame_time": 1})
    status = client.get(f"{API}/media/{media_id}", headers=auth).json()

    assert (not_uploaded.status_code, status["status"]) == (400, "registered")
    assert "has not been processed" in not_uploaded.json()["message"]
    assert simulators.published("acc_sim") == []


def upload_form(account: Account) -> tuple[httpx.Client, dict[str, Any]]:
    client = httpx.Client(transport=httpx.MockTransport(PinterestSimulator.for_account(account).handle))
    auth = {"authorization": f"Bearer {account.credentials['access_token']}"}
    return client, client.post(f"{API}/media", headers=auth, json={"media_type": "video"}).json()


def multipart(fields: dict[str, str], file: bytes | None, boundary: str = "b0undary") -> bytes:
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n' for k, v in fields.items()]
    body = "".join(parts).encode()
    if file is not None:
        body += (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="v.mp4"\r\n'
                "Content-Type: video/mp4\r\n\r\n"
            ).encode()
            + file
            + b"\r\n"
        )
    return body + f"--{boundary}--\r\n".encode()


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ("missing-signature", 403, "AccessDenied"),
        ("wrong-key", 403, "AccessDenied"),
        ("no-file", 400, "InvalidArgument"),
        ("empty-file", 400, "EntityTooSmall"),
        ("short-length", 400, "IncompleteBody"),
        ("not-multipart", 400, "InvalidArgument"),
        ("expired", 403, "AccessDenied"),
    ],
)
def test_the_upload_form_checks_its_policy_as_s3_does(account: Account, change: str, status: int, code: str) -> None:
    clock = FakeClock(datetime.now(UTC))
    simulators.use_clock(clock.now)
    client, registered = upload_form(account)
    fields = {k: v for k, v in registered["upload_parameters"].items() if k != "Content-Type"}
    file: bytes | None = b"video bytes"
    if change == "missing-signature":
        del fields["x-amz-signature"]
    elif change == "wrong-key":
        fields["key"] = "uploads/somebody-else"
    elif change == "no-file":
        file = None
    elif change == "empty-file":
        file = b""
    elif change == "expired":
        clock.advance(hours=2)
    body = multipart(fields, file)
    headers = {"content-type": "multipart/form-data; boundary=b0undary", "content-length": str(len(body))}
    if change == "short-length":
        headers["content-length"] = str(len(body) - 5)
    if change == "not-multipart":
        headers["content-type"] = "application/octet-stream"

    answer = client.post(registered["upload_url"], content=body, headers=headers)

    assert answer.status_code == status
    assert f"<Code>{code}</Code>" in answer.text
    assert registered["upload_url"] == f"https://{UPLOAD_HOST}/"


def test_the_upload_form_takes_a_well_formed_upload(account: Account) -> None:
    client, registered = upload_form(account)
    fields = {k: v for k, v in registered["upload_parameters"].items() if k != "Content-Type"}
    body = multipart(fields, b"video bytes")
    auth = {"authorization": f"Bearer {account.credentials['access_token']}"}

    answer = client.post(
        registered["upload_url"], content=body, headers={"content-type": "multipart/form-data; boundary=b0undary"}
    )
    looks = [client.get(f"{API}/media/{registered['media_id']}", headers=auth).json()["status"] for _ in range(3)]

    assert answer.status_code == 204
    assert looks == ["processing", "succeeded", "succeeded"]


# --- delete, metrics, reconcile --------------------------------------------------------------


def test_delete_removes_the_pin_and_a_second_delete_is_done(account: Account) -> None:
    platform = simulated(account)
    post = platform.publish(pin(account))

    platform.delete(post.platform_post_id)
    platform.delete(post.platform_post_id)

    assert simulators.published("acc_sim") == []
    assert platform.metrics([post.platform_post_id]) == {}  # a deleted pin is left out


def test_another_accounts_pin_cannot_be_deleted(make_account, account: Account) -> None:
    other = make_account("pinterest", "acc_other", "someone")
    theirs = simulated(other).publish(pin(other))

    with pytest.raises(PlatformError) as refused:
        simulated(account).delete(theirs.platform_post_id)

    assert (refused.value.error_class, refused.value.code) == (ErrorClass.PERMANENT, "forbidden")
    assert len(simulators.published("acc_other")) == 1


def test_analytics_grow_with_the_time_since_the_pin_was_made(account: Account) -> None:
    posted = datetime(2030, 1, 7, 9, tzinfo=UTC)
    clock = FakeClock(posted)
    simulators.use_clock(clock.now)
    image = simulated(account, clock).publish(pin(account)).platform_post_id
    clip = simulated(account, clock).publish(video(account)).platform_post_id
    made_clip = clock.now()

    reads = []
    for hours in (0, 2, 24, 24 * 60):
        clock.advance(hours=hours)
        reads.append(simulated(account, clock).metrics([image, clip]))

    assert reads[0][image] == {"impressions": 0, "saves": 0, "clicks": 0, "outbound_clicks": 0}
    grown = grown_metrics(image, posted, clock.now())
    assert reads[-1][image] == {
        "impressions": grown["impressions"],
        "saves": grown["saves"],
        "clicks": grown["clicks"],
        "outbound_clicks": grown["clicks"] * 2 // 5,
    }
    assert reads[-1][clip]["views"] == grown_metrics(clip, made_clip, clock.now())["reach"]
    for earlier, later in zip(reads, reads[1:], strict=False):
        for pin_id in (image, clip):
            assert set(earlier[pin_id]) <= set(later[pin_id])
            assert all(later[pin_id][name] >= value for name, value in earlier[pin_id].items())


def test_the_analytics_window_is_checked_as_pinterest_documents(account: Account) -> None:
    simulators.use_clock(lambda: datetime(2030, 1, 7, 9, tzinfo=UTC))
    platform = simulated(account)
    post = platform.publish(pin(account))
    client = httpx.Client(transport=httpx.MockTransport(PinterestSimulator.for_account(account).handle))
    auth = {"authorization": f"Bearer {account.credentials['access_token']}"}

    def ask(start: str, end: str, metrics: str = "IMPRESSION") -> httpx.Response:
        params = {"start_date": start, "end_date": end, "metric_types": metrics}
        return client.get(f"{API}/pins/{post.platform_post_id}/analytics", headers=auth, params=params)

    fine = ask("2029-10-09", "2030-01-07")
    assert fine.status_code == 200
    assert len(fine.json()["all"]["daily_metrics"]) == 91
    assert fine.json()["all"]["daily_metrics"][-1]["data_status"] == "PROCESSING"
    assert ask("2029-10-08", "2030-01-07").status_code == 400  # 91 days back
    assert ask("2030-01-07", "2030-01-06").status_code == 400
    assert ask("2030-01-01", "2030-01-07", "IMPRESSION,LIKES").status_code == 400


def test_reconcile_finds_an_earlier_pin_and_knows_an_absent_one(account: Account) -> None:
    platform = simulated(account)
    post = platform.publish(pin(account))
    platform.publish(pin(account, "something else"))

    found = platform.reconcile(pin(account))
    absent = platform.reconcile(pin(account, "never sent"))
    other_board = platform.reconcile(pin(account, options={"board_id": board_ids("acc_sim")[1]}))

    assert found.outcome is ReconcileOutcome.FOUND and found.post is not None
    assert found.post.platform_post_id == post.platform_post_id
    assert absent.outcome is ReconcileOutcome.ABSENT
    assert other_board.outcome is ReconcileOutcome.ABSENT


def test_reconcile_looks_back_an_hour_only(account: Account) -> None:
    clock = FakeClock(datetime(2030, 1, 7, 9, tzinfo=UTC))
    simulators.use_clock(clock.now)
    simulated(account, clock).publish(pin(account))
    clock.advance(hours=2)

    assert simulated(account, clock).reconcile(pin(account)).outcome is ReconcileOutcome.ABSENT


# --- injected failures -----------------------------------------------------------------------


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
    ],
)
def test_each_injected_failure_is_classified(
    make_account, failure: str, error_class: ErrorClass, code: str, created: int
) -> None:
    account = make_account("pinterest", "acc_sim", "herald", simulate=[failure])
    clock = FakeClock(datetime(2030, 1, 7, 9, tzinfo=UTC))

    with pytest.raises(PlatformError) as failed:
        simulated(account, clock).publish(pin(account))

    assert (failed.value.error_class, failed.value.code) == (error_class, code)
    assert len(simulators.published("acc_sim")) == created
    if failure == "rate_limited":
        assert failed.value.retry_at == clock.now() + timedelta(seconds=60)


@pytest.mark.parametrize("failure", ["ok", "duplicate"])
def test_ok_and_duplicate_let_the_pin_through(make_account, failure: str) -> None:
    account = make_account("pinterest", "acc_sim", "herald", simulate=[failure])

    simulated(account).publish(pin(account))
    simulated(account).publish(pin(account))  # Pinterest takes a repeated pin

    assert len(simulators.published("acc_sim")) == 2


@pytest.mark.parametrize("failure", ["timeout", "malformed"])
def test_an_unknown_outcome_is_reconciled_to_exactly_one_pin(make_account, failure: str) -> None:
    account = make_account("pinterest", "acc_sim", "herald", simulate=[failure])
    platform = simulated(account)

    with pytest.raises(PlatformError):
        platform.publish(pin(account))
    found = platform.reconcile(pin(account))

    assert found.outcome is ReconcileOutcome.FOUND and found.post is not None
    assert [p["id"] for p in simulators.published("acc_sim")] == [found.post.platform_post_id]


def test_a_failed_publish_that_made_nothing_reconciles_absent(make_account) -> None:
    account = make_account("pinterest", "acc_sim", "herald", simulate=["server_error"])
    platform = simulated(account)

    with pytest.raises(PlatformError):
        platform.publish(pin(account))

    assert platform.reconcile(pin(account)).outcome is ReconcileOutcome.ABSENT


def test_an_expired_token_works_again_after_a_refresh(make_account) -> None:
    account = make_account("pinterest", "acc_sim", "herald", simulate=["expired_token"])
    platform = simulated(account)
    with pytest.raises(PlatformError) as expired:
        platform.publish(pin(account))

    credentials = platform.refresh_credentials()
    renewed = PinterestPlatform(platform.client, credentials, app=platform.app, clock=FakeClock())
    renewed.publish(pin(account))

    assert expired.value.error_class is ErrorClass.REFRESH
    assert credentials.tokens["access_token"] != account.credentials["access_token"]
    assert credentials.tokens["refresh_token"] != account.credentials["refresh_token"]
    assert credentials.tokens["access_token"].startswith("pina_")
    assert len(simulators.published("acc_sim")) == 1
    with pytest.raises(PlatformError) as stale:  # the old access token is not honoured any more
        platform.publish(pin(account, "with the old token"))
    assert stale.value.code == "token_expired"


def test_a_revoked_token_cannot_be_refreshed(make_account) -> None:
    account = make_account("pinterest", "acc_sim", "herald", simulate=["revoked_token"])
    platform = simulated(account)
    with pytest.raises(PlatformError):
        platform.publish(pin(account))

    with pytest.raises(PlatformError) as refused:
        platform.refresh_credentials()

    assert (refused.value.error_class, refused.value.code) == (ErrorClass.RECONNECT, "account_disconnected")


def test_injected_failures_hit_creates_only(account: Account) -> None:
    platform = simulated(account)
    post = platform.publish(pin(account))
    simulators.inject("acc_sim", ["server_error"])

    assert post.platform_post_id in platform.metrics([post.platform_post_id])
    assert platform.reconcile(pin(account)).outcome is ReconcileOutcome.FOUND
    assert len(platform.boards()) == 2
    with pytest.raises(PlatformError):
        platform.publish(pin(account, "second"))


def test_concurrent_pins_each_get_their_own_id(account: Account) -> None:
    platform = simulated(account)
    ids: list[str] = []

    def publish(n: int) -> None:
        ids.append(platform.publish(pin(account, f"pin {n}")).platform_post_id)

    threads = [threading.Thread(target=publish, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(set(ids)) == 20 == len(simulators.published("acc_sim"))


# --- connecting against the simulator --------------------------------------------------------


def connect_client() -> httpx.Client:
    return httpx.Client(transport=httpx.MockTransport(connect_handler))


def test_a_simulated_connection_publishes_with_the_tokens_it_got(make_account) -> None:
    app = AppCredentials(TEST_CLIENT_ID, TEST_CLIENT_SECRET, settings={"audited": "true"})

    connection = PinterestPlatform.connect_with_code(
        connect_client(), app, simulated_code("heraldhq", None), REDIRECT_URI, None
    )

    assert connection.identity.username == "heraldhq"
    assert connection.credentials.tokens["access_token"].startswith("pina_")
    assert connection.credentials.tokens["refresh_token"].startswith("pinr_")
    assert connection.credentials.tokens["scope"] == "boards:read,boards:write,pins:read,pins:write,user_accounts:read"
    account = make_account("pinterest", "acc_new", "heraldhq").model_copy(
        update={"credentials": connection.credentials.tokens}
    )
    simulated(account).publish(pin(account))
    assert len(simulators.published("acc_new")) == 1
    assert simulated(account).identity().platform_user_id == connection.identity.platform_user_id


@pytest.mark.parametrize(
    ("app", "code"),
    [
        (AppCredentials(TEST_CLIENT_ID, "wrong-secret"), simulated_code("heraldhq", None)),
        (AppCredentials("someone-else", TEST_CLIENT_SECRET), simulated_code("heraldhq", None)),
        (AppCredentials(TEST_CLIENT_ID, TEST_CLIENT_SECRET), "not-a-simulated-code"),
        (AppCredentials(TEST_CLIENT_ID, TEST_CLIENT_SECRET), simulated_code("heraldhq", "a-pkce-challenge")),
    ],
    ids=["wrong-secret", "wrong-client", "unknown-code", "challenge-without-verifier"],
)
def test_the_simulated_token_endpoint_refuses_what_pinterest_would(app: AppCredentials, code: str) -> None:
    with pytest.raises(PlatformError) as refused:
        PinterestPlatform.connect_with_code(connect_client(), app, code, REDIRECT_URI, None)

    assert (refused.value.error_class, refused.value.code) == (ErrorClass.PERMANENT, "authorization_failed")


def test_the_token_endpoint_wants_http_basic_client_credentials() -> None:
    form = {
        "grant_type": "authorization_code",
        "code": simulated_code("heraldhq", None),
        "redirect_uri": REDIRECT_URI,
        "client_id": TEST_CLIENT_ID,
        "client_secret": TEST_CLIENT_SECRET,
    }
    in_body = connect_client().post(f"{API}/oauth/token", data=form)
    basic = base64.b64encode(f"{TEST_CLIENT_ID}:{TEST_CLIENT_SECRET}".encode()).decode()
    with_basic = connect_client().post(f"{API}/oauth/token", data=form, headers={"authorization": f"Basic {basic}"})

    assert in_body.status_code == 401
    assert with_basic.status_code == 200 and with_basic.json()["token_type"] == "bearer"


def test_the_simulator_serves_only_pinterests_hosts(account: Account) -> None:
    client = httpx.Client(transport=httpx.MockTransport(PinterestSimulator.for_account(account).handle))

    with pytest.raises(httpx.ConnectError):
        client.get("https://api-sandbox.pinterest.com/v5/user_account")
    assert client.get(f"{API}/user_account").status_code == 401  # no token


# --- recordings ------------------------------------------------------------------------------


def test_the_recordings_are_well_formed() -> None:
    for name, entry in recordings().items():
        request, response = entry["request"], entry["response"]
        assert entry["source"], name
        assert request["method"] in ("GET", "POST", "DELETE") and request["url"].startswith("https://"), name
        if request["method"] != "POST":
            assert "json" not in request and "form" not in request, name
        if response["status"] >= 400 and isinstance(response["body"], dict):
            assert set(response["body"]) == {"code", "message"}, name


def test_the_simulator_answers_in_the_recorded_shapes(account: Account) -> None:
    client = httpx.Client(transport=httpx.MockTransport(PinterestSimulator.for_account(account).handle))
    auth = {"authorization": f"Bearer {account.credentials['access_token']}"}
    board = board_ids("acc_sim")[0]
    body = {"board_id": board, "title": "T", "media_source": {"source_type": "image_url", "url": IMAGE}}

    created = client.post(f"{API}/pins", headers=auth, json=body)
    listed = client.get(f"{API}/boards", headers=auth, params={"page_size": "1"})
    nxt = client.get(f"{API}/boards", headers=auth, params={"page_size": "1", "bookmark": listed.json()["bookmark"]})
    account_answer = client.get(f"{API}/user_account", headers=auth)
    too_big = client.get(f"{API}/boards", headers=auth, params={"page_size": "251"})

    assert created.status_code == 201
    assert set(created.json()) == set(recordings()["create_image_pin"]["response"]["body"])
    assert set(listed.json()["items"][0]) == set(recordings()["list_boards"]["response"]["body"]["items"][0])
    assert [b["id"] for b in listed.json()["items"] + nxt.json()["items"]] == board_ids("acc_sim")
    assert nxt.json()["bookmark"] is None
    assert set(account_answer.json()) == set(recordings()["user_account"]["response"]["body"])
    assert too_big.status_code == 400 and set(too_big.json()) == {"code", "message"}
