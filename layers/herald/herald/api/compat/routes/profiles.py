"""/api/profiles: create (also `profiles/create-profile`; the profileKey is shown once), list
(title and refId, never the key), delete (also `profiles/delete-profile`; the profile named by the
Profile-Key header or the body's `profileKey`), rename (`PUT profiles/profile`, and the current
`PATCH profiles`). Titles are unique per workspace ignoring case: the store enforces it (146)."""

from __future__ import annotations

from typing import Annotated

from pydantic import ConfigDict, Field

from herald.accounts.model import AccountStatus
from herald.api.compat import codes, dates, names
from herald.api.compat.errors import AyrshareError, answer, guarded
from herald.api.compat.inputs import as_int, json_body, model, query
from herald.api.compat.router import router
from herald.api.context import principal
from herald.errors import ProfileTitleTaken
from herald.pydantic_base import Model
from herald.wiring import account_service, workspace_service
from herald.workspaces.model import Profile, Role


class CreateProfileBody(Model):
    model_config = ConfigDict(extra="allow", strict=True)  # disableSocial, tags, team, ... are not modelled: ignored

    title: Annotated[str, Field(min_length=1, max_length=256)]


def _active_networks(workspace_id: str, profile_id: str) -> list[str]:
    accounts = account_service().list(workspace_id, profile_id)
    return sorted({names.ayrshare_name(a.platform) for a in accounts if a.status is AccountStatus.ACTIVE})


def _title_exists(exc: ProfileTitleTaken, title: str) -> AyrshareError:
    return AyrshareError(f"A profile titled {title.strip()!r} already exists.", herald_code=exc.code,
                         code=codes.PROFILE_TITLE_EXISTS, action="profiles")


def _create():  # type: ignore[no-untyped-def]
    body = model(CreateProfileBody, json_body(router))
    who = principal(router, Role.ADMIN)
    try:
        created = workspace_service().create_profile(who.workspace_id, body.title)
    except ProfileTitleTaken as taken:
        raise _title_exists(taken, body.title) from taken
    return answer({"status": "success", "title": created.name, "refId": created.id,
                   "profileKey": created.profile_key})


@router.post("/profiles", include_in_schema=False)
@guarded("profiles")
def create_profile():  # type: ignore[no-untyped-def]
    return _create()


@router.post("/profiles/create-profile", include_in_schema=False)
@guarded("profiles")
def create_profile_older_path():  # type: ignore[no-untyped-def]
    return _create()


def _listed(profile: Profile, networks: list[str], default_profile_id: str) -> dict[str, object]:
    return {"title": profile.name, "refId": profile.id, "created": dates.iso(profile.created_at),
            "activeSocialAccounts": networks, "isDefault": profile.id == default_profile_id}


@router.get("/profiles", include_in_schema=False)
@guarded("profiles")
def list_profiles():  # type: ignore[no-untyped-def]
    params = query(router)
    limit = as_int(params.get("limit"), "limit", default=5000, low=1, high=5000)
    who = principal(router, Role.VIEWER)
    found = []
    for item in workspace_service().list_profiles(who.workspace_id):
        if params.get("title") and item.name != params["title"]:
            continue
        if params.get("refId") and item.id != params["refId"]:
            continue
        networks = _active_networks(who.workspace_id, item.id)
        if str(params.get("hasActiveSocialAccounts", "")).lower() in ("true", "false"):
            if bool(networks) != (params["hasActiveSocialAccounts"].lower() == "true"):
                continue
        found.append(_listed(item, networks, who.default_profile_id))
        if len(found) == limit:
            break
    return answer({"profiles": found, "count": len(found)})


def _delete():  # type: ignore[no-untyped-def]
    raw = json_body(router, required=False)
    who = principal(router, Role.ADMIN)
    headers = router.current_event.headers or {}
    key = raw.get("profileKey") or next((v for k, v in headers.items() if k.lower() == "profile-key"), None)
    if not isinstance(key, str) or not key:
        raise AyrshareError("Name the profile to delete: the Profile-Key header or `profileKey` in the body.",
                            action="profiles")
    service = workspace_service()
    target = service.store.find_profile_by_key(who.workspace_id, key)
    deleted = service.delete_profile(who.workspace_id, target.id)
    return answer({"status": "success", "title": deleted.name, "refId": deleted.id})


@router.delete("/profiles", include_in_schema=False)
@guarded("profiles")
def delete_profile():  # type: ignore[no-untyped-def]
    return _delete()


@router.delete("/profiles/delete-profile", include_in_schema=False)
@guarded("profiles")
def delete_profile_older_path():  # type: ignore[no-untyped-def]
    return _delete()


def _rename():  # type: ignore[no-untyped-def]
    """The profile of the Profile-Key header, else of `profileKey` in the body, else the key's
    default profile, gets `title`. Other fields (disableSocial, tags, ...) are ignored."""
    raw = json_body(router)
    body = model(CreateProfileBody, raw)
    who = principal(router, Role.ADMIN)
    headers = router.current_event.headers or {}
    key = next((v for k, v in headers.items() if k.lower() == "profile-key"), None) or raw.get("profileKey")
    if key is not None and (not isinstance(key, str) or not key):
        raise AyrshareError("`profileKey` must be a Profile Key.", action="profiles")
    service = workspace_service()
    profile_id = service.store.find_profile_by_key(who.workspace_id, key).id if key else who.default_profile_id
    try:
        renamed = service.rename_profile(who.workspace_id, profile_id, body.title)
    except ProfileTitleTaken as taken:
        raise _title_exists(taken, body.title) from taken
    return answer({"status": "success", "title": renamed.name, "refId": renamed.id})


@router.put("/profiles/profile", include_in_schema=False)
@guarded("profiles")
def update_profile():  # type: ignore[no-untyped-def]
    return _rename()


@router.patch("/profiles", include_in_schema=False)
@guarded("profiles")
def update_profile_current_path():  # type: ignore[no-untyped-def]
    return _rename()
