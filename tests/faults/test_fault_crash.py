"""The publish function killed mid-run: after the network published and before the answer was
written, before the network call with the target marked `sending`, and before the post was
settled. The lease runs out, the sweeper hands the post over, and the next run reconciles with
the network: adopted, never posted twice."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from support.apigw import ApiClient
from support.faults_dynamodb import DynamoFaults, Killed, settles, writes_target_status
from support.faults_invariants import assert_invariants
from support.faults_network import Fault, FaultyNetworks
from support.faults_runs import Runs


def immediate_post(api: ApiClient, accounts: list[dict[str, Any]], text: str) -> str:
    answer = api.post("/v1/posts", {"text": text, "account_ids": [a["id"] for a in accounts]})
    assert answer.status == 201, answer.body
    return str(answer.body["id"])


def killed_on_the_way() -> Fault:
    """The process dies as the create call is about to leave: nothing reaches the network."""

    def die(network: str, request: httpx.Request, _: httpx.Response | None) -> httpx.Response:
        raise Killed("before the network call")

    return Fault("killed_before_sending", False, die)


def recover(runs: Runs, post_id: str) -> None:
    """While the lease holds nothing takes the post; once it has run out the sweeper does."""
    assert runs.deliver(runs.request(post_id)).reason == "being_published"
    assert runs.sweep() == []
    runs.let_lease_expire()
    assert [o.result for o in runs.sweep()] == ["published"]


@pytest.mark.parametrize("network", ["x", "bluesky", "mastodon"])
def test_killed_after_the_network_published_is_reconciled_not_reposted(
        network: str, api: ApiClient, account: Any, networks: FaultyNetworks, dynamo: DynamoFaults,
        runs: Runs) -> None:
    target = account(network)
    dynamo.kill("UpdateItem", when=writes_target_status("published"))
    post_id = immediate_post(api, [target], "Killed after the network answered")
    with pytest.raises(Killed):
        runs.deliver(runs.trigger.for_post(post_id)[0])
    crashed = runs.post(post_id)
    assert crashed.status.value == "publishing" and crashed.targets[0].status.value == "sending"
    assert networks.created(target["id"]) == 1

    recover(runs, post_id)
    assert len(networks.create_calls(target["id"])) == 1  # adopted through reconcile, not sent again
    assert_invariants(runs.workspace_id, post_id, networks, status="published", targets={target["id"]: "published"})


def test_killed_with_the_target_sending_before_the_call_left_sends_it_once(
        api: ApiClient, account: Any, networks: FaultyNetworks, runs: Runs) -> None:
    target = account("x")
    networks.script(target["id"], killed_on_the_way())
    post_id = immediate_post(api, [target], "Killed before the network call")
    with pytest.raises(Killed):
        runs.deliver(runs.trigger.for_post(post_id)[0])
    assert runs.post(post_id).targets[0].status.value == "sending"  # unknown to Herald: it must look first

    recover(runs, post_id)
    assert [c.reached_network for c in networks.create_calls(target["id"])] == [False, True]
    assert_invariants(runs.workspace_id, post_id, networks, status="published", targets={target["id"]: "published"})


def test_killed_before_settling_is_settled_by_the_next_run_without_a_network_call(
        api: ApiClient, account: Any, networks: FaultyNetworks, dynamo: DynamoFaults, runs: Runs) -> None:
    accounts = [account("x"), account("bluesky")]
    dynamo.kill("PutItem", when=settles)
    post_id = immediate_post(api, accounts, "Killed before settling")
    with pytest.raises(Killed):
        runs.deliver(runs.trigger.for_post(post_id)[0])
    crashed = runs.post(post_id)
    assert crashed.status.value == "publishing" and {t.status.value for t in crashed.targets} == {"published"}

    recover(runs, post_id)
    assert [len(networks.create_calls(a["id"])) for a in accounts] == [1, 1]
    assert_invariants(runs.workspace_id, post_id, networks, status="published",
                      targets={a["id"]: "published" for a in accounts})
