"""Pending OAuth connections in the table: one item per state, kept 5 minutes (TTL) and taken
once (a conditional delete); the table's TTL removes the ones never finished, so a state cannot be replayed."""

from __future__ import annotations

from typing import Any

from herald.accounts.connecting import PendingConnection
from herald.store import keys
from herald.store.codec import from_item, to_item
from herald.store.errors import is_conditional_failure

_SK = "OAUTH"


class OAuthStateStore:
    def __init__(self, client: Any, table_name: str) -> None:
        self._db = client
        self._table = table_name

    def _key(self, state_hash: str) -> dict[str, Any]:
        return {"PK": {"S": keys.oauth_state_pk(state_hash)}, "SK": {"S": _SK}}

    def add(self, pending: PendingConnection) -> None:
        item = to_item({"PK": keys.oauth_state_pk(pending.state_hash), "SK": _SK, "entity": "oauth_state",
                        **pending.model_dump(mode="python"),
                        "expires_at": int(pending.expires_at.timestamp())})  # the table's TTL attribute
        self._db.put_item(TableName=self._table, Item=item, ConditionExpression="attribute_not_exists(PK)")

    def peek(self, state_hash: str) -> PendingConnection | None:
        answer = self._db.get_item(TableName=self._table, Key=self._key(state_hash), ConsistentRead=True)
        return _pending(answer["Item"]) if "Item" in answer else None

    def take(self, state_hash: str) -> PendingConnection | None:
        """The pending connection, removed; None when there is none (unknown, or already taken)."""
        try:
            answer = self._db.delete_item(TableName=self._table, Key=self._key(state_hash),
                                          ConditionExpression="attribute_exists(PK)", ReturnValues="ALL_OLD")
        except Exception as exc:
            if is_conditional_failure(exc):
                return None
            raise
        return _pending(answer["Attributes"])


def _pending(item: dict[str, Any]) -> PendingConnection:
    values = from_item(item)
    return PendingConnection.model_validate({k: v for k, v in values.items() if k not in ("PK", "SK", "entity")})
