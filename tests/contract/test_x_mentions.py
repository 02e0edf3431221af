"""XPlatform.mentions against the recorded GET /2/users/:id/mentions exchange (recordings/x.json),
and against the X simulator."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from mention_support import scripted, without
from scripted_http import Exchange, Script

from herald.platforms.base import MENTION_PAGES, Credentials, ErrorClass, PlatformError, ReceivedMention
from herald.platforms.simulators.x import recording
from herald.platforms.x import XPlatform
from support.clock import FakeClock

USER_ID = "2244994945"  # the recording's user (@TwitterDev)
CREDENTIALS = Credentials("acc_x", "TwitterDev", {"access_token": "x-access-1", "user_id": USER_ID})
AUTH = {"authorization": "Bearer x-access-1"}
SINCE = "1445880548472328192"
RECORDED = recording("user_mentions")
RECORDED_PARAMS = list(RECORDED["request"]["params"].items())
NEXT_TOKEN = RECORDED["response"]["body"]["meta"]["next_token"]
OLDER = {"id": "1445880548472328194", "text": "@TwitterDev hi", "author_id": "783214",
         "created_at": "2030-01-07T08:10:00.000Z", "edit_history_tweet_ids": ["1445880548472328194"]}


def x_for(script: Script, clock: FakeClock) -> XPlatform:
    return XPlatform(script.client(), CREDENTIALS, clock=clock)


def first_page(**changes: object) -> Exchange:
    return scripted(RECORDED, request_headers=AUTH, **changes)


def last_page(body: dict[str, object] | None = None) -> Exchange:
    params = [*RECORDED_PARAMS, ("pagination_token", NEXT_TOKEN)]
    answer = body or {"data": [OLDER], "includes": {"users": [{"id": "783214", "name": "X", "username": "X"}]},
                      "meta": {"result_count": 1, "newest_id": OLDER["id"], "oldest_id": OLDER["id"]}}
    return scripted(RECORDED, request_headers=AUTH, params=params, body=answer)



def test_mentions_ask_for_posts_newer_than_the_cursor_and_read_them(clock: FakeClock) -> None:
    script = Script(first_page(), last_page())

    page = x_for(script, clock).mentions(SINCE)

    script.assert_done()
    assert page.cursor == "1445880548472328199"  # the newest post id seen
    assert [m.platform_mention_id for m in page.mentions] == ["1445880548472328199", "1445880548472328195",
                                                               OLDER["id"]]
    assert page.mentions[0] == ReceivedMention(
        platform_mention_id="1445880548472328199",
        author_handle="X",
        author_name="X",
        text="@TwitterDev thanks for the docs & the examples!",  # X's HTML escaping undone
        url="https://x.com/X/status/1445880548472328199",
        created_at=datetime(2030, 1, 7, 8, 58, tzinfo=UTC),
        in_reply_to_platform_post_id="1445880548472328193",
    )
    assert page.mentions[1].in_reply_to_platform_post_id is None
    assert (page.mentions[1].author_handle, page.mentions[1].author_name) == ("API", "X API")


def test_the_first_read_has_no_since_id_and_reads_one_page(clock: FakeClock) -> None:
    script = Script(first_page(params=without(RECORDED_PARAMS, "since_id")))

    page = x_for(script, clock).mentions(None)

    script.assert_done()  # the next_token is not followed: the newest position is all it needs
    assert page.cursor == "1445880548472328199"


def test_mentions_read_at_most_five_pages(clock: FakeClock) -> None:
    pages = [first_page()] + [
        first_page(params=[*RECORDED_PARAMS, ("pagination_token", NEXT_TOKEN)]) for _ in range(MENTION_PAGES - 1)
    ]
    script = Script(*pages)

    page = x_for(script, clock).mentions(SINCE)

    script.assert_done()  # the fifth page's next_token is left: a burst keeps the newest
    assert len(script.requests) == MENTION_PAGES
    assert page.cursor == "1445880548472328199"


def test_nothing_new_keeps_the_cursor(clock: FakeClock) -> None:
    script = Script(first_page(body={"meta": {"result_count": 0}}))

    page = x_for(script, clock).mentions(SINCE)

    assert page.mentions == [] and page.cursor == SINCE


def test_the_accounts_own_posts_move_the_cursor_but_are_no_mentions(clock: FakeClock) -> None:
    own = {**OLDER, "id": "1445880548472328300", "author_id": USER_ID}
    script = Script(first_page(body={"data": [own], "meta": {"result_count": 1}}))

    page = x_for(script, clock).mentions(SINCE)

    assert page.mentions == [] and page.cursor == own["id"]


@pytest.mark.parametrize(
    ("name", "error_class", "code"),
    [
        ("error_rate_limited", ErrorClass.RETRY, "rate_limited"),
        ("error_unauthorized", ErrorClass.REFRESH, "token_expired"),
        ("error_service_unavailable", ErrorClass.RETRY, "platform_unavailable"),
    ],
)
def test_a_refused_read_is_raised_classified(clock: FakeClock, name: str, error_class: ErrorClass, code: str) -> None:
    answer = recording(name)["response"]
    script = Script(first_page(status=answer["status"], body=answer["body"], headers=answer.get("headers") or {}))

    with pytest.raises(PlatformError) as refused:
        x_for(script, clock).mentions(SINCE)

    assert (refused.value.error_class, refused.value.code) == (error_class, code)
