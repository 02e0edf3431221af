"""GET /api/user, /api/profiles (create, list, rename, delete), /api/links and
/api/media/uploadUrl through the API handler, in Ayrshare's shapes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from test_compat_support import ayr_post, is_ayrshare_error, native

from support import media
from support.apigw import ApiClient, Context
from support.cloud import MotoCloud
from support.uploads import inspect_handler, s3_event

pytest_plugins = ["test_compat_support"]  # its fixtures: settle, no_wait, real_time_publisher


def test_user_lists_the_profiles_linked_accounts(api: ApiClient, workspace: Any, accounts: Any) -> None:
    from herald import wiring

    expiring = wiring.account_store().get(workspace["id"], accounts["x"]["id"])
    in_ten_days = datetime.now(UTC) + timedelta(days=10, hours=1)
    wiring.account_store().save(expiring.model_copy(update={"token_expires_at": in_ten_days,
                                                           "version": expiring.version + 1}),
                                expected_version=expiring.version)
    body = api.get("/api/user", query={"source": "pypi"}).body
    assert body["activeSocialAccounts"] == ["bluesky", "twitter"]
    assert body["email"] is None and body["title"] == "Default" and body["refId"] == workspace["profile_id"]
    by_platform = {d["platform"]: d for d in body["displayNames"]}
    assert by_platform["twitter"]["refreshDaysRemaining"] == 10
    assert by_platform["twitter"]["displayName"] and by_platform["twitter"]["username"]
    assert "refreshDaysRemaining" not in by_platform["bluesky"] or by_platform["bluesky"]["refreshDaysRemaining"] >= 0
    assert by_platform["bluesky"]["refreshRequired"] is False


def test_profiles_create_list_delete(api: ApiClient, workspace: Any) -> None:
    created = api.post("/api/profiles", {"title": "Acme", "disableSocial": ["reddit"], "source": "pypi"})
    assert created.status == 200 and created.body["status"] == "success" and created.body["title"] == "Acme"
    key, ref = created.body["profileKey"], created.body["refId"]
    older = api.post("/api/profiles/create-profile", {"title": "Globex"}).body
    assert older["profileKey"] and older["profileKey"] != key
    assert is_ayrshare_error(api.post("/api/profiles", {"title": "acme"}), 400, 146)
    listed = api.get("/api/profiles").body
    assert [p["title"] for p in listed["profiles"]] == ["Default", "Acme", "Globex"] and listed["count"] == 3
    assert all("profileKey" not in p for p in listed["profiles"])
    assert api.get("/api/profiles", query={"title": "Acme"}).body["profiles"][0]["refId"] == ref
    assert api.get("/api/profiles", query={"hasActiveSocialAccounts": "true"}).body["profiles"] == []

    keyed = ApiClient(workspace["key"], profile_key=key)
    assert keyed.get("/api/user").body["title"] == "Acme"
    renamed = keyed.put("/api/profiles/profile", {"title": "Acme 2", "source": "pypi"})
    assert renamed.status == 200 and renamed.body == {"status": "success", "title": "Acme 2", "refId": ref}
    assert keyed.get("/api/user").body["title"] == "Acme 2"
    assert is_ayrshare_error(keyed.put("/api/profiles/profile", {"title": " GLOBEX "}), 400, 146)
    by_key = api.call("PATCH", "/api/profiles", {"title": "Acme 3"}, headers={"Profile-Key": key})  # current docs
    assert by_key.status == 200 and by_key.body["title"] == "Acme 3"
    assert is_ayrshare_error(api.put("/api/profiles/profile", {"title": "X", "profileKey": "pk_nope"}), 404, 915)
    assert is_ayrshare_error(api.put("/api/profiles/profile", {"profileKey": key}), 400, 901)
    gone = keyed.call("DELETE", "/api/profiles/delete-profile", {"source": "pypi"})
    assert gone.status == 200 and gone.body["refId"] == ref
    by_body = api.call("DELETE", "/api/profiles", {"profileKey": older["profileKey"]})
    assert by_body.status == 200
    assert [p["title"] for p in api.get("/api/profiles").body["profiles"]] == ["Default"]
    assert is_ayrshare_error(keyed.get("/api/user"), 404, 915)
    default = api.call("DELETE", "/api/profiles", {"profileKey": workspace["profile_key"]})
    assert is_ayrshare_error(default, 400, 901)
    assert is_ayrshare_error(api.call("DELETE", "/api/profiles", {}), 400, 901)


def test_profiles_need_an_admin_key(api: ApiClient, workspace: Any) -> None:
    editor = ApiClient(api.post("/v1/api-keys", {"name": "ed", "role": "editor"}).body["key"])
    assert is_ayrshare_error(editor.post("/api/profiles", {"title": "Nope"}), 403, 914)
    assert is_ayrshare_error(editor.call("DELETE", "/api/profiles", {"profileKey": "pk_x"}), 403, 914)
    assert is_ayrshare_error(editor.put("/api/profiles/profile", {"title": "Mine"}), 403, 914)
    assert editor.get("/api/profiles").status == 200  # reading, as natively, needs a viewer
    assert is_ayrshare_error(api.post("/api/profiles", {"title": ""}), 400, 901)
    assert is_ayrshare_error(api.post("/api/profiles", {"name": "no title"}), 400, 901)


def test_links_shorten_with_utm_and_count_clicks(api: ApiClient, workspace: Any) -> None:
    created = api.post("/api/links", {"url": "https://example.com/launch?ref=a", "utmSource": "newsletter",
                                      "utmCampaign": "spring", "source": "pypi"})
    assert created.status == 200, created.body
    body = created.body
    assert body["status"] == "success" and body["utmSource"] == "newsletter"
    assert body["originalUrl"] == "https://example.com/launch?ref=a&utm_source=newsletter&utm_campaign=spring"
    code = body["shortUrl"].rsplit("/l/", 1)[1]
    assert api.post("/api/links", {"url": "https://example.com/launch?ref=a", "utmSource": "newsletter",
                                   "utmCampaign": "spring"}).body["id"] == body["id"]  # same URL, same link
    for referer in ("https://news.example.org/a", None):
        follow = ApiClient(None).get(f"/l/{code}", headers={"referer": referer} if referer else None)
        assert follow.status == 302
    stats = api.get(f"/api/links/{body['id']}", query={"id": body["id"], "source": "pypi"}).body
    assert stats["status"] == "success" and stats["analytics"]["totalClicks"] == 2
    assert stats["analytics"]["refererCounts"] == {"news.example.org": 1, "none": 1}
    assert stats["analytics"]["browserCounts"] == {} and stats["analytics"]["shortUrl"] == body["shortUrl"]
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert api.get(f"/api/links/{body['id']}", query={"fromClickDate": tomorrow}).body["analytics"]["totalClicks"] == 0
    assert is_ayrshare_error(api.get("/api/links/lnk_unknown"), 404, 910)
    assert is_ayrshare_error(api.post("/api/links", {"url": "ftp://example.com"}), 400, 901)
    assert is_ayrshare_error(api.post("/api/links", {}), 400, 901)


@pytest.fixture
def bucket(cloud: MotoCloud) -> str:
    return cloud.stack.physical_name("MediaBucket")


def test_upload_url_is_a_presigned_put_whose_access_url_posts_the_upload(
    api: ApiClient, cloud: MotoCloud, bucket: str, workspace: Any, accounts: Any, no_wait: Any
) -> None:
    reply = api.get("/api/media/uploadUrl", query={"fileName": "Holiday photo.png", "source": "pypi"})
    assert reply.status == 200, reply.body
    body = reply.body
    assert body["contentType"] == "image/png" and body["id"].startswith("med_")
    assert body["accessUrl"].endswith(f"/api/media/files/{body['id']}/Holiday-photo.png")
    png = media.image("PNG", (1080, 1080))
    put = httpx.put(body["uploadUrl"], content=png, headers={"Content-Type": "image/png"}, timeout=30)
    assert put.status_code == 200, put.text
    key = f"uploads/{workspace['id']}/{body['id']}/Holiday-photo.png"
    assert inspect_handler()(s3_event(bucket, key, len(png)), Context())["processed"][0]["result"] == "ready"

    fetched = api.get(body["accessUrl"].split("test.execute-api.us-east-1.amazonaws.com", 1)[1])
    assert fetched.status == 302 and httpx.get(fetched.headers["location"], timeout=10).content == png

    when = (datetime.now(UTC) + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    post = ayr_post(api, post="With my upload", platforms=["twitter"], mediaUrls=[body["accessUrl"]],
                    scheduleDate=when)
    assert post.status == 200, post.body
    assert native(api, post.body["id"])["media"] == [body["id"]]
    record = api.get(f"/api/post/{post.body['id']}").body
    assert record["mediaUrls"] == [body["accessUrl"].rsplit("/", 1)[0]]


def test_upload_url_errors(api: ApiClient, workspace: Any) -> None:
    assert is_ayrshare_error(api.get("/api/media/uploadUrl"), 400, 901)
    assert is_ayrshare_error(api.get("/api/media/uploadUrl", query={"fileName": "notes"}), 400, 901)
    unsupported = api.get("/api/media/uploadUrl", query={"fileName": "a.pdf", "contentType": "application/pdf"})
    assert is_ayrshare_error(unsupported, 400, 904)
    assert is_ayrshare_error(api.get("/api/media/files/med_unknown"), 404, 906)
