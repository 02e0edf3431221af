"""Per-network and per-account overrides, Ayrshare's {default, <network>} form, platform options."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from herald.platforms import simulators
from support.apigw import ApiClient


def published_text(account: dict[str, Any]) -> str:
    sent = simulators.published(account["id"])[0]
    return sent["record"]["text"] if "record" in sent else sent["text"]


def test_each_network_gets_its_own_text(api: ApiClient, accounts: dict[str, Any], trigger: Any, publisher: Any,
                                        clock: Any) -> None:
    clock.set(datetime.now(UTC))
    post = api.post("/v1/posts", {"text": {"default": "Hello everyone", "bluesky": "Hello Bluesky"},
                                  "platforms": ["x", "bluesky"]})
    assert post.status == 201, post.body
    assert post.body["text"] == "Hello everyone" and post.body["overrides"]["bluesky"]["text"] == "Hello Bluesky"
    publisher.run(trigger.for_post(post.body["id"])[0])
    assert published_text(accounts["x"]) == "Hello everyone"
    assert published_text(accounts["bluesky"]) == "Hello Bluesky"


def test_an_account_override_wins_over_its_network(api: ApiClient, accounts: dict[str, Any], trigger: Any,
                                                   publisher: Any, clock: Any) -> None:
    clock.set(datetime.now(UTC))
    x_id = accounts["x"]["id"]
    post = api.post("/v1/posts", {"text": "base", "platforms": ["x", "bluesky"],
                                  "overrides": {"x": {"text": "for x"}, x_id: {"text": "for this account"}}}).body
    publisher.run(trigger.for_post(post["id"])[0])
    assert published_text(accounts["x"]) == "for this account"
    assert published_text(accounts["bluesky"]) == "base"


def test_overrides_are_validated_per_network(api: ApiClient, accounts: dict[str, Any]) -> None:
    too_long = api.post("/v1/posts", {"text": {"default": "short", "x": "z" * 281}, "platforms": ["x", "bluesky"]})
    assert too_long.status == 422
    assert [d["network"] for d in too_long.body["error"]["details"]] == ["x"]
    fixed_by_override = api.post("/v1/posts/validate", {"text": {"default": "z" * 281, "x": "short"},
                                                        "platforms": ["x"]}).body
    assert fixed_by_override["valid"]
    unknown = api.post("/v1/posts", {"text": "t", "platforms": ["x"], "overrides": {"bluesky": {"text": "b"}}})
    assert unknown.status == 422 and unknown.body["error"]["details"][0]["value"] == "bluesky"
    bad_media = api.post("/v1/posts", {"text": "t", "platforms": ["x"], "draft": True,
                                       "media": {"default": [], "x": ["https://10.0.0.1/a.png"]}})
    assert bad_media.status == 422 and bad_media.body["error"]["code"] == "media_url_forbidden"


def test_platform_options_reach_the_adapter_content(api: ApiClient, accounts: dict[str, Any]) -> None:
    post = api.post("/v1/posts", {"text": "t", "platforms": ["x"], "draft": True,
                                  "platform_options": {"x": {"reply_settings": "following"}}}).body
    assert post["overrides"]["x"]["options"] == {"reply_settings": "following"}
    edited = api.put(f"/v1/posts/{post['id']}", {"text": {"default": "t2", "x": "x only"}}).body
    assert edited["text"] == "t2" and edited["overrides"]["x"]["text"] == "x only"


def test_unknown_or_wrong_options_are_refused_before_scheduling(api: ApiClient, accounts: dict[str, Any]) -> None:
    typo = api.post("/v1/posts", {"text": "t", "platforms": ["x"], "platform_options": {"x": {"reply_setings": "x"}}})
    assert typo.status == 422 and typo.body["error"]["details"][0]["field"] == "options.reply_setings"
    wrong = api.post("/v1/posts/validate", {"text": "t", "platforms": ["bluesky"],
                                            "platform_options": {"bluesky": {"langs": ["english please"]}}}).body
    assert not wrong["valid"] and wrong["errors"][0]["field"] == "options.langs"
    fine = api.post("/v1/posts/validate", {"text": "t", "platforms": ["x", "bluesky"], "platform_options": {
        "x": {"reply_settings": "mentionedUsers"}, "bluesky": {"langs": ["en"]}}}).body
    assert fine["valid"], fine


def test_hashtags_and_a_link_are_rendered_per_network(api: ApiClient, accounts: dict[str, Any], trigger: Any,
                                                      publisher: Any, clock: Any) -> None:
    clock.set(datetime.now(UTC))
    post = api.post("/v1/posts", {"text": "Launch day", "platforms": ["x", "bluesky"],
                                  "hashtags": ["launch", "#news"], "link": {"url": "https://example.com/l",
                                                                            "title": "The launch"}})
    assert post.status == 201, post.body
    assert post.body["hashtags"] == ["launch", "#news"] and post.body["link"]["title"] == "The launch"
    publisher.run(trigger.for_post(post.body["id"])[0])
    # X has no cards: the URL goes in the text. Bluesky shows the link as an external embed card.
    assert published_text(accounts["x"]) == "Launch day\n\nhttps://example.com/l\n\n#launch #news"
    assert published_text(accounts["bluesky"]) == "Launch day\n\n#launch #news"
    card = simulators.published(accounts["bluesky"]["id"])[0]["record"]["embed"]
    assert card == {"$type": "app.bsky.embed.external",
                    "external": {"uri": "https://example.com/l", "title": "The launch", "description": ""}}
    bad = api.post("/v1/posts", {"text": "t", "platforms": ["x"], "link": {"url": "ftp://e.com"}})
    assert bad.status == 422


def test_an_edit_that_drops_a_network_drops_its_override(api: ApiClient, accounts: dict[str, Any]) -> None:
    post = api.post("/v1/posts", {"text": "t", "platforms": ["x", "bluesky"], "draft": True,
                                  "overrides": {"x": {"text": "for x"}, "bluesky": {"text": "for bluesky"}}}).body
    edited = api.put(f"/v1/posts/{post['id']}", {"platforms": ["bluesky"]})
    assert edited.status == 200, edited.body
    assert set(edited.body["overrides"]) == {"bluesky"}
    typo = api.put(f"/v1/posts/{post['id']}", {"platforms": ["bluesky"], "overrides": {"x": {"text": "again"}}})
    assert typo.status == 422 and typo.body["error"]["details"][0]["value"] == "x"
    assert api.get(f"/v1/posts/{post['id']}").body["overrides"]["bluesky"]["text"] == "for bluesky"
