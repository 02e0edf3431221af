"""The shared invariant check is not vacuous: a second post on the network for a target (made
here by hand through the same adapter) or a post stuck publishing are reported."""

from __future__ import annotations

from typing import Any

import pytest

from herald.platforms.base import PostContent
from support.apigw import ApiClient
from support.faults_dynamodb import DynamoFaults, Killed, writes_target_status
from support.faults_invariants import assert_invariants
from support.faults_network import FaultyNetworks
from support.faults_runs import Runs


@pytest.mark.parametrize("network", ["x", "mastodon"])
def test_a_second_post_on_the_network_fails_the_check(
        network: str, api: ApiClient, account: Any, networks: FaultyNetworks, runs: Runs) -> None:
    from herald import wiring
    from herald.platforms.registry import open_platform

    target = account(network)
    post_id = api.post("/v1/posts", {"text": "Once", "account_ids": [target["id"]]}).body["id"]
    runs.deliver(runs.trigger.for_post(post_id)[0])
    assert_invariants(runs.workspace_id, post_id, networks, status="published", targets={target["id"]: "published"})

    store = wiring.account_store()
    with open_platform(store.open(store.get(runs.workspace_id, target["id"]))) as adapter:
        adapter.publish(PostContent(text="Once more", target_key="by-hand"))
    with pytest.raises(AssertionError, match="published 2 times on the network"):
        assert_invariants(runs.workspace_id, post_id, networks, status="published",
                          targets={target["id"]: "published"})


def test_a_post_left_publishing_fails_the_check(
        api: ApiClient, account: Any, networks: FaultyNetworks, dynamo: DynamoFaults, runs: Runs) -> None:
    target = account("x")
    dynamo.kill("UpdateItem", when=writes_target_status("published"))
    post_id = api.post("/v1/posts", {"text": "Stuck", "account_ids": [target["id"]]}).body["id"]
    with pytest.raises(Killed):
        runs.deliver(runs.trigger.for_post(post_id)[0])
    with pytest.raises(AssertionError, match="expected published"):
        assert_invariants(runs.workspace_id, post_id, networks, status="published",
                          targets={target["id"]: "published"})
    with pytest.raises(AssertionError, match="stuck publishing"):
        assert_invariants(runs.workspace_id, post_id, networks, status="publishing",
                          targets={target["id"]: "sending"})
