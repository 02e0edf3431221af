"""Refreshing idle accounts' tokens before they lapse (on the sweeper's schedule), for networks
whose adapters set `refresh_ahead`: a 60-day token nobody publishes with would otherwise die."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from herald.accounts.model import Account, AccountStatus
from herald.accounts.tokens import needing_reconnect, with_credentials
from herald.clock import Clock
from herald.errors import AccountNotFound, ConcurrentModification
from herald.platforms.base import ErrorClass, PlatformError
from herald.store.accounts import AccountStore

log = logging.getLogger(__name__)


@dataclass
class TokenRefresher:
    accounts: AccountStore
    clock: Clock
    open_platform: Callable[[Account], Any]
    batch_limit: int = 200

    def run(self) -> dict[str, int]:
        counts = {"refreshed": 0, "reconnect_required": 0, "refresh_failed": 0}
        for workspace_id, account_id in list(self.accounts.refresh_due(self.clock.now(), self.batch_limit)):
            outcome = self.refresh(workspace_id, account_id)
            if outcome in counts:
                counts[outcome] += 1
        if any(counts.values()):
            log.info("refreshed account tokens", extra=counts)
        return counts

    def refresh(self, workspace_id: str, account_id: str) -> str:
        try:
            account = self.accounts.get(workspace_id, account_id)
        except AccountNotFound:
            return "gone"
        now = self.clock.now()
        if account.status is not AccountStatus.ACTIVE or account.refresh_due_at is None or account.refresh_due_at > now:
            return "not_due"  # refreshed or reconnected meanwhile
        try:
            with self.open_platform(self.accounts.open(account)) as platform:
                credentials = platform.refresh_credentials()
                refreshed = with_credentials(account, credentials, now, type(platform).refresh_ahead)
        except PlatformError as error:
            if error.error_class is not ErrorClass.RECONNECT:
                log.warning("token refresh failed; next sweep tries again",
                            extra={"account_id": account_id, "code": error.code})
                return "refresh_failed"
            return self._save(needing_reconnect(account, error.message, now), account, "reconnect_required")
        return self._save(refreshed, account, "refreshed")

    def _save(self, changed: Account, before: Account, outcome: str) -> str:
        try:
            self.accounts.save(changed, expected_version=before.version)
        except ConcurrentModification:
            return "changed_meanwhile"
        return outcome
