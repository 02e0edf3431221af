"""Test-mode accounts end to end in-process: API -> table -> publish run -> adapter -> simulator."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from herald.platforms import simulators
from herald.posts.ports import PublishRequest
from support.apigw import ApiClient


@pytest.fixture
def real_time_publisher(publisher: Any, clock: Any) -> Any:
    clock.set(datetime.now(UTC))
    return publisher


def run_all(publisher: Any, trigger: Any, post_id: str) -> None:
    """Run every hand-over for the post, as Lambda would, including re-armed ones."""
    done = 0
    while len(trigger.for_post(post_id)) > done:
        request: PublishRequest = trigger.for_post(post_id)[done]
        publisher.run(request)
        done += 1


def test_a_post_to_x_and_bluesky_publishes_through_the_simulators(api: ApiClient, trigger: Any,
                                                                  real_time_publisher: Any) -> None:
    x = api.post("/v1/accounts", {"platform": "x", "name": "Acme", "username": "acme"}).body
    bsky = api.post("/v1/accounts", {"platform": "bluesky", "name": "Acme"}).body
    assert (x["mode"], bsky["username"]) == ("test", "acme.bsky.social")
    assert "credentials" not in x
    post = api.post("/v1/posts", {"text": "Hello https://example.com", "platforms": ["x", "bluesky"]}).body
    run_all(real_time_publisher, trigger, post["id"])
    done = api.get(f"/v1/posts/{post['id']}").body
    assert done["status"] == "published"
    by_platform = {t["platform"]: t for t in done["targets"]}
    assert by_platform["x"]["platform_post_id"].isdigit()
    assert by_platform["x"]["url"] == f"https://x.com/acme/status/{by_platform['x']['platform_post_id']}"
    assert by_platform["bluesky"]["platform_post_id"].startswith("at://did:plc:")
    assert by_platform["bluesky"]["url"].startswith("https://bsky.app/profile/acme.bsky.social/post/")
    assert len(simulators.published(x["id"])) == 1 and len(simulators.published(bsky["id"])) == 1


def test_injected_rate_limit_is_retried_then_published(api: ApiClient, trigger: Any,
                                                       real_time_publisher: Any, clock: Any) -> None:
    x = api.post("/v1/accounts", {"platform": "x", "name": "Acme", "simulate": ["rate_limited"]}).body
    post = api.post("/v1/posts", {"text": "busy day", "platforms": ["x"]}).body
    real_time_publisher.run(trigger.for_post(post["id"])[0])
    waiting = api.get(f"/v1/posts/{post['id']}").body
    assert waiting["status"] == "scheduled"
    target = waiting["targets"][0]
    assert (target["status"], target["error"]["code"], target["error"]["platform_code"]) == (
        "pending", "rate_limited", target["error"]["platform_code"])
    assert "429" in target["error"]["platform_code"]
    clock.set(datetime.fromisoformat(waiting["next_run_at"]))
    from herald import wiring

    stored = wiring.post_store().get(wiring.workspace_service().authenticate(api.api_key).workspace_id, post["id"])
    real_time_publisher.run(PublishRequest(stored.workspace_id, stored.id, stored.schedule_version))
    assert api.get(f"/v1/posts/{post['id']}").body["status"] == "published"
    assert len(simulators.published(x["id"])) == 1


def test_injected_timeout_is_reconciled_not_reposted(api: ApiClient, trigger: Any, real_time_publisher: Any,
                                                     clock: Any) -> None:
    bsky = api.post("/v1/accounts", {"platform": "bluesky", "name": "Acme", "simulate": ["timeout"]}).body
    post = api.post("/v1/posts", {"text": "did it go?", "platforms": ["bluesky"]}).body
    real_time_publisher.run(trigger.for_post(post["id"])[0])
    after = api.get(f"/v1/posts/{post['id']}").body
    # The record key is derived from the target: after the lost answer the adapter finds the
    # record under that key and adopts it within the same attempt.
    assert after["status"] == "published" and after["targets"][0]["attempts"] == 1
    assert len(simulators.published(bsky["id"])) == 1  # the simulator did create it once: adopted


def test_revoked_token_disconnects_the_account(api: ApiClient, trigger: Any, real_time_publisher: Any) -> None:
    x = api.post("/v1/accounts", {"platform": "x", "name": "Acme", "simulate": ["revoked_token"]}).body
    post = api.post("/v1/posts", {"text": "hello", "platforms": ["x"]}).body
    real_time_publisher.run(trigger.for_post(post["id"])[0])
    failed = api.get(f"/v1/posts/{post['id']}").body
    assert failed["status"] == "failed"
    assert failed["targets"][0]["error"]["code"] == "account_disconnected"
    assert api.get(f"/v1/accounts/{x['id']}").body["status"] == "reconnect_required"
    again = api.post("/v1/posts", {"text": "again", "platforms": ["x"]})
    assert again.status == 422 and again.body["error"]["code"] == "account_disconnected"


def test_unknown_simulated_failure_and_live_mode_are_refused(api: ApiClient) -> None:
    bad = api.post("/v1/accounts", {"platform": "x", "name": "A", "simulate": ["meteor"]})
    assert bad.status == 422 and bad.body["error"]["details"][0]["value"] == "meteor"
    live = api.post("/v1/accounts", {"platform": "x", "name": "A", "mode": "live"})
    assert live.status == 422
    unknown = api.post("/v1/accounts", {"platform": "myspace", "name": "A"})
    assert unknown.status == 422 and "tiktok" in unknown.body["error"]["details"][0]["allowed"]


def test_accounts_are_listed_fetched_and_removed(api: ApiClient) -> None:
    first = api.post("/v1/accounts", {"platform": "x", "name": "One"}).body
    second = api.post("/v1/accounts", {"platform": "bluesky", "name": "Two"}).body
    assert {a["id"] for a in api.get("/v1/accounts").body["accounts"]} == {first["id"], second["id"]}
    assert api.get(f"/v1/accounts/{first['id']}").body == first
    assert api.delete(f"/v1/accounts/{first['id']}").status == 200
    assert api.get(f"/v1/accounts/{first['id']}").status == 404


def test_rich_text_is_rendered_per_network_and_counted_after_rendering(api: ApiClient, trigger: Any,
                                                                      real_time_publisher: Any) -> None:
    x = api.post("/v1/accounts", {"platform": "x", "name": "Acme"}).body
    post = api.post("/v1/posts", {"text": "<b>Big</b> news &amp; <i>more</i>", "platforms": ["x"]}).body
    real_time_publisher.run(trigger.for_post(post["id"])[0])
    assert api.get(f"/v1/posts/{post['id']}").body["status"] == "published"
    sent = simulators.published(x["id"])[0]
    assert sent["text"] == "\U0001d401\U0001d422\U0001d420 news & \U0001d45a\U0001d45c\U0001d45f\U0001d452"
    # Bold letters weigh 2 on X: 140 fit in 280, 141 do not, whatever the tags' length.
    assert api.post("/v1/posts/validate", {"text": "<b>" + "a" * 140 + "</b>", "platforms": ["x"]}).body["valid"]
    too_long = api.post("/v1/posts/validate", {"text": "<b>" + "a" * 141 + "</b>", "platforms": ["x"]}).body
    assert too_long["errors"][0]["measured"] == 282


def test_short_links_made_through_a_post_redirect_and_count_clicks(api: ApiClient, trigger: Any,
                                                                   real_time_publisher: Any) -> None:
    x = api.post("/v1/accounts", {"platform": "x", "name": "Acme"}).body
    bsky = api.post("/v1/accounts", {"platform": "bluesky", "name": "Acme"}).body
    long_url = "https://example.com/articles/" + "a" * 280
    body = {"text": f"Read {long_url} today", "platforms": ["x", "bluesky"], "shorten_links": True}
    assert api.post("/v1/posts/validate", body).body["valid"]  # the short link is what counts
    post = api.post("/v1/posts", body, headers={"host": "go.example.org", "x-forwarded-proto": "https"}).body
    links = post["short_links"][long_url]
    assert set(links) == {"x", "bluesky"} and links["x"] != links["bluesky"]
    assert all(u.startswith("https://go.example.org/l/") for u in links.values())
    real_time_publisher.run(trigger.for_post(post["id"])[0])
    assert api.get(f"/v1/posts/{post['id']}").body["status"] == "published"
    assert simulators.published(x["id"])[0]["text"] == f"Read {links['x']} today"
    assert simulators.published(bsky["id"])[0]["record"]["text"] == f"Read {links['bluesky']} today"

    hop = ApiClient(None).get("/l/" + links["bluesky"].rsplit("/", 1)[1], headers={"referer": "https://bsky.app/"})
    assert hop.status == 302 and hop.headers["location"] == long_url
    link_id = api.post("/v1/links", {"url": long_url, "post_id": post["id"]}).body["id"]  # the same link
    clicks = api.get(f"/v1/links/{link_id}").body["clicks"]
    assert clicks["by_channel"] == {"bluesky": 1} and clicks["by_referrer"] == {"bsky.app": 1}


def test_without_shorten_links_the_text_goes_as_written(api: ApiClient, trigger: Any,
                                                        real_time_publisher: Any) -> None:
    x = api.post("/v1/accounts", {"platform": "x", "name": "Acme"}).body
    post = api.post("/v1/posts", {"text": "See https://example.com/x", "platforms": ["x"]}).body
    assert post["short_links"] == {}
    real_time_publisher.run(trigger.for_post(post["id"])[0])
    assert simulators.published(x["id"])[0]["text"] == "See https://example.com/x"
