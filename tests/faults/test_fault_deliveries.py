"""Duplicate and concurrent scheduler deliveries, on real threads against moto's conditional
writes and the real adapters: of any number of deliveries of one post, one claims it, and each
network gets one create call per target."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

from herald.posts.ports import PublishRequest
from support.apigw import ApiClient
from support.faults_invariants import assert_invariants
from support.faults_network import FaultyNetworks
from support.faults_runs import Runs, all_at_once

NETWORKS = ("x", "bluesky", "mastodon")


def scheduled_post(api: ApiClient, accounts: list[dict[str, Any]], minutes: int = 5, text: str = "Launch day") -> str:
    when = (datetime.now(UTC) + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%SZ")
    answer = api.post("/v1/posts", {"text": text, "account_ids": [a["id"] for a in accounts], "scheduled_at": when})
    assert answer.status == 201, answer.body
    return str(answer.body["id"])


def test_ten_deliveries_of_one_schedule_at_once_publish_each_network_once(
        api: ApiClient, account: Any, networks: FaultyNetworks, runs: Runs) -> None:
    accounts = [account(n) for n in NETWORKS]
    post_id = scheduled_post(api, accounts)
    _, payload = runs.scheduled_payload(post_id)
    runs.clock.set(runs.post(post_id).due_at)
    outcomes = all_at_once([lambda: runs.deliver(payload)] * 10)
    assert sorted(o.result for o in outcomes) == ["published"] + ["skipped"] * 9
    assert {o.reason for o in outcomes if o.result == "skipped"} <= {"not_claimable", "being_published",
                                                                     "status_published"}
    assert [len(networks.create_calls(a["id"])) for a in accounts] == [1, 1, 1]
    assert_invariants(runs.workspace_id, post_id, networks, status="published",
                      targets={a["id"]: "published" for a in accounts})


def test_the_schedule_a_stale_schedule_and_the_sweeper_racing_publish_once(
        api: ApiClient, account: Any, networks: FaultyNetworks, runs: Runs) -> None:
    """A rescheduled post: the old schedule's payload (stale version), the new one's and the
    sweeper's (no version) all arrive together once the post is due and past its grace."""
    accounts = [account("x"), account("mastodon")]
    post_id = scheduled_post(api, accounts)
    _, stale = runs.scheduled_payload(post_id)
    later = (datetime.now(UTC) + timedelta(minutes=9)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert api.post(f"/v1/posts/{post_id}/schedule", {"scheduled_at": later}).status == 200
    _, current = runs.scheduled_payload(post_id)
    assert current.schedule_version == stale.schedule_version + 1
    runs.advance_past_grace(runs.post(post_id))
    swept = PublishRequest(runs.workspace_id, post_id, None)
    outcomes = all_at_once([lambda r=r: runs.deliver(r) for r in [stale, current, swept] * 3])
    assert [o.result for o in outcomes].count("published") == 1
    assert all(o.result == "skipped" for o in outcomes[0::3])  # the old schedule never publishes
    assert runs.sweep() == []  # nothing left for the sweeper
    assert_invariants(runs.workspace_id, post_id, networks, status="published",
                      targets={a["id"]: "published" for a in accounts})


def test_a_redelivery_while_the_run_is_at_the_network_and_after_it_are_turned_away(
        api: ApiClient, account: Any, networks: FaultyNetworks, runs: Runs) -> None:
    x = account("x")
    post_id = scheduled_post(api, [x])
    _, payload = runs.scheduled_payload(post_id)
    runs.clock.set(runs.post(post_id).due_at)
    during: list[Any] = []

    def redeliver_on_another_thread() -> None:
        thread = threading.Thread(target=lambda: during.append(runs.deliver(payload)))
        thread.start()
        thread.join()

    networks.during[x["id"]] = redeliver_on_another_thread
    assert runs.deliver(payload).result == "published"
    assert [(o.result, o.reason) for o in during] == [("skipped", "being_published")]
    late = runs.deliver(payload)  # the scheduler's own retry of a delivery it thought failed
    assert (late.result, late.reason) == ("skipped", "status_published")
    runs.let_lease_expire()
    assert runs.sweep() == []
    assert len(networks.create_calls(x["id"])) == 1
    assert_invariants(runs.workspace_id, post_id, networks, status="published", targets={x["id"]: "published"})
