"""/v1/me: who the API key is, the profile the request acts on, and what the key may do (any role)."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query

from herald.api.context import caller, principal
from herald.api.errors import documented
from herald.api.models import AbilitiesResponse, KeyIdentityResponse, MeResponse, ProfileResponse
from herald.wiring import workspace_service
from herald.workspaces.model import Role

router = Router()

ProfileQuery = Annotated[str | None, Query(max_length=64, description="Else the Profile-Key header, else the default")]


@router.get(
    "/me",
    tags=["meta"],
    summary="Who this API key is and what it may do",
    description="The key (never its secret), its workspace, the profile the request acts on (chosen as on every "
    "route: `Profile-Key`, else `profile_id`, else the default), the workspace's profiles, and what the "
    "key's role allows (`can`).",
    responses=documented(404),
)
def who_am_i(profile_id: ProfileQuery = None) -> MeResponse:
    acting = caller(router, Role.VIEWER, profile_id)
    who = principal(router, Role.VIEWER)
    service = workspace_service()
    profiles = service.list_profiles(who.workspace_id)
    profile = next((p for p in profiles if p.id == acting.profile_id), None)
    if profile is None:  # deleted since it was resolved: answers 404 profile_not_found
        profile = service.store.get_profile(who.workspace_id, acting.profile_id)
    default = who.default_profile_id
    return MeResponse(
        key=KeyIdentityResponse(id=who.key_id, name=who.key_name, role=who.role, hint=who.key_hint),
        workspace_id=who.workspace_id,
        profile=ProfileResponse.of(profile, default),
        profiles=[ProfileResponse.of(p, default) for p in profiles],
        can=AbilitiesResponse.of(who.role),
    )
