"""MastodonPlatform against the recorded Mastodon exchanges (the official documentation's examples,
in simulators/recordings/mastodon.json), and against the Mastodon simulator."""

from __future__ import annotations

import dataclasses
import email.parser
import email.policy
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from scripted_http import Exchange, Script

from herald.platforms import simulators
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
from herald.platforms.mastodon import (
    MEDIA_POLL_ATTEMPTS,
    MastodonPlatform,
    idempotency_key_for,
    instance_url_from,
)
from herald.platforms.registry import open_platform
from herald.platforms.simulators.common import grown_followers, grown_metrics
from herald.platforms.simulators.mastodon import MastodonSimulator, connect_handler, recordings
from support.clock import FakeClock

INSTANCE = "https://mastodon.social"
TOKEN = "ZA-Yj3aBD8U8Cm7lKUp-lm9O9BmDgdhHzDeqsY8tlL0"
AUTH = {"authorization": f"Bearer {TOKEN}"}
TARGET = "post_01jabc:acc_m"
TOKENS = {
    "instance_url": INSTANCE,
    "access_token": TOKEN,
    "user_id": "14715",
    "domain": "mastodon.social",
    "max_characters": "500",
    "characters_reserved_per_url": "23",
    "max_media_attachments": "4",
}
CREDENTIALS = Credentials(account_id="acc_m", username="trwnh@mastodon.social", tokens=TOKENS)
RECORDED = recordings()
STATUS_ID = "103254962155278888"
STATUS_URL = "https://mastodon.social/@Gargron/103254962155278888"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
MP4 = b"\x00\x00\x00\x18ftypmp42" + bytes(2048)


class MemoryMedia:
    """A MediaSource over bytes held in memory, by media URL."""

    def __init__(self, files: dict[str, bytes]) -> None:
        self.files = files

    def read(self, item: MediaItem) -> bytes:
        return self.files[item.url]

    def chunks(self, item: MediaItem, chunk_size: int) -> Iterator[bytes]:
        data = self.read(item)
        yield from (data[start : start + chunk_size] for start in range(0, len(data), chunk_size))


IMAGE = MediaItem("https://uploads.example/media/photo.png", "image", mime="image/png", alt="test uploaded via api")
VIDEO = MediaItem("https://uploads.example/media/clip", "video", mime="video/mp4")
MEDIA = MemoryMedia({IMAGE.url: PNG, VIDEO.url: MP4})


def mastodon_for(
    script: Script, clock: FakeClock, credentials: Credentials = CREDENTIALS, **extra: Any
) -> MastodonPlatform:
    return MastodonPlatform(script.client(), credentials, clock=clock, media=MEDIA, **extra)


def recorded(name: str, **changes: Any) -> Exchange:
    """The recorded exchange `name` as a scripted one: the adapter must send the recorded request
    (method, URL, query, headers, JSON or form body) and gets the recorded answer."""
    request, response = RECORDED[name]["request"], RECORDED[name]["response"]
    multipart = request["url"].endswith("/api/v2/media")  # checked part by part with `parts`
    exchange = Exchange(
        request["method"],
        request["url"],
        status=response["status"],
        body=response["body"],
        headers=response.get("headers", {}),
        params=[tuple(pair) for pair in request["params"]] if "params" in request else None,
        json=request.get("json"),
        form=None if multipart else request.get("form"),
        request_headers=dict(request.get("headers", {})),
    )
    return dataclasses.replace(exchange, **changes)


def error(message: str) -> dict[str, str]:
    return {"error": message}


def parts(request: httpx.Request) -> dict[str, tuple[str | None, str, bytes]]:
    """A multipart/form-data body's parts by name: (file name, content type, content)."""
    head = f"Content-Type: {request.headers['content-type']}\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + request.content)
    return {
        str(part.get_param("name", header="content-disposition")): (
            part.get_filename(),
            part.get_content_type(),
            part.get_payload(decode=True),
        )
        for part in message.iter_parts()
    }


def status_body(status_id: str, **changes: Any) -> dict[str, Any]:
    return {**RECORDED["create_status"]["response"]["body"], "id": status_id, **changes}


# --- the recordings --------------------------------------------------------------------------


def test_recordings_are_named_requests_and_answers() -> None:
    for name, entry in RECORDED.items():
        assert entry["name"] == name
        assert entry["request"]["method"] in ("GET", "POST", "DELETE")
        assert entry["request"]["url"].startswith(f"{INSTANCE}/")
        assert isinstance(entry["response"]["status"], int)


@pytest.mark.parametrize("name", [name for name, entry in RECORDED.items() if entry["response"]["status"] >= 400])
def test_every_recorded_refusal_is_classified(clock: FakeClock, name: str) -> None:
    response = RECORDED[name]["response"]

    refusal = mastodon_for(Script(), clock).classify_error(
        httpx.Response(response["status"], json=response["body"], headers=response.get("headers"))
    )

    assert refusal.message == response["body"].get("error_description", response["body"]["error"])
    assert refusal.platform_code is not None and refusal.platform_code.startswith(str(response["status"]))


# --- publish, reply, delete ------------------------------------------------------------------


def test_publish_sends_the_recorded_status_with_the_targets_idempotency_key(clock: FakeClock) -> None:
    script = Script(recorded("create_status"))
    content = PostContent(text="test content", target_key=TARGET, options={"visibility": "public", "language": "en"})

    post = mastodon_for(script, clock).publish(content)

    assert post == PublishedPost(platform_post_id=STATUS_ID, url=STATUS_URL)
    assert script.requests[0].headers["idempotency-key"] == idempotency_key_for(TARGET)
    script.assert_done()


def test_the_idempotency_key_is_stable_per_target_and_step() -> None:
    assert idempotency_key_for(TARGET) == idempotency_key_for(TARGET)
    assert idempotency_key_for(TARGET) != idempotency_key_for(f"{TARGET}:1")
    assert len(idempotency_key_for(TARGET)) == 64


def test_without_a_target_key_no_idempotency_key_is_sent(clock: FakeClock) -> None:
    script = Script(
        recorded(
            "create_status",
            json={"status": "test content"},
            request_headers={**AUTH, "idempotency-key": None},
        )
    )

    mastodon_for(script, clock).publish(PostContent(text="test content"))

    script.assert_done()


def test_options_set_the_content_warning_and_sensitivity(clock: FakeClock) -> None:
    expected = {"status": "spoilers", "visibility": "unlisted", "spoiler_text": "Finale", "sensitive": True}
    script = Script(recorded("create_status", json=expected))
    options = {"visibility": "unlisted", "spoiler_text": "Finale", "sensitive": True, "unknown": "ignored"}

    mastodon_for(script, clock).publish(PostContent(text="spoilers", target_key=TARGET, options=options))

    script.assert_done()


@pytest.mark.parametrize(
    "options",
    [{"visibility": "followers"}, {"sensitive": "yes"}, {"spoiler_text": 3}, {"language": "English"}],
)
def test_options_mastodon_would_refuse_are_refused_before_any_call(clock: FakeClock, options: dict) -> None:
    script = Script()

    with pytest.raises(PlatformError) as refused:
        mastodon_for(script, clock).publish(PostContent(text="hi", options=options))

    assert (refused.value.error_class, refused.value.code) == (ErrorClass.PERMANENT, "invalid_content")
    assert script.requests == []


def test_reply_names_the_status_it_answers(clock: FakeClock) -> None:
    parent = PublishedPost(platform_post_id=STATUS_ID, url=STATUS_URL)
    script = Script(
        recorded(
            "create_status",
            json={"status": "2/2", "in_reply_to_id": STATUS_ID},
            request_headers={**AUTH, "idempotency-key": idempotency_key_for(f"{TARGET}:1")},
            body=status_body("103254962155278889", in_reply_to_id=STATUS_ID, url=None),
        )
    )

    post = mastodon_for(script, clock).reply(parent, PostContent(text="2/2", target_key=f"{TARGET}:1"))

    # no url in the answer: the URL is made from the instance and the account's local name
    assert post == PublishedPost("103254962155278889", "https://mastodon.social/@trwnh/103254962155278889")


def test_an_image_is_uploaded_then_attached(clock: FakeClock) -> None:
    script = Script(
        recorded("upload_image"),
        recorded("create_status", json={"status": "look", "media_ids": ["22348641"]}),
    )

    mastodon_for(script, clock).publish(PostContent(text="look", media=(IMAGE,), target_key=TARGET))

    upload = parts(script.requests[0])
    assert upload["file"] == ("photo.png", "image/png", PNG)
    assert upload["description"][2] == b"test uploaded via api"
    assert script.requests[0].headers["authorization"] == AUTH["authorization"]
    assert clock.slept == []  # processed at once: no poll
    script.assert_done()


def test_a_video_is_polled_until_processed(clock: FakeClock) -> None:
    script = Script(
        recorded("upload_video_processing"),
        recorded("media_processing"),
        recorded("media_ready"),
        recorded("create_status", json={"status": "", "media_ids": ["22348641"]}),
    )

    post = mastodon_for(script, clock).publish(PostContent(text="", media=(VIDEO,), target_key=TARGET))

    assert post.platform_post_id == STATUS_ID
    assert parts(script.requests[0])["file"] == ("media.mp4", "video/mp4", MP4)  # a name from the MIME type
    assert "description" not in parts(script.requests[0])  # no alt text: no description
    assert clock.slept == [3.0, 3.0]
    script.assert_done()


def test_failed_processing_is_permanent_and_creates_no_status(clock: FakeClock) -> None:
    script = Script(recorded("upload_video_processing"), recorded("media_processing"), recorded("media_failed"))

    with pytest.raises(PlatformError) as refused:
        mastodon_for(script, clock).publish(PostContent(text="clip", media=(VIDEO,), target_key=TARGET))

    assert (refused.value.error_class, refused.value.code) == (ErrorClass.PERMANENT, "media_unsupported")
    script.assert_done()


def test_processing_that_does_not_finish_is_retried_later(clock: FakeClock) -> None:
    script = Script(
        recorded("upload_video_processing"), *[recorded("media_processing") for _ in range(MEDIA_POLL_ATTEMPTS)]
    )

    with pytest.raises(PlatformError) as failed:
        mastodon_for(script, clock).publish(PostContent(text="clip", media=(VIDEO,), target_key=TARGET))

    assert (failed.value.error_class, failed.value.code) == (ErrorClass.RETRY, "media_processing")
    assert len(clock.slept) == MEDIA_POLL_ATTEMPTS
    script.assert_done()


def test_an_unsupported_file_is_refused_by_the_instance(clock: FakeClock) -> None:
    script = Script(recorded("upload_unsupported"))

    with pytest.raises(PlatformError) as refused:
        mastodon_for(script, clock).publish(PostContent(text="look", media=(IMAGE,)))

    assert (refused.value.error_class, refused.value.code) == (ErrorClass.PERMANENT, "media_unsupported")


def test_more_attachments_than_the_instance_takes_are_refused_before_any_call(clock: FakeClock) -> None:
    script = Script()
    small = Credentials("acc_m", "trwnh@mastodon.social", {**TOKENS, "max_media_attachments": "2"})

    with pytest.raises(PlatformError) as refused:
        mastodon_for(script, clock, small).publish(PostContent(text="look", media=(IMAGE, IMAGE, IMAGE)))

    assert (refused.value.error_class, refused.value.code) == (ErrorClass.PERMANENT, "invalid_content")
    assert script.requests == []


def test_media_without_a_media_source_is_refused(clock: FakeClock) -> None:
    script = Script()
    platform = MastodonPlatform(script.client(), CREDENTIALS, clock=clock)

    with pytest.raises(PlatformError) as refused:
        platform.publish(PostContent(text="look", media=(IMAGE,)))

    assert refused.value.code == "media_unsupported"
    assert script.requests == []


def test_an_account_without_a_token_must_reconnect(clock: FakeClock) -> None:
    script = Script()
    bare = Credentials("acc_m", "trwnh@mastodon.social", {"instance_url": INSTANCE})

    with pytest.raises(PlatformError) as refused:
        mastodon_for(script, clock, bare).publish(PostContent(text="hi"))

    assert (refused.value.error_class, refused.value.code) == (ErrorClass.RECONNECT, "account_disconnected")
    assert script.requests == []


def test_a_created_status_without_an_id_is_a_malformed_answer(clock: FakeClock) -> None:
    script = Script(recorded("create_status", body={"error": None}, json=None, request_headers=AUTH))

    with pytest.raises(PlatformError) as failed:
        mastodon_for(script, clock).publish(PostContent(text="test content"))

    assert (failed.value.error_class, failed.value.code) == (ErrorClass.RETRY, "platform_unavailable")


def test_a_repeat_with_the_same_key_gets_the_first_status_back(clock: FakeClock) -> None:
    # Mastodon answers a repeated Idempotency-Key with the status first created under it.
    script = Script(recorded("create_status"), recorded("create_status"))
    content = PostContent(text="test content", target_key=TARGET, options={"visibility": "public", "language": "en"})
    platform = mastodon_for(script, clock)

    assert platform.publish(content) == platform.publish(content)
    assert script.requests[0].headers["idempotency-key"] == script.requests[1].headers["idempotency-key"]


def test_delete_removes_the_status(clock: FakeClock) -> None:
    script = Script(recorded("delete_status"))

    mastodon_for(script, clock).delete("103254193998341330")

    script.assert_done()


def test_deleting_a_status_that_is_gone_is_done(clock: FakeClock) -> None:
    script = Script(recorded("delete_status_not_found"))

    mastodon_for(script, clock).delete("103254193998341330")

    script.assert_done()


def test_a_delete_the_instance_refuses_is_raised(clock: FakeClock) -> None:
    script = Script(recorded("delete_status", status=403, body=error("This action is not allowed")))

    with pytest.raises(PlatformError) as refused:
        mastodon_for(script, clock).delete("103254193998341330")

    assert (refused.value.error_class, refused.value.code) == (ErrorClass.PERMANENT, "forbidden")


# --- metrics ---------------------------------------------------------------------------------


def test_metrics_ask_for_the_statuses_in_one_call_and_normalise_them(clock: FakeClock) -> None:
    script = Script(recorded("statuses_batch"))

    metrics = mastodon_for(script, clock).metrics(["1", "2"])

    assert metrics == {"1": {"likes": 112, "comments": 7, "shares": 98}}  # 2 is gone: left out
    script.assert_done()


def test_metrics_ask_20_statuses_at_a_time_and_add_quotes_to_shares(clock: FakeClock) -> None:
    ids = [str(108880211901672326 + n) for n in range(25)]
    quoted = status_body(ids[24], favourites_count=1, replies_count=0, reblogs_count=2, quotes_count=3)
    script = Script(
        recorded("statuses_batch", params=[("id[]", post_id) for post_id in ids[:20]], body=[]),
        recorded("statuses_batch", params=[("id[]", post_id) for post_id in ids[20:]], body=[quoted]),
    )

    metrics = mastodon_for(script, clock).metrics(ids)

    assert metrics == {ids[24]: {"likes": 1, "comments": 0, "shares": 5}}
    script.assert_done()


def test_metrics_fall_back_to_one_status_at_a_time_before_mastodon_4_3(clock: FakeClock) -> None:
    script = Script(recorded("statuses_batch_unavailable"), recorded("status_show"), recorded("status_not_found"))

    metrics = mastodon_for(script, clock).metrics(["1", "2"])

    assert metrics == {"1": {"likes": 112, "comments": 7, "shares": 98}}
    script.assert_done()


def test_a_metrics_outage_is_raised(clock: FakeClock) -> None:
    script = Script(recorded("statuses_batch", status=503, body=error("Service Unavailable")))

    with pytest.raises(PlatformError) as failed:
        mastodon_for(script, clock).metrics(["1", "2"])

    assert failed.value.code == "platform_unavailable"


# --- reconcile -------------------------------------------------------------------------------

# The recorded account statuses hold one status, created at 2022-09-04T23:22:13.704Z.
RECORDED_AT = datetime(2022, 9, 4, 23, 40, tzinfo=UTC)
EDITED = "this is a status that will be edited"


@pytest.fixture
def recorded_clock() -> FakeClock:
    return FakeClock(RECORDED_AT)


def test_reconcile_finds_the_status_by_its_source_text(recorded_clock: FakeClock) -> None:
    script = Script(recorded("account_statuses"), recorded("status_source"))

    found = mastodon_for(script, recorded_clock).reconcile(PostContent(text=f"{EDITED}\r\n", target_key=TARGET))

    assert found.outcome is ReconcileOutcome.FOUND
    assert found.post == PublishedPost(
        "108942703571991143", "https://mastodon.social/@trwnh/108942703571991143"
    )
    script.assert_done()


def test_reconcile_reports_absent_when_no_status_in_the_window_has_the_text(recorded_clock: FakeClock) -> None:
    script = Script(recorded("account_statuses"), recorded("status_source"))

    found = mastodon_for(script, recorded_clock).reconcile(PostContent(text="something else"))

    assert found.outcome is ReconcileOutcome.ABSENT
    script.assert_done()


def test_reconcile_stops_at_the_first_status_older_than_the_window(clock: FakeClock) -> None:
    script = Script(recorded("account_statuses"))  # 2022: long before the clock's 2030

    assert mastodon_for(script, clock).reconcile(PostContent(text=EDITED)).outcome is ReconcileOutcome.ABSENT
    script.assert_done()


def in_window(count: int, start: int = 108942703571991200) -> list[dict[str, Any]]:
    """`count` statuses of the account made in the reconcile window, newest first."""
    return [status_body(str(start + count - n), created_at="2022-09-04T23:30:00.000Z") for n in range(count)]


def other_source(status: dict[str, Any]) -> Exchange:
    return recorded(
        "status_source",
        url=f"{INSTANCE}/api/v1/statuses/{status['id']}/source",
        body={"id": status["id"], "text": "another status", "spoiler_text": ""},
    )


def next_page(after: dict[str, Any], body: list[dict[str, Any]]) -> Exchange:
    params = [("limit", "20"), ("exclude_reblogs", "true"), ("max_id", after["id"])]
    return recorded("account_statuses", params=params, body=body)


def test_reconcile_pages_through_the_window(recorded_clock: FakeClock) -> None:
    newer = in_window(20)
    script = Script(
        recorded("account_statuses", body=newer),
        *[other_source(status) for status in newer],
        next_page(newer[-1], RECORDED["account_statuses"]["response"]["body"]),
        recorded("status_source"),
    )

    found = mastodon_for(script, recorded_clock).reconcile(PostContent(text=EDITED))

    assert found.outcome is ReconcileOutcome.FOUND
    assert found.post.platform_post_id == "108942703571991143"
    script.assert_done()


def test_reconcile_cannot_tell_beyond_the_texts_it_reads(recorded_clock: FakeClock) -> None:
    first, second = in_window(20, start=108942703571991300), in_window(20)
    script = Script(
        recorded("account_statuses", body=first),
        *[other_source(status) for status in first],
        next_page(first[-1], second),
        *[other_source(status) for status in second],
        next_page(second[-1], RECORDED["account_statuses"]["response"]["body"]),
    )

    found = mastodon_for(script, recorded_clock).reconcile(PostContent(text=EDITED))

    assert found.outcome is ReconcileOutcome.UNKNOWN  # 40 texts read, and the window goes on
    script.assert_done()


def test_reconcile_looks_the_account_up_when_its_id_is_not_stored(recorded_clock: FakeClock) -> None:
    without_id = Credentials("acc_m", "trwnh@mastodon.social", {k: v for k, v in TOKENS.items() if k != "user_id"})
    script = Script(recorded("verify_credentials"), recorded("account_statuses"), recorded("status_source"))

    found = mastodon_for(script, recorded_clock, without_id).reconcile(PostContent(text=EDITED))

    assert found.outcome is ReconcileOutcome.FOUND
    script.assert_done()


@pytest.mark.parametrize(
    "failing",
    [
        [recorded("account_statuses", status=503, body=error("Service Unavailable"))],
        [recorded("account_statuses", raises=httpx.ReadTimeout)],
        [recorded("account_statuses", body="<html>upstream connect error</html>")],
        [recorded("account_statuses", body=[{"id": "1", "created_at": "yesterday"}])],
        [recorded("account_statuses", status=403, body=error("This action is outside the authorized scopes"))],
        [recorded("account_statuses"), recorded("status_source", status=500, body=error("Internal error"))],
        [recorded("account_statuses"), recorded("status_source", body={"id": "108942703571991143"})],
    ],
    ids=["server-error", "timeout", "malformed", "bad-date", "no-read-scope", "source-outage", "source-malformed"],
)
def test_reconcile_cannot_tell_when_a_lookup_fails(recorded_clock: FakeClock, failing: list[Exchange]) -> None:
    script = Script(*failing)

    assert mastodon_for(script, recorded_clock).reconcile(PostContent(text=EDITED)).outcome is ReconcileOutcome.UNKNOWN


def test_reconcile_cannot_tell_a_media_only_status_from_another(recorded_clock: FakeClock) -> None:
    script = Script()

    assert mastodon_for(script, recorded_clock).reconcile(PostContent(text="  ")).outcome is ReconcileOutcome.UNKNOWN
    assert script.requests == []


def test_reconcile_never_sends_a_status(recorded_clock: FakeClock) -> None:
    script = Script(recorded("account_statuses"), recorded("status_source"))

    mastodon_for(script, recorded_clock).reconcile(PostContent(text="absent", target_key=TARGET))

    assert [request.method for request in script.requests] == ["GET", "GET"]


# --- classify_error --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "body", "error_class", "code", "platform_code"),
    [
        (401, error("The access token is invalid"), ErrorClass.RECONNECT, "account_disconnected", "401"),
        (401, error("The access token was revoked"), ErrorClass.RECONNECT, "account_disconnected", "401"),
        (401, error("The access token expired"), ErrorClass.REFRESH, "token_expired", "401"),
        (403, error("Your login is currently disabled"), ErrorClass.RECONNECT, "account_disconnected", "403"),
        (403, error("Your login is currently pending approval"), ErrorClass.RECONNECT, "account_disconnected", "403"),
        (403, error("This action is outside the authorized scopes"), ErrorClass.RECONNECT, "account_disconnected",
         "403"),
        (422, error("This method requires an authenticated user"), ErrorClass.RECONNECT, "account_disconnected",
         "422"),
        (403, error("This action is not allowed"), ErrorClass.PERMANENT, "forbidden", "403"),
        (403, "<html>Forbidden</html>", ErrorClass.PERMANENT, "forbidden", "403"),
        (404, error("Record not found"), ErrorClass.PERMANENT, "not_found", "404"),
        (404, error("The post you are trying to reply to does not appear to exist."), ErrorClass.PERMANENT,
         "not_found", "404"),
        (422, error("Validation failed: Text can't be blank"), ErrorClass.PERMANENT, "invalid_content", "422"),
        (422, error("Validation failed: Text character limit of 500 exceeded"), ErrorClass.PERMANENT,
         "invalid_content", "422"),
        (422, error("Cannot attach a video to a post that already contains images"), ErrorClass.PERMANENT,
         "invalid_content", "422"),
        (422, error("Cannot attach files that have not finished processing. Try again in a moment!"),
         ErrorClass.RETRY, "media_processing", "422"),
        (422, error("Validation failed: File content type is invalid, File is invalid"), ErrorClass.PERMANENT,
         "media_unsupported", "422"),
        (422, error("Validation failed: File file size must be less than 16 MB"), ErrorClass.PERMANENT,
         "media_too_large", "422"),
        (413, "<html>413 Request Entity Too Large</html>", ErrorClass.PERMANENT, "media_too_large", "413"),
        (500, error("Error processing thumbnail for uploaded media"), ErrorClass.PERMANENT, "media_unsupported",
         "500"),
        (500, error("Internal Server Error"), ErrorClass.RETRY, "platform_unavailable", "500"),
        (502, "<html>Bad Gateway</html>", ErrorClass.RETRY, "platform_unavailable", "502"),
        (503, error("Remote data could not be fetched"), ErrorClass.RETRY, "platform_unavailable", "503"),
        (403, {"error": "unauthorized_client", "error_description": "You are not authorized to revoke this token"},
         ErrorClass.PERMANENT, "forbidden", "403 unauthorized_client"),
        (418, error("I'm a teapot"), ErrorClass.PERMANENT, "platform_error", "418"),
        (200, "<html>upstream connect error</html>", ErrorClass.RETRY, "platform_unavailable", "200"),
    ],
)
def test_classify_error(
    clock: FakeClock, status: int, body: object, error_class: ErrorClass, code: str, platform_code: str
) -> None:
    response = (
        httpx.Response(status, text=body) if isinstance(body, str) else httpx.Response(status, json=body)
    )

    refusal = mastodon_for(Script(), clock).classify_error(response)

    assert (refusal.error_class, refusal.code, refusal.platform_code) == (error_class, code, platform_code)


def test_a_rate_limit_is_retried_at_the_iso_reset_time(clock: FakeClock) -> None:
    script = Script(recorded("create_status_rate_limited"))

    with pytest.raises(PlatformError) as limited:
        mastodon_for(script, clock).publish(PostContent(text="test content"))

    assert (limited.value.error_class, limited.value.code) == (ErrorClass.RETRY, "rate_limited")
    assert limited.value.retry_at == datetime(2030, 1, 7, 9, 5, tzinfo=UTC)
    assert limited.value.message == "Too many requests"


@pytest.mark.parametrize(
    ("reset", "retry_at"),
    [("1894006860", datetime(2030, 1, 7, 9, 1, tzinfo=UTC)), ("soon", None), (None, None)],
)
def test_a_rate_limit_reset_in_unix_seconds_or_missing(clock: FakeClock, reset: str | None, retry_at) -> None:
    headers = {"X-RateLimit-Reset": reset} if reset else {}

    refusal = mastodon_for(Script(), clock).classify_error(
        httpx.Response(429, json=error("Too many requests"), headers=headers)
    )

    assert (refusal.code, refusal.retry_at) == ("rate_limited", retry_at)


@pytest.mark.parametrize(
    ("exc", "code"),
    [
        (httpx.ReadTimeout("read"), "timeout"),
        (httpx.ConnectTimeout("connect"), "timeout"),
        (httpx.ConnectError("refused"), "network_error"),
    ],
)
def test_classify_transport_errors(clock: FakeClock, exc: Exception, code: str) -> None:
    refusal = mastodon_for(Script(), clock).classify_error(None, exc)

    assert (refusal.error_class, refusal.code) == (ErrorClass.RETRY, code)


@pytest.mark.parametrize(
    ("exchange", "error_class", "code"),
    [
        (recorded("create_status_unauthorized", json=None), ErrorClass.RECONNECT, "account_disconnected"),
        (recorded("create_status_invalid", json=None), ErrorClass.PERMANENT, "invalid_content"),
        (recorded("create_status", raises=httpx.ReadTimeout, json=None, request_headers=AUTH), ErrorClass.RETRY,
         "timeout"),
        (recorded("create_status", body="<html>oops</html>", json=None, request_headers=AUTH), ErrorClass.RETRY,
         "platform_unavailable"),
    ],
    ids=["revoked", "invalid", "timeout", "malformed"],
)
def test_publish_raises_the_classified_error(
    clock: FakeClock, exchange: Exchange, error_class: ErrorClass, code: str
) -> None:
    script = Script(exchange)

    with pytest.raises(PlatformError) as failed:
        mastodon_for(script, clock).publish(PostContent(text="test content"))

    assert (failed.value.error_class, failed.value.code) == (error_class, code)


# --- credentials -----------------------------------------------------------------------------


def test_mastodon_tokens_cannot_be_refreshed(clock: FakeClock) -> None:
    script = Script()

    with pytest.raises(PlatformError) as refused:
        mastodon_for(script, clock).refresh_credentials()

    assert (refused.value.error_class, refused.value.code) == (ErrorClass.RECONNECT, "account_disconnected")
    assert script.requests == []


APP = AppCredentials(client_id="TWhM-tNSuncnqN7DBJmoyeLnk6K3iJJ71KKXxgL1hPM",
                     client_secret="ZEaFUFmF0umgBX1qKJDjaU99Q31lDkOU8NutzTOoliw")


def test_revoke_with_the_apps_credentials(clock: FakeClock) -> None:
    script = Script(recorded("revoke"))

    assert mastodon_for(script, clock, app=APP).revoke() is True
    script.assert_done()


def test_a_token_of_another_app_is_not_revoked(clock: FakeClock) -> None:
    script = Script(recorded("revoke_refused"))

    assert mastodon_for(script, clock, app=APP).revoke() is False


def test_without_app_credentials_nothing_is_revoked(clock: FakeClock) -> None:
    script = Script()

    assert mastodon_for(script, clock).revoke() is False
    assert script.requests == []


# --- connecting ------------------------------------------------------------------------------


def test_connect_with_an_instance_and_a_token(clock: FakeClock) -> None:
    script = Script(recorded("verify_credentials"), recorded("instance", request_headers={"authorization": None}))

    connection = MastodonPlatform.connect_with_fields(
        script.client(), {"instance_url": " mastodon.social/ ", "access_token": f" {TOKEN} "}
    )

    assert connection.identity == AccountIdentity(
        platform_user_id="14715",
        username="trwnh@mastodon.social",
        display_name="infinite love ⴳ",
        avatar_url="https://files.mastodon.social/accounts/avatars/000/014/715/original/34aa222f4ae2e0a9.png",
        followers=821,
        limits={"max_characters": 500, "max_media_attachments": 4},  # the instance's, for the content rules
    )
    assert connection.credentials == Credentials(
        account_id="",
        username="trwnh@mastodon.social",
        tokens={
            "instance_url": INSTANCE,
            "access_token": TOKEN,
            "user_id": "14715",
            "domain": "mastodon.social",
            "max_characters": "500",
            "characters_reserved_per_url": "23",
            "max_media_attachments": "4",
            "image_size_limit": "10485760",
            "video_size_limit": "41943040",
        },
    )
    script.assert_done()


def test_an_instance_without_api_v2_keeps_mastodons_defaults() -> None:
    script = Script(recorded("verify_credentials"), recorded("instance", status=404, body=error("Record not found")))

    tokens = MastodonPlatform.connect_with_fields(
        script.client(), {"instance_url": INSTANCE, "access_token": TOKEN}
    ).credentials.tokens

    assert {k: tokens[k] for k in ("max_characters", "characters_reserved_per_url", "max_media_attachments")} == {
        "max_characters": "500",
        "characters_reserved_per_url": "23",
        "max_media_attachments": "4",
    }
    assert "image_size_limit" not in tokens and "domain" not in tokens


@pytest.mark.parametrize("name", ["verify_credentials_invalid", "verify_credentials_disabled"])
def test_a_refused_token_cannot_connect(name: str) -> None:
    script = Script(recorded(name))

    with pytest.raises(PlatformError) as refused:
        MastodonPlatform.connect_with_fields(script.client(), {"instance_url": INSTANCE, "access_token": TOKEN})

    assert (refused.value.error_class, refused.value.code) == (ErrorClass.PERMANENT, "invalid_credentials")
    assert refused.value.platform_code == str(RECORDED[name]["response"]["status"])


def test_an_unreachable_instance_can_be_tried_again() -> None:
    script = Script(recorded("verify_credentials", raises=httpx.ConnectError))

    with pytest.raises(PlatformError) as failed:
        MastodonPlatform.connect_with_fields(script.client(), {"instance_url": INSTANCE, "access_token": TOKEN})

    assert (failed.value.error_class, failed.value.code) == (ErrorClass.RETRY, "network_error")


@pytest.mark.parametrize(
    "fields",
    [
        {"instance_url": INSTANCE, "access_token": "  "},
        {"access_token": TOKEN},
        {"instance_url": "http://mastodon.social", "access_token": TOKEN},
    ],
)
def test_missing_or_unsafe_fields_are_refused_before_any_call(fields: dict[str, str]) -> None:
    script = Script()

    with pytest.raises(PlatformError) as refused:
        MastodonPlatform.connect_with_fields(script.client(), fields)

    assert refused.value.error_class is ErrorClass.PERMANENT
    assert refused.value.code in ("invalid_credentials", "invalid_instance_url")
    assert script.requests == []


@pytest.mark.parametrize(
    ("typed", "url"),
    [
        ("mastodon.social", "https://mastodon.social"),
        ("https://Mastodon.Social/", "https://mastodon.social"),
        ("social.example.org:8443", "https://social.example.org:8443"),
    ],
)
def test_the_instance_url_is_normalised(typed: str, url: str) -> None:
    assert instance_url_from(typed) == url


@pytest.mark.parametrize(
    "typed",
    ["", "http://mastodon.social", "https://mastodon.social/@trwnh", "https://u:p@mastodon.social",
     "https://mastodon.social?x=1", "https://mastodon.social:port", "ftp://mastodon.social"],
)
def test_what_is_not_an_instance_url(typed: str) -> None:
    with pytest.raises(PlatformError) as refused:
        instance_url_from(typed)

    assert refused.value.code == "invalid_instance_url"


def test_identity_reads_the_account_now(clock: FakeClock) -> None:
    script = Script(recorded("verify_credentials"))

    identity = mastodon_for(script, clock).identity()

    assert (identity.username, identity.followers) == ("trwnh@mastodon.social", 821)


# --- count_text ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "length"),
    [
        ("Hello, world", 12),
        ("See https://example.com/a/very/long/path/that/goes/on/and/on", 27),  # a URL counts 23
        ("Hi @Gargron@mastodon.social", 11),  # a remote mention counts as @user
        ("👨\u200d👩\u200d👧\u200d👦", 1),  # graphemes
    ],
)
def test_count_text_counts_as_mastodon(clock: FakeClock, text: str, length: int) -> None:
    assert mastodon_for(Script(), clock).count_text(text) == length


def test_count_text_uses_the_instances_url_weight(clock: FakeClock) -> None:
    custom = Credentials("acc_m", "trwnh@mastodon.social", {**TOKENS, "characters_reserved_per_url": "30"})

    assert mastodon_for(Script(), clock, custom).count_text("https://example.com") == 30


# --- the simulator, through the adapter ------------------------------------------------------


def simulated(account, media: MemoryMedia = MEDIA) -> MastodonPlatform:
    """An adapter on the account's simulator, with media and a clock that keeps real time (the
    simulator dates statuses with the real time)."""
    client = httpx.Client(transport=httpx.MockTransport(MastodonSimulator.for_account(account).handle))
    credentials = Credentials(account.id, account.username, dict(account.credentials))
    return MastodonPlatform(client, credentials, media=media, clock=FakeClock(datetime.now(UTC)))


def test_simulated_publish_is_held_once_with_a_mastodon_shaped_id(make_account) -> None:
    platform = open_platform(make_account("mastodon", "acc_sim", "herald"))

    post = platform.publish(PostContent(text="Hello from the simulator", target_key="post_1:acc_sim"))

    held = simulators.published("acc_sim")
    assert [(p["id"], p["text"]) for p in held] == [(post.platform_post_id, "Hello from the simulator")]
    assert len(post.platform_post_id) == 18 and post.platform_post_id.isdigit()
    assert post.url == f"https://mastodon.example/@herald/{post.platform_post_id}"


def test_simulated_repeat_with_the_same_key_is_one_status(make_account) -> None:
    platform = open_platform(make_account("mastodon", "acc_sim", "herald"))
    content = PostContent(text="Only once", target_key="post_1:acc_sim")

    assert platform.publish(content) == platform.publish(content)
    assert len(simulators.published("acc_sim")) == 1
    platform.publish(PostContent(text="Only once", target_key="post_2:acc_sim"))  # Mastodon takes repeated text
    assert len(simulators.published("acc_sim")) == 2


def test_simulated_options_reach_the_status(make_account) -> None:
    platform = open_platform(make_account("mastodon", "acc_sim", "herald"))
    options = {"visibility": "unlisted", "spoiler_text": "Finale", "language": "de"}

    platform.publish(PostContent(text="Spoilers", target_key="post_1:acc_sim", options=options))

    held = simulators.published("acc_sim")[0]
    assert (held["visibility"], held["spoiler_text"], held["sensitive"], held["language"]) == (
        "unlisted", "Finale", True, "de"
    )


def test_simulated_images_and_a_gif_are_processed_and_attached(make_account) -> None:
    gif = MediaItem("https://uploads.example/media/loop.gif", "gif", mime="image/gif")
    platform = simulated(make_account("mastodon", "acc_sim", "herald"), MemoryMedia({**MEDIA.files, gif.url: b"GIF89a"}))

    platform.publish(PostContent(text="album", media=(IMAGE, gif), target_key="post_1:acc_sim"))

    attachments = simulators.published("acc_sim")[0]["media"]
    assert [(a["type"], a["description"]) for a in attachments] == [("image", "test uploaded via api"), ("gifv", None)]
    assert all(a["url"] for a in attachments)
    assert platform.clock.slept == [3.0, 3.0]  # the GIF: 206 once, then 200


def test_simulated_video_goes_alone(make_account) -> None:
    platform = simulated(make_account("mastodon", "acc_sim", "herald"))
    platform.publish(PostContent(text="clip", media=(VIDEO,), target_key="post_1:acc_sim"))

    with pytest.raises(PlatformError) as refused:
        platform.publish(PostContent(text="clip and photo", media=(VIDEO, IMAGE), target_key="post_2:acc_sim"))

    assert (refused.value.error_class, refused.value.code) == (ErrorClass.PERMANENT, "invalid_content")
    assert [p["media"][0]["type"] for p in simulators.published("acc_sim")] == ["video"]


def test_simulated_uploads_are_checked_like_the_instance_checks_them(make_account) -> None:
    platform = simulated(
        make_account("mastodon", "acc_sim", "herald"),
        MemoryMedia({"https://u.example/a.bmp": b"BM", "https://u.example/big.png": bytes(10485761)}),
    )
    bmp = MediaItem("https://u.example/a.bmp", "image", mime="image/bmp")
    big = MediaItem("https://u.example/big.png", "image", mime="image/png")

    codes = []
    for item in (bmp, big):
        with pytest.raises(PlatformError) as refused:
            platform.publish(PostContent(text="look", media=(item,)))
        codes.append(refused.value.code)

    assert codes == ["media_unsupported", "media_too_large"]
    assert simulators.published("acc_sim") == []


def test_simulated_thread_metrics_reconcile_and_delete(make_account) -> None:
    frozen = datetime.now(UTC)
    simulators.use_clock(lambda: frozen)  # no time passes: the counts are the real replies only
    platform = open_platform(make_account("mastodon", "acc_sim", "herald"))
    first = platform.publish(PostContent(text="1/2 Q&A <live>", target_key="post_1:acc_sim"))
    second = platform.reply(first, PostContent(text="2/2", target_key="post_1:acc_sim:1"))

    metrics = platform.metrics([first.platform_post_id, second.platform_post_id, "100000000000000001"])
    found = platform.reconcile(PostContent(text="1/2 Q&A <live>"))
    platform.delete(second.platform_post_id)
    platform.delete(second.platform_post_id)  # already gone: still done

    assert metrics[first.platform_post_id]["comments"] == 1
    assert set(metrics[first.platform_post_id]) == {"likes", "comments", "shares"}
    assert "100000000000000001" not in metrics
    assert found.outcome is ReconcileOutcome.FOUND and found.post == first
    assert platform.reconcile(PostContent(text="never posted")).outcome is ReconcileOutcome.ABSENT
    assert [p["id"] for p in simulators.published("acc_sim")] == [first.platform_post_id]
    assert simulators.published("acc_sim")[0]["in_reply_to_id"] is None


def test_simulated_counts_grow_from_the_posting_time(make_account, clock: FakeClock) -> None:
    simulators.use_clock(clock.now)
    posted = clock.now()
    account = make_account("mastodon", "acc_sim", "herald")
    platform = open_platform(account)
    first = platform.publish(PostContent(text="1/2", target_key="post_1:acc_sim"))
    platform.reply(first, PostContent(text="2/2", target_key="post_1:acc_sim:1"))
    clock.advance(days=1)

    found = platform.metrics([first.platform_post_id])
    client = httpx.Client(
        transport=httpx.MockTransport(MastodonSimulator.for_account(account).handle),
        headers={"authorization": f"Bearer {account.credentials['access_token']}"},
    )
    instance = account.credentials["instance_url"]
    [status] = client.get(f"{instance}/api/v1/statuses", params={"id[]": first.platform_post_id}).json()

    grown = grown_metrics(first.platform_post_id, posted, clock.now())
    assert grown["likes"] > 0
    assert (status["favourites_count"], status["reblogs_count"], status["replies_count"]) == (
        grown["likes"], grown["shares"], grown["comments"] + 1  # and the real reply
    )
    assert "quotes_count" not in status  # the recorded Status has none
    assert found == {
        first.platform_post_id: {"likes": grown["likes"], "comments": grown["comments"] + 1, "shares": grown["shares"]}
    }


def test_simulated_followers_grow_with_time(make_account, clock: FakeClock) -> None:
    simulators.use_clock(clock.now)
    account = make_account("mastodon", "acc_sim", "herald")
    host = httpx.URL(account.credentials["instance_url"]).host
    key, start = f"mastodon:{host}:{account.credentials['user_id']}", clock.now()

    today = open_platform(account).identity().followers
    clock.advance(days=10)
    later = open_platform(account).identity().followers

    assert (today, later) == (grown_followers(key, start), grown_followers(key, clock.now()))
    assert today is not None and later is not None and later >= today + 10


def test_simulated_metrics_go_20_at_a_time(make_account) -> None:
    platform = open_platform(make_account("mastodon", "acc_sim", "herald"))
    ids = [platform.publish(PostContent(text=f"post {n}", target_key=f"post_{n}:acc_sim")).platform_post_id
           for n in range(23)]

    assert set(platform.metrics(ids)) == set(ids)


def test_simulated_instance_enforces_its_character_limit(make_account) -> None:
    platform = open_platform(make_account("mastodon", "acc_sim", "herald"))
    platform.publish(PostContent(text="x" * 476 + " https://example.com/" + "y" * 100, target_key="p1"))  # 476+1+23

    with pytest.raises(PlatformError) as refused:
        platform.publish(PostContent(text="é" * 501, target_key="p2"))

    assert (refused.value.error_class, refused.value.code) == (ErrorClass.PERMANENT, "invalid_content")
    assert len(simulators.published("acc_sim")) == 1


def test_simulated_reply_to_a_missing_status_is_not_found(make_account) -> None:
    platform = open_platform(make_account("mastodon", "acc_sim", "herald"))
    gone = PublishedPost("100000000000000001", "https://mastodon.example/@herald/100000000000000001")

    with pytest.raises(PlatformError) as refused:
        platform.reply(gone, PostContent(text="hello?"))

    assert refused.value.code == "not_found"


@pytest.mark.parametrize(
    ("failure", "error_class", "code", "created"),
    [
        ("rate_limited", ErrorClass.RETRY, "rate_limited", 0),
        ("server_error", ErrorClass.RETRY, "platform_unavailable", 0),
        ("timeout", ErrorClass.RETRY, "timeout", 1),
        ("connect_timeout", ErrorClass.RETRY, "timeout", 0),
        ("malformed", ErrorClass.RETRY, "platform_unavailable", 1),
        ("expired_token", ErrorClass.REFRESH, "token_expired", 0),
        ("revoked_token", ErrorClass.RECONNECT, "account_disconnected", 0),
    ],
)
def test_each_injected_failure_is_classified(
    make_account, failure: str, error_class: ErrorClass, code: str, created: int
) -> None:
    platform = open_platform(make_account("mastodon", "acc_sim", "herald", simulate=[failure]))

    with pytest.raises(PlatformError) as failed:
        platform.publish(PostContent(text="Launch day", target_key="post_1:acc_sim"))

    assert (failed.value.error_class, failed.value.code) == (error_class, code)
    assert len(simulators.published("acc_sim")) == created
    if failure == "rate_limited":
        assert failed.value.retry_at is not None
        assert timedelta(0) < failed.value.retry_at - datetime.now(UTC) <= timedelta(minutes=5)


def test_an_injected_duplicate_publishes_once(make_account) -> None:
    # Mastodon refuses no repeated post: with the key a repeat gets the first status back.
    platform = open_platform(make_account("mastodon", "acc_sim", "herald", simulate=["ok", "duplicate"]))
    content = PostContent(text="Launch day", target_key="post_1:acc_sim")

    assert platform.publish(content) == platform.publish(content)
    assert len(simulators.published("acc_sim")) == 1


@pytest.mark.parametrize("failure", ["timeout", "malformed"])
def test_a_lost_answer_is_settled_by_the_key_or_by_reconcile(make_account, failure: str) -> None:
    platform = open_platform(make_account("mastodon", "acc_sim", "herald", simulate=[failure]))
    content = PostContent(text="Launch day https://example.com", target_key="post_1:acc_sim")
    with pytest.raises(PlatformError):
        platform.publish(content)

    found = platform.reconcile(content)
    again = platform.publish(content)  # the same key: the status already made, not a second one

    assert found.outcome is ReconcileOutcome.FOUND and found.post == again
    assert [p["id"] for p in simulators.published("acc_sim")] == [again.platform_post_id]


def test_a_failed_create_that_made_nothing_reconciles_absent(make_account) -> None:
    platform = open_platform(make_account("mastodon", "acc_sim", "herald", simulate=["server_error"]))
    content = PostContent(text="Launch day", target_key="post_1:acc_sim")
    with pytest.raises(PlatformError):
        platform.publish(content)

    assert platform.reconcile(content).outcome is ReconcileOutcome.ABSENT
    platform.publish(content)
    assert len(simulators.published("acc_sim")) == 1


def test_an_expired_token_cannot_be_refreshed_and_stays_refused(make_account) -> None:
    platform = open_platform(make_account("mastodon", "acc_sim", "herald", simulate=["expired_token"]))
    with pytest.raises(PlatformError):
        platform.publish(PostContent(text="Launch day"))

    with pytest.raises(PlatformError) as refused:
        platform.refresh_credentials()
    with pytest.raises(PlatformError) as still:
        platform.metrics(["100000000000000001"])

    assert (refused.value.error_class, refused.value.code) == (ErrorClass.RECONNECT, "account_disconnected")
    assert still.value.error_class is ErrorClass.REFRESH


def test_the_simulator_serves_only_the_accounts_instance(make_account) -> None:
    account = make_account("mastodon", "acc_sim", "herald")
    elsewhere = account.model_copy(
        update={"credentials": {**account.credentials, "instance_url": "https://other.example"}}
    )

    post = open_platform(elsewhere).publish(PostContent(text="self-hosted"))
    with pytest.raises(PlatformError) as unreachable:
        MastodonPlatform(
            httpx.Client(transport=httpx.MockTransport(MastodonSimulator.for_account(elsewhere).handle)),
            Credentials("acc_sim", "herald", {**elsewhere.credentials, "instance_url": "https://mastodon.example"}),
        ).publish(PostContent(text="wrong host"))

    assert post.url.startswith("https://other.example/@herald/")
    assert unreachable.value.code == "network_error"


def test_connect_through_the_simulator_then_publish(make_account) -> None:
    code = simulators.simulated_code("alice", None)
    connection = MastodonPlatform.connect_with_fields(
        httpx.Client(transport=httpx.MockTransport(connect_handler)),
        {"instance_url": "social.example.org", "access_token": code},
    )
    account = make_account("mastodon", "acc_new", connection.identity.username).model_copy(
        update={"credentials": connection.credentials.tokens}
    )

    post = open_platform(account).publish(PostContent(text="First post", target_key="p1"))
    identity = open_platform(account).identity()

    assert connection.identity.username == "alice@social.example.org"
    assert connection.credentials.tokens["instance_url"] == "https://social.example.org"
    assert connection.credentials.tokens["max_characters"] == "500"
    assert post.url == f"https://social.example.org/@alice/{post.platform_post_id}"
    assert identity == connection.identity


def test_the_simulated_connect_refuses_a_blank_token() -> None:
    client = httpx.Client(transport=httpx.MockTransport(connect_handler))

    with pytest.raises(PlatformError) as refused:
        MastodonPlatform.connect_with_fields(client, {"instance_url": "mastodon.example", "access_token": "a b"})

    assert refused.value.code == "invalid_credentials"


def test_revoking_through_the_simulator_disconnects_the_account(make_account) -> None:
    account = make_account("mastodon", "acc_sim", "herald")
    app = AppCredentials(simulators.TEST_CLIENT_ID, simulators.TEST_CLIENT_SECRET)
    client = httpx.Client(transport=httpx.MockTransport(MastodonSimulator.for_account(account).handle))
    platform = MastodonPlatform(client, Credentials(account.id, account.username, dict(account.credentials)), app=app)

    assert platform.revoke() is True
    with pytest.raises(PlatformError) as refused:
        platform.publish(PostContent(text="after revoking"))

    assert (refused.value.error_class, refused.value.code) == (ErrorClass.RECONNECT, "account_disconnected")
    other_app = AppCredentials("someone-else", "secret")
    assert MastodonPlatform(client, platform.credentials, app=other_app).revoke() is False


def test_concurrent_publishes_each_get_their_own_status(make_account) -> None:
    account = make_account("mastodon", "acc_sim", "herald")
    ids: list[str] = []

    def publish(n: int) -> None:
        ids.append(open_platform(account).publish(PostContent(text=f"post {n}", target_key=f"p{n}")).platform_post_id)

    threads = [threading.Thread(target=publish, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(set(ids)) == 20
    assert len(simulators.published("acc_sim")) == 20
