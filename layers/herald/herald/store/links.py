"""Short links, their codes and click counters in the table."""

from __future__ import annotations

from typing import Any

from herald.errors import Conflict
from herald.links.model import ClickCount, CodeTarget, ShortLink
from herald.links.service import LinkNotFound
from herald.store import keys
from herald.store.codec import from_item, to_item, to_value
from herald.store.errors import cancellation_codes, error_code

_ROW_ONLY = ("PK", "SK", "entity")


class LinkStore:
    def __init__(self, client: Any, table_name: str) -> None:
        self._db = client
        self._table = table_name

    def _get(self, pk: str, sk: str) -> dict[str, Any] | None:
        answer = self._db.get_item(TableName=self._table, Key={"PK": {"S": pk}, "SK": {"S": sk}}, ConsistentRead=True)
        return from_item(answer["Item"]) if "Item" in answer else None

    @staticmethod
    def _link(values: dict[str, Any]) -> ShortLink:
        return ShortLink.model_validate({k: v for k, v in values.items() if k not in _ROW_ONLY})

    def _transact(self, items: list[dict[str, Any]]) -> None:
        try:
            self._db.transact_write_items(TransactItems=items)
        except Exception as exc:
            if error_code(exc) == "TransactionCanceledException" and "ConditionalCheckFailed" in cancellation_codes(exc):
                raise Conflict("The link changed meanwhile.") from exc
            raise

    def find_for(self, workspace_id: str, profile_id: str, url_key: str) -> ShortLink | None:
        pointer = self._get(keys.workspace_pk(workspace_id), keys.link_url_sk(profile_id, url_key))
        return None if pointer is None else self.get(workspace_id, pointer["link_id"])

    def add(self, link: ShortLink, url_key: str) -> None:
        pk = keys.workspace_pk(link.workspace_id)
        self._transact(
            [
                {"Put": {"TableName": self._table, "ConditionExpression": "attribute_not_exists(PK)",
                         "Item": to_item({"PK": pk, "SK": keys.link_sk(link.id), "entity": "link",
                                          **link.model_dump(mode="python")})}},
                {"Put": {"TableName": self._table, "ConditionExpression": "attribute_not_exists(PK)",
                         "Item": to_item({"PK": pk, "SK": keys.link_url_sk(link.profile_id, url_key),
                                          "entity": "link_url", "link_id": link.id})}},
            ]
        )

    def add_code(self, link: ShortLink, channel: str, code: str) -> ShortLink:
        target = CodeTarget(code=code, link_id=link.id, workspace_id=link.workspace_id, url=link.url, channel=channel)
        self._transact(
            [
                {"Put": {"TableName": self._table, "ConditionExpression": "attribute_not_exists(PK)",
                         "Item": to_item({"PK": keys.short_code_pk(code), "SK": "META", "entity": "short_code",
                                          **target.model_dump()})}},
                {"Update": {"TableName": self._table,
                            "Key": {"PK": {"S": keys.workspace_pk(link.workspace_id)},
                                    "SK": {"S": keys.link_sk(link.id)}},
                            "UpdateExpression": "SET codes.#channel = :code",
                            "ConditionExpression": "attribute_exists(PK) AND attribute_not_exists(codes.#channel)",
                            "ExpressionAttributeNames": {"#channel": channel},
                            "ExpressionAttributeValues": {":code": to_value(code)}}},
            ]
        )
        return link.model_copy(update={"codes": {**link.codes, channel: code}})

    def get(self, workspace_id: str, link_id: str) -> ShortLink:
        values = self._get(keys.workspace_pk(workspace_id), keys.link_sk(link_id))
        if values is None:
            raise LinkNotFound(f"No link {link_id}.")
        return self._link(values)

    def resolve(self, code: str) -> CodeTarget | None:
        values = self._get(keys.short_code_pk(code), "META")
        return None if values is None else CodeTarget.model_validate(
            {k: v for k, v in values.items() if k not in _ROW_ONLY}
        )

    def count_click(self, target: CodeTarget, day: str, referrer: str) -> None:
        """One atomic increment of the (day, channel, referrer) counter."""
        self._db.update_item(
            TableName=self._table,
            Key={
                "PK": {"S": keys.workspace_pk(target.workspace_id)},
                "SK": {"S": keys.link_clicks_sk(target.link_id, day, target.channel, referrer)},
            },
            UpdateExpression="ADD clicks :one SET entity = :entity, #day = :day, channel = :channel, referrer = :ref",
            ExpressionAttributeNames={"#day": "day"},
            ExpressionAttributeValues={
                ":one": {"N": "1"}, ":entity": {"S": "link_clicks"}, ":day": {"S": day},
                ":channel": {"S": target.channel}, ":ref": {"S": referrer},
            },
        )

    def clicks(self, link: ShortLink) -> list[ClickCount]:
        query: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "PK = :pk AND begins_with(SK, :prefix)",
            "ExpressionAttributeValues": {
                ":pk": {"S": keys.workspace_pk(link.workspace_id)},
                ":prefix": {"S": keys.link_clicks_prefix(link.id)},
            },
            "ConsistentRead": True,
        }
        counts: list[ClickCount] = []
        while True:
            page = self._db.query(**query)
            for item in page.get("Items", []):
                values = from_item(item)
                counts.append(ClickCount(day=values["day"], channel=values["channel"], referrer=values["referrer"],
                                         clicks=values["clicks"]))
            if "LastEvaluatedKey" not in page:
                return counts
            query["ExclusiveStartKey"] = page["LastEvaluatedKey"]
