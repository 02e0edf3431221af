"""Contract tests: adapters against scripted request/response pairs shaped like each network's
documented API, over httpx.MockTransport (no network), and against the built-in simulators."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest

from herald.accounts.model import Account, AccountMode
from herald.platforms import simulators
from support.clock import FakeClock

NOW = datetime(2030, 1, 7, 9, 0, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(NOW)


@pytest.fixture(autouse=True)
def clean_simulators() -> Iterator[None]:
    simulators.reset()
    yield
    simulators.reset()


MakeAccount = Callable[..., Account]


@pytest.fixture
def make_account() -> MakeAccount:
    """Test-mode accounts as account creation makes them, with simulator-minted credentials."""
    return _account


def _account(platform: str, account_id: str, username: str, simulate: list[str] | None = None) -> Account:
    return Account(
        id=account_id,
        workspace_id="ws_contract",
        profile_id="prf_contract",
        platform=platform,
        mode=AccountMode.TEST,
        name=username,
        username=username,
        credentials=simulators.test_credentials(platform, account_id, username),
        simulate=simulate or [],
        created_at=NOW,
        updated_at=NOW,
    )
