"""POST /api/post, GET /api/post/{id} and GET /api/history/{id} through the API handler, in
Ayrshare's shapes: publish now (answered after publishing), schedule, per-network content and
options, Profile-Key, idempotency, and errors (never a 500, never the native envelope)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from test_compat_support import ayr_post, is_ayrshare_error, native

from support.apigw import ApiClient

pytest_plugins = ["test_compat_support"]  # its fixtures: settle, no_wait, real_time_publisher


def later(**delta: float) -> str:
    return (datetime.now(UTC) + timedelta(**delta or {"hours": 2})).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_posting_now_answers_after_publishing_with_ayrshare_post_ids(api: ApiClient, accounts: Any, settle: Any) -> None:
    reply = ayr_post(api, post="Launch day! https://example.com/launch", platforms=["twitter", "bluesky"])
    assert reply.status == 200, reply.body
    body = reply.body
    assert body["status"] == "success" and body["errors"] == []
    assert body["post"] == "Launch day! https://example.com/launch"
    assert body["id"].startswith("post_") and body["refId"]
    by_platform = {p["platform"]: p for p in body["postIds"]}
    assert set(by_platform) == {"twitter", "bluesky"}
    assert by_platform["twitter"]["status"] == "success" and by_platform["twitter"]["id"].isdigit()
    assert by_platform["twitter"]["postUrl"].startswith("https://x.com/")
    assert by_platform["bluesky"]["id"].startswith("at://")
    assert "posts" not in body  # no Profile-Key header: the object itself


def test_a_network_not_linked_is_a_156_error_while_the_others_are_posted(api: ApiClient, accounts: Any,
                                                                        settle: Any) -> None:
    reply = ayr_post(api, post="Webinar", platforms=["twitter", "facebook"])
    assert is_ayrshare_error(reply, 400)
    body = reply.body
    assert [(e["platform"], e["code"], e["action"]) for e in body["errors"]] == [("facebook", 156, "post")]
    assert [p["platform"] for p in body["postIds"]] == ["twitter"]
    assert native(api, body["id"])["platforms"] == ["x"]


def test_nothing_linked_creates_nothing(api: ApiClient, workspace: Any, no_wait: Any) -> None:
    reply = ayr_post(api, post="Hello", platforms=["linkedin", "all"])
    assert is_ayrshare_error(reply, 400, 156)
    assert api.get("/api/history").body["history"] == []


@pytest.mark.parametrize("name", ["x", "google_business", "snapchat", "myspace"])
def test_platform_names_outside_ayrshares_list_are_refused(api: ApiClient, accounts: Any, name: str) -> None:
    reply = ayr_post(api, post="Hello", platforms=[name])
    assert is_ayrshare_error(reply, 400, 918)
    assert name in reply.body["message"]


def test_all_means_every_linked_network(api: ApiClient, accounts: Any, settle: Any) -> None:
    reply = ayr_post(api, post="Everyone", platforms=["all"])
    assert reply.status == 200 and {p["platform"] for p in reply.body["postIds"]} == {"twitter", "bluesky"}


def test_a_scheduled_post_answers_scheduled_and_reads_back_as_a_record(api: ApiClient, accounts: Any,
                                                                       no_wait: Any) -> None:
    when = later(hours=3)
    reply = ayr_post(api, post="Webinar Friday", platforms=["twitter"], scheduleDate=when, notes="sign-off",
                     shortenLinks=False)
    assert reply.status == 200, reply.body
    assert reply.body == {"status": "scheduled", "scheduleDate": when, "id": reply.body["id"],
                          "refId": reply.body["refId"], "post": "Webinar Friday"}
    for path in (f"/api/post/{reply.body['id']}", f"/api/history/{reply.body['id']}"):
        record = api.get(path, query={"id": reply.body["id"], "source": "pypi"}).body
        assert record["id"] == reply.body["id"] and record["status"] == "pending" and record["type"] == "scheduled"
        assert record["platforms"] == ["twitter"] and record["scheduleDate"] == when
        assert record["notes"] == "sign-off" and record["profileTitle"] == "Default"
        assert record["postIds"] == [] and record["errors"] == [] and record["created"].endswith("Z")
        assert record["refId"] == reply.body["refId"] and record["shortenLinks"] is False


def test_schedule_date_may_be_the_older_seconds_object(api: ApiClient, accounts: Any, no_wait: Any) -> None:
    moment = (datetime.now(UTC) + timedelta(days=1)).replace(microsecond=0)
    reply = ayr_post(api, post="Old client", platforms=["twitter"],
                     scheduleDate={"_seconds": int(moment.timestamp()), "_nanoseconds": 0})
    assert reply.body["status"] == "scheduled"
    assert reply.body["scheduleDate"] == moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_with_a_profile_key_the_answer_is_also_wrapped_in_posts(api: ApiClient, workspace: Any, accounts: Any,
                                                               no_wait: Any) -> None:
    keyed = ApiClient(workspace["key"], profile_key=workspace["profile_key"])
    reply = ayr_post(keyed, post="Keyed", platforms=["twitter"], scheduleDate=later())
    body = reply.body
    assert body["status"] == "scheduled" and body["id"]
    assert body["posts"] == [{**{k: v for k, v in body.items() if k != "posts"}, "profileTitle": "Default"}]


def test_an_immediate_post_still_on_its_way_answers_pending(api: ApiClient, accounts: Any, no_wait: Any) -> None:
    reply = ayr_post(api, post="Quick", platforms=["twitter"])
    assert reply.status == 200 and reply.body["status"] == "pending" and reply.body["postIds"] == []
    assert api.get(f"/api/post/{reply.body['id']}").body["status"] == "pending"


@pytest.mark.parametrize(("network", "code"), [("x", 110), ("linkedin", 137)])
def test_a_network_refusing_a_duplicate_answers_its_ayrshare_code(api: ApiClient, settle: Any, network: str,
                                                                  code: int) -> None:
    api.post("/v1/accounts", {"platform": network, "name": "Acme", "simulate": ["duplicate"]})
    reply = ayr_post(api, post="Same again", platforms=["twitter" if network == "x" else network])
    assert is_ayrshare_error(reply, 400, code)
    [error] = reply.body["errors"]
    assert (error["code"], error["action"], error["heraldCode"]) == (code, "post", "duplicate_content")
    assert reply.body["postIds"] == []
    assert api.get(f"/api/post/{reply.body['id']}").body["status"] == "error"


def test_text_and_media_per_network_and_options_become_native_overrides(api: ApiClient, accounts: Any,
                                                                        no_wait: Any) -> None:
    reply = ayr_post(
        api, post={"default": "Hello all", "twitter": "Hello X"}, platforms=["twitter", "bluesky"],
        mediaUrls={"default": ["https://cdn.example.com/a.jpg"], "bluesky": ["https://cdn.example.com/b.jpg"]},
        twitterOptions={"replySettings": "mentioned"}, blueSkyOptions={"langs": ["en"]},
        youTubeOptions={"title": "ignored: not targeted", "visibility": "private"},
        firstComment={"comment": "More in the thread"}, autoHashtag={"max": 2, "position": "end"},
        title="Launch", notes="n", requiresApproval=False, isVideo=False, scheduleDate=later(),
    )
    assert reply.status == 200, reply.body
    post = native(api, reply.body["id"])
    assert post["text"] == "Hello all" and post["media"] == ["https://cdn.example.com/a.jpg"]
    assert post["overrides"]["x"]["text"] == "Hello X"
    assert post["overrides"]["x"]["options"] == {"reply_settings": "mentionedUsers"}
    assert post["overrides"]["bluesky"]["media"] == ["https://cdn.example.com/b.jpg"]
    assert post["overrides"]["bluesky"]["options"] == {"langs": ["en"]}
    assert post["first_comment"]["text"] == "More in the thread"
    assert post["auto_hashtags"]["max"] == 2 and post["auto_hashtags"]["position"] == "end"
    assert post["title"] == "Launch" and post["notes"] == "n"


def test_an_x_thread_from_twitter_options(api: ApiClient, accounts: Any, no_wait: Any) -> None:
    reply = ayr_post(api, post="First part\n\nSecond part\n\nThird part", platforms=["twitter"],
                     twitterOptions={"thread": True, "threadNumber": True,
                                     "mediaUrls": ["https://cdn.example.com/1.jpg", None, "https://cdn.example.com/3.jpg"]},
                     scheduleDate=later())
    assert reply.status == 200, reply.body
    post = native(api, reply.body["id"])
    assert post["text"] == "First part 1/3" and post["media"] == ["https://cdn.example.com/1.jpg"]
    assert [(p["text"], p["media"]) for p in post["thread"]] == [
        ("Second part 2/3", []), ("Third part 3/3", ["https://cdn.example.com/3.jpg"])]
    both = ayr_post(api, post="a\n\nb", platforms=["twitter", "bluesky"], twitterOptions={"thread": True})
    assert is_ayrshare_error(both, 400, 917)


def test_approval_and_an_idempotency_key(api: ApiClient, accounts: Any, no_wait: Any) -> None:
    first = ayr_post(api, post="Needs sign-off", platforms=["twitter"], requiresApproval=True,
                     idempotencyKey="launch-1")
    assert first.body["status"] == "awaiting approval" and first.body["requiresApproval"] is True
    again = ayr_post(api, post="Needs sign-off", platforms=["twitter"], requiresApproval=True,
                     idempotencyKey="launch-1")
    assert again.body["id"] == first.body["id"]
    other = ayr_post(api, post="Something else", platforms=["twitter"], idempotencyKey="launch-1")
    assert is_ayrshare_error(other, 400, 912)
    assert api.get(f"/api/post/{first.body['id']}").body["status"] == "awaiting approval"


@pytest.mark.parametrize("fields", [
    {"autoSchedule": {"schedule": True}},
    {"autoRepost": {"repeat": 2, "days": 3}},
    {"disableComments": True},
    {"profileKeys": ["pk_1", "pk_2"]},
    {"twitterOptions": {"poll": {"duration": 5, "options": ["a", "b"]}}},
])
def test_what_herald_cannot_do_is_refused_not_dropped(api: ApiClient, accounts: Any, fields: dict[str, Any]) -> None:
    reply = ayr_post(api, post="Hello", platforms=["twitter"], **fields)
    assert is_ayrshare_error(reply, 400, 917), reply.body
    assert api.get("/api/history").body["history"] == []


def test_harmless_fields_are_ignored(api: ApiClient, accounts: Any, no_wait: Any) -> None:
    reply = ayr_post(api, post="Hello", platforms=["twitter"], validateScheduled=True, disableComments=False,
                     isLandscapeVideo=False, scheduleDate=later(), somethingNew="x")
    assert reply.status == 200 and reply.body["status"] == "scheduled"


@pytest.mark.parametrize(("raw", "why"), [
    ("{not json", "invalid json"),
    ("[1, 2]", "not an object"),
    ("", "empty"),
    ('{"post": 5, "platforms": ["twitter"]}', "post is a number"),
    ('{"post": "hi"}', "no platforms"),
    ('{"post": "hi", "platforms": []}', "empty platforms"),
    ('{"post": "hi", "platforms": [1]}', "platform not a string"),
    ('{"post": "hi", "platforms": ["twitter"], "mediaUrls": "https://a/b.jpg"}', "mediaUrls a string"),
    ('{"post": "hi", "platforms": ["twitter"], "scheduleDate": "next friday"}', "bad date"),
    ('{"post": "hi", "platforms": ["twitter"], "scheduleDate": {"x": 1}}', "bad date object"),
    ('{"post": "hi", "platforms": ["twitter"], "firstComment": "text"}', "firstComment not an object"),
    ('{"post": "hi", "platforms": ["twitter"], "autoHashtag": {"max": 99}}', "autoHashtag max"),
    ('{"post": {"default": "hi", "tumblr": "x"}, "platforms": ["twitter"]}', "unknown network key"),
    ('{"post": "hi", "platforms": ["twitter"], "twitterOptions": "yes"}', "options not an object"),
    ('{"post": "hi", "platforms": ["twitter"], "mediaUrls": ["http://169.254.169.254/x.jpg"]}', "unsafe media"),
    ('{"platforms": ["twitter"]}', "no post"),
    ('{"post": "", "platforms": ["twitter"]}', "empty post"),
    ('{"post": "' + "x" * 400 + '", "platforms": ["twitter"]}', "too long for X"),
])
def test_malformed_bodies_answer_400_in_ayrshares_shape(api: ApiClient, accounts: Any, raw: str, why: str) -> None:
    reply = api.call("POST", "/api/post", raw_body=raw)
    assert is_ayrshare_error(reply, 400), (why, reply.status, reply.body)


def test_unknown_ids_and_routes_answer_404_in_ayrshares_shape(api: ApiClient, workspace: Any) -> None:
    assert is_ayrshare_error(api.get("/api/post/post_unknown"), 404, 910)
    assert is_ayrshare_error(api.get("/api/history/post_unknown"), 404, 910)
    assert is_ayrshare_error(api.get("/api/nothing/here"), 404, 925)
    assert is_ayrshare_error(api.call("PATCH", "/api/history"), 404)


def test_a_wrong_profile_key_is_an_ayrshare_error(workspace: Any) -> None:
    keyed = ApiClient(workspace["key"], profile_key="pk_not_a_key")
    reply = ayr_post(keyed, post="Hello", platforms=["twitter"])
    assert is_ayrshare_error(reply, 404, 915)


def test_a_viewer_key_cannot_post(api: ApiClient, workspace: Any) -> None:
    viewer = api.post("/v1/api-keys", {"name": "ro", "role": "viewer"}).body["key"]
    reply = ayr_post(ApiClient(viewer), post="Hello", platforms=["twitter"])
    assert is_ayrshare_error(reply, 403, 914)


def test_an_account_to_link_again_is_272_on_x_and_the_others_are_posted(api: ApiClient, workspace: Any,
                                                                        accounts: Any, settle: Any) -> None:
    from herald import wiring
    from herald.accounts.model import AccountStatus

    x = wiring.account_store().get(workspace["id"], accounts["x"]["id"])
    wiring.account_store().save(x.model_copy(update={"status": AccountStatus.RECONNECT_REQUIRED,
                                                     "version": x.version + 1}), expected_version=x.version)
    reply = ayr_post(api, post="Hello", platforms=["twitter", "bluesky"])
    assert is_ayrshare_error(reply, 400, 272)
    assert [(e["platform"], e["heraldCode"]) for e in reply.body["errors"]] == [("twitter", "account_disconnected")]
    assert [p["platform"] for p in reply.body["postIds"]] == ["bluesky"]
    assert api.get("/api/user").body["activeSocialAccounts"] == ["bluesky"]


def test_content_problems_are_one_error_per_network(api: ApiClient, accounts: Any) -> None:
    reply = ayr_post(api, post="x" * 400, platforms=["twitter", "bluesky"])
    assert is_ayrshare_error(reply, 400, 903)
    assert {(e["platform"], e["code"]) for e in reply.body["errors"]} == {("twitter", 903), ("bluesky", 903)}
    assert all("400" in e["message"] or "300" in e["message"] or "280" in e["message"] for e in reply.body["errors"])
