"""Media items in the single table: PK `WS#{workspace}`, SK `MEDIA#{media}`.

A pending item carries the table's TTL attribute `expires_at` (epoch seconds), so an upload
that never comes leaves nothing behind; inspecting it rewrites the item without one."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from herald.media.model import Media
from herald.media.service import MediaNotFound
from herald.store import keys
from herald.store.codec import from_item, to_item
from herald.store.errors import is_conditional_failure

_ROW_ONLY = ("PK", "SK", "entity", "expires_at")


def media_sk(media_id: str) -> str:
    return f"MEDIA#{media_id}"


class MediaStore:
    def __init__(self, client: Any, table_name: str) -> None:
        self._db = client
        self._table = table_name

    def _key(self, workspace_id: str, media_id: str) -> dict[str, Any]:
        return {"PK": {"S": keys.workspace_pk(workspace_id)}, "SK": {"S": media_sk(media_id)}}

    def _item(self, media: Media, expires_at: datetime | None) -> dict[str, Any]:
        values: dict[str, Any] = {
            "PK": keys.workspace_pk(media.workspace_id),
            "SK": media_sk(media.id),
            "entity": "media",
            **media.model_dump(mode="python"),
        }
        if expires_at is not None:
            values["expires_at"] = int(expires_at.timestamp())
        return to_item(values)

    def add(self, media: Media, expires_at: datetime) -> None:
        self._db.put_item(TableName=self._table, Item=self._item(media, expires_at),
                          ConditionExpression="attribute_not_exists(PK)")

    def get(self, workspace_id: str, media_id: str) -> Media | None:
        answer = self._db.get_item(TableName=self._table, Key=self._key(workspace_id, media_id), ConsistentRead=True)
        if "Item" not in answer:
            return None
        return Media.model_validate({k: v for k, v in from_item(answer["Item"]).items() if k not in _ROW_ONLY})

    def save(self, media: Media) -> None:
        """Replace an existing item (no TTL any more); MediaNotFound when it was deleted meanwhile."""
        try:
            self._db.put_item(TableName=self._table, Item=self._item(media, None),
                              ConditionExpression="attribute_exists(PK)")
        except Exception as exc:
            if is_conditional_failure(exc):
                raise MediaNotFound(f"No media {media.id}.") from exc
            raise

    def delete(self, workspace_id: str, media_id: str) -> None:
        self._db.delete_item(TableName=self._table, Key=self._key(workspace_id, media_id))
