"""Workspace administration and authentication."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from herald.clock import Clock
from herald.errors import Forbidden, InvalidRequest, Unauthenticated
from herald.ids import new_id, new_secret
from herald.store.workspaces import WorkspaceStore
from herald.workspaces.model import ApiKey, Principal, Profile, Role, Workspace
from herald.workspaces.zones import check_timezone

MIN_KEY_LENGTH = 24


def hash_key(plain: str) -> str:
    return hashlib.sha256(plain.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedKey:
    key: ApiKey
    secret: str  # shown once, never stored


@dataclass
class WorkspaceService:
    store: WorkspaceStore
    clock: Clock

    def create_workspace(
        self, name: str, api_key: str | None = None, timezone: str = "UTC"
    ) -> tuple[Workspace, Profile, IssuedKey]:
        now = self.clock.now()
        workspace_id = new_id("ws")
        profile = Profile(
            id=new_id("prf"), workspace_id=workspace_id, name="Default", profile_key=new_secret("pk", 18),
            created_at=now, timezone=check_timezone(timezone),
        )
        workspace = Workspace(id=workspace_id, name=name, default_profile_id=profile.id, created_at=now)
        issued = self._new_key(workspace_id, profile.id, "admin (first key)", Role.ADMIN, api_key)
        self.store.create_workspace(workspace, profile, issued.key, hash_key(issued.secret))
        return workspace, profile, issued

    def _new_key(
        self, workspace_id: str, default_profile_id: str, name: str, role: Role, secret: str | None = None
    ) -> IssuedKey:
        secret = secret or new_secret("hk")
        if len(secret) < MIN_KEY_LENGTH:
            raise InvalidRequest(f"An API key needs at least {MIN_KEY_LENGTH} characters.")
        key = ApiKey(
            id=new_id("key"), workspace_id=workspace_id, name=name, role=role, hint=secret[:7],
            default_profile_id=default_profile_id, created_at=self.clock.now(),
        )
        return IssuedKey(key, secret)

    def issue_key(self, workspace_id: str, name: str, role: Role) -> IssuedKey:
        workspace = self.store.get_workspace(workspace_id)
        issued = self._new_key(workspace_id, workspace.default_profile_id, name, role)
        self.store.add_api_key(issued.key, hash_key(issued.secret))
        return issued

    def list_keys(self, workspace_id: str) -> list[ApiKey]:
        return sorted(self.store.list_api_keys(workspace_id), key=lambda k: k.id)

    def revoke_key(self, principal: Principal, key_id: str) -> ApiKey:
        if key_id == principal.key_id:
            raise InvalidRequest("A key cannot revoke itself; use another admin key.")
        return self.store.revoke_api_key(principal.workspace_id, key_id, self.clock.now())

    def authenticate(self, secret: str | None) -> Principal:
        if not secret:
            raise Unauthenticated("Send an API key as `Authorization: Bearer <key>`.")
        key = self.store.find_api_key(hash_key(secret))
        if key is None or key.revoked_at is not None:
            raise Unauthenticated("The API key is unknown or revoked.")
        return Principal(
            workspace_id=key.workspace_id, key_id=key.id, role=key.role, default_profile_id=key.default_profile_id,
            key_name=key.name, key_hint=key.hint,
        )

    # --- profiles --------------------------------------------------------------------------

    def create_profile(self, workspace_id: str, name: str, timezone: str = "UTC") -> Profile:
        """A new profile; its name (trimmed) must be unique in the workspace ignoring case, which
        the store enforces (ProfileTitleTaken, even for two creates racing). `timezone`: an IANA
        name (InvalidTimezone)."""
        profile = Profile(
            id=new_id("prf"), workspace_id=workspace_id, name=_profile_name(name), profile_key=new_secret("pk", 18),
            created_at=self.clock.now(), timezone=check_timezone(timezone),
        )
        self.store.add_profile(profile)
        return profile

    def rename_profile(self, workspace_id: str, profile_id: str, name: str) -> Profile:
        """Give the profile another name (unique in the workspace ignoring case: ProfileTitleTaken)."""
        return self.update_profile(workspace_id, profile_id, name=name)

    def update_profile(
        self, workspace_id: str, profile_id: str, *, name: str | None = None, timezone: str | None = None
    ) -> Profile:
        """Change what is given: the name (unique in the workspace ignoring case:
        ProfileTitleTaken) and the time zone (an IANA name: InvalidTimezone), in one write."""
        new_name = _profile_name(name) if name is not None else None
        new_zone = check_timezone(timezone) if timezone is not None else None
        profile = self.store.get_profile(workspace_id, profile_id)
        new_name = new_name if new_name is not None else profile.name
        new_zone = new_zone if new_zone is not None else profile.timezone
        if new_name != profile.name:
            return self.store.rename_profile(profile, new_name, timezone=new_zone)
        if new_zone != profile.timezone:
            return self.store.set_profile_timezone(profile, new_zone)
        return profile

    def list_profiles(self, workspace_id: str) -> list[Profile]:
        return sorted(self.store.list_profiles(workspace_id), key=lambda p: p.id)

    def delete_profile(self, workspace_id: str, profile_id: str) -> Profile:
        workspace = self.store.get_workspace(workspace_id)
        if profile_id == workspace.default_profile_id:
            raise InvalidRequest("The workspace's default profile cannot be deleted.")
        profile = self.store.get_profile(workspace_id, profile_id)
        self.store.delete_profile(profile)
        return profile

    def resolve_profile(self, principal: Principal, profile_key: str | None, profile_id: str | None) -> str:
        """The id of the profile a request acts on: `Profile-Key` header, else `profile_id`, else
        the workspace's default (known from the key, so it costs no read)."""
        if profile_key:
            return self.store.find_profile_by_key(principal.workspace_id, profile_key).id
        if profile_id and profile_id != principal.default_profile_id:
            return self.store.get_profile(principal.workspace_id, profile_id).id
        return principal.default_profile_id


def _profile_name(name: str) -> str:
    trimmed = name.strip()
    if not trimmed:
        raise InvalidRequest("A profile needs a name.", details=[{"field": "name", "issue": "required"}])
    return trimmed


def require_role(principal: Principal, needed: Role) -> None:
    if not principal.role.allows(needed):
        raise Forbidden(
            f"This needs the {needed.value} role; the key has {principal.role.value}.",
            details=[{"required_role": needed.value, "role": principal.role.value}],
        )
