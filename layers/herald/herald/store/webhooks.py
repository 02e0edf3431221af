"""Webhook endpoints (secrets sealed like account tokens) and their delivery logs in the table."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from herald.clock import to_iso
from herald.errors import ConcurrentModification, InvalidRequest, NotFound
from herald.sealing import Sealer
from herald.store import keys
from herald.store.codec import from_item, to_item
from herald.store.errors import is_conditional_failure
from herald.webhooks.model import Delivery, Webhook, WebhookStatus

_ROW_ONLY = ("PK", "SK", "entity", "sealed_secret", "expires_at")
_DELIVERY_ID = re.compile(r"^dlv_[0-9a-z]{26}$")


class WebhookNotFound(NotFound):
    code = "webhook_not_found"


class DeliveryNotFound(NotFound):
    code = "delivery_not_found"


def _context(webhook: Webhook) -> dict[str, str]:
    return {"workspace_id": webhook.workspace_id, "webhook_id": webhook.id}


class WebhookStore:
    def __init__(self, client: Any, table_name: str, sealer: Sealer) -> None:
        self._db = client
        self._table = table_name
        self._sealer = sealer

    def _key(self, workspace_id: str, profile_id: str, webhook_id: str) -> dict[str, Any]:
        return {"PK": {"S": keys.workspace_pk(workspace_id)}, "SK": {"S": keys.webhook_sk(profile_id, webhook_id)}}

    @staticmethod
    def _webhook(item: dict[str, Any]) -> Webhook:
        return Webhook.model_validate({k: v for k, v in from_item(item).items() if k not in _ROW_ONLY})

    # --- endpoints ---------------------------------------------------------------------------

    def add(self, webhook: Webhook, secret: str) -> None:
        sealed = self._sealer.seal({"secret": secret}, _context(webhook))
        item = to_item({"PK": keys.workspace_pk(webhook.workspace_id),
                        "SK": keys.webhook_sk(webhook.profile_id, webhook.id), "entity": "webhook",
                        **webhook.model_dump(mode="python"), "sealed_secret": sealed})
        self._db.put_item(TableName=self._table, Item=item, ConditionExpression="attribute_not_exists(PK)")

    def get(self, workspace_id: str, profile_id: str, webhook_id: str) -> Webhook:
        answer = self._db.get_item(TableName=self._table, Key=self._key(workspace_id, profile_id, webhook_id),
                                   ConsistentRead=True)
        if "Item" not in answer:
            raise WebhookNotFound(f"No webhook {webhook_id}.")
        return self._webhook(answer["Item"])

    def secret(self, webhook: Webhook) -> str:
        answer = self._db.get_item(TableName=self._table,
                                   Key=self._key(webhook.workspace_id, webhook.profile_id, webhook.id),
                                   ProjectionExpression="sealed_secret", ConsistentRead=True)
        if "Item" not in answer:
            raise WebhookNotFound(f"No webhook {webhook.id}.")
        sealed = from_item(answer["Item"])["sealed_secret"]
        return self._sealer.open(sealed, _context(webhook))["secret"]

    def for_profile(self, workspace_id: str, profile_id: str) -> list[Webhook]:
        query: dict[str, Any] = {
            "TableName": self._table, "KeyConditionExpression": "PK = :pk AND begins_with(SK, :prefix)",
            "ExpressionAttributeValues": {":pk": {"S": keys.workspace_pk(workspace_id)},
                                          ":prefix": {"S": keys.webhook_sk(profile_id, "")}},
        }
        found = []
        while True:
            page = self._db.query(**query)
            found += [self._webhook(item) for item in page.get("Items", [])]
            if "LastEvaluatedKey" not in page:
                return found
            query["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def save(self, webhook: Webhook, expected_version: int) -> None:
        """Rewrite the endpoint's fields (not its secret), if nobody changed it meanwhile."""
        fields = {k: v for k, v in webhook.model_dump(mode="python").items() if k not in ("id", "workspace_id",
                                                                                       "profile_id")}
        names = {f"#f{n}": name for n, name in enumerate(fields)}
        item = to_item({f":v{n}": value for n, value in enumerate(fields.values())})
        removed = [f"#f{n}" for n, value in enumerate(fields.values()) if value is None]
        assignments = [f"#f{n} = :v{n}" for n, value in enumerate(fields.values()) if value is not None]
        expression = "SET " + ", ".join(assignments) + (" REMOVE " + ", ".join(removed) if removed else "")
        try:
            self._db.update_item(
                TableName=self._table, Key=self._key(webhook.workspace_id, webhook.profile_id, webhook.id),
                UpdateExpression=expression, ConditionExpression="attribute_exists(PK) AND #version = :expected",
                ExpressionAttributeNames={**names, "#version": "version"},
                ExpressionAttributeValues={**item, ":expected": {"N": str(expected_version)}},
            )
        except Exception as exc:
            if is_conditional_failure(exc):
                raise ConcurrentModification("The webhook changed meanwhile; read it again.") from exc
            raise

    def delete(self, webhook: Webhook) -> None:
        self._db.delete_item(TableName=self._table,
                             Key=self._key(webhook.workspace_id, webhook.profile_id, webhook.id))

    def note_attempt(self, webhook: Webhook, ok: bool, now: datetime) -> Webhook | None:
        """Count a delivery attempt against the endpoint's health (atomic, concurrent-safe): a
        success clears the failure streak, a failure extends it. The endpoint as it is now, or
        None when it was deleted meanwhile."""
        if ok:
            expression = "SET last_delivery_at = :now, consecutive_failures = :zero REMOVE failing_since"
            values = {":now": {"S": to_iso(now)}, ":zero": {"N": "0"}}
        else:
            expression = ("SET last_delivery_at = :now, failing_since = if_not_exists(failing_since, :now) "
                          "ADD consecutive_failures :one")
            values = {":now": {"S": to_iso(now)}, ":one": {"N": "1"}}
        try:
            answer = self._db.update_item(
                TableName=self._table, Key=self._key(webhook.workspace_id, webhook.profile_id, webhook.id),
                UpdateExpression=expression, ConditionExpression="attribute_exists(PK)",
                ExpressionAttributeValues=values, ReturnValues="ALL_NEW",
            )
        except Exception as exc:
            if is_conditional_failure(exc):
                return None
            raise
        return self._webhook(answer["Attributes"])

    def disable(self, webhook: Webhook, reason: str, now: datetime) -> bool:
        """Turn an active endpoint off; False when it was not active any more."""
        try:
            self._db.update_item(
                TableName=self._table, Key=self._key(webhook.workspace_id, webhook.profile_id, webhook.id),
                UpdateExpression="SET #status = :disabled, disabled_reason = :reason, disabled_at = :now, "
                                 "updated_at = :now ADD version :one",
                ConditionExpression="attribute_exists(PK) AND #status = :active",
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues={":disabled": {"S": WebhookStatus.DISABLED.value},
                                           ":active": {"S": WebhookStatus.ACTIVE.value},
                                           ":reason": {"S": reason}, ":now": {"S": to_iso(now)},
                                           ":one": {"N": "1"}},
            )
        except Exception as exc:
            if is_conditional_failure(exc):
                return False
            raise
        return True

    # --- delivery log ------------------------------------------------------------------------

    def put_delivery(self, delivery: Delivery, expires_at: datetime) -> None:
        item = to_item({"PK": keys.webhook_deliveries_pk(delivery.workspace_id, delivery.webhook_id),
                        "SK": keys.delivery_sk(delivery.id), "entity": "webhook_delivery",
                        **delivery.model_dump(mode="python"), "expires_at": int(expires_at.timestamp())})
        self._db.put_item(TableName=self._table, Item=item)

    def get_delivery(self, workspace_id: str, webhook_id: str, delivery_id: str) -> Delivery | None:
        if not _DELIVERY_ID.match(delivery_id):
            return None
        answer = self._db.get_item(
            TableName=self._table, ConsistentRead=True,
            Key={"PK": {"S": keys.webhook_deliveries_pk(workspace_id, webhook_id)},
                 "SK": {"S": keys.delivery_sk(delivery_id)}},
        )
        if "Item" not in answer:
            return None
        return Delivery.model_validate({k: v for k, v in from_item(answer["Item"]).items() if k not in _ROW_ONLY})

    def deliveries(self, workspace_id: str, webhook_id: str, limit: int, cursor: str | None,
                   status: str | None = None) -> tuple[list[Delivery], str | None]:
        """Newest first; `cursor` is the last delivery id of the previous page."""
        pk = keys.webhook_deliveries_pk(workspace_id, webhook_id)
        query: dict[str, Any] = {
            "TableName": self._table, "KeyConditionExpression": "PK = :pk AND begins_with(SK, :prefix)",
            "ExpressionAttributeValues": {":pk": {"S": pk}, ":prefix": {"S": "DLV#"}},
            "ScanIndexForward": False, "Limit": limit,
        }
        if status:
            query["FilterExpression"] = "#status = :status"
            query["ExpressionAttributeNames"] = {"#status": "status"}
            query["ExpressionAttributeValues"][":status"] = {"S": status}
        if cursor:
            if not _DELIVERY_ID.match(cursor):
                raise InvalidRequest("The cursor is not one this list gave.", details=[{"field": "cursor"}])
            query["ExclusiveStartKey"] = {"PK": {"S": pk}, "SK": {"S": keys.delivery_sk(cursor)}}
        found: list[Delivery] = []
        for _ in range(10):  # a filtered page may come back short: read on, a bounded number of pages
            page = self._db.query(**query)
            found += [Delivery.model_validate({k: v for k, v in from_item(i).items() if k not in _ROW_ONLY})
                      for i in page.get("Items", [])]
            last = page.get("LastEvaluatedKey")
            if last is None or len(found) >= limit:
                break
            query["ExclusiveStartKey"] = last
            query["Limit"] = limit - len(found)
        found = found[:limit]
        more = last is not None or len(found) == limit
        return found, (found[-1].id if found and more else None)
