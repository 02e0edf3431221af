"""Content checked against each network's rules through the API, and again at publish time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from support.apigw import ApiClient
from support.records import add_account


@pytest.fixture
def networks(workspace: dict[str, Any]) -> dict[str, Any]:
    return {"x": add_account(workspace, platform="x"), "bluesky": add_account(workspace, platform="bluesky")}


def test_text_too_long_for_x_is_refused_naming_network_field_limit_and_value(api: ApiClient, networks: Any) -> None:
    reply = api.post("/v1/posts", {"text": "a" * 281, "platforms": ["x", "bluesky"]})
    assert reply.status == 422 and reply.body["error"]["code"] == "invalid_content"
    details = reply.body["error"]["details"]
    x = [d for d in details if d["network"] == "x"]
    assert x and x[0]["field"] == "text" and x[0]["limit"] == 280 and x[0]["measured"] == 281
    assert all(d["network"] == "x" for d in details)  # 281 graphemes are fine on Bluesky's 300
    assert api.get("/v1/posts").body["posts"] == []  # nothing saved


def test_weighted_counting_lets_280_ascii_through_but_not_141_cjk(api: ApiClient, networks: Any) -> None:
    assert api.post("/v1/posts", {"text": "a" * 280, "platforms": ["x"], "draft": True}).status == 201
    refused = api.post("/v1/posts", {"text": "漢" * 141, "platforms": ["x"]})
    assert refused.status == 422
    assert refused.body["error"]["details"][0]["measured"] == 282


def test_validate_runs_the_same_checks_without_saving(api: ApiClient, networks: Any) -> None:
    text = "👩‍👩‍👧‍👦" * 301
    reply = api.post("/v1/posts/validate", {"text": text, "platforms": ["x", "bluesky"]})
    assert reply.status == 200
    body = reply.body
    assert body["valid"] is False and body["networks"] == ["bluesky", "x"]
    bluesky = [e for e in body["errors"] if e["network"] == "bluesky" and e["field"] == "text"]
    assert any(e["limit"] == 300 and e["measured"] == 301 for e in bluesky)  # graphemes, not code points
    ok = api.post("/v1/posts/validate", {"text": "fine", "platforms": ["x"]}).body
    previews = ok.pop("previews")
    assert ok == {"valid": True, "networks": ["x"], "errors": [], "warnings": []}
    assert [p["steps"] for p in previews] == [[{"kind": "post", "text": "fine", "media": [], "link": None}]]
    assert api.get("/v1/posts").body["posts"] == []


def test_drafts_may_break_rules_until_they_are_sent(api: ApiClient, networks: Any) -> None:
    draft = api.post("/v1/posts", {"text": "b" * 400, "platforms": ["x"], "draft": True})
    assert draft.status == 201
    publish = api.post(f"/v1/posts/{draft.body['id']}/publish")
    assert publish.status == 422 and publish.body["error"]["details"][0]["network"] == "x"
    assert api.get(f"/v1/posts/{draft.body['id']}").body["status"] == "draft"
    fixed = api.put(f"/v1/posts/{draft.body['id']}", {"text": "short now"})
    assert fixed.status == 200
    assert api.post(f"/v1/posts/{draft.body['id']}/publish").body["status"] == "scheduled"


def test_scheduling_less_than_ten_minutes_ahead_is_a_warning(api: ApiClient, networks: Any) -> None:
    soon = (datetime.now(UTC) + timedelta(minutes=5)).isoformat()
    post = api.post("/v1/posts", {"text": "soon", "platforms": ["x"], "scheduled_at": soon})
    assert post.status == 201
    assert [w["code"] for w in post.body["warnings"]] == ["scheduled_soon"]
    later = (datetime.now(UTC) + timedelta(hours=5)).isoformat()
    assert api.post("/v1/posts", {"text": "later", "platforms": ["x"], "scheduled_at": later}).body["warnings"] == []


def test_content_that_became_invalid_fails_its_target_at_publish_time(publisher: Any, workspace: dict[str, Any],
                                                                       clock: Any) -> None:
    from herald import wiring
    from herald.ids import new_id
    from herald.posts.model import Post, PostStatus, PostTarget
    from herald.posts.ports import PublishRequest
    from support.fake_platform import FakeNetwork

    network = FakeNetwork()
    publisher.open_platform = network.open
    x = add_account(workspace, clock, platform="x")
    post = Post(
        id=new_id("post"), workspace_id=workspace["id"], profile_id=workspace["profile_id"],
        status=PostStatus.SCHEDULED, text="c" * 300, due_at=clock.now(), schedule_version=1,
        targets=[PostTarget(platform="x", account_id=x.id)], created_at=clock.now(), updated_at=clock.now(),
    )
    wiring.post_store().insert(post, None)  # as if stored before today's rules
    assert publisher.run(PublishRequest(post.workspace_id, post.id, 1)).result == "failed"
    target = wiring.post_store().get(post.workspace_id, post.id).targets[0]
    assert target.error.code == "invalid_content" and "280" in target.error.message
    assert network.publish_calls == []


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("http://127.0.0.1/x.png", "media_url_invalid"),  # http is refused before the address
        ("ftp://x/y.png", "media_url_invalid"),
        ("https://127.0.0.1/x.png", "media_url_forbidden"),
        ("https://169.254.169.254/latest/meta-data/", "media_url_forbidden"),
        ("https://[::ffff:10.0.0.1]/a.jpg", "media_url_forbidden"),
        ("https://example.com/my photo.jpg", "media_url_invalid"),
    ],
)
def test_unsafe_media_urls_are_refused_on_create_and_edit(api: ApiClient, networks: Any, url: str,
                                                         code: str) -> None:
    reply = api.post("/v1/posts", {"text": "pic", "platforms": ["x"], "media": [url], "draft": True})
    assert reply.status == 422, reply.body
    assert reply.body["error"]["code"] == code or any(d["issue"] == code for d in reply.body["error"]["details"])
    assert reply.body["error"]["details"][0]["field"] == "media[0]"
    draft = api.post("/v1/posts", {"text": "pic", "platforms": ["x"], "draft": True}).body
    assert api.put(f"/v1/posts/{draft['id']}", {"media": [url]}).status == 422


def test_the_metadata_address_message_is_clear(api: ApiClient, networks: Any) -> None:
    reply = api.post("/v1/posts", {"text": "x", "platforms": ["x"], "draft": True,
                                   "media": ["http://169.254.169.254/latest/meta-data/"]})
    assert reply.status == 422
    messages = " ".join(d["message"] for d in reply.body["error"]["details"])
    assert "169.254.169.254" in messages and "link-local" in messages.lower()


def test_a_mastodon_instance_with_a_higher_limit_takes_longer_posts(api: ApiClient, workspace: dict[str, Any],
                                                                      clock: Any) -> None:
    from herald import wiring

    roomy = add_account(workspace, clock, platform="mastodon")
    wiring.account_store().save(roomy.model_copy(update={"limits": {"max_characters": 1000}, "version": 2}),
                                expected_version=1)
    default = add_account(workspace, clock, platform="mastodon")
    text = "word " * 160  # 800 characters
    fits = api.post("/v1/posts/validate", {"text": text, "account_ids": [roomy.id]}).body
    assert fits["valid"], fits
    too_long = api.post("/v1/posts/validate", {"text": text, "account_ids": [default.id]}).body
    assert [(e["network"], e["limit"]) for e in too_long["errors"]] == [("mastodon", 500)]
