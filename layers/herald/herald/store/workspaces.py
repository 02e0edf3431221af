"""Workspaces, profiles and API keys in the table."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from herald.errors import ApiKeyNotFound, ConcurrentModification, Conflict, NotFound, ProfileNotFound, ProfileTitleTaken
from herald.store import keys
from herald.store.codec import from_item, to_item, to_value
from herald.store.errors import cancellation_codes, error_code, is_conditional_failure
from herald.workspaces.model import ApiKey, Profile, Workspace

_NOT_EXISTS = "attribute_not_exists(PK)"


def _strip(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if k not in ("PK", "SK", "GSI1PK", "GSI1SK", "entity", "key_hash")}


class WorkspaceStore:
    def __init__(self, client: Any, table_name: str) -> None:
        self._db = client
        self._table = table_name

    def _put(self, item: dict[str, Any], condition: str = _NOT_EXISTS) -> dict[str, Any]:
        return {"Put": {"TableName": self._table, "Item": to_item(item), "ConditionExpression": condition}}

    def _profile_items(self, profile: Profile) -> list[dict[str, Any]]:
        """The profile, its Profile-Key pointer and its name pointer (the name's third: a taken
        name fails that item)."""
        pk = keys.workspace_pk(profile.workspace_id)
        return [
            self._put({"PK": pk, "SK": keys.profile_sk(profile.id), "entity": "profile", **profile.model_dump()}),
            self._put(
                {"PK": pk, "SK": keys.profile_key_sk(profile.profile_key), "entity": "profile_key",
                 "profile_id": profile.id}
            ),
            self._title_item(profile.workspace_id, profile.name, profile.id),
        ]

    def _title_item(self, workspace_id: str, name: str, profile_id: str,
                    condition: str = _NOT_EXISTS) -> dict[str, Any]:
        item = self._put({"PK": keys.workspace_pk(workspace_id), "SK": keys.profile_title_sk(name),
                          "entity": "profile_title", "profile_id": profile_id}, condition)
        if condition != _NOT_EXISTS:
            item["Put"]["ExpressionAttributeValues"] = {":profile": {"S": profile_id}}
        return item

    def _key_item(self, key: ApiKey, key_hash: str) -> dict[str, Any]:
        return self._put(
            {
                "PK": keys.api_key_pk(key_hash),
                "SK": "META",
                "GSI1PK": keys.workspace_keys_pk(key.workspace_id),
                "GSI1SK": key.id,
                "entity": "api_key",
                "key_hash": key_hash,
                **key.model_dump(),
            }
        )

    def create_workspace(self, workspace: Workspace, profile: Profile, key: ApiKey, key_hash: str) -> None:
        items = [
            self._put({"PK": keys.workspace_pk(workspace.id), "SK": "META", "entity": "workspace",
                       **workspace.model_dump()}),
            *self._profile_items(profile),
            self._key_item(key, key_hash),
        ]
        self._transact(items, "That API key is already in use.")

    def get_workspace(self, workspace_id: str) -> Workspace:
        item = self._get(keys.workspace_pk(workspace_id), "META")
        if item is None:
            raise NotFound(f"No workspace {workspace_id}.")
        return Workspace.model_validate(_strip(item))

    # --- API keys --------------------------------------------------------------------------

    def add_api_key(self, key: ApiKey, key_hash: str) -> None:
        self._transact([self._key_item(key, key_hash)], "That API key is already in use.")

    def find_api_key(self, key_hash: str) -> ApiKey | None:
        item = self._get(keys.api_key_pk(key_hash), "META")
        return None if item is None else ApiKey.model_validate(_strip(item))

    def list_api_keys(self, workspace_id: str) -> list[ApiKey]:
        items = self._query_gsi1(keys.workspace_keys_pk(workspace_id))
        return [ApiKey.model_validate(_strip(from_item(i))) for i in items]

    def revoke_api_key(self, workspace_id: str, key_id: str, now: datetime) -> ApiKey:
        answer = self._db.query(
            TableName=self._table,
            IndexName="GSI1",
            KeyConditionExpression="GSI1PK = :pk AND GSI1SK = :id",
            ExpressionAttributeValues={":pk": {"S": keys.workspace_keys_pk(workspace_id)}, ":id": {"S": key_id}},
        )
        if not answer.get("Items"):
            raise ApiKeyNotFound(f"No API key {key_id}.")
        item = answer["Items"][0]
        updated = self._db.update_item(
            TableName=self._table,
            Key={"PK": item["PK"], "SK": item["SK"]},
            UpdateExpression="SET revoked_at = if_not_exists(revoked_at, :now)",
            ExpressionAttributeValues={":now": to_value(now)},
            ReturnValues="ALL_NEW",
        )
        return ApiKey.model_validate(_strip(from_item(updated["Attributes"])))

    # --- profiles --------------------------------------------------------------------------

    def add_profile(self, profile: Profile) -> None:
        """Raises ProfileTitleTaken when another profile of the workspace has the name (two
        creates racing for one name: exactly one succeeds)."""
        try:
            self._db.transact_write_items(TransactItems=self._profile_items(profile))
        except Exception as exc:
            reasons = _cancelled(exc)
            if reasons is None:
                raise
            if reasons[2:3] == ["ConditionalCheckFailed"]:
                raise _title_taken(profile.name) from exc
            raise Conflict("That profile already exists.") from exc

    def rename_profile(self, profile: Profile, name: str, *, timezone: str | None = None) -> Profile:
        """Give `profile` (as read) the name `name` (and `timezone`, if given), moving its name
        pointer in the same transaction: ProfileTitleTaken when another profile has the name,
        ConcurrentModification when the profile was renamed or deleted meanwhile."""
        pk = {"S": keys.workspace_pk(profile.workspace_id)}
        zone = timezone or profile.timezone
        update = {
            "Update": {
                "TableName": self._table,
                "Key": {"PK": pk, "SK": {"S": keys.profile_sk(profile.id)}},
                "UpdateExpression": "SET #name = :new, #zone = :zone",
                "ConditionExpression": "#name = :old AND (attribute_not_exists(deleted) OR deleted = :no)",
                "ExpressionAttributeNames": {"#name": "name", "#zone": "timezone"},
                "ExpressionAttributeValues": {":new": {"S": name}, ":old": {"S": profile.name}, ":no": {"BOOL": False},
                                              ":zone": {"S": zone}},
            }
        }
        mine = "attribute_not_exists(PK) OR profile_id = :profile"
        items = [update]
        if keys.profile_title_sk(name) == keys.profile_title_sk(profile.name):  # the same name, recased
            items.append(self._title_item(profile.workspace_id, name, profile.id, mine))
        else:
            items.append(self._title_item(profile.workspace_id, name, profile.id))
            items.append({"Delete": {
                "TableName": self._table, "Key": {"PK": pk, "SK": {"S": keys.profile_title_sk(profile.name)}},
                "ConditionExpression": mine, "ExpressionAttributeValues": {":profile": {"S": profile.id}},
            }})
        try:
            self._db.transact_write_items(TransactItems=items)
        except Exception as exc:
            reasons = _cancelled(exc)
            if reasons is None:
                raise
            if reasons[1:2] == ["ConditionalCheckFailed"]:
                raise _title_taken(name) from exc
            raise ConcurrentModification(
                f"Profile {profile.id} changed while it was being renamed; read it again and retry."
            ) from exc
        return profile.model_copy(update={"name": name, "timezone": zone})

    def set_profile_timezone(self, profile: Profile, timezone: str) -> Profile:
        """Set the time zone of `profile` (as read): ProfileNotFound when it was deleted meanwhile."""
        try:
            answer = self._db.update_item(
                TableName=self._table,
                Key={"PK": {"S": keys.workspace_pk(profile.workspace_id)}, "SK": {"S": keys.profile_sk(profile.id)}},
                UpdateExpression="SET #zone = :zone",
                ConditionExpression="attribute_exists(PK) AND (attribute_not_exists(deleted) OR deleted = :no)",
                ExpressionAttributeNames={"#zone": "timezone"},
                ExpressionAttributeValues={":zone": {"S": timezone}, ":no": {"BOOL": False}},
                ReturnValues="ALL_NEW",
            )
        except Exception as exc:
            if is_conditional_failure(exc):
                raise ProfileNotFound(f"No profile {profile.id}.") from exc
            raise
        return Profile.model_validate(_strip(from_item(answer["Attributes"])))

    def get_profile(self, workspace_id: str, profile_id: str) -> Profile:
        item = self._get(keys.workspace_pk(workspace_id), keys.profile_sk(profile_id))
        if item is None or item.get("deleted"):
            raise ProfileNotFound(f"No profile {profile_id}.")
        return Profile.model_validate(_strip(item))

    def find_profile_by_key(self, workspace_id: str, profile_key: str) -> Profile:
        pointer = self._get(keys.workspace_pk(workspace_id), keys.profile_key_sk(profile_key))
        if pointer is None:
            raise ProfileNotFound("No profile has that Profile-Key.")
        return self.get_profile(workspace_id, pointer["profile_id"])

    def list_profiles(self, workspace_id: str) -> list[Profile]:
        answer = self._db.query(
            TableName=self._table,
            KeyConditionExpression="PK = :pk AND begins_with(SK, :prefix)",
            ExpressionAttributeValues={":pk": {"S": keys.workspace_pk(workspace_id)}, ":prefix": {"S": "PROFILE#"}},
            ConsistentRead=True,
        )
        profiles = [Profile.model_validate(_strip(from_item(i))) for i in answer.get("Items", [])]
        return [p for p in profiles if not p.deleted]

    def delete_profile(self, profile: Profile) -> None:
        """Mark the profile deleted and remove its pointers (its name is free again)."""
        pk = {"S": keys.workspace_pk(profile.workspace_id)}
        items: list[dict[str, Any]] = [
            {
                "Update": {
                    "TableName": self._table,
                    "Key": {"PK": pk, "SK": {"S": keys.profile_sk(profile.id)}},
                    "UpdateExpression": "SET deleted = :yes",
                    "ExpressionAttributeValues": {":yes": {"BOOL": True}},
                }
            },
            {
                "Delete": {
                    "TableName": self._table,
                    "Key": {"PK": pk, "SK": {"S": keys.profile_key_sk(profile.profile_key)}},
                }
            },
            {
                "Delete": {  # only its own: a name pointer is never taken from another profile
                    "TableName": self._table,
                    "Key": {"PK": pk, "SK": {"S": keys.profile_title_sk(profile.name)}},
                    "ConditionExpression": "attribute_not_exists(PK) OR profile_id = :profile",
                    "ExpressionAttributeValues": {":profile": {"S": profile.id}},
                }
            },
        ]
        try:
            self._db.transact_write_items(TransactItems=items)
        except Exception as exc:
            if _cancelled(exc) is None:
                raise
            self._db.transact_write_items(TransactItems=items[:2])  # the name is another profile's

    # --- helpers ---------------------------------------------------------------------------

    def _get(self, pk: str, sk: str) -> dict[str, Any] | None:
        answer = self._db.get_item(TableName=self._table, Key={"PK": {"S": pk}, "SK": {"S": sk}}, ConsistentRead=True)
        return from_item(answer["Item"]) if "Item" in answer else None

    def _query_gsi1(self, partition: str) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        query: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": "GSI1",
            "KeyConditionExpression": "GSI1PK = :pk",
            "ExpressionAttributeValues": {":pk": {"S": partition}},
        }
        while True:
            page = self._db.query(**query)
            items.extend(page.get("Items", []))
            if "LastEvaluatedKey" not in page:
                return items
            query["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def _transact(self, items: list[dict[str, Any]], conflict_message: str) -> None:
        try:
            self._db.transact_write_items(TransactItems=items)
        except Exception as exc:
            failed = error_code(exc) == "TransactionCanceledException" and (
                "ConditionalCheckFailed" in cancellation_codes(exc)
            )
            if failed or is_conditional_failure(exc):
                raise Conflict(conflict_message) from exc
            raise


def _cancelled(exc: Exception) -> list[str] | None:
    """The per-item reasons of a transaction cancelled by a condition; None for any other failure."""
    if error_code(exc) == "TransactionCanceledException" and "ConditionalCheckFailed" in cancellation_codes(exc):
        return cancellation_codes(exc)
    return None


def _title_taken(name: str) -> ProfileTitleTaken:
    return ProfileTitleTaken(
        f"A profile named {name.strip()!r} already exists in this workspace (names are compared ignoring case).",
        details=[{"field": "name", "value": name, "issue": "taken"}],
    )
