"""The local cloud's event sources end to end: LocalCloud (moto server, tickers) on a small
template of this test's own, with stub handlers. A table's stream, a queue with a dead-letter
redrive policy and scheduled functions, each wired from the template's Events alone.

Nothing sleeps: every check waits on a condition with a deadline, and SQS visibility timeouts
pass by moving moto's SQS clock (moto runs in this process)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import moto.sqs.models
import pytest
from local_process import wait_for

from local.cloud import LocalCloud

TEMPLATE = """
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: !Sub ${AWS::StackName}-events
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions: [{AttributeName: PK, AttributeType: S}]
      KeySchema: [{AttributeName: PK, KeyType: HASH}]
      StreamSpecification: {StreamViewType: NEW_AND_OLD_IMAGES}
  StreamFailures:
    Type: AWS::SQS::Queue
  JobDeadLetters:
    Type: AWS::SQS::Queue
  Jobs:
    Type: AWS::SQS::Queue
    Properties:
      VisibilityTimeout: 30
      RedrivePolicy:
        deadLetterTargetArn: !GetAtt JobDeadLetters.Arn
        maxReceiveCount: 2
  StreamFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/stream/
      Handler: app.lambda_handler
      Events:
        Changes:
          Type: DynamoDB
          Properties:
            Stream: !GetAtt Table.StreamArn
            StartingPosition: TRIM_HORIZON
            BatchSize: 10
            FunctionResponseTypes: [ReportBatchItemFailures]
            MaximumRetryAttempts: 2
            DestinationConfig:
              OnFailure:
                Type: SQS
                Destination: !GetAtt StreamFailures.Arn
  WorkerFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/worker/
      Handler: app.lambda_handler
      Events:
        Work:
          Type: SQS
          Properties:
            Queue: !GetAtt Jobs.Arn
            BatchSize: 5
            FunctionResponseTypes: [ReportBatchItemFailures]
  TickFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/tick/
      Handler: app.lambda_handler
      Events:
        Tick:
          Type: Schedule
          Properties: {Schedule: rate(5 minutes)}
  ReportFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/report/
      Handler: app.lambda_handler
      Events:
        Weekly:
          Type: ScheduleV2
          Properties:
            ScheduleExpression: cron(0 7 ? * MON *)
            ScheduleExpressionTimezone: Europe/Paris
            Input: '{"report": "weekly"}'
"""


class Stubs:
    """The functions. Stream keys `fail-*` always fail (reported), `flaky-*` fail once; queue
    bodies `fail-*` are always reported failed."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.stream_batches: list[list[dict[str, Any]]] = []
        self.jobs: list[tuple[str, str]] = []  # (body, ApproximateReceiveCount)
        self.ticks: list[Any] = []
        self.reports: list[Any] = []
        self._flaky_seen: set[str] = set()

    def stream(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        failures = []
        with self.lock:
            self.stream_batches.append(event["Records"])
            for record in event["Records"]:
                key = record["dynamodb"]["Keys"]["PK"]["S"]
                flaky_first = key.startswith("flaky-") and key not in self._flaky_seen
                self._flaky_seen.add(key)
                if key.startswith("fail-") or flaky_first:
                    failures.append({"itemIdentifier": record["dynamodb"]["SequenceNumber"]})
        return {"batchItemFailures": failures}

    def worker(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        with self.lock:
            self.jobs.extend((r["body"], r["attributes"]["ApproximateReceiveCount"]) for r in event["Records"])
        return {"batchItemFailures": [{"itemIdentifier": r["messageId"]} for r in event["Records"]
                                      if r["body"].startswith("fail-")]}

    def tick(self, event: Any, context: Any) -> None:
        with self.lock:
            self.ticks.append(event)

    def report(self, event: Any, context: Any) -> None:
        with self.lock:
            self.reports.append(event)

    def batches_with(self, key: str) -> list[list[str]]:
        with self.lock:
            batches = [[r["dynamodb"]["Keys"]["PK"]["S"] for r in batch] for batch in self.stream_batches]
        return [batch for batch in batches if key in batch]

    def receive_counts(self, body: str) -> list[str]:
        with self.lock:
            return [count for seen, count in self.jobs if seen == body]


@pytest.fixture(scope="module")
def stubs() -> Stubs:
    return Stubs()


@pytest.fixture(scope="module")
def cloud(stubs: Stubs, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalCloud]:
    template = Path(tmp_path_factory.mktemp("event-sources")) / "template.yaml"
    template.write_text(TEMPLATE)
    local = LocalCloud(
        template_path=template,
        api_port=0,
        aws_port=0,
        lambda_port=0,
        bootstrap=None,
        pump_seconds=0.05,
        schedule_seconds={"TickFunction": 0.2},
        handlers={"StreamFunction": stubs.stream, "WorkerFunction": stubs.worker, "TickFunction": stubs.tick,
                  "ReportFunction": stubs.report},
    )
    with local:
        yield local


@pytest.fixture
def sqs_clock(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Moves moto's SQS clock forward, so that visibility timeouts pass at once."""
    offset = [0.0]
    real = moto.sqs.models.unix_time_millis
    monkeypatch.setattr(moto.sqs.models, "unix_time_millis",
                        lambda dt=None: real(dt) + (offset[0] * 1000 if dt is None else 0))

    def advance(seconds: float) -> None:
        offset[0] += seconds

    return advance


_clients: dict[tuple[int, str], Any] = {}


def client(cloud: LocalCloud, service: str) -> Any:
    """One boto3 client per service (creating one takes longer than a pump pass)."""
    key = (id(cloud), service)
    if key not in _clients:
        _clients[key] = cloud.client(service)
    return _clients[key]


def put(cloud: LocalCloud, *keys: str) -> None:
    """One BatchWriteItem: the records reach the stream together, so they form one batch."""
    requests = [{"PutRequest": {"Item": {"PK": {"S": key}, "note": {"S": "hello"}}}} for key in keys]
    client(cloud, "dynamodb").batch_write_item(RequestItems={"herald-events": requests})


def queue_url(cloud: LocalCloud, name: str) -> str:
    return client(cloud, "sqs").get_queue_url(QueueName=name)["QueueUrl"]


def receive_all(cloud: LocalCloud, name: str) -> list[dict[str, Any]]:
    answer = client(cloud, "sqs").receive_message(QueueUrl=queue_url(cloud, name), MaxNumberOfMessages=10)
    return answer.get("Messages", [])


# -- DynamoDB stream ----------------------------------------------------------------------------


def test_a_stream_record_reaches_the_function(cloud: LocalCloud, stubs: Stubs) -> None:
    put(cloud, "hello-1")
    [batch] = wait_for(lambda: stubs.batches_with("hello-1"))
    table = client(cloud, "dynamodb").describe_table(TableName="herald-events")["Table"]
    [record] = [r for r in stubs.stream_batches[-1] if r["dynamodb"]["Keys"]["PK"]["S"] == "hello-1"]
    assert record["eventName"] == "INSERT" and record["eventSource"] == "aws:dynamodb"
    assert record["eventSourceARN"] == table["LatestStreamArn"]
    assert record["dynamodb"]["NewImage"] == {"PK": {"S": "hello-1"}, "note": {"S": "hello"}}
    assert record["dynamodb"]["StreamViewType"] == "NEW_AND_OLD_IMAGES"


def test_a_partial_failure_is_retried_from_the_reported_record(cloud: LocalCloud, stubs: Stubs) -> None:
    put(cloud, "ok-a", "flaky-b", "ok-c")
    first, retry = wait_for(lambda: len(stubs.batches_with("flaky-b")) == 2 and stubs.batches_with("flaky-b"))
    assert first == ["ok-a", "flaky-b", "ok-c"]
    assert retry == ["flaky-b", "ok-c"]  # ok-a was checkpointed
    assert len(stubs.batches_with("ok-a")) == 1


def test_a_batch_failing_past_its_retries_goes_to_the_on_failure_queue(cloud: LocalCloud, stubs: Stubs) -> None:
    put(cloud, "fail-x")
    [message] = wait_for(lambda: receive_all(cloud, "herald-StreamFailures"))
    record = json.loads(message["Body"])
    sequence = next(r["dynamodb"]["SequenceNumber"] for batch in stubs.stream_batches for r in batch
                    if r["dynamodb"]["Keys"]["PK"]["S"] == "fail-x")
    assert record["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert record["requestContext"]["approximateInvokeCount"] == 3  # the first attempt and 2 retries
    assert record["DDBStreamBatchInfo"]["startSequenceNumber"] == sequence
    assert record["DDBStreamBatchInfo"]["batchSize"] == 1
    assert len(stubs.batches_with("fail-x")) == 3
    put(cloud, "after-x")  # the shard moved on
    wait_for(lambda: stubs.batches_with("after-x"))


# -- SQS ----------------------------------------------------------------------------------------


def test_an_sqs_message_reaches_the_function_and_is_deleted(cloud: LocalCloud, stubs: Stubs) -> None:
    sqs = client(cloud, "sqs")
    sqs.send_message(QueueUrl=queue_url(cloud, "herald-Jobs"), MessageBody="hello")
    assert wait_for(lambda: stubs.receive_counts("hello")) == ["1"]
    attributes = ("ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible")
    wait_for(lambda: all(value == "0" for value in sqs.get_queue_attributes(
        QueueUrl=queue_url(cloud, "herald-Jobs"), AttributeNames=list(attributes))["Attributes"].values()))


def test_a_reported_failure_comes_back_after_the_visibility_timeout_then_goes_to_the_dead_letter_queue(
    cloud: LocalCloud, stubs: Stubs, sqs_clock: Any
) -> None:
    sqs = client(cloud, "sqs")
    url = queue_url(cloud, "herald-Jobs")
    sqs.send_message(QueueUrl=url, MessageBody="fail-job")
    sqs.send_message(QueueUrl=url, MessageBody="fine-job")
    wait_for(lambda: stubs.receive_counts("fail-job") and stubs.receive_counts("fine-job"))

    def not_visible() -> str:
        return sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessagesNotVisible"])[
            "Attributes"]["ApproximateNumberOfMessagesNotVisible"]

    wait_for(lambda: not_visible() == "1")  # fine-job deleted, fail-job in flight
    assert stubs.receive_counts("fail-job") == ["1"]

    sqs_clock(31)  # the queue's 30 s visibility timeout
    assert wait_for(lambda: stubs.receive_counts("fail-job") == ["1", "2"])
    sqs_clock(31)  # received maxReceiveCount (2) times: the next receive moves it
    [dead] = wait_for(lambda: receive_all(cloud, "herald-JobDeadLetters"))
    assert dead["Body"] == "fail-job"
    assert stubs.receive_counts("fail-job") == ["1", "2"]
    assert stubs.receive_counts("fine-job") == ["1"]


# -- scheduled events ---------------------------------------------------------------------------


def test_a_scheduled_function_runs_on_its_cadence(cloud: LocalCloud, stubs: Stubs) -> None:
    wait_for(lambda: len(stubs.ticks) >= 2)  # rate(5 minutes), overridden to 0.2 s
    assert stubs.ticks[0]["detail-type"] == "Scheduled Event"


def test_a_cron_scheduled_function_waits_for_its_time_or_a_trigger(cloud: LocalCloud, stubs: Stubs) -> None:
    assert cloud.schedules is not None
    upcoming = cloud.schedules.next_due("ReportFunction")
    assert upcoming is not None
    paris = upcoming.astimezone(ZoneInfo("Europe/Paris"))
    assert (paris.weekday(), paris.hour, paris.minute) == (0, 7, 0)  # Monday 07:00 in Paris
    assert stubs.reports == []
    [firing] = cloud.trigger_schedule("ReportFunction")
    assert firing.triggered
    assert wait_for(lambda: stubs.reports) == [{"report": "weekly"}]
    with pytest.raises(KeyError):
        cloud.trigger_schedule("WorkerFunction")
