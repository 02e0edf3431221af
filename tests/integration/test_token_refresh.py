"""Idle accounts' tokens refreshed by the sweeper before they lapse (GSI2's REFRESH partitions)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from herald.accounts.model import AccountStatus
from herald.accounts.refresher import TokenRefresher
from support.clock import FakeClock
from support.fake_platform import FakeNetwork
from support.records import add_account


def due_for_refresh(workspace: dict[str, Any], clock: FakeClock, when: timedelta) -> Any:
    from herald import wiring

    store = wiring.account_store()
    account = add_account(workspace, clock)
    stored = store.get(workspace["id"], account.id)
    due = stored.model_copy(update={"refresh_due_at": clock.now() + when, "token_expires_at": clock.now() + when
                                    + timedelta(days=7), "version": stored.version + 1})
    store.save(due, expected_version=stored.version)
    return due


def refresher(network: FakeNetwork, clock: FakeClock) -> TokenRefresher:
    from herald import wiring

    return TokenRefresher(accounts=wiring.account_store(), clock=clock, open_platform=network.open)


def test_an_account_due_is_refreshed_and_leaves_the_index(workspace: dict[str, Any], clock: FakeClock) -> None:
    from herald import wiring

    network = FakeNetwork()
    due = due_for_refresh(workspace, clock, timedelta(minutes=-1))
    later = due_for_refresh(workspace, clock, timedelta(days=2))  # not yet
    assert refresher(network, clock).run() == {"refreshed": 1, "reconnect_required": 0, "refresh_failed": 0}
    store = wiring.account_store()
    refreshed = store.get(workspace["id"], due.id)
    assert store.open(refreshed).credentials == {"access_token": "fresh"} and network.refreshed == 1
    assert refreshed.refresh_due_at is None  # this network's tokens need no background refresh
    assert store.get(workspace["id"], later.id).version == later.version
    assert refresher(network, clock).run()["refreshed"] == 0  # nothing left due


def test_a_refused_refresh_marks_the_account_for_reconnecting(workspace: dict[str, Any], clock: FakeClock) -> None:
    from herald import wiring

    network = FakeNetwork(refresh_refused=True)
    due = due_for_refresh(workspace, clock, timedelta(minutes=-1))
    assert refresher(network, clock).run()["reconnect_required"] == 1
    account = wiring.account_store().get(workspace["id"], due.id)
    assert account.status is AccountStatus.RECONNECT_REQUIRED and account.status_reason == "refresh refused"
    assert refresher(network, clock).run()["reconnect_required"] == 0
