"""One account's adapter as Herald uses it to act on the account's network (a publish run, a
delete): opened with the account's sealed credentials, its token refreshed when it is about to
expire and once on an expired-token answer, the refreshed credentials stored, and the account
marked `reconnect_required` when the network refuses the refresh or the credentials."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import TypeVar

from herald.accounts.model import Account
from herald.accounts.tokens import needing_reconnect, with_credentials
from herald.clock import Clock
from herald.errors import ConcurrentModification
from herald.platforms.base import ErrorClass, Platform, PlatformError
from herald.store.accounts import AccountStore

log = logging.getLogger(__name__)

# A token expiring sooner than this is refreshed before it is used.
REFRESH_AHEAD = timedelta(minutes=5)

OpenPlatform = Callable[[Account], Platform]
T = TypeVar("T")


class AccountSession:
    """`account` (its credentials opened) and an adapter for it; `platform` and `account` are the
    ones to use from now on (a refresh replaces both). Every adapter it opened is closed by
    `close` (or leaving a `with` block)."""

    def __init__(self, accounts: AccountStore, clock: Clock, open_platform: OpenPlatform, account: Account) -> None:
        self.accounts = accounts
        self.clock = clock
        self._open_platform = open_platform
        self._opened: list[Platform] = []
        self.account = account
        self.platform = self._open(account)

    def _open(self, account: Account) -> Platform:
        platform = self._open_platform(account)
        self._opened.append(platform)
        return platform

    def close(self) -> None:
        for platform in self._opened:
            platform.close()
        self._opened = []

    def __enter__(self) -> AccountSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def refresh_if_due(self) -> None:
        """Refresh a token that expires within REFRESH_AHEAD. A refresh the network refuses
        (RECONNECT) marks the account for reconnecting and is raised; any other failure is logged
        and the current token used (it has not expired yet)."""
        expires = self.account.token_expires_at
        if expires is None or expires > self.clock.now() + REFRESH_AHEAD:
            return
        try:
            self.refresh()
        except PlatformError as error:
            if error.error_class is ErrorClass.RECONNECT:
                self.disconnect(error.message)
                raise
            log.warning("token refresh ahead of expiry failed", extra={"account_id": self.account.id,
                                                                       "code": error.code})

    def call(self, action: Callable[[Platform], T]) -> T:
        """`action` on the adapter. An expired-token answer (REFRESH) refreshes the token once and
        calls again. A REFRESH or RECONNECT answer left over (the refresh refused, or the new
        token refused too) marks the account for reconnecting; every PlatformError is raised."""
        try:
            try:
                return action(self.platform)
            except PlatformError as error:
                if error.error_class is not ErrorClass.REFRESH:
                    raise
            self.refresh()
            return action(self.platform)
        except PlatformError as error:
            if error.error_class in (ErrorClass.RECONNECT, ErrorClass.REFRESH):
                self.disconnect(error.message)
            raise

    def refresh(self) -> None:
        """Refresh the account's token (raises RECONNECT when the network refuses) and store it;
        the session goes on with the new token."""
        credentials = self.platform.refresh_credentials()
        refreshed = with_credentials(self.account, credentials, self.clock.now(), type(self.platform).refresh_ahead)
        try:
            self.accounts.save(refreshed, expected_version=self.account.version)
        except ConcurrentModification:
            log.info("account changed meanwhile; keeping the refreshed token for this session only")
            refreshed = refreshed.model_copy(update={"version": self.account.version})
        self.platform, self.account = self._open(refreshed), refreshed

    def disconnect(self, reason: str) -> None:
        """Mark the account `reconnect_required` (unless it changed meanwhile)."""
        try:
            self.accounts.save(needing_reconnect(self.account, reason, self.clock.now()),
                               expected_version=self.account.version)
        except ConcurrentModification:
            pass
