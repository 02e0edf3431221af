"""GSI2, the sparse due index: items that need the sweeper at a time (posts due or past their
lease, accounts whose token must be refreshed) carry `GSI2PK` (a shard of their kind) and
`GSI2SK` (the time, ISO). One query per shard finds what is due."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any


def due_keys(db: Any, table: str, partitions: list[str], upto: str, limit: int) -> Iterator[tuple[str, str]]:
    """(PK, SK) of the items in `partitions` whose time is at or before `upto`, at most `limit`."""
    seen = 0
    for partition in partitions:
        query: dict[str, Any] = {
            "TableName": table,
            "IndexName": "GSI2",
            "KeyConditionExpression": "GSI2PK = :pk AND GSI2SK <= :upto",
            "ExpressionAttributeValues": {":pk": {"S": partition}, ":upto": {"S": upto}},
        }
        while True:
            page = db.query(**query)
            for item in page.get("Items", []):
                yield item["PK"]["S"], item["SK"]["S"]
                seen += 1
                if seen >= limit:
                    return
            if "LastEvaluatedKey" not in page:
                break
            query["ExclusiveStartKey"] = page["LastEvaluatedKey"]
