"""DELETE /v1/posts/{id} on a post that went out: what Herald posted is deleted from each network
(test-mode accounts, their simulators in-process), each target's outcome recorded, and the post
`deleted` once nothing is left."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from typing import Any

import pytest

from herald.platforms import simulators
from herald.posts.ports import PublishRequest
from support.apigw import ApiClient

PARTS = [{"text": "1/3 We shipped deletes"}, {"text": "2/3 Replies go first"}, {"text": "3/3 The end"}]


@pytest.fixture
def publish(publisher: Any, clock: Any, api: ApiClient) -> Any:
    """Run the post's publish runs until it settles."""
    from herald import wiring

    clock.set(datetime.now(UTC))
    workspace_id = wiring.workspace_service().authenticate(api.api_key).workspace_id

    def run(post_id: str) -> dict[str, Any]:
        for _ in range(6):
            stored = wiring.post_store().get(workspace_id, post_id)
            if stored.status.value != "scheduled":
                break
            if stored.due_at and stored.due_at > clock.now():
                clock.set(stored.due_at)
            publisher.run(PublishRequest(workspace_id, post_id, stored.schedule_version))
        return api.get(f"/v1/posts/{post_id}").body  # type: ignore[no-any-return]

    return run


@pytest.fixture
def deletes(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    """Every network delete call, per network, in order (the adapters' own delete still runs)."""
    from herald.platforms.bluesky import BlueskyPlatform
    from herald.platforms.facebook import FacebookPlatform
    from herald.platforms.instagram import InstagramPlatform
    from herald.platforms.x import XPlatform

    calls: dict[str, list[str]] = {}
    for cls in (XPlatform, BlueskyPlatform, FacebookPlatform, InstagramPlatform):
        original = cls.delete

        def recorded(self: Any, platform_post_id: str, _original: Any = original, _name: str = cls.name) -> None:
            calls.setdefault(_name, []).append(platform_post_id)
            _original(self, platform_post_id)

        monkeypatch.setattr(cls, "delete", recorded)
    return calls


def by_platform(post: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {t["platform"]: t for t in post["targets"]}


def test_a_published_post_is_deleted_from_every_network(api: ApiClient, accounts: Any, publish: Any,
                                                        deletes: Any) -> None:
    post = publish(api.post("/v1/posts", {"text": "Out there", "platforms": ["x", "bluesky"]}).body["id"])
    assert post["status"] == "published"
    ids = {t["platform"]: t["platform_post_id"] for t in post["targets"]}
    assert len(simulators.published(accounts["x"]["id"])) == 1
    reply = api.delete(f"/v1/posts/{post['id']}")
    assert reply.status == 200, reply.body
    assert reply.body["status"] == "deleted"
    for platform, target in by_platform(reply.body).items():
        assert target["status"] == "deleted" and target["deleted_at"] and target["delete_error"] is None
        assert target["platform_post_id"] == ids[platform]  # what was posted stays on record
        assert deletes[platform] == [ids[platform]]
    assert simulators.published(accounts["x"]["id"]) == [] and simulators.published(accounts["bluesky"]["id"]) == []
    assert api.get(f"/v1/posts/{post['id']}").body["status"] == "deleted"
    assert [p["id"] for p in api.get("/v1/posts", query={"status": "deleted"}).body["posts"]] == [post["id"]]
    again = api.delete(f"/v1/posts/{post['id']}")
    assert again.status == 409 and again.error_code == "invalid_state"
    assert sum(len(c) for c in deletes.values()) == 2  # nothing called again
    retried = api.post(f"/v1/posts/{post['id']}/retry")
    assert retried.status == 409 and retried.error_code == "invalid_state"


def test_a_thread_and_its_first_comment_are_deleted_replies_first(api: ApiClient, accounts: Any, publish: Any,
                                                                   deletes: Any) -> None:
    created = api.post("/v1/threads", {"parts": PARTS, "platforms": ["x", "bluesky"],
                                       "first_comment": {"text": "Docs: https://example.com/docs"}}).body
    post = publish(created["id"])
    assert post["status"] == "published", post
    parts = {t["platform"]: [p["platform_post_id"] for p in t["parts"]] for t in post["targets"]}
    assert all(len(ids) == 4 for ids in parts.values())
    reply = api.delete(f"/v1/posts/{post['id']}")
    assert reply.status == 200 and reply.body["status"] == "deleted"
    for platform in ("x", "bluesky"):
        assert deletes[platform] == parts[platform][::-1]  # the comment, then the parts from the last
        assert simulators.published(accounts[platform]["id"]) == []


def test_a_network_that_cannot_delete_keeps_the_post_published_with_the_reason(api: ApiClient, publish: Any,
                                                                                deletes: Any) -> None:
    instagram = api.post("/v1/accounts", {"platform": "instagram", "name": "Acme"}).body
    api.post("/v1/accounts", {"platform": "facebook", "name": "Acme"})
    created = api.post("/v1/posts", {"text": "Photo day", "media": ["https://example.com/photo.jpg"],
                                     "platforms": ["instagram", "facebook"]}).body
    post = publish(created["id"])
    assert post["status"] == "published", post
    reply = api.delete(f"/v1/posts/{post['id']}")
    assert reply.status == 200
    body = reply.body
    assert body["status"] == "published"  # something is still out there: delete it there, or delete again
    targets = by_platform(body)
    assert targets["facebook"]["status"] == "deleted"
    refused = targets["instagram"]
    assert refused["status"] == "published" and refused["deleted_at"] is None
    assert refused["delete_error"]["code"] == "not_supported" and "Instagram" in refused["delete_error"]["message"]
    assert len(simulators.published(instagram["id"])) == 1
    # Deleting again asks only the network still holding the post.
    again = api.delete(f"/v1/posts/{post['id']}")
    assert again.status == 200 and again.body["status"] == "published"
    assert len(deletes["facebook"]) == 1 and len(deletes["instagram"]) == 2


def test_a_post_already_gone_from_the_network_counts_as_deleted(api: ApiClient, accounts: Any,
                                                               publish: Any) -> None:
    post = publish(api.post("/v1/posts", {"text": "Deleted by hand", "platforms": ["x"]}).body["id"])
    tweet_id = post["targets"][0]["platform_post_id"]
    with simulators.LOCK:  # someone deleted it on X itself
        del simulators.state_of(accounts["x"]["id"]).posts[tweet_id]
    reply = api.delete(f"/v1/posts/{post['id']}")
    assert reply.status == 200 and reply.body["status"] == "deleted"


def test_a_revoked_token_marks_the_account_for_reconnecting(api: ApiClient, accounts: Any, publish: Any,
                                                            deletes: Any) -> None:
    post = publish(api.post("/v1/posts", {"text": "Revoked later", "platforms": ["x", "bluesky"]}).body["id"])
    with simulators.LOCK:  # the person revoked Herald's access on X: the token and its refresh are refused
        state = simulators.state_of(accounts["x"]["id"])
        state.token_expired = state.revoked = True
    reply = api.delete(f"/v1/posts/{post['id']}")
    assert reply.status == 200
    targets = by_platform(reply.body)
    assert reply.body["status"] == "published" and targets["bluesky"]["status"] == "deleted"
    assert targets["x"]["status"] == "published"
    assert targets["x"]["delete_error"]["code"] == "account_disconnected"
    assert api.get(f"/v1/accounts/{accounts['x']['id']}").body["status"] == "reconnect_required"
    assert len(simulators.published(accounts["x"]["id"])) == 1
    # While the account waits to be reconnected, the network is not asked at all.
    calls = len(deletes["x"])
    again = api.delete(f"/v1/posts/{post['id']}").body
    assert by_platform(again)["x"]["delete_error"]["code"] == "account_disconnected"
    assert len(deletes["x"]) == calls


def test_a_failed_post_deletes_what_it_did_post(api: ApiClient, publish: Any, deletes: Any) -> None:
    x = api.post("/v1/accounts", {"platform": "x", "name": "Acme", "simulate": ["ok", "duplicate"]}).body
    created = api.post("/v1/threads", {"parts": PARTS, "platforms": ["x"]}).body
    post = publish(created["id"])
    target = post["targets"][0]
    assert post["status"] == "failed" and len(target["parts"]) == 1, post  # part 2 refused for good
    reply = api.delete(f"/v1/posts/{post['id']}")
    assert reply.status == 200 and reply.body["status"] == "deleted"
    assert reply.body["targets"][0]["status"] == "deleted"
    assert deletes["x"] == [target["parts"][0]["platform_post_id"]]
    assert simulators.published(x["id"]) == []


def test_a_post_being_published_or_cancelled_is_not_deleted(api: ApiClient, accounts: Any) -> None:
    post = api.post("/v1/posts", {"text": "Later", "platforms": ["x"], "scheduled_at": "2099-01-01T10:00:00Z"}).body
    cancelled = api.delete(f"/v1/posts/{post['id']}")
    assert cancelled.status == 200 and cancelled.body["status"] == "cancelled"
    again = api.delete(f"/v1/posts/{post['id']}")
    assert again.status == 409 and again.error_code == "invalid_state"
    assert "published" in again.body["error"]["details"][0]["allowed"]


def test_two_deletes_racing_call_each_network_once(api: ApiClient, accounts: Any, publish: Any,
                                                   deletes: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from herald.platforms.x import XPlatform

    created = api.post("/v1/threads", {"parts": PARTS, "platforms": ["x", "bluesky"]}).body
    post = publish(created["id"])
    slow = XPlatform.delete

    def slow_delete(self: Any, platform_post_id: str) -> None:
        time.sleep(0.05)  # keep the first request busy while the second arrives
        slow(self, platform_post_id)

    monkeypatch.setattr(XPlatform, "delete", slow_delete)
    start = threading.Barrier(2)
    replies: list[Any] = []

    def delete() -> None:
        start.wait()
        replies.append(api.delete(f"/v1/posts/{post['id']}"))

    threads = [threading.Thread(target=delete) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    statuses = sorted(r.status for r in replies)
    assert statuses == [200, 409], [r.body for r in replies]
    loser = next(r for r in replies if r.status == 409)
    assert loser.error_code in ("concurrent_modification", "invalid_state")
    parts = {t["platform"]: [p["platform_post_id"] for p in t["parts"]] for t in post["targets"]}
    for platform in ("x", "bluesky"):
        assert deletes[platform] == parts[platform][::-1]  # each part deleted once, by one request
    final = api.get(f"/v1/posts/{post['id']}").body
    assert final["status"] == "deleted" and all(t["status"] == "deleted" for t in final["targets"])
