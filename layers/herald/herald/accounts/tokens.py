"""Storing fresh credentials on an account: one rule for connecting, refreshing at publish time
and refreshing in the background."""

from __future__ import annotations

from datetime import datetime, timedelta

from herald.accounts.model import Account, AccountStatus
from herald.platforms.base import Credentials


def with_credentials(account: Account, credentials: Credentials, now: datetime,
                     refresh_ahead: timedelta | None) -> Account:
    """`account` holding `credentials`, active, its expiry and background-refresh time set, and
    its version bumped (the save is conditional on the version it came with)."""
    expires = credentials.expires_at
    due = expires - refresh_ahead if expires is not None and refresh_ahead is not None else None
    return account.model_copy(update={
        "credentials": dict(credentials.tokens), "token_expires_at": expires, "refresh_due_at": due,
        "status": AccountStatus.ACTIVE, "status_reason": None, "version": account.version + 1, "updated_at": now,
    })


def needing_reconnect(account: Account, reason: str, now: datetime) -> Account:
    return account.model_copy(update={
        "status": AccountStatus.RECONNECT_REQUIRED, "status_reason": reason, "refresh_due_at": None,
        "version": account.version + 1, "updated_at": now,
    })
