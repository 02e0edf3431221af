"""BlueskyPlatform against AT Protocol XRPC request/response pairs, and against the Bluesky simulator."""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from scripted_http import Exchange, Script

from herald.platforms import simulators
from herald.platforms.base import (
    AccountIdentity,
    Credentials,
    ErrorClass,
    LinkPreview,
    MediaItem,
    MentionRef,
    PlatformError,
    PostContent,
    PublishedPost,
    ReconcileOutcome,
)
from herald.platforms.bluesky import (
    DEFAULT_PDS,
    JOB_POLL_ATTEMPTS,
    BlueskyPlatform,
    external_embed,
    facet_spans,
    is_valid_tid,
    job_status,
    jwt_expiry,
    link_facets,
    pds_endpoint,
    record_key_for,
    rich_text_facets,
    sniff_image_type,
    utf8_length,
    video_file_name,
)
from herald.platforms.registry import open_platform
from herald.platforms.simulators.bluesky import (
    SIMULATED_PDS,
    BlueskySimulator,
    connect_handler,
    did_for_handle,
    recording,
)
from herald.platforms.simulators.common import grown_followers, grown_metrics
from support.clock import FakeClock

PDS = "https://pds.example.net"
XRPC = f"{PDS}/xrpc"
DID = "did:plc:ewvi7nxzyoun6zhxrhs64oiz"
TOKENS = {"did": DID, "access_jwt": "access-jwt-1", "refresh_jwt": "refresh-jwt-1", "pds": PDS}
CREDENTIALS = Credentials(account_id="acc_b", username="herald.bsky.social", tokens=TOKENS)
AUTH = {"authorization": "Bearer access-jwt-1"}
TARGET = "post_01jabc:acc_b"
RKEY = record_key_for(TARGET)
URI = f"at://{DID}/app.bsky.feed.post/{RKEY}"
CID = "bafyreib2rxk3rybk3aobmv5cjuql3bm2twh4jo5uxgf5s6dttgizbwjw5i"
CREATED_AT = "2030-01-07T09:00:00.000Z"
GET_RECORD = [("repo", DID), ("collection", "app.bsky.feed.post"), ("rkey", RKEY)]


def bluesky_for(script: Script, clock: FakeClock, credentials: Credentials = CREDENTIALS) -> BlueskyPlatform:
    return BlueskyPlatform(script.client(), credentials, clock=clock)


def xrpc_error(name: str, message: str) -> dict[str, str]:
    return {"error": name, "message": message}


def created(uri: str = URI, cid: str = CID) -> dict[str, object]:
    return {"uri": uri, "cid": cid, "commit": {"cid": CID, "rev": "3lbz7ibkwpw2c"}, "validationStatus": "valid"}


def post_record(text: str, **extra: object) -> dict[str, object]:
    return {"$type": "app.bsky.feed.post", "text": text, "createdAt": CREATED_AT, **extra}


def create(record: dict[str, object]) -> Exchange:
    return Exchange(
        "POST",
        f"{XRPC}/com.atproto.repo.createRecord",
        json={"repo": DID, "collection": "app.bsky.feed.post", "record": record, "rkey": RKEY},
        body=created(),
    )


def resolve(handle: str, **answer: Any) -> Exchange:
    """A handle lookup, made without the session token (the call is public), and its answer."""
    return Exchange(
        "GET",
        f"{XRPC}/com.atproto.identity.resolveHandle",
        params=[("handle", handle)],
        request_headers={"authorization": None},
        **answer,
    )


def facet(start: int, end: int, feature: dict[str, str]) -> dict[str, object]:
    return {"index": {"byteStart": start, "byteEnd": end}, "features": [feature]}


def mention(did: str) -> dict[str, str]:
    return {"$type": "app.bsky.richtext.facet#mention", "did": did}


def tag(name: str) -> dict[str, str]:
    return {"$type": "app.bsky.richtext.facet#tag", "tag": name}


def link(uri: str) -> dict[str, str]:
    return {"$type": "app.bsky.richtext.facet#link", "uri": uri}


# --- recorded exchanges and media ------------------------------------------------------------

MOREL = "https://morel.us-east.host.bsky.network"  # the PDS the recorded session's DID document names
SESSION = recording("createSession")["response"]["body"]
ACCESS, REFRESH = SESSION["accessJwt"], SESSION["refreshJwt"]
CONNECTED = Credentials(
    account_id="acc_b",
    username="herald.bsky.social",
    tokens={"did": DID, "access_jwt": ACCESS, "refresh_jwt": REFRESH, "pds": MOREL},
)
IMAGE_BLOB = recording("uploadBlob")["response"]["body"]["blob"]
VIDEO_BLOB = recording("getJobStatus_completed")["response"]["body"]["jobStatus"]["blob"]
PNG = b"\x89PNG\r\n\x1a\n" + bytes(200)
JPEG = b"\xff\xd8\xff\xe0" + bytes(300)
MP4 = b"\x00\x00\x00\x18ftypmp42" + bytes(2 * 1024 * 1024 + 100)  # streamed in three chunks
VIDEO_URL = "https://bucket.example/uploads/launch.mp4?X-Amz-Signature=abc"


def recorded(name: str, **changes: Any) -> Exchange:
    """The exchange recordings/bluesky.json holds under `name`: the request the adapter must make
    (method, URL, query, JSON body, headers) and the answer it gets; `changes` replace fields."""
    entry = recording(name)
    request, response = entry["request"], entry["response"]
    exchange = Exchange(
        request["method"],
        request["url"],
        status=response["status"],
        body=response["body"],
        headers=response.get("headers", {}),
        params=list(request["params"].items()) if "params" in request else None,
        json=request.get("json"),
        request_headers={name.lower(): value for name, value in request.get("headers", {}).items()},
    )
    return dataclasses.replace(exchange, **changes)


class FakeMedia:
    """Media files in memory, by URL; one it lacks cannot be fetched (OSError)."""

    def __init__(self, files: dict[str, bytes]) -> None:
        self.files = files
        self.chunk_sizes: list[int] = []

    def read(self, item: MediaItem) -> bytes:
        if item.url not in self.files:
            raise OSError(f"cannot fetch {item.url}")
        return self.files[item.url]

    def chunks(self, item: MediaItem, chunk_size: int) -> Iterator[bytes]:
        self.chunk_sizes.append(chunk_size)
        data = self.read(item)
        for start in range(0, len(data), chunk_size):
            yield data[start : start + chunk_size]


def connected(script: Script, clock: FakeClock, media: FakeMedia | None = None) -> BlueskyPlatform:
    """The adapter for the recorded session, on its PDS."""
    return BlueskyPlatform(script.client(), CONNECTED, media=media, clock=clock)


UNRESOLVED = xrpc_error("InvalidRequest", "Unable to resolve handle")


# --- record keys -----------------------------------------------------------------------------


def test_the_record_key_is_a_tid_derived_from_the_target_key() -> None:
    value = int.from_bytes(hashlib.sha256(b"post_1:acc_1").digest()[:8], "big") & (2**60 - 1)
    digits = []
    for _ in range(13):
        value, digit = divmod(value, 32)
        digits.append("234567abcdefghijklmnopqrstuvwxyz"[digit])

    assert record_key_for("post_1:acc_1") == "".join(reversed(digits)) == "23emz6tukfqqf"


@pytest.mark.parametrize("target_key", ["post_1:acc_1", "post_01jabc:acc_b", "", "ü" * 200])
def test_record_keys_are_valid_tids_and_stable(target_key: str) -> None:
    rkey = record_key_for(target_key)

    assert is_valid_tid(rkey) and len(rkey) == 13
    assert rkey[0] in "234567abcdefghij"  # the TID's top bit is 0
    assert rkey == record_key_for(target_key)


def test_distinct_targets_get_distinct_record_keys() -> None:
    keys = {record_key_for(f"post_{n}:acc_b") for n in range(2000)}

    assert len(keys) == 2000


@pytest.mark.parametrize(
    "rkey", ["3jzfcijpj2z2", "3jzfcijpj2z2aa", "k3zfcijpj2z2a", "3JZFCIJPJ2Z2A", "3jzfcijpj2z0a", "self"]
)
def test_what_is_not_a_tid(rkey: str) -> None:
    assert not is_valid_tid(rkey)


# --- publish ---------------------------------------------------------------------------------


def test_publish_writes_the_post_under_its_record_key_with_link_facets(clock: FakeClock) -> None:
    text = "Ça y est 🎉 https://example.com/ep/12 !"
    record = post_record(
        text,
        facets=[
            {
                "index": {"byteStart": 15, "byteEnd": 40},
                "features": [{"$type": "app.bsky.richtext.facet#link", "uri": "https://example.com/ep/12"}],
            }
        ],
    )
    script = Script(
        Exchange(
            "POST",
            f"{XRPC}/com.atproto.repo.createRecord",
            json={"repo": DID, "collection": "app.bsky.feed.post", "record": record, "rkey": RKEY},
            request_headers=AUTH,
            body=created(),
        )
    )

    post = bluesky_for(script, clock).publish(PostContent(text=text, target_key=TARGET))

    assert post == PublishedPost(
        platform_post_id=URI,
        url=f"https://bsky.app/profile/herald.bsky.social/post/{RKEY}",
        extra={"uri": URI, "cid": CID},
    )
    script.assert_done()


def test_plain_text_has_no_facets_and_the_default_pds_is_bsky_social(clock: FakeClock) -> None:
    on_entryway = Credentials(
        account_id="acc_b", username="herald.bsky.social", tokens={k: v for k, v in TOKENS.items() if k != "pds"}
    )
    script = Script(
        Exchange(
            "POST",
            "https://bsky.social/xrpc/com.atproto.repo.createRecord",
            json={"repo": DID, "collection": "app.bsky.feed.post", "record": post_record("hello"), "rkey": RKEY},
            body=created(),
        )
    )

    bluesky_for(script, clock, on_entryway).publish(PostContent(text="hello", target_key=TARGET))

    script.assert_done()


def test_without_a_target_key_the_pds_picks_the_record_key(clock: FakeClock) -> None:
    script = Script(
        Exchange(
            "POST",
            f"{XRPC}/com.atproto.repo.createRecord",
            json={"repo": DID, "collection": "app.bsky.feed.post", "record": post_record("hello")},
            body=created(),
        )
    )

    bluesky_for(script, clock).publish(PostContent(text="hello"))

    script.assert_done()


def test_a_taken_record_key_means_an_earlier_attempt_published_it(clock: FakeClock) -> None:
    # The PDS answers a create on a taken key with 500 (atproto#3718); the lookup settles it.
    script = Script(
        Exchange(
            "POST",
            f"{XRPC}/com.atproto.repo.createRecord",
            status=500,
            body=xrpc_error("InternalServerError", "Internal Server Error"),
        ),
        Exchange(
            "GET",
            f"{XRPC}/com.atproto.repo.getRecord",
            params=GET_RECORD,
            request_headers={"authorization": None},
            body={"uri": URI, "cid": CID, "value": post_record("hello")},
        ),
    )

    post = bluesky_for(script, clock).publish(PostContent(text="hello", target_key=TARGET))

    assert post.platform_post_id == URI and post.extra == {"uri": URI, "cid": CID}
    script.assert_done()


@pytest.mark.parametrize(
    "failure",
    [
        Exchange("POST", f"{XRPC}/com.atproto.repo.createRecord", raises=httpx.ReadTimeout),
        Exchange("POST", f"{XRPC}/com.atproto.repo.createRecord", body="<html>upstream connect error</html>"),
    ],
    ids=["timeout", "malformed-200"],
)
def test_a_lost_answer_is_settled_by_the_record_key(clock: FakeClock, failure: Exchange) -> None:
    script = Script(
        failure,
        Exchange(
            "GET", f"{XRPC}/com.atproto.repo.getRecord", body={"uri": URI, "cid": CID, "value": post_record("hi")}
        ),
    )

    assert bluesky_for(script, clock).publish(PostContent(text="hi", target_key=TARGET)).platform_post_id == URI


def test_a_failed_create_with_no_record_raises_the_create_error(clock: FakeClock) -> None:
    script = Script(
        Exchange("POST", f"{XRPC}/com.atproto.repo.createRecord", status=502, body=xrpc_error("UpstreamFailure", "x")),
        Exchange(
            "GET",
            f"{XRPC}/com.atproto.repo.getRecord",
            status=400,
            body=xrpc_error("RecordNotFound", f"Could not locate record: {URI}"),
        ),
    )

    with pytest.raises(PlatformError) as failed:
        bluesky_for(script, clock).publish(PostContent(text="hi", target_key=TARGET))

    assert (failed.value.error_class, failed.value.code, failed.value.platform_code) == (
        ErrorClass.RETRY,
        "platform_unavailable",
        "502 UpstreamFailure",
    )


@pytest.mark.parametrize(
    ("status", "body", "code"),
    [
        (429, xrpc_error("RateLimitExceeded", "Rate Limit Exceeded"), "rate_limited"),
        (400, xrpc_error("ExpiredToken", "Token has expired"), "token_expired"),
        (401, xrpc_error("InvalidToken", "Token could not be verified"), "account_disconnected"),
    ],
)
def test_refusals_that_cannot_hide_a_write_are_raised_without_a_lookup(
    clock: FakeClock, status: int, body: dict[str, str], code: str
) -> None:
    script = Script(Exchange("POST", f"{XRPC}/com.atproto.repo.createRecord", status=status, body=body))

    with pytest.raises(PlatformError) as refused:
        bluesky_for(script, clock).publish(PostContent(text="hi", target_key=TARGET))

    assert refused.value.code == code
    script.assert_done()


# --- rich text: mentions, tags, overlaps ----------------------------------------------------


def test_mentions_are_resolved_once_each_and_unresolvable_handles_stay_text(clock: FakeClock) -> None:
    text = (
        "🎉 Thanks @Alice.bsky.social and (@bob.example.com), mail me@x.com, "
        "cc @ghost.bsky.social. Again: @alice.bsky.social!"
    )
    alice, bob = "did:plc:alice2222222222222222222", "did:web:bob.example.com"
    script = Script(
        resolve("alice.bsky.social", body={"did": alice}),
        resolve("bob.example.com", body={"did": bob}),
        resolve("ghost.bsky.social", status=400, body=UNRESOLVED),
        create(
            post_record(
                text,
                facets=[
                    facet(12, 30, mention(alice)),  # 🎉 is 4 bytes; the facet covers the "@"
                    facet(36, 52, mention(bob)),  # after "(", without ")" or ","
                    facet(100, 118, mention(alice)),  # without the "!"
                ],
            )
        ),
    )
    # MentionRefs are for networks whose mentions are annotations; Bluesky reads the text.
    content = PostContent(text=text, target_key=TARGET, mentions=(MentionRef("@Alice", "urn:li:person:1"),))

    bluesky_for(script, clock).publish(content)

    script.assert_done()
    assert text.encode()[12:30].decode() == "@Alice.bsky.social"
    assert text.encode()[36:52].decode() == "@bob.example.com"


@pytest.mark.parametrize(
    ("answer", "error_class", "code"),
    [
        ({"status": 503, "body": "<html>Service Unavailable</html>"}, ErrorClass.RETRY, "platform_unavailable"),
        ({"status": 502, "body": xrpc_error("UpstreamFailure", "x")}, ErrorClass.RETRY, "platform_unavailable"),
        (
            {"status": 429, "body": xrpc_error("RateLimitExceeded", "x"), "headers": {"RateLimit-Reset": "1894006860"}},
            ErrorClass.RETRY,
            "rate_limited",
        ),
        ({"raises": httpx.ReadTimeout}, ErrorClass.RETRY, "timeout"),
        ({"body": {"did": "not a did"}}, ErrorClass.RETRY, "platform_unavailable"),
    ],
    ids=["503", "502", "429", "timeout", "malformed-did"],
)
def test_a_failed_handle_lookup_raises_before_anything_is_written(
    clock: FakeClock, answer: dict[str, Any], error_class: ErrorClass, code: str
) -> None:
    script = Script(
        resolve("alice.bsky.social", body={"did": "did:plc:alice2222222222222222222"}),
        resolve("bob.bsky.social", **answer),
    )

    with pytest.raises(PlatformError) as failed:
        bluesky_for(script, clock).publish(
            PostContent(text="@alice.bsky.social meets @bob.bsky.social", target_key=TARGET)
        )

    assert (failed.value.error_class, failed.value.code) == (error_class, code)
    script.assert_done()  # and no createRecord: the script would have refused it
    assert [r.url.path for r in script.requests] == ["/xrpc/com.atproto.identity.resolveHandle"] * 2


def test_tags_use_utf8_byte_offsets_and_bluesky_rules(clock: FakeClock) -> None:
    text = "新作 #ローンチ と #launch2030! ＃全角タグ #123 #🦋 👍🏽#no #日本語。"
    script = Script(
        create(
            post_record(
                text,
                facets=[
                    facet(7, 20, tag("ローンチ")),  # CJK: 3 bytes a character
                    facet(25, 36, tag("launch2030")),  # trailing "!" trimmed
                    facet(38, 53, tag("全角タグ")),  # full-width ＃ (3 bytes) counts, and is left out of the tag
                    facet(59, 64, tag("🦋")),  # "#123" is no tag: purely numeric
                    facet(77, 87, tag("日本語")),  # "#no" does not follow a space; "。" trimmed
                ],
            )
        )
    )

    bluesky_for(script, clock).publish(PostContent(text=text, target_key=TARGET))

    script.assert_done()
    assert text.encode()[38:53].decode() == "＃全角タグ" and text.encode()[59:64].decode() == "#🦋"


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("@alice.bsky.social.", [("mention", "@alice.bsky.social")]),  # trailing punctuation is not the handle
        ("(@Bob.Test)", [("mention", "@Bob.Test")]),
        ("write to me@example.com", []),  # an e-mail address
        ("@localhost @1.2 @x.local @nodot @-a.com", []),  # not handles: one label, numeric TLD, reserved TLD
        ("@alice.bsky.social_x", []),  # the handle would end in "." at the word boundary
        ("#tag! #tag? #(x) #a#b", [("tag", "#tag"), ("tag", "#tag"), ("tag", "#(x"), ("tag", "#a#b")]),
        ("#123 #1a #️⃣ #!!", [("tag", "#1a")]),  # numeric, keycap and punctuation are no tags
        ("#" + "a" * 64 + " #" + "b" * 65, [("tag", "#" + "a" * 64)]),  # longer than 64 graphemes: no tag
        ("#" + "👍🏽" * 64, [("tag", "#" + "👍🏽" * 64)]),  # 64 graphemes, 512 bytes
        ("x\u3000#全角スペース後", [("tag", "#全角スペース後")]),  # an ideographic space separates too
    ],
)
def test_what_bluesky_counts_as_a_mention_or_a_tag(text: str, found: list[tuple[str, str]]) -> None:
    spans = facet_spans(text)

    assert [(span.kind, text.encode()[span.start : span.end].decode()) for span in spans] == found


def test_a_hash_or_at_inside_a_url_is_part_of_the_link(clock: FakeClock) -> None:
    text = "Docs: https://example.com/guide#install and https://example.com/u/(@carol.bsky.social) #docs"
    script = Script(  # no handle lookup: the mention is inside a URL
        create(
            post_record(
                text,
                facets=[
                    facet(6, 39, link("https://example.com/guide#install")),
                    facet(44, 86, link("https://example.com/u/(@carol.bsky.social)")),
                    facet(87, 92, tag("docs")),
                ],
            )
        )
    )

    bluesky_for(script, clock).publish(PostContent(text=text, target_key=TARGET))

    script.assert_done()


def test_facets_are_sorted_and_never_overlap() -> None:
    text = "#launch(@herald.test) #go(https://example.com/x) @ann.test https://a.io #fin"
    dids = {"herald.test": "did:plc:herald222222222222222222", "ann.test": "did:plc:ann22222222222222222222"}

    facets = rich_text_facets(text, dids)

    found = [
        (text.encode()[f["index"]["byteStart"] : f["index"]["byteEnd"]].decode(), f["features"][0]) for f in facets
    ]
    assert found == [
        ("#launch(@herald.test", tag("launch(@herald.test")),  # the tag starts first and takes the mention in
        ("https://example.com/x", link("https://example.com/x")),  # a link wins over the tag around it
        ("@ann.test", mention(dids["ann.test"])),
        ("https://a.io", link("https://a.io")),
        ("#fin", tag("fin")),
    ]
    ranges = [(f["index"]["byteStart"], f["index"]["byteEnd"]) for f in facets]
    assert all(end <= next_start for (_, end), (next_start, _) in zip(ranges, ranges[1:], strict=False))


# --- cards -----------------------------------------------------------------------------------

CARD = LinkPreview(
    url="https://example.com/launch",
    title="The launch",
    description="Everything about it",
    thumbnail="https://example.com/og.png",
)
CARD_EMBED = {
    "$type": "app.bsky.embed.external",
    "external": {"uri": "https://example.com/launch", "title": "The launch", "description": "Everything about it"},
}


def test_without_a_media_source_a_card_goes_out_without_its_thumbnail(clock: FakeClock) -> None:
    script = Script(create(post_record("Launch day", embed=CARD_EMBED)))

    bluesky_for(script, clock).publish(PostContent(text="Launch day", target_key=TARGET, link=CARD))

    script.assert_done()


def test_a_card_without_title_or_description_sends_empty_strings(clock: FakeClock) -> None:
    bare = {"$type": "app.bsky.embed.external", "external": {"uri": "https://e.com", "title": "", "description": ""}}
    script = Script(create(post_record("x", embed=bare)))

    bluesky_for(script, clock).publish(PostContent(text="x", target_key=TARGET, link=LinkPreview("https://e.com")))

    script.assert_done()


def test_a_reply_can_carry_a_card(clock: FakeClock) -> None:
    root = {"uri": f"at://{DID}/app.bsky.feed.post/3lroot22222aa", "cid": "bafyreiroot"}
    parent = PublishedPost(platform_post_id=root["uri"], url="https://bsky.app/x", extra=dict(root))
    script = Script(create(post_record("read more", reply={"root": root, "parent": root}, embed=CARD_EMBED)))

    bluesky_for(script, clock).reply(parent, PostContent(text="read more", target_key=TARGET, link=CARD))

    script.assert_done()


def test_a_card_is_left_out_when_the_post_has_media() -> None:
    # Media take the post's one embed.
    image = MediaItem("https://bucket.example/a.png", "image")
    assert external_embed(PostContent(text="look", media=(image,), link=CARD)) is None
    assert external_embed(PostContent(text="look", link=CARD)) == CARD_EMBED
    assert external_embed(PostContent(text="look")) is None


# --- images ----------------------------------------------------------------------------------


def test_images_are_uploaded_as_blobs_then_embedded_with_alt_and_aspect_ratio(clock: FakeClock) -> None:
    image = MediaItem(
        "https://bucket.example/a.png",
        "image",
        mime="image/png",
        size=len(PNG),
        width=1280,
        height=760,
        alt="brief alt text description of the image",
    )
    script = Script(recorded("uploadBlob"), recorded("createRecord_images"))
    content = PostContent(text="example post with an image attached", media=(image,), target_key=TARGET)

    post = connected(script, clock, FakeMedia({image.url: PNG})).publish(content)

    script.assert_done()
    assert script.requests[0].content == PNG  # the raw bytes, with their real Content-Type
    assert post.platform_post_id == f"at://{DID}/app.bsky.feed.post/{RKEY}"
    assert post.url == f"https://bsky.app/profile/herald.bsky.social/post/{RKEY}"


def test_up_to_four_images_each_with_its_own_type_alt_and_ratio(clock: FakeClock) -> None:
    png = MediaItem("https://bucket.example/a.png", "image", width=1000, height=500, alt="A chart")
    jpeg = MediaItem("https://bucket.example/b", "image", mime="image/jpeg")  # no size: no ratio, no alt
    gif = MediaItem("https://bucket.example/c.gif", "gif", mime="image/gif", width=0, height=10)
    jpeg_blob = {**IMAGE_BLOB, "ref": {"$link": "bafkreijpeg"}, "mimeType": "image/jpeg", "size": len(JPEG)}
    gif_blob = {**IMAGE_BLOB, "ref": {"$link": "bafkreigif"}, "mimeType": "image/gif", "size": 12}
    upload = f"{MOREL}/xrpc/com.atproto.repo.uploadBlob"
    images = [
        {"alt": "A chart", "image": IMAGE_BLOB, "aspectRatio": {"width": 1000, "height": 500}},
        {"alt": "", "image": jpeg_blob},
        {"alt": "", "image": gif_blob},
    ]
    script = Script(
        Exchange("POST", upload, request_headers={"content-type": "image/png"}, body={"blob": IMAGE_BLOB}),
        Exchange("POST", upload, request_headers={"content-type": "image/jpeg"}, body={"blob": jpeg_blob}),
        Exchange("POST", upload, request_headers={"content-type": "image/gif"}, body={"blob": gif_blob}),
        Exchange(
            "POST",
            f"{MOREL}/xrpc/com.atproto.repo.createRecord",
            json={
                "repo": DID,
                "collection": "app.bsky.feed.post",
                "record": post_record("three", embed={"$type": "app.bsky.embed.images", "images": images}),
                "rkey": RKEY,
            },
            body=created(),
        ),
    )
    media = FakeMedia({png.url: PNG, jpeg.url: JPEG, gif.url: b"GIF89a" + bytes(6)})

    connected(script, clock, media).publish(PostContent(text="three", media=(png, jpeg, gif), target_key=TARGET))

    script.assert_done()


@pytest.mark.parametrize(
    ("data", "mime"),
    [
        (PNG, "image/png"),
        (JPEG, "image/jpeg"),
        (b"GIF87a" + bytes(9), "image/gif"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 " + bytes(9), "image/webp"),
        (b"<html></html>", None),
        (b"", None),
    ],
)
def test_an_images_type_is_read_from_its_bytes_when_unknown(data: bytes, mime: str | None) -> None:
    assert sniff_image_type(data) == mime


@pytest.mark.parametrize(
    ("media", "code"),
    [
        (tuple(MediaItem(f"https://bucket.example/{n}.png", "image") for n in range(5)), "invalid_content"),
        (
            (MediaItem("https://b.example/v.mp4", "video"), MediaItem("https://b.example/a.png", "image")),
            "invalid_content",
        ),
        (
            (MediaItem("https://b.example/v.mp4", "video"), MediaItem("https://b.example/w.mp4", "video")),
            "invalid_content",
        ),
        ((MediaItem("https://b.example/a.pdf", "document"),), "media_unsupported"),
        ((MediaItem("https://b.example/a.tiff", "image", mime="image/tiff"),), "media_unsupported"),
        ((MediaItem("https://b.example/v.mov", "video", mime="video/quicktime"),), "media_unsupported"),
        ((MediaItem("https://b.example/a.png", "image", size=1_000_001),), "media_too_large"),
        ((MediaItem("https://b.example/v.mp4", "video", size=100_000_001),), "media_too_large"),
    ],
    ids=["five-images", "video-and-image", "two-videos", "document", "tiff", "quicktime", "big-image", "big-video"],
)
def test_media_a_post_cannot_carry_is_refused_before_any_call(
    clock: FakeClock, media: tuple[MediaItem, ...], code: str
) -> None:
    script = Script()

    with pytest.raises(PlatformError) as refused:
        connected(script, clock, FakeMedia({})).publish(PostContent(text="@alice.bsky.social look", media=media))

    assert (refused.value.error_class, refused.value.code) == (ErrorClass.PERMANENT, code)
    assert script.requests == []  # not even the mention's lookup


@pytest.mark.parametrize(
    ("data", "code"),
    [(b"\x89PNG\r\n\x1a\n" + bytes(1_000_000), "media_too_large"), (b"<html>not an image</html>", "media_unsupported")],
    ids=["too-large", "not-an-image"],
)
def test_an_image_found_wrong_once_read_is_refused_before_its_upload(clock: FakeClock, data: bytes, code: str) -> None:
    script = Script()
    item = MediaItem("https://elsewhere.example/picture", "image")  # type and size unknown until read

    with pytest.raises(PlatformError) as refused:
        connected(script, clock, FakeMedia({item.url: data})).publish(PostContent(text="look", media=(item,)))

    assert (refused.value.error_class, refused.value.code) == (ErrorClass.PERMANENT, code)
    assert script.requests == []


def test_without_a_media_source_media_cannot_be_posted(clock: FakeClock) -> None:
    with pytest.raises(PlatformError) as refused:
        connected(Script(), clock).publish(
            PostContent(text="look", media=(MediaItem("https://b.example/a.png", "image"),))
        )

    assert (refused.value.error_class, refused.value.code) == (ErrorClass.PERMANENT, "media_unsupported")


@pytest.mark.parametrize(
    ("answer", "error_class", "code"),
    [
        ({"status": 400, "body": xrpc_error("ExpiredToken", "Token has expired")}, ErrorClass.REFRESH, "token_expired"),
        (
            {"status": 413, "body": xrpc_error("PayloadTooLarge", "request entity too large")},
            ErrorClass.PERMANENT,
            "media_too_large",
        ),
        ({"status": 503, "body": "<html>Service Unavailable</html>"}, ErrorClass.RETRY, "platform_unavailable"),
        ({"body": {"blob": {"ref": "not a blob"}}}, ErrorClass.RETRY, "platform_unavailable"),
    ],
    ids=["expired", "too-large", "unavailable", "malformed"],
)
def test_a_failed_upload_writes_no_record(
    clock: FakeClock, answer: dict[str, Any], error_class: ErrorClass, code: str
) -> None:
    item = MediaItem("https://bucket.example/a.png", "image", mime="image/png")
    script = Script(Exchange("POST", f"{MOREL}/xrpc/com.atproto.repo.uploadBlob", **answer))

    with pytest.raises(PlatformError) as failed:
        connected(script, clock, FakeMedia({item.url: PNG})).publish(
            PostContent(text="x", media=(item,), target_key=TARGET)
        )

    assert (failed.value.error_class, failed.value.code) == (error_class, code)
    script.assert_done()  # and no createRecord


# --- video -----------------------------------------------------------------------------------

VIDEO = MediaItem(
    VIDEO_URL, "video", mime="video/mp4", size=len(MP4), width=1920, height=1080, alt="The launch, in one minute"
)
VIDEO_TEXT = "This post should have a video attached"
QUOTA = [recorded("getServiceAuth_upload_limits"), recorded("getUploadLimits")]
UPLOAD = [recorded("getServiceAuth_video_upload"), recorded("uploadVideo")]
NO_AUTH = {"authorization": None}  # getJobStatus is public


def test_a_video_goes_through_the_video_service_then_into_the_record(clock: FakeClock) -> None:
    script = Script(
        *QUOTA,
        *UPLOAD,
        recorded("getJobStatus_processing", request_headers=NO_AUTH),
        recorded("getJobStatus_completed", request_headers=NO_AUTH),
        recorded("createRecord_video"),
    )
    media = FakeMedia({VIDEO_URL: MP4})

    post = connected(script, clock, media).publish(PostContent(text=VIDEO_TEXT, media=(VIDEO,), target_key=TARGET))

    script.assert_done()
    upload = script.requests[3]
    assert upload.content == MP4 and upload.headers["content-length"] == str(len(MP4))
    assert media.chunk_sizes == [1024 * 1024]  # streamed, not read whole
    assert clock.slept == [2.0, 2.0]  # one pause before each status poll
    assert post.platform_post_id == URI


def test_a_video_of_unknown_size_is_read_whole(clock: FakeClock) -> None:
    unsized = dataclasses.replace(VIDEO, size=None)
    script = Script(*QUOTA, *UPLOAD, recorded("getJobStatus_completed"), recorded("createRecord_video"))
    media = FakeMedia({VIDEO_URL: MP4})

    connected(script, clock, media).publish(PostContent(text=VIDEO_TEXT, media=(unsized,), target_key=TARGET))

    assert script.requests[3].headers["content-length"] == str(len(MP4)) and media.chunk_sizes == []


def test_a_video_already_processed_is_answered_with_its_earlier_job(clock: FakeClock) -> None:
    script = Script(
        *QUOTA,
        recorded("getServiceAuth_video_upload"),
        recorded("uploadVideo_already_exists"),  # 409, with the earlier job
        recorded("getJobStatus_completed"),
        recorded("createRecord_video"),
    )

    connected(script, clock, FakeMedia({VIDEO_URL: MP4})).publish(
        PostContent(text=VIDEO_TEXT, media=(VIDEO,), target_key=TARGET)
    )

    script.assert_done()


def test_a_job_status_with_a_blob_is_used_whatever_its_state() -> None:
    # The tutorial: "checking for the presence of a BlobRef in the response regardless of the
    # success or failure of the job"; uploadVideo answers bare, getJobStatus wrapped.
    assert (
        job_status({"jobStatus": {"jobId": "j", "state": "JOB_STATE_FAILED", "blob": VIDEO_BLOB}})["blob"] == VIDEO_BLOB
    )
    assert job_status({"jobId": "j", "state": "JOB_STATE_CREATED"}) == {"jobId": "j", "state": "JOB_STATE_CREATED"}
    assert job_status({"error": "InvalidRequest", "message": "x"}) is None
    assert job_status(None) is None


def test_a_failed_processing_job_is_permanent_and_writes_no_record(clock: FakeClock) -> None:
    script = Script(*QUOTA, *UPLOAD, recorded("getJobStatus_processing"), recorded("getJobStatus_failed"))

    with pytest.raises(PlatformError) as failed:
        connected(script, clock, FakeMedia({VIDEO_URL: MP4})).publish(
            PostContent(text=VIDEO_TEXT, media=(VIDEO,), target_key=TARGET)
        )

    assert (failed.value.error_class, failed.value.code) == (ErrorClass.PERMANENT, "media_processing_failed")
    assert "Failed to process video" in failed.value.message
    assert failed.value.platform_code == "video processing error for job: cr9zmqtfl2gs73f2t0jg"
    script.assert_done()


def test_a_video_still_processing_after_the_last_poll_is_retried_later(clock: FakeClock) -> None:
    script = Script(*QUOTA, *UPLOAD, *[recorded("getJobStatus_processing")] * JOB_POLL_ATTEMPTS)

    with pytest.raises(PlatformError) as failed:
        connected(script, clock, FakeMedia({VIDEO_URL: MP4})).publish(
            PostContent(text=VIDEO_TEXT, media=(VIDEO,), target_key=TARGET)
        )

    assert (failed.value.error_class, failed.value.code) == (ErrorClass.RETRY, "media_processing")
    assert len(clock.slept) == JOB_POLL_ATTEMPTS
    script.assert_done()


@pytest.mark.parametrize(
    ("limits", "error_class", "code"),
    [
        ("getUploadLimits_spent", ErrorClass.RETRY, "quota_exceeded"),
        ("getUploadLimits_unconfirmed_email", ErrorClass.PERMANENT, "media_unsupported"),
    ],
)
def test_a_video_the_account_may_not_upload_is_refused_before_the_upload(
    clock: FakeClock, limits: str, error_class: ErrorClass, code: str
) -> None:
    script = Script(recorded("getServiceAuth_upload_limits"), recorded(limits))

    with pytest.raises(PlatformError) as refused:
        connected(script, clock, FakeMedia({VIDEO_URL: MP4})).publish(PostContent(text=VIDEO_TEXT, media=(VIDEO,)))

    assert (refused.value.error_class, refused.value.code) == (error_class, code)
    script.assert_done()


def test_a_video_larger_than_the_bytes_left_today_waits_for_tomorrow(clock: FakeClock) -> None:
    room = {"canUpload": True, "remainingDailyVideos": 3, "remainingDailyBytes": len(MP4) - 1}
    script = Script(recorded("getServiceAuth_upload_limits"), recorded("getUploadLimits", body=room))

    with pytest.raises(PlatformError) as refused:
        connected(script, clock, FakeMedia({VIDEO_URL: MP4})).publish(PostContent(text=VIDEO_TEXT, media=(VIDEO,)))

    assert (refused.value.error_class, refused.value.code) == (ErrorClass.RETRY, "quota_exceeded")


@pytest.mark.parametrize(
    ("answer", "error_class", "code"),
    [
        ({"status": 401, "body": {"message": "Unauthorized"}}, ErrorClass.REFRESH, "token_expired"),
        (
            {"status": 400, "body": {"jobStatus": {"did": "", "error": "unconfirmed_email", "jobId": "", "state": ""}}},
            ErrorClass.PERMANENT,
            "invalid_content",
        ),
        ({"status": 200, "body": "<html>bad gateway</html>"}, ErrorClass.RETRY, "platform_unavailable"),
        ({"status": 200, "body": {"did": DID, "state": "JOB_STATE_CREATED"}}, ErrorClass.RETRY, "platform_unavailable"),
        ({"raises": httpx.WriteTimeout}, ErrorClass.RETRY, "timeout"),
    ],
    ids=["unauthorized", "nested-error", "html", "no-job-id", "timeout"],
)
def test_a_refused_video_upload_writes_no_record(
    clock: FakeClock, answer: dict[str, Any], error_class: ErrorClass, code: str
) -> None:
    script = Script(*QUOTA, recorded("getServiceAuth_video_upload"), recorded("uploadVideo", **answer))

    with pytest.raises(PlatformError) as failed:
        connected(script, clock, FakeMedia({VIDEO_URL: MP4})).publish(PostContent(text=VIDEO_TEXT, media=(VIDEO,)))

    assert (failed.value.error_class, failed.value.code) == (error_class, code)
    if code == "invalid_content":
        assert failed.value.platform_code == "400 unconfirmed_email"
    script.assert_done()


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("https://bucket.example/uploads/launch.mp4?X-Amz-Signature=abc", "launch.mp4"),
        ("https://bucket.example/uploads/med_01jabc", "med_01jabc.mp4"),
        ("https://cdn.example/", "video.mp4"),
    ],
)
def test_the_uploaded_video_is_named_after_its_file(url: str, name: str) -> None:
    assert video_file_name(MediaItem(url, "video")) == name


# --- card thumbnails -------------------------------------------------------------------------

THUMB = "https://bsky.app/og.png"
RECORDED_CARD = LinkPreview("https://bsky.app", "Bluesky Social", "See what's next.", thumbnail=THUMB)
THUMB_BLOB = recording("createRecord_card")["request"]["json"]["record"]["embed"]["external"]["thumb"]


def test_a_cards_thumbnail_is_fetched_and_uploaded_as_a_blob(clock: FakeClock) -> None:
    script = Script(recorded("uploadBlob", body={"blob": THUMB_BLOB}), recorded("createRecord_card"))
    content = PostContent(text="post which embeds an external URL as a card", target_key=TARGET, link=RECORDED_CARD)

    connected(script, clock, FakeMedia({THUMB: PNG})).publish(content)

    script.assert_done()
    assert script.requests[0].content == PNG


@pytest.mark.parametrize(
    ("files", "exchanges"),
    [
        ({}, []),  # the picture cannot be fetched
        ({THUMB: b"<html>moved</html>"}, []),  # not an image
        ({THUMB: PNG + bytes(1_000_000)}, []),  # too large
        ({THUMB: PNG}, [Exchange("POST", f"{MOREL}/xrpc/com.atproto.repo.uploadBlob", status=500, body={})]),
        ({THUMB: PNG}, [Exchange("POST", f"{MOREL}/xrpc/com.atproto.repo.uploadBlob", raises=httpx.ReadTimeout)]),
    ],
    ids=["unreachable", "html", "too-large", "upload-fails", "upload-times-out"],
)
def test_a_card_goes_out_without_a_thumbnail_that_fails(
    clock: FakeClock, files: dict[str, bytes], exchanges: list[Exchange]
) -> None:
    external = {"uri": "https://bsky.app", "title": "Bluesky Social", "description": "See what's next."}
    record = post_record("card", embed={"$type": "app.bsky.embed.external", "external": external})
    create_on_pds = Exchange(
        "POST",
        f"{MOREL}/xrpc/com.atproto.repo.createRecord",
        json={"repo": DID, "collection": "app.bsky.feed.post", "record": record, "rkey": RKEY},
        body=created(),
    )
    script = Script(*exchanges, create_on_pds)

    connected(script, clock, FakeMedia(files)).publish(PostContent(text="card", target_key=TARGET, link=RECORDED_CARD))

    script.assert_done()


# --- reply, delete ---------------------------------------------------------------------------


def test_a_reply_refers_to_its_parent_and_the_thread_root(clock: FakeClock) -> None:
    root = {"uri": f"at://{DID}/app.bsky.feed.post/3lroot22222aa", "cid": "bafyreiroot"}
    parent_uri = f"at://{DID}/app.bsky.feed.post/3lparent2222a"
    parent = PublishedPost(
        platform_post_id=parent_uri,
        url="https://bsky.app/x",
        extra={"uri": parent_uri, "cid": "bafyreiparent", "root": root},
    )
    reply = {"root": root, "parent": {"uri": parent_uri, "cid": "bafyreiparent"}}
    script = Script(
        Exchange(
            "POST",
            f"{XRPC}/com.atproto.repo.createRecord",
            json={
                "repo": DID,
                "collection": "app.bsky.feed.post",
                "record": post_record("part 3", reply=reply),
                "rkey": RKEY,
            },
            body=created(),
        )
    )

    post = bluesky_for(script, clock).reply(parent, PostContent(text="part 3", target_key=TARGET))

    assert post.extra == {"uri": URI, "cid": CID, "root": root}


def test_a_reply_to_a_post_known_by_uri_only_fetches_its_cid(clock: FakeClock) -> None:
    parent_uri = "at://did:plc:someoneelse/app.bsky.feed.post/3lparent2222a"
    parent = PublishedPost(platform_post_id=parent_uri, url="https://bsky.app/x")
    ref = {"uri": parent_uri, "cid": "bafyreiparent"}
    script = Script(
        Exchange(
            "GET",
            f"{XRPC}/com.atproto.repo.getRecord",
            params=[("repo", "did:plc:someoneelse"), ("collection", "app.bsky.feed.post"), ("rkey", "3lparent2222a")],
            body={**ref, "value": post_record("parent")},
        ),
        Exchange(
            "POST",
            f"{XRPC}/com.atproto.repo.createRecord",
            json={
                "repo": DID,
                "collection": "app.bsky.feed.post",
                "record": post_record("answer", reply={"root": ref, "parent": ref}),
                "rkey": RKEY,
            },
            body=created(),
        ),
    )

    post = bluesky_for(script, clock).reply(parent, PostContent(text="answer", target_key=TARGET))

    assert post.extra["root"] == ref
    script.assert_done()


@pytest.mark.parametrize("post_id", [URI, RKEY])
def test_delete_removes_the_record(clock: FakeClock, post_id: str) -> None:
    script = Script(
        Exchange(
            "POST",
            f"{XRPC}/com.atproto.repo.deleteRecord",
            json={"repo": DID, "collection": "app.bsky.feed.post", "rkey": RKEY},
            request_headers=AUTH,
            body={"commit": {"cid": CID, "rev": "3lbz7ibkwpw2d"}},
        )
    )

    bluesky_for(script, clock).delete(post_id)

    script.assert_done()


# --- metrics ---------------------------------------------------------------------------------


def test_metrics_ask_for_25_posts_at_a_time(clock: FakeClock) -> None:
    uris = [f"at://{DID}/app.bsky.feed.post/3lbz7ibkwpw{n:02d}" for n in range(30)]
    view = {
        "uri": uris[0],
        "cid": CID,
        "author": {"did": DID, "handle": "herald.bsky.social"},
        "record": post_record("a"),
        "replyCount": 2,
        "repostCount": 3,
        "likeCount": 10,
        "quoteCount": 1,
        "bookmarkCount": 4,
        "indexedAt": CREATED_AT,
    }
    script = Script(
        Exchange(
            "GET",
            f"{XRPC}/app.bsky.feed.getPosts",
            params=[("uris", uri) for uri in uris[:25]],
            request_headers=AUTH,
            body={"posts": [view]},  # posts that are gone are simply missing
        ),
        Exchange(
            "GET",
            f"{XRPC}/app.bsky.feed.getPosts",
            params=[("uris", uri) for uri in uris[25:]],
            body={"posts": [{"uri": uris[29], "cid": CID, "likeCount": 1}]},
        ),
    )

    metrics = bluesky_for(script, clock).metrics(uris)

    assert metrics == {
        uris[0]: {"likes": 10, "comments": 2, "shares": 4, "bookmarks": 4},
        uris[29]: {"likes": 1},
    }
    script.assert_done()


# --- reconcile -------------------------------------------------------------------------------


def test_reconcile_finds_the_record_under_the_key(clock: FakeClock) -> None:
    root = {"uri": f"at://{DID}/app.bsky.feed.post/3lroot22222aa", "cid": "bafyreiroot"}
    script = Script(
        Exchange(
            "GET",
            f"{XRPC}/com.atproto.repo.getRecord",
            params=GET_RECORD,
            body={"uri": URI, "cid": CID, "value": post_record("hi", reply={"root": root, "parent": root})},
        )
    )

    found = bluesky_for(script, clock).reconcile(PostContent(text="hi", target_key=TARGET))

    assert found.outcome is ReconcileOutcome.FOUND
    assert found.post == PublishedPost(
        platform_post_id=URI,
        url=f"https://bsky.app/profile/herald.bsky.social/post/{RKEY}",
        extra={"uri": URI, "cid": CID, "root": root},
    )


@pytest.mark.parametrize(
    "answer",
    [
        xrpc_error("RecordNotFound", f"Could not locate record: {URI}"),
        xrpc_error("InvalidRequest", f"Could not locate record: {URI}"),  # older PDS versions
    ],
)
def test_reconcile_reports_absent_when_the_pds_has_no_record(clock: FakeClock, answer: dict[str, str]) -> None:
    script = Script(Exchange("GET", f"{XRPC}/com.atproto.repo.getRecord", status=400, body=answer))

    assert (
        bluesky_for(script, clock).reconcile(PostContent(text="hi", target_key=TARGET)).outcome
        is ReconcileOutcome.ABSENT
    )


@pytest.mark.parametrize(
    "exchange",
    [
        Exchange("GET", f"{XRPC}/com.atproto.repo.getRecord", status=503, body=xrpc_error("NotEnoughResources", "x")),
        Exchange("GET", f"{XRPC}/com.atproto.repo.getRecord", raises=httpx.ConnectTimeout),
        Exchange("GET", f"{XRPC}/com.atproto.repo.getRecord", body="not json"),
        Exchange(
            "GET", f"{XRPC}/com.atproto.repo.getRecord", status=400, body=xrpc_error("InvalidRequest", "Bad repo")
        ),
    ],
    ids=["unavailable", "timeout", "malformed", "other-400"],
)
def test_reconcile_cannot_tell_when_the_lookup_fails(clock: FakeClock, exchange: Exchange) -> None:
    script = Script(exchange)

    assert (
        bluesky_for(script, clock).reconcile(PostContent(text="hi", target_key=TARGET)).outcome
        is ReconcileOutcome.UNKNOWN
    )


def test_reconcile_cannot_tell_without_a_target_key(clock: FakeClock) -> None:
    script = Script()

    assert bluesky_for(script, clock).reconcile(PostContent(text="hi")).outcome is ReconcileOutcome.UNKNOWN
    assert script.requests == []


# --- classify_error --------------------------------------------------------------------------

RESET = 1894006860  # 2030-01-07T09:01:00Z


@pytest.mark.parametrize(
    ("status", "body", "headers", "error_class", "code"),
    [
        (400, xrpc_error("ExpiredToken", "Token has expired"), {}, ErrorClass.REFRESH, "token_expired"),
        (401, xrpc_error("ExpiredToken", "Token has expired"), {}, ErrorClass.REFRESH, "token_expired"),
        (
            401,
            xrpc_error("InvalidToken", "Token could not be verified"),
            {},
            ErrorClass.RECONNECT,
            "account_disconnected",
        ),
        (
            401,
            xrpc_error("AuthenticationRequired", "Authentication Required"),
            {},
            ErrorClass.RECONNECT,
            "account_disconnected",
        ),
        (401, xrpc_error("AuthMissing", "Authentication Required"), {}, ErrorClass.RECONNECT, "account_disconnected"),
        (
            400,
            xrpc_error("AccountTakedown", "Account has been taken down"),
            {},
            ErrorClass.RECONNECT,
            "account_disconnected",
        ),
        (401, {}, {}, ErrorClass.REFRESH, "token_expired"),
        (
            429,
            xrpc_error("RateLimitExceeded", "Rate Limit Exceeded"),
            {"RateLimit-Limit": "5000", "RateLimit-Remaining": "0", "RateLimit-Reset": str(RESET)},
            ErrorClass.RETRY,
            "rate_limited",
        ),
        (
            400,
            xrpc_error(
                "InvalidRequest", "Invalid app.bsky.feed.post record: Record/text must not be longer than 300 graphemes"
            ),
            {},
            ErrorClass.PERMANENT,
            "invalid_content",
        ),
        (400, xrpc_error("InvalidSwap", "Commit was at bafyrei..."), {}, ErrorClass.RETRY, "platform_unavailable"),
        (413, xrpc_error("PayloadTooLarge", "request entity too large"), {}, ErrorClass.PERMANENT, "media_too_large"),
        (500, xrpc_error("InternalServerError", "Internal Server Error"), {}, ErrorClass.RETRY, "platform_unavailable"),
        (502, xrpc_error("UpstreamFailure", "Upstream Failure"), {}, ErrorClass.RETRY, "platform_unavailable"),
        (503, "<html>Service Unavailable</html>", {}, ErrorClass.RETRY, "platform_unavailable"),
        (504, xrpc_error("UpstreamTimeout", "Upstream Timeout"), {}, ErrorClass.RETRY, "platform_unavailable"),
        (200, "<html>upstream connect error</html>", {}, ErrorClass.RETRY, "platform_unavailable"),
    ],
    ids=[
        "expired-400",
        "expired-401",
        "invalid-token",
        "authentication-required",
        "auth-missing",
        "takedown",
        "unnamed-401",
        "rate-limited",
        "invalid-request",
        "invalid-swap",
        "too-large",
        "500",
        "502",
        "503-html",
        "504",
        "malformed-200",
    ],
)
def test_classify_error(
    clock: FakeClock, status: int, body: object, headers: dict[str, str], error_class: ErrorClass, code: str
) -> None:
    response = (
        httpx.Response(status, text=body, headers=headers)
        if isinstance(body, str)
        else httpx.Response(status, json=body, headers=headers)
    )

    error = bluesky_for(Script(), clock).classify_error(response)

    assert (error.error_class, error.code) == (error_class, code)
    if isinstance(body, dict) and body.get("error"):
        assert error.platform_code == f"{status} {body['error']}"
    if code == "rate_limited":
        assert error.retry_at == datetime(2030, 1, 7, 9, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("exc", "code"),
    [(httpx.ReadTimeout("read"), "timeout"), (httpx.ConnectError("refused"), "network_error")],
)
def test_classify_transport_errors(clock: FakeClock, exc: Exception, code: str) -> None:
    error = bluesky_for(Script(), clock).classify_error(None, exc)

    assert (error.error_class, error.code) == (ErrorClass.RETRY, code)


# --- refresh_credentials ---------------------------------------------------------------------


def test_refresh_session_with_the_refresh_jwt(clock: FakeClock) -> None:
    script = Script(
        Exchange(
            "POST",
            f"{XRPC}/com.atproto.server.refreshSession",
            request_headers={"authorization": "Bearer refresh-jwt-1"},
            body={
                "accessJwt": "access-jwt-2",
                "refreshJwt": "refresh-jwt-2",
                "handle": "herald.example.com",
                "did": DID,
                "active": True,
            },
        )
    )

    renewed = bluesky_for(script, clock).refresh_credentials()

    assert renewed == Credentials(
        account_id="acc_b",
        username="herald.example.com",
        tokens={**TOKENS, "access_jwt": "access-jwt-2", "refresh_jwt": "refresh-jwt-2"},
    )


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (400, xrpc_error("ExpiredToken", "Token has been revoked")),
        (400, xrpc_error("ExpiredToken", "Token has expired")),
        (401, xrpc_error("InvalidToken", "Token could not be verified")),
        (401, xrpc_error("AuthenticationRequired", "Authentication Required")),
    ],
)
def test_a_refused_refresh_means_reconnect(clock: FakeClock, status: int, body: dict[str, str]) -> None:
    script = Script(Exchange("POST", f"{XRPC}/com.atproto.server.refreshSession", status=status, body=body))

    with pytest.raises(PlatformError) as refused:
        bluesky_for(script, clock).refresh_credentials()

    assert (refused.value.error_class, refused.value.code) == (ErrorClass.RECONNECT, "account_disconnected")
    assert refused.value.platform_code == f"{status} {body['error']}"


def test_a_refresh_that_meets_an_outage_can_be_retried(clock: FakeClock) -> None:
    script = Script(Exchange("POST", f"{XRPC}/com.atproto.server.refreshSession", raises=httpx.ReadTimeout))

    with pytest.raises(PlatformError) as failed:
        bluesky_for(script, clock).refresh_credentials()

    assert (failed.value.error_class, failed.value.code) == (ErrorClass.RETRY, "timeout")


def test_a_refresh_takes_the_pds_and_expiry_from_the_new_session(clock: FakeClock) -> None:
    script = Script(recorded("refreshSession"))

    renewed = connected(script, clock).refresh_credentials()

    answer = recording("refreshSession")["response"]["body"]
    assert renewed == Credentials(
        account_id="acc_b",
        username="herald.bsky.social",
        tokens={"did": DID, "access_jwt": answer["accessJwt"], "refresh_jwt": answer["refreshJwt"], "pds": MOREL},
        expires_at=datetime(2030, 1, 7, 12, 0, tzinfo=UTC),  # the new access JWT's exp
    )


def test_a_recorded_revoked_refresh_means_reconnect(clock: FakeClock) -> None:
    with pytest.raises(PlatformError) as refused:
        connected(Script(recorded("refreshSession_revoked")), clock).refresh_credentials()

    assert (refused.value.error_class, refused.value.platform_code) == (ErrorClass.RECONNECT, "400 ExpiredToken")


# --- connecting, identity, revoke ------------------------------------------------------------

FIELDS = {"handle": "@herald.bsky.social ", "app_password": "abcd-efgh-ijkl-mnop"}
IDENTITY = AccountIdentity(
    platform_user_id=DID,
    username="herald.bsky.social",
    display_name="Herald",
    avatar_url=recording("getProfile")["response"]["body"]["avatar"],
    followers=1204,
    permissions=("com.atproto.appPass",),  # the session's scope: an app password's
)


def test_connect_signs_in_on_the_entryway_then_reads_the_profile_on_the_pds() -> None:
    script = Script(recorded("createSession"), recorded("getProfile"))

    connection = BlueskyPlatform.connect_with_fields(script.client(), FIELDS)

    script.assert_done()
    assert connection.credentials == Credentials(
        account_id="",
        username="herald.bsky.social",
        tokens={"did": DID, "access_jwt": ACCESS, "refresh_jwt": REFRESH, "pds": MOREL},
        expires_at=datetime(2030, 1, 7, 11, 0, tzinfo=UTC),
    )
    assert FIELDS["app_password"] not in connection.credentials.tokens.values()  # only the session is kept
    assert connection.identity == IDENTITY


@pytest.mark.parametrize(
    ("name", "platform_code", "hint"),
    [
        ("createSession_wrong_password", "401 AuthenticationRequired", "Invalid identifier or password"),
        ("createSession_sign_in_code", "401 AuthFactorTokenRequired", "app password"),
    ],
)
def test_a_refused_sign_in_is_reported_for_the_person_to_fix(name: str, platform_code: str, hint: str) -> None:
    password = recording(name)["request"]["json"]["password"]
    script = Script(recorded(name))

    with pytest.raises(PlatformError) as refused:
        BlueskyPlatform.connect_with_fields(script.client(), {"handle": "herald.bsky.social", "app_password": password})

    assert (refused.value.error_class, refused.value.code) == (ErrorClass.PERMANENT, "invalid_credentials")
    assert refused.value.platform_code == platform_code and hint in refused.value.message
    script.assert_done()


@pytest.mark.parametrize("fields", [{}, {"handle": "herald.bsky.social"}, {"handle": " @ ", "app_password": "x"}])
def test_connect_needs_a_handle_and_an_app_password(fields: dict[str, str]) -> None:
    script = Script()

    with pytest.raises(PlatformError) as refused:
        BlueskyPlatform.connect_with_fields(script.client(), fields)

    assert refused.value.code == "invalid_credentials" and script.requests == []


@pytest.mark.parametrize(
    ("answer", "code"),
    [
        ({"status": 429, "body": xrpc_error("RateLimitExceeded", "Rate Limit Exceeded")}, "rate_limited"),
        ({"status": 502, "body": "<html>Bad Gateway</html>"}, "platform_unavailable"),
        ({"raises": httpx.ConnectTimeout}, "timeout"),
        ({"body": {"did": DID, "handle": "herald.bsky.social"}}, "platform_unavailable"),  # no tokens
    ],
    ids=["rate-limited", "502", "timeout", "malformed"],
)
def test_a_sign_in_that_meets_a_limit_or_an_outage_can_be_tried_again(answer: dict[str, Any], code: str) -> None:
    script = Script(recorded("createSession", **answer))

    with pytest.raises(PlatformError) as failed:
        BlueskyPlatform.connect_with_fields(script.client(), FIELDS)

    assert (failed.value.error_class, failed.value.code) == (ErrorClass.RETRY, code)


def test_without_a_did_document_the_account_stays_on_the_entryway() -> None:
    session = {k: v for k, v in SESSION.items() if k != "didDoc"}
    script = Script(
        recorded("createSession", body=session),
        recorded("getProfile", url="https://bsky.social/xrpc/app.bsky.actor.getProfile"),
    )

    connection = BlueskyPlatform.connect_with_fields(script.client(), FIELDS)

    assert "pds" not in connection.credentials.tokens


DID_DOC = SESSION["didDoc"]


@pytest.mark.parametrize(
    ("document", "pds"),
    [
        (DID_DOC, MOREL),
        ({**DID_DOC, "service": [{**DID_DOC["service"][0], "id": f"{DID}#atproto_pds"}]}, MOREL),
        ({**DID_DOC, "id": "did:plc:someoneelse"}, None),  # not this account's document
        ({**DID_DOC, "service": [{**DID_DOC["service"][0], "serviceEndpoint": "http://morel.example"}]}, None),
        ({**DID_DOC, "service": [{**DID_DOC["service"][0], "type": "BskyFeedGenerator"}]}, None),
        ({**DID_DOC, "service": "https://morel.example"}, None),
        (None, None),
    ],
    ids=["short-id", "full-id", "other-did", "not-https", "other-service", "malformed", "absent"],
)
def test_the_pds_is_the_atproto_pds_service_of_the_accounts_own_did_document(document: Any, pds: str | None) -> None:
    assert pds_endpoint(document, DID) == pds


def test_token_expiry_is_read_from_the_jwt_without_verifying_it() -> None:
    assert jwt_expiry(ACCESS) == datetime(2030, 1, 7, 11, 0, tzinfo=UTC)
    assert jwt_expiry(REFRESH) == datetime(2030, 4, 7, 9, 0, tzinfo=UTC)  # 90 days
    assert jwt_expiry("access-jwt-1") is None
    assert jwt_expiry("a.bm90IGpzb24.c") is None  # "not json"
    assert jwt_expiry("a.eyJleHAiOiJzb29uIn0.c") is None  # {"exp": "soon"}


def test_identity_reads_the_profile(clock: FakeClock) -> None:
    assert connected(Script(recorded("getProfile")), clock).identity() == IDENTITY


def test_identity_leaves_out_what_the_profile_does_not_show(clock: FakeClock) -> None:
    bare = {"did": DID, "handle": "herald.bsky.social", "displayName": ""}
    script = Script(recorded("getProfile", url=f"{XRPC}/app.bsky.actor.getProfile", request_headers=AUTH, body=bare))

    identity = bluesky_for(script, clock).identity()  # session tokens that are no JWTs: no scope known

    assert identity == AccountIdentity(platform_user_id=DID, username="herald.bsky.social")


def test_revoke_deletes_the_session_with_the_refresh_token(clock: FakeClock) -> None:
    script = Script(recorded("deleteSession"))

    assert connected(script, clock).revoke() is True
    script.assert_done()


@pytest.mark.parametrize(
    "answer",
    [
        {"status": 400, "body": xrpc_error("ExpiredToken", "Token has been revoked")},
        {"status": 401, "body": xrpc_error("InvalidToken", "Token could not be verified")},
    ],
)
def test_a_session_already_gone_counts_as_revoked(clock: FakeClock, answer: dict[str, Any]) -> None:
    assert connected(Script(recorded("deleteSession", **answer)), clock).revoke() is True


def test_a_revoke_that_meets_an_outage_raises(clock: FakeClock) -> None:
    with pytest.raises(PlatformError) as failed:
        connected(Script(recorded("deleteSession", status=503, body={})), clock).revoke()

    assert failed.value.error_class is ErrorClass.RETRY


# --- text ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "graphemes", "size"),
    [
        ("hello", 5, 5),
        ("Ça", 2, 3),
        ("e\u0301", 1, 3),  # a combining mark joins its base
        ("👨\u200d👩\u200d👧\u200d👦", 1, 25),  # ZWJ family
        ("👍🏽", 1, 8),  # skin tone
        ("🇯🇵🇫🇷🇩", 3, 20),  # two flags and a lone regional indicator
        ("🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f", 1, 28),  # Scotland (tag sequence)
        ("1\ufe0f\u20e3", 1, 7),  # keycap
        ("\r\n", 1, 2),
        ("한국어", 3, 9),
        ("\u1100\u1161\u11a8", 1, 9),  # conjoining jamo make one syllable
        ("नमस्ते", 3, 18),  # Devanagari conjunct (Unicode 15.1)
        ("กำ", 1, 6),  # Thai SARA AM is a spacing mark
    ],
)
def test_count_text_counts_graphemes(clock: FakeClock, text: str, graphemes: int, size: int) -> None:
    assert bluesky_for(Script(), clock).count_text(text) == graphemes
    assert utf8_length(text) == size


@pytest.mark.parametrize(
    ("text", "links"),
    [
        ("see https://example.com.", [(4, 23, "https://example.com")]),
        ("(https://example.com/a)", [(1, 22, "https://example.com/a")]),
        ("wiki https://en.wikipedia.org/wiki/Foo_(bar) ok", [(5, 44, "https://en.wikipedia.org/wiki/Foo_(bar)")]),
        ("🎉http://a.io/x", []),  # a URL must start the text or follow a space or parenthesis
        ("🎉 http://a.io/x", [(5, 18, "http://a.io/x")]),
        ("http://localhost/x and example.com", []),  # no dot in the host; bare domains are not linked yet
    ],
)
def test_link_facets_use_utf8_byte_offsets(text: str, links: list[tuple[int, int, str]]) -> None:
    facets = link_facets(text)

    assert [(f["index"]["byteStart"], f["index"]["byteEnd"], f["features"][0]["uri"]) for f in facets] == links
    for start, end, uri in links:
        assert text.encode()[start:end].decode() == uri


# --- the simulator, through the adapter ------------------------------------------------------


def test_simulated_publish_is_held_under_the_derived_key(make_account) -> None:
    platform = open_platform(make_account("bluesky", "acc_sim", "herald.bsky.social"))

    post = platform.publish(PostContent(text="Hello https://example.com", target_key="post_1:acc_sim"))

    rkey = record_key_for("post_1:acc_sim")
    held = simulators.published("acc_sim")
    assert [p["rkey"] for p in held] == [rkey]
    assert held[0]["record"]["facets"][0]["features"][0]["uri"] == "https://example.com"
    assert post.platform_post_id.startswith("at://did:plc:") and post.platform_post_id.endswith(
        f"/app.bsky.feed.post/{rkey}"
    )
    assert post.extra["cid"].startswith("bafyrei")
    assert post.url == f"https://bsky.app/profile/herald.bsky.social/post/{rkey}"


def test_publishing_the_same_target_twice_makes_one_post(make_account) -> None:
    platform = open_platform(make_account("bluesky", "acc_sim", "herald.bsky.social"))
    content = PostContent(text="Only once", target_key="post_1:acc_sim")

    first = platform.publish(content)
    second = platform.publish(content)

    assert first == second
    assert len(simulators.published("acc_sim")) == 1


@pytest.mark.parametrize(
    ("failure", "error_class", "code", "created"),
    [
        ("rate_limited", ErrorClass.RETRY, "rate_limited", 0),
        ("server_error", ErrorClass.RETRY, "platform_unavailable", 0),
        ("connect_timeout", ErrorClass.RETRY, "timeout", 0),
        ("expired_token", ErrorClass.REFRESH, "token_expired", 0),
        ("revoked_token", ErrorClass.REFRESH, "token_expired", 0),
        ("duplicate", ErrorClass.RETRY, "platform_unavailable", 0),  # the PDS's taken-key 500
    ],
)
def test_each_injected_failure_is_classified(
    make_account, failure: str, error_class: ErrorClass, code: str, created: int
) -> None:
    platform = open_platform(make_account("bluesky", "acc_sim", "herald.bsky.social", simulate=[failure]))

    with pytest.raises(PlatformError) as failed:
        platform.publish(PostContent(text="Launch day", target_key="post_1:acc_sim"))

    assert (failed.value.error_class, failed.value.code) == (error_class, code)
    assert len(simulators.published("acc_sim")) == created
    if failure == "rate_limited":
        assert failed.value.retry_at is not None
        assert timedelta(seconds=50) < failed.value.retry_at - datetime.now(UTC) <= timedelta(seconds=60)


@pytest.mark.parametrize("failure", ["timeout", "malformed"])
def test_a_lost_answer_is_adopted_by_publish_itself(make_account, failure: str) -> None:
    platform = open_platform(make_account("bluesky", "acc_sim", "herald.bsky.social", simulate=[failure]))
    content = PostContent(text="Launch day", target_key="post_1:acc_sim")

    post = platform.publish(content)

    assert [p["uri"] for p in simulators.published("acc_sim")] == [post.platform_post_id]
    assert platform.reconcile(content).post == post
    assert platform.reconcile(PostContent(text="x", target_key="post_2:acc_sim")).outcome is ReconcileOutcome.ABSENT


def test_an_expired_session_works_again_after_a_refresh(make_account) -> None:
    account = make_account("bluesky", "acc_sim", "herald.bsky.social", simulate=["expired_token"])
    platform = open_platform(account)
    with pytest.raises(PlatformError):
        platform.publish(PostContent(text="Launch day", target_key="post_1:acc_sim"))

    renewed = platform.refresh_credentials()
    again = open_platform(account.model_copy(update={"credentials": renewed.tokens}))
    again.publish(PostContent(text="Launch day", target_key="post_1:acc_sim"))

    assert renewed.tokens["access_jwt"] != account.credentials["access_jwt"]
    assert len(simulators.published("acc_sim")) == 1
    with pytest.raises(PlatformError) as stale:  # the old session token is expired, not unknown
        platform.delete(again.reconcile(PostContent(text="", target_key="post_1:acc_sim")).post.platform_post_id)
    assert stale.value.error_class is ErrorClass.REFRESH


def test_a_revoked_session_cannot_be_refreshed(make_account) -> None:
    platform = open_platform(make_account("bluesky", "acc_sim", "herald.bsky.social", simulate=["revoked_token"]))
    with pytest.raises(PlatformError):
        platform.publish(PostContent(text="Launch day", target_key="post_1:acc_sim"))

    with pytest.raises(PlatformError) as refused:
        platform.refresh_credentials()

    assert (refused.value.error_class, refused.value.code) == (ErrorClass.RECONNECT, "account_disconnected")


def test_simulated_pds_enforces_the_text_limits(make_account) -> None:
    platform = open_platform(make_account("bluesky", "acc_sim", "herald.bsky.social"))
    platform.publish(PostContent(text="e\u0301" * 300, target_key="post_1:acc_sim"))  # 300 graphemes, 900 bytes

    for n, text in enumerate(["e\u0301" * 301, "👨\u200d👩\u200d👧\u200d👦" * 121]):  # 301 graphemes; 3025 bytes
        with pytest.raises(PlatformError) as refused:
            platform.publish(PostContent(text=text, target_key=f"post_{n + 2}:acc_sim"))
        assert (refused.value.error_class, refused.value.code) == (ErrorClass.PERMANENT, "invalid_content")
    assert len(simulators.published("acc_sim")) == 1


def test_simulated_thread_metrics_and_delete(make_account) -> None:
    frozen = datetime.now(UTC)
    simulators.use_clock(lambda: frozen)  # no time passes: the counts are the real replies only
    platform = open_platform(make_account("bluesky", "acc_sim", "herald.bsky.social"))
    first = platform.publish(PostContent(text="1/3", target_key="post_1:acc_sim"))
    second = platform.reply(first, PostContent(text="2/3", target_key="post_2:acc_sim"))
    third = platform.reply(second, PostContent(text="3/3", target_key="post_3:acc_sim"))

    metrics = platform.metrics([first.platform_post_id, second.platform_post_id, third.platform_post_id])
    platform.delete(third.platform_post_id)
    platform.delete(third.platform_post_id)  # nothing there any more: still fine

    held = {p["uri"]: p["record"] for p in simulators.published("acc_sim")}
    assert held[second.platform_post_id]["reply"]["root"]["uri"] == first.platform_post_id
    assert third.extra["root"]["uri"] == first.platform_post_id
    assert metrics[first.platform_post_id]["comments"] == 1 and metrics[third.platform_post_id]["comments"] == 0
    assert set(metrics[first.platform_post_id]) == {"likes", "comments", "shares", "bookmarks"}
    assert list(held) == [first.platform_post_id, second.platform_post_id]


def test_simulated_counts_grow_from_the_posting_time(make_account, clock: FakeClock) -> None:
    simulators.use_clock(clock.now)
    posted = clock.now()
    account = make_account("bluesky", "acc_sim", "herald.bsky.social")
    platform = open_platform(account)
    first = platform.publish(PostContent(text="1/2", target_key="post_1:acc_sim"))
    platform.reply(first, PostContent(text="2/2", target_key="post_2:acc_sim"))
    clock.advance(days=1)

    found = open_platform(account).metrics([first.platform_post_id])
    client = httpx.Client(
        transport=httpx.MockTransport(BlueskySimulator.for_account(account).handle),
        headers={"authorization": f"Bearer {account.credentials['access_jwt']}"},
    )
    answer = client.get(f"{DEFAULT_PDS}/xrpc/app.bsky.feed.getPosts", params={"uris": first.platform_post_id})
    [view] = answer.json()["posts"]

    grown = grown_metrics(first.platform_post_id, posted, clock.now())
    assert grown["likes"] > 0
    counts = {name: view[name] for name in ("likeCount", "repostCount", "quoteCount", "bookmarkCount", "replyCount")}
    assert counts == {
        "likeCount": grown["likes"],
        "repostCount": grown["shares"],
        "quoteCount": grown["quotes"],
        "bookmarkCount": grown["saves"],
        "replyCount": grown["comments"] + 1,  # and the real reply
    }
    assert found == {
        first.platform_post_id: {
            "likes": grown["likes"],
            "comments": grown["comments"] + 1,
            "shares": grown["shares"] + grown["quotes"],
            "bookmarks": grown["saves"],
        }
    }  # no impressions: Bluesky shows none


def test_simulated_followers_grow_with_time(make_account, clock: FakeClock) -> None:
    simulators.use_clock(clock.now)
    account = make_account("bluesky", "acc_sim", "herald.bsky.social")
    key, start = f"bluesky:{account.credentials['did']}", clock.now()

    today = open_platform(account).identity().followers
    clock.advance(days=10)
    later = open_platform(account).identity().followers

    assert (today, later) == (grown_followers(key, start), grown_followers(key, clock.now()))
    assert today is not None and later is not None and later >= today + 10


def test_simulator_serves_the_accounts_own_pds(make_account) -> None:
    account = make_account("bluesky", "acc_sim", "herald.example.com")
    account = account.model_copy(update={"credentials": {**account.credentials, "pds": "https://pds.example.net"}})

    post = open_platform(account).publish(PostContent(text="self-hosted", target_key="post_1:acc_sim"))

    assert simulators.published("acc_sim")[0]["uri"] == post.platform_post_id


def test_simulated_mentions_tags_and_card(make_account) -> None:
    account = make_account("bluesky", "acc_sim", "herald.bsky.social")
    text = "Hi @friend.bsky.social, @Herald.bsky.social and @nobody.example.com #launch 🚀"

    open_platform(account).publish(PostContent(text=text, target_key="post_1:acc_sim", link=CARD))

    record = simulators.published("acc_sim")[0]["record"]
    assert record["facets"] == [
        facet(3, 22, mention(did_for_handle("friend.bsky.social"))),
        facet(24, 43, mention(account.credentials["did"])),  # the account's own handle is its DID
        facet(68, 75, tag("launch")),  # @nobody.example.com cannot be resolved: plain text
    ]
    assert record["embed"] == CARD_EMBED


def test_simulated_failures_still_hit_the_create_after_the_lookups(make_account) -> None:
    platform = open_platform(make_account("bluesky", "acc_sim", "herald.bsky.social", simulate=["server_error"]))
    content = PostContent(text="Hello @friend.bsky.social", target_key="post_1:acc_sim")

    with pytest.raises(PlatformError) as failed:
        platform.publish(content)
    post = platform.publish(content)

    assert failed.value.code == "platform_unavailable"
    assert [p["uri"] for p in simulators.published("acc_sim")] == [post.platform_post_id]


# --- the simulator's media and sessions, through the adapter ---------------------------------


def simulated(account: Any, media: FakeMedia | None = None) -> tuple[BlueskyPlatform, FakeClock]:
    """The adapter on the account's simulator, with media and a fake clock at the real time (the
    simulator checks service tokens' expiry against it)."""
    clock = FakeClock(datetime.now(UTC))
    client = httpx.Client(transport=httpx.MockTransport(BlueskySimulator.for_account(account).handle))
    credentials = Credentials(account.id, account.username, dict(account.credentials))
    return BlueskyPlatform(client, credentials, media=media, clock=clock), clock


def test_simulated_images_and_a_card_thumbnail_are_held_as_uploaded_blobs(make_account) -> None:
    media = FakeMedia({"https://b.example/a.png": PNG, "https://b.example/b.jpg": JPEG, THUMB: PNG})
    platform, _ = simulated(make_account("bluesky", "acc_sim", "herald.bsky.social"), media)
    images = (
        MediaItem("https://b.example/a.png", "image", width=800, height=600, alt="A"),
        MediaItem("https://b.example/b.jpg", "image", mime="image/jpeg"),
    )

    platform.publish(PostContent(text="two", media=images, target_key="post_1:acc_sim"))
    platform.publish(PostContent(text="card", target_key="post_2:acc_sim", link=RECORDED_CARD))

    first, second = (p["record"]["embed"] for p in simulators.published("acc_sim"))
    assert [image["image"]["mimeType"] for image in first["images"]] == ["image/png", "image/jpeg"]
    assert first["images"][0]["aspectRatio"] == {"width": 800, "height": 600} and first["images"][1]["alt"] == ""
    assert first["images"][0]["image"]["ref"]["$link"].startswith("bafkrei")
    assert second["external"]["thumb"] == first["images"][0]["image"]  # the same bytes: the same blob


def test_a_simulated_video_is_processed_after_two_polls(make_account) -> None:
    platform, clock = simulated(make_account("bluesky", "acc_sim", "herald.bsky.social"), FakeMedia({VIDEO_URL: MP4}))

    post = platform.publish(PostContent(text="video", media=(VIDEO,), target_key="post_1:acc_sim"))

    embed = simulators.published("acc_sim")[0]["record"]["embed"]
    assert embed["$type"] == "app.bsky.embed.video" and embed["video"]["mimeType"] == "video/mp4"
    assert embed["alt"] == VIDEO.alt and embed["aspectRatio"] == {"width": 1920, "height": 1080}
    assert clock.slept == [2.0, 2.0]
    assert post.platform_post_id == simulators.published("acc_sim")[0]["uri"]


def test_the_same_simulated_video_again_is_already_processed(make_account) -> None:
    platform, clock = simulated(make_account("bluesky", "acc_sim", "herald.bsky.social"), FakeMedia({VIDEO_URL: MP4}))
    platform.publish(PostContent(text="once", media=(VIDEO,), target_key="post_1:acc_sim"))

    platform.publish(PostContent(text="twice", media=(VIDEO,), target_key="post_2:acc_sim"))

    first, second = (p["record"]["embed"]["video"] for p in simulators.published("acc_sim"))
    assert first == second and clock.slept == [2.0, 2.0, 2.0]  # one poll for the earlier, finished job


def test_a_simulated_video_that_is_no_mp4_fails_processing(make_account) -> None:
    platform, _ = simulated(
        make_account("bluesky", "acc_sim", "herald.bsky.social"), FakeMedia({VIDEO_URL: b"not a video" * 10})
    )

    with pytest.raises(PlatformError) as failed:
        platform.publish(PostContent(text="video", media=(dataclasses.replace(VIDEO, size=110),)))

    assert (failed.value.error_class, failed.value.code) == (ErrorClass.PERMANENT, "media_processing_failed")
    assert simulators.published("acc_sim") == []


def test_connecting_through_the_simulator_gives_a_session_the_account_can_use(make_account) -> None:
    client = httpx.Client(transport=httpx.MockTransport(connect_handler))

    connection = BlueskyPlatform.connect_with_fields(
        client, {"handle": "Launch.bsky.social", "app_password": "abcd-efgh-ijkl-mnop"}
    )

    did = did_for_handle("launch.bsky.social")
    tokens = connection.credentials.tokens
    assert (tokens["did"], tokens["pds"], connection.credentials.username) == (did, SIMULATED_PDS, "launch.bsky.social")
    assert connection.credentials.expires_at is not None
    assert timedelta(hours=1) < connection.credentials.expires_at - datetime.now(UTC) <= timedelta(hours=2)
    assert connection.identity.platform_user_id == did and connection.identity.permissions == ("com.atproto.appPass",)
    assert connection.identity.display_name == "Launch" and isinstance(connection.identity.followers, int)

    account = make_account("bluesky", "acc_new", "launch.bsky.social").model_copy(update={"credentials": tokens})
    platform = open_platform(account)
    post = platform.publish(PostContent(text="connected", target_key="post_1:acc_new"))
    assert post.platform_post_id.startswith(f"at://{did}/app.bsky.feed.post/")
    assert platform.identity() == connection.identity

    renewed = platform.refresh_credentials()
    assert renewed.tokens["pds"] == SIMULATED_PDS and renewed.expires_at is not None
    assert renewed.tokens["refresh_jwt"] != tokens["refresh_jwt"]
    again = open_platform(account.model_copy(update={"credentials": renewed.tokens}))
    assert again.revoke() is True
    with pytest.raises(PlatformError) as expired:
        again.publish(PostContent(text="after", target_key="post_2:acc_new"))
    with pytest.raises(PlatformError) as refused:
        again.refresh_credentials()
    assert expired.value.error_class is ErrorClass.REFRESH and refused.value.error_class is ErrorClass.RECONNECT
    assert again.revoke() is True  # already gone


@pytest.mark.parametrize(
    "fields",
    [
        {"handle": "launch.bsky.social", "app_password": "the-main-password"},
        {"handle": "not a handle", "app_password": "abcd-efgh-ijkl-mnop"},
    ],
)
def test_the_simulated_entryway_refuses_what_is_no_app_password_sign_in(fields: dict[str, str]) -> None:
    client = httpx.Client(transport=httpx.MockTransport(connect_handler))

    with pytest.raises(PlatformError) as refused:
        BlueskyPlatform.connect_with_fields(client, fields)

    assert (refused.value.code, refused.value.platform_code) == ("invalid_credentials", "401 AuthenticationRequired")
