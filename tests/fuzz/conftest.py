"""Fuzzing fixtures: a real `python -m local` process on free ports with a fresh workspace (its
admin key authenticates every generated request), a loopback webhook receiver, and seeded
objects the generated path parameters can name."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "e2e"))  # the e2e suite's process helper

from fuzz_seed import Seeds, seed_workspace  # noqa: E402
from local_process import LocalCloudProcess, running_local_cloud  # noqa: E402

from support.receiver import Receiver, start_receiver  # noqa: E402


@pytest.fixture(scope="session")
def fuzz_cloud(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalCloudProcess]:
    with running_local_cloud(tmp_path_factory.mktemp("fuzz-cloud"), HERALD_LOCAL_LOG_LEVEL="WARNING") as cloud:
        yield cloud


@pytest.fixture(scope="session")
def fuzz_receiver() -> Iterator[Receiver]:
    receiver = start_receiver()
    try:
        yield receiver
    finally:
        receiver.stop()


@pytest.fixture(scope="session")
def fuzz_seeds(fuzz_cloud: LocalCloudProcess, fuzz_receiver: Receiver) -> Seeds:
    return seed_workspace(fuzz_cloud.api_url, fuzz_cloud.api_key, fuzz_receiver.url)
