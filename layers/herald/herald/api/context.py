"""Who is calling and for which profile: resolved from the request's headers on every call."""

from __future__ import annotations

from typing import Any

from herald.posts.service import Caller
from herald.workspaces.model import Principal, Role
from herald.workspaces.service import require_role


def _bearer(headers: dict[str, str]) -> str | None:
    value = headers.get("authorization") or headers.get("Authorization")
    if not value:
        return None
    scheme, _, token = value.strip().partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def principal(resolver: Any, role: Role) -> Principal:
    from herald.wiring import workspace_service

    who = workspace_service().authenticate(_bearer(resolver.current_event.headers or {}))
    require_role(who, role)
    return who


def caller(resolver: Any, role: Role, profile_id: str | None = None) -> Caller:
    """The authenticated caller acting on one profile: `Profile-Key` header, else `profile_id`
    (query string or body), else the workspace's default profile."""
    from herald.wiring import workspace_service

    who = principal(resolver, role)
    headers = resolver.current_event.headers or {}
    query = resolver.current_event.query_string_parameters or {}
    profile = workspace_service().resolve_profile(
        who, headers.get("profile-key") or headers.get("Profile-Key"), profile_id or query.get("profile_id")
    )
    return Caller(workspace_id=who.workspace_id, profile_id=profile, key_id=who.key_id)
