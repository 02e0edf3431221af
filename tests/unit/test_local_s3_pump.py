"""The S3 notification pump against moto's S3 (in-process mock), with a stub function whose S3
event comes from a small template."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote_plus

import boto3
import pytest
from moto import mock_aws

from local.functions import FunctionRegistry, LocalFunction, specs_from_stack
from local.s3_pump import S3NotificationPump, subscriptions
from local.template import Stack, load_yaml

TEMPLATE = """
Transform: AWS::Serverless-2016-10-31
Resources:
  Bucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: !Sub ${AWS::StackName}-media
  Inspect:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: !Sub ${AWS::StackName}-inspect
      CodeUri: functions/inspect_media/
      Handler: app.lambda_handler
      Events:
        Upload:
          Type: S3
          Properties:
            Bucket: !Ref Bucket
            Events: s3:ObjectCreated:*
            Filter:
              S3Key:
                Rules:
                  - {Name: prefix, Value: uploads/}
                  - {Name: suffix, Value: .png}
        Gone:
          Type: S3
          Properties:
            Bucket: !Ref Bucket
            Events: [s3:ObjectRemoved:*]
"""


class Recorder:
    def __init__(self) -> None:
        self.events: list[Any] = []
        self.arrived = threading.Condition()

    def __call__(self, event: Any, context: Any) -> None:
        with self.arrived:
            self.events.append(event)
            self.arrived.notify_all()

    def keys(self, count: int, timeout: float = 5) -> list[str]:
        with self.arrived:
            self.arrived.wait_for(lambda: len(self.events) >= count, timeout)
        return [unquote_plus(e["Records"][0]["s3"]["object"]["key"]) for e in self.events]


@pytest.fixture
def s3(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket="herald-media")
        yield client


@pytest.fixture
def stack() -> Stack:
    return Stack(template=load_yaml(TEMPLATE))


@pytest.fixture
def inspect() -> Recorder:
    return Recorder()


@pytest.fixture
def pump(s3: Any, stack: Stack, inspect: Recorder) -> Iterator[S3NotificationPump]:
    (spec,) = specs_from_stack(stack)
    registry = FunctionRegistry([LocalFunction(spec, handler=inspect)], workers=2)
    registry.start()
    yield S3NotificationPump(s3, registry, stack)
    registry.stop()


def test_only_object_created_events_are_subscribed(pump: S3NotificationPump) -> None:
    (subscription,) = pump.subscriptions
    assert (subscription.bucket, subscription.prefix, subscription.suffix) == ("herald-media", "uploads/", ".png")
    assert subscription.created_event_name == "ObjectCreated:Put"


def test_new_objects_under_the_filter_are_delivered_once_as_s3_records(
    pump: S3NotificationPump, s3: Any, inspect: Recorder
) -> None:
    assert pump.run_once() == []
    s3.put_object(Bucket="herald-media", Key="uploads/ws/med/holiday photo.png", Body=b"abc")
    s3.put_object(Bucket="herald-media", Key="uploads/ws/med/notes.txt", Body=b"no")  # suffix
    s3.put_object(Bucket="herald-media", Key="thumbnails/ws/med/320.png", Body=b"no")  # prefix
    (record,) = pump.run_once()
    assert inspect.keys(1) == ["uploads/ws/med/holiday photo.png"]
    assert record["eventSource"] == "aws:s3" and record["eventName"] == "ObjectCreated:Put"
    assert record["s3"]["bucket"] == {"name": "herald-media", "ownerIdentity": {"principalId": "LOCALOWNER"},
                                      "arn": "arn:aws:s3:::herald-media"}
    assert record["s3"]["object"]["key"] == "uploads/ws/med/holiday+photo.png"
    assert record["s3"]["object"]["size"] == 3
    assert record["s3"]["object"]["eTag"] and record["s3"]["configurationId"] == "InspectUpload"
    assert pump.run_once() == []  # seen


def test_an_overwritten_or_recreated_object_is_delivered_again(
    pump: S3NotificationPump, s3: Any, inspect: Recorder
) -> None:
    key = "uploads/ws/med/a.png"
    s3.put_object(Bucket="herald-media", Key=key, Body=b"one")
    pump.run_once()
    s3.put_object(Bucket="herald-media", Key=key, Body=b"two")
    assert len(pump.run_once()) == 1
    s3.delete_object(Bucket="herald-media", Key=key)
    assert pump.run_once() == []
    s3.put_object(Bucket="herald-media", Key=key, Body=b"two")
    assert len(pump.run_once()) == 1
    assert inspect.keys(3) == [key] * 3


def test_a_bucket_that_cannot_be_listed_is_skipped(stack: Stack, s3: Any) -> None:
    s3.delete_bucket(Bucket="herald-media")
    registry = FunctionRegistry([LocalFunction(specs_from_stack(stack)[0], handler=Recorder())], workers=1)
    assert S3NotificationPump(s3, registry, stack).run_once() == []


def test_the_project_template_subscribes_the_inspect_function_to_uploads() -> None:
    from pathlib import Path

    project = Stack.from_file(Path(__file__).resolve().parents[2] / "template.yaml")
    registry = FunctionRegistry([LocalFunction(spec) for spec in specs_from_stack(project)], workers=1)
    (subscription,) = subscriptions(project, registry)
    assert subscription.function.spec.logical_id == "InspectMediaFunction"
    assert (subscription.bucket, subscription.prefix) == (project.physical_name("MediaBucket"), "uploads/")
