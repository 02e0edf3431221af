"""BlueskyPlatform.mentions against the recorded app.bsky.notification.listNotifications exchange
(recordings/bluesky.json)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from mention_support import scripted, without
from scripted_http import Exchange, Script

from herald.platforms.base import MENTION_PAGES, Credentials, ErrorClass, PlatformError, ReceivedMention
from herald.platforms.bluesky import BlueskyPlatform
from herald.platforms.simulators.bluesky import recording
from support.clock import FakeClock

RECORDED = recording("listNotifications")
PARAMS = [tuple(pair) for pair in RECORDED["request"]["params"]]
FIRST_PARAMS = without(PARAMS, "cursor")
TOKEN = RECORDED["request"]["headers"]["Authorization"].removeprefix("Bearer ")
DID = "did:plc:ewvi7nxzyoun6zhxrhs64oiz"
CREDENTIALS = Credentials("acc_b", "herald.bsky.social",
                          {"did": DID, "access_jwt": TOKEN, "refresh_jwt": "r", "pds": "https://morel.us-east.host.bsky.network"})
NEXT = RECORDED["response"]["body"]["cursor"]
SINCE = "2030-01-07T08:00:00.000Z"
BODY = RECORDED["response"]["body"]


def bluesky_for(script: Script, clock: FakeClock) -> BlueskyPlatform:
    return BlueskyPlatform(script.client(), CREDENTIALS, clock=clock)


def page(params: list[tuple[str, str]], **changes: object) -> Exchange:
    return scripted(RECORDED, params=params, **changes)


def notification(indexed_at: str, reason: str = "mention", number: int = 0) -> dict[str, object]:
    return {**BODY["notifications"][1], "uri": f"at://did:plc:z72i7hdynmk6r22z27h6tvur/app.bsky.feed.post/3lgx2kq4ha2{number}m",
            "reason": reason, "indexedAt": indexed_at}


def test_mentions_and_replies_are_read_down_to_the_cursor(clock: FakeClock) -> None:
    older = {"notifications": [notification("2030-01-07T08:10:00.000Z"), notification("2030-01-07T07:59:00.000Z")],
             "cursor": "1894000000000000"}
    script = Script(page(FIRST_PARAMS), page([*FIRST_PARAMS, ("cursor", NEXT)], body=older))

    found = bluesky_for(script, clock).mentions(SINCE)

    script.assert_done()  # the second page reached a notification older than the cursor: no third
    assert found.cursor == "2030-01-07T09:00:00.000Z"
    assert [m.platform_mention_id for m in found.mentions] == [
        BODY["notifications"][0]["uri"], BODY["notifications"][1]["uri"], older["notifications"][0]["uri"]]
    assert found.mentions[0] == ReceivedMention(
        platform_mention_id="at://did:plc:ragtjsm2j2vknwkz3zp4oxrd/app.bsky.feed.post/3lgx2n6ycvk2c",
        author_handle="ann.bsky.social",
        author_name="Ann",
        text="Congrats on the launch!",
        url="https://bsky.app/profile/ann.bsky.social/post/3lgx2n6ycvk2c",
        created_at=datetime(2030, 1, 7, 8, 59, 58, tzinfo=UTC),
        in_reply_to_platform_post_id="at://did:plc:ewvi7nxzyoun6zhxrhs64oiz/app.bsky.feed.post/237w5u7p36blc",
    )
    assert found.mentions[1].author_name is None and found.mentions[1].in_reply_to_platform_post_id is None


def test_the_first_read_reads_one_page(clock: FakeClock) -> None:
    script = Script(page(FIRST_PARAMS))

    found = bluesky_for(script, clock).mentions(None)

    script.assert_done()
    assert found.cursor == "2030-01-07T09:00:00.000Z" and len(found.mentions) == 2


def test_mentions_read_at_most_five_pages(clock: FakeClock) -> None:
    pages = [page(FIRST_PARAMS)] + [page([*FIRST_PARAMS, ("cursor", NEXT)]) for _ in range(MENTION_PAGES - 1)]
    script = Script(*pages)

    bluesky_for(script, clock).mentions(SINCE)

    script.assert_done()


def test_other_reasons_and_the_accounts_own_posts_are_no_mentions(clock: FakeClock) -> None:
    like = notification("2030-01-07T09:30:00.000Z", reason="like", number=1)
    own = {**notification("2030-01-07T09:20:00.000Z", number=2), "author": {"did": DID, "handle": "herald.bsky.social"}}
    script = Script(page(FIRST_PARAMS, body={"notifications": [like, own]}))

    found = bluesky_for(script, clock).mentions(SINCE)

    assert found.mentions == [] and found.cursor == "2030-01-07T09:20:00.000Z"


@pytest.mark.parametrize(
    ("status", "body", "error_class", "code"),
    [
        (400, {"error": "ExpiredToken", "message": "Token has expired"}, ErrorClass.REFRESH, "token_expired"),
        (429, {"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"}, ErrorClass.RETRY, "rate_limited"),
        (502, {"error": "UpstreamFailure", "message": "Upstream Failure"}, ErrorClass.RETRY, "platform_unavailable"),
    ],
)
def test_a_refused_read_is_raised_classified(clock: FakeClock, status: int, body: dict[str, str],
                                             error_class: ErrorClass, code: str) -> None:
    script = Script(page(FIRST_PARAMS, status=status, body=body))

    with pytest.raises(PlatformError) as refused:
        bluesky_for(script, clock).mentions(SINCE)

    assert (refused.value.error_class, refused.value.code) == (error_class, code)
