"""A connected account as the domain sees it."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import ConfigDict, Field

from herald.pydantic_base import Model


class AccountMode(StrEnum):
    TEST = "test"  # the adapter's own request/response code runs against a built-in simulator
    LIVE = "live"


class AccountStatus(StrEnum):
    ACTIVE = "active"
    # The network refused the credentials (revoked, expired beyond refresh): a person must connect
    # the account again; `status_reason` says why. Its posts fail with account_disconnected.
    RECONNECT_REQUIRED = "reconnect_required"


class Account(Model):
    model_config = ConfigDict(frozen=True)

    id: str
    workspace_id: str
    profile_id: str
    platform: str
    mode: AccountMode
    name: str
    username: str
    status: AccountStatus = AccountStatus.ACTIVE
    status_reason: str | None = None
    # Network credentials (tokens, session, instance URL): never returned by the API, never
    # logged, and sealed with KMS before they are written (`sealed_credentials`). An account read
    # from the table has them empty until the store opens them for a publish run.
    credentials: dict[str, str] = Field(default_factory=dict)
    sealed_credentials: bytes | None = None
    token_expires_at: datetime | None = None  # when the access token expires, where the network says
    # When the sweeper should refresh the token even if nothing is published (networks whose
    # tokens lapse for good unless refreshed, e.g. 60-day long-lived tokens); None: on use only.
    refresh_due_at: datetime | None = None
    # Who the account is on the network, read when it was connected.
    platform_user_id: str | None = None
    display_name: str | None = None
    avatar_url: str | None = None
    followers: int | None = None
    permissions: list[str] = Field(default_factory=list)
    limits: dict[str, int] = Field(default_factory=dict)  # per-account content limits (a Mastodon instance's)
    # How the network treats the account's posts, in a sentence each (e.g. a TikTok app not audited yet).
    notices: list[str] = Field(default_factory=list)
    # Test mode only: failures the simulator answers with, in order, before it behaves.
    simulate: list[str] = Field(default_factory=list)
    created_at: datetime
    updated_at: datetime
    version: int = 1

