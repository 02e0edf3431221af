"""Who is calling and for which profile: resolved from the request's headers on every call."""

from __future__ import annotations

from typing import Any

from herald.api.gate import bearer_token, current_principal
from herald.posts.service import Caller
from herald.workspaces.model import Principal, Role
from herald.workspaces.service import require_role


def principal(resolver: Any, role: Role) -> Principal:
    """The caller authenticated by the gate (herald.api.gate) for this request, if its role allows."""
    who = current_principal.get()
    if who is None:
        from herald.wiring import workspace_service

        who = workspace_service().authenticate(bearer_token(resolver.current_event.headers or {}))
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
    return Caller(
        workspace_id=who.workspace_id, profile_id=profile, key_id=who.key_id, link_base=public_base_url(resolver)
    )


def public_base_url(resolver: Any) -> str:
    """The API's public address, where short links point: the configured base, else the request's
    own scheme and host."""
    from herald.settings import get_settings

    configured = get_settings().short_link_base
    return configured.rstrip("/") if configured else api_base_url(resolver)


def api_base_url(resolver: Any) -> str:
    """The API's own address as the request reached it (OAuth callbacks come back here)."""
    event = resolver.current_event
    headers = event.headers or {}
    host = headers.get("host") or event.request_context.domain_name
    return f"{headers.get('x-forwarded-proto', 'https')}://{host}"
