"""Mentions, link cards, auto hashtags and uploaded media referenced by posts, through the API,
the table and a publish run."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from herald.platforms import simulators
from support import media
from support.apigw import ApiClient, Context
from support.cloud import MotoCloud
from support.fake_platform import FakeNetwork
from support.uploads import inspect_handler, s3_event, start_upload, upload


def record(account: dict[str, Any]) -> dict[str, Any]:
    sent = simulators.published(account["id"])[0]
    return sent["record"] if "record" in sent else sent  # type: ignore[no-any-return]


def test_mentions_are_rendered_per_network_and_bluesky_gets_a_mention_facet(
    api: ApiClient, accounts: dict[str, Any], trigger: Any, publisher: Any, clock: Any
) -> None:
    clock.set(datetime.now(UTC))
    post = api.post("/v1/posts", {
        "text": "Thanks @herald for the launch",
        "platforms": ["x", "bluesky"],
        "mentions": [{"default": "herald", "x": "herald_hq", "bluesky": "herald.bsky.social"}, "@alice"],
    })
    assert post.status == 201, post.body
    assert post.body["mentions"] == [{"default": "herald", "x": "herald_hq", "bluesky": "herald.bsky.social"},
                                     {"default": "alice"}]
    # "alice" is no Bluesky handle (a domain name): not mentioned there, and the answer says so.
    skipped = [w for w in post.body["warnings"] if w["code"] == "mention_skipped"]
    assert [(w["network"], w["field"]) for w in skipped] == [("bluesky", "mentions[1]")]
    publisher.run(trigger.for_post(post.body["id"])[0])
    assert record(accounts["x"])["text"] == "Thanks @herald_hq for the launch\n\n@alice"
    sky = record(accounts["bluesky"])
    assert sky["text"] == "Thanks @herald.bsky.social for the launch"
    (facet,) = sky["facets"]
    assert facet["index"] == {"byteStart": 7, "byteEnd": 26}
    assert facet["features"][0]["$type"] == "app.bsky.richtext.facet#mention"
    assert facet["features"][0]["did"].startswith("did:plc:")


def test_wrong_handles_are_refused_with_the_field(api: ApiClient, accounts: dict[str, Any]) -> None:
    bad = api.post("/v1/posts", {"text": "hi", "platforms": ["x"], "mentions": [{"x": "not a handle"}]})
    assert bad.status == 422 and bad.body["error"]["code"] == "invalid_content", bad.body
    assert bad.body["error"]["details"][0]["field"] == "mentions[0].x"
    unknown = api.post("/v1/posts", {"text": "hi", "platforms": ["x"], "mentions": [{"twitter": "jack"}]})
    assert unknown.status == 422
    no_name = api.post("/v1/posts/validate", {"text": "hi", "platforms": ["x"],
                                              "mentions": [{"linkedin": "urn:li:organization:1"}]}).body
    assert [e["field"] for e in no_name["errors"]] == ["mentions[0].name"]


def test_auto_hashtags_are_picked_from_the_text_and_placed_per_network(
    api: ApiClient, accounts: dict[str, Any], trigger: Any, publisher: Any, clock: Any
) -> None:
    clock.set(datetime.now(UTC))
    text = "Our new espresso machine brews the perfect espresso in thirty seconds. Espresso lovers rejoice!"
    post = api.post("/v1/posts", {"text": text, "platforms": ["x"], "hashtags": ["coffee"],
                                  "auto_hashtags": {"max": 2, "position": "end"}})
    assert post.status == 201, post.body
    picked = post.body["auto_hashtags"]["picked"]
    assert 1 <= len(picked) <= 2 and all(t.startswith("#") for t in picked)
    assert "#coffee" not in [t.lower() for t in picked]
    publisher.run(trigger.for_post(post.body["id"])[0])
    assert record(accounts["x"])["text"] == f"{text}\n\n#coffee " + " ".join(picked)
    # Editing the text picks again; turning the option off clears it.
    edited = api.put(f"/v1/posts/{api.post('/v1/posts', {'text': text, 'platforms': ['x'], 'draft': True,
                                                          'auto_hashtags': True}).body['id']}",
                     {"text": "Kubernetes operators for Kubernetes clusters"}).body
    assert edited["auto_hashtags"]["position"] == "auto" and edited["auto_hashtags"]["picked"]
    assert all("espresso" not in t.lower() for t in edited["auto_hashtags"]["picked"])
    cleared = api.put(f"/v1/posts/{edited['id']}", {"auto_hashtags": None}).body
    assert cleared["auto_hashtags"] is None


def uploaded_png(api: ApiClient, bucket: str, size: tuple[int, int]) -> str:
    png = media.image("PNG", size)
    created = start_upload(api, "photo.png", "image/png", len(png))
    upload(created, png, "photo.png")
    key = created["upload"]["fields"]["key"]
    assert inspect_handler()(s3_event(bucket, key, len(png)), Context())["processed"][0]["result"] == "ready"
    return created["media_id"]  # type: ignore[no-any-return]


@pytest.fixture
def bucket(cloud: MotoCloud) -> str:
    return cloud.stack.physical_name("MediaBucket")


def test_a_post_uses_an_uploaded_item_by_id_judged_by_what_the_inspection_found(
    api: ApiClient, accounts: dict[str, Any], bucket: str, trigger: Any, publisher: Any, clock: Any
) -> None:
    portrait = uploaded_png(api, bucket, (1080, 1920))  # 9:16: X takes it, Instagram does not
    ok = api.post("/v1/posts/validate", {"text": "pic", "platforms": ["x"], "media": [portrait]}).body
    assert ok["valid"], ok
    wide = api.post("/v1/posts/validate", {"text": "pic", "platforms": ["x"], "media": [portrait],
                                           "overrides": {"bluesky": {"text": "sky"}}})
    assert wide.status == 422  # an override for a network the post does not go to

    missing = api.post("/v1/posts", {"text": "pic", "platforms": ["x"], "media": ["med_" + "0" * 26]})
    assert missing.status == 422 and missing.body["error"]["code"] == "media_not_found", missing.body

    network = FakeNetwork()
    publisher.open_platform = network.open
    clock.set(datetime.now(UTC))
    post = api.post("/v1/posts", {"text": "pic", "platforms": ["x"], "media": [portrait]})
    assert post.status == 201, post.body
    assert post.body["media"] == [portrait]
    assert publisher.run(trigger.for_post(post.body["id"])[0]).result == "published"
    (sent,) = network.contents
    (item,) = sent.media
    assert (item.kind, item.mime, item.width, item.height) == ("image", "image/png", 1080, 1920)
    link = item.url
    assert link.startswith("http") and "X-Amz-Signature" in link  # a presigned GET of the upload
    assert httpx.get(link, timeout=10).content == media.image("PNG", (1080, 1920))


def test_an_uploaded_item_a_network_refuses_is_an_error_naming_why(
    api: ApiClient, accounts: dict[str, Any], bucket: str
) -> None:
    tiny = uploaded_png(api, bucket, (200, 150))  # Google Business wants at least 400 x 300
    reply = api.post("/v1/posts/validate", {"text": "pic", "platforms": ["x"], "media": [tiny]}).body
    assert reply["valid"], reply
    from herald.media.model import MediaFacts
    from herald.posts import content
    from herald.posts.model import Post, PostTarget, UploadedMedia

    facts = MediaFacts(kind="image", mime="image/png", format="PNG", bytes=100, width=200, height=150, frames=1)
    now = datetime.now(UTC)
    post = Post(id="p", workspace_id="w", profile_id="p", status="draft", text="pic", media=[tiny],
                uploads={tiny: UploadedMedia(status="ready", facts=facts)},
                targets=[PostTarget(platform="google_business", account_id="a")], created_at=now, updated_at=now)
    errors = content.check(post, now).errors
    assert [(e.network, e.field, e.code) for e in errors] == [("google_business", "media[0]", "media_unsupported")]
    assert "400" in errors[0].message


def test_a_deleted_upload_fails_the_target_at_publish_time_without_calling_the_network(
    api: ApiClient, accounts: dict[str, Any], bucket: str, trigger: Any, publisher: Any, clock: Any
) -> None:
    photo = uploaded_png(api, bucket, (1200, 1200))
    network = FakeNetwork()
    publisher.open_platform = network.open
    clock.set(datetime.now(UTC))
    post = api.post("/v1/posts", {"text": "pic", "platforms": ["x"], "media": [photo]}).body
    assert api.delete(f"/v1/media/{photo}").status == 200
    assert publisher.run(trigger.for_post(post["id"])[0]).result == "failed"
    target = api.get(f"/v1/posts/{post['id']}").body["targets"][0]
    assert target["error"]["code"] == "media_not_found"
    assert network.publish_calls == []


def test_external_media_urls_are_probed_at_publish_time(
    api: ApiClient, accounts: dict[str, Any], trigger: Any, publisher: Any, clock: Any
) -> None:
    from herald.media.urls import MediaUrlError, UrlProblem

    probed: list[tuple[str, bool | None]] = []

    def refuse(url: str, is_video: bool | None) -> Any:
        probed.append((url, is_video))
        raise MediaUrlError(UrlProblem("media_url_forbidden", f"{url} resolves to a private address (10.0.0.5)"))

    network = FakeNetwork()
    publisher.open_platform = network.open
    publisher.check_media_url = refuse
    clock.set(datetime.now(UTC))
    post = api.post("/v1/posts", {"text": "clip", "platforms": ["x"], "media": ["https://cdn.example.com/v/123"],
                                  "is_video": True}).body
    assert publisher.run(trigger.for_post(post["id"])[0]).result == "failed"
    assert probed == [("https://cdn.example.com/v/123", True)]
    target = api.get(f"/v1/posts/{post['id']}").body["targets"][0]
    assert target["error"]["code"] == "media_url_forbidden" and "10.0.0.5" in target["error"]["message"]
    assert network.publish_calls == []


def test_validate_previews_what_each_target_would_send(api: ApiClient, accounts: dict[str, Any]) -> None:
    reply = api.post("/v1/posts/validate", {
        "text": "Thanks @herald for a <b>great</b> day", "platforms": ["x", "bluesky"], "hashtags": ["launch"],
        "mentions": [{"default": "herald", "x": "herald_hq", "bluesky": "herald.bsky.social"}],
        "link": {"url": "https://example.com/launch", "title": "Launch notes"},
        "first_comment": {"text": "More soon"},
    })
    assert reply.status == 200, reply.body
    previews = {p["network"]: p for p in reply.body["previews"]}
    assert previews["x"]["account_id"] == accounts["x"]["id"]
    post, comment = previews["x"]["steps"]
    assert post == {"kind": "post", "text": "Thanks @herald_hq for a 𝐠𝐫𝐞𝐚𝐭 day\n\nhttps://example.com/launch\n\n#launch",
                    "media": [], "link": None}
    assert comment["kind"] == "comment" and comment["text"] == "More soon"
    sky = previews["bluesky"]["steps"][0]
    assert sky["text"] == "Thanks @herald.bsky.social for a 𝐠𝐫𝐞𝐚𝐭 day\n\n#launch"
    assert sky["link"] == {"url": "https://example.com/launch", "title": "Launch notes", "description": None,
                           "thumbnail": None}


def test_a_media_reference_that_is_no_upload_is_named(api: ApiClient, accounts: dict[str, Any]) -> None:
    reply = api.post("/v1/posts/validate", {"text": "x", "platforms": ["x"], "media": ["med_nope"]})
    assert reply.status == 422 and reply.body["error"]["code"] == "media_not_found", reply.body
    assert reply.body["error"]["details"] == [{"field": "media", "value": "med_nope", "issue": "not_found"}]
