"""In-process POST /v1/posts against the raw AWS calls it makes, on the same moto server.

The handler's own AWS calls are recorded through botocore events during a warm-up request;
the baseline replays exactly those operations with plain boto3 clients (fresh keys and schedule
names where a write needs one), so the ratio is Herald's overhead over its unavoidable I/O."""

from __future__ import annotations

import copy
import os
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from botocore import xform_name

from local.moto_cloud import start_moto_cloud


def _event(key: str, body: str) -> dict[str, Any]:
    return {
        "version": "2.0",
        "routeKey": "ANY /{proxy+}",
        "rawPath": "/v1/posts",
        "rawQueryString": "",
        "headers": {"authorization": f"Bearer {key}", "content-type": "application/json"},
        "requestContext": {
            "http": {"method": "POST", "path": "/v1/posts", "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1",
                     "userAgent": "bench"},
            "requestId": "bench", "routeKey": "ANY /{proxy+}", "stage": "$default", "accountId": "123456789012",
            "apiId": "bench", "domainName": "bench", "time": "", "timeEpoch": 0,
        },
        "body": body,
        "isBase64Encoded": False,
    }


class _Context:
    function_name = "herald-api"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:herald-api"
    aws_request_id = "bench"

    def get_remaining_time_in_millis(self) -> int:
        return 29_000


def _uniquify(operation: str, params: dict[str, Any]) -> dict[str, Any]:
    fresh = copy.deepcopy(params)
    token = uuid.uuid4().hex
    if operation == "PutItem":
        fresh["Item"]["SK"] = {"S": f"POST#bench_{token}"}
    if operation == "CreateSchedule":
        fresh["Name"] = f"bench-{token}"
    return fresh


def measure(requests: int = 60) -> dict[str, Any]:
    for name, value in {"AWS_DEFAULT_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "testing",
                        "AWS_SECRET_ACCESS_KEY": "testing"}.items():
        os.environ.setdefault(name, value)
    cloud = start_moto_cloud()
    try:
        os.environ.update(cloud.environment)
        from herald import wiring
        from herald.accounts.model import AccountMode
        from herald.api.handler import lambda_handler
        from herald.aws import client

        wiring.reset()
        _, profile, issued = wiring.workspace_service().create_workspace("bench")
        wiring.account_service().create(issued.key.workspace_id, profile.id, platform="x",
                                        mode=AccountMode.TEST,
                                        name="Bench", username="bench", simulate=[])
        when = (datetime.now(UTC) + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
        body = f'{{"text": "benchmark post", "platforms": ["x"], "scheduled_at": "{when}"}}'

        recorded: list[tuple[str, str, dict[str, Any]]] = []

        def record(service: str) -> Any:
            def hook(params: dict[str, Any], model: Any, **_: Any) -> None:
                recorded.append((service, model.name, copy.deepcopy(params)))

            return hook

        for service in ("dynamodb", "scheduler", "lambda"):
            client(service).meta.events.register("before-parameter-build.*.*", record(service))
        result = lambda_handler(_event(issued.secret, body), _Context())  # warm-up, and the recording
        assert result["statusCode"] == 201, result
        calls = list(recorded)

        raw = {service: cloud.client(service) for service in ("dynamodb", "scheduler", "lambda")}
        handler_times: list[float] = []
        raw_times: list[float] = []
        # Alternate the two, so that anything that drifts during the run (moto's table grows
        # with every post) weighs on both alike.
        for _ in range(requests):
            start = time.perf_counter()
            result = lambda_handler(_event(issued.secret, body), _Context())
            handler_times.append(time.perf_counter() - start)
            assert result["statusCode"] == 201, result
            prepared = [(service, op, _uniquify(op, params)) for service, op, params in calls]
            start = time.perf_counter()
            for service, operation, params in prepared:
                getattr(raw[service], xform_name(operation))(**params)
            raw_times.append(time.perf_counter() - start)
        return {"handler": handler_times, "raw": raw_times, "calls": [f"{s}:{op}" for s, op, _ in calls]}
    finally:
        cloud.stop()

