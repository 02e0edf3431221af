"""The simulators' mentions, through each network's real adapter: made-up mentions that come with
simulated time, the same in every simulator instance, read from a cursor without repeats beyond
the cursor's own moment, replies to the account's newest post, refused for a token the network
no longer honours, and never hit by the failures injected into creates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from herald.accounts.model import Account
from herald.platforms import simulators
from herald.platforms.base import ErrorClass, MediaItem, Platform, PlatformError, PostContent
from herald.platforms.registry import open_platform
from herald.platforms.simulators.common import MENTIONERS, simulated_mentions
from support.clock import FakeClock

START = datetime(2030, 1, 7, 9, 0, 0, tzinfo=UTC)
NETWORKS = ("x", "bluesky", "mastodon", "threads", "facebook", "instagram")
USERNAMES = {"bluesky": "herald.bsky.social", "threads": "heraldhq"}
HANDLES = {f"{handle.replace('_', '-')}.bsky.social" for handle, _ in MENTIONERS} | {
    f"{handle}@fosstodon.example" for handle, _ in MENTIONERS} | {handle for handle, _ in MENTIONERS}


def opened(make_account, network: str, clock: FakeClock, simulate: list[str] | None = None) -> tuple[Account, Platform]:
    simulators.use_clock(clock.now)
    account: Account = make_account(network, "acc_sim", USERNAMES.get(network, "herald"), simulate=simulate)
    platform = open_platform(account)
    platform.clock = clock
    return account, platform


@pytest.mark.parametrize("network", NETWORKS)
def test_mentions_come_with_time_and_a_cursor_reads_only_the_new_ones(make_account, network: str) -> None:
    clock = FakeClock(START)
    account, platform = opened(make_account, network, clock)

    baseline = platform.mentions(None)
    clock.advance(days=3)
    later = platform.mentions(baseline.cursor)
    again = open_platform(account).mentions(baseline.cursor)  # a fresh simulator: the same answer
    clock.advance(days=1)
    latest = platform.mentions(later.cursor)

    assert baseline.cursor is not None and baseline.mentions
    assert 3 <= len(later.mentions) <= 30 and later.cursor is not None and later.cursor != baseline.cursor
    assert [m.platform_mention_id for m in later.mentions] == [m.platform_mention_id for m in again.mentions]
    seen = {m.platform_mention_id for m in baseline.mentions}
    repeated = [m for m in later.mentions if m.platform_mention_id in seen]
    assert len(repeated) <= 1  # only the cursor's own moment, on networks whose cursor is a time
    assert all(m.created_at <= clock.now() for m in latest.mentions)
    assert all(m.created_at > START - timedelta(hours=12) for m in later.mentions)
    assert {m.platform_mention_id for m in latest.mentions} - {m.platform_mention_id for m in later.mentions}
    for mention in later.mentions:
        assert mention.author_handle in HANDLES or network == "facebook"
        assert mention.url and mention.url.startswith("https://")
        assert mention.text


@pytest.mark.parametrize("network", NETWORKS)
def test_a_read_is_bounded_and_the_first_one_is_a_single_page(make_account, network: str) -> None:
    clock = FakeClock(START)
    _, platform = opened(make_account, network, clock)

    first = platform.mentions(None)
    backlog = platform.mentions("2029-01-01T00:00:00.000Z" if network not in ("x", "mastodon") else "1")

    assert 1 <= len(first.mentions) <= 100
    assert len(first.mentions) < len(backlog.mentions) <= 5 * 100  # five pages at most


@pytest.mark.parametrize("network", ["x", "bluesky", "mastodon", "threads"])
def test_some_mentions_reply_to_the_accounts_newest_post(make_account, network: str) -> None:
    clock = FakeClock(START)
    _, platform = opened(make_account, network, clock)
    cursor = platform.mentions(None).cursor
    post = platform.publish(PostContent(text="Launch day", target_key="post_1:acc_sim"))
    clock.advance(days=4)

    found = platform.mentions(cursor).mentions

    replies = {m.in_reply_to_platform_post_id for m in found if m.in_reply_to_platform_post_id}
    assert replies == {post.platform_post_id}


@pytest.mark.parametrize("network", NETWORKS)
def test_injected_failures_hit_creates_only_but_a_dead_token_is_refused(make_account, network: str) -> None:
    clock = FakeClock(START)
    _, platform = opened(make_account, network, clock, simulate=["server_error", "expired_token"])
    media = (MediaItem("https://media.example.com/a.jpg", "image", mime="image/jpeg"),) if network == "instagram" else ()
    content = PostContent(text="Launch day", media=media, target_key="post_1:acc_sim")

    assert platform.mentions(None).mentions  # the queued failures wait for a create
    with pytest.raises(PlatformError) as unavailable:
        platform.publish(content)
    with pytest.raises(PlatformError):
        platform.publish(content)  # the access token expires
    with pytest.raises(PlatformError) as refused:
        platform.mentions(None)

    assert unavailable.value.error_class is ErrorClass.RETRY
    assert refused.value.error_class in (ErrorClass.REFRESH, ErrorClass.RECONNECT)


def test_simulated_mentions_are_deterministic_and_grow_only_at_the_newest_end() -> None:
    now = START
    first = list(simulated_mentions("x:1", "@herald", now))[:20]
    later = list(simulated_mentions("x:1", "@herald", now + timedelta(days=2)))

    assert first == list(simulated_mentions("x:1", "@herald", now))[:20]
    assert set(first) <= set(later) and len(later) > len(first)
    assert [m.at for m in later] == sorted((m.at for m in later), reverse=True)
    assert list(simulated_mentions("x:2", "@herald", now))[:5] != first[:5]
