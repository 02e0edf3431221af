"""Auth, roles, tenancy, the error envelope and validation, through the real handler."""

from __future__ import annotations

from typing import Any

import pytest

from support.apigw import ApiClient


def assert_envelope(reply: Any, status: int, code: str) -> None:
    assert reply.status == status, reply.body
    assert set(reply.body) == {"error"}
    assert set(reply.body["error"]) == {"code", "message", "details"}
    assert reply.body["error"]["code"] == code
    assert isinstance(reply.body["error"]["details"], list)


def test_unauthenticated_calls_answer_401(api: ApiClient) -> None:
    assert_envelope(ApiClient(None).get("/v1/posts"), 401, "unauthenticated")
    assert_envelope(ApiClient("hk_not_a_real_key_0000000000000").get("/v1/posts"), 401, "unauthenticated")
    assert_envelope(ApiClient(None).post("/v1/posts", {"text": "x"}), 401, "unauthenticated")
    basic = api.get("/v1/posts", headers={"authorization": "Basic abc"})
    assert_envelope(basic, 401, "unauthenticated")


def test_health_and_openapi_need_no_key() -> None:
    assert ApiClient(None).get("/health").status == 200
    spec = ApiClient(None).get("/v1/openapi.json")
    assert spec.status == 200 and "/v1/posts" in spec.body["paths"]
    docs = ApiClient(None).get("/v1/docs")
    assert docs.status == 200


def test_unknown_route_answers_404_envelope(api: ApiClient) -> None:
    assert_envelope(api.get("/v1/nothing-here"), 404, "route_not_found")


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ('{"text": "hi", "platforms": ["x"], "colour": "red"}', "colour"),
        ('{"text": 5, "draft": true}', "text"),
        ('{"text": "hi", "draft": true, "timezone": "Mars/Base"}', "timezone"),
        ('{"text": "hi", "draft": true, "scheduled_at": "next tuesday"}', "scheduled_at"),
        ('{"text": "hi", "draft": true, "post_type": "meme"}', "post_type"),
    ],
)
def test_malformed_bodies_answer_422_with_field_details(api: ApiClient, raw: str, field: str) -> None:
    reply = api.call("POST", "/v1/posts", raw_body=raw)
    assert_envelope(reply, 422, "validation_error")
    assert any(d["field"] == field for d in reply.body["error"]["details"]), reply.body


@pytest.mark.parametrize("raw", ["{not json", "[1, 2]", '"text"', "null", ""])
def test_bodies_that_are_not_objects_answer_422(api: ApiClient, raw: str) -> None:
    assert_envelope(api.call("POST", "/v1/posts", raw_body=raw), 422, "validation_error")


def test_non_draft_without_content_or_network_answers_422(api: ApiClient) -> None:
    assert_envelope(api.post("/v1/posts", {"platforms": ["x"]}), 422, "validation_error")
    assert_envelope(api.post("/v1/posts", {"text": "hi"}), 422, "invalid_request")
    unknown = api.post("/v1/posts", {"text": "hi", "platforms": ["myspace"]})
    assert_envelope(unknown, 422, "invalid_request")
    no_account = api.post("/v1/posts", {"text": "hi", "platforms": ["x"]})
    assert_envelope(no_account, 422, "invalid_request")
    assert no_account.body["error"]["details"][0]["issue"] == "no_account"


def test_draft_lifecycle_through_the_api(api: ApiClient) -> None:
    created = api.post("/v1/posts", {"text": "first draft", "draft": True, "tags": ["launch"]})
    assert created.status == 201, created.body
    post = created.body
    assert post["status"] == "draft" and post["targets"] == [] and post["version"] == 1
    assert api.get(f"/v1/posts/{post['id']}").body == post
    edited = api.put(f"/v1/posts/{post['id']}", {"text": "second draft", "notes": "check tone"})
    assert edited.status == 200
    assert (edited.body["text"], edited.body["notes"], edited.body["version"]) == ("second draft", "check tone", 2)
    publish = api.post(f"/v1/posts/{post['id']}/publish")
    assert_envelope(publish, 422, "invalid_content")  # no network yet
    pause = api.post(f"/v1/posts/{post['id']}/pause")
    assert_envelope(pause, 409, "invalid_state")
    assert pause.body["error"]["details"][0]["status"] == "draft"
    deleted = api.delete(f"/v1/posts/{post['id']}")
    assert deleted.status == 200 and deleted.body["status"] == "cancelled"
    assert_envelope(api.put(f"/v1/posts/{post['id']}", {"text": "again"}), 409, "invalid_state")
    assert_envelope(api.delete(f"/v1/posts/{post['id']}"), 409, "invalid_state")
    assert api.get(f"/v1/posts/{post['id']}").body["text"] == "second draft"  # nothing lost


def test_another_workspaces_post_answers_404(api: ApiClient) -> None:
    from herald import wiring

    _, _, other = wiring.workspace_service().create_workspace("other")
    stranger = ApiClient(other.secret)
    post = api.post("/v1/posts", {"text": "mine", "draft": True}).body
    for reply in (
        stranger.get(f"/v1/posts/{post['id']}"),
        stranger.put(f"/v1/posts/{post['id']}", {"text": "theirs"}),
        stranger.delete(f"/v1/posts/{post['id']}"),
        stranger.post(f"/v1/posts/{post['id']}/publish"),
    ):
        assert_envelope(reply, 404, "post_not_found")
    assert stranger.get("/v1/posts").body["posts"] == []
    assert api.get(f"/v1/posts/{post['id']}").body["text"] == "mine"


def test_roles(api: ApiClient) -> None:
    keys = {}
    for role in ("viewer", "editor", "approver"):
        reply = api.post("/v1/api-keys", {"name": role, "role": role})
        assert reply.status == 201 and reply.body["key"].startswith("hk_")
        keys[role] = ApiClient(reply.body["key"])
    assert_envelope(keys["viewer"].post("/v1/posts", {"text": "x", "draft": True}), 403, "forbidden")
    assert keys["viewer"].get("/v1/posts").status == 200
    draft = keys["editor"].post("/v1/posts", {"text": "x", "draft": True}).body
    assert_envelope(keys["editor"].post(f"/v1/posts/{draft['id']}/approve"), 403, "forbidden")
    assert_envelope(keys["approver"].post("/v1/api-keys", {"name": "n", "role": "admin"}), 403, "forbidden")
    # the approver's approve is refused by state, not by role
    assert_envelope(keys["approver"].post(f"/v1/posts/{draft['id']}/approve"), 409, "invalid_state")


def test_api_keys_are_shown_once_and_can_be_revoked(api: ApiClient) -> None:
    issued = api.post("/v1/api-keys", {"name": "ci", "role": "editor"}).body
    listed = api.get("/v1/api-keys").body["api_keys"]
    assert issued["key"] not in str(listed)
    assert any(k["id"] == issued["api_key"]["id"] and k["hint"] == issued["key"][:7] for k in listed)
    assert ApiClient(issued["key"]).get("/v1/posts").status == 200
    revoked = api.delete(f"/v1/api-keys/{issued['api_key']['id']}")
    assert revoked.status == 200 and revoked.body["revoked_at"]
    assert_envelope(ApiClient(issued["key"]).get("/v1/posts"), 401, "unauthenticated")
    assert_envelope(api.delete("/v1/api-keys/key_missing"), 404, "api_key_not_found")


def test_profiles_scope_posts(api: ApiClient, workspace: dict[str, Any]) -> None:
    brand = api.post("/v1/profiles", {"name": "Brand B"})
    assert brand.status == 201 and not brand.body["is_default"]
    in_brand = ApiClient(workspace["key"], profile_key=brand.body["profile_key"])
    post = in_brand.post("/v1/posts", {"text": "for brand b", "draft": True}).body
    assert post["profile_id"] == brand.body["id"]
    assert_envelope(api.get(f"/v1/posts/{post['id']}"), 404, "post_not_found")  # default profile
    by_query = api.get(f"/v1/posts/{post['id']}", query={"profile_id": brand.body["id"]})
    assert by_query.status == 200
    assert [p["id"] for p in in_brand.get("/v1/posts").body["posts"]] == [post["id"]]
    profiles = api.get("/v1/profiles").body["profiles"]
    assert {p["name"] for p in profiles} == {"Default", "Brand B"}
    default_id = next(p["id"] for p in profiles if p["is_default"])
    assert_envelope(api.delete(f"/v1/profiles/{default_id}"), 422, "invalid_request")
    assert api.delete(f"/v1/profiles/{brand.body['id']}").status == 200
    assert_envelope(in_brand.get("/v1/posts"), 404, "profile_not_found")


def test_json_bodies_whatever_curl_labels_them(api: ApiClient) -> None:
    body = '{"text": "hi", "draft": true}'
    for label in ("application/x-www-form-urlencoded", "text/plain", "application/json; charset=utf-8"):
        reply = api.call("POST", "/v1/posts", raw_body=body, headers={"content-type": label})
        assert reply.status == 201, (label, reply.body)
    refused = api.call("POST", "/v1/posts", raw_body="<post/>", headers={"content-type": "application/xml"})
    assert_envelope(refused, 415, "unsupported_media_type")


def test_authentication_comes_before_validation(api: ApiClient) -> None:
    anonymous = ApiClient(None)
    assert_envelope(anonymous.call("POST", "/v1/posts", raw_body="{broken"), 401, "unauthenticated")
    assert_envelope(anonymous.call("POST", "/v1/posts", raw_body="<x/>", headers={"content-type": "text/xml"}),
                    401, "unauthenticated")
    assert_envelope(anonymous.get("/v1/no-such-route"), 401, "unauthenticated")
