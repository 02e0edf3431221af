"""The analytics pipeline against the moto table: a published target tracked from the post's
stream record, two collections through the queue and the worker, snapshots carried by the stream
into totals and rollups (idempotently), and the API's answers built from those numbers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from herald.analytics.collector import Collector
from herald.analytics.stream import StreamProcessor
from herald.analytics.worker import CollectionWorker
from support.apigw import ApiClient
from support.clock import FakeClock
from support.fake_platform import FakeNetwork
from support.records import add_account


class RecordingQueue:
    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []

    def send(self, messages: list[dict[str, Any]]) -> None:
        self.messages.extend(messages)


def raw_items(cloud: Any, workspace_id: str, prefix: str) -> list[dict[str, Any]]:
    from herald.settings import get_settings

    answer = cloud.client("dynamodb").query(
        TableName=get_settings().table_name, KeyConditionExpression="PK = :pk AND begins_with(SK, :p)",
        ExpressionAttributeValues={":pk": {"S": f"WS#{workspace_id}"}, ":p": {"S": prefix}})
    return answer["Items"]  # type: ignore[no-any-return]


def record(event: str, new: dict[str, Any] | None, old: dict[str, Any] | None = None) -> dict[str, Any]:
    change: dict[str, Any] = {}
    if new is not None:
        change["NewImage"] = new
    if old is not None:
        change["OldImage"] = old
    return {"eventName": event, "dynamodb": change}


@pytest.fixture
def pipeline(cloud: Any, workspace: dict[str, Any], publisher: Any, trigger: Any, clock: FakeClock) -> Any:
    from herald import wiring

    network = FakeNetwork()
    publisher.open_platform = network.open
    queue = RecordingQueue()
    retention = timedelta(days=30)
    store = wiring.analytics_store()

    class Pipeline:
        def __init__(self) -> None:
            self.network, self.queue, self.clock = network, queue, clock
            self.stream = StreamProcessor(analytics=store, retention=retention)
            self.collector = Collector(tracked=store, queue=queue, clock=clock, retention=retention)
            self.worker = CollectionWorker(accounts=wiring.account_store(), analytics=store, clock=clock,
                                           open_platform=network.open, retention=retention)

        def publish(self, api: ApiClient, account_ids: list[str], **fields: Any) -> dict[str, Any]:
            created = api.post("/v1/posts", {"text": "Launch day", "account_ids": account_ids, **fields}).body
            before = raw_items(cloud, workspace["id"], f"POST#{created['id']}")[0]
            publisher.run(trigger.for_post(created["id"])[-1])
            after = raw_items(cloud, workspace["id"], f"POST#{created['id']}")[0]
            assert self.stream.handle(record("MODIFY", after, before)).startswith("tracked")
            return api.get(f"/v1/posts/{created['id']}").body  # type: ignore[no-any-return]

        def collect(self) -> list[str]:
            """One collection: queue, work every message, then the stream on every new snapshot."""
            self.queue.messages.clear()
            seen = {i["SK"]["S"] for i in raw_items(cloud, workspace["id"], "SNAP#")}
            self.collector.run()
            for message in self.queue.messages:
                self.worker.handle(message)
            new = [i for i in raw_items(cloud, workspace["id"], "SNAP#") if i["SK"]["S"] not in seen]
            return [self.stream.handle(record("INSERT", item)) for item in new]

    return Pipeline()


def test_two_collections_make_a_timeseries_totals_rollups_and_a_summary(
    api: ApiClient, workspace: dict[str, Any], pipeline: Any, clock: FakeClock
) -> None:
    clock.set(datetime(2030, 1, 7, 9, 0, tzinfo=UTC))  # a Monday
    account = add_account(workspace, clock)
    post = pipeline.publish(api, [account.id], post_type="promo", campaign_id="spring")
    post_id = post["targets"][0]["platform_post_id"]

    pipeline.network.metric_values[post_id] = {"impressions": 1000, "likes": 30, "comments": 4, "shares": 6}
    pipeline.network.followers = 500
    clock.set(datetime(2030, 1, 7, 15, 0, tzinfo=UTC))
    assert pipeline.collect() == ["applied"]
    pipeline.network.metric_values[post_id] = {"impressions": 1800, "likes": 50, "comments": 5, "shares": 9}
    pipeline.network.followers = 540
    clock.set(datetime(2030, 1, 8, 15, 0, tzinfo=UTC))
    assert pipeline.collect() == ["applied"]
    assert pipeline.collect() == []  # nothing changed: no snapshot

    analytics = api.get(f"/v1/posts/{post['id']}/analytics").body
    assert analytics["total"]["impressions"] == 1800 and analytics["total"]["engagements"] == 64
    assert analytics["total"]["engagement_rate"] == pytest.approx(64 / 1800, rel=1e-4)
    series = analytics["timeseries"]["x"]
    assert [(p["impressions"], p["likes"]) for p in series] == [(1000, 30), (1800, 50)]
    assert "saves" not in analytics["total"] or analytics["total"]["saves"] is None  # not given: absent

    summary = api.get("/v1/analytics/summary", query={"start_date": "2030-01-01", "end_date": "2030-01-31"}).body
    assert summary["posts"] == 1 and summary["impressions"] == 1800 and summary["engagements"] == 64
    assert summary["by_network"]["x"]["likes"] == 50
    assert summary["by_post_type"]["promo"]["posts"] == 1 and summary["by_campaign"]["spring"]["impressions"] == 1800
    assert summary["top_posts"][0]["post_id"] == post["id"]
    assert summary["followers"] == [{"account_id": account.id, "platform": "x", "gained": 40, "now": 540}]
    first_day = api.get("/v1/analytics/summary", query={"start_date": "2030-01-07", "end_date": "2030-01-07"}).body
    assert first_day["impressions"] == 1000  # what was gained that day

    best = api.get("/v1/analytics/optimal-times", query={"timezone": "Europe/Paris", "platform": "x"}).body
    assert best["basis"]["posts"] == 1 and len(best["slots"]) == 168
    monday_ten = next(s for s in best["slots"] if (s["weekday"], s["hour"]) == (0, 10))  # 09:00 UTC in Paris
    assert monday_ten["posts"] == 1


def test_a_redelivered_stream_batch_changes_no_total(
    api: ApiClient, workspace: dict[str, Any], pipeline: Any, clock: FakeClock, cloud: Any
) -> None:
    from herald import wiring

    clock.set(datetime(2030, 1, 7, 9, 0, tzinfo=UTC))
    account = add_account(workspace, clock)
    post = pipeline.publish(api, [account.id])
    post_id = post["targets"][0]["platform_post_id"]
    for hour, likes in ((12, 10), (15, 25)):
        pipeline.network.metric_values[post_id] = {"impressions": likes * 20, "likes": likes}
        clock.set(datetime(2030, 1, 7, hour, 0, tzinfo=UTC))
        pipeline.collect()
    store = wiring.analytics_store()
    before = (store.totals_for_post(workspace["id"], post["id"]),
              store.rollups(workspace["id"], workspace["profile_id"], "2030-01-01", "2030-01-31"))

    snapshots = raw_items(cloud, workspace["id"], "SNAP#")
    outcomes = [pipeline.stream.handle(record("INSERT", item)) for item in snapshots * 2]
    assert outcomes == ["already applied"] * 4
    posted_again = raw_items(cloud, workspace["id"], f"POST#{post['id']}")[0]
    assert pipeline.stream.handle(record("MODIFY", posted_again, posted_again)) == "tracked 0"

    after = (store.totals_for_post(workspace["id"], post["id"]),
             store.rollups(workspace["id"], workspace["profile_id"], "2030-01-01", "2030-01-31"))
    assert after == before
    assert before[1] == [{"day": "2030-01-07", "platform": "x", "posts": 1, "impressions": 500, "likes": 25,
                          "engagements": 25}]


def test_a_sudden_jump_in_engagement_raises_a_spike(
    api: ApiClient, workspace: dict[str, Any], pipeline: Any, clock: FakeClock
) -> None:
    from herald import wiring

    clock.set(datetime(2030, 1, 7, 9, 0, tzinfo=UTC))
    account = add_account(workspace, clock)
    post = pipeline.publish(api, [account.id])
    post_id = post["targets"][0]["platform_post_id"]
    outcomes = []
    for hour, likes in ((10, 5), (11, 10), (12, 15), (13, 200)):  # 5 an hour, then 185 in an hour
        pipeline.network.metric_values[post_id] = {"likes": likes}
        clock.set(datetime(2030, 1, 7, hour, 0, tzinfo=UTC))
        outcomes += pipeline.collect()
    assert outcomes == ["applied", "applied", "applied", "applied, spike"]
    (spike,) = wiring.analytics_store().signals(workspace["id"], workspace["profile_id"])
    assert spike["kind"] == "engagement_spike" and spike["post_id"] == post["id"]


def test_collection_messages_group_an_accounts_posts_into_its_batches(
    api: ApiClient, workspace: dict[str, Any], pipeline: Any, clock: FakeClock
) -> None:
    clock.set(datetime(2030, 1, 7, 9, 0, tzinfo=UTC))
    first, second = add_account(workspace, clock), add_account(workspace, clock)
    for _ in range(3):
        pipeline.publish(api, [first.id, second.id])
    pipeline.collector.run()  # every workspace's targets: keep this test's
    mine = [m for m in pipeline.queue.messages if m["workspace_id"] == workspace["id"]]
    assert {m["account_id"]: len(m["targets"]) for m in mine} == {first.id: 3, second.id: 3}
    assert [m["followers"] for m in mine] == [True, True]
    for message in mine:
        pipeline.worker.handle(message)
    assert sorted(len(ids) for ids in pipeline.network.metric_calls) == [3, 3]  # one lookup per account


def test_refresh_is_limited_per_profile(api: ApiClient, workspace: dict[str, Any], monkeypatch: Any) -> None:
    from herald import wiring

    queue = RecordingQueue()
    monkeypatch.setattr(wiring, "analytics_queue", lambda: queue)
    first = api.post("/v1/analytics/refresh", {})
    assert first.status == 202 and first.body == {"queued_messages": 0, "targets": 0}
    again = api.post("/v1/analytics/refresh", {})
    assert again.status == 429 and again.error_code == "rate_limited"
    assert api.get("/v1/analytics/optimal-times", query={"timezone": "Mars/Olympus"}).status == 422
