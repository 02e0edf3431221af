"""The pure parts of reading mentions: the cursor order, which messages ask for mentions, and what
a network that reads none answers."""

from __future__ import annotations

from datetime import UTC, datetime

from herald.analytics.collector import TARGETS_PER_MESSAGE, messages_for
from herald.analytics.model import TrackedTarget, cursor_order
from herald.platforms.base import Credentials, MentionPage
from herald.platforms.registry import adapter_class

AT = datetime(2030, 1, 7, 9, 0, tzinfo=UTC)


def targets(account_id: str, count: int, platform: str = "x") -> list[TrackedTarget]:
    return [TrackedTarget(workspace_id="ws", profile_id="prf", post_id=f"post_{n}", account_id=account_id,
                          platform=platform, platform_post_id=str(n), published_at=AT) for n in range(count)]


def test_cursors_sort_in_the_networks_order() -> None:
    ids = ["99", "100", "1445880548472328199", "1445880548472328200"]
    times = ["2030-01-07T08:59:59.999Z", "2030-01-07T09:00:00.000Z", "2030-01-08T00:00:00.000Z"]

    assert sorted(ids, key=cursor_order) == ids
    assert sorted(times, key=cursor_order) == times


def test_the_first_message_of_a_watched_account_asks_for_its_mentions() -> None:
    watched = {("ws", "acc_1"): "x", ("ws", "acc_3"): "bluesky"}

    messages = list(messages_for(targets("acc_1", TARGETS_PER_MESSAGE + 1) + targets("acc_2", 1), watched))

    assert [(m["account_id"], len(m["targets"]), m.get("mentions")) for m in messages] == [
        ("acc_1", TARGETS_PER_MESSAGE, True), ("acc_1", 1, None), ("acc_2", 1, None),
        ("acc_3", 0, True),  # no tracked post: a message for its mentions only
    ]
    assert messages[-1] == {"workspace_id": "ws", "account_id": "acc_3", "platform": "bluesky", "followers": False,
                            "targets": [], "mentions": True}
    assert watched == {("ws", "acc_3"): "bluesky"}  # the accounts met were taken out


def test_without_watched_accounts_the_messages_are_as_before() -> None:
    assert all("mentions" not in m for m in messages_for(targets("acc_1", 3)))


def test_a_network_that_reads_no_mentions_answers_an_empty_page_that_keeps_the_cursor() -> None:
    telegram = adapter_class("telegram")

    assert telegram.reads_mentions is False and not telegram.may_read_mentions([])
    assert telegram(None, Credentials("acc", "bot")).mentions("42") == MentionPage([], "42")  # type: ignore[arg-type]


def test_the_networks_that_read_mentions() -> None:
    readers = {n for n in ("x", "bluesky", "mastodon", "threads", "facebook", "instagram", "linkedin", "telegram")
               if adapter_class(n).reads_mentions}

    assert readers == {"x", "bluesky", "mastodon", "threads", "facebook", "instagram"}
