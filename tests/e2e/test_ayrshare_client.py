"""The official Ayrshare Python client (PyPI `social-post-api`, module `ayrshare`) against the
local cloud's /api over real HTTP: post now (answered after publishing), schedule, history, get,
pause through PATCH (the client has no PATCH helper), delete, analytics once the local cloud has
collected, the user, profiles, short links and an upload URL, each answer in Ayrshare's shape."""

from __future__ import annotations

import hashlib
import hmac
import json
import signal
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import ayrshare.ayrshare as ayrshare_module
import httpx
import pytest
import requests
from ayrshare import SocialPost
from local_process import LocalCloudProcess, start_local_cloud, wait_until

from support.receiver import start_receiver


@pytest.fixture(scope="module")
def cloud(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalCloudProcess]:
    process = start_local_cloud(tmp_path_factory.mktemp("ayrshare-client"), HERALD_SIMULATED_TIME_SPEEDUP="3600",
                                HERALD_ANALYTICS_REFRESH_SECONDS="0")
    try:
        yield process
    finally:
        code, _ = process.stop(signal.SIGINT)
        assert code == 0, process.output()


@pytest.fixture(scope="module")
def native(cloud: LocalCloudProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=cloud.api_url, headers={"Authorization": f"Bearer {cloud.api_key}"},
                      timeout=30) as client:
        yield client


@pytest.fixture(scope="module")
def social(cloud: LocalCloudProcess, native: httpx.Client) -> Iterator[SocialPost]:
    """The client pointed at the local cloud, with test-mode X and Bluesky accounts linked."""
    for network in ("x", "bluesky"):
        linked = native.post("/v1/accounts", json={"platform": network, "name": "Acme", "username": "acme"})
        assert linked.status_code == 201, linked.text
    original = ayrshare_module.base
    ayrshare_module.base = f"{cloud.api_url}/api/"
    try:
        yield SocialPost(cloud.api_key)
    finally:
        ayrshare_module.base = original


def later(hours: float) -> str:
    return (datetime.now(UTC) + timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_post_now_get_history_and_analytics(social: SocialPost, native: httpx.Client) -> None:
    posted = social.post({"post": "Launch day with the Ayrshare client", "platforms": ["twitter", "bluesky"]})
    assert posted["status"] == "success", posted
    assert posted["errors"] == [] and posted["post"] == "Launch day with the Ayrshare client"
    ids = {p["platform"]: p for p in posted["postIds"]}
    assert set(ids) == {"twitter", "bluesky"}
    assert ids["twitter"]["status"] == "success" and ids["twitter"]["postUrl"].startswith("https://x.com/acme/status/")
    assert ids["bluesky"]["id"].startswith("at://")

    record = social.getPost({"id": posted["id"]})
    assert record["id"] == posted["id"] and record["status"] == "success" and record["type"] == "now"
    assert sorted(record["platforms"]) == ["bluesky", "twitter"]
    assert {p["id"] for p in record["postIds"]} == {p["id"] for p in posted["postIds"]}
    assert social.history({"id": posted["id"]})["id"] == posted["id"]

    history = social.history({"lastDays": 1, "platforms": ["twitter"], "limit": 10})["history"]
    assert posted["id"] in [item["id"] for item in history]

    def collected() -> bool:
        asked = native.post("/v1/analytics/refresh", json={"post_id": posted["id"]})
        assert asked.status_code == 202, asked.text
        return bool(asked.json()["targets"] == 2)

    wait_until(collected, 30)

    def analytics() -> dict[str, Any] | None:
        answer = social.analyticsPost({"id": posted["id"], "platforms": ["twitter", "bluesky"]})
        ready = answer.get("status") == "success" and all(answer[p]["lastUpdated"] for p in ("twitter", "bluesky"))
        return answer if ready else None

    answer = wait_until(analytics, 60)
    assert answer["twitter"]["id"] == ids["twitter"]["id"] and answer["twitter"]["postUrl"] == ids["twitter"]["postUrl"]
    assert answer["twitter"]["analytics"]["impressionCount"] >= 0 and "likeCount" in answer["twitter"]["analytics"]
    assert "likeCount" in answer["bluesky"]["analytics"] and answer["bluesky"]["nextUpdate"]

    removed = social.delete({"id": posted["id"]})  # deleted from both networks
    assert removed["status"] == "success", removed
    assert removed["twitter"] == {"action": "delete", "status": "success", "id": ids["twitter"]["id"]}
    assert removed["bluesky"]["status"] == "success"
    assert social.getPost({"id": posted["id"]})["status"] == "deleted"


def test_schedule_pause_by_patch_and_delete(social: SocialPost) -> None:
    when = later(2)
    scheduled = social.post({"post": "Webinar Friday", "platforms": ["twitter"], "scheduleDate": when,
                             "notes": "needs sign-off"})
    assert scheduled["status"] == "scheduled" and scheduled["scheduleDate"] == when, scheduled
    post_id = scheduled["id"]
    assert social.getPost({"id": post_id})["status"] == "pending"

    paused = requests.patch(ayrshare_module.base + "post", json={"id": post_id, "scheduledPause": True},
                            headers=social.headers, timeout=30)
    assert paused.status_code == 200 and paused.json()["postStatus"] == "paused", paused.text
    assert social.getPost({"id": post_id})["status"] == "paused"
    in_history = social.history({"status": "paused"})["history"]
    assert [item["id"] for item in in_history] == [post_id]

    updated = social.updatePost({"id": post_id, "post": "Webinar Saturday"})
    assert updated["status"] == "success" and social.getPost({"id": post_id})["post"] == "Webinar Saturday"

    deleted = social.delete({"id": post_id})
    assert deleted["status"] == "success" and deleted["id"] == post_id
    assert social.getPost({"id": post_id})["status"] == "deleted"
    again = social.delete({"id": post_id})
    assert again["status"] == "error" and again["code"] == 383


def test_errors_come_back_in_ayrshares_shape(social: SocialPost) -> None:
    unlinked = social.post({"post": "Hello", "platforms": ["facebook"]})
    assert unlinked["status"] == "error" and unlinked["errors"][0]["code"] == 156
    assert unlinked["errors"][0]["platform"] == "facebook"
    wrong_name = social.post({"post": "Hello", "platforms": ["x"]})
    assert wrong_name["status"] == "error" and "twitter" in wrong_name["message"]
    missing = social.getPost({"id": "post_does_not_exist"})
    assert missing["status"] == "error" and missing["code"] == 910
    retry = social.retryPost({"id": "post_does_not_exist"})
    assert retry["status"] == "error"


def test_user_profiles_links_and_upload_url(cloud: LocalCloudProcess, social: SocialPost) -> None:
    user = social.user()
    assert user["activeSocialAccounts"] == ["bluesky", "twitter"] and user["title"] == "Default"

    created = social.createProfile({"title": "Client Co"})
    assert created["status"] == "success" and created["profileKey"], created
    client_co = SocialPost(cloud.api_key).setProfileKey(created["profileKey"])
    assert client_co.user()["activeSocialAccounts"] == [] and client_co.user()["title"] == "Client Co"
    not_linked = client_co.post({"post": "Hello", "platforms": ["twitter"]})
    assert not_linked["status"] == "error" and not_linked["errors"][0]["code"] == 156
    titles = [p["title"] for p in social.getProfiles()["profiles"]]
    assert "Client Co" in titles
    renamed = client_co.updateProfile({"title": "Client Co Ltd"})
    assert renamed["status"] == "success" and client_co.user()["title"] == "Client Co Ltd", renamed
    assert social.createProfile({"title": "client co ltd"})["code"] == 146
    assert client_co.deleteProfile()["status"] == "success"
    assert "Client Co Ltd" not in [p["title"] for p in social.getProfiles()["profiles"]]

    link = social.shortLink({"url": "https://example.com/launch", "utmSource": "ayrshare-client"})
    assert link["status"] == "success" and link["shortUrl"].startswith(cloud.api_url)
    assert link["originalUrl"] == "https://example.com/launch?utm_source=ayrshare-client"
    clicked = httpx.get(link["shortUrl"], follow_redirects=False, timeout=10)
    assert clicked.status_code == 302
    stats = social.shortLinkAnalytics({"id": link["id"]})
    assert stats["status"] == "success" and stats["analytics"]["totalClicks"] == 1

    upload = social.mediaUploadUrl({"fileName": "photo.png", "contentType": "image/png"})
    assert upload["contentType"] == "image/png" and upload["uploadUrl"].startswith("http")
    assert upload["accessUrl"].startswith(f"{cloud.api_url}/api/media/files/med_")


def test_webhook_registration_through_the_client(social: SocialPost) -> None:
    """registerWebhook / listWebhooks / unregisterWebhook, and a scheduled post's `scheduled` action
    delivered in Ayrshare's shape to a receiver on loopback, signed with the secret given."""
    receiver = start_receiver()
    try:
        registered = social.registerWebhook({"action": "scheduled", "url": receiver.url, "secret": "s3cret"})
        assert registered["status"] == "success" and registered["action"] == "scheduled", registered
        listed = social.listWebhooks()
        assert [(w["action"], w["url"]) for w in listed["webhooks"]] == [("scheduled", receiver.url)]

        # Ayrshare's `scheduled` action is for posts asked for later (a minute or more ahead).
        soon = (datetime.now(UTC) + timedelta(seconds=65)).strftime("%Y-%m-%dT%H:%M:%SZ")
        scheduled = social.post({"post": "Hooked", "platforms": ["bluesky"], "scheduleDate": soon})
        assert scheduled["status"] == "scheduled", scheduled
        arrived = receiver.wait_for(lambda r: [x for x in r.requests if b'"action":"scheduled"' in x.body], 150)
        body = json.loads(arrived[0].body)
        assert body["id"] == scheduled["id"] and body["status"] == "success"
        assert body["postIds"][0]["platform"] == "bluesky" and body["postIds"][0]["id"]
        headers = arrived[0].headers
        assert headers["x-authorization-content-sha256"] == hmac.new(b"s3cret", arrived[0].body,
                                                                     hashlib.sha256).hexdigest()

        assert social.unregisterWebhook({"action": "scheduled"})["status"] == "success"
        assert social.listWebhooks()["webhooks"] == []
    finally:
        receiver.stop()
