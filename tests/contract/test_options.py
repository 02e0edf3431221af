"""Network options reach the request each network documents for them."""

from __future__ import annotations

import json
from typing import Any

import httpx

from herald.platforms.base import Credentials, PostContent
from herald.platforms.bluesky import BlueskyPlatform
from herald.platforms.x import XPlatform


def capture(answer: dict[str, Any], status: int = 200) -> tuple[httpx.Client, list[dict[str, Any]]]:
    seen: list[dict[str, Any]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(json.loads(request.content))
        return httpx.Response(status, json=answer)

    return httpx.Client(transport=httpx.MockTransport(handler)), seen


def test_x_sends_reply_settings_and_disclosures() -> None:
    client, seen = capture({"data": {"id": "1890000000000000001", "text": "hi"}}, 201)
    x = XPlatform(client, Credentials("acc_1", "acme", {"access_token": "t"}))
    options = {"reply_settings": "following", "made_with_ai": True, "paid_partnership": False}
    x.publish(PostContent(text="hi", target_key="p:a", options=options))
    assert seen == [{"text": "hi", "reply_settings": "following", "made_with_ai": True, "paid_partnership": False}]


def test_x_without_options_sends_only_the_text() -> None:
    client, seen = capture({"data": {"id": "1890000000000000002", "text": "hi"}}, 201)
    XPlatform(client, Credentials("acc_1", "acme", {"access_token": "t"})).publish(PostContent(text="hi"))
    assert seen == [{"text": "hi"}]


def test_bluesky_sends_langs_in_the_record() -> None:
    answer = {"uri": "at://did:plc:abc/app.bsky.feed.post/3kabc", "cid": "bafyreib"}
    client, seen = capture(answer)
    tokens = {"access_jwt": "a", "refresh_jwt": "r", "did": "did:plc:abc"}
    bsky = BlueskyPlatform(client, Credentials("acc_2", "acme.bsky.social", tokens))
    bsky.publish(PostContent(text="olá", target_key="p:b", options={"langs": ["pt-BR", "en"]}))
    assert seen[0]["record"]["langs"] == ["pt-BR", "en"]
