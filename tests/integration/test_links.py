"""Short links: made once per URL and post, a code per network, public redirects, atomic clicks."""

from __future__ import annotations

import threading
from typing import Any

from support.apigw import ApiClient


def code_of(short_url: str) -> str:
    return short_url.rsplit("/l/", 1)[1]


def test_a_link_redirects_and_counts_clicks_by_network_and_referrer(api: ApiClient) -> None:
    created = api.post("/v1/links", {"url": "https://example.com/launch?utm=1", "channels": ["x", "bluesky"]},
                       headers={"host": "api.example.org", "x-forwarded-proto": "https"})
    assert created.status == 201, created.body
    link = created.body
    assert set(link["short_urls"]) == {"direct", "x", "bluesky"}
    assert all(u.startswith("https://api.example.org/l/") for u in link["short_urls"].values())
    assert link["clicks"] == {"total": 0, "by_day": {}, "by_channel": {}, "by_referrer": {}}

    anonymous = ApiClient(None)
    x_code = code_of(link["short_urls"]["x"])
    hop = anonymous.get(f"/l/{x_code}", headers={"referer": "https://t.co/abc?secret=1"})
    assert hop.status == 302
    assert hop.headers["location"] == "https://example.com/launch?utm=1"
    assert hop.headers["cache-control"] == "no-store"
    anonymous.get(f"/l/{x_code}")
    anonymous.get(f"/l/{code_of(link['short_urls']['bluesky'])}", headers={"referer": "https://bsky.app/x"})

    seen = api.get(f"/v1/links/{link['id']}").body["clicks"]
    assert seen["total"] == 3
    assert seen["by_channel"] == {"x": 2, "bluesky": 1}
    assert seen["by_referrer"] == {"t.co": 1, "none": 1, "bsky.app": 1}
    assert sum(seen["by_day"].values()) == 3


def test_the_same_url_and_post_reuse_one_link(api: ApiClient) -> None:
    post = api.post("/v1/posts", {"text": "draft", "draft": True}).body
    first = api.post("/v1/links", {"url": "https://example.com/a", "post_id": post["id"], "channels": ["x"]}).body
    again = api.post("/v1/links", {"url": "https://example.com/a", "post_id": post["id"],
                                   "channels": ["x", "bluesky"]}).body
    assert again["id"] == first["id"]
    assert again["short_urls"]["x"] == first["short_urls"]["x"]
    assert "bluesky" in again["short_urls"]
    other_post = api.post("/v1/links", {"url": "https://example.com/a"}).body
    assert other_post["id"] != first["id"]


def test_simultaneous_clicks_are_all_counted(api: ApiClient) -> None:
    link = api.post("/v1/links", {"url": "https://example.com/hot"}).body
    code = code_of(link["short_urls"]["direct"])
    start = threading.Barrier(20)

    def click() -> None:
        start.wait()
        ApiClient(None).get(f"/l/{code}")

    threads = [threading.Thread(target=click) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert api.get(f"/v1/links/{link['id']}").body["clicks"]["total"] == 20


def test_unknown_codes_other_workspaces_and_bad_urls(api: ApiClient, workspace: dict[str, Any]) -> None:
    from herald import wiring

    missing = ApiClient(None).get("/l/NoSuchCode")
    assert missing.status == 404 and missing.body["error"]["code"] == "link_not_found"
    link = api.post("/v1/links", {"url": "https://example.com/mine"}).body
    _, _, other = wiring.workspace_service().create_workspace("other")
    assert ApiClient(other.secret).get(f"/v1/links/{link['id']}").status == 404
    bad = api.post("/v1/links", {"url": "javascript:alert(1)"})
    assert bad.status == 422 and bad.body["error"]["details"][0]["field"] == "url"
    assert api.post("/v1/links", {"url": "https://e.com", "channels": ["myspace"]}).status == 422
    assert api.post("/v1/links", {"url": "https://e.com", "post_id": "post_nope"}).status == 404
