"""ThreadsPlatform.mentions against the recorded GET /{threads-user-id}/mentions exchange
(recordings/threads.json)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from mention_support import scripted, without
from scripted_http import Exchange, Script

from herald.platforms.base import MENTION_PAGES, Credentials, ErrorClass, PlatformError, ReceivedMention
from herald.platforms.simulators.threads import recordings
from herald.platforms.threads import MENTIONS_PERMISSION, SCOPES, ThreadsPlatform
from support.clock import FakeClock

RECORDED = recordings()["mentions"]
PARAMS = [tuple(pair) for pair in RECORDED["request"]["params"]]
SINCE = "2030-01-07T08:00:00.000Z"  # 1894003200
CREDENTIALS = Credentials("acc_th", "threadsapitestuser", {"access_token": "THAAlongLivedToken1", "user_id": "1234567"})
BODY = RECORDED["response"]["body"]
AFTER = BODY["paging"]["cursors"]["after"]


def threads_for(script: Script, clock: FakeClock) -> ThreadsPlatform:
    return ThreadsPlatform(script.client(), CREDENTIALS, clock=clock)


def page(**changes: object) -> Exchange:
    return scripted(RECORDED, **changes)


def full_page() -> dict[str, object]:
    item = BODY["data"][1]
    return {"data": [{**item, "id": str(17930123456789100 + n)} for n in range(100)], "paging": BODY["paging"]}


def test_connecting_asks_for_the_mentions_permission() -> None:
    assert MENTIONS_PERMISSION in SCOPES


def test_mentions_ask_for_posts_since_the_cursor_and_read_them(clock: FakeClock) -> None:
    script = Script(page())

    found = threads_for(script, clock).mentions(SINCE)

    script.assert_done()  # a page that is not full is the last (mentions give no paging.next)
    assert found.cursor == "2030-01-07T08:59:00.000Z"
    assert found.mentions[0] == ReceivedMention(
        platform_mention_id="18038123456789012",
        author_handle="keldo",
        author_name=None,
        text="@threadsapitestuser congrats on the launch!",
        url="https://www.threads.net/@keldo/post/Cx1keldo",
        created_at=datetime(2030, 1, 7, 8, 59, tzinfo=UTC),
        in_reply_to_platform_post_id="18012345678901234",
    )
    assert found.mentions[1].in_reply_to_platform_post_id is None


def test_the_first_read_has_no_since_and_reads_one_page(clock: FakeClock) -> None:
    script = Script(page(params=without(PARAMS, "since"), body=full_page()))

    found = threads_for(script, clock).mentions(None)

    script.assert_done()
    assert found.cursor == "2030-01-07T08:20:00.000Z"


def test_full_pages_are_followed_by_their_after_cursor_at_most_five_times(clock: FakeClock) -> None:
    pages = [page(body=full_page())] + [page(params=[*PARAMS, ("after", AFTER)], body=full_page())
                                        for _ in range(MENTION_PAGES - 1)]
    script = Script(*pages)

    threads_for(script, clock).mentions(SINCE)

    script.assert_done()


def test_a_since_before_threads_began_is_raised_to_its_earliest() -> None:
    params = [(k, "1688540400" if k == "since" else v) for k, v in PARAMS]
    script = Script(page(params=params, body={"data": []}))

    found = threads_for(script, FakeClock()).mentions("2020-01-01T00:00:00.000Z")

    assert found.mentions == [] and found.cursor == "2020-01-01T00:00:00.000Z"


def test_the_accounts_own_posts_are_no_mentions(clock: FakeClock) -> None:
    own = {**BODY["data"][1], "username": "threadsapitestuser", "timestamp": "2030-01-07T08:30:00+0000"}
    script = Script(page(body={"data": [own]}))

    found = threads_for(script, clock).mentions(SINCE)

    assert found.mentions == [] and found.cursor == "2030-01-07T08:30:00.000Z"


def test_without_the_mentions_permission_no_mentions_are_read_and_the_account_stays(clock: FakeClock) -> None:
    refusal = recordings()["error_permission"]["response"]
    script = Script(page(status=refusal["status"], body=refusal["body"]))

    with pytest.raises(PlatformError) as refused:
        threads_for(script, clock).mentions(SINCE)

    assert (refused.value.error_class, refused.value.code) == (ErrorClass.PERMANENT, "mentions_not_permitted")
    assert ThreadsPlatform.may_read_mentions(["threads_basic", "threads_content_publish"]) is False
    assert ThreadsPlatform.may_read_mentions([*SCOPES]) and ThreadsPlatform.may_read_mentions([])


@pytest.mark.parametrize(
    ("name", "error_class", "code"),
    [
        ("error_expired_token", ErrorClass.REFRESH, "token_expired"),
        ("error_rate_limited", ErrorClass.RETRY, "rate_limited"),
        ("error_server", ErrorClass.RETRY, "platform_unavailable"),
    ],
)
def test_a_refused_read_is_raised_classified(clock: FakeClock, name: str, error_class: ErrorClass, code: str) -> None:
    refusal = recordings()[name]["response"]
    script = Script(page(status=refusal["status"], body=refusal["body"]))

    with pytest.raises(PlatformError) as refused:
        threads_for(script, clock).mentions(SINCE)

    assert (refused.value.error_class, refused.value.code) == (error_class, code)
