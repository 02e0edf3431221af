"""Ayrshare's option objects for YouTube, TikTok, Pinterest and Google Business Profile become
Herald's per-network overrides (checked by the same option rules), and a compatible post reaches
all four through their simulators."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from test_compat_support import ayr_post, is_ayrshare_error, native

from support.apigw import ApiClient

pytest_plugins = ["test_compat_support"]  # its fixtures: settle, no_wait, real_time_publisher


def later() -> str:
    return (datetime.now(UTC) + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture
def wave2(api: ApiClient) -> dict[str, Any]:
    return {n: api.post("/v1/accounts", {"platform": n, "name": "Acme"}).body
            for n in ("youtube", "tiktok", "pinterest", "google_business")}


def test_option_objects_become_native_options(api: ApiClient, wave2: Any, no_wait: Any) -> None:
    board = api.get(f"/v1/accounts/{wave2['pinterest']['id']}/boards").body["boards"][0]["id"]
    reply = ayr_post(
        api, post="Autumn menu", platforms=["youtube", "tiktok", "pinterest", "gmb"], scheduleDate=later(),
        mediaUrls={"default": ["https://cdn.example.com/pie.jpg"], "youtube": ["https://cdn.example.com/menu.mp4"],
                   "tiktok": ["https://cdn.example.com/menu.mp4"]},
        youTubeOptions={"title": "Autumn menu", "visibility": "Unlisted", "tags": ["menu", "autumn"],
                        "madeForKids": False, "categoryId": 26, "thumbNail": "https://cdn.example.com/t.jpg"},
        tikTokOptions={"visibility": "followers", "disableDuet": True, "isAIGenerated": False},
        pinterestOptions={"title": "Pie", "boardId": board, "altText": "An apple pie",
                          "link": "https://example.com/menu"},
        gmbOptions={"callToAction": {"actionType": "order", "url": "https://example.com/order"},
                    "offer": {"title": "Pie day", "startDate": "2030-01-10", "endDate": "2030-01-12",
                              "couponCode": "PIE"}},
    )
    assert reply.status == 200, reply.body
    overrides = native(api, reply.body["id"])["overrides"]
    assert overrides["youtube"]["title"] == "Autumn menu"
    assert overrides["youtube"]["options"] == {"privacy": "unlisted", "tags": ["menu", "autumn"],
                                               "made_for_kids": False, "category_id": "26",
                                               "thumbnail_url": "https://cdn.example.com/t.jpg"}
    assert overrides["tiktok"]["options"] == {"privacy_level": "FOLLOWER_OF_CREATOR", "disable_duet": True,
                                              "is_aigc": False}
    assert overrides["pinterest"]["title"] == "Pie"
    assert overrides["pinterest"]["options"] == {"board_id": board, "alt_text": "An apple pie",
                                                 "link": "https://example.com/menu"}
    assert overrides["google_business"]["options"] == {
        "call_to_action": "ORDER", "call_to_action_url": "https://example.com/order", "topic_type": "OFFER",
        "event_title": "Pie day", "event_start": "2030-01-10", "event_end": "2030-01-12", "offer_coupon_code": "PIE"}


@pytest.mark.parametrize(("fields", "named"), [
    ({"pinterestOptions": {"title": "Pie"}}, "board_id"),  # a pin needs a board
    ({"tikTokOptions": {"visibility": "everyone"}}, "privacy_level"),
    ({"youTubeOptions": {"title": "T", "playlistId": "PL1"}}, "youTubeOptions.playlistId"),
    ({"gmbOptions": {"event": {"title": "Day", "startDate": "2030-01-10", "couponCode": "X"}}}, "couponCode"),
])
def test_what_the_options_cannot_say_is_refused_in_ayrshares_shape(api: ApiClient, wave2: Any, fields: Any,
                                                                   named: str) -> None:
    platform = {"pinterestOptions": "pinterest", "tikTokOptions": "tiktok", "youTubeOptions": "youtube",
                "gmbOptions": "gmb"}[next(iter(fields))]
    reply = ayr_post(api, post="Hello", platforms=[platform], mediaUrls=["https://cdn.example.com/menu.mp4"],
                     scheduleDate=later(), **fields)
    assert is_ayrshare_error(reply), reply.body
    assert named in str(reply.body)


def test_a_compatible_post_to_pinterest_and_gbp_publishes(api: ApiClient, wave2: Any, settle: Any) -> None:
    board = api.get(f"/v1/accounts/{wave2['pinterest']['id']}/boards").body["boards"][0]["id"]
    reply = ayr_post(api, post="Fresh bread today", platforms=["pinterest", "gmb"],
                     mediaUrls=["https://cdn.example.com/bread.jpg"],
                     pinterestOptions={"title": "Bread", "boardId": board},
                     gmbOptions={"callToAction": {"actionType": "LEARN_MORE", "url": "https://example.com"}})
    assert reply.status == 200, reply.body
    ids = {p["platform"]: p for p in reply.body["postIds"]}
    assert ids["pinterest"]["status"] == "success" and ids["pinterest"]["postUrl"].startswith(
        "https://www.pinterest.com/pin/")
    assert ids["gmb"]["status"] == "success" and "/localPosts/" in ids["gmb"]["id"]
