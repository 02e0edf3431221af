"""Unsplash (herald.media.unsplash) against scripted exchanges shaped like Unsplash's documented
API, over httpx.MockTransport, and against its test-mode simulator: the requests (paths, queries,
Client-ID and Accept-Version), the photo and credit read from the answers, the download trigger,
and how every failure maps to Herald's errors."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from contract.scripted_http import Exchange, Script

from herald.errors import InvalidRequest, TooManyRequests
from herald.media.unsplash import UnsplashLibrary, found_photo, parse, with_referral
from herald.platforms.simulators import unsplash as simulator
from herald.posts.ports import (
    UnsplashNotConfigured,
    UnsplashNotFound,
    UnsplashRefused,
    UnsplashUnavailable,
)

KEY = "ak_live_0123456789abcdef"
API = "https://api.unsplash.com"
AUTH = {"authorization": f"Client-ID {KEY}", "accept-version": "v1"}
FILTER = ("content_filter", "high")


def photo(photo_id: str = "Qx7vR2mN9pA", username: str = "wren_abbott", name: str | None = "Wren Abbott") -> dict[str, Any]:
    """A photo object in the shape Unsplash documents (the fields Herald reads, and some it does not)."""
    image = "https://images.unsplash.com/photo-1611112222333-a1b2c3d4e5f6?ixid=TESTixid123&ixlib=rb-4.0.3"
    return {
        "id": photo_id,
        "width": 4000,
        "height": 3000,
        "color": "#405060",
        "description": "A lighthouse on a cliff",
        "alt_description": "white lighthouse on a green cliff",
        "urls": {
            "raw": image,
            "full": image + "&fm=jpg&q=85",
            "regular": image + "&cs=tinysrgb&fit=max&fm=jpg&q=80&w=1080",
            "small": image + "&fm=jpg&w=400",
            "thumb": image + "&fm=jpg&w=200",
        },
        "links": {
            "self": f"{API}/photos/{photo_id}",
            "html": f"https://unsplash.com/photos/{photo_id}",
            "download": f"https://unsplash.com/photos/{photo_id}/download?ixid=TESTixid123",
            "download_location": f"{API}/photos/{photo_id}/download?ixid=TESTixid123",
        },
        "user": {
            "id": "u1",
            "username": username,
            "name": name,
            "links": {"self": f"{API}/users/{username}", "html": f"https://unsplash.com/@{username}"},
        },
    }


def library(script: Script, key: str | None = KEY, app_name: str = "acme_social") -> UnsplashLibrary:
    return UnsplashLibrary(lambda: key, app_name, transport=httpx.MockTransport(script))


@pytest.fixture(autouse=True)
def fresh_unsplash_simulator() -> Iterator[None]:
    simulator.reset()
    yield
    simulator.reset()


# --- requests and parsing -------------------------------------------------------------------


def test_a_photo_id_is_looked_up_with_the_client_id_and_api_version_and_credited() -> None:
    script = Script(Exchange("GET", f"{API}/photos/Qx7vR2mN9pA", body=photo(), params=[], request_headers=AUTH))
    [found] = library(script).find("Qx7vR2mN9pA", test=False)

    credit = found.credit
    assert credit.media_url == photo()["urls"]["regular"]  # hotlinked as given, its ixid kept
    assert credit.photo_id == "Qx7vR2mN9pA"
    assert credit.photographer == "Wren Abbott"
    assert credit.photographer_username == "wren_abbott"
    assert credit.photographer_url == "https://unsplash.com/@wren_abbott?utm_source=acme_social&utm_medium=referral"
    assert credit.photo_url == "https://unsplash.com/photos/Qx7vR2mN9pA?utm_source=acme_social&utm_medium=referral"
    assert credit.source_url == "https://unsplash.com/?utm_source=acme_social&utm_medium=referral"
    assert credit.description == "white lighthouse on a green cliff"
    assert credit.text == "Photo by Wren Abbott on Unsplash"
    assert credit.html == (
        'Photo by <a href="https://unsplash.com/@wren_abbott?utm_source=acme_social&amp;utm_medium=referral">'
        'Wren Abbott</a> on <a href="https://unsplash.com/?utm_source=acme_social&amp;utm_medium=referral">Unsplash</a>'
    )
    assert found.download_location == f"{API}/photos/Qx7vR2mN9pA/download?ixid=TESTixid123"
    assert not script.pending


def test_random_asks_the_random_endpoint_with_the_content_filter_and_the_term() -> None:
    script = Script(
        Exchange("GET", f"{API}/photos/random", body=photo(), params=[FILTER], request_headers=AUTH),
        Exchange("GET", f"{API}/photos/random", body=photo("Zz9yY8xX7wW"), params=[FILTER, ("query", "coffee beans")],
                 request_headers=AUTH),
    )
    assert library(script).find("random", test=False)[0].credit.photo_id == "Qx7vR2mN9pA"
    assert library(script).find("Random: coffee beans", test=False)[0].credit.photo_id == "Zz9yY8xX7wW"
    assert not script.pending


def test_a_search_term_takes_the_first_result_of_one_result_page() -> None:
    script = Script(
        Exchange("GET", f"{API}/search/photos", params=[("query", "lighthouse at dusk"), ("per_page", "1"), FILTER],
                 body={"total": 3, "total_pages": 3, "results": [photo()]}, request_headers=AUTH),
    )
    [found] = library(script).find("lighthouse at dusk", test=False)
    assert found.credit.photo_id == "Qx7vR2mN9pA"


def test_a_list_is_photo_ids_looked_up_in_order() -> None:
    script = Script(
        Exchange("GET", f"{API}/photos/Qx7vR2mN9pA", body=photo(), request_headers=AUTH),
        Exchange("GET", f"{API}/photos/Zz9yY8xX7wW", body=photo("Zz9yY8xX7wW", "ola_j", "Ola J"), request_headers=AUTH),
    )
    found = library(script).find(["Qx7vR2mN9pA", "Zz9yY8xX7wW"], test=False)
    assert [f.credit.photographer for f in found] == ["Wren Abbott", "Ola J"]


def test_an_id_shaped_term_unsplash_does_not_know_is_searched_for() -> None:
    script = Script(
        Exchange("GET", f"{API}/photos/photography", status=404, body={"errors": ["Couldn't find Photo"]}),
        Exchange("GET", f"{API}/search/photos", params=[("query", "photography"), ("per_page", "1"), FILTER],
                 body={"total": 1, "total_pages": 1, "results": [photo()]}),
    )
    assert library(script).find("photography", test=False)[0].credit.photo_id == "Qx7vR2mN9pA"


def test_the_rule_telling_ids_from_terms() -> None:
    assert [a.kind for a in parse("random")] == ["random"]
    assert parse("random:") == parse("random")
    assert [(a.kind, a.value, a.or_search) for a in parse("LBI7cgq3pbM")] == [("id", "LBI7cgq3pbM", True)]
    assert [(a.kind, a.value) for a in parse("coffee")] == [("search", "coffee")]  # 6 characters
    assert [(a.kind, a.value) for a in parse("  sea view ")] == [("search", "sea view")]
    assert [(a.kind, a.or_search) for a in parse(["LBI7cgq3pbM"])] == [("id", False)]
    with pytest.raises(InvalidRequest) as refused:
        parse(["LBI7cgq3pbM", "coffee"])
    assert refused.value.details == [{"field": "unsplash[1]", "issue": "not_an_unsplash_id"}]
    with pytest.raises(InvalidRequest):
        parse(["LBI7cgq3pbM"] * 11)
    with pytest.raises(InvalidRequest):
        parse("   ")


def test_a_photographer_without_a_name_is_credited_by_username_and_referral_replaces_utm() -> None:
    found = found_photo(photo(name=None), "herald")
    assert found.credit.photographer == "wren_abbott"
    assert with_referral("https://unsplash.com/@x?utm_source=other&a=1", "herald") == (
        "https://unsplash.com/@x?a=1&utm_source=herald&utm_medium=referral"
    )


# --- the download trigger -------------------------------------------------------------------


def test_using_a_photo_triggers_its_download_location_with_the_client_id() -> None:
    script = Script(
        Exchange("GET", f"{API}/photos/Qx7vR2mN9pA", body=photo()),
        Exchange("GET", f"{API}/photos/Qx7vR2mN9pA/download", params=[("ixid", "TESTixid123")], request_headers=AUTH,
                 body={"url": "https://images.unsplash.com/photo-1?ixid=TESTixid123"}),
    )
    photos = library(script)
    [found] = photos.find("Qx7vR2mN9pA", test=False)
    photos.mark_used(found, test=False)
    assert not script.pending


def test_the_access_key_never_goes_to_another_host_than_the_api() -> None:
    body = photo()
    body["links"]["download_location"] = "https://evil.example.com/collect"
    script = Script(
        Exchange("GET", f"{API}/photos/Qx7vR2mN9pA", body=body),
        Exchange("GET", f"{API}/photos/Qx7vR2mN9pA/download", params=[], request_headers=AUTH, body={"url": "x"}),
    )
    photos = library(script)
    photos.mark_used(photos.find("Qx7vR2mN9pA", test=False)[0], test=False)
    assert all(r.url.host == "api.unsplash.com" for r in script.requests)


# --- errors ---------------------------------------------------------------------------------


def test_no_access_key_is_not_configured_before_any_request() -> None:
    script = Script()
    with pytest.raises(UnsplashNotConfigured) as refused:
        library(script, key=None).find("random", test=False)
    assert refused.value.code == "unsplash_not_configured"
    assert "HERALD_UNSPLASH_ACCESS_KEY" in refused.value.message
    assert script.requests == []


@pytest.mark.parametrize(("status", "headers", "body", "error", "code"), [
    (401, {}, {"errors": ["OAuth error: The access token is invalid"]}, UnsplashRefused, "unsplash_refused"),
    (403, {"X-Ratelimit-Remaining": "12"}, {"errors": ["Forbidden"]}, UnsplashRefused, "unsplash_refused"),
    (403, {"X-Ratelimit-Limit": "50", "X-Ratelimit-Remaining": "0"}, "Rate Limit Exceeded", TooManyRequests,
     "rate_limited"),
    (429, {}, {"errors": ["Too many requests"]}, TooManyRequests, "rate_limited"),
    (500, {}, {"errors": ["Internal error"]}, UnsplashUnavailable, "unsplash_unavailable"),
    (503, {}, "<html>unavailable</html>", UnsplashUnavailable, "unsplash_unavailable"),
    (200, {}, "<html>not json</html>", UnsplashUnavailable, "unsplash_unavailable"),
    (200, {}, {"id": "Qx7vR2mN9pA"}, UnsplashUnavailable, "unsplash_unavailable"),  # no urls, user, links
    (400, {}, {"errors": ["per_page is invalid"]}, UnsplashRefused, "unsplash_refused"),
])
def test_unsplash_answers_map_to_herald_errors(
    status: int, headers: dict[str, str], body: Any, error: type[Exception], code: str
) -> None:
    script = Script(Exchange("GET", f"{API}/photos/Qx7vR2mN9pA", status=status, headers=headers, body=body))
    with pytest.raises(error) as raised:
        library(script).find("Qx7vR2mN9pA", test=False)
    assert raised.value.code == code  # type: ignore[attr-defined]


def test_the_rate_limit_message_names_the_hourly_limit() -> None:
    script = Script(Exchange("GET", f"{API}/photos/random", status=403, body="Rate Limit Exceeded",
                             headers={"X-Ratelimit-Limit": "50", "X-Ratelimit-Remaining": "0"}))
    with pytest.raises(TooManyRequests) as raised:
        library(script).find("random", test=False)
    assert "50 requests an hour" in raised.value.message
    assert raised.value.details == [{"field": "unsplash", "issue": "rate_limited", "limit": 50}]


@pytest.mark.parametrize("failure", [httpx.ReadTimeout, httpx.ConnectTimeout, httpx.ConnectError])
def test_timeouts_and_transport_failures_are_unavailable(failure: type[httpx.TransportError]) -> None:
    script = Script(Exchange("GET", f"{API}/photos/random", raises=failure))
    with pytest.raises(UnsplashUnavailable) as raised:
        library(script).find("random", test=False)
    assert "try again" in raised.value.message


def test_nothing_found_is_not_found() -> None:
    script = Script(
        Exchange("GET", f"{API}/search/photos", body={"total": 0, "total_pages": 0, "results": []}),
        Exchange("GET", f"{API}/photos/random", status=404, body={"errors": ["No photos found."]}),
        Exchange("GET", f"{API}/photos/Qx7vR2mN9pA", body=photo()),
        Exchange("GET", f"{API}/photos/Zz9yY8xX7wW", status=404, body={"errors": ["Couldn't find Photo"]}),
    )
    photos = library(script)
    with pytest.raises(UnsplashNotFound) as nothing:
        photos.find("no such thing", test=False)
    assert nothing.value.code == "unsplash_not_found"
    assert "'no such thing'" in nothing.value.message
    with pytest.raises(UnsplashNotFound):
        photos.find("random:no such thing", test=False)
    with pytest.raises(UnsplashNotFound) as unknown:  # a list item is an id, never searched for
        photos.find(["Qx7vR2mN9pA", "Zz9yY8xX7wW"], test=False)
    assert "Zz9yY8xX7wW" in unknown.value.message
    assert not script.pending


# --- the simulator ----------------------------------------------------------------------------


def live_library() -> UnsplashLibrary:
    return UnsplashLibrary(lambda: None, "herald")  # no key: test mode needs none


def test_the_simulator_answers_deterministic_photos_searches_and_random_walks() -> None:
    photos = live_library()
    [coffee] = photos.find("coffee", test=True)
    assert coffee.credit.photo_id == simulator.PHOTOS[0].id
    assert coffee.credit.photographer == "Mara Lindqvist"
    assert coffee.credit.media_url.startswith("https://images.unsplash.com/photo-")
    assert "w=1080" in coffee.credit.media_url
    assert simulator.is_simulated_image(coffee.credit.media_url)
    assert not simulator.is_simulated_image(photo()["urls"]["regular"])
    assert photos.find(coffee.credit.photo_id, test=True)[0] == coffee
    assert photos.find([p.id for p in simulator.PHOTOS[:3]], test=True)[2].credit.photographer == "Ines Okafor"

    walk = [photos.find("random:coffee", test=True)[0].credit.photo_id for _ in range(3)]
    assert walk == [simulator.PHOTOS[0].id, simulator.PHOTOS[1].id, simulator.PHOTOS[0].id]
    anything = [photos.find("random", test=True)[0].credit.photo_id for _ in range(2)]
    assert anything == [simulator.PHOTOS[0].id, simulator.PHOTOS[1].id]
    simulator.reset()
    assert photos.find("random", test=True)[0].credit.photo_id == simulator.PHOTOS[0].id

    with pytest.raises(UnsplashNotFound):
        photos.find("quantum chromodynamics", test=True)
    with pytest.raises(UnsplashNotFound):
        photos.find("random:quantum", test=True)
    with pytest.raises(UnsplashNotFound):
        photos.find(["AAAAAAAAAAA"], test=True)


def test_the_simulator_counts_downloads_and_answers_injected_failures() -> None:
    photos = live_library()
    [found] = photos.find("mountains", test=True)
    photos.mark_used(found, test=True)
    assert simulator.downloads() == {found.credit.photo_id: 1}

    simulator.inject(["ok", "server_error", "rate_limited", "unauthorized", "timeout", "malformed"])
    photos.find("random", test=True)
    for error in (UnsplashUnavailable, TooManyRequests, UnsplashRefused, UnsplashUnavailable, UnsplashUnavailable):
        with pytest.raises(error):
            photos.find("random", test=True)
    with pytest.raises(ValueError, match="unknown simulated Unsplash failures"):
        simulator.inject(["exploded"])


def test_the_simulator_checks_the_client_id_and_pages_searches() -> None:
    with httpx.Client(transport=httpx.MockTransport(simulator.handle)) as http:
        refused = http.get(f"{API}/photos/random", headers={"Authorization": "Client-ID someone-else"})
        assert refused.status_code == 401
        assert refused.json() == {"errors": ["OAuth error: The access token is invalid"]}
        auth = {"Authorization": "Client-ID herald-test-client", "Accept-Version": "v1"}
        page = http.get(f"{API}/search/photos", params={"query": "nature", "per_page": "2", "page": "2"}, headers=auth)
        body = page.json()
        assert page.headers["X-Ratelimit-Remaining"] == "4999"
        assert body["total"] == 6 and body["total_pages"] == 3
        assert len(body["results"]) == 2
        assert http.get(f"{API}/search/photos", headers=auth).status_code == 400
