"""MastodonPlatform.mentions against the recorded GET /api/v1/notifications exchange
(recordings/mastodon.json)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from mention_support import scripted, without
from scripted_http import Exchange, Script

from herald.platforms.base import Credentials, ErrorClass, PlatformError, ReceivedMention
from herald.platforms.mastodon import NOTIFICATIONS_PAGE_SIZE, MastodonPlatform, plain_text
from herald.platforms.simulators.mastodon import recordings
from support.clock import FakeClock

RECORDED = recordings()["notifications_mentions"]
PARAMS = [tuple(pair) for pair in RECORDED["request"]["params"]]
SINCE = dict(PARAMS)["since_id"]
TOKENS = {"instance_url": "https://mastodon.social", "access_token": "ZA-Yj3aBD8U8Cm7lKUp-lm9O9BmDgdhHzDeqsY8tlL0",
          "user_id": "14715", "domain": "mastodon.social"}
CREDENTIALS = Credentials("acc_m", "trwnh@mastodon.social", TOKENS)
NOTIFICATION = RECORDED["response"]["body"][0]


def mastodon_for(script: Script, clock: FakeClock) -> MastodonPlatform:
    return MastodonPlatform(script.client(), CREDENTIALS, clock=clock)


def page(**changes: object) -> Exchange:
    return scripted(RECORDED, **changes)


def test_mentions_ask_for_mention_notifications_newer_than_the_cursor(clock: FakeClock) -> None:
    script = Script(page())

    found = mastodon_for(script, clock).mentions(SINCE)

    script.assert_done()  # fewer than a page: nothing older to read
    assert found.cursor == "34975861"
    assert found.mentions[0] == ReceivedMention(
        platform_mention_id="103186126728896492",
        author_handle="zsc",
        author_name=None,
        text="@trwnh sup!",
        url="https://mastodon.social/@zsc/103186126728896492",
        created_at=datetime(2019, 11, 23, 7, 49, 1, 940000, tzinfo=UTC),
        in_reply_to_platform_post_id="103186038209478512",
    )
    second = found.mentions[1]
    assert (second.author_handle, second.author_name) == ("atul13061987@mastodon.online", "Atul & co")
    assert second.text == "Reading @trwnh's notes:\nfediverse & more\n\nThanks!"


def test_the_first_read_has_no_since_id(clock: FakeClock) -> None:
    script = Script(page(params=without(PARAMS, "since_id")))

    assert mastodon_for(script, clock).mentions(None).cursor == "34975861"
    script.assert_done()


def test_full_pages_are_followed_by_max_id_at_most_five_times(clock: FakeClock) -> None:
    full = [{**NOTIFICATION, "id": str(34975900 - n)} for n in range(NOTIFICATIONS_PAGE_SIZE)]
    pages = [page(body=full)] + [page(params=[*PARAMS, ("max_id", full[-1]["id"])], body=full) for _ in range(4)]
    script = Script(*pages)

    found = mastodon_for(script, clock).mentions(SINCE)

    script.assert_done()
    assert found.cursor == "34975900"


def test_the_accounts_own_statuses_and_other_types_are_no_mentions(clock: FakeClock) -> None:
    own = {**NOTIFICATION, "id": "34975870", "account": {**NOTIFICATION["account"], "id": "14715"}}
    follow = {"id": "34975880", "type": "follow", "created_at": "2019-11-23T08:00:00.000Z",
              "account": NOTIFICATION["account"]}
    script = Script(page(body=[follow, own]))

    found = mastodon_for(script, clock).mentions(SINCE)

    assert found.mentions == [] and found.cursor == "34975880"


def test_ids_compare_as_mastodon_orders_them() -> None:
    params = [*without(PARAMS, "since_id"), ("since_id", "99999999")]
    script = Script(page(params=params, body=[{**NOTIFICATION, "id": "100000000"}]))

    assert mastodon_for(script, FakeClock()).mentions("99999999").cursor == "100000000"  # longer is newer


def test_a_token_without_read_notifications_reads_no_mentions_but_stays_connected(clock: FakeClock) -> None:
    refusal = {"error": "This action is outside the authorized scopes"}
    script = Script(page(status=403, body=refusal))

    with pytest.raises(PlatformError) as refused:
        mastodon_for(script, clock).mentions(SINCE)

    assert (refused.value.error_class, refused.value.code) == (ErrorClass.PERMANENT, "mentions_not_permitted")
    assert refused.value.platform_code == "403"


@pytest.mark.parametrize(
    ("status", "body", "error_class", "code"),
    [
        (401, {"error": "The access token was revoked"}, ErrorClass.RECONNECT, "account_disconnected"),
        (429, {"error": "Too many requests"}, ErrorClass.RETRY, "rate_limited"),
        (503, {"error": "Service Unavailable"}, ErrorClass.RETRY, "platform_unavailable"),
    ],
)
def test_a_refused_read_is_raised_classified(clock: FakeClock, status: int, body: dict[str, str],
                                             error_class: ErrorClass, code: str) -> None:
    with pytest.raises(PlatformError) as refused:
        mastodon_for(Script(page(status=status, body=body)), clock).mentions(SINCE)

    assert (refused.value.error_class, refused.value.code) == (error_class, code)


def test_plain_text_keeps_what_a_reader_sees() -> None:
    assert plain_text('<p>a &amp; b<br />c</p><p><a href="https://x.example/l"><span class="invisible">https://'
                      '</span><span>x.example/l</span></a></p>') == "a & b\nc\n\nhttps://x.example/l"
