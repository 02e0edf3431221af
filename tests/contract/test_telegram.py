"""TelegramPlatform against the recorded Bot API exchanges (simulators/recordings/telegram.json),
and against the Telegram simulator."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from scripted_http import Exchange, Script

from herald.accounts.model import Account
from herald.platforms import simulators
from herald.platforms.base import (
    AccountIdentity,
    Credentials,
    ErrorClass,
    LinkPreview,
    MediaItem,
    PlatformError,
    PostContent,
    PublishedPost,
    ReconcileOutcome,
)
from herald.platforms.registry import open_platform
from herald.platforms.simulators.common import grown_followers
from herald.platforms.simulators.telegram import (
    TelegramSimulator,
    channel_id,
    connect_handler,
    multipart,
    recording,
)
from herald.platforms.telegram import TelegramPlatform, chat_reference, message_ids
from support.clock import FakeClock

TOKEN = "123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11"  # the Bot API docs' example token
BASE = f"https://api.telegram.org/bot{TOKEN}"
CHAT = -1001234567890
TOKENS = {"bot_token": TOKEN, "bot_id": "123456", "chat_id": str(CHAT), "chat_username": "heraldnews"}
CREDENTIALS = Credentials(account_id="acc_t", username="heraldnews", tokens=TOKENS)
TEXT = "Launch day 🚀 Read more at https://example.com/launch"
MB = 1024 * 1024


class FakeMedia:
    """A MediaSource holding files in memory, by URL."""

    def __init__(self, files: dict[str, bytes]) -> None:
        self.files = files
        self.read_urls: list[str] = []

    def read(self, item: MediaItem) -> bytes:
        self.read_urls.append(item.url)
        return self.files[item.url]

    def chunks(self, item: MediaItem, chunk_size: int) -> Iterator[bytes]:
        data = self.read(item)
        for start in range(0, len(data), chunk_size):
            yield data[start : start + chunk_size]


def telegram_for(
    script: Script,
    clock: FakeClock,
    credentials: Credentials = CREDENTIALS,
    media: FakeMedia | None = None,
) -> TelegramPlatform:
    return TelegramPlatform(script.client(), credentials, media=media, clock=clock)


def recorded(name: str, **changes: Any) -> Exchange:
    """The recorded exchange `name` as an expected request and its answer; `changes` replace the
    expected JSON body (json=...) or the answer (status=..., body=...)."""
    entry = recording(name)
    request, response = entry["request"], entry["response"]
    exchange = Exchange(
        request["method"],
        request["url"],
        status=response["status"],
        body=response["body"],
        json=request.get("json"),
    )
    for key, value in changes.items():
        setattr(exchange, key, value)
    return exchange


def answered_by(name: str, method: str = "sendMessage", **expected: Any) -> Exchange:
    """Any call to `method` answered with the recorded error `name`."""
    response = recording(name)["response"]
    return Exchange("POST", f"{BASE}/{method}", status=response["status"], body=response["body"], **expected)


def uploaded(request: httpx.Request) -> tuple[dict[str, str], dict[str, tuple[str, str, bytes]]]:
    """A multipart request's fields and files (name -> (filename, content type, bytes))."""
    fields, files = multipart(request)
    assert request.headers["content-type"].startswith("multipart/form-data")
    return fields, {name: (filename, kind, data) for name, (filename, data, kind) in files.items()}


def error_body(name: str) -> Any:
    return recording(name)["response"]["body"]


def upload_answered_by(name: str) -> Exchange:
    """A multipart call answered as the recorded upload `name` (its body is checked with `uploaded`)."""
    entry = recording(name)
    return Exchange("POST", entry["request"]["url"], body=entry["response"]["body"])


def connect(client: httpx.Client, chat_id: str = "@heraldnews", token: str = TOKEN) -> Any:
    return TelegramPlatform.connect_with_fields(client, {"bot_token": token, "chat_id": chat_id})


def recorded_upload(name: str) -> tuple[dict[str, str], dict[str, tuple[str, str]]]:
    request = recording(name)["request"]
    return request["form"], {k: (v["filename"], v["content_type"]) for k, v in request["files"].items()}


# --- publish: text ---------------------------------------------------------------------------


def test_text_is_sent_as_plain_text_to_the_channel(clock: FakeClock) -> None:
    script = Script(recorded("sendMessage"))

    post = telegram_for(script, clock).publish(PostContent(text=TEXT, target_key="post_1:acc_t"))

    assert post == PublishedPost(platform_post_id="101", url="https://t.me/heraldnews/101")
    assert "parse_mode" not in json.loads(script.requests[0].content)  # Unicode styling, no markup
    script.assert_done()


def test_a_link_card_names_the_link_to_preview(clock: FakeClock) -> None:
    script = Script(recorded("sendMessage with a link preview"))
    content = PostContent(text="Our launch post is up.", link=LinkPreview("https://example.com/launch", "The launch"))

    post = telegram_for(script, clock).publish(content)

    assert post.platform_post_id == "102"
    script.assert_done()


def test_options_pass_through(clock: FakeClock) -> None:
    expected = {"chat_id": CHAT, "text": TEXT, "disable_notification": True, "protect_content": True}
    script = Script(recorded("sendMessage", json=expected))
    options = {"disable_notification": True, "protect_content": True, "unknown": "left out"}

    telegram_for(script, clock).publish(PostContent(text=TEXT, options=options))

    script.assert_done()


@pytest.mark.parametrize("parent_id", ["101", "101,102"])
def test_a_reply_names_the_first_message_of_its_parent(clock: FakeClock, parent_id: str) -> None:
    script = Script(recorded("sendMessage as a reply"))
    parent = PublishedPost(platform_post_id=parent_id, url="https://t.me/heraldnews/101")

    post = telegram_for(script, clock).reply(parent, PostContent(text="And one more thing."))

    assert post == PublishedPost(platform_post_id="103", url="https://t.me/heraldnews/103")
    script.assert_done()


def test_a_private_channel_links_members_to_the_message(clock: FakeClock) -> None:
    private = Credentials(account_id="acc_t", username="Herald News", tokens={**TOKENS, "chat_username": ""})
    body = recording("sendMessage")["response"]["body"]
    for chat in (body["result"]["chat"], body["result"]["sender_chat"]):
        del chat["username"]
    script = Script(recorded("sendMessage", body=body))

    post = telegram_for(script, clock, private).publish(PostContent(text=TEXT))

    assert post.url == "https://t.me/c/1234567890/101"


# --- publish: media --------------------------------------------------------------------------

PHOTO = MediaItem("https://media.example.com/dashboard.jpg", "image", mime="image/jpeg", size=900_000)
VIDEO = MediaItem(
    "https://media.example.com/demo.mp4", "video", mime="video/mp4", size=4 * MB, width=1280, height=720,
    duration_seconds=12.2,
)


def test_a_photo_goes_by_url_with_the_text_as_caption(clock: FakeClock) -> None:
    script = Script(recorded("sendPhoto by URL"))

    post = telegram_for(script, clock).publish(PostContent(text="The new dashboard", media=(PHOTO,)))

    assert post == PublishedPost(platform_post_id="104", url="https://t.me/heraldnews/104")
    script.assert_done()


def test_a_video_goes_by_url_with_its_size_and_duration(clock: FakeClock) -> None:
    script = Script(recorded("sendVideo by URL"))

    assert telegram_for(script, clock).publish(PostContent(text="Demo", media=(VIDEO,))).platform_post_id == "105"
    script.assert_done()


def test_a_gif_is_an_animation(clock: FakeClock) -> None:
    script = Script(recorded("sendAnimation by URL"))
    gif = MediaItem("https://media.example.com/party.gif", "gif", mime="image/gif", size=2 * MB)

    assert telegram_for(script, clock).publish(PostContent(text="🎉", media=(gif,))).platform_post_id == "106"
    script.assert_done()


def test_media_without_text_have_no_caption(clock: FakeClock) -> None:
    script = Script(recorded("sendPhoto by URL", json={"chat_id": CHAT, "photo": PHOTO.url}))

    telegram_for(script, clock).publish(PostContent(text="", media=(PHOTO,)))

    script.assert_done()


def test_an_album_is_one_media_group_with_the_caption_first(clock: FakeClock) -> None:
    script = Script(recorded("sendMediaGroup"))
    items = (
        MediaItem("https://media.example.com/1.jpg", "image"),
        MediaItem("https://media.example.com/2.mp4", "video"),
    )

    post = telegram_for(script, clock).publish(PostContent(text="Album", media=items))

    assert post == PublishedPost(platform_post_id="107,108", url="https://t.me/heraldnews/107")
    script.assert_done()


def test_a_url_telegram_cannot_fetch_is_uploaded_instead(clock: FakeClock) -> None:
    media = FakeMedia({PHOTO.url: b"\xff\xd8jpeg bytes"})
    script = Script(recorded("error: URL content not fetched"), upload_answered_by("sendPhoto upload"))

    post = telegram_for(script, clock, media=media).publish(PostContent(text="The new dashboard", media=(PHOTO,)))

    fields, files = uploaded(script.requests[1])
    form, parts = recorded_upload("sendPhoto upload")
    assert fields == form
    assert {name: (filename, kind) for name, (filename, kind, _) in files.items()} == parts
    assert files["photo"][2] == b"\xff\xd8jpeg bytes"
    assert post.platform_post_id == "104"
    script.assert_done()


def test_a_video_above_what_telegram_fetches_is_uploaded_at_once(clock: FakeClock) -> None:
    big = MediaItem(VIDEO.url, "video", mime="video/mp4", size=25 * MB, width=1280, height=720, duration_seconds=12)
    media = FakeMedia({big.url: b"\x00\x00\x00\x18ftypmp42"})
    script = Script(upload_answered_by("sendVideo upload"))

    telegram_for(script, clock, media=media).publish(PostContent(text="Demo", media=(big,)))

    fields, files = uploaded(script.requests[0])
    form, parts = recorded_upload("sendVideo upload")
    assert fields == form
    assert {name: (filename, kind) for name, (filename, kind, _) in files.items()} == parts


def test_an_album_uploads_only_the_items_above_the_url_limit(clock: FakeClock) -> None:
    items = (
        MediaItem("https://media.example.com/1.jpg", "image", size=6 * MB),  # photos by URL: 5 MB at most
        MediaItem("https://media.example.com/2.mp4", "video", size=3 * MB),
    )
    media = FakeMedia({items[0].url: b"jpeg"})
    script = Script(upload_answered_by("sendMediaGroup upload"))

    telegram_for(script, clock, media=media).publish(PostContent(text="Album", media=items))

    fields, files = uploaded(script.requests[0])
    assert json.loads(fields["media"]) == [
        {"type": "photo", "media": "attach://file0", "caption": "Album"},
        {"type": "video", "media": "https://media.example.com/2.mp4", "supports_streaming": True},
    ]
    assert fields["chat_id"] == str(CHAT)
    assert files == {"file0": ("1.jpg", "image/jpeg", b"jpeg")}


def test_an_album_telegram_cannot_fetch_is_uploaded_whole(clock: FakeClock) -> None:
    items = (
        MediaItem("https://media.example.com/1.jpg", "image", mime="image/jpeg"),
        MediaItem("https://media.example.com/2.mp4", "video", mime="video/mp4"),
    )
    media = FakeMedia({items[0].url: b"one", items[1].url: b"two"})
    script = Script(
        recorded("sendMediaGroup", status=400, body=error_body("error: wrong file identifier or URL")),
        upload_answered_by("sendMediaGroup upload"),
    )

    post = telegram_for(script, clock, media=media).publish(PostContent(text="Album", media=items))

    fields, files = uploaded(script.requests[1])
    form, parts = recorded_upload("sendMediaGroup upload")
    assert {**fields, "media": json.loads(fields["media"])} == {**form, "media": json.loads(form["media"])}
    assert {name: (filename, kind) for name, (filename, kind, _) in files.items()} == parts
    assert post.platform_post_id == "107,108"


def test_a_url_refusal_without_a_media_source_is_raised(clock: FakeClock) -> None:
    script = Script(recorded("error: URL content not fetched"))

    with pytest.raises(PlatformError) as failed:
        telegram_for(script, clock).publish(PostContent(text="The new dashboard", media=(PHOTO,)))

    assert (failed.value.error_class, failed.value.code) == (ErrorClass.RETRY, "media_unreachable")


@pytest.mark.parametrize(
    ("items", "code"),
    [
        ((MediaItem("https://m.example/a.jpg", "image", size=11 * MB),), "media_too_large"),  # uploads: 10 MB
        ((MediaItem("https://m.example/a.mp4", "video", size=51 * MB),), "media_too_large"),  # other files: 50 MB
        ((MediaItem("https://m.example/a.gif", "gif"), MediaItem("https://m.example/b.jpg", "image")),
         "media_unsupported"),
        (tuple(MediaItem(f"https://m.example/{n}.jpg", "image") for n in range(11)), "media_unsupported"),
        ((MediaItem("https://m.example/a.pdf", "document"),), "media_unsupported"),
    ],
    ids=["photo-11mb", "video-51mb", "gif-in-album", "11-items", "unknown-kind"],
)
def test_media_telegram_cannot_take_are_refused_before_any_call(
    clock: FakeClock, items: tuple[MediaItem, ...], code: str
) -> None:
    script = Script()

    with pytest.raises(PlatformError) as refused:
        telegram_for(script, clock).publish(PostContent(text="x", media=items))

    assert (refused.value.error_class, refused.value.code) == (ErrorClass.PERMANENT, code)
    assert script.requests == []


def test_a_file_read_larger_than_the_upload_limit_is_refused(clock: FakeClock) -> None:
    unknown_size = MediaItem(PHOTO.url, "image")
    media = FakeMedia({PHOTO.url: b"x" * (10 * MB + 1)})
    photo = {"chat_id": CHAT, "photo": PHOTO.url, "caption": "x"}
    script = Script(recorded("error: URL content not fetched", json=photo))

    with pytest.raises(PlatformError) as refused:
        telegram_for(script, clock, media=media).publish(PostContent(text="x", media=(unknown_size,)))

    assert refused.value.code == "media_too_large"
    script.assert_done()


def test_telegram_has_no_media_processing_to_poll(clock: FakeClock) -> None:
    # Sends are synchronous: the answer is the sent message, so nothing is polled or slept.
    script = Script(recorded("sendVideo by URL"))

    telegram_for(script, clock).publish(PostContent(text="Demo", media=(VIDEO,)))

    assert clock.slept == []


# --- delete ----------------------------------------------------------------------------------


def test_delete_removes_the_message(clock: FakeClock) -> None:
    script = Script(recorded("deleteMessage"))

    telegram_for(script, clock).delete("101")

    script.assert_done()


def test_delete_removes_a_whole_album(clock: FakeClock) -> None:
    script = Script(recorded("deleteMessages"))

    telegram_for(script, clock).delete("107,108")

    script.assert_done()


def test_a_message_already_gone_counts_as_deleted(clock: FakeClock) -> None:
    script = Script(recorded("error: message to delete not found"))

    telegram_for(script, clock).delete("101")

    script.assert_done()


def test_a_message_older_than_48_hours_cannot_be_deleted(clock: FakeClock) -> None:
    script = Script(recorded("error: message can't be deleted"))

    with pytest.raises(PlatformError) as refused:
        telegram_for(script, clock).delete("101")

    assert (refused.value.error_class, refused.value.code) == (ErrorClass.PERMANENT, "delete_refused")
    assert "48 hours" in refused.value.message


@pytest.mark.parametrize("post_id", ["", "abc", "101,", "at://x"])
def test_what_is_not_a_message_id(post_id: str) -> None:
    with pytest.raises(PlatformError) as refused:
        message_ids(post_id)

    assert refused.value.code == "invalid_content"


# --- metrics, reconcile, refresh, revoke -----------------------------------------------------


def test_metrics_are_not_offered_by_the_bot_api(clock: FakeClock) -> None:
    script = Script()

    assert telegram_for(script, clock).metrics(["101", "107,108"]) == {}
    assert script.requests == []


def test_reconcile_cannot_tell_without_a_way_to_read_the_channel(clock: FakeClock) -> None:
    script = Script()

    found = telegram_for(script, clock).reconcile(PostContent(text=TEXT, target_key="post_1:acc_t"))

    assert found.outcome is ReconcileOutcome.UNKNOWN and found.post is None
    assert script.requests == []


def test_bot_tokens_cannot_be_refreshed(clock: FakeClock) -> None:
    script = Script()

    with pytest.raises(PlatformError) as refused:
        telegram_for(script, clock).refresh_credentials()

    assert (refused.value.error_class, refused.value.code) == (ErrorClass.RECONNECT, "account_disconnected")
    assert script.requests == []


def test_there_is_no_revocation_endpoint(clock: FakeClock) -> None:
    assert telegram_for(Script(), clock).revoke() is False


# --- classify_error --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "error_class", "code"),
    [
        ("error: too many requests", ErrorClass.RETRY, "rate_limited"),
        ("error: unauthorized", ErrorClass.RECONNECT, "account_disconnected"),
        ("error: bot is not a member", ErrorClass.RECONNECT, "account_disconnected"),
        ("error: bot was kicked", ErrorClass.RECONNECT, "account_disconnected"),
        ("error: chat not found", ErrorClass.RECONNECT, "account_disconnected"),
        ("error: no post rights", ErrorClass.RECONNECT, "account_disconnected"),
        ("error: group upgraded", ErrorClass.RECONNECT, "account_disconnected"),
        ("error: message too long", ErrorClass.PERMANENT, "invalid_content"),
        ("error: message text is empty", ErrorClass.PERMANENT, "invalid_content"),
        ("error: caption too long", ErrorClass.PERMANENT, "invalid_content"),
        ("error: replied message not found", ErrorClass.PERMANENT, "not_found"),
        ("error: URL content not fetched", ErrorClass.RETRY, "media_unreachable"),
        ("error: wrong file identifier or URL", ErrorClass.RETRY, "media_unreachable"),
        ("error: wrong web page content type", ErrorClass.PERMANENT, "media_unsupported"),
        ("error: upload too large", ErrorClass.PERMANENT, "media_too_large"),
        ("error: message to delete not found", ErrorClass.PERMANENT, "not_found"),
        ("error: message can't be deleted", ErrorClass.PERMANENT, "delete_refused"),
        ("error: bad gateway", ErrorClass.RETRY, "platform_unavailable"),
        ("error: service unavailable", ErrorClass.RETRY, "platform_unavailable"),
    ],
)
def test_classify_recorded_errors(clock: FakeClock, name: str, error_class: ErrorClass, code: str) -> None:
    response = recording(name)["response"]
    body = response["body"]
    status = response["status"]
    answer = httpx.Response(status, text=body) if isinstance(body, str) else httpx.Response(status, json=body)

    error = telegram_for(Script(), clock).classify_error(answer)

    assert (error.error_class, error.code) == (error_class, code)
    if isinstance(body, dict):
        assert error.platform_code == f"{body['error_code']} {body['description']}"
    assert TOKEN not in error.message


def test_a_rate_limit_retries_after_the_seconds_telegram_names(clock: FakeClock) -> None:
    script = Script(recorded("error: too many requests"))

    with pytest.raises(PlatformError) as limited:
        telegram_for(script, clock).publish(PostContent(text=TEXT))

    assert limited.value.retry_at == clock.now() + timedelta(seconds=35)
    assert limited.value.platform_code == "429 Too Many Requests: retry after 35"


def test_a_group_that_became_a_supergroup_names_its_new_id(clock: FakeClock) -> None:
    script = Script(recorded("error: group upgraded"))

    with pytest.raises(PlatformError) as moved:
        telegram_for(script, clock).publish(PostContent(text=TEXT))

    assert str(CHAT) in moved.value.message


@pytest.mark.parametrize(
    "body",
    ["<html>upstream connect error</html>", {"ok": True}, {"ok": True, "result": {"chat": {}}}],
    ids=["html", "no-result", "no-message-id"],
)
def test_a_malformed_success_is_retried(clock: FakeClock, body: Any) -> None:
    script = Script(Exchange("POST", f"{BASE}/sendMessage", body=body))

    with pytest.raises(PlatformError) as failed:
        telegram_for(script, clock).publish(PostContent(text=TEXT))

    assert (failed.value.error_class, failed.value.code) == (ErrorClass.RETRY, "platform_unavailable")


@pytest.mark.parametrize(
    ("exc", "code"),
    [(httpx.ReadTimeout, "timeout"), (httpx.ConnectTimeout, "timeout"), (httpx.ConnectError, "network_error")],
)
def test_transport_failures_are_retried(clock: FakeClock, exc: type[httpx.TransportError], code: str) -> None:
    script = Script(Exchange("POST", f"{BASE}/sendMessage", raises=exc))

    with pytest.raises(PlatformError) as failed:
        telegram_for(script, clock).publish(PostContent(text=TEXT))

    assert (failed.value.error_class, failed.value.code) == (ErrorClass.RETRY, code)


def test_the_token_is_kept_out_of_transport_error_messages(clock: FakeClock) -> None:
    error = telegram_for(Script(), clock).classify_error(None, httpx.ConnectError(f"cannot reach {BASE}/sendMessage"))

    assert TOKEN not in error.message and "<bot token>" in error.message


def test_telegram_has_no_duplicate_error(clock: FakeClock) -> None:
    # Telegram sends a repeated text again: nothing to classify as duplicate_content.
    script = Script(recorded("sendMessage"), recorded("sendMessage"))
    platform = telegram_for(script, clock)

    assert platform.publish(PostContent(text=TEXT)) == platform.publish(PostContent(text=TEXT))


# --- text ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "units"), [("hello", 5), ("😀" * 2048, 4096), ("é", 1), ("👍🏽", 4), ("日本", 2)])
def test_count_text_counts_utf16_units(clock: FakeClock, text: str, units: int) -> None:
    assert telegram_for(Script(), clock).count_text(text) == units


# --- connect ---------------------------------------------------------------------------------

CONNECT = (recorded("getMe"), recorded("getChat"), recorded("getChatMember"), recorded("getChatMemberCount"))


def connect_script(*exchanges: Exchange) -> Script:
    return Script(*(exchanges or CONNECT))


def test_connect_checks_the_bot_and_its_right_to_post(clock: FakeClock) -> None:
    script = connect_script()

    connection = connect(script.client(), token=f" {TOKEN} ")

    assert connection.credentials == Credentials(
        account_id="", username="heraldnews",
        tokens={"bot_token": TOKEN, "bot_id": "123456", "chat_id": str(CHAT), "chat_username": "heraldnews"},
    )
    assert connection.identity == AccountIdentity(
        platform_user_id=str(CHAT),
        username="heraldnews",
        display_name="Herald News",
        followers=1523,
        permissions=("can_delete_messages", "can_edit_messages", "can_manage_chat", "can_post_messages"),
    )
    script.assert_done()


@pytest.mark.parametrize(
    ("given", "ref"),
    [
        ("@heraldnews", "@heraldnews"),
        ("heraldnews", "@heraldnews"),
        ("https://t.me/heraldnews", "@heraldnews"),
        ("t.me/heraldnews/", "@heraldnews"),
        (" -1001234567890 ", CHAT),
    ],
)
def test_the_chat_may_be_named_several_ways(given: str, ref: int | str) -> None:
    assert chat_reference(given) == ref


@pytest.mark.parametrize(
    "fields",
    [
        {"bot_token": "not-a-token", "chat_id": "@heraldnews"},
        {"bot_token": TOKEN, "chat_id": "https://t.me/+AbCdEf123"},  # an invite link names no chat
        {"bot_token": TOKEN, "chat_id": "@x"},
        {"chat_id": "@heraldnews"},
    ],
)
def test_malformed_fields_are_refused_before_any_call(fields: dict[str, str]) -> None:
    script = Script()

    with pytest.raises(PlatformError) as refused:
        TelegramPlatform.connect_with_fields(script.client(), fields)

    assert (refused.value.error_class, refused.value.code) == (ErrorClass.PERMANENT, "invalid_credentials")
    assert script.requests == []


def test_a_token_telegram_does_not_know_is_refused(clock: FakeClock) -> None:
    script = Script(answered_by("error: unauthorized", "getMe"))

    with pytest.raises(PlatformError) as refused:
        connect(script.client())

    assert (refused.value.error_class, refused.value.code) == (ErrorClass.PERMANENT, "invalid_credentials")


@pytest.mark.parametrize("name", ["error: chat not found", "error: bot is not a member"])
def test_a_chat_the_bot_cannot_reach_is_refused(name: str) -> None:
    script = Script(recorded("getMe"), answered_by(name, "getChat"))

    with pytest.raises(PlatformError) as refused:
        connect(script.client())

    assert (refused.value.error_class, refused.value.code) == (ErrorClass.PERMANENT, "chat_not_accessible")


@pytest.mark.parametrize(
    "member",
    [
        {"can_post_messages": False},  # an administrator without the right to post
        {"status": "left"},
        {"status": "member"},  # bots in channels are administrators or nothing
    ],
)
def test_a_bot_that_cannot_post_to_the_channel_is_refused(member: dict[str, Any]) -> None:
    body = recording("getChatMember")["response"]["body"]
    body["result"] |= member
    script = connect_script(recorded("getMe"), recorded("getChat"), recorded("getChatMember", body=body),
                            recorded("getChatMemberCount"))

    with pytest.raises(PlatformError) as refused:
        connect(script.client())

    assert (refused.value.error_class, refused.value.code) == (ErrorClass.PERMANENT, "insufficient_permissions")


def test_a_group_member_bot_may_post() -> None:
    chat = recording("getChat")["response"]["body"]
    chat["result"] |= {"type": "supergroup"}
    member = recording("getChatMember")["response"]["body"]
    member["result"] = {"user": member["result"]["user"], "status": "member"}
    script = connect_script(recorded("getMe"), recorded("getChat", body=chat), recorded("getChatMember", body=member),
                            recorded("getChatMemberCount"))

    connection = connect(script.client())

    assert connection.identity.permissions == ()


def test_a_private_chat_is_refused() -> None:
    chat = recording("getChat")["response"]["body"]
    chat["result"] = {"id": 42, "first_name": "Ann", "type": "private"}
    script = connect_script(recorded("getMe"), recorded("getChat", body=chat),
                            recorded("getChatMember", json={"chat_id": 42, "user_id": 123456}),
                            recorded("getChatMemberCount", json={"chat_id": 42}))

    with pytest.raises(PlatformError) as refused:
        connect(script.client())

    assert refused.value.code == "unsupported_chat"


def test_an_outage_while_connecting_can_be_retried() -> None:
    script = Script(recorded("getMe"), answered_by("error: bad gateway", "getChat"))

    with pytest.raises(PlatformError) as failed:
        connect(script.client())

    assert (failed.value.error_class, failed.value.code) == (ErrorClass.RETRY, "platform_unavailable")


def test_identity_reads_the_chat_by_its_stored_id(clock: FakeClock) -> None:
    script = Script(recorded("getMe"), recorded("getChat", json={"chat_id": CHAT}), recorded("getChatMember"),
                    recorded("getChatMemberCount"))

    identity = telegram_for(script, clock).identity()

    assert (identity.username, identity.display_name, identity.followers) == ("heraldnews", "Herald News", 1523)


def test_identity_of_a_kicked_bot_means_reconnect(clock: FakeClock) -> None:
    script = Script(recorded("getMe"), answered_by("error: bot was kicked", "getChat"))

    with pytest.raises(PlatformError) as failed:
        telegram_for(script, clock).identity()

    assert (failed.value.error_class, failed.value.code) == (ErrorClass.RECONNECT, "account_disconnected")


# --- the simulator, through the adapter ------------------------------------------------------


def simulated(account: Account, clock: FakeClock | None = None, media: FakeMedia | None = None) -> TelegramPlatform:
    simulator = TelegramSimulator.for_account(account)
    client = httpx.Client(transport=httpx.MockTransport(simulator.handle))
    credentials = Credentials(account_id=account.id, username=account.username, tokens=dict(account.credentials))
    return TelegramPlatform(client, credentials, media=media, clock=clock)


def test_simulated_text_post_has_a_message_id_and_a_channel_link(make_account) -> None:
    platform = open_platform(make_account("telegram", "acc_sim", "heraldnews"))

    post = platform.publish(PostContent(text=TEXT, link=LinkPreview("https://example.com/launch")))

    [held] = simulators.published("acc_sim")
    assert post.platform_post_id == str(held["message_id"]) and post.platform_post_id.isdigit()
    assert post.url == f"https://t.me/heraldnews/{held['message_id']}"
    assert held["message"]["chat"]["id"] == channel_id("heraldnews")
    assert held["message"]["link_preview_options"] == {"url": "https://example.com/launch"}
    assert held["text"] == TEXT


def test_simulated_account_without_a_channel_username_gets_private_links(make_account) -> None:
    post = open_platform(make_account("telegram", "acc_sim", "Herald News!")).publish(PostContent(text="hi"))

    assert post.url.startswith("https://t.me/c/") and post.url.endswith(f"/{post.platform_post_id}")


def test_simulated_thread_album_and_delete(make_account) -> None:
    platform = open_platform(make_account("telegram", "acc_sim", "heraldnews"))
    first = platform.publish(PostContent(text="1/2"))
    second = platform.reply(first, PostContent(text="2/2"))
    album = platform.publish(PostContent(text="Album", media=(
        MediaItem("https://cdn.example.com/1.jpg", "image"), MediaItem("https://cdn.example.com/2.mp4", "video"))))

    held = {str(p["message_id"]): p for p in simulators.published("acc_sim")}
    assert held[second.platform_post_id]["reply_to"] == int(first.platform_post_id)
    ids = album.platform_post_id.split(",")
    assert [held[i]["media"][0]["kind"] for i in ids] == ["photo", "video"]
    assert held[ids[0]]["text"] == "Album" and held[ids[1]]["text"] == ""
    assert held[ids[0]]["media_group_id"] == held[ids[1]]["media_group_id"]

    platform.delete(album.platform_post_id)
    platform.delete(second.platform_post_id)
    platform.delete(second.platform_post_id)  # already gone: still fine
    assert [str(p["message_id"]) for p in simulators.published("acc_sim")] == [first.platform_post_id]


def test_simulated_channel_has_no_metrics_and_its_members_grow(make_account, clock: FakeClock) -> None:
    simulators.use_clock(clock.now)
    account = make_account("telegram", "acc_sim", "heraldnews")
    key, start = f"telegram:{account.credentials['chat_id']}", clock.now()
    platform = simulated(account, clock)
    post = platform.publish(PostContent(text=TEXT))

    today = platform.identity().followers
    clock.advance(days=10)
    later = simulated(account, clock).identity().followers

    assert platform.metrics([post.platform_post_id]) == {}  # the Bot API shows no counts, however long
    assert (today, later) == (grown_followers(key, start), grown_followers(key, clock.now()))
    assert today is not None and later is not None and later >= today + 10


def test_simulated_media_from_a_private_address_are_uploaded(make_account, clock: FakeClock) -> None:
    local = MediaItem("http://127.0.0.1:4566/media/med_1.jpg", "image", mime="image/jpeg", uploaded=True)
    gif = MediaItem("https://cdn.example.com/party.gif", "gif")
    platform = simulated(make_account("telegram", "acc_sim", "heraldnews"), clock, FakeMedia({local.url: b"jpeg"}))

    platform.publish(PostContent(text="Local", media=(local,)))
    platform.publish(PostContent(text="🎉", media=(gif,)))

    photo, animation = simulators.published("acc_sim")
    assert photo["media"] == [{"kind": "photo", "source": "upload", "filename": "med_1.jpg",
                               "content_type": "image/jpeg", "size": 4}]
    assert photo["message"]["caption"] == "Local" and photo["message"]["photo"]
    assert animation["media"] == [{"kind": "animation", "source": "url", "url": gif.url}]


def test_simulated_uploads_are_held_to_telegrams_limits(make_account, clock: FakeClock) -> None:
    account = make_account("telegram", "acc_sim", "heraldnews")
    item = MediaItem("http://localhost/big.jpg", "image")  # size unknown: tried by URL, then uploaded
    simulated(account, clock, FakeMedia({item.url: b"x" * (5 * MB)})).publish(PostContent(text="5 MB", media=(item,)))
    too_big = httpx.Request(
        "POST",
        f"https://api.telegram.org/bot{account.credentials['bot_token']}/sendPhoto",
        data={"chat_id": "@heraldnews"},
        files={"photo": ("a.jpg", b"x" * (10 * MB + 1), "image/jpeg")},
    )
    too_big.read()

    answer = TelegramSimulator.for_account(account).handle(too_big)

    assert (answer.status_code, answer.json()["description"]) == (413, "Request Entity Too Large")
    assert [p["media"][0]["source"] for p in simulators.published("acc_sim")] == ["upload"]


@pytest.mark.parametrize(
    ("text", "media", "code"),
    [
        ("😀" * 2048 + "a", (), "invalid_content"),  # 4097 UTF-16 units
        ("   ", (), "invalid_content"),
        ("a" * 1025, (MediaItem("https://cdn.example.com/1.jpg", "image"),), "invalid_content"),
    ],
    ids=["too-long", "empty", "caption-too-long"],
)
def test_simulated_limits(make_account, text: str, media: tuple[MediaItem, ...], code: str) -> None:
    platform = open_platform(make_account("telegram", "acc_sim", "heraldnews"))
    platform.publish(PostContent(text="😀" * 2048))  # exactly 4096 units

    with pytest.raises(PlatformError) as refused:
        platform.publish(PostContent(text=text, media=media))

    assert (refused.value.error_class, refused.value.code) == (ErrorClass.PERMANENT, code)
    assert len(simulators.published("acc_sim")) == 1


def test_simulated_reply_to_a_deleted_message_is_refused(make_account) -> None:
    platform = open_platform(make_account("telegram", "acc_sim", "heraldnews"))
    parent = platform.publish(PostContent(text="parent"))
    platform.delete(parent.platform_post_id)

    with pytest.raises(PlatformError) as refused:
        platform.reply(parent, PostContent(text="child"))

    assert refused.value.code == "not_found"


def test_simulated_chat_the_bot_does_not_administer(make_account) -> None:
    account = make_account("telegram", "acc_sim", "heraldnews")
    simulated(account)  # the simulated network knows the account's channel
    elsewhere = account.model_copy(update={"credentials": {**account.credentials, "chat_id": "-1009999999999"}})

    with pytest.raises(PlatformError) as refused:
        simulated(elsewhere).publish(PostContent(text="hi"))

    assert (refused.value.error_class, refused.value.code) == (ErrorClass.RECONNECT, "account_disconnected")


@pytest.mark.parametrize(
    ("failure", "error_class", "code", "created"),
    [
        ("rate_limited", ErrorClass.RETRY, "rate_limited", 0),
        ("server_error", ErrorClass.RETRY, "platform_unavailable", 0),
        ("connect_timeout", ErrorClass.RETRY, "timeout", 0),
        ("timeout", ErrorClass.RETRY, "timeout", 1),  # sent, the answer lost
        ("malformed", ErrorClass.RETRY, "platform_unavailable", 1),
        ("expired_token", ErrorClass.RECONNECT, "account_disconnected", 0),  # bot tokens do not expire
        ("revoked_token", ErrorClass.RECONNECT, "account_disconnected", 0),
    ],
)
def test_each_injected_failure_is_classified(
    make_account, failure: str, error_class: ErrorClass, code: str, created: int
) -> None:
    platform = open_platform(make_account("telegram", "acc_sim", "heraldnews", simulate=[failure]))

    with pytest.raises(PlatformError) as failed:
        platform.publish(PostContent(text="Launch day", target_key="post_1:acc_sim"))

    assert (failed.value.error_class, failed.value.code) == (error_class, code)
    assert len(simulators.published("acc_sim")) == created
    if failure == "rate_limited":
        assert failed.value.retry_at is not None
        assert timedelta(seconds=50) < failed.value.retry_at - datetime.now(UTC) <= timedelta(seconds=60)
    if created:  # a lost answer: the adapter cannot look the message up
        assert platform.reconcile(PostContent(text="Launch day")).outcome is ReconcileOutcome.UNKNOWN


def test_an_injected_duplicate_is_sent_again_as_telegram_does(make_account) -> None:
    platform = open_platform(make_account("telegram", "acc_sim", "heraldnews", simulate=["duplicate"]))

    platform.publish(PostContent(text="same"))
    platform.publish(PostContent(text="same"))

    assert [p["text"] for p in simulators.published("acc_sim")] == ["same", "same"]


def test_simulated_failures_hit_sends_only(make_account) -> None:
    platform = open_platform(make_account("telegram", "acc_sim", "heraldnews", simulate=["server_error"]))

    assert platform.identity().username == "heraldnews"  # not failed
    with pytest.raises(PlatformError):
        platform.publish(PostContent(text="x"))


# --- connecting through the simulator --------------------------------------------------------

SIM_TOKEN = "7000000001:AAH" + "x" * 32


def connect_client() -> httpx.Client:
    return httpx.Client(transport=httpx.MockTransport(connect_handler))


def connected_account(make_account, connection: Any, account_id: str = "acc_sim") -> Account:
    account = make_account("telegram", account_id, connection.identity.username)
    return account.model_copy(update={"credentials": connection.credentials.tokens})


def test_connect_through_the_simulator_then_publish(make_account) -> None:
    connection = connect(connect_client(), token=SIM_TOKEN)
    platform = open_platform(connected_account(make_account, connection))

    post = platform.publish(PostContent(text="connected"))

    assert connection.credentials.tokens == {
        "bot_token": SIM_TOKEN,
        "bot_id": "7000000001",
        "chat_id": str(channel_id("heraldnews")),
        "chat_username": "heraldnews",
    }
    assert connection.identity.followers is not None and "can_post_messages" in connection.identity.permissions
    assert post.url == f"https://t.me/heraldnews/{post.platform_post_id}"
    assert platform.identity() == connection.identity


def test_simulated_connect_to_a_private_channel_by_id() -> None:
    connection = connect(connect_client(), "-1001234567890", token=SIM_TOKEN)

    assert connection.credentials.tokens["chat_id"] == "-1001234567890"
    assert "chat_username" not in connection.credentials.tokens


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"bot_token": SIM_TOKEN, "chat_id": "@heraldnoadmin"}, "insufficient_permissions"),
        ({"bot_token": SIM_TOKEN, "chat_id": "-42"}, "chat_not_accessible"),
        ({"bot_token": "1:short" + "x" * 30 + "!", "chat_id": "@heraldnews"}, "invalid_credentials"),
    ],
)
def test_simulated_connect_refusals(fields: dict[str, str], code: str) -> None:
    with pytest.raises(PlatformError) as refused:
        TelegramPlatform.connect_with_fields(connect_client(), fields)

    assert (refused.value.error_class, refused.value.code) == (ErrorClass.PERMANENT, code)


def test_a_revoked_bot_is_reconnected_with_its_new_token(make_account) -> None:
    connection = connect(connect_client(), token=SIM_TOKEN)
    account = connected_account(make_account, connection).model_copy(update={"simulate": ["revoked_token"]})
    with pytest.raises(PlatformError) as revoked:
        open_platform(account).publish(PostContent(text="x"))
    assert revoked.value.code == "account_disconnected"

    with pytest.raises(PlatformError) as refused:  # the revoked token no longer connects
        connect(connect_client(), token=SIM_TOKEN)
    new_token = "7000000001:AAH" + "y" * 32
    again = connect(connect_client(), token=new_token)
    reconnected = account.model_copy(update={"credentials": again.credentials.tokens})
    open_platform(reconnected).publish(PostContent(text="back"))

    assert refused.value.code == "invalid_credentials"
    assert [p["text"] for p in simulators.published("acc_sim")] == ["back"]
