"""The analytics functions: the rate-scheduled collector, the SQS-triggered collection worker and
the DynamoDB Streams function (analytics totals and the webhook outbox), each reporting partial
batch failures."""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response

logger = Logger(service="herald-analytics")


@logger.inject_lambda_context
def collect(event: dict[str, Any], context: Any) -> dict[str, int]:
    from herald.wiring import collector

    return collector().run()


@logger.inject_lambda_context
def work(event: dict[str, Any], context: Any) -> dict[str, Any]:
    from herald.wiring import collection_worker

    worker = collection_worker()

    def handle(record: Any) -> None:
        worker.handle(json.loads(record.body))

    return process_partial_response(event=event, record_handler=handle,
                                    processor=BatchProcessor(event_type=EventType.SQS), context=context)


@logger.inject_lambda_context
def stream(event: dict[str, Any], context: Any) -> dict[str, Any]:
    from herald.wiring import outbox, stream_processor

    processor, events = stream_processor(), outbox()

    def handle(record: Any) -> None:
        # Both are idempotent (a redelivered record changes no total and queues the same delivery
        # ids), so a record that fails halfway is simply handled again.
        processor.handle(record.raw_event)
        events.handle(record.raw_event)

    return process_partial_response(event=event, record_handler=handle,
                                    processor=BatchProcessor(event_type=EventType.DynamoDBStreams), context=context)
