"""Network faults in front of the real adapters (X, Bluesky, Mastodon) and their simulators: 429
with a reset time, 5xx, timeouts, malformed bodies, expired and revoked tokens. What is tested is
each adapter's own error mapping and the run's handling of it, and what the network got."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from herald.platforms import simulators
from herald.posts.model import TargetStatus
from support.apigw import ApiClient
from support.faults_invariants import assert_invariants
from support.faults_network import (
    Fault,
    FaultyNetworks,
    connect_timeout,
    error_after_write,
    html_error_page,
    html_page_after_write,
    invalid_json_after_write,
    missing_id_after_write,
    rate_limited,
    read_timeout_after_write,
    server_error,
)
from support.faults_runs import Runs

NETWORKS = ("x", "bluesky", "mastodon")


def immediate_post(api: ApiClient, account: dict[str, Any], text: str = "Launch day") -> str:
    answer = api.post("/v1/posts", {"text": text, "account_ids": [account["id"]]})
    assert answer.status == 201, answer.body
    return str(answer.body["id"])


@pytest.mark.parametrize("network", NETWORKS)
def test_429_waits_for_the_networks_reset_time_then_publishes_once(
        network: str, api: ApiClient, account: Any, networks: FaultyNetworks, runs: Runs) -> None:
    target = account(network)
    reset = runs.clock.now() + timedelta(minutes=15)
    networks.script(target["id"], rate_limited(reset))
    post_id = immediate_post(api, target)
    assert runs.deliver(runs.trigger.for_post(post_id)[0]).result == "scheduled"

    waiting = runs.post(post_id)
    (sent,) = waiting.targets
    assert (sent.status, sent.error.code, sent.retry_after) == (TargetStatus.PENDING, "rate_limited", reset)
    assert waiting.due_at == reset
    expression, payload = runs.scheduled_payload(post_id)  # re-armed at the reset, as a new schedule version
    assert expression == f"at({reset.strftime('%Y-%m-%dT%H:%M:00')})"
    assert payload.schedule_version == waiting.schedule_version
    runs.clock.set(reset.replace(second=0))  # EventBridge fires at the minute: the run waits for the second
    early = runs.deliver(payload)
    assert early.result == "published" and runs.post(post_id).targets[0].published_at >= reset

    assert [c.reached_network for c in networks.create_calls(target["id"])] == [False, True]
    assert_invariants(runs.workspace_id, post_id, networks, status="published", targets={target["id"]: "published"})


# Faults whose request never reached the network: the outcome is unknown to the adapter (a 5xx or no
# connection), so the target waits `sending`, is reconciled (shown absent) and sent again.
NOT_SENT = [server_error(503), html_error_page(502), connect_timeout()]
# Faults after the network stored the post: reconciled (or found by the adapter at once), never resent.
SENT = [error_after_write(500), read_timeout_after_write(), invalid_json_after_write(), missing_id_after_write(),
        html_page_after_write()]


# Every fault on the networks that decide by reconciling (X: its timeline, Mastodon: its statuses'
# source text); Bluesky looks its derived record key up at once, shown on one fault of each kind.
GARBLED = [(network, fault) for network in ("x", "mastodon") for fault in NOT_SENT + SENT] + [
    ("bluesky", fault) for fault in (NOT_SENT[0], SENT[0], SENT[1], SENT[3])]


@pytest.mark.parametrize(("network", "fault"), GARBLED, ids=[f"{n}-{f.name}" for n, f in GARBLED])
def test_a_failed_or_garbled_answer_ends_published_once(
        network: str, fault: Fault, api: ApiClient, account: Any, networks: FaultyNetworks, runs: Runs) -> None:
    target = account(network)
    networks.script(target["id"], fault)
    post_id = immediate_post(api, target, text=f"Garbled {fault.name}")
    runs.deliver(runs.trigger.for_post(post_id)[0])
    first = runs.post(post_id).targets[0]
    if first.status is not TargetStatus.PUBLISHED:  # adopted at once where the adapter can look (Bluesky)
        assert first.status is TargetStatus.SENDING, "an unknown outcome must be reconciled before any resend"
        assert first.error.code in ("platform_unavailable", "timeout", "network_error"), first.error
    runs.until_final(post_id)

    calls = networks.create_calls(target["id"])
    if fault.forward:
        assert len(calls) == 1, "the post the network stored was sent again"
    else:
        assert [c.reached_network for c in calls] == [False, True]
    assert_invariants(runs.workspace_id, post_id, networks, status="published", targets={target["id"]: "published"})


@pytest.mark.parametrize("network", ["x", "bluesky"])
def test_an_expired_token_is_refreshed_once_then_the_post_goes_out(
        network: str, api: ApiClient, account: Any, networks: FaultyNetworks, runs: Runs) -> None:
    from herald import wiring

    target = account(network)
    simulators.inject(target["id"], ["expired_token"])  # the network's token lapses now
    store = wiring.account_store()
    before = store.open(store.get(runs.workspace_id, target["id"])).credentials
    post_id = immediate_post(api, target)
    assert runs.deliver(runs.trigger.for_post(post_id)[0]).result == "published"

    with simulators.LOCK:
        assert simulators.state_of(target["id"]).token_generation == 1  # one refresh at the network
    after = store.open(store.get(runs.workspace_id, target["id"])).credentials
    assert after != before  # the refreshed tokens are kept for the next run
    assert networks.create_calls(target["id"])[-1].created  # sent again with the new token
    assert_invariants(runs.workspace_id, post_id, networks, status="published", targets={target["id"]: "published"})


@pytest.mark.parametrize("network", NETWORKS)
def test_a_revoked_token_disconnects_the_account_and_nothing_is_retried(
        network: str, api: ApiClient, account: Any, networks: FaultyNetworks, runs: Runs) -> None:
    target = account(network)
    simulators.inject(target["id"], ["revoked_token"])  # the person revoked Herald's access
    post_id = immediate_post(api, target)
    assert runs.deliver(runs.trigger.for_post(post_id)[0]).result == "failed"

    (failed,) = runs.post(post_id).targets
    assert failed.error.code == "account_disconnected" and failed.retry_after is None
    assert api.get(f"/v1/accounts/{target['id']}").body["status"] == "reconnect_required"
    calls = len(networks.create_calls(target["id"]))
    runs.clock.advance(days=1)
    assert runs.sweep() == []  # nothing comes back for it
    retried = api.post(f"/v1/posts/{post_id}/retry")  # a person retrying before reconnecting
    assert retried.status == 200, retried.body
    runs.until_final(post_id)
    assert runs.post(post_id).targets[0].error.code == "account_disconnected"
    assert len(networks.create_calls(target["id"])) == calls  # a disconnected account is not called
    assert_invariants(runs.workspace_id, post_id, networks, status="failed", targets={target["id"]: "failed"})
