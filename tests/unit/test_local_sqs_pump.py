"""The SQS event source (local.sqs_pump) against moto's SQS (in-process mock, which keeps
visibility timeouts, receive counts and the redrive to a dead-letter queue) with stub functions.
The pump is driven by calling poll() directly; moto's SQS clock is moved forward instead of
waiting for visibility timeouts."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import moto.sqs.models
import pytest
from aws_lambda_powertools.utilities.parser.models import SqsModel
from moto import mock_aws

from local.event_filter import EventFilter
from local.functions import FunctionRegistry, LocalFunction, specs_from_stack
from local.sqs_pump import SqsPump, SqsSubscription, sqs_record, sqs_subscriptions
from local.template import Stack, load_yaml

QUEUE_ARN = "arn:aws:sqs:us-east-1:123456789012:herald-work"
DLQ_ARN = "arn:aws:sqs:us-east-1:123456789012:herald-work-dlq"
VISIBILITY_TIMEOUT = 30
MAX_RECEIVE_COUNT = 2


class SqsClock:
    """Moves moto's SQS clock forward (visibility timeouts), never the test's."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.offset = 0.0
        real = moto.sqs.models.unix_time_millis
        monkeypatch.setattr(moto.sqs.models, "unix_time_millis",
                            lambda dt=None: real(dt) + (self.offset * 1000 if dt is None else 0))

    def advance(self, seconds: float) -> None:
        self.offset += seconds


class Worker:
    """A stub handler: records every batch as (body, ApproximateReceiveCount); `behaviour` answers."""

    def __init__(self, behaviour: Any = None) -> None:
        self.batches: list[list[tuple[str, str]]] = []
        self.events: list[dict[str, Any]] = []
        self.behaviour = behaviour

    def __call__(self, event: dict[str, Any], context: Any) -> Any:
        self.events.append(event)
        self.batches.append([(r["body"], r["attributes"]["ApproximateReceiveCount"]) for r in event["Records"]])
        return self.behaviour(event) if self.behaviour else None

    @property
    def bodies(self) -> list[list[str]]:
        return [[body for body, _ in batch] for batch in self.batches]


def failing_on(*bad: str) -> Any:
    def respond(event: dict[str, Any]) -> dict[str, Any]:
        return {"batchItemFailures": [{"itemIdentifier": r["messageId"]} for r in event["Records"] if r["body"] in bad]}

    return respond


def raising(event: dict[str, Any]) -> None:
    raise RuntimeError("worker down")


@pytest.fixture
def sqs(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_SQS", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    with mock_aws():
        client = boto3.client("sqs", region_name="us-east-1")
        client.create_queue(QueueName="herald-work-dlq")
        client.create_queue(QueueName="herald-work", Attributes={
            "VisibilityTimeout": str(VISIBILITY_TIMEOUT),
            "RedrivePolicy": json.dumps({"deadLetterTargetArn": DLQ_ARN, "maxReceiveCount": MAX_RECEIVE_COUNT}),
        })
        yield client


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> SqsClock:
    return SqsClock(monkeypatch)


def url(sqs: Any, name: str = "herald-work") -> str:
    return sqs.get_queue_url(QueueName=name)["QueueUrl"]


def send(sqs: Any, *bodies: str) -> None:
    for body in bodies:
        sqs.send_message(QueueUrl=url(sqs), MessageBody=body)


def dead_letters(sqs: Any) -> list[str]:
    messages = sqs.receive_message(QueueUrl=url(sqs, "herald-work-dlq"), MaxNumberOfMessages=10).get("Messages", [])
    return sorted(m["Body"] for m in messages)


def make_pump(sqs: Any, worker: Worker, **options: Any) -> tuple[SqsPump, SqsSubscription]:
    function = LocalFunction.stub("herald-worker", worker, logical_id="WorkerFunction")
    subscription = SqsSubscription(function=function, event_name="Jobs", queue_arn=QUEUE_ARN, **options)
    return SqsPump(sqs, FunctionRegistry([function]), region="us-east-1", subscriptions=[subscription]), subscription


# -- the event ----------------------------------------------------------------------------------


def test_records_are_shaped_like_lambdas_sqs_event(sqs: Any) -> None:
    sqs.send_message(QueueUrl=url(sqs), MessageBody='{"job": 1}', MessageAttributes={
        "kind": {"DataType": "String", "StringValue": "collect"},
        "blob": {"DataType": "Binary", "BinaryValue": b"\x01\x02"},
    })
    [message] = sqs.receive_message(QueueUrl=url(sqs), MessageSystemAttributeNames=["All"],
                                    MessageAttributeNames=["All"])["Messages"]

    record = sqs_record(message, QUEUE_ARN, "us-east-1")

    assert record["messageId"] == message["MessageId"] and record["receiptHandle"] == message["ReceiptHandle"]
    assert record["body"] == '{"job": 1}'
    assert record["attributes"]["ApproximateReceiveCount"] == "1"
    assert set(record["attributes"]) >= {"SentTimestamp", "SenderId", "ApproximateFirstReceiveTimestamp"}
    assert record["messageAttributes"] == {
        "kind": {"stringValue": "collect", "stringListValues": [], "binaryListValues": [], "dataType": "String"},
        "blob": {"binaryValue": "AQI=", "stringListValues": [], "binaryListValues": [], "dataType": "Binary"},
    }
    assert record["md5OfBody"] == message["MD5OfBody"]
    assert record["md5OfMessageAttributes"] == message["MD5OfMessageAttributes"]
    assert (record["eventSource"], record["eventSourceARN"], record["awsRegion"]) == ("aws:sqs", QUEUE_ARN, "us-east-1")
    json.dumps(record)
    SqsModel.model_validate({"Records": [record]})  # powertools' own model of the event


def test_sqs_events_of_the_template_become_subscriptions() -> None:
    stack = Stack(template=load_yaml("""
Resources:
  Work: {Type: AWS::SQS::Queue}
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/worker/
      Events:
        Jobs:
          Type: SQS
          Properties:
            Queue: !GetAtt Work.Arn
            BatchSize: 5
            MaximumBatchingWindowInSeconds: 1
            FunctionResponseTypes: [ReportBatchItemFailures]
        Defaults:
          Type: SQS
          Properties: {Queue: !GetAtt Work.Arn}
        Paused:
          Type: SQS
          Properties: {Queue: !GetAtt Work.Arn, Enabled: false}
"""))
    functions = [LocalFunction(spec) for spec in specs_from_stack(stack)]
    jobs, defaults = sqs_subscriptions(functions)
    assert (jobs.key, jobs.queue_arn, jobs.queue_name) == ("Worker.Jobs", stack.get_att("Work", "Arn"), "herald-Work")
    assert (jobs.batch_size, jobs.batching_window_seconds, jobs.report_batch_item_failures) == (5, 1, True)
    assert (defaults.batch_size, defaults.batching_window_seconds, defaults.report_batch_item_failures) == (10, 0, False)


# -- success and failure ------------------------------------------------------------------------


def test_a_successful_batch_is_deleted(sqs: Any) -> None:
    worker = Worker()
    pump, subscription = make_pump(sqs, worker, batch_size=2)
    send(sqs, "a", "b", "c")

    outcomes = pump.poll(subscription)

    assert sorted(sum(worker.bodies, [])) == ["a", "b", "c"]
    assert [len(o.message_ids) for o in outcomes] == [2, 1] and all(o.result == "ok" for o in outcomes)
    assert pump.poll(subscription) == []
    attributes = sqs.get_queue_attributes(QueueUrl=url(sqs), AttributeNames=["All"])["Attributes"]
    assert attributes["ApproximateNumberOfMessages"] == attributes["ApproximateNumberOfMessagesNotVisible"] == "0"


def test_a_batch_larger_than_ten_takes_several_receives(sqs: Any) -> None:
    worker = Worker()
    pump, subscription = make_pump(sqs, worker, batch_size=25)
    send(sqs, *(f"m{i}" for i in range(23)))
    pump.poll(subscription)
    assert [len(batch) for batch in worker.batches] == [23]


def test_a_batching_window_holds_a_small_batch(sqs: Any) -> None:
    now = [0.0]
    worker = Worker()
    function = LocalFunction.stub("herald-worker", worker, logical_id="WorkerFunction")
    subscription = SqsSubscription(function=function, event_name="Jobs", queue_arn=QUEUE_ARN, batch_size=3,
                                   batching_window_seconds=2)
    pump = SqsPump(sqs, FunctionRegistry([function]), region="us-east-1", subscriptions=[subscription],
                   monotonic=lambda: now[0])
    send(sqs, "a")
    pump.poll(subscription)
    assert worker.batches == []
    now[0] += 2
    pump.poll(subscription)
    assert worker.bodies == [["a"]]


def test_a_failed_batch_comes_back_after_the_visibility_timeout_then_goes_to_the_dead_letter_queue(
    sqs: Any, clock: SqsClock
) -> None:
    worker = Worker(raising)
    pump, subscription = make_pump(sqs, worker)
    send(sqs, "a")

    [outcome] = pump.poll(subscription)
    assert (outcome.result, len(outcome.failed)) == ("error", 1)
    assert pump.poll(subscription) == []  # invisible until the visibility timeout ends
    clock.advance(VISIBILITY_TIMEOUT - 1)
    assert pump.poll(subscription) == []
    clock.advance(2)
    pump.poll(subscription)
    assert worker.batches == [[("a", "1")], [("a", "2")]]

    clock.advance(VISIBILITY_TIMEOUT + 1)
    assert pump.poll(subscription) == []  # received maxReceiveCount times: moved, not delivered
    assert dead_letters(sqs) == ["a"]
    assert len(worker.batches) == MAX_RECEIVE_COUNT


def test_reported_batch_item_failures_alone_stay_in_the_queue(sqs: Any, clock: SqsClock) -> None:
    worker = Worker(failing_on("bad"))
    pump, subscription = make_pump(sqs, worker, report_batch_item_failures=True)
    send(sqs, "ok1", "bad", "ok2")

    [outcome] = pump.poll(subscription)
    assert outcome.result == "partial" and len(outcome.failed) == 1
    clock.advance(VISIBILITY_TIMEOUT + 1)
    pump.poll(subscription)
    assert sorted(worker.bodies[0]) == ["bad", "ok1", "ok2"]
    assert worker.batches[1] == [("bad", "2")]  # only the reported message came back
    clock.advance(VISIBILITY_TIMEOUT + 1)
    pump.poll(subscription)
    assert dead_letters(sqs) == ["bad"]


def test_without_report_batch_item_failures_a_response_is_ignored(sqs: Any, clock: SqsClock) -> None:
    worker = Worker(failing_on("bad"))
    pump, subscription = make_pump(sqs, worker, report_batch_item_failures=False)
    send(sqs, "bad")
    assert [o.result for o in pump.poll(subscription)] == ["ok"]
    clock.advance(VISIBILITY_TIMEOUT + 1)
    assert pump.poll(subscription) == []  # deleted


def test_an_invalid_batch_response_leaves_the_whole_batch(sqs: Any, clock: SqsClock) -> None:
    worker = Worker(lambda event: {"batchItemFailures": [{"itemIdentifier": "no-such-message"}]})
    pump, subscription = make_pump(sqs, worker, report_batch_item_failures=True)
    send(sqs, "a", "b")
    assert [o.result for o in pump.poll(subscription)] == ["error"]
    clock.advance(VISIBILITY_TIMEOUT + 1)
    worker.behaviour = None
    pump.poll(subscription)
    assert sorted(worker.bodies[1]) == ["a", "b"]


def test_a_failed_batch_ends_the_pass(sqs: Any) -> None:
    worker = Worker(raising)
    pump, subscription = make_pump(sqs, worker, batch_size=1)
    send(sqs, "a", "b")
    assert len(pump.poll(subscription)) == 1
    assert len(pump.poll(subscription)) == 1  # the other message, at the next pass


def test_a_missing_queue_is_skipped(sqs: Any) -> None:
    worker = Worker()
    function = LocalFunction.stub("herald-worker", worker)
    subscription = SqsSubscription(function=function, event_name="Jobs",
                                   queue_arn="arn:aws:sqs:us-east-1:123456789012:no-such-queue")
    pump = SqsPump(sqs, FunctionRegistry([function]), region="us-east-1", subscriptions=[subscription])
    assert pump.run_once() == []


def test_filter_criteria_delete_the_messages_that_match_no_pattern(sqs: Any, clock: SqsClock) -> None:
    worker = Worker()
    event_filter = EventFilter.from_criteria({"Filters": [{"Pattern": '{"body": {"kind": ["collect"]}}'}]})
    pump, subscription = make_pump(sqs, worker, filter=event_filter)
    send(sqs, '{"kind": "collect", "n": 1}', '{"kind": "other"}', "not json")

    pump.poll(subscription)
    clock.advance(VISIBILITY_TIMEOUT + 1)
    pump.poll(subscription)

    assert worker.bodies == [['{"kind": "collect", "n": 1}']]
    assert dead_letters(sqs) == []  # deleted, not redriven
    attributes = sqs.get_queue_attributes(QueueUrl=url(sqs), AttributeNames=["All"])["Attributes"]
    assert attributes["ApproximateNumberOfMessages"] == attributes["ApproximateNumberOfMessagesNotVisible"] == "0"
