"""A lost schedule: the post's EventBridge schedule deleted (or an immediate post's async invoke
never run). The sweeper finds the post past its grace and it is published, once, even when
sweeper runs overlap and hand it over twice."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from support.apigw import ApiClient
from support.faults_invariants import assert_invariants
from support.faults_network import FaultyNetworks
from support.faults_runs import Runs, all_at_once


def test_a_deleted_schedule_is_published_by_the_sweeper_once(
        api: ApiClient, account: Any, networks: FaultyNetworks, runs: Runs) -> None:
    from botocore.exceptions import ClientError

    from herald.aws import client
    from herald.schedules.names import schedule_name_for
    from herald.settings import get_settings

    accounts = [account("x"), account("bluesky")]
    when = (datetime.now(UTC) + timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
    post_id = api.post("/v1/posts", {"text": "Lost schedule", "account_ids": [a["id"] for a in accounts],
                                     "scheduled_at": when}).body["id"]
    scheduler = client("scheduler")
    scheduler.delete_schedule(Name=schedule_name_for(post_id), GroupName=get_settings().schedule_group)
    with pytest.raises(ClientError):
        runs.scheduled_payload(post_id)  # gone: nothing will deliver it

    post = runs.post(post_id)
    runs.clock.set(post.due_at)
    assert runs.sweep() == []  # due, but the schedule has its grace
    runs.advance_past_grace(post)
    assert [o.result for o in runs.sweep()] == ["published"]
    assert runs.sweep() == []
    assert_invariants(runs.workspace_id, post_id, networks, status="published",
                      targets={a["id"]: "published" for a in accounts})


def test_a_lost_invoke_handed_over_by_two_overlapping_sweeper_runs_publishes_once(
        api: ApiClient, account: Any, networks: FaultyNetworks, runs: Runs) -> None:
    """An immediate post's async invoke never ran; two sweeper runs (a slow one and the next)
    both hand it over, and the two publish runs race."""
    from herald import wiring
    from herald.publishing.sweeper import Sweeper

    target = account("mastodon")
    post_id = api.post("/v1/posts", {"text": "Lost invoke", "account_ids": [target["id"]]}).body["id"]
    assert len(runs.trigger.for_post(post_id)) == 1  # handed to Lambda, and lost there
    runs.advance_past_grace(runs.post(post_id))
    sweeper = Sweeper(posts=wiring.post_store(), trigger=runs.trigger, clock=runs.clock)
    sweeper.run()
    sweeper.run()
    handed = runs.trigger.for_post(post_id)[1:]
    assert len(handed) == 2 and all(r.schedule_version is None for r in handed)
    outcomes = all_at_once([lambda r=r: runs.deliver(r) for r in handed])
    assert sorted(o.result for o in outcomes) == ["published", "skipped"]
    assert len(networks.create_calls(target["id"])) == 1
    assert_invariants(runs.workspace_id, post_id, networks, status="published", targets={target["id"]: "published"})
