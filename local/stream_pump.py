"""The DynamoDB Streams event source: what Lambda's event source mapping does for a function's
`DynamoDB` event. moto records a table's stream (NEW_AND_OLD_IMAGES and the other view types)
but polls it for nobody, so this pump does, every HERALD_LOCAL_PUMP_SECONDS.

Each mapping (one `Type: DynamoDB` event of one function, resolved from the template) reads its
stream with DescribeStream / GetShardIterator / GetRecords, shard by shard (a child shard after
its parent), in sequence-number order, and invokes the function synchronously with Lambda's
event: `{"Records": [{eventID, eventName, eventVersion, eventSource, awsRegion, dynamodb:
{ApproximateCreationDateTime, Keys, NewImage, OldImage, SequenceNumber, SizeBytes,
StreamViewType}, eventSourceARN}]}`. What AWS documents for stream sources:

- `StartingPosition`: TRIM_HORIZON reads the whole stream; LATEST only what is written after the
  mapping starts (`prime()`: the local cloud primes before its workspace bootstrap, which is what
  a mapping created with the stack sees); AT_TIMESTAMP (`StartingPositionTimestamp`) skips older
  records.
- `BatchSize` (100) records at most per invocation; `MaximumBatchingWindowInSeconds` (0) holds a
  smaller batch until that long after its first record was read.
- A batch that succeeds moves the shard's checkpoint past it. With `FunctionResponseTypes:
  [ReportBatchItemFailures]`, `{"batchItemFailures": [{"itemIdentifier": <SequenceNumber>}]}`
  checkpoints before the lowest reported sequence number and retries from that record; an empty
  or null list (or response) is a success; an itemIdentifier that is empty, null, missing or not
  in the batch makes the whole batch a failure. Without it, the response is ignored.
- A function error retries the whole batch. `BisectBatchOnFunctionError` splits a failed batch
  in two first (halves are retried in order; splitting uses no retry); after a partial failure
  only the records from the failed one are retried.
- Past `MaximumRetryAttempts` (-1, unlimited: the shard waits on the record forever, as on AWS
  until the record expires) or `MaximumRecordAgeInSeconds` (-1) the records are discarded:
  `DestinationConfig.OnFailure.Destination` (an SQS queue) gets the invocation record AWS sends
  for stream sources (requestContext, responseContext, `DDBStreamBatchInfo` with the shard and
  the sequence-number range), and the shard moves on.

A failed batch is retried at the next pass (one retry per HERALD_LOCAL_PUMP_SECONDS); the shard
waits for it meanwhile, like on AWS. Not emulated (logged): ParallelizationFactor,
TumblingWindowInSeconds, SNS/S3 destinations, Kinesis events. `FilterCriteria` is applied
(local.event_filter): records that match no pattern never reach the function."""

from __future__ import annotations

import base64
import json
import logging
import threading
import time
import uuid
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError

from local.event_filter import EventFilter, FilterError
from local.functions import FunctionRegistry, Invocation, LocalFunction, QueueSender

log = logging.getLogger(__name__)

DEFAULT_BATCH_SIZE = 100
UNLIMITED = -1
READ_LIMIT = 1000  # GetRecords' maximum
REPORT_BATCH_ITEM_FAILURES = "ReportBatchItemFailures"
_NOT_EMULATED = ("TumblingWindowInSeconds", "ParallelizationFactor")


# -- the template's DynamoDB events -------------------------------------------------------------


@dataclass(frozen=True)
class StreamSubscription:
    """One `Type: DynamoDB` event of one function: an event source mapping."""

    function: LocalFunction
    event_name: str
    stream_arn: str
    starting_position: str = "TRIM_HORIZON"
    starting_timestamp: float | None = None  # AT_TIMESTAMP
    batch_size: int = DEFAULT_BATCH_SIZE
    batching_window_seconds: float = 0.0
    report_batch_item_failures: bool = False
    bisect_on_error: bool = False
    max_retry_attempts: int = UNLIMITED
    max_record_age_seconds: int = UNLIMITED
    on_failure: str | None = None  # an SQS queue ARN
    filter: EventFilter | None = None  # FilterCriteria: records that match no pattern are skipped

    @property
    def key(self) -> str:
        return f"{self.function.spec.logical_id}.{self.event_name}"


def flag(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.lower() == "true")


def number(value: Any, default: float) -> float:
    if value in (None, ""):
        return default
    return float(value)


def reports_batch_item_failures(props: dict[str, Any]) -> bool:
    types = props.get("FunctionResponseTypes") or []
    return REPORT_BATCH_ITEM_FAILURES in (types if isinstance(types, list) else [types])


def stream_subscriptions(registry: Iterable[LocalFunction]) -> list[StreamSubscription]:
    """The DynamoDB events of every function (resolved: `Stream` is the table's stream ARN)."""
    found = []
    for function in registry:
        for event_name, event in function.spec.events.items():
            where = f"{function.spec.logical_id}.{event_name}"
            if event.get("Type") == "Kinesis":
                log.warning("%s: Kinesis events are not emulated", where)
            if event.get("Type") != "DynamoDB":
                continue
            props = event.get("Properties") or {}
            if props.get("Enabled") is not None and not flag(props.get("Enabled")):
                log.info("%s is disabled (Enabled: false): its stream is not polled", where)
                continue
            stream = props.get("Stream")
            if not isinstance(stream, str) or ":dynamodb:" not in stream or "/stream/" not in stream:
                log.warning("%s: the stream %r is not a DynamoDB stream ARN of the template: not emulated", where, stream)
                continue
            for name in _NOT_EMULATED:
                if props.get(name) not in (None, 1, "1"):
                    log.warning("%s: %s is not emulated locally (ignored)", where, name)
            destination = ((props.get("DestinationConfig") or {}).get("OnFailure") or {}).get("Destination")
            if destination is not None and (not isinstance(destination, str) or ":sqs:" not in destination):
                log.warning("%s: only an SQS queue is emulated as OnFailure destination, not %r", where, destination)
                destination = None
            try:
                event_filter = EventFilter.from_criteria(props.get("FilterCriteria"))
            except FilterError as exc:
                log.error("%s: invalid FilterCriteria (%s): Lambda would refuse this mapping, not created", where, exc)
                continue
            position = str(props.get("StartingPosition") or "TRIM_HORIZON").upper()
            if position not in ("TRIM_HORIZON", "LATEST", "AT_TIMESTAMP"):
                log.warning("%s: StartingPosition %s is not known: reading from TRIM_HORIZON", where, position)
                position = "TRIM_HORIZON"
            subscription = StreamSubscription(
                function=function,
                event_name=event_name,
                stream_arn=stream,
                starting_position=position,
                starting_timestamp=number(props.get("StartingPositionTimestamp"), 0.0) or None,
                batch_size=int(number(props.get("BatchSize"), DEFAULT_BATCH_SIZE)),
                batching_window_seconds=number(props.get("MaximumBatchingWindowInSeconds"), 0.0),
                report_batch_item_failures=reports_batch_item_failures(props),
                bisect_on_error=flag(props.get("BisectBatchOnFunctionError")),
                max_retry_attempts=int(number(props.get("MaximumRetryAttempts"), UNLIMITED)),
                max_record_age_seconds=int(number(props.get("MaximumRecordAgeInSeconds"), UNLIMITED)),
                on_failure=destination,
                filter=event_filter,
            )
            log.info("%s reads %s from %s (batches of %d)", function.name, stream, position, subscription.batch_size)
            found.append(subscription)
    return found


# -- Lambda's event and response ------------------------------------------------------------


def _attribute_value(value: Any) -> Any:
    """A GetRecords attribute value (boto3: bytes for B/BS) as Lambda's JSON event has it."""
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(value).decode()
    if isinstance(value, dict):
        return {key: _attribute_value(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set):
        return [_attribute_value(item) for item in value]
    return value


def _epoch_seconds(value: Any) -> int | None:
    if isinstance(value, datetime):
        return int((value if value.tzinfo else value.replace(tzinfo=UTC)).timestamp())
    if isinstance(value, int | float):
        return int(value)
    return None


def stream_record(raw: dict[str, Any], stream_arn: str, region: str) -> dict[str, Any]:
    """One record of Lambda's DynamoDB Streams event from one GetRecords record."""
    change = raw.get("dynamodb") or {}
    dynamodb: dict[str, Any] = {}
    created = _epoch_seconds(change.get("ApproximateCreationDateTime"))
    if created is not None:
        dynamodb["ApproximateCreationDateTime"] = created  # epoch seconds, rounded down
    for key in ("Keys", "NewImage", "OldImage"):
        if key in change:
            dynamodb[key] = _attribute_value(change[key])
    dynamodb["SequenceNumber"] = str(change["SequenceNumber"])
    dynamodb["SizeBytes"] = int(change.get("SizeBytes") or len(json.dumps(dynamodb)))
    dynamodb["StreamViewType"] = change.get("StreamViewType", "NEW_AND_OLD_IMAGES")
    record: dict[str, Any] = {
        "eventID": raw.get("eventID") or uuid.uuid4().hex,
        "eventName": raw["eventName"],
        "eventVersion": raw.get("eventVersion") or "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": region,
        "dynamodb": dynamodb,
        "eventSourceARN": stream_arn,
    }
    if raw.get("userIdentity"):  # TTL deletions
        record["userIdentity"] = raw["userIdentity"]
    return record


class InvalidBatchResponse(ValueError):
    """A ReportBatchItemFailures response that makes the whole batch a failure."""


def batch_item_failures(result: Any, known: Collection[str]) -> list[str]:
    """The itemIdentifiers of a ReportBatchItemFailures response, in response order.

    Lambda's rules: a null or empty response, or a null or empty `batchItemFailures`, is a
    complete success ([]); an itemIdentifier that is null, empty, missing (a wrong key name) or
    not one of the batch's (`known`) makes the whole batch a failure (InvalidBatchResponse)."""
    if result is None:
        return []
    if not isinstance(result, dict):
        raise InvalidBatchResponse(f"the response is not a batch response object: {result!r:.200}")
    failures = result.get("batchItemFailures")
    if failures is None:
        return []
    if not isinstance(failures, list):
        raise InvalidBatchResponse(f"batchItemFailures is not a list: {failures!r:.200}")
    identifiers = []
    for failure in failures:
        identifier = failure.get("itemIdentifier") if isinstance(failure, dict) else None
        if not isinstance(identifier, str) or not identifier:
            raise InvalidBatchResponse(f"invalid batch item failure {failure!r:.200}")
        if identifier not in known:
            raise InvalidBatchResponse(f"itemIdentifier {identifier!r} is not in the batch")
        identifiers.append(identifier)
    return identifiers


def _iso_seconds(epoch: int | None) -> str:
    moment = datetime.fromtimestamp(epoch, UTC) if epoch is not None else datetime.now(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def failure_record(
    subscription: StreamSubscription,
    shard_id: str,
    records: list[dict[str, Any]],
    *,
    condition: str,
    invoke_count: int,
    invocation: Invocation | None,
) -> dict[str, Any]:
    """The invocation record Lambda sends to a stream mapping's on-failure destination: where the
    discarded records are in the stream (not the records themselves)."""
    response: dict[str, Any] = {"statusCode": 200, "executedVersion": "$LATEST"}
    if invocation is not None and invocation.failed:
        response["functionError"] = "Unhandled"
    return {
        "requestContext": {
            "requestId": invocation.request_id if invocation else str(uuid.uuid4()),
            "functionArn": subscription.function.spec.arn,
            "condition": condition,
            "approximateInvokeCount": invoke_count,
        },
        "responseContext": response,
        "version": "1.0",
        "timestamp": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "DDBStreamBatchInfo": {
            "shardId": shard_id,
            "startSequenceNumber": records[0]["dynamodb"]["SequenceNumber"],
            "endSequenceNumber": records[-1]["dynamodb"]["SequenceNumber"],
            "approximateArrivalOfFirstRecord": _iso_seconds(records[0]["dynamodb"].get("ApproximateCreationDateTime")),
            "approximateArrivalOfLastRecord": _iso_seconds(records[-1]["dynamodb"].get("ApproximateCreationDateTime")),
            "batchSize": len(records),
            "streamArn": subscription.stream_arn,
        },
    }


# -- the pump -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class BatchOutcome:
    """One invocation (or discard) of one batch, for logs and tests."""

    mapping: str
    shard_id: str
    sequence_numbers: tuple[str, ...]
    result: str  # "ok" | "partial" | "error" | "discarded"
    retry_from: str | None = None  # partial: the lowest reported sequence number
    condition: str | None = None  # discarded: RetryAttemptsExhausted | RecordAgeExceeded


@dataclass
class _Batch:
    records: list[dict[str, Any]]  # event records, in shard order
    attempts: int = 0  # failed invocations so far (a split keeps the count)


@dataclass
class _Shard:
    shard_id: str
    parent_id: str | None
    read_after: str | None = None  # last sequence number read into `buffer`; None: from the start
    ending: str | None = None  # a closed shard's last sequence number
    buffer: list[dict[str, Any]] = field(default_factory=list)  # read, not yet in a batch
    buffered_since: float | None = None  # when the oldest buffered record was read
    pieces: list[_Batch] = field(default_factory=list)  # the batch in progress (split: its halves)
    skip_before: float | None = None  # AT_TIMESTAMP

    @property
    def drained(self) -> bool:
        return self.ending is not None and self.read_after == self.ending and not self.buffer and not self.pieces


@dataclass
class _Mapping:
    subscription: StreamSubscription
    shards: dict[str, _Shard] = field(default_factory=dict)
    primed: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)


class StreamPump:
    def __init__(
        self,
        streams: Any,
        registry: FunctionRegistry,
        *,
        region: str,
        send_to_queue: QueueSender | None = None,
        subscriptions: list[StreamSubscription] | None = None,
        clock: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
    ):
        """`streams` is a boto3 `dynamodbstreams` client."""
        self.streams = streams
        self.registry = registry
        self.region = region
        self.subscriptions = stream_subscriptions(registry) if subscriptions is None else subscriptions
        self._send_to_queue = send_to_queue
        self._clock = clock
        self._monotonic = monotonic
        self._mappings = {subscription.key: _Mapping(subscription) for subscription in self.subscriptions}
        self._stopping = threading.Event()
        self._warned: set[str] = set()

    def stop(self) -> None:
        """Stop between invocations (a running handler is not interrupted)."""
        self._stopping.set()

    def prime(self) -> None:
        """Fix every mapping's starting position now (LATEST: after what the stream holds)."""
        for mapping in self._mappings.values():
            with mapping.lock:
                self._prime(mapping)

    def run_once(self) -> list[BatchOutcome]:
        """One pass over every mapping."""
        outcomes = []
        for subscription in self.subscriptions:
            outcomes.extend(self.poll(subscription))
        return outcomes

    def poll(self, subscription: StreamSubscription) -> list[BatchOutcome]:
        """One pass over one mapping: read its shards and invoke its function, batch by batch,
        until the stream is read or a batch fails (it is retried at the next pass)."""
        mapping = self._mappings[subscription.key]
        outcomes: list[BatchOutcome] = []
        with mapping.lock:
            if not mapping.primed:
                self._prime(mapping)
                if not mapping.primed:
                    return outcomes
            self._refresh_shards(mapping)
            for shard in list(mapping.shards.values()):
                if self._stopping.is_set():
                    break
                parent = mapping.shards.get(shard.parent_id) if shard.parent_id else None
                if parent is not None and not parent.drained:
                    continue  # a child shard waits for its parent, as on AWS
                self._run_shard(subscription, shard, outcomes)
        return outcomes

    # -- reading ------------------------------------------------------------------------------

    def _describe(self, subscription: StreamSubscription) -> list[dict[str, Any]] | None:
        shards: list[dict[str, Any]] = []
        start: str | None = None
        try:
            while True:
                request: dict[str, Any] = {"StreamArn": subscription.stream_arn}
                if start:
                    request["ExclusiveStartShardId"] = start
                description = self.streams.describe_stream(**request)["StreamDescription"]
                shards.extend(description.get("Shards") or [])
                start = description.get("LastEvaluatedShardId")
                if not start:
                    return shards
        except ClientError as exc:
            self._warn_once(subscription.key, "cannot read the stream %s of %s: %s", subscription.stream_arn,
                            subscription.key, exc)
            return None

    def _refresh_shards(self, mapping: _Mapping) -> None:
        described = self._describe(mapping.subscription)
        for shard in described or []:
            shard_id = shard["ShardId"]
            known = mapping.shards.get(shard_id)
            if known is None:
                # A shard that appears after the mapping started is read from its start.
                known = mapping.shards[shard_id] = _Shard(shard_id, shard.get("ParentShardId"))
            known.ending = (shard.get("SequenceNumberRange") or {}).get("EndingSequenceNumber")

    def _prime(self, mapping: _Mapping) -> None:
        subscription = mapping.subscription
        described = self._describe(subscription)
        if described is None:
            return
        for shard in described:
            state = mapping.shards[shard["ShardId"]] = _Shard(shard["ShardId"], shard.get("ParentShardId"))
            if subscription.starting_position == "LATEST":
                last = None
                for record in self._read(subscription, state, None, limit=None):
                    last = record["dynamodb"]["SequenceNumber"]
                state.read_after = last
            elif subscription.starting_position == "AT_TIMESTAMP":
                state.skip_before = subscription.starting_timestamp
        mapping.primed = True

    def _read(
        self, subscription: StreamSubscription, shard: _Shard, after: str | None, *, limit: int | None
    ) -> list[dict[str, Any]]:
        """GetRecords from just after `after` (None: the shard's start), up to `limit` records.

        A fresh iterator every time: moto replaces a table (and its stream shard) when a
        transaction fails, and an old iterator would keep reading the replaced one."""
        request: dict[str, Any] = {"StreamArn": subscription.stream_arn, "ShardId": shard.shard_id}
        if after is None:
            request["ShardIteratorType"] = "TRIM_HORIZON"
        else:
            request.update(ShardIteratorType="AFTER_SEQUENCE_NUMBER", SequenceNumber=after)
        records: list[dict[str, Any]] = []
        try:
            iterator = self.streams.get_shard_iterator(**request).get("ShardIterator")
            while iterator and (limit is None or len(records) < limit):
                page = self.streams.get_records(ShardIterator=iterator, Limit=READ_LIMIT)
                got = page.get("Records") or []
                if not got:
                    break
                records.extend(got)
                iterator = page.get("NextShardIterator")
        except ClientError as exc:
            self._warn_once(f"{subscription.key}/{shard.shard_id}", "cannot read shard %s of %s: %s",
                            shard.shard_id, subscription.stream_arn, exc)
        return records

    def _fill(self, subscription: StreamSubscription, shard: _Shard) -> None:
        if len(shard.buffer) >= subscription.batch_size:
            return
        raw = self._read(subscription, shard, shard.read_after, limit=READ_LIMIT)
        if not raw:
            return
        shard.read_after = str(raw[-1]["dynamodb"]["SequenceNumber"])
        records = [stream_record(record, subscription.stream_arn, self.region) for record in raw]
        if shard.skip_before is not None:
            records = [r for r in records if r["dynamodb"].get("ApproximateCreationDateTime", 0) >= shard.skip_before]
        if subscription.filter is not None:  # Lambda filters before batching; the others are skipped
            records = [r for r in records if subscription.filter.matches(r)]
        if records and not shard.buffer:
            shard.buffered_since = self._monotonic()
        shard.buffer.extend(records)

    # -- invoking -----------------------------------------------------------------------------

    def _next_batch(self, subscription: StreamSubscription, shard: _Shard) -> _Batch | None:
        if shard.pieces:
            return shard.pieces[0]
        self._fill(subscription, shard)
        if not shard.buffer:
            return None
        waited = self._monotonic() - (shard.buffered_since or 0.0)
        if len(shard.buffer) < subscription.batch_size and waited < subscription.batching_window_seconds:
            return None  # gather more records until the batching window has passed
        records, shard.buffer = shard.buffer[: subscription.batch_size], shard.buffer[subscription.batch_size :]
        if not shard.buffer:
            shard.buffered_since = None
        shard.pieces = [_Batch(records)]
        return shard.pieces[0]

    def _run_shard(self, subscription: StreamSubscription, shard: _Shard, outcomes: list[BatchOutcome]) -> None:
        while not self._stopping.is_set():
            batch = self._next_batch(subscription, shard)
            if batch is None:
                return
            self._discard_expired(subscription, shard, batch, outcomes)
            if not batch.records:
                shard.pieces.pop(0)
                continue
            outcome, invocation = self._invoke(subscription, shard, batch)
            outcomes.append(outcome)
            if outcome.result == "ok":
                shard.pieces.pop(0)
                continue
            if outcome.result == "partial":
                # Checkpoint before the lowest reported record; retry from it (a split
                # happens at that record too, so there is nothing else to split).
                start = next(i for i, r in enumerate(batch.records)
                             if r["dynamodb"]["SequenceNumber"] == outcome.retry_from)
                batch.records = batch.records[start:]
                batch.attempts += 1
            elif subscription.bisect_on_error and len(batch.records) > 1:
                middle = len(batch.records) // 2
                halves = [_Batch(batch.records[:middle], batch.attempts), _Batch(batch.records[middle:], batch.attempts)]
                shard.pieces[0:1] = halves
                log.warning("%s: batch of %d failed: split in two (BisectBatchOnFunctionError)",
                            subscription.key, len(batch.records))
                return
            else:
                batch.attempts += 1
            retries = subscription.max_retry_attempts
            if retries != UNLIMITED and batch.attempts > retries:
                outcomes.append(self._discard(subscription, shard, batch, "RetryAttemptsExhausted", invocation))
                shard.pieces.pop(0)
                continue  # the shard moves on
            log.warning("%s: batch %s..%s failed (attempt %d%s): retried at the next pass", subscription.key,
                        batch.records[0]["dynamodb"]["SequenceNumber"], batch.records[-1]["dynamodb"]["SequenceNumber"],
                        batch.attempts, "" if retries == UNLIMITED else f" of {retries + 1}")
            return

    def _invoke(self, subscription: StreamSubscription, shard: _Shard, batch: _Batch) -> tuple[BatchOutcome, Invocation]:
        sequence_numbers = tuple(r["dynamodb"]["SequenceNumber"] for r in batch.records)
        invocation = self.registry.invoke(subscription.function, {"Records": batch.records})
        result, retry_from = "ok", None
        if invocation.failed:
            result = "error"
        elif subscription.report_batch_item_failures:
            try:
                failed = batch_item_failures(invocation.result(), set(sequence_numbers))
            except (InvalidBatchResponse, ValueError) as exc:
                log.error("%s: %s: the whole batch failed", subscription.key, exc)
                result = "error"
            else:
                if failed:  # the checkpoint goes before the lowest (here: earliest) reported record
                    result = "partial"
                    retry_from = next(number for number in sequence_numbers if number in set(failed))
        return BatchOutcome(subscription.key, shard.shard_id, sequence_numbers, result, retry_from), invocation

    def _discard_expired(
        self, subscription: StreamSubscription, shard: _Shard, batch: _Batch, outcomes: list[BatchOutcome]
    ) -> None:
        if subscription.max_record_age_seconds == UNLIMITED:
            return
        oldest_allowed = self._clock() - subscription.max_record_age_seconds
        expired = 0
        for record in batch.records:
            if record["dynamodb"].get("ApproximateCreationDateTime", oldest_allowed) >= oldest_allowed:
                break
            expired += 1
        if expired:
            old = _Batch(batch.records[:expired], batch.attempts)
            batch.records = batch.records[expired:]
            outcomes.append(self._discard(subscription, shard, old, "RecordAgeExceeded", None))

    def _discard(
        self,
        subscription: StreamSubscription,
        shard: _Shard,
        batch: _Batch,
        condition: str,
        invocation: Invocation | None,
    ) -> BatchOutcome:
        sequence_numbers = tuple(r["dynamodb"]["SequenceNumber"] for r in batch.records)
        record = failure_record(subscription, shard.shard_id, batch.records, condition=condition,
                                invoke_count=batch.attempts, invocation=invocation)
        span = f"{sequence_numbers[0]}..{sequence_numbers[-1]}"
        if subscription.on_failure is None or self._send_to_queue is None:
            log.error("%s: records %s discarded (%s), no on-failure destination", subscription.key, span, condition)
        else:
            try:
                self._send_to_queue(subscription.on_failure, json.dumps(record), {})
                log.error("%s: records %s discarded (%s): sent to %s", subscription.key, span, condition,
                          subscription.on_failure)
            except Exception:
                log.exception("%s: could not send the discarded records %s to %s", subscription.key, span,
                              subscription.on_failure)
        return BatchOutcome(subscription.key, shard.shard_id, sequence_numbers, "discarded", condition=condition)

    def _warn_once(self, key: str, message: str, *args: Any) -> None:
        if key not in self._warned:
            self._warned.add(key)
            log.warning(message, *args)


def serialize_stream_reads() -> None:
    """Make moto's DynamoDB Streams reads wait for DynamoDB writes (in-process moto only).

    moto applies a transaction to the table, then puts back a copy when a condition fails:
    a stream read in between would see records of a write that never happened. The DynamoDB
    side is already serialised (local.moto_patches); this takes the same lock for the reads."""
    from moto.dynamodbstreams.responses import DynamoDBStreamsHandler

    from local import moto_patches

    if getattr(DynamoDBStreamsHandler, "_herald_serialized", False):
        return
    moto_patches.make_dynamodb_atomic()
    original = DynamoDBStreamsHandler.call_action

    def call_action(self: Any) -> Any:
        with moto_patches._lock:
            return original(self)

    DynamoDBStreamsHandler.call_action = call_action  # type: ignore[method-assign]
    DynamoDBStreamsHandler._herald_serialized = True  # type: ignore[attr-defined]
