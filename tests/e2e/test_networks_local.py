"""All thirteen networks in test mode through `python -m local`: one post with per-network
overrides, a reply chain where networks have one, and an OAuth connection over real HTTP."""

from __future__ import annotations

import io
import re
import time
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from local_process import LocalCloudProcess, running_local_cloud
from test_walkthrough import client, wait_for_status

from support import media

NETWORKS = ("x", "linkedin", "facebook", "instagram", "threads", "bluesky", "mastodon", "telegram",
            "youtube", "tiktok", "pinterest", "reddit", "google_business")
# What each network's post ids and URLs look like.
SHAPES = {
    "x": (r"^\d{15,20}$", r"^https://x\.com/[^/]+/status/\d+$"),
    "linkedin": (r"^urn:li:(share|ugcPost):\d+$", r"^https://www\.linkedin\.com/feed/update/urn:li:"),
    "facebook": (r"^\d+_\d+$", r"^https://www\.facebook\.com/"),
    "instagram": (r"^\d+$", r"^https://www\.instagram\.com/"),
    "threads": (r"^\d+$", r"^https://www\.threads\.(net|com)/"),
    "bluesky": (r"^at://did:plc:[a-z2-7]{24}/app\.bsky\.feed\.post/[2-7a-z]{13}$", r"^https://bsky\.app/profile/"),
    "mastodon": (r"^\d+$", r"^https://[^/]+/@"),
    "telegram": (r"^\d+$", r"^https://t\.me/"),
    "youtube": (r"^[A-Za-z0-9_-]{11}$", r"^https://www\.youtube\.com/(watch\?v=|shorts/)[A-Za-z0-9_-]{11}$"),
    "tiktok": (r"^\d{15,20}$", r"^https://www\.tiktok\.com/@[^/]+/video/\d+$"),
    "pinterest": (r"^\d+$", r"^https://www\.pinterest\.com/pin/\d+/$"),
    "reddit": (r"^t3_[a-z0-9]+$", r"^https://www\.reddit\.com/r/[^/]+/comments/[a-z0-9]+/"),
    "google_business": (r"^accounts/\d+/locations/\d+/localPosts/[\w-]+$", r"^https://"),
}


@pytest.fixture(scope="module")
def cloud(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalCloudProcess]:
    with running_local_cloud(tmp_path_factory.mktemp("networks")) as process:
        yield process


def test_one_post_publishes_to_all_thirteen_networks_with_network_shaped_ids(cloud: LocalCloudProcess) -> None:
    with client(cloud) as api:
        accounts = {n: api.post("/v1/accounts", json={"platform": n, "name": "Acme"}).json() for n in NETWORKS}
        assert all("id" in a for a in accounts.values()), accounts
        boards = api.get(f"/v1/accounts/{accounts['pinterest']['id']}/boards")
        assert boards.status_code == 200 and boards.json()["boards"], boards.text
        photo = _upload(api, "square.jpg", "image/jpeg", _jpeg())
        video = _upload(api, "vertical.mp4", "video/mp4", media.mp4(width=1080, height=1920, seconds=20))
        created = api.post("/v1/posts", json={
            "text": {"default": "Launch day at Acme", "x": "Launch day at Acme, on X",
                     "linkedin": "Launch day at Acme (a longer note for LinkedIn)"},
            "media": {"default": [], "instagram": [photo], "pinterest": [photo], "youtube": [video],
                      "tiktok": [video]},
            "platforms": list(NETWORKS),
            "overrides": {
                "youtube": {"title": "Launch day", "options": {"privacy": "unlisted", "tags": ["launch"]}},
                "tiktok": {"options": {"privacy_level": "PUBLIC_TO_EVERYONE", "disable_duet": True}},
                "pinterest": {"title": "Launch day",
                              "options": {"board_id": boards.json()["boards"][0]["id"], "alt_text": "A red square"}},
                "reddit": {"title": "Launch day at Acme", "options": {"subreddit": "selfhosted"}},
                "google_business": {"options": {"call_to_action": "LEARN_MORE",
                                                "call_to_action_url": "https://example.com/launch"}},
            },
        })
        assert created.status_code == 201, created.text
        done = wait_for_status(api, created.json()["id"], {"published", "partially_published", "failed"}, 120)
    assert done["status"] == "published", done
    assert {t["platform"] for t in done["targets"]} == set(NETWORKS)
    for target in done["targets"]:
        id_shape, url_shape = SHAPES[target["platform"]]
        assert re.match(id_shape, target["platform_post_id"]), target
        assert re.match(url_shape, target["url"]), target


def test_a_reply_chain_on_the_four_networks_that_have_one(cloud: LocalCloudProcess) -> None:
    with client(cloud) as api:
        chain = ("x", "threads", "bluesky", "mastodon")
        ids = [api.post("/v1/accounts", json={"platform": n, "name": "Chain"}).json()["id"] for n in chain]
        parts = [{"text": "1/3 a thread"}, {"text": "2/3 goes on"}, {"text": "3/3 and ends"}]
        created = api.post("/v1/threads", json={"parts": parts, "account_ids": ids})
        assert created.status_code == 201, created.text
        done = wait_for_status(api, created.json()["id"], {"published", "partially_published", "failed"}, 90)
    assert done["status"] == "published", done
    for target in done["targets"]:
        assert len(target["parts"]) == 3 and len({p["platform_post_id"] for p in target["parts"]}) == 3, target


def test_oauth_connect_over_http_in_test_mode(cloud: LocalCloudProcess) -> None:
    with client(cloud) as api:
        started = api.post("/v1/accounts/connect", json={"platform": "linkedin", "mode": "test",
                                                         "redirect_uri": "http://127.0.0.1:9/done",
                                                         "username": "acme-li"})
        assert started.status_code == 200, started.text
        consent = httpx.get(started.json()["authorization_url"], follow_redirects=False, timeout=10)
        assert consent.status_code == 302, consent.text
        callback = httpx.get(consent.headers["location"], follow_redirects=False, timeout=30)
        assert callback.status_code == 302, callback.text
        outcome = {k: v[0] for k, v in parse_qs(urlsplit(callback.headers["location"]).query).items()}
        assert outcome["status"] == "connected", outcome
        account = api.get(f"/v1/accounts/{outcome['account_id']}").json()
    assert account["platform"] == "linkedin" and account["status"] == "active"


def _jpeg() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (1080, 1080), (200, 30, 30)).save(buffer, "JPEG")
    return buffer.getvalue()


def _upload(api: httpx.Client, filename: str, content_type: str, data: bytes) -> str:
    created = api.post("/v1/media", json={"filename": filename, "content_type": content_type, "size": len(data)})
    assert created.status_code == 201, created.text
    form = created.json()["upload"]
    sent = httpx.post(form["url"], data=form["fields"], files={"file": (filename, data, content_type)}, timeout=30)
    assert sent.status_code in (200, 201, 204), sent.text
    media_id = created.json()["media_id"]
    for _ in range(100):
        if api.get(f"/v1/media/{media_id}").json()["status"] == "ready":
            return media_id  # type: ignore[no-any-return]
        time.sleep(0.1)
    raise AssertionError("the upload was never inspected")
