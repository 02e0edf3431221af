"""Counts the AWS calls Herald's clients make, through botocore events, with the DynamoDB capacity
each would consume on AWS.

moto does not meter capacity, so it is worked out from DynamoDB's documented rules: a write costs
1 WRU per started KB of the item (2 in a transaction), plus one write per GSI the item is in (its
projected size: ALL for GSI1 and GSI3, KEYS_ONLY for GSI2); a read costs 1 RRU per started 4 KB
of what it returns, half that when eventually consistent. Written items are measured after the
phase by reading them back (uncounted), so an UpdateItem is charged for the item it leaves."""

from __future__ import annotations

import copy
import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

WRITES = ("PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems")
GSIS = (("GSI1PK", "all"), ("GSI2PK", "keys"), ("GSI3PK", "all"))
SERVICES = ("dynamodb", "scheduler", "lambda", "kms", "sqs", "s3")


def _value_size(value: dict[str, Any]) -> int:
    (kind, inner), = value.items()
    if kind == "S":
        return len(inner.encode())
    if kind == "N":
        return len(str(inner).lstrip("-").replace(".", "")) // 2 + 1
    if kind == "B":
        return len(inner)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind in ("SS", "NS", "BS"):
        return sum(_value_size({kind[0]: v}) for v in inner)
    if kind == "L":
        return 3 + sum(_value_size(v) + 1 for v in inner)
    if kind == "M":
        return 3 + sum(len(k.encode()) + _value_size(v) + 1 for k, v in inner.items())
    return 0


def item_size(item: dict[str, Any]) -> int:
    return sum(len(name.encode()) + _value_size(value) for name, value in item.items())


@dataclass
class Phase:
    calls: list[str] = field(default_factory=list)
    requests: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)  # to replay
    writes: list[tuple[dict[str, Any], bool]] = field(default_factory=list)  # (key, transactional)
    rru: float = 0.0
    wru: float = 0.0

    def counts(self) -> Counter[str]:
        return Counter(self.calls)


class CallCounter:
    """Attach to Herald's clients (herald.aws.client), then wrap each phase in `phase()`."""

    def __init__(self, raw_dynamodb: Any, table: str) -> None:
        self.raw = raw_dynamodb
        self.table = table
        self.current: Phase | None = None

    def attach(self) -> None:
        from herald.aws import client

        for service in SERVICES:
            events = client(service).meta.events
            events.register(f"provide-client-params.{service}", self._before, unique_id=f"bench-before-{service}")
            if service == "dynamodb":
                events.register("after-call.dynamodb", self._after, unique_id="bench-after-dynamodb")

    def start(self) -> Phase:
        self.current = Phase()
        return self.current

    def finish(self) -> Phase:
        phase, self.current = self.current, None
        assert phase is not None
        for key, transactional in phase.writes:
            found = self.raw.get_item(TableName=self.table, Key=key, ConsistentRead=True).get("Item")
            size = item_size(found) if found else item_size(key)
            phase.wru += math.ceil(size / 1024) * (2 if transactional else 1)
            for attribute, projection in GSIS:
                if found and attribute in found:
                    phase.wru += 1 if projection == "keys" else math.ceil(size / 1024)
        return phase

    def _before(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        if self.current is None:
            return
        service = model.service_model.service_name
        self.current.calls.append(f"{service}:{model.name}")
        self.current.requests.append((service, model.name, copy.deepcopy(params)))
        if service == "dynamodb" and model.name in WRITES:
            self.current.writes.extend(_written_keys(model.name, params))

    def _after(self, http_response: Any, parsed: dict[str, Any], model: Any, **_: Any) -> None:
        if self.current is None or model.name not in ("GetItem", "Query", "BatchGetItem", "TransactGetItems"):
            return
        items = ([parsed["Item"]] if parsed.get("Item") else parsed.get("Items", []))
        for table_items in (parsed.get("Responses") or {}).values() if isinstance(parsed.get("Responses"), dict) else []:
            items.extend(table_items)
        size = sum(item_size(item) for item in items)
        self.current.rru += max(1, math.ceil(size / 4096)) * (2 if model.name == "TransactGetItems" else 1)


def _written_keys(operation: str, params: dict[str, Any]) -> list[tuple[dict[str, Any], bool]]:
    def key_of(item: dict[str, Any]) -> dict[str, Any]:
        return {"PK": item["PK"], "SK": item["SK"]}

    if operation == "PutItem":
        return [(key_of(params["Item"]), False)]
    if operation in ("UpdateItem", "DeleteItem"):
        return [(params["Key"], False)]
    if operation == "BatchWriteItem":
        return [(key_of(r["PutRequest"]["Item"]) if "PutRequest" in r else r["DeleteRequest"]["Key"], False)
                for requests in params["RequestItems"].values() for r in requests]
    keys = []
    for entry in params["TransactItems"]:
        (kind, body), = entry.items()
        keys.append((key_of(body["Item"]) if kind == "Put" else body["Key"], True))
    return keys
