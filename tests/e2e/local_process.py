"""Running the local cloud as `python -m local` in a subprocess, on free ports (e2e helpers).

The process's output goes to a file, shown when something fails."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
API_KEY = "hk_e2e_local_cloud_test_key_0123456789"
START_TIMEOUT = 60.0
STOP_TIMEOUT = 5.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(condition: Callable[[], Any], timeout: float = 10.0, interval: float = 0.05) -> Any:
    """Poll `condition` until it returns something truthy; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        time.sleep(interval)


@dataclass
class LocalCloudProcess:
    process: subprocess.Popen[bytes]
    log_path: Path
    api_url: str
    aws_endpoint: str
    lambda_endpoint: str
    api_key: str
    env: dict[str, str] = field(repr=False, default_factory=dict)

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    def client(self, service: str) -> Any:
        import boto3

        endpoint = self.lambda_endpoint if service == "lambda" else self.aws_endpoint
        return boto3.session.Session(
            aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
        ).client(service, endpoint_url=endpoint)

    def stop(self, sig: int = signal.SIGINT) -> tuple[int, float]:
        """Send `sig`; returns the exit status and how long the process took to exit."""
        started = time.monotonic()
        if self.process.poll() is None:
            self.process.send_signal(sig)
        try:
            code = self.process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise AssertionError(f"the local cloud did not stop within {STOP_TIMEOUT} s:\n{self.output()}") from None
        return code, time.monotonic() - started


def api_answers(url: str) -> bool:
    try:
        urllib.request.urlopen(url, timeout=1).close()
    except urllib.error.HTTPError:
        return True  # any HTTP answer means the server is up
    except OSError:
        return False
    return True


def start_local_cloud(tmp_dir: Path, **extra_env: str) -> LocalCloudProcess:
    api_port, aws_port, lambda_port = free_port(), free_port(), free_port()
    env = {
        **os.environ,
        "HERALD_LOCAL_API_PORT": str(api_port),
        "HERALD_LOCAL_AWS_PORT": str(aws_port),
        "HERALD_LOCAL_LAMBDA_PORT": str(lambda_port),
        "HERALD_LOCAL_API_KEY": API_KEY,
        "HERALD_LOCAL_PUMP_SECONDS": "0.2",
        "HERALD_LOCAL_SWEEP_SECONDS": "1",
        "HERALD_LOCAL_ASYNC_RETRY_SECONDS": "0.2",
        "PYTHONUNBUFFERED": "1",
        **extra_env,
    }
    # What pytest's own process may carry (an earlier fixture's endpoints) must not leak in.
    for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_LAMBDA", "AWS_PROFILE"):
        env.pop(name, None)
    log_path = tmp_dir / "local-cloud.log"
    with log_path.open("wb") as log_file:
        process = subprocess.Popen(
            [sys.executable, "-m", "local"], cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT
        )
    cloud = LocalCloudProcess(
        process=process,
        log_path=log_path,
        api_url=f"http://127.0.0.1:{api_port}",
        aws_endpoint=f"http://127.0.0.1:{aws_port}",
        lambda_endpoint=f"http://127.0.0.1:{lambda_port}",
        api_key=API_KEY,
        env=env,
    )
    deadline = time.monotonic() + START_TIMEOUT
    while not api_answers(cloud.api_url + "/"):
        if process.poll() is not None:
            raise AssertionError(f"the local cloud exited with {process.returncode}:\n{cloud.output()}")
        if time.monotonic() > deadline:
            cloud.stop(signal.SIGKILL)
            raise AssertionError(f"the local cloud was not ready within {START_TIMEOUT} s:\n{cloud.output()}")
        time.sleep(0.1)
    return cloud


@contextlib.contextmanager
def running_local_cloud(tmp_dir: Path, **extra_env: str) -> Iterator[LocalCloudProcess]:
    """A local cloud for the block, stopped as Ctrl-C stops it: it must exit cleanly."""
    cloud = start_local_cloud(tmp_dir, **extra_env)
    try:
        yield cloud
    finally:
        code, _ = cloud.stop(signal.SIGINT)
        assert code == 0, f"exit status {code} after SIGINT:\n{cloud.output()}"


def wait_until(check: Callable[[], Any], seconds: float) -> Any:
    deadline = time.monotonic() + seconds
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not reached within {seconds} s: {value!r}")
        time.sleep(0.2)
