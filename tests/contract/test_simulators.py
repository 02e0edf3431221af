"""The simulators' shared controls: test credentials, failure queues, reset and published()."""

from __future__ import annotations

import httpx
import pytest

from herald.platforms import simulators
from herald.platforms.base import Credentials, ErrorClass, PlatformError, PostContent
from herald.platforms.registry import adapter_class, open_platform
from herald.platforms.simulators.bluesky import BlueskySimulator
from herald.platforms.simulators.x import XSimulator
from herald.platforms.x import XPlatform


def test_test_credentials_are_stable_per_account() -> None:
    x = simulators.test_credentials("x", "acc_1", "herald")
    bluesky = simulators.test_credentials("bluesky", "acc_1", "herald.bsky.social")

    assert x == simulators.test_credentials("x", "acc_1", "herald")
    assert x != simulators.test_credentials("x", "acc_2", "herald")
    assert set(x) == {"access_token", "refresh_token", "user_id", "client_id"}
    assert len(x["user_id"]) == 19 and x["user_id"].isdigit()
    assert set(bluesky) == {"did", "access_jwt", "refresh_jwt"}
    assert bluesky["did"].startswith("did:plc:") and len(bluesky["did"]) == len("did:plc:") + 24
    assert bluesky["access_jwt"].count(".") == 2


def test_networks_without_a_simulator_get_no_credentials() -> None:
    assert simulators.test_credentials("linkedin", "acc_1", "herald") == {}


def test_unknown_failures_cannot_be_injected() -> None:
    with pytest.raises(ValueError, match="no_such_failure"):
        simulators.inject("acc_1", ["rate_limited", "no_such_failure"])


def test_failures_queue_in_order_and_unknown_simulate_names_are_skipped(make_account) -> None:
    simulators.inject("acc_1", ["server_error"])  # before the account is first seen
    platform = open_platform(make_account("x", "acc_1", "herald", simulate=["bogus", "rate_limited"]))
    codes = []
    for n in range(3):
        try:
            platform.publish(PostContent(text=f"attempt {n}"))
            codes.append("published")
        except PlatformError as error:
            codes.append(error.code)

    assert codes == ["platform_unavailable", "rate_limited", "published"]


def test_the_simulate_list_is_seeded_once_per_account(make_account) -> None:
    account = make_account("x", "acc_1", "herald", simulate=["server_error"])
    with pytest.raises(PlatformError):
        open_platform(account).publish(PostContent(text="first"))

    open_platform(account).publish(PostContent(text="second"))  # a new simulator: same state, queue spent

    assert [p["text"] for p in simulators.published("acc_1")] == ["second"]


def test_reset_forgets_posts_and_queued_failures(make_account) -> None:
    platform = open_platform(make_account("x", "acc_1", "herald"))
    platform.publish(PostContent(text="before"))
    simulators.inject("acc_1", ["server_error"])

    simulators.reset()

    assert simulators.published("acc_1") == []
    open_platform(make_account("x", "acc_1", "herald")).publish(PostContent(text="after"))
    assert [p["text"] for p in simulators.published("acc_1")] == ["after"]


def test_published_hands_out_copies(make_account) -> None:
    open_platform(make_account("x", "acc_1", "herald")).publish(PostContent(text="original"))

    simulators.published("acc_1")[0]["text"] = "tampered"

    assert simulators.published("acc_1")[0]["text"] == "original"
    assert simulators.published("acc_unknown") == []


@pytest.mark.parametrize("platform", ["x", "bluesky"])
def test_an_account_without_credentials_gets_simulated_tokens(make_account, platform: str) -> None:
    account = make_account(platform, "acc_1", "herald").model_copy(update={"credentials": {}})
    simulator = {"x": XSimulator, "bluesky": BlueskySimulator}[platform].for_account(account)
    client = httpx.Client(transport=httpx.MockTransport(simulator.handle))
    tokens = simulators.test_credentials(platform, "acc_1", "herald")
    adapter = adapter_class(platform)(client, Credentials(account_id="acc_1", username="herald", tokens=tokens))
    adapter.publish(PostContent(text="minted", target_key="post_1:acc_1"))

    assert len(simulators.published("acc_1")) == 1
    with pytest.raises(PlatformError) as refused:  # the account itself holds no token: it must reconnect
        open_platform(account).publish(PostContent(text="no token", target_key="post_2:acc_1"))
    assert (refused.value.error_class, refused.value.code) == (ErrorClass.RECONNECT, "account_disconnected")


def test_the_x_simulator_serves_only_its_host(make_account) -> None:
    account = make_account("x", "acc_1", "herald")
    client = httpx.Client(
        transport=httpx.MockTransport(XSimulator.for_account(account).handle), base_url="https://api.twitter.com"
    )

    with pytest.raises(httpx.ConnectError):
        client.get("/2/users/me")

    error = XPlatform(client, Credentials("acc_1", "herald", dict(account.credentials))).classify_error(
        None, httpx.ConnectError("no such host")
    )
    assert error.code == "network_error"
