"""Conditional check failures: another writer changes the post during a publish run. Between the
run's read and its claim (a cancel, a pause, a reschedule through the API: the claim's condition
fails and the run sends nothing), while the run is at the network (the API refuses to change a
post being published), and a run that outlived its lease (its writes fail; the run that took over
reconciles)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from support.apigw import ApiClient
from support.faults_dynamodb import DynamoFaults, claims
from support.faults_invariants import assert_invariants
from support.faults_network import FaultyNetworks
from support.faults_runs import Runs


def scheduled_post(api: ApiClient, target: dict[str, Any], text: str) -> str:
    when = (datetime.now(UTC) + timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
    answer = api.post("/v1/posts", {"text": text, "account_ids": [target["id"]], "scheduled_at": when})
    assert answer.status == 201, answer.body
    return str(answer.body["id"])


def later() -> str:
    return (datetime.now(UTC) + timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.mark.parametrize(("change", "status"), [("cancel", "cancelled"), ("pause", "paused")])
def test_a_post_stopped_between_the_runs_read_and_its_claim_is_not_sent(
        change: str, status: str, api: ApiClient, account: Any, networks: FaultyNetworks, dynamo: DynamoFaults,
        runs: Runs) -> None:
    target = account("x")
    post_id = scheduled_post(api, target, f"Stopped by {change}")
    _, payload = runs.scheduled_payload(post_id)
    answers = []

    def stop() -> None:
        call = api.delete(f"/v1/posts/{post_id}") if change == "cancel" else api.post(f"/v1/posts/{post_id}/pause")
        answers.append(call.status)

    dynamo.before("UpdateItem", stop, when=claims)
    runs.clock.set(runs.post(post_id).due_at)
    outcome = runs.deliver(payload)
    assert answers == [200] and (outcome.result, outcome.reason) == ("skipped", "not_claimable")
    runs.clock.advance(hours=1)  # long past the grace the sweeper gives a schedule
    assert runs.sweep() == []
    assert networks.create_calls(target["id"]) == []
    assert_invariants(runs.workspace_id, post_id, networks, status=status, targets={target["id"]: "pending"})


def test_a_post_rescheduled_between_the_runs_read_and_its_claim_goes_out_once_at_the_new_time(
        api: ApiClient, account: Any, networks: FaultyNetworks, dynamo: DynamoFaults, runs: Runs) -> None:
    target = account("bluesky")
    post_id = scheduled_post(api, target, "Moved at the last second")
    _, first = runs.scheduled_payload(post_id)
    new_time = later()
    dynamo.before("UpdateItem", lambda: api.post(f"/v1/posts/{post_id}/schedule", {"scheduled_at": new_time}),
                  when=claims)
    runs.clock.set(runs.post(post_id).due_at)
    assert (runs.deliver(first).result, networks.create_calls(target["id"])) == ("skipped", [])
    moved = runs.post(post_id)
    assert moved.status.value == "scheduled" and moved.scheduled_at.strftime("%Y-%m-%dT%H:%M:%SZ") == new_time
    _, second = runs.scheduled_payload(post_id)
    runs.clock.set(moved.due_at)
    assert runs.deliver(first).reason == "stale_schedule"  # the old schedule's retry
    assert runs.deliver(second).result == "published"
    assert_invariants(runs.workspace_id, post_id, networks, status="published", targets={target["id"]: "published"})


def test_changes_while_the_run_is_at_the_network_are_refused_and_the_post_goes_out(
        api: ApiClient, account: Any, networks: FaultyNetworks, runs: Runs) -> None:
    target = account("mastodon")
    post_id = scheduled_post(api, target, "Changed while in flight")
    _, payload = runs.scheduled_payload(post_id)
    refused: list[tuple[int, str | None]] = []

    def change_it() -> None:
        for call in (api.delete(f"/v1/posts/{post_id}"), api.post(f"/v1/posts/{post_id}/pause"),
                     api.post(f"/v1/posts/{post_id}/schedule", {"scheduled_at": later()}),
                     api.put(f"/v1/posts/{post_id}", {"text": "edited"})):
            refused.append((call.status, call.error_code))

    networks.during[target["id"]] = change_it
    runs.clock.set(runs.post(post_id).due_at)
    assert runs.deliver(payload).result == "published"
    assert [status for status, _ in refused] == [409] * 4, refused
    assert_invariants(runs.workspace_id, post_id, networks, status="published", targets={target["id"]: "published"})


def test_a_run_that_outlived_its_lease_loses_its_writes_to_the_run_that_took_over(
        api: ApiClient, account: Any, networks: FaultyNetworks, runs: Runs) -> None:
    """Run A is at the network when its lease runs out; the sweeper hands the post to run B, which
    finds the target `sending`, reconciles (the network has A's post), adopts it and settles. A's
    answer then comes back: its write is refused (another lease), and A stops."""
    target = account("x")
    post_id = scheduled_post(api, target, "Outlived its lease")
    _, payload = runs.scheduled_payload(post_id)
    taken_over: list[Any] = []

    def lease_runs_out_and_the_sweeper_takes_over() -> None:
        runs.let_lease_expire()
        thread = threading.Thread(target=lambda: taken_over.extend(runs.sweep()))
        thread.start()
        thread.join()

    networks.during[target["id"]] = lease_runs_out_and_the_sweeper_takes_over
    runs.clock.set(runs.post(post_id).due_at)
    outcome = runs.deliver(payload)
    assert (outcome.result, outcome.reason) == ("skipped", "lease_lost")
    assert [o.result for o in taken_over] == ["published"]
    assert len(networks.create_calls(target["id"])) == 1
    assert_invariants(runs.workspace_id, post_id, networks, status="published", targets={target["id"]: "published"})
