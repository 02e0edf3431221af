"""The SQS event source: what Lambda's event source mapping does for a function's `SQS` event.
moto keeps the queue (visibility timeouts, receive counts, redrive to the dead-letter queue) but
polls it for nobody, so this pump does, every HERALD_LOCAL_PUMP_SECONDS.

Each mapping (one `Type: SQS` event of one function, resolved from the template) receives from
its queue with the queue's own visibility timeout (ReceiveMessage, all system and message
attributes) and invokes the function synchronously with Lambda's event: `{"Records":
[{messageId, receiptHandle, body, attributes: {ApproximateReceiveCount, SentTimestamp, SenderId,
ApproximateFirstReceiveTimestamp, ...}, messageAttributes, md5OfBody, md5OfMessageAttributes,
eventSource: "aws:sqs", eventSourceARN, awsRegion}]}`. What AWS documents:

- `BatchSize` (10) messages at most per invocation; `MaximumBatchingWindowInSeconds` (0) holds a
  smaller batch (its messages received, so invisible) until that long after the first arrived.
- Success: the batch's messages are deleted. A function error: none is; they come back when the
  queue's visibility timeout ends, and the queue's `RedrivePolicy` moves a message received
  `maxReceiveCount` times to its dead-letter queue (moto implements that redrive, at the receive
  that would exceed the count, like SQS).
- `FunctionResponseTypes: [ReportBatchItemFailures]`: `{"batchItemFailures": [{"itemIdentifier":
  <messageId>}]}` deletes all but the reported messages; an empty or null list (or response) is
  a success; an itemIdentifier that is empty, null, missing or not in the batch makes the whole
  batch a failure (nothing deleted). Without it, the response is ignored.

Each pass handles batches until the queue is empty or a batch fails (at most `max_batches`).
`FilterCriteria` is applied (local.event_filter): messages whose body matches no pattern are
deleted without reaching the function, as Lambda does. Not emulated (logged): ScalingConfig (one
batch at a time per mapping)."""

from __future__ import annotations

import base64
import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from local.event_filter import EventFilter, FilterError, sqs_filter_data
from local.functions import FunctionRegistry, LocalFunction
from local.stream_pump import InvalidBatchResponse, batch_item_failures, flag, number, reports_batch_item_failures

log = logging.getLogger(__name__)

DEFAULT_BATCH_SIZE = 10
RECEIVE_LIMIT = 10  # ReceiveMessage's maximum


@dataclass(frozen=True)
class SqsSubscription:
    """One `Type: SQS` event of one function: an event source mapping."""

    function: LocalFunction
    event_name: str
    queue_arn: str
    batch_size: int = DEFAULT_BATCH_SIZE
    batching_window_seconds: float = 0.0
    report_batch_item_failures: bool = False
    filter: EventFilter | None = None  # FilterCriteria: messages that match no pattern are deleted

    @property
    def key(self) -> str:
        return f"{self.function.spec.logical_id}.{self.event_name}"

    @property
    def queue_name(self) -> str:
        return self.queue_arn.rsplit(":", 1)[-1]


def sqs_subscriptions(registry: Iterable[LocalFunction]) -> list[SqsSubscription]:
    """The SQS events of every function (resolved: `Queue` is the queue's ARN)."""
    found = []
    for function in registry:
        for event_name, event in function.spec.events.items():
            if event.get("Type") != "SQS":
                continue
            where = f"{function.spec.logical_id}.{event_name}"
            props = event.get("Properties") or {}
            if props.get("Enabled") is not None and not flag(props.get("Enabled")):
                log.info("%s is disabled (Enabled: false): its queue is not polled", where)
                continue
            queue = props.get("Queue")
            if not isinstance(queue, str) or ":sqs:" not in queue:
                log.warning("%s: the queue %r is not an SQS queue ARN of the template: not emulated", where, queue)
                continue
            if props.get("ScalingConfig"):
                log.warning("%s: ScalingConfig is not emulated locally (ignored)", where)
            try:
                event_filter = EventFilter.from_criteria(props.get("FilterCriteria"))
            except FilterError as exc:
                log.error("%s: invalid FilterCriteria (%s): Lambda would refuse this mapping, not created", where, exc)
                continue
            subscription = SqsSubscription(
                function=function,
                event_name=event_name,
                queue_arn=queue,
                batch_size=int(number(props.get("BatchSize"), DEFAULT_BATCH_SIZE)),
                batching_window_seconds=number(props.get("MaximumBatchingWindowInSeconds"), 0.0),
                report_batch_item_failures=reports_batch_item_failures(props),
                filter=event_filter,
            )
            log.info("%s reads the queue %s (batches of %d)", function.name, subscription.queue_name,
                     subscription.batch_size)
            found.append(subscription)
    return found


def _message_attribute(value: dict[str, Any]) -> dict[str, Any]:
    """A ReceiveMessage MessageAttributeValue as Lambda's event has it (camelCase, base64)."""

    def encoded(item: Any) -> str:
        return base64.b64encode(item).decode() if isinstance(item, bytes | bytearray) else str(item)

    converted: dict[str, Any] = {
        "stringListValues": list(value.get("StringListValues") or []),
        "binaryListValues": [encoded(item) for item in value.get("BinaryListValues") or []],
        "dataType": value.get("DataType", "String"),
    }
    if "StringValue" in value:
        converted["stringValue"] = value["StringValue"]
    if "BinaryValue" in value:
        converted["binaryValue"] = encoded(value["BinaryValue"])
    return {key: converted[key] for key in ("stringValue", "binaryValue", "stringListValues", "binaryListValues",
                                            "dataType") if key in converted}


def sqs_record(message: dict[str, Any], queue_arn: str, region: str) -> dict[str, Any]:
    """One record of Lambda's SQS event from one ReceiveMessage message."""
    record: dict[str, Any] = {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message.get("Body", ""),
        "attributes": {key: str(value) for key, value in (message.get("Attributes") or {}).items()},
        "messageAttributes": {
            name: _message_attribute(value) for name, value in (message.get("MessageAttributes") or {}).items()
        },
        "md5OfBody": message.get("MD5OfBody", ""),
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": region,
    }
    if message.get("MD5OfMessageAttributes"):
        record["md5OfMessageAttributes"] = message["MD5OfMessageAttributes"]
    return record


@dataclass(frozen=True)
class SqsOutcome:
    """One invocation of one batch, for logs and tests."""

    mapping: str
    message_ids: tuple[str, ...]
    result: str  # "ok" | "partial" | "error"
    failed: tuple[str, ...] = ()  # messages left in the queue (all of them on "error")


@dataclass
class _Mapping:
    subscription: SqsSubscription
    queue_url: str | None = None
    buffer: list[dict[str, Any]] = field(default_factory=list)  # received, not yet in a batch
    buffered_since: float | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)


class SqsPump:
    def __init__(
        self,
        sqs: Any,
        registry: FunctionRegistry,
        *,
        region: str,
        subscriptions: list[SqsSubscription] | None = None,
        max_batches: int = 10,
        monotonic: Callable[[], float] = time.monotonic,
    ):
        """`sqs` is a boto3 `sqs` client; each pass invokes at most `max_batches` per mapping."""
        self.sqs = sqs
        self.registry = registry
        self.region = region
        self.subscriptions = sqs_subscriptions(registry) if subscriptions is None else subscriptions
        self.max_batches = max_batches
        self._monotonic = monotonic
        self._mappings = {subscription.key: _Mapping(subscription) for subscription in self.subscriptions}
        self._stopping = threading.Event()
        self._warned: set[str] = set()

    def stop(self) -> None:
        """Stop between invocations (a running handler is not interrupted)."""
        self._stopping.set()

    def run_once(self) -> list[SqsOutcome]:
        """One pass over every mapping."""
        outcomes = []
        for subscription in self.subscriptions:
            outcomes.extend(self.poll(subscription))
        return outcomes

    def poll(self, subscription: SqsSubscription) -> list[SqsOutcome]:
        """One pass over one mapping: receive and invoke, batch by batch, until the queue has
        nothing visible or a batch fails."""
        mapping = self._mappings[subscription.key]
        outcomes: list[SqsOutcome] = []
        with mapping.lock:
            for _ in range(self.max_batches):
                if self._stopping.is_set():
                    break
                batch = self._next_batch(mapping)
                if batch is None:
                    break
                outcome = self._deliver(mapping, batch)
                outcomes.append(outcome)
                if outcome.failed:
                    break  # the failed messages come back after the visibility timeout
        return outcomes

    # -- receiving ----------------------------------------------------------------------------

    def _url(self, mapping: _Mapping) -> str | None:
        if mapping.queue_url is None:
            subscription = mapping.subscription
            try:
                mapping.queue_url = self.sqs.get_queue_url(QueueName=subscription.queue_name)["QueueUrl"]
            except ClientError as exc:
                self._warn_once(subscription.key, "%s: cannot find the queue %s: %s", subscription.key,
                                subscription.queue_name, exc)
        return mapping.queue_url

    def _fill(self, mapping: _Mapping) -> None:
        url = self._url(mapping)
        if url is None:
            return
        while len(mapping.buffer) < mapping.subscription.batch_size:
            wanted = min(RECEIVE_LIMIT, mapping.subscription.batch_size - len(mapping.buffer))
            try:
                messages = self.sqs.receive_message(
                    QueueUrl=url,
                    MaxNumberOfMessages=wanted,
                    WaitTimeSeconds=0,  # the pump's cadence is the long poll
                    MessageSystemAttributeNames=["All"],
                    MessageAttributeNames=["All"],
                ).get("Messages") or []
            except ClientError as exc:
                self._warn_once(f"{mapping.subscription.key}/receive", "%s: cannot receive from %s: %s",
                                mapping.subscription.key, url, exc)
                return
            if not messages:
                return
            messages = self._filtered(mapping, messages)
            if not messages:
                continue
            if not mapping.buffer:
                mapping.buffered_since = self._monotonic()
            mapping.buffer.extend(messages)

    def _filtered(self, mapping: _Mapping, messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """FilterCriteria: Lambda deletes the messages that match no pattern, before batching."""
        subscription = mapping.subscription
        if subscription.filter is None:
            return messages
        kept, dropped = [], []
        for message in messages:
            record = sqs_record(message, subscription.queue_arn, self.region)
            (kept if subscription.filter.matches(sqs_filter_data(record)) else dropped).append(message)
        if dropped:
            log.info("%s: %d message(s) match no filter: deleted", subscription.key, len(dropped))
            self._delete(mapping, dropped)
        return kept

    def _next_batch(self, mapping: _Mapping) -> list[dict[str, Any]] | None:
        subscription = mapping.subscription
        self._fill(mapping)
        if not mapping.buffer:
            return None
        waited = self._monotonic() - (mapping.buffered_since or 0.0)
        if len(mapping.buffer) < subscription.batch_size and waited < subscription.batching_window_seconds:
            return None  # gather more messages until the batching window has passed
        batch, mapping.buffer = mapping.buffer[: subscription.batch_size], mapping.buffer[subscription.batch_size :]
        if not mapping.buffer:
            mapping.buffered_since = None
        return batch

    # -- invoking -----------------------------------------------------------------------------

    def _deliver(self, mapping: _Mapping, messages: list[dict[str, Any]]) -> SqsOutcome:
        subscription = mapping.subscription
        records = [sqs_record(message, subscription.queue_arn, self.region) for message in messages]
        ids = tuple(record["messageId"] for record in records)
        invocation = self.registry.invoke(subscription.function, {"Records": records})
        result: str = "ok"
        failed: tuple[str, ...] = ()
        if invocation.failed:
            result, failed = "error", ids
        elif subscription.report_batch_item_failures:
            try:
                reported = set(batch_item_failures(invocation.result(), set(ids)))
            except (InvalidBatchResponse, ValueError) as exc:
                log.error("%s: %s: the whole batch failed", subscription.key, exc)
                result, failed = "error", ids
            else:
                failed = tuple(message_id for message_id in ids if message_id in reported)
                result = "partial" if failed else "ok"
        done = [message for message, message_id in zip(messages, ids, strict=True) if message_id not in failed]
        self._delete(mapping, done)
        if failed:
            log.warning("%s: %d of %d message(s) failed: they return after the queue's visibility timeout",
                        subscription.key, len(failed), len(ids))
        return SqsOutcome(subscription.key, ids, result, failed)

    def _delete(self, mapping: _Mapping, messages: list[dict[str, Any]]) -> None:
        url = mapping.queue_url
        for start in range(0, len(messages), RECEIVE_LIMIT):
            chunk = messages[start : start + RECEIVE_LIMIT]
            entries = [{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(chunk)]
            try:
                answer = self.sqs.delete_message_batch(QueueUrl=url, Entries=entries)
            except ClientError as exc:
                log.error("%s: could not delete %d processed message(s): %s", mapping.subscription.key, len(chunk), exc)
                continue
            for failure in answer.get("Failed") or []:
                log.error("%s: could not delete message %s: %s", mapping.subscription.key,
                          chunk[int(failure["Id"])]["MessageId"], failure.get("Message"))

    def _warn_once(self, key: str, message: str, *args: Any) -> None:
        if key not in self._warned:
            self._warned.add(key)
            log.warning(message, *args)
