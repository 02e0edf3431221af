"""LocalCloud in-process: start on free ports, then a quick, complete stop."""

from __future__ import annotations

import os
import threading
import time

from local.cloud import LocalCloud


def test_stop_is_quick_and_restores_the_environment() -> None:
    threads_before = {t.name for t in threading.enumerate()}
    before = os.environ.get("AWS_ENDPOINT_URL")
    local = LocalCloud(
        api_port=0,
        aws_port=0,
        lambda_port=0,
        bootstrap=None,
        handlers={"ApiFunction": lambda event, context: {"ok": True}},
    )
    local.start()
    assert local.api_key.startswith("hk_") and local.api_key_generated
    assert os.environ["AWS_ENDPOINT_URL"] == local.aws_endpoint
    started = time.monotonic()
    local.stop()
    assert time.monotonic() - started < 2
    assert os.environ.get("AWS_ENDPOINT_URL") == before
    local.stop()  # idempotent
    lingering = {t.name for t in threading.enumerate()} - threads_before
    assert not {"http-api", "lambda-api", "schedule-pump"} & lingering, lingering
