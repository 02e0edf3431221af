"""/v1/api-keys and /v1/profiles: workspace administration (admin role)."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body, Path

from herald.api.context import principal
from herald.api.errors import documented
from herald.api.models import (
    ApiKeyCreatedResponse,
    ApiKeyListResponse,
    ApiKeyResponse,
    CreateApiKeyRequest,
    CreateProfileRequest,
    ProfileListResponse,
    ProfileResponse,
    UpdateProfileRequest,
)
from herald.wiring import workspace_service
from herald.workspaces.model import Role

router = Router()

ResourceId = Annotated[str, Path(min_length=1, max_length=64)]


@router.post(
    "/api-keys",
    status_code=201,
    tags=["admin"],
    summary="Issue an API key (its secret is shown once)",
    responses=documented(ok=201),
)
def create_api_key(body: Annotated[CreateApiKeyRequest, Body()]) -> tuple[ApiKeyCreatedResponse, int]:
    who = principal(router, Role.ADMIN)
    issued = workspace_service().issue_key(who.workspace_id, body.name, body.role)
    return ApiKeyCreatedResponse(key=issued.secret, api_key=ApiKeyResponse.of(issued.key)), 201


@router.get("/api-keys", tags=["admin"], summary="List the workspace's API keys", responses=documented())
def list_api_keys() -> ApiKeyListResponse:
    who = principal(router, Role.ADMIN)
    return ApiKeyListResponse(api_keys=[ApiKeyResponse.of(k) for k in workspace_service().list_keys(who.workspace_id)])


@router.delete("/api-keys/<key_id>", tags=["admin"], summary="Revoke an API key", responses=documented(404))
def revoke_api_key(key_id: ResourceId) -> ApiKeyResponse:
    who = principal(router, Role.ADMIN)
    return ApiKeyResponse.of(workspace_service().revoke_key(who, key_id))


@router.post(
    "/profiles",
    status_code=201,
    tags=["admin"],
    summary="Create a profile (a brand or client)",
    description="Its name must be unique in the workspace, ignoring case (else 409 `conflict`); its `timezone` "
    "(UTC unless given) is where its calendar is shown (an unknown one: 422 `invalid_timezone`).",
    responses=documented(409, ok=201),
)
def create_profile(body: Annotated[CreateProfileRequest, Body()]) -> tuple[ProfileResponse, int]:
    who = principal(router, Role.ADMIN)
    service = workspace_service()
    profile = service.create_profile(who.workspace_id, body.name, body.timezone)
    return ProfileResponse.of(profile, who.default_profile_id), 201


@router.get("/profiles", tags=["admin"], summary="List profiles", responses=documented())
def list_profiles() -> ProfileListResponse:
    who = principal(router, Role.VIEWER)
    service = workspace_service()
    default = who.default_profile_id
    return ProfileListResponse(
        profiles=[ProfileResponse.of(p, default) for p in service.list_profiles(who.workspace_id)]
    )


@router.patch(
    "/profiles/<profile_id>",
    tags=["admin"],
    summary="Rename a profile or change its time zone",
    description="Changes what is given. A new name must be unique in the workspace, ignoring case (else 409 "
    "`conflict`); an unknown `timezone` answers 422 `invalid_timezone`.",
    responses=documented(404, 409),
)
def update_profile(profile_id: ResourceId, body: Annotated[UpdateProfileRequest, Body()]) -> ProfileResponse:
    who = principal(router, Role.ADMIN)
    profile = workspace_service().update_profile(who.workspace_id, profile_id, name=body.name, timezone=body.timezone)
    return ProfileResponse.of(profile, who.default_profile_id)


@router.delete("/profiles/<profile_id>", tags=["admin"], summary="Delete a profile", responses=documented(404))
def delete_profile(profile_id: ResourceId) -> ProfileResponse:
    who = principal(router, Role.ADMIN)
    service = workspace_service()
    profile = service.delete_profile(who.workspace_id, profile_id)
    return ProfileResponse.of(profile, who.default_profile_id)
