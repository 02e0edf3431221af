"""PinterestPlatform against the recorded Pinterest API v5 exchanges (the simulator's
recordings/pinterest.json, from Pinterest's documented examples and OpenAPI description), step by
step. The simulator itself is exercised in test_pinterest_simulator.py."""

from __future__ import annotations

import base64
import dataclasses
import re
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fake_media import FakeMedia
from scripted_http import Exchange, Script

from herald.platforms.base import (
    OUTCOME_UNKNOWN_CODES,
    AppCredentials,
    Board,
    BoardSection,
    Credentials,
    ErrorClass,
    LinkPreview,
    MediaItem,
    PlatformError,
    PostContent,
    PublishedPost,
    ReconcileOutcome,
)
from herald.platforms.pinterest import (
    MEDIA_POLL_SECONDS,
    MEDIA_POLLS,
    PIN_TRIAL_NOTICE,
    RECONCILE_PAGE_SIZE,
    RECONCILE_PAGES,
    SCOPES,
    TRIAL_NOTICE,
    PinterestPlatform,
)
from herald.platforms.simulators.pinterest import recordings
from support.clock import FakeClock

API = "https://api.pinterest.com/v5"
UPLOAD_URL = "https://pinterest-media-upload.s3-accelerate.amazonaws.com/"
NOW = datetime(2030, 1, 7, 9, 0, 0, tzinfo=UTC)
ACCESS = recordings()["oauth_token_code"]["response"]["body"]["access_token"]
REFRESH = recordings()["oauth_token_code"]["response"]["body"]["refresh_token"]
SCOPE = "boards:read,boards:write,pins:read,pins:write,user_accounts:read"
TOKENS = {"access_token": ACCESS, "refresh_token": REFRESH, "scope": SCOPE, "user_id": "516295694849839612"}
CREDENTIALS = Credentials(account_id="acc_pin", username="pinterestdev", tokens=TOKENS)
APP = AppCredentials("1484362", "3b2a1f0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a", settings={"audited": "true"})
TRIAL_APP = AppCredentials("1484362", "3b2a1f0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a")
REDIRECT_URI = "https://herald.example.com/v1/oauth/pinterest/callback"
BOARD = "549755885175"
SECTION = "549755885180"
PIN = "813744226420795884"
MEDIA_ID = "5212123920968240771"
IMAGE = "https://media.example.com/uploads/summer-salad.jpg"
IMAGE_2 = "https://media.example.com/uploads/summer-salad-2.jpg"
VIDEO = "https://media.example.com/uploads/summer-salad.mp4"
LINK = "https://www.example.com/recipes/summer-salad"
MIB = 1024 * 1024


def recorded(name: str, **changes: Any) -> Exchange:
    """The recorded exchange `name` as a scripted one: the exact request the adapter must send
    (method, URL, query, JSON or form body, headers) and the recorded answer. `changes` replace
    Exchange fields (url, params, json, status, body, ...)."""
    request, response = recordings()[name]["request"], recordings()[name]["response"]
    headers: dict[str, str | None] = {key.lower(): value for key, value in request.get("headers", {}).items()}
    if request["url"] == UPLOAD_URL:  # the multipart body is checked by the test; no token goes there
        headers = {"authorization": None}
    params = [tuple(pair) for pair in request["params"]] if "params" in request else None
    if params is None and request["method"] in ("GET", "DELETE"):
        params = []
    exchange = Exchange(
        request["method"],
        request["url"],
        status=response["status"],
        body=response["body"],
        headers=response.get("headers", {}),
        params=params,
        json=request.get("json"),
        form=request.get("form"),
        request_headers=headers,
    )
    return dataclasses.replace(exchange, **changes)


def body_of(name: str) -> Any:
    return recorded(name).body


def pinterest_for(
    script: Script, clock: FakeClock, credentials: Credentials = CREDENTIALS, **kwargs: Any
) -> PinterestPlatform:
    return PinterestPlatform(script.client(), credentials, app=kwargs.pop("app", APP), clock=clock, **kwargs)


def image_pin(**changes: Any) -> PostContent:
    content = PostContent(
        text="Fresh, fast and green.",
        title="Summer salad",
        media=(MediaItem(IMAGE, "image", mime="image/jpeg", alt="A bowl of green salad"),),
        link=LinkPreview(LINK),
        options={"board_id": BOARD},
        target_key="post_1:acc_pin",
    )
    return dataclasses.replace(content, **changes)


# --- connecting ------------------------------------------------------------------------------


def test_the_authorization_url_asks_for_comma_separated_scopes_without_pkce() -> None:
    url = PinterestPlatform.authorization_url(APP, REDIRECT_URI, "st4te", "challenge-not-sent")

    parts = urlsplit(url)
    query = {key: values[0] for key, values in parse_qs(parts.query).items()}
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == "https://www.pinterest.com/oauth/"
    assert query == {
        "response_type": "code",
        "client_id": "1484362",
        "redirect_uri": REDIRECT_URI,
        "scope": "boards:read,boards:write,pins:read,pins:write,user_accounts:read",
        "state": "st4te",
    }
    assert PinterestPlatform.oauth is not None and PinterestPlatform.oauth.pkce is False


def test_connect_exchanges_the_code_with_basic_auth_and_reads_the_account(clock: FakeClock) -> None:
    script = Script(recorded("oauth_token_code"), recorded("user_account"))
    code = recordings()["oauth_token_code"]["request"]["form"]["code"]

    connection = PinterestPlatform.connect_with_code(script.client(), APP, code, REDIRECT_URI, "a-verifier")

    assert connection.credentials.tokens == {**TOKENS}
    assert connection.credentials.username == "pinterestdev"
    expires_at = connection.credentials.expires_at
    assert expires_at is not None and timedelta(days=29, hours=23) < expires_at - datetime.now(UTC) <= timedelta(
        days=30
    )
    identity = connection.identity
    assert identity.platform_user_id == "516295694849839612"
    assert (identity.username, identity.display_name, identity.followers) == (
        "pinterestdev",
        "Pinterest Developers",
        1532,
    )
    assert identity.avatar_url is not None and identity.avatar_url.startswith("https://i.pinimg.com/")
    assert identity.permissions == SCOPES
    assert identity.notices == ()
    assert "code_verifier" not in script.requests[0].content.decode()
    script.assert_done()


def test_connecting_with_a_trial_app_says_its_pins_are_private() -> None:
    script = Script(recorded("oauth_token_code"), recorded("user_account"))
    code = recordings()["oauth_token_code"]["request"]["form"]["code"]

    connection = PinterestPlatform.connect_with_code(script.client(), TRIAL_APP, code, REDIRECT_URI, None)

    assert connection.identity.notices == (TRIAL_NOTICE,)


def test_a_refused_code_fails_the_connection() -> None:
    refused = recorded("oauth_token_code", status=400, body={"code": 1, "message": "Invalid authorization code."})
    script = Script(refused)
    code = recordings()["oauth_token_code"]["request"]["form"]["code"]

    with pytest.raises(PlatformError) as failed:
        PinterestPlatform.connect_with_code(script.client(), APP, code, REDIRECT_URI, None)

    assert (failed.value.error_class, failed.value.code) == (ErrorClass.PERMANENT, "authorization_failed")
    assert failed.value.platform_code == "400 1"


def test_connecting_needs_the_app_secret() -> None:
    script = Script()

    with pytest.raises(PlatformError) as failed:
        PinterestPlatform.connect_with_code(script.client(), AppCredentials("1484362"), "code", REDIRECT_URI, None)

    assert (failed.value.error_class, failed.value.code) == (ErrorClass.PERMANENT, "app_not_configured")
    assert script.requests == []


def test_identity_reads_the_user_account(clock: FakeClock) -> None:
    script = Script(recorded("user_account"))

    identity = pinterest_for(script, clock).identity()

    assert (identity.username, identity.followers) == ("pinterestdev", 1532)


def test_identity_of_a_trial_app_carries_the_notice(clock: FakeClock) -> None:
    script = Script(recorded("user_account"))

    assert pinterest_for(script, clock, app=TRIAL_APP).identity().notices == (TRIAL_NOTICE,)


def test_an_account_answer_without_a_username_is_malformed(clock: FakeClock) -> None:
    script = Script(recorded("user_account", body={"account_type": "PINNER"}))

    with pytest.raises(PlatformError) as failed:
        pinterest_for(script, clock).identity()

    assert (failed.value.error_class, failed.value.code) == (ErrorClass.RETRY, "platform_unavailable")


# --- refresh ---------------------------------------------------------------------------------


def test_refresh_exchanges_the_refresh_token_for_new_tokens(clock: FakeClock) -> None:
    script = Script(recorded("oauth_token_refresh"))

    refreshed = pinterest_for(script, clock).refresh_credentials()

    answer = body_of("oauth_token_refresh")
    assert refreshed.tokens == {
        **TOKENS,
        "access_token": answer["access_token"],
        "refresh_token": answer["refresh_token"],
    }
    assert refreshed.expires_at == NOW + timedelta(days=30)
    assert (refreshed.account_id, refreshed.username) == ("acc_pin", "pinterestdev")
    script.assert_done()


def test_refresh_keeps_the_refresh_token_when_no_new_one_comes(clock: FakeClock) -> None:
    answer = {
        key: value for key, value in body_of("oauth_token_refresh").items() if not key.startswith("refresh_token")
    }
    script = Script(recorded("oauth_token_refresh", body=answer))

    refreshed = pinterest_for(script, clock).refresh_credentials()

    assert refreshed.tokens["refresh_token"] == REFRESH
    assert refreshed.tokens["access_token"] == answer["access_token"]


@pytest.mark.parametrize("status", [400, 401, 403])
def test_a_refused_refresh_means_reconnect(clock: FakeClock, status: int) -> None:
    script = Script(recorded("oauth_token_refused", status=status))

    with pytest.raises(PlatformError) as refused:
        pinterest_for(script, clock).refresh_credentials()

    assert (refused.value.error_class, refused.value.code) == (ErrorClass.RECONNECT, "account_disconnected")
    assert "revoked or has expired" in refused.value.message


def test_an_account_without_a_refresh_token_must_reconnect(clock: FakeClock) -> None:
    script = Script()
    bare = Credentials("acc_pin", "pinterestdev", {"access_token": ACCESS})

    with pytest.raises(PlatformError) as refused:
        pinterest_for(script, clock, bare).refresh_credentials()

    assert refused.value.error_class is ErrorClass.RECONNECT
    assert script.requests == []


@pytest.mark.parametrize(
    "answer",
    [
        recorded("oauth_token_refresh", status=503, body=body_of("error_server")),
        recorded("oauth_token_refresh", raises=httpx.ConnectTimeout),
    ],
    ids=["503", "timeout"],
)
def test_a_refresh_that_meets_an_outage_can_be_retried(clock: FakeClock, answer: Exchange) -> None:
    with pytest.raises(PlatformError) as failed:
        pinterest_for(Script(answer), clock).refresh_credentials()

    assert failed.value.error_class is ErrorClass.RETRY


def test_idle_accounts_are_refreshed_a_week_before_their_token_expires() -> None:
    assert PinterestPlatform.refresh_ahead == timedelta(days=7)


def test_pinterest_has_no_revocation(clock: FakeClock) -> None:
    script = Script()

    assert pinterest_for(script, clock).revoke() is False
    assert script.requests == []


# --- boards ----------------------------------------------------------------------------------


def test_boards_lists_every_board_page_by_page_with_its_sections(clock: FakeClock) -> None:
    first, second = body_of("list_boards")["items"]
    extra_section = {"id": "549755885182", "name": "Soups"}
    script = Script(
        recorded("list_boards", body={"items": [first], "bookmark": "Yjo6MQ=="}),
        recorded(
            "list_boards",
            params=[("page_size", "250"), ("bookmark", "Yjo6MQ==")],
            body={"items": [second], "bookmark": None},
        ),
        recorded("list_board_sections", body={**body_of("list_board_sections"), "bookmark": "c2VjdGlvbnM="}),
        recorded(
            "list_board_sections",
            params=[("page_size", "250"), ("bookmark", "c2VjdGlvbnM=")],
            body={"items": [extra_section], "bookmark": None},
        ),
        recorded(
            "list_board_sections", url=f"{API}/boards/{second['id']}/sections", body={"items": [], "bookmark": None}
        ),
    )

    boards = pinterest_for(script, clock).boards()

    assert boards == [
        Board(
            id=BOARD,
            name="Summer Recipes",
            description="My favorite summer recipes",
            privacy="PUBLIC",
            sections=(
                BoardSection(SECTION, "Salads"),
                BoardSection("549755885181", "Desserts"),
                BoardSection("549755885182", "Soups"),
            ),
        ),
        Board(id=second["id"], name="Drafts", description=None, privacy="SECRET", sections=()),
    ]
    script.assert_done()


def test_a_board_listing_without_items_is_malformed(clock: FakeClock) -> None:
    script = Script(recorded("list_boards", body={"bookmark": None}))

    with pytest.raises(PlatformError) as failed:
        pinterest_for(script, clock).boards()

    assert (failed.value.error_class, failed.value.code) == (ErrorClass.RETRY, "platform_unavailable")


# --- publish: images ---------------------------------------------------------------------------


def test_an_image_pin_goes_to_its_board_with_title_description_link_and_alt_text(clock: FakeClock) -> None:
    script = Script(recorded("create_image_pin"))

    post = pinterest_for(script, clock).publish(image_pin())

    assert post == PublishedPost(PIN, f"https://www.pinterest.com/pin/{PIN}/", extra={"board_id": BOARD})
    assert post.notices == ()
    script.assert_done()


def test_a_trial_app_publishes_a_pin_only_its_creator_sees(clock: FakeClock) -> None:
    script = Script(recorded("create_image_pin"))

    post = pinterest_for(script, clock, app=TRIAL_APP).publish(image_pin())

    assert post.notices == (PIN_TRIAL_NOTICE,)


def test_the_alt_text_option_and_section_override_the_defaults(clock: FakeClock) -> None:
    expected = {
        **recordings()["create_image_pin"]["request"]["json"],
        "alt_text": "Salad, top view",
        "board_section_id": SECTION,
    }
    script = Script(recorded("create_image_pin", json=expected))
    options = {"board_id": BOARD, "board_section_id": SECTION, "alt_text": "Salad, top view"}

    pinterest_for(script, clock).publish(image_pin(options=options))

    script.assert_done()


def test_a_pin_without_title_link_or_alt_sends_only_what_it_has(clock: FakeClock) -> None:
    expected = {
        "board_id": BOARD,
        "description": "Fresh, fast and green.",
        "media_source": {"source_type": "image_url", "url": IMAGE},
    }
    script = Script(recorded("create_image_pin", json=expected))

    pinterest_for(script, clock).publish(image_pin(title=None, link=None, media=(MediaItem(IMAGE, "image"),)))

    script.assert_done()


def test_two_to_five_images_make_a_carousel_whose_items_link_to_the_post_link(clock: FakeClock) -> None:
    script = Script(recorded("create_carousel_pin"))
    content = image_pin(
        text="Two ways.",
        media=(MediaItem(IMAGE, "image"), MediaItem(IMAGE_2, "image")),
        options={"board_id": BOARD, "board_section_id": SECTION},
    )

    post = pinterest_for(script, clock).publish(content)

    assert post.platform_post_id == "813744226420795885"
    script.assert_done()


@pytest.mark.parametrize(
    ("content", "code", "wording"),
    [
        (image_pin(options={}), "invalid_content", "GET /v1/accounts/acc_pin/boards"),
        (image_pin(options={"board_id": "  "}), "invalid_content", "set the board_id option"),
        (image_pin(media=()), "invalid_content", "needs an image or a video"),
        (image_pin(media=tuple(MediaItem(f"{IMAGE}?{n}", "image") for n in range(6))), "invalid_content", "maxItems=5"),
        (image_pin(media=(MediaItem(VIDEO, "video"), MediaItem(IMAGE, "image"))), "invalid_content", "one video"),
        (image_pin(media=(MediaItem("https://media.example.com/a.pdf", "document"),)), "media_unsupported", "images"),
        (image_pin(link=LinkPreview("https://example.com/" + "a" * 2048)), "invalid_content", "2048"),
        (image_pin(options={"board_id": BOARD, "alt_text": "x" * 501}), "invalid_content", "alt text"),
    ],
    ids=["no-board", "blank-board", "no-media", "six-images", "video-and-image", "document", "long-link", "long-alt"],
)
def test_what_pinterest_cannot_take_is_refused_before_any_call(
    clock: FakeClock, content: PostContent, code: str, wording: str
) -> None:
    script = Script()

    with pytest.raises(PlatformError) as refused:
        pinterest_for(script, clock).publish(content)

    assert (refused.value.error_class, refused.value.code) == (ErrorClass.PERMANENT, code)
    assert wording in refused.value.message
    assert script.requests == []


@pytest.mark.parametrize(
    ("answer", "code"),
    [
        (recorded("create_image_pin", raises=httpx.ReadTimeout), "timeout"),
        (recorded("create_image_pin", status=503, body=body_of("error_server")), "platform_unavailable"),
        (recorded("create_image_pin", status=201, body="<html>upstream connect error</html>"), "platform_unavailable"),
        (recorded("create_image_pin", status=201, body={"title": "Summer salad"}), "platform_unavailable"),
        (recorded("create_image_pin", raises=httpx.RemoteProtocolError), "network_error"),
    ],
    ids=["timeout", "503", "html", "no-id", "dropped"],
)
def test_a_pin_with_no_clear_answer_is_reconciled_before_it_is_sent_again(
    clock: FakeClock, answer: Exchange, code: str
) -> None:
    with pytest.raises(PlatformError) as failed:
        pinterest_for(Script(answer), clock).publish(image_pin())

    assert (failed.value.error_class, failed.value.code) == (ErrorClass.RETRY, code)
    assert failed.value.code in OUTCOME_UNKNOWN_CODES


def test_an_account_without_a_token_must_reconnect(clock: FakeClock) -> None:
    script = Script()

    with pytest.raises(PlatformError) as refused:
        pinterest_for(script, clock, Credentials("acc_pin", "pinterestdev", {})).publish(image_pin())

    assert (refused.value.error_class, refused.value.code) == (ErrorClass.RECONNECT, "account_disconnected")


@pytest.mark.parametrize(
    ("name", "error_class", "code"),
    [
        ("error_board_not_found", ErrorClass.PERMANENT, "invalid_content"),
        ("error_section_not_found", ErrorClass.PERMANENT, "invalid_content"),
        ("error_max_items", ErrorClass.PERMANENT, "invalid_content"),
        ("error_unreachable_url", ErrorClass.PERMANENT, "invalid_content"),
        ("error_image_too_small", ErrorClass.PERMANENT, "media_unsupported"),
        ("error_trial_restricted", ErrorClass.PERMANENT, "forbidden"),
        ("error_rate_limited", ErrorClass.RETRY, "rate_limited"),
    ],
)
def test_a_refused_pin_raises_the_classified_error(
    clock: FakeClock, name: str, error_class: ErrorClass, code: str
) -> None:
    refusal = recorded(name)
    script = Script(recorded("create_image_pin", status=refusal.status, body=refusal.body, headers=refusal.headers))

    with pytest.raises(PlatformError) as refused:
        pinterest_for(script, clock).publish(image_pin())

    assert (refused.value.error_class, refused.value.code) == (error_class, code)


# --- publish: video ----------------------------------------------------------------------------


def multipart_parts(request: httpx.Request) -> list[tuple[str, dict[str, str], bytes]]:
    """(name, part headers, content) of each part of a multipart/form-data request, in order."""
    boundary = re.search(r"boundary=([^;]+)", request.headers["content-type"])
    assert boundary is not None
    body = request.content
    parts = []
    for raw in body.split(b"--" + boundary[1].encode())[1:]:
        if raw.startswith(b"--"):
            assert raw == b"--\r\n"
            break
        head, _, content = raw.removeprefix(b"\r\n").partition(b"\r\n\r\n")
        headers = dict(line.split(": ", 1) for line in head.decode().split("\r\n"))
        name = re.search(r'name="([^"]+)"', headers["Content-Disposition"])
        assert name is not None
        parts.append((name[1], headers, content.removesuffix(b"\r\n")))
    return parts


def video_pin(size: int | None, **options: Any) -> PostContent:
    return PostContent(
        text="Watch it come together.",
        title="Summer salad in 12 seconds",
        media=(MediaItem(VIDEO, "video", mime="video/mp4", size=size, duration_seconds=12.5),),
        link=LinkPreview(LINK),
        options={"board_id": BOARD, **options},
    )


def test_a_video_is_registered_uploaded_polled_then_pinned_step_by_step(clock: FakeClock) -> None:
    data = b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 10_000  # about 2.5 MiB
    media = FakeMedia({VIDEO: data})
    script = Script(
        recorded("register_media"),
        recorded("upload_media"),
        recorded("media_registered"),
        recorded("media_processing"),
        recorded("media_succeeded"),
        recorded("create_video_pin"),
    )

    post = pinterest_for(script, clock, media=media).publish(video_pin(len(data)))

    assert post.platform_post_id == "813744226420795886"
    assert clock.slept == [MEDIA_POLL_SECONDS, MEDIA_POLL_SECONDS]
    assert media.calls == [("chunks", VIDEO, MIB)]  # streamed, a MiB at a time
    upload = script.requests[1]
    parameters = body_of("register_media")["upload_parameters"]
    parts = multipart_parts(upload)
    assert [name for name, _, _ in parts] == [name for name in parameters if name != "Content-Type"] + ["file"]
    assert {name: content.decode() for name, _, content in parts[:-1]} == {
        name: value for name, value in parameters.items() if name != "Content-Type"
    }
    _, file_headers, file_content = parts[-1]
    assert file_content == data
    assert file_headers["Content-Type"] == "video/mp4"
    assert 'filename="video.mp4"' in file_headers["Content-Disposition"]
    assert upload.headers["content-length"] == str(len(upload.content))
    assert upload.headers["content-type"].startswith("multipart/form-data; boundary=")
    assert "authorization" not in upload.headers
    script.assert_done()


def test_a_video_of_unknown_size_is_read_whole_before_the_upload(clock: FakeClock) -> None:
    data = b"\x00\x00\x00\x18ftypmp42" + bytes(500)
    media = FakeMedia({VIDEO: data})
    script = Script(
        recorded("register_media"), recorded("upload_media"), recorded("media_succeeded"), recorded("create_video_pin")
    )

    pinterest_for(script, clock, media=media).publish(video_pin(None))

    assert media.calls == [("read", VIDEO)]
    assert multipart_parts(script.requests[1])[-1][2] == data
    assert clock.slept == []


@pytest.mark.parametrize(
    ("options", "cover"),
    [
        (
            {"cover_image_url": "https://media.example.com/cover.jpg"},
            {"cover_image_url": "https://media.example.com/cover.jpg"},
        ),
        ({"cover_image_key_frame_time": 7}, {"cover_image_key_frame_time": 7}),
        ({}, {"cover_image_key_frame_time": 0}),
    ],
    ids=["cover-url", "key-frame", "first-frame"],
)
def test_a_video_pin_always_names_its_cover(clock: FakeClock, options: dict[str, Any], cover: dict[str, Any]) -> None:
    expected = recordings()["create_video_pin"]["request"]["json"]
    expected = {**expected, "media_source": {"source_type": "video_id", "media_id": MEDIA_ID, **cover}}
    media = FakeMedia({VIDEO: b"v" * 10})
    script = Script(
        recorded("register_media"),
        recorded("upload_media"),
        recorded("media_succeeded"),
        recorded("create_video_pin", json=expected),
    )

    pinterest_for(script, clock, media=media).publish(video_pin(10, **options))

    script.assert_done()


def test_a_video_pinterest_fails_to_process_is_not_pinned(clock: FakeClock) -> None:
    media = FakeMedia({VIDEO: b"v" * 10})
    script = Script(
        recorded("register_media"), recorded("upload_media"), recorded("media_processing"), recorded("media_failed")
    )

    with pytest.raises(PlatformError) as failed:
        pinterest_for(script, clock, media=media).publish(video_pin(10))

    assert (failed.value.error_class, failed.value.code) == (ErrorClass.PERMANENT, "media_unsupported")
    assert "nothing was published" in failed.value.message
    script.assert_done()  # no POST /v5/pins


def test_a_video_still_processing_after_the_last_poll_is_retried_later(clock: FakeClock) -> None:
    media = FakeMedia({VIDEO: b"v" * 10})
    polls = [recorded("media_processing") for _ in range(MEDIA_POLLS)]
    script = Script(recorded("register_media"), recorded("upload_media"), *polls)

    with pytest.raises(PlatformError) as failed:
        pinterest_for(script, clock, media=media).publish(video_pin(10))

    assert (failed.value.error_class, failed.value.code) == (ErrorClass.RETRY, "media_processing")
    assert failed.value.code not in OUTCOME_UNKNOWN_CODES  # nothing was published: send again
    assert clock.slept == [MEDIA_POLL_SECONDS] * (MEDIA_POLLS - 1)
    script.assert_done()


def test_an_unknown_media_status_is_a_malformed_answer(clock: FakeClock) -> None:
    media = FakeMedia({VIDEO: b"v" * 10})
    odd = recorded("media_succeeded", body={"media_id": MEDIA_ID, "media_type": "video", "status": "archived"})
    script = Script(recorded("register_media"), recorded("upload_media"), odd)

    with pytest.raises(PlatformError) as failed:
        pinterest_for(script, clock, media=media).publish(video_pin(10))

    assert (failed.value.error_class, failed.value.code) == (ErrorClass.RETRY, "platform_unavailable")


@pytest.mark.parametrize(
    ("answer", "error_class", "code"),
    [
        (recorded("upload_media_refused"), ErrorClass.RETRY, "media_upload_failed"),
        (
            recorded("upload_media_refused", status=400, body="<Error><Code>EntityTooLarge</Code></Error>"),
            ErrorClass.PERMANENT,
            "media_too_large",
        ),
        (
            recorded("upload_media_refused", status=503, body="<Error><Code>SlowDown</Code></Error>"),
            ErrorClass.RETRY,
            "platform_unavailable",
        ),
    ],
    ids=["policy", "too-large", "slow-down"],
)
def test_an_upload_the_form_refuses_publishes_nothing(
    clock: FakeClock, answer: Exchange, error_class: ErrorClass, code: str
) -> None:
    media = FakeMedia({VIDEO: b"v" * 10})
    script = Script(recorded("register_media"), answer)

    with pytest.raises(PlatformError) as failed:
        pinterest_for(script, clock, media=media).publish(video_pin(10))

    assert (failed.value.error_class, failed.value.code) == (error_class, code)
    script.assert_done()


def test_a_policy_refusal_names_the_storage_error(clock: FakeClock) -> None:
    media = FakeMedia({VIDEO: b"v" * 10})
    script = Script(recorded("register_media"), recorded("upload_media_refused"))

    with pytest.raises(PlatformError) as failed:
        pinterest_for(script, clock, media=media).publish(video_pin(10))

    assert failed.value.platform_code == "403 AccessDenied"


def test_a_video_that_is_not_the_size_it_was_said_to_be_is_refused(clock: FakeClock) -> None:
    media = FakeMedia({VIDEO: b"v" * 10})
    script = Script(recorded("register_media"))

    with pytest.raises(PlatformError) as refused:
        pinterest_for(script, clock, media=media).publish(video_pin(25))

    assert (refused.value.error_class, refused.value.code) == (ErrorClass.PERMANENT, "invalid_content")


def test_a_video_too_large_for_pinterest_is_refused_before_any_call(clock: FakeClock) -> None:
    script = Script()

    with pytest.raises(PlatformError) as refused:
        pinterest_for(script, clock, media=FakeMedia({})).publish(video_pin(3 * 1024 * MIB))

    assert (refused.value.error_class, refused.value.code) == (ErrorClass.PERMANENT, "media_too_large")
    assert script.requests == []


def test_a_registration_without_an_upload_form_is_malformed(clock: FakeClock) -> None:
    script = Script(recorded("register_media", body={"media_id": MEDIA_ID, "media_type": "video"}))

    with pytest.raises(PlatformError) as failed:
        pinterest_for(script, clock, media=FakeMedia({VIDEO: b"v"})).publish(video_pin(1))

    assert (failed.value.error_class, failed.value.code) == (ErrorClass.RETRY, "platform_unavailable")


# --- reply, delete ---------------------------------------------------------------------------


def test_pinterest_takes_no_replies_or_first_comments(clock: FakeClock) -> None:
    script = Script()
    parent = PublishedPost(PIN, f"https://www.pinterest.com/pin/{PIN}/")

    with pytest.raises(PlatformError) as refused:
        pinterest_for(script, clock).reply(parent, PostContent(text="More below"))

    assert (refused.value.error_class, refused.value.code) == (ErrorClass.PERMANENT, "not_supported")
    assert script.requests == []


def test_delete_removes_the_pin(clock: FakeClock) -> None:
    script = Script(recorded("delete_pin"))

    pinterest_for(script, clock).delete(PIN)

    script.assert_done()


def test_deleting_a_pin_that_is_gone_is_done(clock: FakeClock) -> None:
    script = Script(recorded("error_pin_not_found"))

    pinterest_for(script, clock).delete(PIN)

    script.assert_done()


def test_deleting_a_pin_that_is_not_the_accounts_is_refused(clock: FakeClock) -> None:
    script = Script(recorded("error_board_forbidden"))

    with pytest.raises(PlatformError) as refused:
        pinterest_for(script, clock).delete(PIN)

    assert (refused.value.error_class, refused.value.code) == (ErrorClass.PERMANENT, "forbidden")


# --- metrics ---------------------------------------------------------------------------------


def analytics(pin_id: str, **changes: Any) -> Exchange:
    return recorded("pin_analytics", url=f"{API}/pins/{pin_id}/analytics", **changes)


def test_metrics_ask_for_each_pins_lifetime_analytics_over_the_last_89_days(clock: FakeClock) -> None:
    video = "813744226420795886"
    video_body = {
        "all": {
            "lifetime_metrics": {
                "IMPRESSION": 900,
                "SAVE": 4,
                "PIN_CLICK": 11,
                "OUTBOUND_CLICK": 3,
                "VIDEO_MRC_VIEW": 410,
            }
        }
    }
    script = Script(analytics(PIN), analytics(video, body=video_body))

    found = pinterest_for(script, clock).metrics([PIN, video])

    assert found == {
        PIN: {"impressions": 240, "saves": 20, "clicks": 37, "outbound_clicks": 20},
        video: {"impressions": 900, "saves": 4, "clicks": 11, "outbound_clicks": 3, "views": 410},
    }
    script.assert_done()


def test_metrics_fall_back_to_the_summary_where_a_lifetime_value_is_missing(clock: FakeClock) -> None:
    body = {
        "all": {
            "summary_metrics": {
                "IMPRESSION": 120.0,
                "SAVE": 3,
                "PIN_CLICK": 9,
                "OUTBOUND_CLICK": 2,
                "VIDEO_MRC_VIEW": 0,
                "SAVE_RATE": 0.18,
            },
            "lifetime_metrics": {"IMPRESSION": 130},
        }
    }
    script = Script(analytics(PIN, body=body))

    found = pinterest_for(script, clock).metrics([PIN])

    assert found == {PIN: {"impressions": 130, "saves": 3, "clicks": 9, "outbound_clicks": 2}}


def test_a_pin_whose_analytics_fail_is_left_out_not_zeroed(clock: FakeClock) -> None:
    gone, broken, fine = "813744226420795801", "813744226420795802", "813744226420795803"
    script = Script(
        analytics(gone, status=404, body=body_of("error_pin_not_found")),
        analytics(broken, status=503, body=body_of("error_server")),
        analytics(fine),
    )

    found = pinterest_for(script, clock).metrics([gone, broken, fine])

    assert set(found) == {fine}
    script.assert_done()


def test_a_rate_limit_ends_the_round_with_what_was_read(clock: FakeClock) -> None:
    first, second, third = "813744226420795801", "813744226420795802", "813744226420795803"
    limited = recorded("error_rate_limited")
    script = Script(analytics(first), analytics(second, status=429, body=limited.body, headers=limited.headers))

    found = pinterest_for(script, clock).metrics([first, second, third])

    assert set(found) == {first}
    script.assert_done()  # the third pin is not asked


def test_a_refused_token_while_reading_metrics_is_raised(clock: FakeClock) -> None:
    script = Script(analytics(PIN, status=401, body=body_of("error_unauthorized")))

    with pytest.raises(PlatformError) as refused:
        pinterest_for(script, clock).metrics([PIN])

    assert (refused.value.error_class, refused.value.code) == (ErrorClass.REFRESH, "token_expired")


# --- reconcile -------------------------------------------------------------------------------


def test_reconcile_finds_the_pin_on_its_board(clock: FakeClock) -> None:
    script = Script(recorded("list_board_pins"))

    found = pinterest_for(script, clock).reconcile(image_pin())

    assert found.outcome is ReconcileOutcome.FOUND
    assert found.post == PublishedPost(PIN, f"https://www.pinterest.com/pin/{PIN}/", extra={"board_id": BOARD})
    script.assert_done()


def test_reconcile_reports_absent_once_the_listing_passes_the_window(clock: FakeClock) -> None:
    script = Script(recorded("list_board_pins"))

    found = pinterest_for(script, clock).reconcile(image_pin(title="Autumn salad"))

    assert found.outcome is ReconcileOutcome.ABSENT
    script.assert_done()


def test_reconcile_pages_through_the_window(clock: FakeClock) -> None:
    pins = body_of("list_board_pins")["items"]
    recent = [dict(pins[0], id=f"81374422642079{n:04d}", created_at="2030-01-07T08:50:00") for n in range(3)]
    script = Script(
        recorded("list_board_pins", body={"items": recent, "bookmark": "cGFnZTI="}),
        recorded("list_board_pins", params=[("page_size", str(RECONCILE_PAGE_SIZE)), ("bookmark", "cGFnZTI=")]),
    )

    found = pinterest_for(script, clock).reconcile(image_pin())

    assert found.outcome is ReconcileOutcome.FOUND and found.post is not None
    assert found.post.platform_post_id == PIN
    script.assert_done()


def test_reconcile_reports_absent_at_the_end_of_a_short_listing(clock: FakeClock) -> None:
    script = Script(recorded("list_board_pins", body={"items": [], "bookmark": None}))

    assert pinterest_for(script, clock).reconcile(image_pin()).outcome is ReconcileOutcome.ABSENT


@pytest.mark.parametrize(
    "pin",
    [
        {"title": "Summer salad", "description": "Another description"},
        {"title": "Summer salad", "description": "Fresh, fast and green.", "media": {"media_type": "video"}},
        {"title": "Summer salad", "description": "Fresh, fast and green.", "created_at": "2030-01-07T07:59:59"},
    ],
    ids=["other-description", "other-media", "before-the-window"],
)
def test_reconcile_does_not_take_another_pin(clock: FakeClock, pin: dict[str, Any]) -> None:
    listed = {**body_of("list_board_pins")["items"][1], **pin}
    script = Script(recorded("list_board_pins", body={"items": [listed], "bookmark": None}))

    assert pinterest_for(script, clock).reconcile(image_pin()).outcome is ReconcileOutcome.ABSENT


def test_reconcile_matches_title_and_description_after_normalization(clock: FakeClock) -> None:
    listed = {
        **body_of("list_board_pins")["items"][1],
        "title": " Summer salad\n",
        "description": "Fresh, fast and green. ",
    }
    script = Script(recorded("list_board_pins", body={"items": [listed], "bookmark": None}))

    assert pinterest_for(script, clock).reconcile(image_pin()).outcome is ReconcileOutcome.FOUND


@pytest.mark.parametrize(
    "failure",
    [
        recorded("list_board_pins", status=503, body=body_of("error_server")),
        recorded("list_board_pins", raises=httpx.ReadTimeout),
        recorded("list_board_pins", body={"bookmark": None}),
        recorded("list_board_pins", status=401, body=body_of("error_unauthorized")),
    ],
    ids=["503", "timeout", "no-items", "401"],
)
def test_reconcile_cannot_tell_when_the_listing_fails(clock: FakeClock, failure: Exchange) -> None:
    assert pinterest_for(Script(failure), clock).reconcile(image_pin()).outcome is ReconcileOutcome.UNKNOWN


def test_reconcile_cannot_tell_beyond_the_pages_it_reads(clock: FakeClock) -> None:
    other = dict(body_of("list_board_pins")["items"][0], created_at="2030-01-07T08:55:00")
    pages = [
        recorded(
            "list_board_pins",
            params=[("page_size", str(RECONCILE_PAGE_SIZE))] + ([("bookmark", f"p{n}")] if n else []),
            body={"items": [other], "bookmark": f"p{n + 1}"},
        )
        for n in range(RECONCILE_PAGES)
    ]
    script = Script(*pages)

    assert pinterest_for(script, clock).reconcile(image_pin()).outcome is ReconcileOutcome.UNKNOWN
    script.assert_done()


def test_reconcile_cannot_tell_media_only_pins_apart(clock: FakeClock) -> None:
    listed = {**body_of("list_board_pins")["items"][1], "title": None, "description": None}
    script = Script(recorded("list_board_pins", body={"items": [listed], "bookmark": None}))

    found = pinterest_for(script, clock).reconcile(image_pin(title=None, text=""))

    assert found.outcome is ReconcileOutcome.UNKNOWN


def test_reconcile_without_a_board_knows_nothing_was_made(clock: FakeClock) -> None:
    script = Script()

    assert pinterest_for(script, clock).reconcile(image_pin(options={})).outcome is ReconcileOutcome.ABSENT
    parent = PublishedPost(PIN, f"https://www.pinterest.com/pin/{PIN}/")
    assert pinterest_for(script, clock).reconcile(image_pin(), parent).outcome is ReconcileOutcome.UNKNOWN
    assert script.requests == []


# --- errors ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "error_class", "code", "platform_code"),
    [
        ("error_rate_limited", ErrorClass.RETRY, "rate_limited", "429 8"),
        ("error_unauthorized", ErrorClass.REFRESH, "token_expired", "401 2"),
        ("error_missing_scope", ErrorClass.REFRESH, "token_expired", "401 3"),
        ("error_not_permitted", ErrorClass.PERMANENT, "forbidden", "403 29"),
        ("error_board_forbidden", ErrorClass.PERMANENT, "forbidden", "403 403"),
        ("error_trial_restricted", ErrorClass.PERMANENT, "forbidden", "403 3"),
        ("error_image_too_small", ErrorClass.PERMANENT, "media_unsupported", "403 233"),
        ("error_image_broken", ErrorClass.PERMANENT, "media_unsupported", "403 235"),
        ("error_board_not_found", ErrorClass.PERMANENT, "invalid_content", "404 40"),
        ("error_section_not_found", ErrorClass.PERMANENT, "invalid_content", "404 2031"),
        ("error_pin_not_found", ErrorClass.PERMANENT, "not_found", "404 404"),
        ("error_max_items", ErrorClass.PERMANENT, "invalid_content", "400 1"),
        ("error_unreachable_url", ErrorClass.PERMANENT, "invalid_content", "400 1"),
        ("error_missing_cover", ErrorClass.PERMANENT, "invalid_content", "400 1"),
        ("error_invalid_url", ErrorClass.PERMANENT, "invalid_content", "400 1"),
        ("error_conflict", ErrorClass.RETRY, "platform_unavailable", "409 409"),
        ("error_server", ErrorClass.RETRY, "platform_unavailable", "503 503"),
    ],
)
def test_classify_recorded_errors(
    clock: FakeClock, name: str, error_class: ErrorClass, code: str, platform_code: str
) -> None:
    entry = recordings()[name]["response"]
    response = httpx.Response(entry["status"], json=entry["body"], headers=entry.get("headers"))

    error = pinterest_for(Script(), clock).classify_error(response)

    assert (error.error_class, error.code, error.platform_code) == (error_class, code, platform_code)
    assert error.message.startswith(entry["body"]["message"])


def test_a_board_error_says_where_to_pick_a_board(clock: FakeClock) -> None:
    response = httpx.Response(404, json=body_of("error_board_not_found"))

    error = pinterest_for(Script(), clock).classify_error(response)

    assert "GET /v1/accounts/acc_pin/boards" in error.message


@pytest.mark.parametrize(
    ("status", "body", "headers", "error_class", "code", "retry_in"),
    [
        (429, {"code": 8, "message": "Too many"}, {"Retry-After": "120"}, ErrorClass.RETRY, "rate_limited", 120),
        (429, {"code": 8, "message": "Too many"}, {"X-RateLimit-Reset": "30"}, ErrorClass.RETRY, "rate_limited", 30),
        (
            429,
            "",
            {"X-RateLimit-Reset": str(int((NOW + timedelta(minutes=5)).timestamp()))},
            ErrorClass.RETRY,
            "rate_limited",
            300,
        ),
        (429, "", {}, ErrorClass.RETRY, "rate_limited", None),
        (
            400,
            {"code": 8, "message": "This request exceeded a rate limit."},
            {},
            ErrorClass.RETRY,
            "rate_limited",
            None,
        ),
        (400, {"code": 1, "message": "Board not found."}, {}, ErrorClass.PERMANENT, "invalid_content", None),
        (
            403,
            {"code": 3, "message": "Missing scope pins:write"},
            {},
            ErrorClass.RECONNECT,
            "account_disconnected",
            None,
        ),
        (403, {"code": 1, "message": "Trial access apps may not do this"}, {}, ErrorClass.PERMANENT, "forbidden", None),
        (403, "<html>Forbidden</html>", {}, ErrorClass.PERMANENT, "forbidden", None),
        (413, "", {}, ErrorClass.PERMANENT, "media_too_large", None),
        (502, "<html>Bad gateway</html>", {}, ErrorClass.RETRY, "platform_unavailable", None),
        (200, "<html>upstream</html>", {}, ErrorClass.RETRY, "platform_unavailable", None),
        (418, {"code": 418, "message": "I'm a teapot"}, {}, ErrorClass.PERMANENT, "platform_error", None),
    ],
    ids=[
        "retry-after",
        "reset-delta",
        "reset-epoch",
        "429-bare",
        "code-8",
        "400-board",
        "403-scope",
        "403-trial",
        "403-html",
        "413",
        "502",
        "malformed-200",
        "other",
    ],
)
def test_classify_other_answers(
    clock: FakeClock,
    status: int,
    body: Any,
    headers: dict[str, str],
    error_class: ErrorClass,
    code: str,
    retry_in: int | None,
) -> None:
    response = (
        httpx.Response(status, text=body, headers=headers)
        if isinstance(body, str)
        else httpx.Response(status, json=body, headers=headers)
    )

    error = pinterest_for(Script(), clock).classify_error(response)

    assert (error.error_class, error.code) == (error_class, code)
    assert error.retry_at == (NOW + timedelta(seconds=retry_in) if retry_in is not None else None)


def test_a_401_without_a_refresh_token_means_reconnect(clock: FakeClock) -> None:
    bare = Credentials("acc_pin", "pinterestdev", {"access_token": ACCESS})
    response = httpx.Response(401, json=body_of("error_unauthorized"))

    error = pinterest_for(Script(), clock, bare).classify_error(response)

    assert (error.error_class, error.code) == (ErrorClass.RECONNECT, "account_disconnected")


@pytest.mark.parametrize(
    ("exc", "code"),
    [
        (httpx.ReadTimeout("slow"), "timeout"),
        (httpx.ConnectTimeout("slow"), "timeout"),
        (httpx.ConnectError("refused"), "network_error"),
    ],
)
def test_classify_transport_errors(clock: FakeClock, exc: Exception, code: str) -> None:
    error = pinterest_for(Script(), clock).classify_error(None, exc)

    assert (error.error_class, error.code) == (ErrorClass.RETRY, code)


# --- text ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "length"), [("Summer salad", 12), ("Cafe\u0301 ☕", 6), ("👋🏽", 2)])
def test_count_text_counts_code_points_after_nfc(clock: FakeClock, text: str, length: int) -> None:
    assert pinterest_for(Script(), clock).count_text(text) == length


def test_the_limits_are_pinterests(clock: FakeClock) -> None:
    assert PinterestPlatform.text_limits.max_length == 500
    assert PinterestPlatform.media_limits.max_items == 5
    assert base64.b64decode(recordings()["oauth_token_code"]["request"]["headers"]["Authorization"][6:]) == (
        f"{APP.client_id}:{APP.client_secret}".encode()
    )
