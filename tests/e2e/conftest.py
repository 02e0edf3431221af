"""End-to-end fixtures: the local cloud as `python -m local` in a subprocess, on free ports.

`local_cloud` starts it once per module, waits until the API port answers, yields its URLs and
API key, then stops it with SIGINT and asserts a clean exit (status 0 within a few seconds)."""

from __future__ import annotations

import signal
from collections.abc import Iterator

import pytest
from local_process import STOP_TIMEOUT, LocalCloudProcess, start_local_cloud


@pytest.fixture(scope="module")
def local_cloud(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalCloudProcess]:
    cloud = start_local_cloud(tmp_path_factory.mktemp("local-cloud"))
    try:
        yield cloud
    finally:
        code, seconds = cloud.stop(signal.SIGINT)
        assert code == 0, f"exit status {code} after SIGINT:\n{cloud.output()}"
        assert seconds < STOP_TIMEOUT
