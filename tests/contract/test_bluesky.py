"""BlueskyPlatform against AT Protocol XRPC request/response pairs, and against the Bluesky simulator."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from scripted_http import Exchange, Script

from herald.platforms import simulators
from herald.platforms.base import (
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
    BlueskyPlatform,
    external_embed,
    facet_spans,
    is_valid_tid,
    link_facets,
    record_key_for,
    rich_text_facets,
    utf8_length,
)
from herald.platforms.registry import open_platform
from herald.platforms.simulators.bluesky import did_for_handle
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


def test_media_is_refused_before_any_call(clock: FakeClock) -> None:
    script = Script()

    with pytest.raises(PlatformError) as refused:
        bluesky_for(script, clock).publish(PostContent(text="look", media=(MediaItem("https://bucket.example/a.png", "image"),), target_key=TARGET))

    assert (refused.value.error_class, refused.value.code) == (ErrorClass.PERMANENT, "media_unsupported")
    assert script.requests == []


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


def test_a_link_card_is_an_external_embed_without_its_thumbnail(clock: FakeClock) -> None:
    script = Script(create(post_record("Launch day", embed=CARD_EMBED)))  # no thumb: it needs a blob upload

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
    # Media take the post's one embed. (Media are refused before any call until blob upload is built.)
    assert external_embed(PostContent(text="look", media=(MediaItem("https://bucket.example/a.png", "image"),), link=CARD)) is None
    assert external_embed(PostContent(text="look", link=CARD)) == CARD_EMBED
    assert external_embed(PostContent(text="look")) is None


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
