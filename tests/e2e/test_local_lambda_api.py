"""The Lambda Invoke emulator through boto3's own lambda client."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from local.functions import FunctionRegistry, LocalFunction
from local.lambda_api import LambdaApi

PUBLISH_ARN = "arn:aws:lambda:us-east-1:123456789012:function:herald-publish"


class Publish:
    def __init__(self) -> None:
        self.events: list[Any] = []
        self.contexts: list[Any] = []
        self.arrived = threading.Event()

    def __call__(self, event: Any, context: Any) -> Any:
        self.events.append(event)
        self.contexts.append(context)
        self.arrived.set()
        if isinstance(event, dict) and event.get("fail"):
            raise ValueError("asked to fail")
        return {"published": event.get("post_id") if isinstance(event, dict) else None}


@pytest.fixture
def publish() -> Publish:
    return Publish()


@pytest.fixture
def lambda_client(publish: Publish) -> Iterator[Any]:
    registry = FunctionRegistry([LocalFunction.stub("herald-publish", publish, max_retry_attempts=0)], workers=2)
    api = LambdaApi(registry, port=0)
    registry.start()
    api.start()
    try:
        yield boto3.session.Session(
            aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
        ).client("lambda", endpoint_url=api.url, config=Config(retries={"max_attempts": 1}))
    finally:
        api.stop()
        registry.stop()


def test_request_response_returns_the_handler_result(lambda_client: Any, publish: Publish) -> None:
    response = lambda_client.invoke(FunctionName="herald-publish", Payload=json.dumps({"post_id": "p_1"}))
    assert response["StatusCode"] == 200
    assert "FunctionError" not in response
    assert response["ExecutedVersion"] == "$LATEST"
    assert json.loads(response["Payload"].read()) == {"published": "p_1"}
    assert publish.contexts[0].function_name == "herald-publish"
    assert publish.contexts[0].invoked_function_arn == PUBLISH_ARN


def test_event_invocation_is_accepted_at_once_and_runs_in_the_background(lambda_client: Any, publish: Publish) -> None:
    response = lambda_client.invoke(
        FunctionName=PUBLISH_ARN, InvocationType="Event", Payload=json.dumps({"post_id": "p_2"})
    )
    assert response["StatusCode"] == 202
    assert response["Payload"].read() == b""
    assert publish.arrived.wait(5)
    assert publish.events == [{"post_id": "p_2"}]


def test_a_failing_handler_reports_an_unhandled_function_error(lambda_client: Any) -> None:
    response = lambda_client.invoke(FunctionName="herald-publish", Payload=json.dumps({"fail": True}))
    assert response["StatusCode"] == 200
    assert response["FunctionError"] == "Unhandled"
    error = json.loads(response["Payload"].read())
    assert error["errorType"] == "ValueError"
    assert error["errorMessage"] == "asked to fail"


def test_unknown_function_and_bad_payload_are_client_errors(lambda_client: Any) -> None:
    with pytest.raises(ClientError) as missing:
        lambda_client.invoke(FunctionName="herald-nope", Payload=b"{}")
    assert missing.value.response["Error"]["Code"] == "ResourceNotFoundException"
    assert missing.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404

    with pytest.raises(ClientError) as bad:
        lambda_client.invoke(FunctionName="herald-publish", Payload=b"{not json")
    assert bad.value.response["Error"]["Code"] == "InvalidRequestContentException"


def test_dry_run_and_qualified_arn_and_client_context(lambda_client: Any, publish: Publish) -> None:
    assert lambda_client.invoke(FunctionName="herald-publish", InvocationType="DryRun")["StatusCode"] == 204
    assert publish.events == []
    context = base64.b64encode(json.dumps({"custom": {"k": "v"}}).encode()).decode()
    response = lambda_client.invoke(FunctionName=PUBLISH_ARN + ":$LATEST", ClientContext=context, Payload=b"")
    assert json.loads(response["Payload"].read()) == {"published": None}
    assert publish.events == [{}]  # an empty payload is an empty event
    assert publish.contexts[0].client_context == {"custom": {"k": "v"}}
