"""The router of the Ayrshare-compatible API (mounted at /api) and what its routes share: who is
calling, for which profile, and the addresses this API answers at."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler.api_gateway import Router

from herald.api.context import api_base_url, caller, public_base_url
from herald.posts.service import Caller
from herald.workspaces.model import Role

router = Router()


def who(role: Role) -> Caller:
    """The caller and profile (`Profile-Key` header, else the key's default profile)."""
    return caller(router, role)


def has_profile_key() -> bool:
    headers = router.current_event.headers or {}
    return any(k.lower() == "profile-key" and v for k, v in headers.items())


def bases() -> list[str]:
    """This API's addresses: where `accessUrl`s point, and where short links point."""
    return list(dict.fromkeys([api_base_url(router), public_base_url(router)]))


def remaining_ms() -> int | None:
    """The Lambda's remaining time, when the invocation tells (not every test context does)."""
    try:
        return int(router.lambda_context.get_remaining_time_in_millis())
    except Exception:  # noqa: BLE001 - no context, or one without the method
        return None


def profile(who_: Caller) -> Any:
    """The caller's profile (its title is Ayrshare's `profileTitle`)."""
    from herald.wiring import workspace_service

    return workspace_service().store.get_profile(who_.workspace_id, who_.profile_id)


def ref_id(who_: Caller) -> str:
    """Ayrshare's `refId` (a stable reference of the profile): Herald's profile id."""
    return who_.profile_id
