"""Fault-injection fixtures: the integration suite's moto cloud, workspace, API client and publish
run (imported from tests/integration/conftest.py), plus the faults: networks with faults in front
of the real adapters (support.faults_network), DynamoDB faults through botocore's events
(support.faults_dynamodb), and runs driven as AWS would deliver them (support.faults_runs).

The cloud is this package's own (moto keeps resources per process, so two clouds cannot live at
once): it stops when the package's last test ends, before tests/integration starts its own. When
one is already running in this process (the integration suite ran first), it is used instead."""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from support.apigw import ApiClient
from support.clock import FakeClock
from support.cloud import MotoCloud, apply_environment, start_moto_cloud
from support.faults_dynamodb import DynamoFaults
from support.faults_network import FaultyNetworks
from support.faults_runs import Runs


def _integration_fixtures() -> Any:
    path = Path(__file__).resolve().parents[1] / "integration" / "conftest.py"
    spec = importlib.util.spec_from_file_location("herald_integration_fixtures", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_shared = _integration_fixtures()
api = _shared.api
forget_stream_records = _shared.forget_stream_records
fresh_simulators = _shared.fresh_simulators
publisher = _shared.publisher
trigger = _shared.trigger
workspace = _shared.workspace


def _cloud_already_running() -> bool:
    """Whether this process already has the template's resources in a moto server (the
    integration suite's session cloud) that the environment points at."""
    endpoint, table = os.environ.get("AWS_ENDPOINT_URL"), os.environ.get("HERALD_TABLE_NAME")
    if not endpoint or not table:
        return False
    import boto3
    from botocore.config import Config

    probe = boto3.session.Session().client(
        "dynamodb", endpoint_url=endpoint, config=Config(connect_timeout=1, read_timeout=5, retries={"max_attempts": 1}))
    try:
        probe.describe_table(TableName=table)
    except Exception:
        return False
    return True


@pytest.fixture(scope="package")
def cloud() -> Iterator[MotoCloud | None]:
    if _cloud_already_running():
        yield None
        return
    moto_cloud = start_moto_cloud()
    apply_environment(moto_cloud.environment)
    yield moto_cloud
    moto_cloud.stop()


@pytest.fixture
def clock() -> FakeClock:
    """Herald's clock for the publish runs and the sweeper, starting at the real time (the API,
    the simulators and the adapters' own reconcile windows run on it)."""
    return FakeClock(datetime.now(UTC).replace(microsecond=0))


@pytest.fixture
def networks(monkeypatch: pytest.MonkeyPatch) -> FaultyNetworks:
    faulty = FaultyNetworks()
    faulty.install(monkeypatch)
    return faulty


@pytest.fixture
def dynamo(trigger: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[DynamoFaults]:
    faults = DynamoFaults()
    faults.install(monkeypatch)
    yield faults
    faults.uninstall()


@pytest.fixture
def runs(publisher: Any, trigger: Any, clock: FakeClock, workspace: dict[str, Any]) -> Runs:
    return Runs(publisher=publisher, trigger=trigger, clock=clock, workspace_id=workspace["id"])


@pytest.fixture
def account(api: ApiClient) -> Callable[[str], dict[str, Any]]:
    """A new test-mode account of a network on the default profile (one per target, so the
    network's count of posts is per target)."""
    made: list[int] = []

    def make(platform: str) -> dict[str, Any]:
        made.append(1)
        answer = api.post("/v1/accounts", {"platform": platform, "name": f"Faults {len(made)}"})
        assert answer.status == 201, answer.body
        return answer.body

    return make
