"""The webhooks function: SQS-triggered, one delivery per message. A delivery due again is left
on the queue with its visibility timeout set to the backoff, and reported as a batch item
failure, so SQS hands it back when the wait is over (the queue keeps messages 4 days, longer
than the 3-day retry window; its redrive policy catches a message whose handling keeps
crashing). Each delivery's log lines carry its delivery, webhook, workspace, event type and (for
post events) post id; failed attempts and deliveries are metrics."""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response

from herald.observability.handler import observed
from herald.observability.logs import log_keys


def delivery_log_keys(message: dict[str, Any]) -> dict[str, Any]:
    event = message.get("event") if isinstance(message.get("event"), dict) else {}
    data = event.get("data") if isinstance(event.get("data"), dict) else {}
    post = data.get("post") if isinstance(data.get("post"), dict) else {}
    return {
        "delivery_id": message.get("delivery_id"),
        "webhook_id": message.get("webhook_id"),
        "workspace_id": message.get("workspace_id"),
        "event_type": event.get("type"),
        "post_id": post.get("id") or data.get("post_id"),
    }


@observed()
def deliver(event: dict[str, Any], context: Any) -> dict[str, Any]:
    from herald.webhooks.delivery import RetryLater
    from herald.wiring import deliverer, webhook_queue_client

    worker = deliverer()

    def handle(record: Any) -> None:
        message = json.loads(record.body)
        with log_keys(**delivery_log_keys(message)):
            try:
                worker.handle(message)
            except RetryLater as later:
                sqs, url = webhook_queue_client()
                sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=record.receipt_handle,
                                              VisibilityTimeout=later.seconds)
                raise

    # A batch whose every delivery is due again is still a success for Lambda: each message
    # already has its new visibility, and an invocation error would count as a function failure.
    processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)
    return process_partial_response(event=event, record_handler=handle, processor=processor, context=context)
