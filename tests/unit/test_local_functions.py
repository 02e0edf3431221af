"""The local cloud's in-process functions: loading app.py, invoking, Lambda's async retries."""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from local.functions import FunctionRegistry, FunctionSpec, LocalFunction, function_name_from

ARN = "arn:aws:lambda:us-east-1:123456789012:function:herald-publish"


def wait_for(condition: Callable[[], Any], timeout: float = 5.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.01)
    raise AssertionError("condition not met in time")


def write_function(tmp_path: Path, source: str) -> Path:
    code_dir = tmp_path / "functions" / "publish"
    code_dir.mkdir(parents=True)
    (code_dir / "app.py").write_text(source)
    return code_dir


def test_function_names_from_arns() -> None:
    assert function_name_from(ARN) == "herald-publish"
    assert function_name_from(ARN + ":$LATEST") == "herald-publish"
    assert function_name_from("123456789012:function:herald-publish") == "herald-publish"
    assert function_name_from("herald-publish") == "herald-publish"
    assert function_name_from("herald-publish:live") == "herald-publish"


def test_app_py_is_imported_at_first_invocation_with_its_own_environment(tmp_path: Path) -> None:
    code_dir = write_function(
        tmp_path,
        "import os\n"
        "SERVICE = os.environ.get('POWERTOOLS_SERVICE_NAME')\n"
        "def lambda_handler(event, context):\n"
        "    return {'service': SERVICE, 'event': event, 'name': context.function_name,\n"
        "            'arn': context.invoked_function_arn, 'memory': context.memory_limit_in_mb,\n"
        "            'request_id': context.aws_request_id,\n"
        "            'remaining': context.get_remaining_time_in_millis()}\n",
    )
    spec = FunctionSpec(
        logical_id="PublishFunction",
        name="herald-publish",
        arn=ARN,
        code_dir=code_dir,
        timeout_seconds=300,
        memory_mb=512,
    )
    function = LocalFunction(spec, import_environment={"POWERTOOLS_SERVICE_NAME": "herald-publish"})
    assert not function.loaded
    invocation = function.run({"post_id": "p_1"})
    assert not invocation.failed
    result = invocation.result()
    assert result["service"] == "herald-publish"
    assert result["event"] == {"post_id": "p_1"}
    assert (result["name"], result["arn"], result["memory"]) == ("herald-publish", ARN, 512)
    assert result["request_id"] == invocation.request_id
    assert 299_000 < result["remaining"] <= 300_000
    assert os.environ.get("POWERTOOLS_SERVICE_NAME") != "herald-publish"  # only while importing


def test_import_errors_and_exceptions_become_lambda_errors(tmp_path: Path) -> None:
    code_dir = write_function(tmp_path, "import no_such_module_here\n")
    broken = LocalFunction(FunctionSpec(logical_id="P", name="p", arn=ARN, code_dir=code_dir))
    invocation = broken.run({})
    assert invocation.failed and invocation.error["errorType"] == "Runtime.ImportModuleError"

    def boom(event: Any, context: Any) -> None:
        raise KeyError("nope")

    failing = LocalFunction.stub("f", boom).run({})
    assert failing.error["errorType"] == "KeyError"
    assert json.loads(failing.payload)["errorMessage"] == "'nope'"

    not_json = LocalFunction.stub("g", lambda event, context: object()).run({})
    assert not_json.error["errorType"] == "Runtime.MarshalError"


def test_async_invocation_is_retried_then_sent_to_the_on_failure_destination() -> None:
    attempts: list[dict] = []
    sent: list[tuple[str, str, dict]] = []

    def flaky(event: Any, context: Any) -> None:
        attempts.append(event)
        raise RuntimeError("network down")

    queue_arn = "arn:aws:sqs:us-east-1:123456789012:herald-PublishDeadLetterQueue"
    function = LocalFunction.stub("herald-publish", flaky, max_retry_attempts=2, on_failure=("destination", queue_arn))
    registry = FunctionRegistry(
        [function],
        workers=2,
        retry_delay_seconds=0.01,
        send_to_queue=lambda arn, body, attrs: sent.append((arn, body, attrs)),
    )
    registry.start()
    try:
        request_id = registry.invoke_async(function, {"post_id": "p_1"})
        wait_for(lambda: sent)
    finally:
        registry.stop()
    assert len(attempts) == 3  # the first attempt and Lambda's two retries
    arn, body, _ = sent[0]
    record = json.loads(body)
    assert arn == queue_arn
    assert record["requestContext"]["requestId"] == request_id
    assert record["requestContext"]["condition"] == "RetriesExhausted"
    assert record["requestContext"]["approximateInvokeCount"] == 3
    assert record["requestPayload"] == {"post_id": "p_1"}
    assert record["responsePayload"]["errorMessage"] == "network down"


def test_async_invocation_without_retries_runs_once_and_reaches_a_dead_letter_queue() -> None:
    calls = threading.Event()
    sent: list[tuple[str, str, dict]] = []

    def failing(event: Any, context: Any) -> None:
        calls.set()
        raise RuntimeError("bad")

    function = LocalFunction.stub("s", failing, max_retry_attempts=0, on_failure=("dlq", "arn:aws:sqs:us-east-1:1:q"))
    registry = FunctionRegistry([function], send_to_queue=lambda arn, body, attrs: sent.append((arn, body, attrs)))
    registry.start()
    try:
        registry.invoke_async(function, {"x": 1})
        wait_for(lambda: sent)
    finally:
        registry.stop()
    arn, body, attributes = sent[0]
    assert json.loads(body) == {"x": 1}
    assert attributes["ErrorMessage"] == "bad"


@pytest.mark.parametrize("name", ["herald-publish", ARN, ARN + ":$LATEST"])
def test_registry_finds_functions_by_name_or_arn(name: str) -> None:
    function = LocalFunction.stub("herald-publish", lambda event, context: None)
    assert FunctionRegistry([function]).get(name) is function
    assert FunctionRegistry([function]).get("other") is None
