"""DynamoDB throttling on the publish run's reads and writes: within botocore's retries (6
attempts in all) nothing shows; past them the run dies on that call and the post is recovered by the
Lambda retry, the lease and the sweeper, without a second post on the network."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from support.apigw import ApiClient
from support.faults_dynamodb import DynamoFaults, claims, settles, writes_target_status
from support.faults_invariants import assert_invariants
from support.faults_network import FaultyNetworks
from support.faults_runs import Runs

BOTOCORE_ATTEMPTS = 6  # herald.aws: standard mode, retries max_attempts 5 (the call, then 5 retries)


def immediate_post(api: ApiClient, target: dict[str, Any], text: str) -> str:
    answer = api.post("/v1/posts", {"text": text, "account_ids": [target["id"]]})
    assert answer.status == 201, answer.body
    return str(answer.body["id"])


@pytest.mark.parametrize("code", ["ProvisionedThroughputExceededException", "ThrottlingException"])
def test_throttling_within_botocores_retries_is_absorbed(
        code: str, api: ApiClient, account: Any, networks: FaultyNetworks, dynamo: DynamoFaults, runs: Runs) -> None:
    target = account("x")
    post_id = immediate_post(api, target, f"Throttled {code}")
    limit = BOTOCORE_ATTEMPTS - 1
    dynamo.throttle("GetItem", limit, code=code)
    dynamo.throttle("UpdateItem", limit, code=code, when=claims)
    dynamo.throttle("UpdateItem", limit, code=code, when=writes_target_status("sending"))
    dynamo.throttle("UpdateItem", limit, code=code, when=writes_target_status("published"))
    dynamo.throttle("PutItem", limit, code=code, when=settles)
    assert runs.deliver(runs.trigger.for_post(post_id)[0]).result == "published"
    assert all(rule.applied == limit for rule in dynamo.rules)
    assert len(dynamo.sleeps) >= 5 * limit  # botocore backed off before each retry
    assert_invariants(runs.workspace_id, post_id, networks, status="published", targets={target["id"]: "published"})


@pytest.mark.parametrize(("operation", "when"), [("GetItem", lambda body: True), ("UpdateItem", claims)],
                         ids=["read", "claim"])
def test_throttled_past_every_retry_before_the_claim_leaves_the_post_to_the_sweeper(
        operation: str, when: Any, api: ApiClient, account: Any, networks: FaultyNetworks, dynamo: DynamoFaults,
        runs: Runs) -> None:
    """The invoke and Lambda's two async retries all throttled: the post stays scheduled (never
    claimed), and the sweeper publishes it after the grace."""
    target = account("bluesky")
    post_id = immediate_post(api, target, f"Throttled {operation}")
    (invoke,) = runs.trigger.for_post(post_id)
    dynamo.throttle(operation, 3 * BOTOCORE_ATTEMPTS, when=when)
    for _ in range(3):  # the invoke, then Lambda's async retries (MaximumRetryAttempts 2)
        with pytest.raises(ClientError, match="Throughput exceeded"):
            runs.deliver(invoke)
    assert runs.post(post_id).status.value == "scheduled" and networks.create_calls(target["id"]) == []
    runs.advance_past_grace(runs.post(post_id))
    assert [o.result for o in runs.sweep()] == ["published"]
    assert_invariants(runs.workspace_id, post_id, networks, status="published", targets={target["id"]: "published"})


@pytest.mark.parametrize("status", ["sending", "published"])
def test_a_target_write_throttled_past_every_retry_is_recovered_after_the_lease(
        status: str, api: ApiClient, account: Any, networks: FaultyNetworks, dynamo: DynamoFaults,
        runs: Runs) -> None:
    """Throttled before the network call (the target stays pending: sent by the next run) or after
    the network published (the target stays sending: reconciled, adopted)."""
    target = account("x")
    post_id = immediate_post(api, target, f"Throttled writing {status}")
    dynamo.throttle("UpdateItem", BOTOCORE_ATTEMPTS, when=writes_target_status(status))
    with pytest.raises(ClientError):
        runs.deliver(runs.trigger.for_post(post_id)[0])
    assert runs.post(post_id).status.value == "publishing"
    runs.let_lease_expire()
    assert [o.result for o in runs.sweep()] == ["published"]
    assert len(networks.create_calls(target["id"])) == 1
    assert_invariants(runs.workspace_id, post_id, networks, status="published", targets={target["id"]: "published"})


def test_a_settle_throttled_past_every_retry_is_settled_by_the_sweepers_run(
        api: ApiClient, account: Any, networks: FaultyNetworks, dynamo: DynamoFaults, runs: Runs) -> None:
    target = account("mastodon")
    post_id = immediate_post(api, target, "Throttled settle")
    dynamo.throttle("PutItem", BOTOCORE_ATTEMPTS, when=settles)
    with pytest.raises(ClientError):
        runs.deliver(runs.trigger.for_post(post_id)[0])
    stuck = runs.post(post_id)
    assert (stuck.status.value, stuck.targets[0].status.value) == ("publishing", "published")
    runs.let_lease_expire()
    assert [o.result for o in runs.sweep()] == ["published"]
    assert len(networks.create_calls(target["id"])) == 1
    assert_invariants(runs.workspace_id, post_id, networks, status="published", targets={target["id"]: "published"})


def test_a_claim_whose_answer_was_lost_is_still_this_runs_claim(
        api: ApiClient, account: Any, networks: FaultyNetworks, dynamo: DynamoFaults, runs: Runs) -> None:
    """The claim reached DynamoDB but its answer timed out, so botocore sent it again and the
    retry met the run's own lease: the run goes on (it is not left `publishing` for the sweeper)."""
    target = account("mastodon")
    post_id = immediate_post(api, target, "Claim answer lost")
    dynamo.lose_answer("UpdateItem", when=claims)
    assert runs.deliver(runs.trigger.for_post(post_id)[0]).result == "published"
    assert dynamo.seen.count("UpdateItem") >= 2 and dynamo.rules[-1].applied == 1
    assert_invariants(runs.workspace_id, post_id, networks, status="published", targets={target["id"]: "published"})
