"""GET /v1/me (who the key is, the request's profile, what the role allows) and a profile's time
zone (set on create and PATCH, stored with the profile, UTC for profiles stored before it)."""

from __future__ import annotations

from typing import Any

import pytest

from support.apigw import ApiClient

CAN = {
    "viewer": {"edit": False, "approve": False, "admin": False},
    "editor": {"edit": True, "approve": False, "admin": False},
    "approver": {"edit": True, "approve": True, "admin": False},
    "admin": {"edit": True, "approve": True, "admin": True},
}


def patch(api: ApiClient, path: str, body: Any) -> Any:
    return api.call("PATCH", path, body)


@pytest.mark.parametrize("role", ["viewer", "editor", "approver"])
def test_me_tells_each_role_what_it_may_do(api: ApiClient, workspace: dict[str, Any], role: str) -> None:
    issued = api.post("/v1/api-keys", {"name": f"the {role}", "role": role}).body
    me = ApiClient(issued["key"]).get("/v1/me")
    assert me.status == 200, me.body
    assert me.body["key"] == {"id": issued["api_key"]["id"], "name": f"the {role}", "role": role,
                              "hint": issued["key"][:7]}
    assert me.body["can"] == CAN[role]
    assert me.body["workspace_id"] == workspace["id"]
    assert me.body["profile"]["id"] == workspace["profile_id"] and me.body["profile"]["is_default"] is True
    assert issued["key"] not in str(me.body)  # the secret is never shown again


def test_me_of_the_admin_lists_the_profiles_and_follows_the_profile_chosen(api: ApiClient,
                                                                           workspace: dict[str, Any]) -> None:
    brand = api.post("/v1/profiles", {"name": "Brand", "timezone": "Asia/Tokyo"}).body
    me = api.get("/v1/me").body
    assert me["can"] == CAN["admin"] and me["key"]["role"] == "admin"
    assert sorted((p["name"], p["timezone"]) for p in me["profiles"]) == [("Brand", "Asia/Tokyo"), ("Default", "UTC")]
    by_key = ApiClient(api.api_key, profile_key=brand["profile_key"]).get("/v1/me").body
    assert by_key["profile"] == brand
    assert api.get("/v1/me", query={"profile_id": brand["id"]}).body["profile"] == brand
    unknown = api.get("/v1/me", query={"profile_id": "prf_missing"})
    assert (unknown.status, unknown.error_code) == (404, "profile_not_found")
    assert ApiClient("hk_not_a_key_000000000000000000").get("/v1/me").status == 401


def test_a_profile_keeps_the_time_zone_it_was_given(api: ApiClient) -> None:
    created = api.post("/v1/profiles", {"name": "Paris office", "timezone": "Europe/Paris"})
    assert created.status == 201 and created.body["timezone"] == "Europe/Paris"
    assert api.post("/v1/profiles", {"name": "Plain"}).body["timezone"] == "UTC"
    moved = patch(api, f"/v1/profiles/{created.body['id']}", {"timezone": "America/New_York"})
    assert moved.status == 200 and moved.body["timezone"] == "America/New_York"
    assert moved.body["name"] == "Paris office"
    both = patch(api, f"/v1/profiles/{created.body['id']}", {"name": "NY office", "timezone": "America/Chicago"}).body
    assert (both["name"], both["timezone"]) == ("NY office", "America/Chicago")
    renamed = patch(api, f"/v1/profiles/{created.body['id']}", {"name": "Chicago office"}).body
    assert (renamed["name"], renamed["timezone"]) == ("Chicago office", "America/Chicago")
    listed = {p["id"]: p["timezone"] for p in api.get("/v1/profiles").body["profiles"]}
    assert listed[created.body["id"]] == "America/Chicago"


@pytest.mark.parametrize("zone", ["Mars/Olympus", "europe/paris", "localtime", "", "x" * 300])
def test_an_unknown_time_zone_is_refused_and_changes_nothing(api: ApiClient, zone: str) -> None:
    refused = api.post("/v1/profiles", {"name": "Nowhere", "timezone": zone})
    assert (refused.status, refused.error_code) == (422, "invalid_timezone")
    assert refused.body["error"]["details"][0]["field"] == "timezone"
    assert "Nowhere" not in [p["name"] for p in api.get("/v1/profiles").body["profiles"]]
    profile = api.post("/v1/profiles", {"name": "Somewhere", "timezone": "Europe/Berlin"}).body
    patched = patch(api, f"/v1/profiles/{profile['id']}", {"name": "Elsewhere", "timezone": zone})
    assert (patched.status, patched.error_code) == (422, "invalid_timezone")
    kept = [p for p in api.get("/v1/profiles").body["profiles"] if p["id"] == profile["id"]]
    assert [(p["name"], p["timezone"]) for p in kept] == [("Somewhere", "Europe/Berlin")]


def test_a_profile_stored_before_time_zones_reads_as_utc(api: ApiClient, workspace: dict[str, Any]) -> None:
    from herald import wiring
    from herald.store import keys

    store = wiring.workspace_service().store
    store._db.update_item(TableName=store._table, Key={"PK": {"S": keys.workspace_pk(workspace["id"])},
                                                       "SK": {"S": keys.profile_sk(workspace["profile_id"])}},
                          UpdateExpression="REMOVE #zone", ExpressionAttributeNames={"#zone": "timezone"})
    assert api.get("/v1/me").body["profile"]["timezone"] == "UTC"
    assert patch(api, f"/v1/profiles/{workspace['profile_id']}", {"timezone": "Europe/Paris"}).body["timezone"] == (
        "Europe/Paris")


def test_the_time_zone_of_a_deleted_profile_cannot_be_set(api: ApiClient) -> None:
    from herald import wiring
    from herald.errors import ProfileNotFound

    profile = api.post("/v1/profiles", {"name": "Short lived"}).body
    service = wiring.workspace_service()
    read = service.store.get_profile(api.get("/v1/me").body["workspace_id"], profile["id"])
    api.delete(f"/v1/profiles/{profile['id']}")
    with pytest.raises(ProfileNotFound):
        service.store.set_profile_timezone(read, "Europe/Paris")


def test_the_local_bootstrap_gives_the_default_profile_its_time_zone(trigger: Any,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from local.bootstrap import bootstrap_workspace, herald_ensure_workspace

    monkeypatch.setenv("HERALD_LOCAL_TIMEZONE", "Australia/Sydney")
    result = bootstrap_workspace("zoned", "hk_local_zoned_key_0000000000000", herald_ensure_workspace())
    assert result.ok
    assert ApiClient(result.api_key).get("/v1/me").body["profile"]["timezone"] == "Australia/Sydney"
    monkeypatch.delenv("HERALD_LOCAL_TIMEZONE")
    plain = bootstrap_workspace("plain", "hk_local_plain_key_0000000000000", herald_ensure_workspace())
    assert ApiClient(plain.api_key).get("/v1/me").body["profile"]["timezone"] == "UTC"
