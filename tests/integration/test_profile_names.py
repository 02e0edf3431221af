"""Profile names: unique per workspace ignoring case (a name pointer written in the profile's own
transaction, so racing creates cannot both win), renaming (PATCH /v1/profiles/{id}), and the name
freed again by a rename or a delete."""

from __future__ import annotations

import threading
from typing import Any

from support.apigw import ApiClient


def names(api: ApiClient) -> list[str]:
    return sorted(p["name"] for p in api.get("/v1/profiles").body["profiles"])


def test_a_name_is_taken_once_per_workspace_ignoring_case(api: ApiClient, workspace: Any) -> None:
    created = api.post("/v1/profiles", {"name": "Acme"})
    assert created.status == 201 and created.body["name"] == "Acme"
    for taken in ("Acme", "ACME", "  acme "):
        duplicate = api.post("/v1/profiles", {"name": taken})
        assert duplicate.status == 409 and duplicate.error_code == "conflict"
        message = duplicate.body["error"]["message"]
        assert repr(taken.strip()) in message and "already exists" in message
    default = api.post("/v1/profiles", {"name": "default"})  # the workspace's own "Default" has its name too
    assert default.status == 409 and default.error_code == "conflict"
    assert api.post("/v1/profiles", {"name": "   "}).status == 422
    assert names(api) == ["Acme", "Default"]
    other = ApiClient(_another_workspace_key())
    assert other.post("/v1/profiles", {"name": "Acme"}).status == 201  # names are per workspace


def _another_workspace_key() -> str:
    from herald import wiring

    _, _, issued = wiring.workspace_service().create_workspace("another")
    return issued.secret  # type: ignore[no-any-return]


def test_twenty_simultaneous_creates_of_one_name_make_one_profile(api: ApiClient, workspace: Any) -> None:
    start = threading.Barrier(20)
    replies: list[Any] = []

    def create(n: int) -> None:
        start.wait()
        replies.append(api.post("/v1/profiles", {"name": "Race" if n % 2 else "RACE"}))

    threads = [threading.Thread(target=create, args=(n,)) for n in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r.status for r in replies) == [201] + [409] * 19
    assert all(r.error_code == "conflict" for r in replies if r.status == 409)
    assert len([n for n in names(api) if n.lower() == "race"]) == 1


def test_renaming_moves_the_name(api: ApiClient, workspace: Any) -> None:
    acme = api.post("/v1/profiles", {"name": "Acme"}).body
    globex = api.post("/v1/profiles", {"name": "Globex"}).body
    renamed = api.call("PATCH", f"/v1/profiles/{acme['id']}", {"name": "Initech"})
    assert renamed.status == 200 and renamed.body["name"] == "Initech" and renamed.body["id"] == acme["id"]
    assert renamed.body["profile_key"] == acme["profile_key"]
    assert names(api) == ["Default", "Globex", "Initech"]
    assert api.post("/v1/profiles", {"name": "acme"}).status == 201  # the old name is free
    taken = api.call("PATCH", f"/v1/profiles/{globex['id']}", {"name": "INITECH"})
    assert taken.status == 409 and taken.error_code == "conflict"
    recased = api.call("PATCH", f"/v1/profiles/{acme['id']}", {"name": "INITECH"})  # its own name, recased
    assert recased.status == 200 and recased.body["name"] == "INITECH"
    assert api.post("/v1/profiles", {"name": "Initech"}).status == 409  # still taken, by the recased name
    default = api.call("PATCH", f"/v1/profiles/{workspace['profile_id']}", {"name": "Main"})
    assert default.status == 200 and default.body["is_default"] is True
    assert api.post("/v1/profiles", {"name": "Default"}).status == 201
    assert api.call("PATCH", "/v1/profiles/prf_unknown", {"name": "X"}).status == 404
    assert api.call("PATCH", f"/v1/profiles/{acme['id']}", {"name": ""}).status == 422


def test_deleting_a_profile_frees_its_name(api: ApiClient, workspace: Any) -> None:
    acme = api.post("/v1/profiles", {"name": "Acme"}).body
    assert api.delete(f"/v1/profiles/{acme['id']}").status == 200
    assert api.post("/v1/profiles", {"name": "ACME"}).status == 201
    assert api.call("PATCH", f"/v1/profiles/{acme['id']}", {"name": "Back"}).status == 404  # deleted


def test_two_renames_racing_to_one_name_leave_one_winner(api: ApiClient, workspace: Any) -> None:
    first = api.post("/v1/profiles", {"name": "One"}).body
    second = api.post("/v1/profiles", {"name": "Two"}).body
    start = threading.Barrier(2)
    replies: list[Any] = []

    def rename(profile_id: str) -> None:
        start.wait()
        replies.append(api.call("PATCH", f"/v1/profiles/{profile_id}", {"name": "Same"}))

    threads = [threading.Thread(target=rename, args=(p["id"],)) for p in (first, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r.status for r in replies) == [200, 409]
    assert names(api).count("Same") == 1 and len(names(api)) == 3


def test_renaming_needs_an_admin_key(api: ApiClient, workspace: Any) -> None:
    editor = ApiClient(api.post("/v1/api-keys", {"name": "ed", "role": "editor"}).body["key"])
    refused = editor.call("PATCH", f"/v1/profiles/{workspace['profile_id']}", {"name": "Mine"})
    assert refused.status == 403 and refused.error_code == "forbidden"
