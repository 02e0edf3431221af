"""Listing where an account's posts can go on its network (a Pinterest account's boards and their
sections), read from the network on the spot through the account's session (token refreshed
when due, the account marked for reconnecting when the network refuses it)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from herald.accounts.model import Account, AccountStatus
from herald.clock import Clock
from herald.errors import AccountDisconnected, NotSupported, PlatformRefused, PlatformUnavailable
from herald.platforms.base import Board, ErrorClass, Platform, PlatformError
from herald.publishing.session import AccountSession
from herald.store.accounts import AccountStore

log = logging.getLogger(__name__)


@dataclass
class BoardReader:
    accounts: AccountStore
    clock: Clock
    open_platform: Callable[[Account], Platform]

    def boards(self, account: Account) -> list[Board]:
        from herald.platforms.registry import adapter_class, has_adapter

        if not has_adapter(account.platform) or not adapter_class(account.platform).has_boards():
            raise NotSupported(f"{account.platform} accounts have no boards.",
                               details=[{"field": "account_id", "platform": account.platform}])
        if account.status is AccountStatus.RECONNECT_REQUIRED:
            raise AccountDisconnected(f"The account must be reconnected: {account.status_reason or 'disconnected'}")
        with AccountSession(self.accounts, self.clock, self.open_platform, self.accounts.open(account)) as session:
            try:
                session.refresh_if_due()
                return session.call(lambda platform: platform.boards())
            except PlatformError as error:
                raise _api_error(error) from error


def _api_error(error: PlatformError) -> Exception:
    details = [{"code": error.code, "platform_code": error.platform_code}]
    if error.error_class in (ErrorClass.RECONNECT, ErrorClass.REFRESH):  # the session marked the account
        return AccountDisconnected(f"The account must be reconnected: {error.message}", details=details)
    if error.error_class is ErrorClass.RETRY:
        return PlatformUnavailable(error.message, details=details)
    return PlatformRefused(error.message, details=details)
