"""One analytics collection of 1,000 published test-mode posts on a moto server: the network calls
the workers make against the minimum ceil(posts / the network's batch) per account, and the
DynamoDB item writes per snapshot. Posts are published through the real adapters against the
simulators, six simulated hours before the collection, so every post has metrics.

Every message's metrics are fetched as the worker fetches them (the network calls are counted for
all 1,000 posts); the snapshots are written for the first message only (100 posts), because the
local emulation of a DynamoDB transaction copies the table, which grows the cost of each write with
the table's size. Writes per snapshot do not depend on how many there are."""

from __future__ import annotations

import math
import os
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from bench.aws_calls import WRITES, CallCounter
from bench.setup import use_test_credentials
from local.moto_cloud import start_moto_cloud

# (network, posts) per account: 1,000 posts over four accounts.
ACCOUNTS = (("x", 400), ("x", 100), ("bluesky", 300), ("bluesky", 200))
BATCH = {"x": 100, "bluesky": 25}  # the networks' documented lookup sizes


class _Queue:
    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []

    def send(self, messages: list[dict[str, Any]]) -> None:
        self.messages.extend(messages)


class _Clock:
    def __init__(self, now: datetime) -> None:
        self.at = now

    def now(self) -> datetime:
        return self.at

    def sleep(self, seconds: float) -> None:
        self.at += timedelta(seconds=seconds)


def measure() -> dict[str, Any]:
    use_test_credentials()
    cloud = start_moto_cloud()
    try:
        os.environ.update(cloud.environment)
        return _run(CallCounter(cloud.client("dynamodb"), cloud.environment["HERALD_TABLE_NAME"]))
    finally:
        cloud.stop()


def _run(counter: CallCounter) -> dict[str, Any]:
    from herald import wiring
    from herald.accounts.model import AccountMode
    from herald.analytics.collector import Collector
    from herald.analytics.model import TrackedTarget
    from herald.analytics.worker import CollectionWorker
    from herald.platforms import simulators
    from herald.platforms.base import PostContent
    from herald.platforms.registry import open_platform

    wiring.reset()
    clock = _Clock(datetime(2030, 1, 7, 9, 0, tzinfo=UTC))
    simulators.use_clock(clock.now)
    _, profile, issued = wiring.workspace_service().create_workspace("bench-analytics")
    workspace_id = issued.key.workspace_id
    store, accounts = wiring.analytics_store(), wiring.account_store()
    retention = timedelta(days=30)
    for n, (network, posts) in enumerate(ACCOUNTS):
        account = wiring.account_service().create(workspace_id, profile.id, platform=network, mode=AccountMode.TEST,
                                                  name=f"Bench {n}", username=None, simulate=[])
        with open_platform(accounts.open(accounts.get(workspace_id, account.id))) as platform:
            for i in range(posts):
                published = platform.publish(PostContent(text=f"bench post {n}-{i}", target_key=f"b{n}:{i}"))
                store.track(TrackedTarget(workspace_id=workspace_id, profile_id=profile.id, post_id=f"post_b{n}_{i}",
                                          account_id=account.id, platform=network,
                                          platform_post_id=published.platform_post_id,
                                          published_at=clock.now()), clock.now() + retention)

    clock.at += timedelta(hours=6)
    queue = _Queue()
    Collector(tracked=store, queue=queue, clock=clock, retention=retention).run()
    mine = [m for m in queue.messages if m["workspace_id"] == workspace_id]

    requests: Counter[str] = Counter()
    original = httpx.MockTransport.handle_request

    def counting(transport: httpx.MockTransport, request: httpx.Request) -> httpx.Response:
        requests[request.url.path] += 1
        return original(transport, request)

    counter.attach()
    httpx.MockTransport.handle_request = counting  # type: ignore[method-assign]
    try:
        worker = CollectionWorker(accounts=accounts, analytics=store, clock=clock, open_platform=open_platform,
                                  retention=retention)
        counter.start()
        snapshots = worker.handle(mine[0])["snapshots"]
        first = counter.finish()
        for message in mine[1:]:  # the same calls the worker makes before it writes
            with open_platform(accounts.open(accounts.get(workspace_id, message["account_id"]))) as platform:
                platform.metrics([t["platform_post_id"] for t in message["targets"]])
                if message["followers"]:
                    platform.identity()
    finally:
        httpx.MockTransport.handle_request = original  # type: ignore[method-assign]
        simulators.use_clock(None)
    identity = sum(count for path, count in requests.items() if path.endswith(("/users/me", "getProfile")))
    minimum = sum(math.ceil(posts / BATCH[network]) for network, posts in ACCOUNTS)
    return {
        "posts": sum(posts for _, posts in ACCOUNTS), "accounts": len(ACCOUNTS), "messages": len(mine),
        "metric_calls": sum(requests.values()) - identity, "identity_calls": identity, "minimum_calls": minimum,
        "snapshots": snapshots, "first_message": first,
        "item_writes": sum(len(p.get("TransactItems", [])) or 1 for _, op, p in first.requests if op in WRITES),
    }
