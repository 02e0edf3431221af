"""POST /api/analytics/post: per-network analytics under each network's Ayrshare metric names,
built from the totals Herald's pipeline stored (tracked from the post's stream record, collected
through the queue and the worker, applied by the stream)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from test_compat_support import ayr_post, is_ayrshare_error

from support.apigw import ApiClient
from support.fake_platform import FakeNetwork

pytest_plugins = ["test_compat_support"]  # its fixtures: settle, no_wait, real_time_publisher


def raw_items(cloud: Any, workspace_id: str, prefix: str) -> list[dict[str, Any]]:
    from herald.settings import get_settings

    answer = cloud.client("dynamodb").query(
        TableName=get_settings().table_name, KeyConditionExpression="PK = :pk AND begins_with(SK, :p)",
        ExpressionAttributeValues={":pk": {"S": f"WS#{workspace_id}"}, ":p": {"S": prefix}})
    return answer["Items"]  # type: ignore[no-any-return]


class Queue:
    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []

    def send(self, messages: list[dict[str, Any]]) -> None:
        self.messages.extend(messages)


@pytest.fixture
def published(api: ApiClient, cloud: Any, workspace: Any, accounts: Any, trigger: Any, real_time_publisher: Any,
              no_wait: Any) -> dict[str, Any]:
    """A post published to X and Bluesky, its targets tracked by the stream function."""
    from herald import wiring
    from herald.analytics.stream import StreamProcessor

    created = ayr_post(api, post="Numbers day", platforms=["twitter", "bluesky"]).body
    before = raw_items(cloud, workspace["id"], f"POST#{created['id']}")[0]
    real_time_publisher.run(trigger.for_post(created["id"])[-1])
    after = raw_items(cloud, workspace["id"], f"POST#{created['id']}")[0]
    stream = StreamProcessor(analytics=wiring.analytics_store(), retention=timedelta(days=30))
    assert stream.handle({"eventName": "MODIFY", "dynamodb": {"NewImage": after, "OldImage": before}}).startswith(
        "tracked")
    record = api.get(f"/api/post/{created['id']}").body
    return {"id": created["id"], "ids": {p["platform"]: p["id"] for p in record["postIds"]}, "stream": stream}


def collect(cloud: Any, workspace: Any, stream: Any, clock: Any, values: dict[str, dict[str, int]]) -> None:
    from herald import wiring
    from herald.analytics.collector import Collector
    from herald.analytics.worker import CollectionWorker

    network = FakeNetwork()
    network.metric_values.update(values)
    queue = Queue()
    store = wiring.analytics_store()
    seen = {i["SK"]["S"] for i in raw_items(cloud, workspace["id"], "SNAP#")}
    Collector(tracked=store, queue=queue, clock=clock, retention=timedelta(days=30)).run()
    worker = CollectionWorker(accounts=wiring.account_store(), analytics=store, clock=clock,
                              open_platform=network.open, retention=timedelta(days=30))
    for message in queue.messages:
        worker.handle(message)
    for item in raw_items(cloud, workspace["id"], "SNAP#"):
        if item["SK"]["S"] not in seen:
            stream.handle({"eventName": "INSERT", "dynamodb": {"NewImage": item}})


def test_analytics_use_each_networks_names(api: ApiClient, cloud: Any, workspace: Any, clock: Any,
                                           published: dict[str, Any]) -> None:
    clock.advance(hours=1)
    collect(cloud, workspace, published["stream"], clock, {
        published["ids"]["twitter"]: {"impressions": 1000, "likes": 30, "comments": 4, "shares": 6, "bookmarks": 3},
        published["ids"]["bluesky"]: {"likes": 7, "comments": 1, "shares": 2},
    })
    reply = api.post("/api/analytics/post", {"id": published["id"], "source": "pypi"})
    assert reply.status == 200, reply.body
    body = reply.body
    assert body["status"] == "success" and body["id"] == published["id"]
    twitter = body["twitter"]
    assert twitter["id"] == published["ids"]["twitter"] and twitter["postUrl"].startswith("https://x.com/")
    assert twitter["analytics"] == {"impressionCount": 1000, "likeCount": 30, "replyCount": 4, "repostCount": 6,
                                    "engagementCount": 40, "engagementRate": 0.04, "bookmarkCount": 3}
    assert twitter["normalized"]["likes"] == 30
    assert twitter["lastUpdated"].endswith("Z") and twitter["nextUpdate"] > twitter["lastUpdated"]
    assert body["bluesky"]["analytics"] == {"likeCount": 7, "replyCount": 1, "repostCount": 2, "engagementCount": 10}
    only = api.post("/api/analytics/post", {"id": published["id"], "platforms": ["bluesky"]}).body
    assert set(only) == {"bluesky", "status", "id"}


def test_analytics_not_collected_yet_are_partial(api: ApiClient, published: dict[str, Any]) -> None:
    body = api.post("/api/analytics/post", {"id": published["id"], "platforms": ["twitter", "linkedin"]}).body
    assert body["status"] == "partial" and body["twitter"]["analytics"] == {}
    assert body["twitter"]["lastUpdated"] is None and body["twitter"]["nextUpdate"]
    assert sorted((e["platform"], e["code"]) for e in body["errors"]) == [("linkedin", 924), ("twitter", 923)]


def test_analytics_errors(api: ApiClient, accounts: Any, no_wait: Any) -> None:
    assert is_ayrshare_error(api.post("/api/analytics/post", {"id": "post_unknown"}), 404, 910)
    assert is_ayrshare_error(api.post("/api/analytics/post", {}), 400, 901)
    assert is_ayrshare_error(api.post("/api/analytics/post", {"id": "p", "platforms": ["x"]}), 400, 918)
    assert is_ayrshare_error(api.call("POST", "/api/analytics/post", raw_body="[]"), 400, 901)
    pending = ayr_post(api, post="Not yet", platforms=["twitter"]).body["id"]
    assert is_ayrshare_error(api.post("/api/analytics/post", {"id": pending}), 400, 924)
