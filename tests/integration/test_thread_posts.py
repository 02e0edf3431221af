"""Threads and first comments end to end in-process: API -> table -> publish runs -> simulators."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from herald.platforms import simulators
from herald.posts.ports import PublishRequest
from support.apigw import ApiClient

PARTS = [{"text": "1/3 We shipped threads"}, {"text": "2/3 Each part is a reply"}, {"text": "3/3 The end"}]


@pytest.fixture
def publish(publisher: Any, clock: Any, trigger: Any, api: ApiClient) -> Any:
    """Run the post's publish runs until it settles, moving the clock to each retry time."""
    from herald import wiring

    clock.set(datetime.now(UTC))
    workspace_id = wiring.workspace_service().authenticate(api.api_key).workspace_id

    def run(post_id: str, *, until_settled: bool = False) -> dict[str, Any]:
        for _ in range(6 if until_settled else 1):
            stored = wiring.post_store().get(workspace_id, post_id)
            if stored.status.value != "scheduled":
                break
            if stored.due_at and stored.due_at > clock.now():
                clock.set(stored.due_at)
            publisher.run(PublishRequest(workspace_id, post_id, stored.schedule_version))
        return api.get(f"/v1/posts/{post_id}").body

    return run


def by_platform(post: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {t["platform"]: t for t in post["targets"]}


def test_a_thread_with_a_first_comment_publishes_as_a_chain(api: ApiClient, publish: Any) -> None:
    x = api.post("/v1/accounts", {"platform": "x", "name": "Acme"}).body
    bsky = api.post("/v1/accounts", {"platform": "bluesky", "name": "Acme"}).body
    created = api.post("/v1/threads", {"parts": PARTS, "platforms": ["x", "bluesky"],
                                       "first_comment": {"text": "Docs: https://example.com/docs"}})
    assert created.status == 201, created.body
    post = created.body
    assert post["text"] == PARTS[0]["text"] and [p["text"] for p in post["thread"]] == [p["text"] for p in PARTS[1:]]
    done = publish(post["id"])
    assert done["status"] == "published", done
    targets = by_platform(done)
    for platform in ("x", "bluesky"):
        parts = targets[platform]["parts"]
        assert len(parts) == 4  # three parts and the comment
        assert targets[platform]["platform_post_id"] == parts[0]["platform_post_id"]
    x_posts = simulators.published(x["id"])
    assert [p["text"] for p in x_posts] == [p["text"] for p in PARTS] + ["Docs: https://example.com/docs"]
    ids = [p["platform_post_id"] for p in targets["x"]["parts"]]
    assert [p["in_reply_to_tweet_id"] for p in x_posts] == [None, ids[0], ids[1], ids[0]]
    records = [p["record"] for p in simulators.published(bsky["id"])]
    uris = [p["platform_post_id"] for p in targets["bluesky"]["parts"]]
    assert "reply" not in records[0]
    assert [r["reply"]["parent"]["uri"] for r in records[1:]] == [uris[0], uris[1], uris[0]]
    assert all(r["reply"]["root"]["uri"] == uris[0] for r in records[1:])


def test_a_failure_in_part_two_is_retried_without_reposting_part_one(api: ApiClient, publish: Any) -> None:
    x = api.post("/v1/accounts", {"platform": "x", "name": "Acme", "simulate": ["ok", "server_error"]}).body
    bsky = api.post("/v1/accounts", {"platform": "bluesky", "name": "Acme", "simulate": ["ok", "rate_limited"]}).body
    post = api.post("/v1/threads", {"parts": PARTS, "platforms": ["x", "bluesky"]}).body
    halfway = publish(post["id"])
    assert halfway["status"] == "scheduled"
    for target in halfway["targets"]:
        assert len(target["parts"]) == 1 and target["error"] is not None
    assert by_platform(halfway)["x"]["status"] == "sending"  # a 503 may have published: reconcile first
    assert by_platform(halfway)["bluesky"]["status"] == "pending"  # a 429 did not
    done = publish(post["id"], until_settled=True)
    assert done["status"] == "published", done
    assert [p["text"] for p in simulators.published(x["id"])] == [p["text"] for p in PARTS]
    assert len(simulators.published(bsky["id"])) == 3
    first_ids = {t["platform"]: t["parts"][0]["platform_post_id"] for t in halfway["targets"]}
    assert {t["platform"]: t["parts"][0]["platform_post_id"] for t in done["targets"]} == first_ids


def test_a_failed_first_comment_leaves_the_post_published(api: ApiClient, publish: Any) -> None:
    api.post("/v1/accounts", {"platform": "x", "name": "Acme", "simulate": ["ok", "duplicate"]})
    post = api.post("/v1/posts", {"text": "Main post", "platforms": ["x"],
                                  "first_comment": {"text": "A comment"}}).body
    done = publish(post["id"])
    target = done["targets"][0]
    assert done["status"] == "published" and target["status"] == "published"
    assert len(target["parts"]) == 1 and target["first_comment_error"]["code"] == "duplicate_content"


def test_each_part_is_validated_on_its_own(api: ApiClient) -> None:
    api.post("/v1/accounts", {"platform": "bluesky", "name": "Acme"})
    long_part = {"text": "y" * 301}
    reply = api.post("/v1/threads", {"parts": [{"text": "fine"}, long_part], "platforms": ["bluesky"]})
    assert reply.status == 422
    assert reply.body["error"]["details"][0]["field"] == "thread[0].text"
    comment_media = api.post("/v1/posts", {"text": "x", "platforms": ["bluesky"],
                                           "first_comment": {"text": "c", "media": ["https://e.com/a.png"]}})
    assert comment_media.status == 422 and comment_media.body["error"]["code"] == "media_unsupported"
    one_part = api.post("/v1/threads", {"parts": [{"text": "alone"}], "platforms": ["bluesky"]})
    assert one_part.status == 422
