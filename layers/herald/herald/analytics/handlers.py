"""The analytics functions: the rate-scheduled collector, the SQS-triggered collection worker and
the DynamoDB Streams function (analytics totals and the webhook outbox), each reporting partial
batch failures.

A collection message is one account's: its lines carry workspace_id, account_id, network and the
post ids it collects (post_ids). A stream record's lines carry the workspace and, for a post's
items (post, snapshot, totals, tracked target), its post id."""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response

from herald.observability import metrics
from herald.observability.handler import observed
from herald.observability.logs import log_keys

# Sort-key prefixes of items that belong to one post: the post id follows the prefix.
_POST_ITEMS = ("POST#", "SNAP#", "STATS#", "TRACK#")


def collection_log_keys(message: dict[str, Any]) -> dict[str, Any]:
    targets = message.get("targets") if isinstance(message.get("targets"), list) else []
    post_ids = sorted({t["post_id"] for t in targets if isinstance(t, dict) and t.get("post_id")})
    return {"workspace_id": message.get("workspace_id"), "account_id": message.get("account_id"),
            "network": message.get("platform"), "post_ids": post_ids or None,
            "post_id": post_ids[0] if len(post_ids) == 1 else None}


def stream_log_keys(record: dict[str, Any]) -> dict[str, Any]:
    keys = (record.get("dynamodb") or {}).get("Keys") or {}
    pk, sk = (keys.get("PK") or {}).get("S", ""), (keys.get("SK") or {}).get("S", "")
    post_id = next((sk[len(prefix):].split("#")[0] for prefix in _POST_ITEMS if sk.startswith(prefix)), None)
    return {"workspace_id": pk.removeprefix("WS#") if pk.startswith("WS#") else None, "post_id": post_id,
            "event_name": record.get("eventName")}


@observed()
def collect(event: dict[str, Any], context: Any) -> dict[str, int]:
    from herald.wiring import collector

    return collector().run()


@observed()
def work(event: dict[str, Any], context: Any) -> dict[str, Any]:
    from herald.platforms.base import PlatformError
    from herald.wiring import collection_worker

    worker = collection_worker()

    def handle(record: Any) -> None:
        message = json.loads(record.body)
        with log_keys(**collection_log_keys(message)):
            try:
                worker.handle(message)
            except PlatformError as error:  # transient: SQS delivers the message again
                if error.code == "rate_limited" and message.get("platform"):
                    metrics.network_throttled(str(message["platform"]))
                raise

    return process_partial_response(event=event, record_handler=handle,
                                    processor=BatchProcessor(event_type=EventType.SQS), context=context)


@observed()
def stream(event: dict[str, Any], context: Any) -> dict[str, Any]:
    from herald.wiring import outbox, stream_processor

    processor, events = stream_processor(), outbox()

    def handle(record: Any) -> None:
        # Both are idempotent (a redelivered record changes no total and queues the same delivery
        # ids), so a record that fails halfway is simply handled again.
        with log_keys(**stream_log_keys(record.raw_event)):
            processor.handle(record.raw_event)
            events.handle(record.raw_event)

    return process_partial_response(event=event, record_handler=handle,
                                    processor=BatchProcessor(event_type=EventType.DynamoDBStreams), context=context)
