"""A test-mode post with a simulated Unsplash photo publishes offline: the publish run (built as
Lambda builds it, with the real media check, not the `publisher` fixture's stand-in) knows the
photo's image without probing it, and the X and Bluesky adapters upload made-up JPEG bytes to
their simulators without fetching anything. Any other URL is still probed as before."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from herald.media.urls import UNREACHABLE, MediaUrlError, UrlProblem
from herald.platforms import simulators
from herald.platforms.simulators import unsplash as simulator
from herald.posts.ports import PublishRequest
from support.apigw import ApiClient

LOGO = "https://cdn.example.com/logo.png"


class NoNetwork:
    """Stands in for herald.media.fetch's probe and the media source's stream: records each URL and
    answers what an offline run gets, an unreachable host."""

    def __init__(self) -> None:
        self.probed: list[str] = []
        self.fetched: list[str] = []

    def probe(self, url: str, **_: Any) -> Any:
        self.probed.append(url)
        raise MediaUrlError(UrlProblem(UNREACHABLE, f"The media URL {url} could not be connected to.", "media"))

    def stream(self, url: str, *_: Any, **__: Any) -> Any:
        self.fetched.append(url)
        raise MediaUrlError(UrlProblem(UNREACHABLE, f"The media URL {url} could not be connected to.", "media"))


@pytest.fixture(autouse=True)
def fresh_unsplash() -> None:
    simulator.reset()


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch) -> NoNetwork:
    from herald.media import fetch, source

    network = NoNetwork()
    monkeypatch.setattr(fetch, "probe", network.probe)
    monkeypatch.setattr(source, "stream", network.stream)
    return network


@pytest.fixture
def lambda_publisher(trigger: Any, clock: Any) -> Any:
    """The publish run with its default media check (herald.publishing.runner._probe)."""
    from herald import wiring
    from herald.publishing.runner import Publisher
    from herald.settings import get_settings

    clock.set(datetime.now(UTC))
    return Publisher(posts=wiring.post_store(), accounts=wiring.account_store(), scheduler=wiring.scheduler(),
                     trigger=trigger, clock=clock, settings=get_settings(), media=wiring.media_store(),
                     media_link=wiring.media_link)


def run_all(publisher: Any, trigger: Any, post_id: str) -> None:
    done = 0
    while len(trigger.for_post(post_id)) > done:
        request: PublishRequest = trigger.for_post(post_id)[done]
        publisher.run(request)
        done += 1


def test_a_random_unsplash_photo_publishes_to_x_and_bluesky_offline(
    api: ApiClient, accounts: Any, trigger: Any, lambda_publisher: Any, offline: NoNetwork
) -> None:
    created = api.post("/v1/posts", {"text": "Monday fuel", "platforms": ["x", "bluesky"], "unsplash": "random"})
    assert created.status == 201, created.body
    [photo_url] = created.body["media"]
    assert simulator.is_simulated_image(photo_url)

    run_all(lambda_publisher, trigger, created.body["id"])

    done = api.get(f"/v1/posts/{created.body['id']}").body
    assert done["status"] == "published", done["targets"]
    assert (offline.probed, offline.fetched) == ([], [])  # never probed, never fetched
    [tweet] = simulators.published(accounts["x"]["id"])
    assert [m["type"] for m in tweet["media"]] == ["photo"]  # an upload that succeeded
    [record] = simulators.published(accounts["bluesky"]["id"])
    embed = record["record"]["embed"]
    assert embed["$type"] == "app.bsky.embed.images"
    [image] = embed["images"]
    made = simulator.image_at(photo_url)
    assert made is not None
    assert image["image"]["mimeType"] == "image/jpeg"
    assert image["image"]["size"] == len(simulator.image_bytes(photo_url))
    assert image["aspectRatio"] == {"width": made.width, "height": made.height}


def test_the_probe_is_skipped_for_the_simulated_photo_only(
    api: ApiClient, accounts: Any, trigger: Any, lambda_publisher: Any, offline: NoNetwork
) -> None:
    created = api.post("/v1/posts", {"text": "Logo and coffee", "platforms": ["x"], "media": [LOGO],
                                     "unsplash": "coffee"})
    assert created.status == 201, created.body
    lambda_publisher.run(trigger.for_post(created.body["id"])[0])

    target = api.get(f"/v1/posts/{created.body['id']}").body["targets"][0]
    assert offline.probed == [LOGO]  # the other URL is probed as before, and fails as before offline
    assert target["status"] in ("pending", "failed")
    assert target["error"]["code"] == UNREACHABLE
    assert simulators.published(accounts["x"]["id"]) == []


def test_the_publisher_fixtures_stand_in_is_not_needed_for_it_either(
    api: ApiClient, accounts: Any, trigger: Any, publisher: Any, clock: Any
) -> None:
    def no_check(url: str, is_video: bool | None) -> Any:
        raise AssertionError(f"checked {url}")

    publisher.check_media_url = no_check
    clock.set(datetime.now(UTC))
    created = api.post("/v1/posts", {"text": "Up high", "platforms": ["bluesky"], "unsplash": "mountains"})
    assert created.status == 201, created.body
    run_all(publisher, trigger, created.body["id"])
    assert api.get(f"/v1/posts/{created.body['id']}").body["status"] == "published"
