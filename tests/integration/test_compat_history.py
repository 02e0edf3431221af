"""GET /api/history: `{"history": [...]}` newest first, with Ayrshare's filters (lastDays, limit,
status, type, platforms in both query forms, startDate/endDate); deleted posts only on request."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from test_compat_support import ayr_post, is_ayrshare_error

from support.apigw import ApiClient

pytest_plugins = ["test_compat_support"]  # its fixtures: settle, no_wait, real_time_publisher


def later(hours: float = 3) -> str:
    return (datetime.now(UTC) + timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M:%SZ")


def old_post(workspace: dict[str, Any], days: int) -> str:
    """A published post created `days` ago, written straight to the store."""
    from herald import wiring
    from herald.ids import ulid
    from herald.posts.model import Post, PostStatus

    created = datetime.now(UTC) - timedelta(days=days)
    post = Post(id=f"post_{ulid(int(created.timestamp() * 1000)).lower()}", workspace_id=workspace["id"],
                profile_id=workspace["profile_id"], status=PostStatus.PUBLISHED, text=f"{days} days ago",
                created_at=created, updated_at=created, published_at=created)
    wiring.post_store().insert(post, None)
    return post.id


@pytest.fixture
def posts(api: ApiClient, workspace: Any, accounts: Any, settle: Any) -> dict[str, str]:
    made = {"old": old_post(workspace, 45)}
    made["now_x"] = ayr_post(api, post="Now on X", platforms=["twitter"]).body["id"]
    made["now_bsky"] = ayr_post(api, post="Now on Bluesky", platforms=["bluesky"]).body["id"]
    made["scheduled"] = ayr_post(api, post="Later", platforms=["twitter"], scheduleDate=later()).body["id"]
    made["approval"] = ayr_post(api, post="Sign-off", platforms=["bluesky"], requiresApproval=True,
                                scheduleDate=later(5)).body["id"]
    made["deleted"] = ayr_post(api, post="Gone", platforms=["twitter"], scheduleDate=later()).body["id"]
    assert api.call("DELETE", "/api/post", {"id": made["deleted"]}).status == 200
    return made


def ids(api: ApiClient, **query: str) -> list[str]:
    reply = api.get("/api/history", query=query)
    assert reply.status == 200, reply.body
    assert set(reply.body) >= {"history", "refId", "count"} and reply.body["count"] == len(reply.body["history"])
    return [item["id"] for item in reply.body["history"]]


def test_history_is_newest_first_and_leaves_out_deleted_and_older_posts(api: ApiClient, posts: dict[str, str]) -> None:
    assert ids(api) == [posts[k] for k in ("approval", "scheduled", "now_bsky", "now_x")]
    assert ids(api, lastDays="0")[-1] == posts["old"]
    assert ids(api, lastDays="60", limit="1") == [posts["approval"]]
    record = api.get("/api/history", query={"source": "pypi"}).body["history"][-1]
    assert record["status"] == "success" and record["type"] == "now" and record["postIds"][0]["platform"] == "twitter"


def test_history_filters(api: ApiClient, posts: dict[str, str]) -> None:
    assert ids(api, status="deleted") == [posts["deleted"]]
    assert ids(api, status="success") == [posts["now_bsky"], posts["now_x"]]
    assert ids(api, status="awaiting approval") == [posts["approval"]]
    assert ids(api, type="scheduled") == [posts["approval"], posts["scheduled"]]
    assert ids(api, type="immediate") == [posts["now_bsky"], posts["now_x"]]
    assert ids(api, **{"platforms[0]": "bluesky"}) == [posts["approval"], posts["now_bsky"]]
    assert ids(api, **{"platforms[0]": "bluesky", "platforms[1]": "twitter"}) == ids(api)
    assert ids(api, platforms="twitter") == [posts["scheduled"], posts["now_x"]]
    start = (datetime.now(UTC) - timedelta(days=50)).strftime("%Y-%m-%dT%H:%M:%SZ")
    end = (datetime.now(UTC) - timedelta(days=40)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert ids(api, startDate=start, endDate=end) == [posts["old"]]


@pytest.mark.parametrize("query", [
    {"limit": "5000"}, {"limit": "0"}, {"limit": "ten"}, {"lastDays": "-1"}, {"type": "now"},
    {"status": "published"}, {"platforms[0]": "x"}, {"startDate": "yesterday"},
])
def test_bad_history_queries_answer_400(api: ApiClient, workspace: Any, query: dict[str, str]) -> None:
    assert is_ayrshare_error(api.get("/api/history", query=query), 400)
