"""Mentions against the moto table: the collector asks for every watched account's mentions
(tracked posts or not), the worker keeps each mention once, its first read of an account only
sets the cursor, the cursor never goes backwards, and a failing read leaves the snapshots written
before it. Then the whole way with a test-mode account and its simulator."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from herald.accounts.model import Account, AccountMode, AccountStatus
from herald.analytics.collector import Collector
from herald.analytics.model import Mention, TrackedTarget
from herald.analytics.worker import CollectionWorker
from herald.platforms.base import ErrorClass, MentionPage, PlatformError, ReceivedMention
from support.clock import FakeClock
from support.fake_platform import FakeNetwork, FakePlatform
from support.records import add_account

RETENTION = timedelta(days=30)
AT = datetime(2030, 1, 7, 9, 0, tzinfo=UTC)


def received(number: int, **changes: Any) -> ReceivedMention:
    values: dict[str, Any] = {
        "platform_mention_id": str(1000 + number), "author_handle": f"fan{number}", "author_name": f"Fan {number}",
        "text": f"@acme hello {number}", "url": f"https://x.com/fan{number}/status/{1000 + number}",
        "created_at": AT + timedelta(minutes=number), "in_reply_to_platform_post_id": None,
    }
    return ReceivedMention(**(values | changes))


@dataclass
class MentionsNetwork(FakeNetwork):
    """A FakeNetwork whose accounts answer `mentions` with `pages` (one per call) or `failure`."""

    pages: list[MentionPage] = field(default_factory=list)
    since_asked: list[str | None] = field(default_factory=list)
    mentions_failure: PlatformError | None = None

    def open(self, account: Any) -> FakePlatform:
        platform = super().open(account)
        return MentioningPlatform(None, platform.credentials, self)  # type: ignore[arg-type]


class MentioningPlatform(FakePlatform):
    reads_mentions = True
    mentions_permission = "tweet.read"

    def mentions(self, since: str | None) -> MentionPage:
        network: MentionsNetwork = self.network  # type: ignore[assignment]
        network.since_asked.append(since)
        if network.mentions_failure is not None:
            raise network.mentions_failure
        return network.pages.pop(0)


@pytest.fixture
def store(trigger: Any) -> Any:
    from herald import wiring

    return wiring.analytics_store()


@pytest.fixture
def network() -> MentionsNetwork:
    return MentionsNetwork()


@pytest.fixture
def worker(store: Any, network: MentionsNetwork, clock: FakeClock) -> CollectionWorker:
    from herald import wiring

    clock.set(AT + timedelta(hours=6))
    return CollectionWorker(accounts=wiring.account_store(), analytics=store, clock=clock, open_platform=network.open,
                            retention=RETENTION)


def mentions_message(account: Account, targets: list[TrackedTarget] | None = None) -> dict[str, Any]:
    return {"workspace_id": account.workspace_id, "account_id": account.id, "platform": account.platform,
            "followers": False, "targets": [t.model_dump(mode="json") for t in targets or []], "mentions": True}


def raw_mentions(cloud: Any, workspace_id: str, account_id: str) -> list[dict[str, Any]]:
    from herald.settings import get_settings
    from herald.store.codec import from_item

    answer = cloud.client("dynamodb").query(
        TableName=get_settings().table_name, KeyConditionExpression="PK = :pk AND begins_with(SK, :p)",
        ExpressionAttributeValues={":pk": {"S": f"WS#{workspace_id}"}, ":p": {"S": f"MENTION#{account_id}#"}})
    return [from_item(item) for item in answer["Items"]]


# --- the store -------------------------------------------------------------------------------


def test_a_mention_is_kept_once_per_account_and_network_id(cloud: Any, workspace: dict[str, Any], store: Any) -> None:
    mention = Mention(workspace_id=workspace["id"], profile_id=workspace["profile_id"], account_id="acc_1",
                      platform="x", mention_id="1001", author_handle="fan", author_name=None, text="@acme hi",
                      url=None, created_at=AT, in_reply_to_platform_post_id="999", received_at=AT + timedelta(hours=1))

    first = store.record_mention(mention, AT + RETENTION)
    again = store.record_mention(mention.model_copy(update={"text": "edited"}), AT + RETENTION)
    other_account = store.record_mention(mention.model_copy(update={"account_id": "acc_2"}), AT + RETENTION)

    assert (first, again, other_account) == (True, False, True)
    [item] = raw_mentions(cloud, workspace["id"], "acc_1")
    assert item == {
        "PK": f"WS#{workspace['id']}", "SK": "MENTION#acc_1#1001", "entity": "mention",
        "workspace_id": workspace["id"], "profile_id": workspace["profile_id"], "account_id": "acc_1",
        "platform": "x", "mention_id": "1001", "author_handle": "fan", "text": "@acme hi",
        "created_at": "2030-01-07T09:00:00.000Z", "in_reply_to_platform_post_id": "999",
        "received_at": "2030-01-07T10:00:00.000Z", "expires_at": int((AT + RETENTION).timestamp()),
    }  # absent values (author_name, url) are left out
    assert store.mentions_of_account(workspace["id"], "acc_1") == [mention]


def test_an_accounts_mentions_state_follows_the_account(workspace: dict[str, Any], store: Any, clock: FakeClock) -> None:
    from herald import wiring
    from herald.accounts.tokens import needing_reconnect

    accounts = wiring.account_store()
    x = add_account(workspace, clock)
    telegram = add_account(workspace, clock, platform="telegram")  # its adapter reads no mentions
    mine = {w.account_id: w for w in store.mention_watches() if w.workspace_id == workspace["id"]}

    assert set(mine) == {x.id} and mine[x.id].platform == "x"
    assert store.mention_state(workspace["id"], x.id).read is False
    assert store.mention_state(workspace["id"], telegram.id) is None

    accounts.save(needing_reconnect(x, "revoked", clock.now()), expected_version=x.version)
    assert x.id not in {w.account_id for w in store.mention_watches()}
    assert store.mention_state(workspace["id"], x.id) is not None  # the cursor stays for a reconnect

    accounts.delete(workspace["id"], x.id)
    assert store.mention_state(workspace["id"], x.id) is None


def test_an_account_that_did_not_grant_the_mentions_permission_is_not_watched(
    workspace: dict[str, Any], store: Any, clock: FakeClock
) -> None:
    from herald import wiring

    account = add_account(workspace, clock, platform="threads")
    narrow = account.model_copy(update={"permissions": ["threads_basic", "threads_content_publish"],
                                        "version": account.version + 1})
    wiring.account_store().save(narrow, expected_version=account.version)

    assert account.id not in {w.account_id for w in store.mention_watches()}


@pytest.mark.parametrize(("first", "older"), [("200", "99"), ("2030-01-07T09:00:00.000Z", "2030-01-07T08:59:59.999Z")])
def test_the_cursor_never_goes_backwards(workspace: dict[str, Any], store: Any, clock: FakeClock, first: str,
                                         older: str) -> None:
    account = add_account(workspace, clock)

    assert store.advance_mention_cursor(workspace["id"], account.id, first, AT)
    assert not store.advance_mention_cursor(workspace["id"], account.id, older, AT + timedelta(hours=6))
    assert not store.advance_mention_cursor(workspace["id"], account.id, first, AT + timedelta(hours=6))
    assert store.mention_state(workspace["id"], account.id).cursor == first
    assert not store.advance_mention_cursor(workspace["id"], "acc_gone", first, AT)  # no state: nothing made


# --- the worker ------------------------------------------------------------------------------


def test_the_first_read_only_sets_the_cursor_then_new_mentions_are_kept_once(
    cloud: Any, workspace: dict[str, Any], worker: CollectionWorker, network: MentionsNetwork, store: Any,
    clock: FakeClock,
) -> None:
    account = add_account(workspace, clock)
    history = MentionPage([received(2), received(1)], cursor="1002")
    network.pages = [history, MentionPage([received(4), received(3)], "1004"),
                     MentionPage([received(4), received(3)], "1004"), MentionPage([], "1004")]

    baseline = worker.handle(mentions_message(account))
    fresh = worker.handle(mentions_message(account))
    repeated = worker.handle(mentions_message(account))  # a redelivered message, or an inclusive cursor
    nothing = worker.handle(mentions_message(account))

    assert network.since_asked == [None, "1002", "1004", "1004"]
    assert [c["mentions"] for c in (baseline, fresh, repeated, nothing)] == [0, 2, 0, 0]
    kept = raw_mentions(cloud, workspace["id"], account.id)
    assert sorted(item["mention_id"] for item in kept) == ["1003", "1004"]  # the history is not news
    assert store.mention_state(workspace["id"], account.id).cursor == "1004"
    item = next(i for i in kept if i["mention_id"] == "1004")
    assert item["received_at"] == "2030-01-07T15:00:00.000Z" and item["author_name"] == "Fan 4"
    assert item["expires_at"] == int((clock.now() + RETENTION).timestamp())


def test_an_account_without_mentions_yet_keeps_the_first_ones_after_its_baseline(
    cloud: Any, workspace: dict[str, Any], worker: CollectionWorker, network: MentionsNetwork, clock: FakeClock
) -> None:
    account = add_account(workspace, clock)
    network.pages = [MentionPage([], None), MentionPage([received(1)], "1001")]

    worker.handle(mentions_message(account))
    worker.handle(mentions_message(account))

    assert network.since_asked == [None, None]
    assert [i["mention_id"] for i in raw_mentions(cloud, workspace["id"], account.id)] == ["1001"]


def test_a_stale_read_does_not_move_the_cursor_back(
    workspace: dict[str, Any], worker: CollectionWorker, network: MentionsNetwork, store: Any, clock: FakeClock
) -> None:
    account = add_account(workspace, clock)
    network.pages = [MentionPage([], "1009"), MentionPage([received(5)], "1005")]

    worker.handle(mentions_message(account))
    store.advance_mention_cursor(workspace["id"], account.id, "1010", clock.now())  # a newer read meanwhile
    worker.handle(mentions_message(account))

    assert store.mention_state(workspace["id"], account.id).cursor == "1010"


def test_a_failed_mentions_read_keeps_the_snapshots_written_before_it(
    cloud: Any, workspace: dict[str, Any], worker: CollectionWorker, network: MentionsNetwork, store: Any,
    clock: FakeClock,
) -> None:
    account = add_account(workspace, clock)
    target = TrackedTarget(workspace_id=workspace["id"], profile_id=workspace["profile_id"], post_id="post_1",
                           account_id=account.id, platform="x", platform_post_id="555", published_at=AT)
    store.track(target, AT + RETENTION)
    network.metric_values["555"] = {"impressions": 100, "likes": 5}
    network.pages = [MentionPage([], "1001")]
    worker.handle(mentions_message(account))  # the baseline
    network.mentions_failure = PlatformError(ErrorClass.RETRY, "rate_limited", "slow down")

    for _ in range(2):  # SQS delivers the message again: the snapshot is not written twice
        with pytest.raises(PlatformError):
            worker.handle(mentions_message(account, [target]))

    assert [s.metrics["impressions"] for s in store.snapshots_for_post(workspace["id"], "post_1")] == [100]
    assert store.mention_state(workspace["id"], account.id).cursor == "1001"


def test_a_permission_refusal_reads_no_mentions_and_a_revoked_token_disconnects(
    workspace: dict[str, Any], worker: CollectionWorker, network: MentionsNetwork, clock: FakeClock
) -> None:
    from herald import wiring

    account = add_account(workspace, clock)
    network.mentions_failure = PlatformError(ErrorClass.PERMANENT, "mentions_not_permitted", "no scope")
    assert worker.handle(mentions_message(account))["mentions"] == 0
    assert wiring.account_store().get(workspace["id"], account.id).status is AccountStatus.ACTIVE

    network.mentions_failure = PlatformError(ErrorClass.RECONNECT, "account_disconnected", "revoked")
    worker.handle(mentions_message(account))
    assert wiring.account_store().get(workspace["id"], account.id).status is AccountStatus.RECONNECT_REQUIRED


def test_an_account_that_lacks_the_mentions_permission_is_not_asked(
    workspace: dict[str, Any], worker: CollectionWorker, network: MentionsNetwork, clock: FakeClock
) -> None:
    from herald import wiring

    account = add_account(workspace, clock)
    narrow = account.model_copy(update={"permissions": ["tweet.write"], "version": account.version + 1})
    wiring.account_store().save(narrow, expected_version=account.version)

    assert worker.handle(mentions_message(narrow))["mentions"] == 0
    assert network.since_asked == []


# --- the collector ---------------------------------------------------------------------------


class RecordingQueue:
    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []

    def send(self, messages: list[dict[str, Any]]) -> None:
        self.messages.extend(messages)


def test_the_collector_asks_for_every_watched_accounts_mentions_tracked_posts_or_not(
    workspace: dict[str, Any], store: Any, clock: FakeClock
) -> None:
    clock.set(AT)
    quiet = add_account(workspace, clock)  # no post published
    busy = add_account(workspace, clock, platform="bluesky")
    telegram = add_account(workspace, clock, platform="telegram")
    for account, posts in ((busy, 101), (telegram, 1)):
        for n in range(posts):
            store.track(TrackedTarget(workspace_id=workspace["id"], profile_id=workspace["profile_id"],
                                      post_id=f"post_{n:03d}", account_id=account.id, platform=account.platform,
                                      platform_post_id=f"p{n}", published_at=AT - timedelta(hours=1)),
                        AT + RETENTION)
    queue = RecordingQueue()

    counts = Collector(tracked=store, queue=queue, clock=clock, retention=RETENTION, watches=store).run()

    mine = [m for m in queue.messages if m["workspace_id"] == workspace["id"]]
    shape = sorted((m["account_id"], m["platform"], len(m["targets"]), m["followers"], m.get("mentions", False))
                   for m in mine)
    assert shape == sorted([
        (quiet.id, "x", 0, False, True),  # mentions only
        (busy.id, "bluesky", 100, True, True), (busy.id, "bluesky", 1, False, False),  # mentions: first only
        (telegram.id, "telegram", 1, True, False),  # a network that reads no mentions
    ])
    assert counts["mention_reads"] >= 2


# --- the whole way, in test mode -------------------------------------------------------------


def test_a_test_mode_accounts_mentions_arrive_as_simulated_time_passes(
    cloud: Any, workspace: dict[str, Any], store: Any, clock: FakeClock
) -> None:
    from herald import wiring
    from herald.platforms import simulators
    from herald.platforms.registry import open_platform

    clock.set(AT)
    simulators.use_clock(clock.now)
    account = wiring.account_service().create(workspace["id"], workspace["profile_id"], platform="mastodon",
                                              mode=AccountMode.TEST, name="Acme", username=None, simulate=[])
    queue = RecordingQueue()
    collector = Collector(tracked=store, queue=queue, clock=clock, retention=RETENTION, watches=store)
    worker = CollectionWorker(accounts=wiring.account_store(), analytics=store, clock=clock,
                              open_platform=open_platform, retention=RETENTION)

    def collect() -> int:
        queue.messages.clear()
        collector.run()
        mine = [m for m in queue.messages if m["account_id"] == account.id]
        return sum(worker.handle(message)["mentions"] for message in mine)

    assert collect() == 0  # the baseline: the simulated history is not news
    clock.advance(days=2)
    fresh = collect()
    assert fresh >= 3 and collect() == 0
    kept = raw_mentions(cloud, workspace["id"], account.id)
    assert len(kept) == fresh
    assert all(item["author_handle"].endswith("@fosstodon.example") and "@" in item["text"] for item in kept)
    assert all(AT < datetime.fromisoformat(item["created_at"]) <= clock.now() for item in kept)
