"""The DynamoDB Streams event source (local.stream_pump) with an in-memory stream and stub
functions: Lambda's event, checkpoints, partial batch responses, bisection, retries and the
on-failure record. The pump is driven by calling poll() directly; time is a fake clock."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.parser.models import (
    DynamoDBStreamLambdaOnFailureDestinationModel,
    DynamoDBStreamModel,
)

from local.event_filter import EventFilter
from local.functions import FunctionRegistry, LocalFunction, specs_from_stack
from local.sqs_pump import sqs_subscriptions
from local.stream_pump import (
    InvalidBatchResponse,
    StreamPump,
    StreamSubscription,
    batch_item_failures,
    stream_record,
    stream_subscriptions,
)
from local.template import Stack, load_yaml

STREAM_ARN = "arn:aws:dynamodb:us-east-1:123456789012:table/herald-table/stream/2030-01-01T00:00:00.000"
DLQ_ARN = "arn:aws:sqs:us-east-1:123456789012:herald-StreamFailures"
NOW = 1_900_000_000.0


class FakeStreams:
    """DescribeStream / GetShardIterator / GetRecords over in-memory shards, the way moto and
    DynamoDB Streams answer them (numeric sequence numbers, boto3 shapes)."""

    def __init__(self) -> None:
        self.shards: dict[str, list[dict[str, Any]]] = {"shardId-1": []}
        self.parents: dict[str, str] = {}
        self.closed: set[str] = set()
        self.sequence = 100
        self.reads = 0

    def write(self, pk: str, *, event: str = "INSERT", shard: str = "shardId-1", created: float = NOW,
              new: dict[str, Any] | None = None, old: dict[str, Any] | None = None) -> str:
        self.sequence += 1
        change: dict[str, Any] = {
            "ApproximateCreationDateTime": datetime.fromtimestamp(created, UTC),
            "Keys": {"PK": {"S": pk}},
            "SequenceNumber": str(self.sequence),
            "SizeBytes": 42,
            "StreamViewType": "NEW_AND_OLD_IMAGES",
        }
        if event != "REMOVE":
            change["NewImage"] = {"PK": {"S": pk}, **(new or {})}
        if event != "INSERT":
            change["OldImage"] = {"PK": {"S": pk}, **(old or {})}
        self.shards[shard].append({
            "eventID": f"event-{self.sequence}",
            "eventName": event,
            "eventVersion": "1.1",
            "eventSource": "aws:dynamodb",
            "awsRegion": "us-east-1",
            "dynamodb": change,
        })
        return str(self.sequence)

    def describe_stream(self, StreamArn: str, ExclusiveStartShardId: str | None = None) -> dict[str, Any]:
        shards = []
        for shard_id, records in self.shards.items():
            described: dict[str, Any] = {"ShardId": shard_id, "SequenceNumberRange": {"StartingSequenceNumber": "1"}}
            if shard_id in self.parents:
                described["ParentShardId"] = self.parents[shard_id]
            if shard_id in self.closed and records:
                described["SequenceNumberRange"]["EndingSequenceNumber"] = records[-1]["dynamodb"]["SequenceNumber"]
            shards.append(described)
        return {"StreamDescription": {"StreamArn": StreamArn, "Shards": shards}}

    def get_shard_iterator(self, StreamArn: str, ShardId: str, ShardIteratorType: str,
                           SequenceNumber: str | None = None) -> dict[str, Any]:
        records = self.shards[ShardId]
        if ShardIteratorType == "TRIM_HORIZON":
            index = 0
        else:
            assert ShardIteratorType == "AFTER_SEQUENCE_NUMBER"
            index = next((i + 1 for i, r in enumerate(records) if r["dynamodb"]["SequenceNumber"] == SequenceNumber),
                         len(records))
        return {"ShardIterator": f"{ShardId}|{index}"}

    def get_records(self, ShardIterator: str, Limit: int) -> dict[str, Any]:
        self.reads += 1
        shard_id, index = ShardIterator.split("|")
        records = self.shards[shard_id][int(index): int(index) + Limit]
        return {"Records": records, "NextShardIterator": f"{shard_id}|{int(index) + len(records)}"}


class Function:
    """A stub handler: records the keys of every batch; `behaviour(keys, event)` answers."""

    def __init__(self, behaviour: Any = None) -> None:
        self.batches: list[list[str]] = []
        self.behaviour = behaviour

    def __call__(self, event: dict[str, Any], context: Any) -> Any:
        keys = [record["dynamodb"]["Keys"]["PK"]["S"] for record in event["Records"]]
        self.batches.append(keys)
        return self.behaviour(keys, event) if self.behaviour else None


def failing_on(*bad: str) -> Any:
    """Partial batch response: the records whose key is in `bad` fail (by sequence number)."""

    def respond(keys: list[str], event: dict[str, Any]) -> dict[str, Any]:
        return {"batchItemFailures": [{"itemIdentifier": r["dynamodb"]["SequenceNumber"]}
                                      for r in event["Records"] if r["dynamodb"]["Keys"]["PK"]["S"] in bad]}

    return respond


def raising_on(*bad: str) -> Any:
    def respond(keys: list[str], event: dict[str, Any]) -> None:
        if set(keys) & set(bad):
            raise RuntimeError(f"cannot handle {sorted(set(keys) & set(bad))}")

    return respond


class Clock:
    def __init__(self) -> None:
        self.now = NOW + 5
        self.mono = 1000.0

    def time(self) -> float:
        return self.now

    def monotonic(self) -> float:
        return self.mono


@pytest.fixture
def streams() -> FakeStreams:
    return FakeStreams()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def sent() -> list[tuple[str, dict[str, Any]]]:
    return []


def make_pump(streams: FakeStreams, function: Function, sent: list[tuple[str, dict[str, Any]]],
              clock: Clock | None = None, **options: Any) -> tuple[StreamPump, StreamSubscription]:
    local = LocalFunction.stub("herald-stream", function, logical_id="StreamFunction")
    subscription = StreamSubscription(function=local, event_name="Changes", stream_arn=STREAM_ARN, **options)
    clock = clock or Clock()
    pump = StreamPump(
        streams,
        FunctionRegistry([local]),
        region="us-east-1",
        send_to_queue=lambda arn, body, attributes: sent.append((arn, json.loads(body))),
        subscriptions=[subscription],
        clock=clock.time,
        monotonic=clock.monotonic,
    )
    return pump, subscription


# -- the event ----------------------------------------------------------------------------------


def test_records_are_shaped_like_lambdas_dynamodb_event(streams: FakeStreams) -> None:
    streams.write("post#1", new={"photo": {"B": b"\x00\xff"}, "tags": {"BS": [b"a"]}, "n": {"N": "3"}})
    streams.write("post#1", event="MODIFY", new={"n": {"N": "4"}}, old={"n": {"N": "3"}})
    streams.write("post#1", event="REMOVE", old={"n": {"N": "4"}})
    records = [stream_record(raw, STREAM_ARN, "eu-west-1") for raw in streams.shards["shardId-1"]]

    insert, modify, remove = records
    assert insert == {
        "eventID": "event-101",
        "eventName": "INSERT",
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": "eu-west-1",
        "dynamodb": {
            "ApproximateCreationDateTime": int(NOW),
            "Keys": {"PK": {"S": "post#1"}},
            "NewImage": {"PK": {"S": "post#1"}, "photo": {"B": "AP8="}, "tags": {"BS": ["YQ=="]}, "n": {"N": "3"}},
            "SequenceNumber": "101",
            "SizeBytes": 42,
            "StreamViewType": "NEW_AND_OLD_IMAGES",
        },
        "eventSourceARN": STREAM_ARN,
    }
    assert set(modify["dynamodb"]) >= {"NewImage", "OldImage"} and "NewImage" not in remove["dynamodb"]
    json.dumps(records)  # what the handler gets is plain JSON
    parsed = DynamoDBStreamModel.model_validate({"Records": records})  # powertools' own model of it
    assert [r.eventName for r in parsed.Records] == ["INSERT", "MODIFY", "REMOVE"]
    assert parsed.Records[0].dynamodb.NewImage["n"] == 3


def test_dynamodb_events_of_the_template_become_subscriptions() -> None:
    stack = Stack(template=load_yaml("""
Resources:
  Table:
    Type: AWS::DynamoDB::Table
    Properties: {TableName: herald-table, StreamSpecification: {StreamViewType: NEW_AND_OLD_IMAGES}}
  Failures: {Type: AWS::SQS::Queue}
  Stream:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/stream/
      Events:
        Changes:
          Type: DynamoDB
          Properties:
            Stream: !GetAtt Table.StreamArn
            StartingPosition: LATEST
            BatchSize: 25
            MaximumBatchingWindowInSeconds: 2
            FunctionResponseTypes: [ReportBatchItemFailures]
            BisectBatchOnFunctionError: true
            MaximumRetryAttempts: 3
            MaximumRecordAgeInSeconds: 600
            DestinationConfig: {OnFailure: {Type: SQS, Destination: !GetAtt Failures.Arn}}
            FilterCriteria:
              Filters:
                - Pattern: '{"eventName": ["INSERT"]}'
        Defaults:
          Type: DynamoDB
          Properties: {Stream: !GetAtt Table.StreamArn, StartingPosition: TRIM_HORIZON}
        Paused:
          Type: DynamoDB
          Properties: {Stream: !GetAtt Table.StreamArn, StartingPosition: LATEST, Enabled: false}
        ToSns:
          Type: DynamoDB
          Properties:
            Stream: !GetAtt Table.StreamArn
            StartingPosition: LATEST
            DestinationConfig: {OnFailure: {Type: SNS, Destination: arn:aws:sns:us-east-1:123456789012:t}}
        BadFilter:
          Type: DynamoDB
          Properties:
            Stream: !GetAtt Table.StreamArn
            StartingPosition: LATEST
            FilterCriteria: {Filters: [{Pattern: '{"eventName": "INSERT"}'}]}
        Api:
          Type: HttpApi
"""))
    functions = [LocalFunction(spec) for spec in specs_from_stack(stack)]
    changes, defaults, to_sns = stream_subscriptions(functions)

    assert changes.key == "Stream.Changes" and changes.stream_arn == stack.get_att("Table", "StreamArn")
    assert (changes.starting_position, changes.batch_size, changes.batching_window_seconds) == ("LATEST", 25, 2)
    assert changes.report_batch_item_failures and changes.bisect_on_error
    assert (changes.max_retry_attempts, changes.max_record_age_seconds) == (3, 600)
    assert changes.on_failure == "arn:aws:sqs:us-east-1:123456789012:herald-Failures"
    # AWS's defaults: 100 records, retried until the record expires, no destination.
    assert (defaults.batch_size, defaults.max_retry_attempts, defaults.on_failure) == (100, -1, None)
    assert not defaults.report_batch_item_failures and not defaults.bisect_on_error
    assert to_sns.on_failure is None  # only SQS destinations are emulated
    assert changes.filter is not None and defaults.filter is None
    assert changes.filter.matches({"eventName": "INSERT"}) and not changes.filter.matches({"eventName": "REMOVE"})
    # BadFilter's pattern is one Lambda refuses (a leaf is a list): no mapping, as no deployment.


def test_every_stream_and_queue_event_of_the_project_template_is_emulated() -> None:
    project = Stack.from_file(Path(__file__).resolve().parents[2] / "template.yaml")
    functions = [LocalFunction(spec) for spec in specs_from_stack(project)]
    events = [event for f in functions for event in f.spec.events.values()
              if (event.get("Properties") or {}).get("Enabled") is not False]
    streams, queues = stream_subscriptions(functions), sqs_subscriptions(functions)
    assert len(streams) == sum(event["Type"] == "DynamoDB" for event in events)
    assert len(queues) == sum(event["Type"] == "SQS" for event in events)
    for subscription in streams:
        assert subscription.stream_arn == project.get_att("Table", "StreamArn")
        assert subscription.on_failure is None or ":sqs:" in subscription.on_failure


@pytest.mark.parametrize(
    ("response", "failed"),
    [
        (None, []),
        ({}, []),
        ({"batchItemFailures": None}, []),
        ({"batchItemFailures": []}, []),
        ({"batchItemFailures": [{"itemIdentifier": "102"}, {"itemIdentifier": "101"}]}, ["102", "101"]),
        ({"statusCode": 200}, []),
    ],
)
def test_batch_responses_that_succeed_or_report_items(response: Any, failed: list[str]) -> None:
    assert batch_item_failures(response, {"101", "102"}) == failed


@pytest.mark.parametrize(
    "response",
    [
        {"batchItemFailures": [{"itemIdentifier": ""}]},
        {"batchItemFailures": [{"itemIdentifier": None}]},
        {"batchItemFailures": [{"messageId": "101"}]},  # a wrong key name
        {"batchItemFailures": [{"itemIdentifier": "999"}]},  # not in the batch
        {"batchItemFailures": "101"},
        "101",
    ],
)
def test_batch_responses_that_fail_the_whole_batch(response: Any) -> None:
    with pytest.raises(InvalidBatchResponse):
        batch_item_failures(response, {"101", "102"})


# -- checkpoints and batches --------------------------------------------------------------------


def test_records_are_delivered_once_in_shard_order_in_batches_of_batch_size(streams: FakeStreams, sent: list) -> None:
    function = Function()
    pump, subscription = make_pump(streams, function, sent, batch_size=2)
    for key in "abcde":
        streams.write(key)

    outcomes = pump.poll(subscription)

    assert function.batches == [["a", "b"], ["c", "d"], ["e"]]
    assert [o.result for o in outcomes] == ["ok", "ok", "ok"]
    assert pump.poll(subscription) == []  # checkpointed past them
    streams.write("f")
    pump.poll(subscription)
    assert function.batches[-1] == ["f"]


def test_starting_position_latest_skips_what_the_stream_held_when_primed(streams: FakeStreams, sent: list) -> None:
    streams.write("before")
    latest = Function()
    pump, subscription = make_pump(streams, latest, sent, starting_position="LATEST")
    pump.prime()
    streams.write("after")
    pump.poll(subscription)
    assert latest.batches == [["after"]]

    horizon = Function()
    pump, subscription = make_pump(streams, horizon, sent, starting_position="TRIM_HORIZON")
    pump.poll(subscription)
    assert horizon.batches == [["before", "after"]]


def test_a_batching_window_waits_for_a_full_batch_or_the_window(
    streams: FakeStreams, sent: list, clock: Clock
) -> None:
    function = Function()
    pump, subscription = make_pump(streams, function, sent, clock, batch_size=3, batching_window_seconds=5)
    streams.write("a")
    pump.poll(subscription)
    clock.mono += 4
    pump.poll(subscription)
    assert function.batches == []  # 1 record, 4 s into a 5 s window
    clock.mono += 1
    pump.poll(subscription)
    assert function.batches == [["a"]]
    for key in "bcd":
        streams.write(key)
    pump.poll(subscription)  # a full batch does not wait
    assert function.batches == [["a"], ["b", "c", "d"]]


def test_a_child_shard_waits_until_its_parent_is_read(streams: FakeStreams, sent: list) -> None:
    function = Function()
    pump, subscription = make_pump(streams, function, sent)
    streams.write("old")
    streams.shards["shardId-2"] = []
    streams.parents["shardId-2"] = "shardId-1"
    streams.write("new", shard="shardId-2")
    streams.closed.add("shardId-1")

    pump.poll(subscription)

    assert function.batches == [["old"], ["new"]]


# -- failures -----------------------------------------------------------------------------------


def test_a_partial_batch_failure_is_retried_from_the_lowest_reported_record(streams: FakeStreams, sent: list) -> None:
    function = Function(failing_on("c", "e"))
    pump, subscription = make_pump(streams, function, sent, report_batch_item_failures=True, max_retry_attempts=5)
    sequence = {key: streams.write(key) for key in "abcde"}

    [outcome] = pump.poll(subscription)
    assert (outcome.result, outcome.retry_from) == ("partial", sequence["c"])
    function.behaviour = None  # fixed
    pump.poll(subscription)
    assert function.batches == [list("abcde"), list("cde")]  # a and b were checkpointed
    assert pump.poll(subscription) == []


def test_powertools_batch_processor_reports_what_the_pump_retries(streams: FakeStreams, sent: list) -> None:
    """What Herald's stream function returns (process_partial_response) drives the retry."""
    handled: list[str] = []

    def record_handler(record: Any) -> None:
        key = record.dynamodb.keys["PK"]
        if key == "poison":
            raise ValueError("poison")
        handled.append(key)

    def handler(event: dict[str, Any], context: Any) -> Any:
        processor = BatchProcessor(event_type=EventType.DynamoDBStreams)
        return process_partial_response(event=event, record_handler=record_handler, processor=processor,
                                        context=context)

    local = LocalFunction.stub("herald-stream", handler, logical_id="StreamFunction")
    subscription = StreamSubscription(function=local, event_name="Changes", stream_arn=STREAM_ARN,
                                      report_batch_item_failures=True, max_retry_attempts=1, on_failure=DLQ_ARN)
    pump = StreamPump(streams, FunctionRegistry([local]), region="us-east-1", subscriptions=[subscription],
                      send_to_queue=lambda arn, body, attributes: sent.append((arn, json.loads(body))))
    for key in ("a", "poison", "b"):
        streams.write(key)

    outcomes = pump.poll(subscription)  # partial failure: retried from "poison"
    outcomes += pump.poll(subscription)  # fails again: retries exhausted, sent away

    assert [o.result for o in outcomes] == ["partial", "partial", "discarded"]
    assert handled == ["a", "b", "b"]  # b ran again with the retried tail, a did not
    [(arn, record)] = sent
    assert record["DDBStreamBatchInfo"]["batchSize"] == 2


def test_without_report_batch_item_failures_a_response_is_ignored(streams: FakeStreams, sent: list) -> None:
    function = Function(failing_on("a"))
    pump, subscription = make_pump(streams, function, sent, report_batch_item_failures=False)
    streams.write("a")
    assert [o.result for o in pump.poll(subscription)] == ["ok"]


def test_an_invalid_batch_response_fails_the_whole_batch(streams: FakeStreams, sent: list) -> None:
    function = Function(lambda keys, event: {"batchItemFailures": [{"itemIdentifier": "not-a-record"}]})
    pump, subscription = make_pump(streams, function, sent, report_batch_item_failures=True)
    streams.write("a")
    streams.write("b")
    assert [o.result for o in pump.poll(subscription)] == ["error"]
    function.behaviour = None
    pump.poll(subscription)
    assert function.batches == [["a", "b"], ["a", "b"]]


def test_an_error_is_retried_up_to_maximum_retry_attempts_then_sent_to_the_on_failure_queue(
    streams: FakeStreams, sent: list
) -> None:
    function = Function(raising_on("bad"))
    pump, subscription = make_pump(streams, function, sent, max_retry_attempts=2, on_failure=DLQ_ARN)
    first = streams.write("bad")
    last = streams.write("x")

    results = [o.result for _ in range(3) for o in pump.poll(subscription)]

    assert results == ["error", "error", "error", "discarded"]  # the first attempt and 2 retries
    assert function.batches == [["bad", "x"]] * 3
    [(arn, record)] = sent
    assert arn == DLQ_ARN
    parsed = DynamoDBStreamLambdaOnFailureDestinationModel.model_validate(record)  # powertools' model
    assert parsed.request_context.condition == "RetryAttemptsExhausted"
    assert parsed.request_context.approximate_invoke_count == 3
    assert parsed.request_context.function_arn == "arn:aws:lambda:us-east-1:123456789012:function:herald-stream"
    assert parsed.response_context.function_error == "Unhandled"
    info = record["DDBStreamBatchInfo"]
    assert (info["startSequenceNumber"], info["endSequenceNumber"], info["batchSize"]) == (first, last, 2)
    assert (info["shardId"], info["streamArn"]) == ("shardId-1", STREAM_ARN)
    assert info["approximateArrivalOfFirstRecord"] == datetime.fromtimestamp(NOW, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    streams.write("next")  # the shard has moved on
    pump.poll(subscription)
    assert function.batches[-1] == ["next"]


def test_bisection_isolates_the_failing_record_without_using_retries(streams: FakeStreams, sent: list) -> None:
    function = Function(raising_on("b"))
    pump, subscription = make_pump(streams, function, sent, bisect_on_error=True, max_retry_attempts=0,
                                   on_failure=DLQ_ARN)
    for key in "abcd":
        streams.write(key)

    for _ in range(4):
        pump.poll(subscription)

    assert function.batches == [["a", "b", "c", "d"], ["a", "b"], ["a"], ["b"], ["c", "d"]]
    [(_, record)] = sent
    assert record["DDBStreamBatchInfo"]["batchSize"] == 1
    assert record["requestContext"]["approximateInvokeCount"] == 1


def test_with_unlimited_retries_a_failing_batch_blocks_its_shard(streams: FakeStreams, sent: list) -> None:
    function = Function(raising_on("bad"))
    pump, subscription = make_pump(streams, function, sent, batch_size=1)  # MaximumRetryAttempts -1
    streams.write("bad")
    streams.write("later")
    for _ in range(5):
        pump.poll(subscription)
    assert function.batches == [["bad"]] * 5  # one retry per pass; "later" waits, as on AWS
    assert sent == []


def test_records_older_than_the_maximum_record_age_are_discarded(
    streams: FakeStreams, sent: list, clock: Clock
) -> None:
    function = Function()
    pump, subscription = make_pump(streams, function, sent, clock, max_record_age_seconds=60, on_failure=DLQ_ARN)
    streams.write("stale", created=NOW - 120)
    streams.write("fresh", created=NOW)

    outcomes = pump.poll(subscription)

    assert [(o.result, o.condition) for o in outcomes] == [("discarded", "RecordAgeExceeded"), ("ok", None)]
    assert function.batches == [["fresh"]]
    assert sent[0][1]["requestContext"]["condition"] == "RecordAgeExceeded"


def test_stop_ends_a_pass_between_batches(streams: FakeStreams, sent: list) -> None:
    function = Function()
    pump, subscription = make_pump(streams, function, sent, batch_size=1)
    streams.write("a")
    pump.stop()
    assert pump.poll(subscription) == []


def test_filter_criteria_skip_the_records_that_match_no_pattern(streams: FakeStreams, sent: list) -> None:
    function = Function()
    event_filter = EventFilter.from_criteria({"Filters": [
        {"Pattern": '{"dynamodb": {"NewImage": {"entity": {"S": ["post"]}}}, "eventName": ["MODIFY"]}'},
    ]})
    pump, subscription = make_pump(streams, function, sent, filter=event_filter, batch_size=2)
    streams.write("new-post", new={"entity": {"S": "post"}})  # INSERT: skipped
    streams.write("post", event="MODIFY", new={"entity": {"S": "post"}})
    streams.write("account", event="MODIFY", new={"entity": {"S": "account"}})
    streams.write("post-2", event="MODIFY", new={"entity": {"S": "post"}})

    pump.poll(subscription)

    assert function.batches == [["post", "post-2"]]  # filtered before batching
    assert pump.poll(subscription) == []  # the skipped records are behind the checkpoint too
