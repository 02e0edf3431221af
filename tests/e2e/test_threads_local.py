"""A thread with a first comment through `python -m local`, with a failure injected in part 2."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from local_process import LocalCloudProcess, running_local_cloud
from test_walkthrough import client, wait_for_status


@pytest.fixture(scope="module")
def fast_retry_cloud(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalCloudProcess]:
    with running_local_cloud(tmp_path_factory.mktemp("threads"), HERALD_RETRY_BASE_SECONDS="1") as cloud:
        yield cloud


def test_a_thread_survives_a_failure_in_part_two(fast_retry_cloud: LocalCloudProcess) -> None:
    api: httpx.Client
    with client(fast_retry_cloud) as api:
        x = api.post("/v1/accounts", json={"platform": "x", "name": "T", "simulate": ["ok", "server_error"]}).json()
        bsky = api.post("/v1/accounts", json={"platform": "bluesky", "name": "T"}).json()
        parts = [{"text": "1/3 first"}, {"text": "2/3 second"}, {"text": "3/3 third"}]
        created = api.post("/v1/threads", json={"parts": parts, "account_ids": [x["id"], bsky["id"]],
                                                "first_comment": {"text": "and a comment"}})
        assert created.status_code == 201, created.text
        done = wait_for_status(api, created.json()["id"], {"published", "partially_published", "failed"}, 60)
    assert done["status"] == "published", done
    for target in done["targets"]:
        assert len(target["parts"]) == 4  # three parts and the comment, each with its id
        assert all(p["platform_post_id"] and p["url"] for p in target["parts"])
    x_target = next(t for t in done["targets"] if t["platform"] == "x")
    assert x_target["attempts"] == 2  # part 2 failed once, then the retry finished the thread
    assert len({p["platform_post_id"] for p in x_target["parts"]}) == 4  # part 1 was not posted again
