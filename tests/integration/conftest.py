"""Integration fixtures: the template's resources in a moto server; the API handler and the
publish run in-process against it; Lambda invokes recorded instead of sent."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from support.apigw import ApiClient
from support.clock import FakeClock
from support.cloud import MotoCloud, apply_environment, start_moto_cloud
from support.fakes import RecordingTrigger


@pytest.fixture(scope="session")
def cloud() -> Iterator[MotoCloud]:
    moto_cloud = start_moto_cloud()
    apply_environment(moto_cloud.environment)
    yield moto_cloud
    moto_cloud.stop()


@pytest.fixture(autouse=True)
def forget_stream_records(cloud: MotoCloud) -> Iterator[None]:
    """No integration test reads the table's stream (the local cloud's e2e tests do), but moto keeps
    every record with both images for the whole session: drop them after each test, or the suite's
    memory grows by gigabytes."""
    yield
    from moto.dynamodb.models import dynamodb_backends

    for regions in dynamodb_backends.values():
        for backend in regions.values():
            for table in backend.tables.values():
                shard = getattr(table, "stream_shard", None)
                if shard is not None:
                    shard.items.clear()


@pytest.fixture
def trigger(cloud: MotoCloud, monkeypatch: pytest.MonkeyPatch) -> Iterator[RecordingTrigger]:
    """Fresh services for each test, with Lambda invokes recorded."""
    from herald import wiring

    wiring.reset()
    recording = RecordingTrigger()
    monkeypatch.setattr(wiring, "publish_trigger", lambda: recording)
    yield recording
    wiring.reset()


@pytest.fixture
def workspace(trigger: RecordingTrigger) -> dict[str, Any]:
    from herald import wiring

    ws, profile, issued = wiring.workspace_service().create_workspace("test workspace")
    return {"id": ws.id, "profile_id": profile.id, "profile_key": profile.profile_key, "key": issued.secret}


@pytest.fixture
def api(workspace: dict[str, Any]) -> ApiClient:
    return ApiClient(workspace["key"])


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def publisher(trigger: RecordingTrigger, clock: FakeClock):  # type: ignore[no-untyped-def]
    """A publish run against the moto table with a controllable clock."""
    from herald import wiring
    from herald.media.urls import expected_kind
    from herald.platforms.base import MediaItem
    from herald.publishing.runner import Publisher
    from herald.settings import get_settings

    return Publisher(
        posts=wiring.post_store(),
        accounts=wiring.account_store(),
        scheduler=wiring.scheduler(),
        trigger=trigger,
        clock=clock,
        settings=get_settings(),
        media=wiring.media_store(),
        media_link=wiring.media_link,
        # No internet here: a URL is taken as what its extension says; tests that probe pass their own.
        check_media_url=lambda url, is_video: MediaItem(url, expected_kind(url, is_video) or "image"),
    )


@pytest.fixture(autouse=True)
def fresh_simulators() -> None:
    """Test-mode networks start empty in every test (their state is per process)."""
    from herald.platforms import simulators

    simulators.reset()


@pytest.fixture
def accounts(api: ApiClient) -> dict[str, Any]:
    """A test-mode X account and a test-mode Bluesky account on the default profile."""
    return {
        "x": api.post("/v1/accounts", {"platform": "x", "name": "Acme"}).body,
        "bluesky": api.post("/v1/accounts", {"platform": "bluesky", "name": "Acme"}).body,
    }
