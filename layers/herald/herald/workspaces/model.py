"""Tenancy as the domain sees it."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import ConfigDict

from herald.pydantic_base import Model


class Role(StrEnum):
    VIEWER = "viewer"  # reads
    EDITOR = "editor"  # + writes posts and accounts, publishes, schedules
    APPROVER = "approver"  # + approves and rejects
    ADMIN = "admin"  # + API keys and profiles

    @property
    def rank(self) -> int:
        return _RANKS[self]

    def allows(self, needed: Role) -> bool:
        return self.rank >= needed.rank


_RANKS = {Role.VIEWER: 0, Role.EDITOR: 1, Role.APPROVER: 2, Role.ADMIN: 3}


class Workspace(Model):
    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    default_profile_id: str
    created_at: datetime


class Profile(Model):
    model_config = ConfigDict(frozen=True)

    id: str
    workspace_id: str
    name: str
    profile_key: str  # what a `Profile-Key` header names (the compatible API's per-profile key)
    created_at: datetime
    deleted: bool = False
    timezone: str = "UTC"  # an IANA name (workspaces.zones); profiles stored before it existed read as UTC


class ApiKey(Model):
    model_config = ConfigDict(frozen=True)

    id: str
    workspace_id: str
    name: str
    role: Role
    # Copied from the workspace (whose default profile cannot be deleted), so that a request
    # without Profile-Key needs no further read.
    default_profile_id: str
    hint: str  # the first characters, to recognise a key without storing it
    created_at: datetime
    revoked_at: datetime | None = None


class Principal(Model):
    """Who is calling: resolved from the API key on every request."""

    model_config = ConfigDict(frozen=True)

    workspace_id: str
    key_id: str
    role: Role
    default_profile_id: str
    key_name: str = ""
    key_hint: str = ""
