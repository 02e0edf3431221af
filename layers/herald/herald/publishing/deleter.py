"""Deleting published posts from the networks (the posts service's `NetworkDeleter`): the account's
adapter, opened and refreshed as a publish run opens it (`AccountSession`), asked to delete each
post in turn. Runs in the API request: a few quick calls per target."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from herald.accounts.model import AccountStatus
from herald.clock import Clock
from herald.errors import AccountNotFound
from herald.platforms.base import ErrorClass, PlatformError
from herald.posts.model import TargetError
from herald.publishing.session import AccountSession, OpenPlatform
from herald.store.accounts import AccountStore

log = logging.getLogger(__name__)


def _open_platform(account):  # type: ignore[no-untyped-def]
    from herald.platforms.registry import open_platform

    return open_platform(account)


class AdapterDeleter:
    def __init__(self, *, accounts: AccountStore, clock: Clock, open_platform: OpenPlatform = _open_platform) -> None:
        self.accounts = accounts
        self.clock = clock
        self.open_platform = open_platform

    def delete_posts(self, workspace_id: str, account_id: str, platform_post_ids: Sequence[str]) -> TargetError | None:
        try:
            account = self.accounts.get(workspace_id, account_id)
        except AccountNotFound:
            return TargetError(code="account_not_found",
                               message="The account was removed from Herald: delete the post on the network itself.")
        if account.status is AccountStatus.RECONNECT_REQUIRED:
            return _disconnected(account.status_reason or "The account is disconnected.")
        from herald.platforms.registry import has_adapter

        if not has_adapter(account.platform):
            return TargetError(code="not_supported", message=f"Herald cannot delete posts on {account.platform}.")
        with AccountSession(self.accounts, self.clock, self.open_platform, self.accounts.open(account)) as session:
            try:
                session.refresh_if_due()
                for platform_post_id in platform_post_ids:
                    session.call(lambda platform, post_id=platform_post_id: platform.delete(post_id))
            except PlatformError as error:
                if error.error_class in (ErrorClass.RECONNECT, ErrorClass.REFRESH):  # the session marked the account
                    return _disconnected(error.message, error.platform_code)
                return TargetError(code=error.code, message=error.message, platform_code=error.platform_code)
            except Exception as exc:  # an adapter bug: report it on the target, as publishing does
                log.exception("adapter failed to delete", extra={"account_id": account_id})
                return TargetError(code="network_error", message=f"Unexpected adapter failure: {exc}")
        return None


def _disconnected(reason: str, platform_code: str | None = None) -> TargetError:
    return TargetError(code="account_disconnected", message=f"The account must be reconnected: {reason}",
                       platform_code=platform_code)
