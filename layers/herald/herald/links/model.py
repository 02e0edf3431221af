"""Short links as the domain sees them."""

from __future__ import annotations

from datetime import datetime

from pydantic import ConfigDict, Field

from herald.pydantic_base import Model

DEFAULT_CHANNEL = "direct"  # the code for a link shared outside any network


class ShortLink(Model):
    model_config = ConfigDict(frozen=True)

    id: str
    workspace_id: str
    profile_id: str
    url: str
    post_id: str | None = None
    codes: dict[str, str] = Field(default_factory=dict)  # channel (a network, or "direct") -> code
    created_at: datetime


class CodeTarget(Model):
    """What a short code leads to."""

    model_config = ConfigDict(frozen=True)

    code: str
    link_id: str
    workspace_id: str
    url: str
    channel: str


class ClickCount(Model):
    model_config = ConfigDict(frozen=True)

    day: str  # YYYY-MM-DD (UTC)
    channel: str
    referrer: str  # the referring host, or "none"
    clicks: int
