"""`unsplash` and `tracking_id` on native posts, through the real handler against the moto table:
Unsplash photos added to the media and credited (test-mode accounts get the simulator; a live
deployment is played by a MockTransport), Unsplash's failures answered without saving anything,
and the caller's tracking id stored, returned, edited and filtered on."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from herald.platforms.simulators import unsplash as simulator
from support.apigw import ApiClient

COFFEE = simulator.PHOTOS[0]  # the first match for "coffee", and the first "random"
LATTE = simulator.PHOTOS[1]
MOUNTAINS = simulator.PHOTOS[2]


@pytest.fixture(autouse=True)
def fresh_unsplash() -> Iterator[None]:
    simulator.reset()
    yield
    simulator.reset()


def regular(photo: simulator.SeedPhoto) -> str:
    return str(simulator.photo_json(photo)["urls"]["regular"])


def posts_of(api: ApiClient) -> list[dict[str, Any]]:
    reply = api.get("/v1/posts")
    assert reply.status == 200, reply.body
    return list(reply.body["posts"])


# --- Unsplash, test mode ------------------------------------------------------------------------


def test_a_search_term_adds_the_photo_after_the_media_with_its_credit(api: ApiClient, accounts: Any) -> None:
    reply = api.post("/v1/posts", {"text": "Monday fuel", "platforms": ["x", "bluesky"], "draft": True,
                                   "media": ["https://cdn.example.com/logo.png"], "unsplash": "coffee"})
    assert reply.status == 201, reply.body
    post = reply.body
    assert post["media"] == ["https://cdn.example.com/logo.png", regular(COFFEE)]
    [credit] = post["media_credits"]
    assert credit["source"] == "unsplash"
    assert credit["media_url"] == regular(COFFEE)
    assert credit["photo_id"] == COFFEE.id
    assert credit["photographer"] == "Mara Lindqvist"
    assert credit["text"] == "Photo by Mara Lindqvist on Unsplash"
    assert credit["photographer_url"] == "https://unsplash.com/@mara_lindqvist?utm_source=herald&utm_medium=referral"
    assert credit["source_url"] == "https://unsplash.com/?utm_source=herald&utm_medium=referral"
    assert credit["photo_url"].startswith(f"https://unsplash.com/photos/{COFFEE.id}?")
    assert 'on <a href="https://unsplash.com/?utm_source=herald&amp;utm_medium=referral">Unsplash</a>' in credit["html"]
    assert credit["description"] == COFFEE.description
    assert simulator.downloads() == {COFFEE.id: 1}  # the photo went into a post
    assert api.get(f"/v1/posts/{post['id']}").body["media_credits"] == post["media_credits"]


def test_random_an_id_and_a_list_of_ids(api: ApiClient, accounts: Any) -> None:
    random = api.post("/v1/posts", {"text": "a", "platforms": ["x"], "draft": True, "unsplash": "random"}).body
    assert [c["photo_id"] for c in random["media_credits"]] == [simulator.PHOTOS[0].id]
    narrowed = api.post("/v1/posts", {"text": "b", "platforms": ["x"], "draft": True,
                                      "unsplash": "random:coffee"}).body
    assert [c["photo_id"] for c in narrowed["media_credits"]] == [COFFEE.id]
    by_id = api.post("/v1/posts", {"text": "c", "platforms": ["x"], "draft": True, "unsplash": MOUNTAINS.id}).body
    assert by_id["media"] == [regular(MOUNTAINS)]
    listed = api.post("/v1/posts", {"text": "d", "platforms": ["x"], "draft": True,
                                    "unsplash": [LATTE.id, MOUNTAINS.id]}).body
    assert listed["media"] == [regular(LATTE), regular(MOUNTAINS)]
    assert [c["photographer"] for c in listed["media_credits"]] == ["Tobias Renn", "Ines Okafor"]


def test_a_post_may_be_only_an_unsplash_photo_and_is_scheduled(api: ApiClient, accounts: Any, trigger: Any) -> None:
    reply = api.post("/v1/posts", {"platforms": ["x"], "unsplash": "mountains"})
    assert reply.status == 201, reply.body
    assert reply.body["status"] == "scheduled"
    assert reply.body["media"] == [regular(MOUNTAINS)]


def test_validate_looks_photos_up_without_using_them(api: ApiClient, accounts: Any) -> None:
    reply = api.post("/v1/posts/validate", {"text": "hi", "platforms": ["x"], "unsplash": "coffee"})
    assert reply.status == 200, reply.body
    assert reply.body["valid"] is True
    assert reply.body["previews"][0]["steps"][0]["media"] == [regular(COFFEE)]
    assert simulator.downloads() == {}
    assert posts_of(api) == []


def test_a_thread_takes_the_photo_on_its_first_part(api: ApiClient, accounts: Any) -> None:
    reply = api.post("/v1/threads", {"parts": [{"text": "one"}, {"text": "two"}], "platforms": ["x"],
                                     "draft": True, "unsplash": "latte", "tracking_id": "thread-7"})
    assert reply.status == 201, reply.body
    assert reply.body["media"] == [regular(LATTE)]
    assert reply.body["thread"] == [{"text": "two", "media": []}]
    assert reply.body["tracking_id"] == "thread-7"


def test_an_edit_replaces_or_removes_the_unsplash_photos_and_credits_follow_the_media(
    api: ApiClient, accounts: Any
) -> None:
    logo = "https://cdn.example.com/logo.png"
    post = api.post("/v1/posts", {"text": "hi", "platforms": ["x"], "draft": True, "media": [logo],
                                  "unsplash": "coffee"}).body
    replaced = api.put(f"/v1/posts/{post['id']}", {"unsplash": [MOUNTAINS.id]})
    assert replaced.status == 200, replaced.body
    assert replaced.body["media"] == [logo, regular(MOUNTAINS)]
    assert [c["photo_id"] for c in replaced.body["media_credits"]] == [MOUNTAINS.id]
    assert simulator.downloads() == {COFFEE.id: 1, MOUNTAINS.id: 1}

    text_only = api.put(f"/v1/posts/{post['id']}", {"text": "still here"})
    assert text_only.body["media_credits"] == replaced.body["media_credits"]

    reordered = api.put(f"/v1/posts/{post['id']}", {"media": [regular(MOUNTAINS)]})  # the logo dropped
    assert [c["photo_id"] for c in reordered.body["media_credits"]] == [MOUNTAINS.id]

    removed = api.put(f"/v1/posts/{post['id']}", {"unsplash": None})
    assert removed.status == 200, removed.body
    assert removed.body["media"] == []
    assert removed.body["media_credits"] == []

    again = api.put(f"/v1/posts/{post['id']}", {"unsplash": "coffee", "media": [logo]})
    assert again.body["media"] == [logo, regular(COFFEE)]
    dropped = api.put(f"/v1/posts/{post['id']}", {"media": [logo]})
    assert dropped.body["media_credits"] == []  # the photo left the media: so did its credit


def test_an_idempotent_repeat_looks_nothing_up_again(api: ApiClient, accounts: Any) -> None:
    body = {"text": "hi", "platforms": ["x"], "draft": True, "unsplash": "random"}
    first = api.post("/v1/posts", body, headers={"idempotency-key": "k-1"})
    repeat = api.post("/v1/posts", body, headers={"idempotency-key": "k-1"})
    assert (first.status, repeat.status) == (201, 200)
    assert repeat.body["media"] == first.body["media"]
    assert simulator.downloads() == {simulator.PHOTOS[0].id: 1}


@pytest.mark.parametrize(("failure", "status", "code"), [
    ("server_error", 503, "unsplash_unavailable"),
    ("timeout", 503, "unsplash_unavailable"),
    ("malformed", 503, "unsplash_unavailable"),
    ("rate_limited", 429, "rate_limited"),
    ("unauthorized", 422, "unsplash_refused"),
])
def test_unsplash_failures_answer_their_code_and_save_nothing(
    api: ApiClient, accounts: Any, failure: str, status: int, code: str
) -> None:
    simulator.inject([failure])
    reply = api.post("/v1/posts", {"text": "hi", "platforms": ["x"], "unsplash": "coffee"},
                     headers={"idempotency-key": f"k-{failure}"})
    assert reply.status == status, reply.body
    assert reply.body["error"]["code"] == code
    assert posts_of(api) == []
    assert simulator.downloads() == {}
    retried = api.post("/v1/posts", {"text": "hi", "platforms": ["x"], "unsplash": "coffee"},
                       headers={"idempotency-key": f"k-{failure}"})
    assert retried.status == 201, retried.body  # the key was not spent by the failure


def test_a_failed_edit_changes_nothing(api: ApiClient, accounts: Any) -> None:
    post = api.post("/v1/posts", {"text": "hi", "platforms": ["x"], "draft": True, "unsplash": "coffee"}).body
    simulator.inject(["server_error"])
    reply = api.put(f"/v1/posts/{post['id']}", {"unsplash": "mountains", "text": "changed"})
    assert reply.status == 503, reply.body
    after = api.get(f"/v1/posts/{post['id']}").body
    assert (after["text"], after["media"], after["version"]) == ("hi", post["media"], post["version"])


def test_nothing_found_and_malformed_asks_answer_422(api: ApiClient, accounts: Any) -> None:
    missing = api.post("/v1/posts", {"text": "hi", "platforms": ["x"], "unsplash": "quantum chromodynamics"})
    assert missing.status == 422 and missing.body["error"]["code"] == "unsplash_not_found"
    unknown_id = api.post("/v1/posts", {"text": "hi", "platforms": ["x"], "unsplash": ["AAAAAAAAAAA"]})
    assert unknown_id.body["error"]["code"] == "unsplash_not_found"
    for wrong in (["coffee"], [], "", "x" * 101, 5, [COFFEE.id] * 11):
        reply = api.post("/v1/posts", {"text": "hi", "platforms": ["x"], "unsplash": wrong})
        assert reply.status == 422 and reply.body["error"]["code"] == "validation_error", (wrong, reply.body)
    video = api.post("/v1/posts", {"text": "hi", "platforms": ["x"], "unsplash": "coffee", "is_video": True})
    assert video.status == 422 and video.body["error"]["details"][0]["issue"] == "conflicts_with_is_video"
    assert posts_of(api) == []


def test_an_edit_of_a_post_that_may_not_change_asks_unsplash_nothing(api: ApiClient, accounts: Any) -> None:
    post = api.post("/v1/posts", {"text": "hi", "platforms": ["x"], "draft": True}).body
    api.delete(f"/v1/posts/{post['id']}")
    simulator.inject(["server_error"])  # would answer the lookup, were one made
    reply = api.put(f"/v1/posts/{post['id']}", {"unsplash": "coffee"})
    assert reply.status == 409 and reply.body["error"]["code"] == "invalid_state"


# --- Unsplash, live -----------------------------------------------------------------------------


class FakeUnsplash:
    """Unsplash's API as a MockTransport handler: answers `photo` to lookups (or `status`), and
    records every request."""

    def __init__(self, status: int = 200, download_status: int = 200, regular_url: str | None = None) -> None:
        self.status = status
        self.download_status = download_status
        self.regular_url = regular_url
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.url.path.endswith("/download"):
            return httpx.Response(self.download_status, json={"url": "https://images.unsplash.com/x"})
        if self.status != 200:
            return httpx.Response(self.status, json={"errors": ["nope"]})
        body = simulator.photo_json(COFFEE)
        if self.regular_url:
            body["urls"]["regular"] = self.regular_url
        if request.url.path == "/search/photos":
            return httpx.Response(200, json={"total": 1, "total_pages": 1, "results": [body]})
        return httpx.Response(200, json=body)


@pytest.fixture
def live_unsplash(monkeypatch: pytest.MonkeyPatch, trigger: Any) -> Iterator[Any]:
    """A deployment in live Unsplash mode whose Unsplash is a FakeUnsplash (set `.fake`), with
    the access key `key` (None: not configured)."""
    from herald import wiring
    from herald.media.unsplash import UnsplashLibrary
    from herald.platforms import apps

    class Live:
        fake = FakeUnsplash()
        key: str | None = "ak_live"

    monkeypatch.setenv("HERALD_UNSPLASH_MODE", "live")
    monkeypatch.setenv("HERALD_UNSPLASH_APP_NAME", "acme_social")
    monkeypatch.setattr(wiring, "unsplash_photos", lambda: UnsplashLibrary(
        lambda: Live.key if Live.key is not None else wiring.unsplash_access_key(), "acme_social",
        transport=httpx.MockTransport(lambda r: Live.fake(r))))
    apps.forget()
    wiring.reset()
    yield Live
    apps.forget()
    wiring.reset()


def test_live_unsplash_is_asked_with_the_access_key_and_the_photo_credited(
    api: ApiClient, accounts: Any, live_unsplash: Any
) -> None:
    reply = api.post("/v1/posts", {"text": "hi", "platforms": ["x"], "draft": True, "unsplash": "coffee"})
    assert reply.status == 201, reply.body
    assert reply.body["media_credits"][0]["photographer_url"].endswith("utm_source=acme_social&utm_medium=referral")
    requests = live_unsplash.fake.requests
    assert [r.url.path for r in requests] == ["/search/photos", f"/photos/{COFFEE.id}/download"]
    assert {r.headers["authorization"] for r in requests} == {"Client-ID ak_live"}
    assert {r.headers["accept-version"] for r in requests} == {"v1"}


def test_live_without_an_access_key_is_not_configured(api: ApiClient, accounts: Any, live_unsplash: Any) -> None:
    live_unsplash.key = None  # neither HERALD_UNSPLASH_ACCESS_KEY nor an SSM parameter
    reply = api.post("/v1/posts", {"text": "hi", "platforms": ["x"], "unsplash": "coffee"})
    assert reply.status == 422, reply.body
    assert reply.body["error"]["code"] == "unsplash_not_configured"
    assert "HERALD_UNSPLASH_ACCESS_KEY" in reply.body["error"]["message"]
    assert live_unsplash.fake.requests == []
    assert posts_of(api) == []


def test_the_access_key_comes_from_the_environment(
    api: ApiClient, accounts: Any, live_unsplash: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from herald import wiring

    live_unsplash.key = None
    monkeypatch.setenv("HERALD_UNSPLASH_ACCESS_KEY", "ak_from_env")
    wiring.reset()
    reply = api.post("/v1/posts", {"text": "hi", "platforms": ["x"], "draft": True, "unsplash": "coffee"})
    assert reply.status == 201, reply.body
    assert live_unsplash.fake.requests[0].headers["authorization"] == "Client-ID ak_from_env"


@pytest.mark.parametrize(("status", "answer", "code"), [
    (401, 422, "unsplash_refused"), (429, 429, "rate_limited"), (502, 503, "unsplash_unavailable"),
])
def test_live_refusals_and_failures_save_nothing(
    api: ApiClient, accounts: Any, live_unsplash: Any, status: int, answer: int, code: str
) -> None:
    live_unsplash.fake = FakeUnsplash(status=status)
    reply = api.post("/v1/posts", {"text": "hi", "platforms": ["x"], "unsplash": "coffee"})
    assert (reply.status, reply.body["error"]["code"]) == (answer, code)
    assert posts_of(api) == []


def test_a_failed_download_trigger_does_not_fail_the_saved_post(
    api: ApiClient, accounts: Any, live_unsplash: Any
) -> None:
    live_unsplash.fake = FakeUnsplash(download_status=500)
    reply = api.post("/v1/posts", {"text": "hi", "platforms": ["x"], "draft": True, "unsplash": "coffee"})
    assert reply.status == 201, reply.body
    assert len(posts_of(api)) == 1


def test_unsplash_urls_must_pass_the_media_url_rules(api: ApiClient, accounts: Any, live_unsplash: Any) -> None:
    live_unsplash.fake = FakeUnsplash(regular_url="http://169.254.169.254/latest/meta-data")
    reply = api.post("/v1/posts", {"text": "hi", "platforms": ["x"], "unsplash": "coffee"})
    assert reply.status == 422, reply.body
    assert reply.body["error"]["code"] in ("media_url_invalid", "media_url_forbidden")
    assert reply.body["error"]["details"][0]["field"] == "unsplash[0]"
    assert posts_of(api) == []


def test_auto_mode_asks_live_unsplash_for_a_post_with_a_live_account_or_no_account(
    api: ApiClient, accounts: Any, live_unsplash: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from herald import wiring

    monkeypatch.setenv("HERALD_UNSPLASH_MODE", "auto")
    wiring.reset()
    api.post("/v1/posts", {"text": "hi", "platforms": ["x"], "draft": True, "unsplash": "coffee"})
    assert live_unsplash.fake.requests == []  # test-mode accounts only: the simulator
    reply = api.post("/v1/posts", {"text": "hi", "draft": True, "unsplash": "coffee"})
    assert reply.status == 201, reply.body
    assert live_unsplash.fake.requests[0].url.path == "/search/photos"


# --- tracking_id --------------------------------------------------------------------------------


def test_tracking_id_round_trips_and_filters_the_list(api: ApiClient, accounts: Any) -> None:
    first = api.post("/v1/posts", {"text": "a", "platforms": ["x"], "draft": True, "tracking_id": "mosaic:42/a"})
    assert first.status == 201, first.body
    assert first.body["tracking_id"] == "mosaic:42/a"
    api.post("/v1/posts", {"text": "b", "platforms": ["x"], "draft": True, "tracking_id": "mosaic:43"})
    api.post("/v1/posts", {"text": "c", "platforms": ["x"], "draft": True})
    assert api.get(f"/v1/posts/{first.body['id']}").body["tracking_id"] == "mosaic:42/a"

    found = api.get("/v1/posts", query={"tracking_id": "mosaic:42/a"}).body["posts"]
    assert [p["id"] for p in found] == [first.body["id"]]
    assert api.get("/v1/posts", query={"tracking_id": "mosaic:4"}).body["posts"] == []  # exact match only
    assert len(api.get("/v1/posts").body["posts"]) == 3

    edited = api.put(f"/v1/posts/{first.body['id']}", {"tracking_id": "mosaic:44"})
    assert edited.status == 200 and edited.body["tracking_id"] == "mosaic:44"
    assert api.get("/v1/posts", query={"tracking_id": "mosaic:42/a"}).body["posts"] == []
    cleared = api.put(f"/v1/posts/{first.body['id']}", {"tracking_id": None})
    assert cleared.body["tracking_id"] is None


def test_tracking_id_filters_the_queue(api: ApiClient, accounts: Any) -> None:
    scheduled = api.post("/v1/posts", {"text": "a", "platforms": ["x"], "scheduled_at": "2031-01-01T10:00:00Z",
                                       "tracking_id": "q-1"}).body
    api.post("/v1/posts", {"text": "b", "platforms": ["x"], "scheduled_at": "2031-01-01T11:00:00Z"})
    queue = api.get("/v1/queue", query={"tracking_id": "q-1"}).body
    assert [p["id"] for p in queue["posts"]] == [scheduled["id"]]


@pytest.mark.parametrize("wrong", ["", "has space", "tab\there", "x" * 129, "naïve", 7])
def test_an_invalid_tracking_id_answers_422(api: ApiClient, accounts: Any, wrong: Any) -> None:
    reply = api.post("/v1/posts", {"text": "a", "platforms": ["x"], "draft": True, "tracking_id": wrong})
    assert reply.status == 422, reply.body
    assert reply.body["error"]["code"] == "validation_error"
    assert any(d["field"] == "tracking_id" for d in reply.body["error"]["details"])
    post = api.post("/v1/posts", {"text": "a", "platforms": ["x"], "draft": True}).body
    assert api.put(f"/v1/posts/{post['id']}", {"tracking_id": wrong}).status == 422


def test_the_longest_tracking_id_is_accepted(api: ApiClient, accounts: Any) -> None:
    longest = "!" + "~" * 126 + "Z"
    reply = api.post("/v1/posts", {"text": "a", "platforms": ["x"], "draft": True, "tracking_id": longest})
    assert reply.status == 201 and reply.body["tracking_id"] == longest
