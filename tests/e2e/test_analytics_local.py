"""Analytics through `python -m local`: published test-mode posts, two collections asked through
the API, the queue worker and the stream function run by the local cloud's pumps, and the answers
built from those numbers. Simulated time runs an hour per second so the metrics grow between the
two collections."""

from __future__ import annotations

import signal
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from local_process import LocalCloudProcess, start_local_cloud, wait_until
from test_walkthrough import client, wait_for_status


@pytest.fixture(scope="module")
def cloud(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalCloudProcess]:
    process = start_local_cloud(tmp_path_factory.mktemp("analytics"), HERALD_SIMULATED_TIME_SPEEDUP="3600",
                                HERALD_ANALYTICS_REFRESH_SECONDS="0")
    try:
        yield process
    finally:
        code, _ = process.stop(signal.SIGINT)
        assert code == 0, process.output()


def test_two_collections_give_a_two_point_timeseries_and_the_reports(cloud: LocalCloudProcess) -> None:
    api: httpx.Client
    with client(cloud) as api:
        ids = [api.post("/v1/accounts", json={"platform": n, "name": "Stats"}).json()["id"] for n in ("x", "bluesky")]
        created = api.post("/v1/posts", json={"text": "Numbers day", "account_ids": ids, "post_type": "promo"})
        assert created.status_code == 201, created.text
        post_id = created.json()["id"]
        assert wait_for_status(api, post_id, {"published", "failed"}, 60)["status"] == "published"

        def points() -> dict[str, int]:
            series = api.get(f"/v1/posts/{post_id}/analytics").json()["timeseries"]
            return {network: len(values) for network, values in series.items()}

        def collect(**body: str) -> int:
            """Ask for a collection until the stream function has tracked both targets."""
            answer = api.post("/v1/analytics/refresh", json=body)
            assert answer.status_code == 202, answer.text
            return answer.json()["targets"] == 2

        wait_until(lambda: collect(post_id=post_id), 30)
        # Asking until both targets are tracked may queue more than one collection: count what
        # the first round gave, then ask again and expect at least one more point per network.
        first = wait_until(lambda: (found := points()) and set(found) == {"x", "bluesky"} and found, 60)
        time.sleep(2)  # two simulated hours: the posts gained engagement
        assert collect()
        wait_until(lambda: all(n > first[k] for k, n in points().items()) and len(points()) == 2, 60)

        def settled() -> tuple[dict[str, Any], dict[str, Any]] | None:
            """Post analytics and the summary once the stream has applied the second snapshots
            (the timeseries shows a snapshot as soon as it is written; totals follow the stream)."""
            analytics = api.get(f"/v1/posts/{post_id}/analytics").json()
            summary = api.get("/v1/analytics/summary").json()
            latest = analytics["timeseries"]["x"][-1]["impressions"]
            done = (analytics["total"]["impressions"] == latest == summary["impressions"]
                    and analytics["total"]["engagements"] == summary["engagements"])  # Bluesky's too
            return (analytics, summary) if done else None

        analytics, summary = wait_until(settled, 30)
        x_series = analytics["timeseries"]["x"]
        assert x_series[1]["impressions"] > x_series[0]["impressions"]  # Bluesky has no impressions
        assert summary["posts"] == 1 and summary["by_post_type"]["promo"]["posts"] == 1
        assert summary["engagements"] == analytics["total"]["engagements"]
        best = api.get("/v1/analytics/optimal-times", params={"timezone": "UTC"}).json()
        assert best["basis"]["posts"] == 2 and sum(s["posts"] for s in best["slots"]) == 2
