"""The README walk-through over real HTTP against `python -m local`: a post scheduled 10 s ahead
to X and Bluesky test accounts is published on time, with network-shaped ids and URLs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from local_process import LocalCloudProcess

ROOT = Path(__file__).resolve().parents[2]


def client(cloud: LocalCloudProcess, key: str | None = None) -> httpx.Client:
    headers = {"Authorization": f"Bearer {key or cloud.api_key}"}
    return httpx.Client(base_url=cloud.api_url, headers=headers, timeout=10)


def wait_for_status(api: httpx.Client, post_id: str, statuses: set[str], timeout: float) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        post = api.get(f"/v1/posts/{post_id}").json()
        if post["status"] in statuses or time.monotonic() > deadline:
            return post
        time.sleep(0.25)


def test_a_post_scheduled_ten_seconds_ahead_is_published_on_time(local_cloud: LocalCloudProcess) -> None:
    with client(local_cloud) as api:
        x = api.post("/v1/accounts", json={"platform": "x", "name": "Acme", "username": "acme"})
        bsky = api.post("/v1/accounts", json={"platform": "bluesky", "name": "Acme"})
        assert (x.status_code, bsky.status_code) == (201, 201), (x.text, bsky.text)
        when = (datetime.now(UTC) + timedelta(seconds=10)).strftime("%Y-%m-%dT%H:%M:%SZ")
        created = api.post(
            "/v1/posts",
            json={"text": "Hello from Herald https://example.com", "platforms": ["x", "bluesky"],
                  "scheduled_at": when},
        )
        assert created.status_code == 201, created.text
        post = created.json()
        assert post["status"] == "scheduled"
        done = wait_for_status(api, post["id"], {"published", "partially_published", "failed"}, timeout=75)
    assert done["status"] == "published", json.dumps(done, indent=2)
    scheduled = datetime.fromisoformat(done["scheduled_at"])
    for target in done["targets"]:
        assert target["platform_post_id"] and target["url"].startswith("https://")
        assert datetime.fromisoformat(target["published_at"]) >= scheduled  # never early
    urls = {t["platform"]: t["url"] for t in done["targets"]}
    assert urls["x"].startswith("https://x.com/acme/status/")
    assert urls["bluesky"].startswith("https://bsky.app/profile/acme.bsky.social/post/")


def test_publish_now_pause_and_errors_over_http(local_cloud: LocalCloudProcess) -> None:
    with client(local_cloud) as api:
        account = api.post("/v1/accounts", json={"platform": "x", "name": "Now"}).json()["id"]
        api.post("/v1/accounts", json={"platform": "x", "name": "Spare"})
        assert httpx.get(f"{local_cloud.api_url}/v1/posts").status_code == 401
        bad = api.post("/v1/posts", content=b"{nope", headers={"content-type": "application/json"})
        assert bad.status_code == 422 and bad.json()["error"]["code"] == "validation_error"
        later = (datetime.now(UTC) + timedelta(days=1)).isoformat()
        several = api.post("/v1/posts", json={"text": "which x?", "platforms": ["x"]})
        assert several.status_code == 422  # the profile has several X accounts: name one
        assert several.json()["error"]["details"][0]["issue"] == "several_accounts"
        parked = api.post("/v1/posts", json={"text": "tomorrow", "account_ids": [account],
                                             "scheduled_at": later}).json()
        assert api.post(f"/v1/posts/{parked['id']}/pause").json()["status"] == "paused"
        assert api.post(f"/v1/posts/{parked['id']}/pause").status_code == 409
        schedules = local_cloud.client("scheduler").list_schedules(GroupName="herald-posts")["Schedules"]
        assert any(s["Name"].endswith(parked["id"]) and s["State"] == "DISABLED" for s in schedules)
        now = api.post("/v1/posts", json={"text": "right now", "account_ids": [account]}).json()
        done = wait_for_status(api, now["id"], {"published", "failed"}, timeout=30)
        assert done["status"] == "published"


def test_the_cli_creates_a_workspace_in_the_local_cloud(local_cloud: LocalCloudProcess) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HERALD_", "AWS_"))}
    env["AWS_ENDPOINT_URL"] = local_cloud.aws_endpoint
    herald = Path(sys.executable).with_name("herald")
    out = subprocess.run([str(herald), "workspace", "create", "--name", "From CLI"], env=env, capture_output=True,
                         text=True, timeout=60, check=True)
    created = json.loads(out.stdout)
    with client(local_cloud, created["api_key"]) as api:
        assert api.get("/v1/posts").json() == {"posts": [], "cursor": None}
