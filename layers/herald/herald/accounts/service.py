"""Account use cases. Live connections (OAuth, app passwords) arrive with the real networks;
test-mode accounts publish through each adapter against its built-in simulator."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from herald.accounts.model import Account, AccountMode
from herald.clock import Clock
from herald.errors import AccountNotFound, InvalidRequest
from herald.ids import new_id
from herald.store.accounts import AccountStore

log = logging.getLogger(__name__)


def _open_platform(account: Account) -> Any:
    from herald.platforms.registry import open_platform

    return open_platform(account)


@dataclass
class AccountService:
    store: AccountStore
    clock: Clock
    open_platform: Callable[[Account], Any] = _open_platform

    def create(
        self,
        workspace_id: str,
        profile_id: str,
        *,
        platform: str,
        mode: AccountMode,
        name: str,
        username: str | None,
        simulate: list[str],
    ) -> Account:
        self.check_platform(platform)
        if mode is not AccountMode.TEST:
            raise InvalidRequest(
                "Only test-mode accounts can be created here; live connections use OAuth (POST /v1/accounts/connect).",
                details=[{"field": "mode", "allowed": ["test"]}],
            )
        from herald.platforms.simulators import FAILURES, test_credentials

        unknown = [f for f in simulate if f not in FAILURES]
        if unknown:
            raise InvalidRequest(
                "Unknown simulated failure(s).",
                details=[{"field": "simulate", "value": f, "allowed": sorted(FAILURES)} for f in unknown],
            )

        now = self.clock.now()
        account_id = new_id("acc")
        handle = username or _default_username(platform, name)
        account = Account(
            id=account_id,
            workspace_id=workspace_id,
            profile_id=profile_id,
            platform=platform,
            mode=mode,
            name=name,
            username=handle,
            credentials=test_credentials(platform, account_id, handle),
            simulate=list(simulate),
            created_at=now,
            updated_at=now,
        )
        self.store.add(account)
        return account

    @staticmethod
    def check_platform(platform: str) -> None:
        """Refuse a network Herald does not know or cannot publish to yet."""
        from herald.platforms.registry import NETWORKS, has_adapter

        if platform not in NETWORKS:
            raise InvalidRequest(
                f"Unknown network {platform!r}.", details=[{"field": "platform", "allowed": list(NETWORKS)}]
            )
        if not has_adapter(platform):
            raise InvalidRequest(
                f"{platform} has no adapter yet.", details=[{"field": "platform", "issue": "not_supported"}]
            )

    def get(self, workspace_id: str, profile_id: str, account_id: str) -> Account:
        account = self.store.get(workspace_id, account_id)
        if account.profile_id != profile_id:
            raise AccountNotFound(f"No account {account_id}.")
        return account

    def list(self, workspace_id: str, profile_id: str) -> list[Account]:
        return sorted(self.store.for_profile(workspace_id, profile_id), key=lambda a: a.id)

    def delete(self, workspace_id: str, profile_id: str, account_id: str) -> tuple[Account, bool]:
        """Disconnect: revoke the credentials where the network allows it (a failure to revoke does
        not keep the account), then remove it. Answers the account and whether it was revoked."""
        account = self.get(workspace_id, profile_id, account_id)
        revoked = False
        try:
            with self.open_platform(self.store.open(account)) as platform:
                revoked = platform.revoke()
        except Exception as exc:  # the network may be down or the token already dead
            log.warning("revoking failed", extra={"account_id": account_id, "error": type(exc).__name__})
        self.store.delete(workspace_id, account_id)
        return account, revoked


def _default_username(platform: str, name: str) -> str:
    slug = "".join(c for c in name.lower() if c.isalnum()) or "herald"
    return f"{slug}.bsky.social" if platform == "bluesky" else slug[:15]
