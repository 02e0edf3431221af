"""`python -m local` as a user runs it: the project's template and functions, in a subprocess.

The `local_cloud` fixture (conftest) also asserts that SIGINT stops it cleanly."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from botocore.exceptions import ClientError
from local_process import ROOT, LocalCloudProcess, start_local_cloud, wait_for

from local.template import Stack

STACK = Stack.from_file(ROOT / "template.yaml")
TABLE = STACK.physical_name("Table")
GROUP = STACK.physical_name("ScheduleGroup")
PUBLISH_ARN = STACK.get_att("PublishFunction", "Arn")
ROLE_ARN = STACK.get_att("SchedulerRole", "Arn")


def get(cloud: LocalCloudProcess, path: str, key: str | None = None) -> tuple[int, dict]:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    request = urllib.request.Request(cloud.api_url + path, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def test_the_templates_resources_are_created_in_moto(local_cloud: LocalCloudProcess) -> None:
    table = local_cloud.client("dynamodb").describe_table(TableName=TABLE)["Table"]
    assert {index["IndexName"] for index in table["GlobalSecondaryIndexes"]} == {"GSI1", "GSI2", "GSI3"}
    assert table["StreamSpecification"]["StreamViewType"] == "NEW_AND_OLD_IMAGES"
    ttl = local_cloud.client("dynamodb").describe_time_to_live(TableName=TABLE)["TimeToLiveDescription"]
    assert ttl["AttributeName"] == "expires_at"
    assert local_cloud.client("scheduler").get_schedule_group(Name=GROUP)["Name"] == GROUP
    queue_names = {url.rsplit("/", 1)[1] for url in local_cloud.client("sqs").list_queues()["QueueUrls"]}
    for logical_id in ("ScheduleDeadLetterQueue", "PublishDeadLetterQueue"):
        assert STACK.physical_name(logical_id) in queue_names


def test_the_lambda_emulator_knows_the_templates_functions_only(local_cloud: LocalCloudProcess) -> None:
    client = local_cloud.client("lambda")
    assert client.get_function(FunctionName=PUBLISH_ARN)["Configuration"]["FunctionName"] == "herald-publish"
    with pytest.raises(ClientError) as error:
        client.invoke(FunctionName="herald-unknown", Payload=b"{}")
    assert error.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_a_due_schedule_is_handed_to_the_publish_function_and_deleted(local_cloud: LocalCloudProcess) -> None:
    scheduler = local_cloud.client("scheduler")
    due = (datetime.now(UTC) - timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%S")
    payload = {"workspace_id": "ws_none", "post_id": "post_none", "schedule_version": 1}
    scheduler.create_schedule(
        GroupName=GROUP,
        Name="e2e-past-schedule",
        ScheduleExpression=f"at({due})",
        FlexibleTimeWindow={"Mode": "OFF"},
        ActionAfterCompletion="DELETE",
        Target={"Arn": PUBLISH_ARN, "RoleArn": ROLE_ARN, "Input": json.dumps(payload)},
    )
    wait_for(lambda: not scheduler.list_schedules(GroupName=GROUP)["Schedules"])
    wait_for(lambda: f"fired schedule {GROUP}/e2e-past-schedule" in local_cloud.output())


def test_the_sweeper_runs_on_the_configured_cadence(local_cloud: LocalCloudProcess) -> None:
    wait_for(lambda: "queued herald-sweeper" in local_cloud.output(), timeout=10)


def test_herald_answers_through_the_http_api_emulator(local_cloud: LocalCloudProcess) -> None:
    """Depends on Herald's API: /health is public, admin routes need the bootstrapped key."""
    assert get(local_cloud, "/health")[0] == 200
    status, body = get(local_cloud, "/v1/api-keys")
    assert status == 401 and body["error"]["code"]
    assert get(local_cloud, "/v1/api-keys", key=local_cloud.api_key)[0] == 200


def test_sigterm_stops_the_local_cloud_cleanly(tmp_path: Path) -> None:
    cloud = start_local_cloud(tmp_path)
    code, seconds = cloud.stop(signal.SIGTERM)
    assert code == 0, cloud.output()
    assert seconds < 3
    assert "local cloud stopped" in cloud.output()


def test_a_missing_template_is_a_clear_error(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "local"],
        cwd=ROOT,
        env={"HERALD_LOCAL_TEMPLATE": str(tmp_path / "nope.yaml"), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "nope.yaml does not exist" in result.stderr
