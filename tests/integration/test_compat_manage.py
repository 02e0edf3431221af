"""PATCH /api/post (approve, pause, reschedule, notes), PUT /api/post (edit), PUT /api/post/retry
and DELETE /api/post | /api/delete (id, bulk, deleteAllScheduled) through the API handler."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from test_compat_support import ayr_post, is_ayrshare_error

from support.apigw import ApiClient

pytest_plugins = ["test_compat_support"]  # its fixtures: settle, no_wait, real_time_publisher


def later(hours: float = 3) -> str:
    return (datetime.now(UTC) + timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M:%SZ")


def scheduled(api: ApiClient, **fields: Any) -> str:
    reply = ayr_post(api, **{"post": "Webinar Friday", "platforms": ["twitter"], "scheduleDate": later(), **fields})
    assert reply.status == 200, reply.body
    return reply.body["id"]  # type: ignore[no-any-return]


def patch(api: ApiClient, body: dict[str, Any]) -> Any:
    return api.call("PATCH", "/api/post", body)


def status_of(api: ApiClient, post_id: str) -> str:
    return api.get(f"/api/post/{post_id}").body["status"]  # type: ignore[no-any-return]


def test_pause_unpause_reschedule_and_notes(api: ApiClient, accounts: Any, no_wait: Any) -> None:
    post_id = scheduled(api)
    paused = patch(api, {"id": post_id, "scheduledPause": True})
    assert paused.status == 200 and paused.body["status"] == "success" and paused.body["postStatus"] == "paused"
    assert status_of(api, post_id) == "paused"
    when = later(5)
    moved = patch(api, {"id": post_id, "scheduleDate": when, "notes": "moved"})
    assert moved.body["postStatus"] == "paused" and moved.body["scheduleDate"] == when  # still paused
    assert api.get(f"/api/post/{post_id}").body["notes"] == "moved"
    resumed = patch(api, {"id": post_id, "scheduledPause": False})
    assert resumed.body["postStatus"] == "pending" and status_of(api, post_id) == "pending"


def test_approving_a_post_awaiting_approval(api: ApiClient, accounts: Any, no_wait: Any) -> None:
    post_id = scheduled(api, requiresApproval=True)
    assert status_of(api, post_id) == "awaiting approval"
    approved = patch(api, {"id": post_id, "approved": True})
    assert approved.status == 200 and approved.body["postStatus"] == "pending"
    assert api.get(f"/api/post/{post_id}").body["approved"] is True


def test_rejecting_then_unpausing_sends_it_back_to_approval(api: ApiClient, accounts: Any, no_wait: Any) -> None:
    post_id = scheduled(api, requiresApproval=True)
    rejected = patch(api, {"id": post_id, "approved": False, "notes": "wrong date"})
    assert rejected.body["postStatus"] == "paused"  # a rejected post waits for someone to act
    again = patch(api, {"id": post_id, "scheduledPause": False})
    assert again.body["postStatus"] == "awaiting approval"


def test_an_approver_role_is_needed_to_approve(api: ApiClient, accounts: Any, no_wait: Any) -> None:
    post_id = scheduled(api, requiresApproval=True)
    editor = api.post("/v1/api-keys", {"name": "ed", "role": "editor"}).body["key"]
    assert is_ayrshare_error(patch(ApiClient(editor), {"id": post_id, "approved": True}), 403, 914)


def test_patch_refuses_posts_that_are_not_waiting_and_bad_bodies(api: ApiClient, accounts: Any,
                                                                 settle: Any) -> None:
    published = ayr_post(api, post="Now", platforms=["twitter"]).body["id"]
    assert is_ayrshare_error(patch(api, {"id": published, "scheduledPause": True}), 400, 911)
    post_id = scheduled(api)
    assert is_ayrshare_error(patch(api, {"id": post_id}), 400, 901)
    assert is_ayrshare_error(patch(api, {"scheduledPause": True}), 400, 901)
    assert is_ayrshare_error(patch(api, {"id": post_id, "scheduledPause": "yes"}), 400, 901)
    assert is_ayrshare_error(patch(api, {"id": post_id, "scheduleDate": "soon"}), 400, 901)
    assert is_ayrshare_error(patch(api, {"id": post_id, "disableComments": True}), 400, 917)
    assert is_ayrshare_error(patch(api, {"id": "post_unknown", "notes": "x"}), 404, 910)
    assert is_ayrshare_error(api.call("PATCH", "/api/post", raw_body="{"), 400, 901)


def test_a_past_schedule_date_publishes_now(api: ApiClient, accounts: Any, settle: Any) -> None:
    post_id = scheduled(api)
    patch(api, {"id": post_id, "scheduleDate": "2020-01-01T00:00:00Z"})
    settle.run_pending()
    record = api.get(f"/api/post/{post_id}").body
    assert record["status"] == "success" and record["postIds"][0]["platform"] == "twitter"


def test_put_edits_a_post_not_yet_published(api: ApiClient, accounts: Any, settle: Any) -> None:
    post_id = scheduled(api)
    edited = api.put("/api/post", {"id": post_id, "post": "Webinar Saturday", "platforms": ["twitter", "bluesky"],
                                   "mediaUrls": ["https://cdn.example.com/w.jpg"], "source": "pypi"})
    assert edited.status == 200 and edited.body == {**edited.body, "status": "success", "id": post_id}
    record = api.get(f"/api/post/{post_id}").body
    assert record["post"] == "Webinar Saturday" and record["platforms"] == ["bluesky", "twitter"]
    assert record["mediaUrls"] == ["https://cdn.example.com/w.jpg"]
    published = ayr_post(api, post="Now", platforms=["twitter"]).body["id"]
    assert is_ayrshare_error(api.put("/api/post", {"id": published, "post": "changed"}), 400, 911)
    assert is_ayrshare_error(api.put("/api/post", {"id": post_id}), 400, 901)
    assert is_ayrshare_error(api.put("/api/post", {"id": post_id, "platforms": ["facebook"]}), 400, 156)


def test_retry_turns_a_failed_post_back_to_pending(api: ApiClient, settle: Any) -> None:
    api.post("/v1/accounts", {"platform": "x", "name": "Acme", "simulate": ["duplicate"]})
    failed = ayr_post(api, post="Try again", platforms=["twitter"]).body
    assert failed["status"] == "error"
    retried = api.put("/api/post/retry", {"id": failed["id"], "source": "pypi"})
    assert retried.status == 200 and retried.body["postStatus"] == "pending"
    settle.run_pending()
    assert status_of(api, failed["id"]) == "success"
    assert is_ayrshare_error(api.put("/api/post/retry", {"id": failed["id"]}), 400, 911)
    assert is_ayrshare_error(api.put("/api/post/retry", {"id": "post_unknown"}), 404, 910)
    assert is_ayrshare_error(api.put("/api/post/retry", {}), 400, 901)


@pytest.mark.parametrize("path", ["/api/post", "/api/delete"])
def test_deleting_a_scheduled_post_cancels_it(api: ApiClient, accounts: Any, no_wait: Any, path: str) -> None:
    post_id = scheduled(api)
    reply = api.call("DELETE", path, {"id": post_id, "source": "pypi"})
    assert reply.status == 200 and reply.body["status"] == "success" and reply.body["id"] == post_id
    assert status_of(api, post_id) == "deleted"
    again = api.call("DELETE", path, {"id": post_id})
    assert is_ayrshare_error(again, 400, 383)
    assert is_ayrshare_error(api.call("DELETE", path, {"id": "post_unknown"}), 404, 114)


def test_bulk_and_delete_all_scheduled(api: ApiClient, accounts: Any, no_wait: Any) -> None:
    first, second, third = scheduled(api), scheduled(api), scheduled(api, requiresApproval=True)
    bulk = api.call("DELETE", "/api/post", {"bulk": [first, "post_unknown"]})
    assert bulk.status == 400 and isinstance(bulk.body, list)
    assert bulk.body[0]["status"] == "success" and bulk.body[1]["code"] == 114
    everything = api.call("DELETE", "/api/delete", {"deleteAllScheduled": True})
    assert everything.status == 200 and sorted(everything.body["deleted"]) == sorted([second, third])
    assert [status_of(api, p) for p in (first, second, third)] == ["deleted"] * 3


@pytest.mark.parametrize("body", [
    {}, {"id": "a", "bulk": ["b"]}, {"bulk": "post_1"}, {"bulk": [1]}, {"id": 5}, {"deleteAllScheduled": "yes"},
    {"id": "post_1", "markManualDeleted": "yes"},
])
def test_delete_needs_exactly_one_well_formed_mode(api: ApiClient, workspace: Any, body: dict[str, Any]) -> None:
    reply = api.call("DELETE", "/api/post", body)
    assert is_ayrshare_error(reply, 400), reply.body


def test_delete_without_a_body_is_an_ayrshare_error(api: ApiClient, workspace: Any) -> None:
    assert is_ayrshare_error(api.call("DELETE", "/api/post"), 400, 901)
    assert is_ayrshare_error(api.call("DELETE", "/api/post", raw_body="nope"), 400, 901)
