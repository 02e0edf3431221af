"""LocalCloud in-process on free ports, built from the project's template.yaml, with stub
handlers in place of the functions' code: the wiring between the parts, without Herald's logic.

The stubs use boto3 exactly like the functions do (endpoints and names from the environment
the local cloud sets), so these tests prove that environment too."""

from __future__ import annotations

import json
import os
import threading
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from local_process import wait_for

from local.cloud import LocalCloud

API_KEY = "hk_inprocess_test_key"


class Stubs:
    def __init__(self) -> None:
        self.sweeps: list[dict[str, Any]] = []
        self.bootstrap_calls: list[tuple[str, str]] = []
        self.lock = threading.Lock()

    def api(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        if event["rawPath"] == "/publish-now":
            boto3.client("lambda").invoke(
                FunctionName=os.environ["HERALD_PUBLISH_FUNCTION_ARN"],
                InvocationType="Event",
                Payload=event["body"].encode(),
            )
            return {"statusCode": 202, "body": ""}
        return {
            "statusCode": 200,
            "headers": {"content-type": "application/json"},
            "body": json.dumps(
                {"event": event, "table": os.environ["HERALD_TABLE_NAME"], "function": context.function_name}
            ),
        }

    def publish(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        if event.get("fail"):
            raise RuntimeError("publish failed on purpose")
        boto3.client("dynamodb").put_item(
            TableName=os.environ["HERALD_TABLE_NAME"],
            Item={
                "PK": {"S": f"PUBLISHED#{event['post_id']}"},
                "SK": {"S": "META"},
                "by": {"S": context.function_name},
            },
        )
        return {"ok": True}

    def sweeper(self, event: dict[str, Any], context: Any) -> None:
        with self.lock:
            self.sweeps.append(event)

    def ensure_workspace(self, name: str, api_key: str) -> tuple[str, str]:
        self.bootstrap_calls.append((name, api_key))
        return "ws_local", api_key


@pytest.fixture(scope="module")
def stubs() -> Stubs:
    return Stubs()


@pytest.fixture(scope="module")
def cloud(stubs: Stubs) -> Iterator[LocalCloud]:
    local = LocalCloud(
        api_port=0,
        aws_port=0,
        lambda_port=0,
        api_key=API_KEY,
        pump_seconds=0.1,
        sweep_seconds=0.3,
        async_retry_seconds=0.05,
        handlers={"ApiFunction": stubs.api, "PublishFunction": stubs.publish, "SweeperFunction": stubs.sweeper},
        bootstrap=stubs.ensure_workspace,
    )
    with local:
        yield local


def published(cloud: LocalCloud, post_id: str) -> dict[str, Any] | None:
    item = cloud.client("dynamodb").get_item(
        TableName="herald-table", Key={"PK": {"S": f"PUBLISHED#{post_id}"}, "SK": {"S": "META"}}
    )
    return item.get("Item")


def post(cloud: LocalCloud, path: str, body: dict[str, Any]) -> int:
    request = urllib.request.Request(
        cloud.api_url + path,
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status


def test_the_templates_resources_exist(cloud: LocalCloud) -> None:
    table = cloud.client("dynamodb").describe_table(TableName="herald-table")["Table"]
    assert {(k["AttributeName"], k["KeyType"]) for k in table["KeySchema"]} == {("PK", "HASH"), ("SK", "RANGE")}
    indexes = {index["IndexName"]: index for index in table["GlobalSecondaryIndexes"]}
    assert indexes["GSI1"]["Projection"]["ProjectionType"] == "ALL"
    assert indexes["GSI2"]["Projection"]["ProjectionType"] == "KEYS_ONLY"
    assert table["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    ttl = cloud.client("dynamodb").describe_time_to_live(TableName="herald-table")["TimeToLiveDescription"]
    assert ttl == {"TimeToLiveStatus": "ENABLED", "AttributeName": "expires_at"}
    assert cloud.client("scheduler").get_schedule_group(Name="herald-posts")["State"] == "ACTIVE"
    queues = cloud.client("sqs").list_queues()["QueueUrls"]
    assert {url.rsplit("/", 1)[1] for url in queues} >= {
        "herald-ScheduleDeadLetterQueue",
        "herald-PublishDeadLetterQueue",
    }


def test_the_workspace_is_bootstrapped_with_the_given_key(cloud: LocalCloud, stubs: Stubs) -> None:
    assert stubs.bootstrap_calls == [("local", API_KEY)]
    assert cloud.api_key == API_KEY
    assert cloud.bootstrap_result is not None and cloud.bootstrap_result.workspace_id == "ws_local"
    assert API_KEY in cloud.banner()


def test_functions_see_the_template_environment_and_the_local_endpoints(cloud: LocalCloud) -> None:
    assert os.environ["HERALD_TABLE_NAME"] == "herald-table"
    assert os.environ["HERALD_SCHEDULE_GROUP"] == "herald-posts"
    assert os.environ["HERALD_PUBLISH_FUNCTION_ARN"] == "arn:aws:lambda:us-east-1:123456789012:function:herald-publish"
    assert os.environ["AWS_ENDPOINT_URL"] == cloud.aws_endpoint
    assert os.environ["AWS_ENDPOINT_URL_LAMBDA"] == cloud.lambda_endpoint


def test_an_http_request_reaches_the_api_function(cloud: LocalCloud) -> None:
    with urllib.request.urlopen(cloud.api_url + "/v1/posts?limit=1", timeout=10) as response:
        answer = json.loads(response.read())
    assert answer["table"] == "herald-table"
    assert answer["function"] == "herald-api"
    assert answer["event"]["rawPath"] == "/v1/posts"
    assert answer["event"]["routeKey"] == "ANY /{proxy+}"
    # The template's root route (GET / is the console's: tests/e2e/test_console_routes_local.py)
    with urllib.request.urlopen(urllib.request.Request(cloud.api_url + "/", method="DELETE"), timeout=10) as response:
        assert json.loads(response.read())["event"]["routeKey"] == "ANY /"


def test_the_api_function_invokes_publish_asynchronously_through_the_lambda_emulator(cloud: LocalCloud) -> None:
    assert post(cloud, "/publish-now", {"post_id": "now_1"}) == 202
    item = wait_for(lambda: published(cloud, "now_1"))
    assert item["by"] == {"S": "herald-publish"}


def test_a_due_schedule_fires_the_publish_function_and_is_deleted(cloud: LocalCloud) -> None:
    scheduler = cloud.client("scheduler")
    due = (datetime.now(UTC) - timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%S")
    scheduler.create_schedule(
        GroupName="herald-posts",
        Name="post-sched_1",
        ScheduleExpression=f"at({due})",
        FlexibleTimeWindow={"Mode": "OFF"},
        ActionAfterCompletion="DELETE",
        Target={
            "Arn": os.environ["HERALD_PUBLISH_FUNCTION_ARN"],
            "RoleArn": os.environ["HERALD_SCHEDULER_ROLE_ARN"],
            "Input": json.dumps({"post_id": "sched_1"}),
        },
    )
    wait_for(lambda: published(cloud, "sched_1"))
    wait_for(lambda: not scheduler.list_schedules(GroupName="herald-posts")["Schedules"])


def test_a_failed_async_publish_lands_in_the_publish_dead_letter_queue(cloud: LocalCloud) -> None:
    boto3_lambda = cloud.client("lambda")
    boto3_lambda.invoke(FunctionName="herald-publish", InvocationType="Event", Payload=json.dumps({"fail": True}))
    sqs = cloud.client("sqs")
    url = sqs.get_queue_url(QueueName="herald-PublishDeadLetterQueue")["QueueUrl"]

    def record() -> dict[str, Any] | None:
        messages = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=0).get("Messages", [])
        return json.loads(messages[0]["Body"]) if messages else None

    message = wait_for(record)
    assert message["requestPayload"] == {"fail": True}
    assert message["requestContext"]["condition"] == "RetriesExhausted"
    assert message["requestContext"]["approximateInvokeCount"] == 1  # MaximumRetryAttempts: 0
    assert message["responsePayload"]["errorMessage"] == "publish failed on purpose"


def test_the_sweeper_runs_on_its_cadence(cloud: LocalCloud, stubs: Stubs) -> None:
    wait_for(lambda: len(stubs.sweeps) >= 2, timeout=5)
    assert stubs.sweeps[0]["detail-type"] == "Scheduled Event"
    assert stubs.sweeps[0]["source"] == "aws.events"
