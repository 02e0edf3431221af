"""A connected account as the domain sees it."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class AccountMode(StrEnum):
    TEST = "test"  # the adapter's own request/response code runs against a built-in simulator
    LIVE = "live"


class AccountStatus(StrEnum):
    ACTIVE = "active"
    DISCONNECTED = "disconnected"  # the network refused its credentials: reconnect needed


class Account(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    workspace_id: str
    profile_id: str
    platform: str
    mode: AccountMode
    name: str
    username: str
    status: AccountStatus = AccountStatus.ACTIVE
    # Network credentials (tokens, session, instance URL). Never returned by the API.
    credentials: dict[str, str] = Field(default_factory=dict)
    # Test mode only: failures the simulator answers with, in order, before it behaves.
    simulate: list[str] = Field(default_factory=list)
    created_at: datetime
    updated_at: datetime
    version: int = 1

