"""FacebookPlatform.mentions (GET /{page-id}/tagged) and InstagramPlatform.mentions (GET
/{ig-user-id}/tags) against their recorded exchanges (recordings/facebook.json, instagram.json)."""

from __future__ import annotations

from datetime import UTC, datetime

import graph_support as graph
import pytest
from mention_support import scripted
from scripted_http import Exchange, Script

from herald.platforms.base import MENTION_PAGES, Credentials, ErrorClass, PlatformError, ReceivedMention
from herald.platforms.facebook import MENTIONS_PERMISSION, SCOPES, FacebookPlatform
from herald.platforms.instagram import InstagramPlatform
from herald.platforms.simulators.meta import recordings
from support.clock import FakeClock

FB_TOKENS = {"page_id": "1755847768034402", "access_token": "EAAGm0PX4ZCpsBAPageToken"}
IG_TOKENS = {"ig_user_id": "17841405822304914", "page_id": "134895793791914",
             "access_token": "EAAGm0PX4ZCpsBAIgPageToken"}
SINCE = "2030-01-07T07:00:00.000Z"


def facebook(script: Script, clock: FakeClock) -> FacebookPlatform:
    return FacebookPlatform(script.client(), Credentials("acc_fb", "metricsaurus", FB_TOKENS), clock=clock)


def instagram(script: Script, clock: FakeClock) -> InstagramPlatform:
    return InstagramPlatform(script.client(), Credentials("acc_ig", "bluebottle", IG_TOKENS), clock=clock)


def tagged(**changes: object) -> Exchange:
    return scripted(recordings("facebook")["page_tagged"], **changes)


def tags(**changes: object) -> Exchange:
    return scripted(recordings("instagram")["user_tags"], **changes)


def full(entry: Exchange, time_field: str, moment: str) -> dict[str, object]:
    """A full page (100 items, all made at `moment`) of the answer `entry` gives."""
    body = entry.body
    item = {**body["data"][0], time_field: moment}
    return {"data": [{**item, "id": f"{item['id']}{n}"} for n in range(100)], "paging": body["paging"]}


def test_facebook_reads_the_posts_the_page_is_tagged_in(clock: FakeClock) -> None:
    script = Script(tagged())

    found = facebook(script, clock).mentions(SINCE)

    script.assert_done()
    assert found.cursor == "2030-01-07T08:59:00.000Z"
    assert found.mentions == [
        ReceivedMention(
            platform_mention_id="1122334455667788_998877665544332",
            author_handle="1122334455667788",
            author_name="Ada's Bakery",
            text="A great evening with Metricsaurus!",
            url="https://www.facebook.com/1122334455667788/posts/998877665544332",
            created_at=datetime(2030, 1, 7, 8, 59, tzinfo=UTC),
        ),
        ReceivedMention(  # a person's post: Facebook shows its author to that person only
            platform_mention_id="100012345678901_223344556677889",
            author_handle="",
            author_name=None,
            text="Thanks Metricsaurus for the tips",
            url="https://www.facebook.com/100012345678901/posts/223344556677889",
            created_at=datetime(2030, 1, 7, 8, 40, tzinfo=UTC),
        ),
    ]


def test_facebook_stops_at_the_first_post_older_than_the_cursor(clock: FakeClock) -> None:
    first = tagged()
    script = Script(tagged(body=full(first, "created_time", "2030-01-07T09:00:00+0000")),
                    tagged(params=[*first.params, ("after", "QVFIUjZA")]))

    found = facebook(script, clock).mentions("2030-01-07T08:45:00.000Z")

    script.assert_done()  # the second page's 08:40 post is older: no third page is asked for
    assert len(found.mentions) == 101
    assert found.mentions[-1].platform_mention_id == "1122334455667788_998877665544332"
    assert found.cursor == "2030-01-07T09:00:00.000Z"


def test_facebook_reads_at_most_five_pages_and_the_first_read_one(clock: FakeClock) -> None:
    first = tagged()
    body = full(first, "created_time", "2030-01-07T08:00:00+0000")
    later = [tagged(params=[*first.params, ("after", "QVFIUjZA")], body=body) for _ in range(MENTION_PAGES - 1)]
    script = Script(tagged(body=body), *later, tagged(body=body))

    facebook(script, clock).mentions(SINCE)
    facebook(script, clock).mentions(None)

    script.assert_done()


def test_facebook_connects_with_the_permission_tagged_posts_need() -> None:
    assert MENTIONS_PERMISSION in SCOPES
    assert FacebookPlatform.may_read_mentions(["pages_show_list", "pages_manage_posts"]) is False


def test_a_page_without_pages_read_user_content_reads_no_mentions_and_stays(clock: FakeClock) -> None:
    refusal = recordings("facebook")["error_permission"]["response"]
    script = Script(tagged(status=refusal["status"], body=refusal["body"]))

    with pytest.raises(PlatformError) as refused:
        facebook(script, clock).mentions(SINCE)

    assert (refused.value.error_class, refused.value.code) == (ErrorClass.PERMANENT, "mentions_not_permitted")


@pytest.mark.parametrize(("name", "error_class", "code", "platform_code"), graph.GRAPH_ERRORS)
def test_facebook_raises_refused_reads_classified(clock: FakeClock, name: str, error_class: ErrorClass, code: str,
                                                  platform_code: str) -> None:
    refusal = recordings("facebook")[name]["response"]
    script = Script(tagged(status=refusal["status"], body=refusal["body"]))

    with pytest.raises(PlatformError) as refused:
        facebook(script, clock).mentions(SINCE)

    assert (refused.value.error_class, refused.value.code, refused.value.platform_code) == (
        error_class, code, platform_code)


def test_instagram_reads_the_media_the_account_is_tagged_in(clock: FakeClock) -> None:
    script = Script(tags())

    found = instagram(script, clock).mentions(SINCE)

    script.assert_done()
    assert found.cursor == "2030-01-07T08:58:30.000Z"
    assert found.mentions == [
        ReceivedMention(
            platform_mention_id="17902515472107807",
            author_handle="sundayroasters",
            author_name=None,
            text="Morning brew with @bluebottle",
            url="https://www.instagram.com/p/C8tagged01/",
            created_at=datetime(2030, 1, 7, 8, 58, 30, tzinfo=UTC),
        ),
        ReceivedMention(
            platform_mention_id="17902515472107700",
            author_handle="latteartdaily",
            author_name=None,
            text="",  # no caption
            url="https://www.instagram.com/p/C8tagged02/",
            created_at=datetime(2030, 1, 7, 7, 10, tzinfo=UTC),
        ),
    ]


def test_instagram_follows_full_pages_by_their_cursor_without_a_next_link(clock: FakeClock) -> None:
    first = tags()
    script = Script(tags(body=full(first, "timestamp", "2030-01-07T08:00:00+0000")),
                    tags(params=[*first.params, ("after", "QVFIUmx1")]))

    found = instagram(script, clock).mentions(SINCE)

    script.assert_done()
    assert len(found.mentions) == 102


def test_instagram_leaves_out_its_own_media_and_reads_with_the_permissions_it_has(clock: FakeClock) -> None:
    own = {**tags().body["data"][0], "username": "bluebottle"}
    script = Script(tags(body={"data": [own]}))

    found = instagram(script, clock).mentions(SINCE)

    assert found.mentions == [] and found.cursor == "2030-01-07T08:58:30.000Z"
    assert InstagramPlatform.may_read_mentions(["instagram_basic", "instagram_content_publish"])


def test_instagram_raises_a_throttled_read_to_be_tried_again(clock: FakeClock) -> None:
    refusal = recordings("instagram")["error_rate_limited"]["response"]
    script = Script(tags(status=refusal["status"], body=refusal["body"]))

    with pytest.raises(PlatformError) as refused:
        instagram(script, clock).mentions(SINCE)

    assert refused.value.error_class is ErrorClass.RETRY
