"""DELETE /api/post and /api/delete on posts that went out, through the API handler: deleted from
each network, answered per network in Ayrshare's shape (success with the social id, or the
network's error code), bulk, and `markManualDeleted`."""

from __future__ import annotations

from typing import Any

import pytest
from test_compat_support import ayr_post, is_ayrshare_error, native

from herald.platforms import simulators
from support.apigw import ApiClient

pytest_plugins = ["test_compat_support"]  # its fixtures: settle, no_wait, real_time_publisher


def published(api: ApiClient, platforms: list[str], **fields: Any) -> dict[str, Any]:
    reply = ayr_post(api, post=fields.pop("post", "Out there"), platforms=platforms, **fields)
    assert reply.status in (200, 400), reply.body
    return reply.body  # type: ignore[no-any-return]


def social_ids(body: dict[str, Any]) -> dict[str, str]:
    return {p["platform"]: p["id"] for p in body["postIds"]}


def record_status(api: ApiClient, post_id: str) -> str:
    return api.get(f"/api/post/{post_id}").body["status"]  # type: ignore[no-any-return]


@pytest.mark.parametrize("path", ["/api/post", "/api/delete"])
def test_a_published_post_is_deleted_from_its_networks(api: ApiClient, accounts: Any, settle: Any,
                                                       path: str) -> None:
    body = published(api, ["twitter", "bluesky"])
    assert body["status"] == "success"
    reply = api.call("DELETE", path, {"id": body["id"], "source": "pypi"})
    assert reply.status == 200, reply.body
    ids = social_ids(body)
    assert reply.body["status"] == "success" and reply.body["id"] == body["id"]
    for platform in ("twitter", "bluesky"):
        assert reply.body[platform] == {"action": "delete", "status": "success", "id": ids[platform]}
    assert simulators.published(accounts["x"]["id"]) == [] and simulators.published(accounts["bluesky"]["id"]) == []
    assert record_status(api, body["id"]) == "deleted" and native(api, body["id"])["status"] == "deleted"
    assert is_ayrshare_error(api.call("DELETE", path, {"id": body["id"]}), 400, 383)
    history = api.get("/api/history").body["history"]
    assert body["id"] not in [h["id"] for h in history]  # deleted posts only when asked for
    deleted = api.get("/api/history", query={"status": "deleted"}).body["history"]
    assert [h["id"] for h in deleted] == [body["id"]]


def test_a_network_refusing_is_an_error_entry_and_the_post_stays(api: ApiClient, settle: Any) -> None:
    instagram = api.post("/v1/accounts", {"platform": "instagram", "name": "Acme"}).body
    api.post("/v1/accounts", {"platform": "facebook", "name": "Acme"})
    body = published(api, ["instagram", "facebook"], mediaUrls=["https://cdn.example.com/photo.jpg"])
    assert body["status"] == "success", body
    reply = api.call("DELETE", "/api/post", {"id": body["id"]})
    assert is_ayrshare_error(reply, 400, 917)
    ids = social_ids(body)
    assert reply.body["facebook"] == {"action": "delete", "status": "success", "id": ids["facebook"]}
    refused = reply.body["instagram"]
    assert (refused["action"], refused["status"], refused["code"], refused["id"]) == (
        "delete", "error", 917, ids["instagram"])
    assert refused["heraldCode"] == "not_supported" and refused["platform"] == "instagram"
    assert [e["platform"] for e in reply.body["errors"]] == ["instagram"]
    assert record_status(api, body["id"]) == "success"  # still out on Instagram
    assert len(simulators.published(instagram["id"])) == 1
    record = api.get(f"/api/post/{body['id']}").body
    assert [p["platform"] for p in record["postIds"]] == ["instagram"]


def test_a_revoked_x_token_answers_the_relink_code(api: ApiClient, accounts: Any, settle: Any) -> None:
    body = published(api, ["twitter", "bluesky"])
    with simulators.LOCK:
        state = simulators.state_of(accounts["x"]["id"])
        state.token_expired = state.revoked = True
    reply = api.call("DELETE", "/api/post", {"id": body["id"]})
    assert is_ayrshare_error(reply, 400, 272)
    assert reply.body["twitter"]["code"] == 272 and reply.body["twitter"]["heraldCode"] == "account_disconnected"
    assert reply.body["bluesky"]["status"] == "success"
    assert api.get(f"/v1/accounts/{accounts['x']['id']}").body["status"] == "reconnect_required"
    assert native(api, body["id"])["status"] == "published"


def test_a_post_in_error_deletes_the_networks_it_reached(api: ApiClient, settle: Any) -> None:
    x = api.post("/v1/accounts", {"platform": "x", "name": "Acme", "simulate": ["duplicate"]}).body
    api.post("/v1/accounts", {"platform": "bluesky", "name": "Acme"})
    body = published(api, ["twitter", "bluesky"])
    assert body["status"] == "error" and record_status(api, body["id"]) == "error"
    reply = api.call("DELETE", "/api/post", {"id": body["id"]})
    assert reply.status == 200 and reply.body["status"] == "success", reply.body
    assert reply.body["bluesky"]["status"] == "success" and "twitter" not in reply.body  # X never had it
    assert record_status(api, body["id"]) == "deleted" and simulators.published(x["id"]) == []


def test_bulk_deletes_published_and_scheduled_posts(api: ApiClient, accounts: Any, settle: Any) -> None:
    first, second = published(api, ["twitter"], post="One"), published(api, ["bluesky"], post="Two")
    bulk = api.call("DELETE", "/api/post", {"bulk": [first["id"], second["id"], "post_unknown"]})
    assert bulk.status == 400 and isinstance(bulk.body, list) and len(bulk.body) == 3
    assert bulk.body[0]["status"] == "success" and bulk.body[0]["twitter"]["id"] == social_ids(first)["twitter"]
    assert bulk.body[1]["status"] == "success" and bulk.body[1]["bluesky"]["status"] == "success"
    assert bulk.body[2]["code"] == 114
    assert [record_status(api, p["id"]) for p in (first, second)] == ["deleted", "deleted"]
    third = published(api, ["twitter"], post="Three")
    assert api.call("DELETE", "/api/delete", {"bulk": [third["id"]]}).status == 200


def test_mark_manual_deleted_records_it_without_asking_the_networks(api: ApiClient, accounts: Any,
                                                                    settle: Any) -> None:
    body = published(api, ["twitter"])
    reply = api.call("DELETE", "/api/post", {"id": body["id"], "markManualDeleted": True})
    assert reply.status == 200
    assert reply.body == {"status": "success", "id": body["id"], "markManualDeleted": True}
    assert len(simulators.published(accounts["x"]["id"])) == 1  # Herald took the caller's word for it
    post = native(api, body["id"])
    assert post["status"] == "deleted" and post["targets"][0]["status"] == "deleted"
    assert is_ayrshare_error(api.call("DELETE", "/api/post", {"id": body["id"], "markManualDeleted": True}), 400, 383)
