"""Writing accounts and posts straight into the store, for tests that need a given starting state."""

from __future__ import annotations

from typing import Any

from herald.accounts.model import Account, AccountMode
from support.clock import FakeClock


def add_account(workspace: dict[str, Any], clock: FakeClock | None = None, platform: str = "x",
                token: str = "ok", profile_id: str | None = None) -> Account:
    from herald import wiring
    from herald.clock import SystemClock
    from herald.ids import new_id

    now = (clock or SystemClock()).now()
    account = Account(
        id=new_id("acc"), workspace_id=workspace["id"], profile_id=profile_id or workspace["profile_id"],
        platform=platform, mode=AccountMode.TEST, name="Acme", username="acme",
        credentials={"access_token": token}, created_at=now, updated_at=now,
    )
    wiring.account_store().add(account)
    return account
