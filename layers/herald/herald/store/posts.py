"""Posts in the table: the only code that reads or writes post items."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from herald.clock import to_iso
from herald.errors import ConcurrentModification, DuplicateIdempotencyKey, InvalidRequest, PostNotFound
from herald.posts.model import HISTORY_LIMIT, Post, PostStatus, PostTarget, StatusChange
from herald.posts.ports import IdempotencyRecord, PostFilter, PostPage
from herald.store import keys
from herald.store.codec import from_item, to_item, to_value
from herald.store.due_index import due_keys
from herald.store.errors import cancellation_codes, error_code, is_conditional_failure

_ROW_ONLY = ("PK", "SK", "GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK", "GSI3PK", "GSI3SK", "entity", "calendar_at",
             "platforms", "expires_at")
QUEUED = (PostStatus.PENDING_APPROVAL, PostStatus.SCHEDULED, PostStatus.PAUSED, PostStatus.PUBLISHING)
_MAX_PAGES = 10  # a filtered list reads at most this many pages before answering with a cursor


class PostStore:
    def __init__(self, client: Any, table_name: str, *, sweep_grace: timedelta, idempotency_ttl: timedelta) -> None:
        self._db = client
        self._table = table_name
        self._grace = sweep_grace
        self._idem_ttl = idempotency_ttl

    # --- rows ----------------------------------------------------------------------------

    def _row(self, post: Post) -> dict[str, Any]:
        values: dict[str, Any] = post.model_dump(mode="python")
        values.update(
            PK=keys.workspace_pk(post.workspace_id),
            SK=keys.post_sk(post.id),
            GSI1PK=keys.profile_posts_pk(post.workspace_id, post.profile_id),
            GSI1SK=post.id,
            entity="post",
            calendar_at=post.scheduled_at or post.created_at,
            platforms=post.platforms,
        )
        sweep_at = self._sweep_at(post)
        if sweep_at is not None:
            values.update(GSI2PK=keys.due_pk(post.id), GSI2SK=to_iso(sweep_at))
        if post.status in QUEUED:
            queued_at = post.scheduled_at or post.created_at
            values.update(
                GSI3PK=keys.profile_queue_pk(post.workspace_id, post.profile_id), GSI3SK=f"{to_iso(queued_at)}#{post.id}"
            )
        return to_item(values)

    def _sweep_at(self, post: Post) -> datetime | None:
        if post.status is PostStatus.SCHEDULED and post.due_at is not None:
            return post.due_at + self._grace
        if post.status is PostStatus.PUBLISHING:
            return post.lease_expires_at
        return None

    @staticmethod
    def _post(item: dict[str, Any]) -> Post:
        values = from_item(item)
        for name in _ROW_ONLY:
            values.pop(name, None)
        if len(values.get("history") or ()) > HISTORY_LIMIT:  # the claim appended past the limit
            values["history"] = values["history"][-HISTORY_LIMIT:]
        return Post.model_validate(values)

    def _key(self, workspace_id: str, post_id: str) -> dict[str, Any]:
        return {"PK": {"S": keys.workspace_pk(workspace_id)}, "SK": {"S": keys.post_sk(post_id)}}

    # --- PostRepository ------------------------------------------------------------------

    def insert(self, post: Post, idempotency: IdempotencyRecord | None) -> None:
        put_post = {
            "Put": {
                "TableName": self._table,
                "Item": self._row(post),
                "ConditionExpression": "attribute_not_exists(PK)",
            }
        }
        if idempotency is None:
            self._db.put_item(**put_post["Put"])
            return
        put_idem = {
            "Put": {
                "TableName": self._table,
                "Item": to_item(
                    {
                        "PK": keys.workspace_pk(post.workspace_id),
                        "SK": keys.idempotency_sk(post.profile_id, idempotency.key_hash),
                        "entity": "idempotency",
                        "body_hash": idempotency.body_hash,
                        "post_id": post.id,
                        "expires_at": int((post.created_at + self._idem_ttl).timestamp()),
                    }
                ),
                "ConditionExpression": "attribute_not_exists(PK)",
            }
        }
        try:
            self._db.transact_write_items(TransactItems=[put_post, put_idem])
        except Exception as exc:
            if error_code(exc) == "TransactionCanceledException" and "ConditionalCheckFailed" in cancellation_codes(exc):
                raise DuplicateIdempotencyKey("This Idempotency-Key is already in use.") from exc
            raise

    def remove_new(self, post: Post, idempotency: IdempotencyRecord | None) -> None:
        items = [{"Delete": {"TableName": self._table, "Key": self._key(post.workspace_id, post.id)}}]
        if idempotency is not None:
            items.append(
                {
                    "Delete": {
                        "TableName": self._table,
                        "Key": {
                            "PK": {"S": keys.workspace_pk(post.workspace_id)},
                            "SK": {"S": keys.idempotency_sk(post.profile_id, idempotency.key_hash)},
                        },
                    }
                }
            )
        self._db.transact_write_items(TransactItems=items)

    def find_idempotency(self, workspace_id: str, profile_id: str, key_hash: str) -> IdempotencyRecord | None:
        answer = self._db.get_item(
            TableName=self._table,
            Key={"PK": {"S": keys.workspace_pk(workspace_id)}, "SK": {"S": keys.idempotency_sk(profile_id, key_hash)}},
            ConsistentRead=True,
        )
        if "Item" not in answer:
            return None
        values = from_item(answer["Item"])
        return IdempotencyRecord(key_hash=key_hash, body_hash=values["body_hash"], post_id=values["post_id"])

    def get(self, workspace_id: str, post_id: str) -> Post:
        answer = self._db.get_item(TableName=self._table, Key=self._key(workspace_id, post_id), ConsistentRead=True)
        if "Item" not in answer:
            raise PostNotFound(f"No post {post_id}.")
        return self._post(answer["Item"])

    def save(self, post: Post, expected_version: int) -> None:
        try:
            self._db.put_item(
                TableName=self._table,
                Item=self._row(post),
                ConditionExpression="version = :expected",
                ExpressionAttributeValues={":expected": {"N": str(expected_version)}},
            )
        except Exception as exc:
            if is_conditional_failure(exc):
                raise ConcurrentModification(
                    f"Post {post.id} changed while this request was handled; read it again and retry."
                ) from exc
            raise

    def list(
        self, workspace_id: str, profile_id: str, filters: PostFilter, cursor: str | None, limit: int
    ) -> PostPage:
        partition = keys.profile_posts_pk(workspace_id, profile_id)
        query: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": "GSI1",
            "KeyConditionExpression": "GSI1PK = :pk",
            "ExpressionAttributeValues": {":pk": {"S": partition}},
            "ScanIndexForward": False,
            "Limit": max(limit, 25),
        }
        self._add_filters(query, filters)
        if cursor:
            query["ExclusiveStartKey"] = _decode_cursor(cursor, partition, "GSI1")
        return self._page(query, limit, "GSI1")

    def _page(self, query: dict[str, Any], limit: int, index: str) -> PostPage:
        """Up to `limit` posts from a (filtered) index query, reading at most _MAX_PAGES pages;
        the cursor resumes after the last post answered (or the last item read)."""
        found: list[dict[str, Any]] = []
        last: dict[str, Any] | None = None
        for _ in range(_MAX_PAGES):
            page = self._db.query(**query)
            found.extend(page.get("Items", []))
            last = page.get("LastEvaluatedKey")
            if len(found) >= limit or not last:
                break
            query["ExclusiveStartKey"] = last
        posts = found[:limit]
        if len(found) > limit:
            next_cursor: str | None = _encode_cursor_key({k: posts[-1][k] for k in _cursor_fields(index)})
        else:
            next_cursor = _encode_cursor_key(last) if last else None
        return PostPage([self._post(item) for item in posts], next_cursor)

    @staticmethod
    def _add_filters(query: dict[str, Any], filters: PostFilter) -> None:
        parts: list[str] = []
        names: dict[str, str] = {}
        values: dict[str, Any] = query["ExpressionAttributeValues"]
        if filters.statuses:
            names["#status"] = "status"
            placeholders = []
            for n, status in enumerate(filters.statuses):
                values[f":s{n}"] = to_value(status)
                placeholders.append(f":s{n}")
            parts.append(f"#status IN ({', '.join(placeholders)})")
        if filters.platform:
            values[":platform"] = to_value(filters.platform)
            parts.append("contains(platforms, :platform)")
        if filters.tag:
            values[":tag"] = to_value(filters.tag)
            parts.append("contains(tags, :tag)")
        if filters.campaign_id:
            values[":campaign"] = to_value(filters.campaign_id)
            parts.append("campaign_id = :campaign")
        if filters.tracking_id:
            values[":tracking"] = to_value(filters.tracking_id)
            parts.append("tracking_id = :tracking")
        if filters.start:
            values[":start"] = to_value(filters.start)
            parts.append("calendar_at >= :start")
        if filters.end:
            values[":end"] = to_value(filters.end)
            parts.append("calendar_at < :end")
        if parts:
            query["FilterExpression"] = " AND ".join(parts)
        if names:
            query["ExpressionAttributeNames"] = names

    def queue(
        self, workspace_id: str, profile_id: str, filters: PostFilter, cursor: str | None, limit: int
    ) -> tuple[PostPage, dict[str, int]]:
        """Posts waiting to publish, soonest first, and how many of each status the whole queue
        (within the date range) holds."""
        partition = keys.profile_queue_pk(workspace_id, profile_id)
        condition, values = "GSI3PK = :pk", {":pk": {"S": partition}}
        if filters.start and filters.end:
            condition += " AND GSI3SK BETWEEN :start AND :end"
            values.update({":start": to_value(to_iso(filters.start)), ":end": to_value(to_iso(filters.end))})
        elif filters.start:
            condition += " AND GSI3SK >= :start"
            values[":start"] = to_value(to_iso(filters.start))
        elif filters.end:
            condition += " AND GSI3SK < :end"
            values[":end"] = to_value(to_iso(filters.end))
        base: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": "GSI3",
            "KeyConditionExpression": condition,
            "ExpressionAttributeValues": values,
        }
        totals: dict[str, int] = {}
        counting = {**base, "ProjectionExpression": "#status", "ExpressionAttributeNames": {"#status": "status"}}
        while True:
            page = self._db.query(**counting)
            for item in page.get("Items", []):
                status = item["status"]["S"]
                totals[status] = totals.get(status, 0) + 1
            if "LastEvaluatedKey" not in page:
                break
            counting["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        query = {**base, "ExpressionAttributeValues": dict(values), "Limit": max(limit, 25)}
        self._add_filters(query, PostFilter(statuses=filters.statuses, platform=filters.platform,
                                            campaign_id=filters.campaign_id, tag=filters.tag,
                                            tracking_id=filters.tracking_id))
        if cursor:
            query["ExclusiveStartKey"] = _decode_cursor(cursor, partition, "GSI3")
        return self._page(query, limit, "GSI3"), totals

    # --- publishing ----------------------------------------------------------------------

    def claim(
        self,
        workspace_id: str,
        post_id: str,
        *,
        schedule_version: int | None,
        now: datetime,
        lease_id: str,
        lease_expires_at: datetime,
    ) -> Post | None:
        """scheduled -> publishing (due, and of the payload's schedule version), added to the post's
        history; or take over a publishing post whose lease expired (not a status change: no
        history entry, so a run that keeps dying does not grow the item). Each is one conditional
        update: of racing deliveries, exactly one wins; the rest get None."""
        values = {
            ":publishing": to_value(PostStatus.PUBLISHING),
            ":now": to_value(now),
            ":lease": to_value(lease_id),
            ":expires": to_value(lease_expires_at),
            ":one": {"N": "1"},
            ":due_pk": to_value(keys.due_pk(post_id)),
        }
        take = ("SET #status = :publishing, lease_id = :lease, lease_expires_at = :expires, "
                "version = version + :one, updated_at = :now, GSI2PK = :due_pk, GSI2SK = :expires")
        due = {
            ":scheduled": to_value(PostStatus.SCHEDULED),
            ":entry": to_value([StatusChange(at=now, status=PostStatus.PUBLISHING).model_dump()]),
            ":no_history": {"L": []},
        }
        condition = "#status = :scheduled AND due_at <= :now"
        if schedule_version is not None:
            due[":sv"] = {"N": str(schedule_version)}
            condition += " AND schedule_version = :sv"
        history = ", history = list_append(if_not_exists(history, :no_history), :entry)"
        claimed, refused = self._claim_update(workspace_id, post_id, take + history, condition, values | due)
        if claimed is not None or refused is None:
            return claimed
        own = self._own_claim(refused, lease_id)
        if own is not None:
            return own
        lapsed = refused.get("lease_expires_at", {}).get("S", "")
        if refused["status"]["S"] != PostStatus.PUBLISHING or not lapsed or lapsed >= to_iso(now):
            return None
        claimed, refused = self._claim_update(
            workspace_id, post_id, take, "#status = :publishing AND lease_expires_at < :now", values
        )
        if claimed is None and refused is not None:
            return self._own_claim(refused, lease_id)
        return claimed

    def _claim_update(
        self, workspace_id: str, post_id: str, expression: str, condition: str, values: dict[str, Any]
    ) -> tuple[Post | None, dict[str, Any] | None]:
        """(the claimed post, None), or (None, the item as it was when the condition refused)."""
        try:
            answer = self._db.update_item(
                TableName=self._table,
                Key=self._key(workspace_id, post_id),
                UpdateExpression=expression,
                ConditionExpression=condition,
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues=values,
                ReturnValues="ALL_NEW",
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except Exception as exc:
            if is_conditional_failure(exc):
                return None, getattr(exc, "response", {}).get("Item")
            raise
        return self._post(answer["Attributes"]), None

    def _own_claim(self, item: dict[str, Any], lease_id: str) -> Post | None:
        """The post, when the item that refused the claim holds this very lease: botocore retried
        the update after losing the answer of an attempt that did apply (a read timeout)."""
        if item.get("lease_id", {}).get("S") == lease_id and item["status"]["S"] == PostStatus.PUBLISHING:
            return self._post(item)
        return None

    def write_target(
        self, workspace_id: str, post_id: str, index: int, target: PostTarget, *, lease_id: str, now: datetime
    ) -> bool:
        """Record one target's state, only while this run still holds the lease."""
        try:
            self._db.update_item(
                TableName=self._table,
                Key=self._key(workspace_id, post_id),
                UpdateExpression=f"SET targets[{index}] = :target, version = version + :one, updated_at = :now",
                ConditionExpression="#status = :publishing AND lease_id = :lease",
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues={
                    ":target": to_value(target.model_dump(mode="python")),
                    ":one": {"N": "1"},
                    ":now": to_value(now),
                    ":publishing": to_value(PostStatus.PUBLISHING),
                    ":lease": to_value(lease_id),
                },
            )
        except Exception as exc:
            if is_conditional_failure(exc):
                return False
            raise
        return True

    def due(self, now: datetime, limit: int) -> Iterator[tuple[str, str]]:
        """(workspace_id, post_id) of posts the sweeper should look at: scheduled ones past their
        grace, publishing ones past their lease."""
        for pk, sk in due_keys(self._db, self._table, keys.due_pks(), to_iso(now), limit):
            yield pk.removeprefix("WS#"), sk.removeprefix("POST#")


def _encode_cursor_key(key: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(key, separators=(",", ":")).encode()).decode().rstrip("=")


def _cursor_fields(index: str) -> tuple[str, ...]:
    return ("PK", "SK", f"{index}PK", f"{index}SK")


def _decode_cursor(cursor: str, partition: str, index: str) -> dict[str, Any]:
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        valid = (
            isinstance(key, dict)
            and key.get(f"{index}PK") == {"S": partition}
            and set(key) == set(_cursor_fields(index))
        )
    except (ValueError, binascii.Error, UnicodeDecodeError):
        valid = False
    if not valid:
        raise InvalidRequest("The cursor is not one this list gave out.", details=[{"field": "cursor"}])
    return key
