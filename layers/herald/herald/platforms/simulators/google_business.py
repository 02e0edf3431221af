"""Simulated Google Business Profile APIs (Account Management v1, Business Information v1, My Business
v4 local posts, Business Profile Performance v1) and Google's OAuth endpoints, for test-mode accounts.

Answers are built from the recorded exchanges in `recordings/google_business.json` (the API
reference's resources; each entry names its source page): `accounts/{21 digits}`,
`locations/{19 digits}`, local posts named `accounts/A/locations/L/localPosts/{19 digits}` with a
`searchUrl`, Maps URIs `https://maps.google.com/maps?cid=…`, and Google's error envelope
`{"error": {"code", "message", "status", "details"}}` (v4 validation errors name the field).

A test account (made through the API) manages one location: its tokens hold its `account` and
`location`, and the location's title is the account's username. A person connecting through the test
consent page manages two accounts: a personal one with one location (titled after the username) and a
location group with two ("… Mission", "… Sunset"), so a connection makes three accounts; a username
starting with "nolocation" manages none.

Local posts are checked as Google documents them: a topicType, a summary of at most 1,500
characters (required for STANDARD), an event with a title and a valid schedule for EVENT and OFFER
(the end not before the start), an offer on OFFER posts only, a call to action of a known type with an
http(s) URL (none for CALL), and at most one PHOTO with an http(s) sourceUrl. A post with a photo is
PROCESSING for one look, then LIVE; a post whose summary holds a phone number (which Google's policy
forbids) is PROCESSING, then REJECTED; any other post is LIVE at once.

The location's daily metrics grow with time: each day before today (the simulated clock's) has a
per-location, per-metric count (`common.grown_followers`' daily growth, varied per day); some days
have none, and Google then leaves `value` out, as it does for a day without data. Today and later
have no value yet.

Failure injection (see `herald.platforms.simulators`) applies to creating a local post:
`rate_limited` is 429 RESOURCE_EXHAUSTED, `server_error` 503 UNAVAILABLE, `duplicate` 409
ALREADY_EXISTS (Google documents no duplicate error for local posts: the simulator's choice),
`timeout` and `malformed` create the post and lose the answer, `expired_token` and `revoked_token`
answer 401 UNAUTHENTICATED (the refresh of a revoked grant is refused invalid_grant)."""

from __future__ import annotations

import copy
import json
import re
from datetime import UTC, date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import httpx

from herald.platforms.google_business import ACTION_TYPES, DAILY_METRICS, MAX_SUMMARY, SCOPES
from herald.platforms.simulators import LOCK, SimulatedAccount, accounts_on, simulated_now, stable_digest
from herald.platforms.simulators.common import grown_followers, request_json
from herald.platforms.simulators.google import (
    OAUTH_HOST,
    UNAUTHENTICATED_MESSAGE,
    GoogleSimulator,
    api_error,
    bearer,
    connect_username,
    exchange_code,
    form_of,
    mint,
)

NETWORK = "google_business"
ACCOUNTS_HOST = "mybusinessaccountmanagement.googleapis.com"
INFORMATION_HOST = "mybusinessbusinessinformation.googleapis.com"
POSTS_HOST = "mybusiness.googleapis.com"
PERFORMANCE_HOST = "businessprofileperformance.googleapis.com"
RECORDINGS = Path(__file__).with_name("recordings") / "google_business.json"
SCOPE = " ".join(SCOPES)
TOPICS = frozenset({"STANDARD", "EVENT", "OFFER", "ALERT"})
MAX_ACCOUNTS_PAGE = 20
MAX_LOCATIONS_PAGE = 100
MAX_POSTS_PAGE = 100
MAX_EVENT_TITLE = 58
KNOWN_METRICS = frozenset({*DAILY_METRICS, "BUSINESS_FOOD_ORDERS", "BUSINESS_FOOD_MENU_CLICKS"})
_PHONE = re.compile(r"(?<!\w)\+?\d[\d\s().-]{7,}\d(?!\w)")
_URL = re.compile(r"^https?://[^\s/]+\.[^\s]+$", re.IGNORECASE)
_LOCAL_POSTS = re.compile(
    r"^/v4/(?P<account>accounts/[^/]+)/(?P<location>locations/[^/]+)/localPosts(?:/(?P<id>[^/]+))?$"
)
_PERFORMANCE = re.compile(r"^/v1/(?P<location>locations/[^/:]+):fetchMultiDailyMetricsTimeSeries$")
_sequence = 0


@cache
def recordings() -> dict[str, dict[str, Any]]:
    return {entry["name"]: entry for entry in json.loads(RECORDINGS.read_text(encoding="utf-8"))}


def recorded(name: str) -> Any:
    return copy.deepcopy(recordings()[name]["response"]["body"])


def _answer(name: str, message: str | None = None) -> httpx.Response:
    body = recorded(name)
    if message is not None:
        body["error"]["message"] = message
    return httpx.Response(recordings()[name]["response"]["status"], json=body)


def _digits(count: int, *parts: str) -> str:
    """`count` digits (the first not 0), the same for `parts` in every process."""
    number = int.from_bytes(stable_digest("google-business", *parts), "big")
    return str(10 ** (count - 1) + number % (9 * 10 ** (count - 1)))


def initial_tokens(account_id: str, username: str) -> dict[str, str]:
    location = f"locations/{_digits(19, 'location', account_id)}"
    return {
        "access_token": mint(NETWORK, account_id, "access", 0),
        "refresh_token": mint(NETWORK, account_id, "refresh", 0),
        "account": f"accounts/{_digits(21, 'account', account_id)}",
        "location": location,
        "maps_uri": maps_uri(location),
        "scope": SCOPE,
    }


def maps_uri(location: str) -> str:
    return f"https://maps.google.com/maps?cid={_digits(19, 'cid', location)}"


# --- connecting, before any account exists -----------------------------------------------------


def person_accounts(username: str) -> list[tuple[dict[str, Any], list[dict[str, Any]]]]:
    """The accounts (and their locations) a person who consented manages."""
    if username.lower().startswith("nolocation"):
        return []
    name = _display_name(username)
    personal, group = recorded("list_accounts")["accounts"]
    personal.update(name=f"accounts/{_digits(21, 'personal', username)}", accountName=name)
    group.update(name=f"accounts/{_digits(21, 'group', username)}", accountName=f"{name} Group")
    return [
        (personal, [_location_view(f"locations/{_digits(19, 'connect', username, '0')}", name)]),
        (
            group,
            [
                _location_view(f"locations/{_digits(19, 'connect', username, str(n))}", f"{name} {place}")
                for n, place in ((1, "Mission"), (2, "Sunset"))
            ],
        ),
    ]


def connect_handler(request: httpx.Request) -> httpx.Response:
    host, path = request.url.host, request.url.path
    if host == OAUTH_HOST and (request.method, path) == ("POST", "/token"):
        return exchange_code(NETWORK, form_of(request), SCOPE)
    if host not in (ACCOUNTS_HOST, INFORMATION_HOST):
        raise httpx.ConnectError(
            f"the Google Business Profile simulator does not connect through {host}", request=request
        )
    username = connect_username(NETWORK, bearer(request) or "")
    if username is None:
        return _unauthenticated()
    accounts = person_accounts(username)
    if (request.method, host, path) == ("GET", ACCOUNTS_HOST, "/v1/accounts"):
        return _accounts_page(request, [account for account, _ in accounts])
    match = re.fullmatch(r"/v1/(accounts/[^/]+)/locations", path)
    if request.method == "GET" and host == INFORMATION_HOST and match:
        for account, locations in accounts:
            if account["name"] == match[1]:
                return _locations_page(request, locations)
        return _answer("error_permission_denied")
    return _answer("error_not_found")


# --- one account -------------------------------------------------------------------------------


class GoogleBusinessSimulator(GoogleSimulator):
    network = NETWORK
    scope = SCOPE

    def route(self, request: httpx.Request) -> httpx.Response:
        host, path, method = request.url.host, request.url.path, request.method
        if host == OAUTH_HOST:
            return self.oauth(request)
        if host not in (ACCOUNTS_HOST, INFORMATION_HOST, POSTS_HOST, PERFORMANCE_HOST):
            raise httpx.ConnectError(f"the Google Business Profile simulator does not serve {host}", request=request)
        posts = _LOCAL_POSTS.match(path) if host == POSTS_HOST else None
        if posts and method == "POST" and posts["id"] is None:
            return self._create_post(request, posts["account"], posts["location"])
        with LOCK:
            state = self.authorized(request)
            if (method, host, path) == ("GET", ACCOUNTS_HOST, "/v1/accounts"):
                return _accounts_page(request, [self._own_account(state)])
            if host == INFORMATION_HOST and method == "GET":
                return self._information(request, state, path)
            if posts and method == "GET" and posts["id"] is None:
                return self._list_posts(request, state, posts["account"], posts["location"])
            if posts and method in ("GET", "DELETE"):
                return self._one_post(request, state, path.removeprefix("/v4/"))
            performance = _PERFORMANCE.match(path) if host == PERFORMANCE_HOST else None
            if performance and method == "GET":
                return self._daily_metrics(request, state, performance["location"])
        return _answer("error_not_found", f"Method not found: {method} {path}")

    def unauthenticated(self) -> httpx.Response:
        return _unauthenticated()

    # --- reads, with LOCK held -----------------------------------------------------------------

    def _own_account(self, state: SimulatedAccount) -> dict[str, Any]:
        account = recorded("list_accounts")["accounts"][0]
        account.update(name=state.tokens["account"], accountName=state.username)
        return account

    def _information(self, request: httpx.Request, state: SimulatedAccount, path: str) -> httpx.Response:
        own = _location_view(state.tokens["location"], state.username)
        match = re.fullmatch(r"/v1/(accounts/[^/]+)/locations", path)
        if match:
            if match[1] != state.tokens["account"]:
                return _answer("error_permission_denied")
            return _locations_page(request, [own])
        if re.fullmatch(r"/v1/locations/[^/]+", path):
            if not request.url.params.get("readMask"):
                return _invalid("readMask is required.", "read_mask")
            if path.removeprefix("/v1/") != state.tokens["location"]:
                return _answer("error_permission_denied")
            return httpx.Response(200, json=_masked(own, request.url.params["readMask"]))
        return _answer("error_not_found")

    def _list_posts(
        self, request: httpx.Request, state: SimulatedAccount, account: str, location: str
    ) -> httpx.Response:
        refused = _refuse_location(state, account, location)
        if refused is not None:
            return refused
        size = request.url.params.get("pageSize", "20")
        if not size.isdigit() or not 1 <= int(size) <= MAX_POSTS_PAGE:
            return _invalid(f"page_size must be from 1 to {MAX_POSTS_PAGE}.", "page_size")
        posts = sorted(state.posts.values(), key=lambda post: post["createTime"], reverse=True)
        token = request.url.params.get("pageToken") or "0"
        start = int(token) if token.isdigit() else 0
        page = posts[start : start + int(size)]
        answer: dict[str, Any] = {"localPosts": [_post_view(post) for post in page]} if page else {}
        if start + int(size) < len(posts):
            answer["nextPageToken"] = str(start + int(size))
        return httpx.Response(200, json=answer)

    def _one_post(self, request: httpx.Request, state: SimulatedAccount, name: str) -> httpx.Response:
        post = state.posts.get(name)
        if post is None:
            owned = any(name in other.posts for other in accounts_on(NETWORK))
            return _answer("error_permission_denied") if owned else _answer("error_not_found")
        if request.method == "DELETE":
            del state.posts[name]
            return httpx.Response(200, json={})
        if post["state"] == "PROCESSING":  # the create answered PROCESSING: reviewed by the next look
            post["state"] = post["review"]
        return httpx.Response(200, json=_post_view(post))

    def _daily_metrics(self, request: httpx.Request, state: SimulatedAccount, location: str) -> httpx.Response:
        if location != state.tokens["location"]:
            return _answer("error_permission_denied")
        params = request.url.params
        metrics = params.get_list("dailyMetrics")
        if not metrics:
            return _invalid("daily_metrics is required.", "daily_metrics")
        unknown = [metric for metric in metrics if metric not in KNOWN_METRICS]
        if unknown:
            return _invalid(f"Invalid value at 'daily_metrics' ({unknown[0]}).", "daily_metrics")
        start, end = _range_day(params, "start"), _range_day(params, "end")
        if start is None or end is None:
            return _invalid("daily_range must hold a valid start_date and end_date.", "daily_range")
        if start > end:
            return _invalid("daily_range.start_date must not be after end_date.", "daily_range")
        today = simulated_now().date()
        days = [start + timedelta(days=n) for n in range((end - start).days + 1)]
        series = []
        for metric in metrics:
            dated = []
            for day in days:
                entry: dict[str, Any] = {"date": {"year": day.year, "month": day.month, "day": day.day}}
                value = _daily_value(location, metric, day, today)
                if value:
                    entry["value"] = str(value)
                dated.append(entry)
            series.append({"dailyMetric": metric, "timeSeries": {"datedValues": dated}})
        return httpx.Response(200, json={"multiDailyMetricTimeSeries": [{"dailyMetricTimeSeries": series}]})

    # --- POST localPosts -------------------------------------------------------------------------

    def _create_post(self, request: httpx.Request, account: str, location: str) -> httpx.Response:
        now = simulated_now()
        with LOCK:
            failure = self.take_create_failure(request)
            if failure == "rate_limited":
                return _answer("error_resource_exhausted")
            if failure == "server_error":
                return _answer("error_unavailable")
            if failure == "duplicate":
                return api_error(
                    409, "A local post with the same content already exists.", status_name="ALREADY_EXISTS"
                )
            state = self.authorized(request)
            refused = _refuse_location(state, account, location)
            if refused is not None:
                return refused
            body = request_json(request)
            invalid = _invalid_post(body)
            if invalid is not None:
                return invalid
            post = _store_post(state, account, location, body, now)
            answer = _post_view(post)
        if (lost := self.after_write(failure, request, "the local post was created")) is not None:
            return lost
        return httpx.Response(200, json=answer)


# --- local posts, with LOCK held -----------------------------------------------------------------


def _refuse_location(state: SimulatedAccount, account: str, location: str) -> httpx.Response | None:
    if (account, location) == (state.tokens["account"], state.tokens["location"]):
        return None
    known = any(other.tokens.get("location") == location for other in accounts_on(NETWORK))
    return _answer("error_permission_denied") if known else _answer("error_not_found")


def _invalid_post(body: Any) -> httpx.Response | None:
    if not isinstance(body, dict):
        return _invalid("Invalid JSON payload received.", "")
    topic = body.get("topicType")
    if topic not in TOPICS:
        return _invalid("topic_type must be STANDARD, EVENT, OFFER or ALERT.", "topic_type")
    summary = body.get("summary", "")
    if not isinstance(summary, str) or len(summary) > MAX_SUMMARY:
        return _invalid(f"Summary is too long (at most {MAX_SUMMARY} characters).", "summary")
    if topic == "STANDARD" and not summary.strip():
        return _invalid("Summary is required for a standard post.", "summary")
    if not isinstance(body.get("languageCode", "en"), str):
        return _invalid("language_code must be a BCP 47 language code.", "language_code")
    if topic in ("EVENT", "OFFER"):
        problem = _event_problem(body.get("event"))
        if problem is not None:
            return _invalid(problem[1], problem[0])
    elif "event" in body and topic != "ALERT":
        return _invalid("Only EVENT and OFFER posts have an event.", "event")
    if "offer" in body:
        offer = body["offer"]
        if (
            topic != "OFFER"
            or not isinstance(offer, dict)
            or set(offer) - {"couponCode", "redeemOnlineUrl", "termsConditions"}
        ):
            return _invalid(
                "An offer goes on OFFER posts only, with couponCode, redeemOnlineUrl, termsConditions.", "offer"
            )
        if "redeemOnlineUrl" in offer and not _URL.match(str(offer["redeemOnlineUrl"])):
            return _invalid("The offer's redeem URL is not a valid URL.", "offer.redeem_online_url")
    if "callToAction" in body:
        action = body["callToAction"]
        if not isinstance(action, dict) or action.get("actionType") not in ACTION_TYPES:
            return _invalid("call_to_action.action_type is not a known action type.", "call_to_action.action_type")
        if action["actionType"] != "CALL" and not _URL.match(str(action.get("url", ""))):
            return _invalid("The call to action needs a valid URL.", "call_to_action.url")
    media = body.get("media", [])
    if not isinstance(media, list) or len(media) > 1:
        return _invalid("A local post takes one photo.", "media")
    for item in media:
        if not isinstance(item, dict) or item.get("mediaFormat") != "PHOTO":
            return _invalid("Only PHOTO media can be added to a local post through the API.", "media.media_format")
        if not _URL.match(str(item.get("sourceUrl", ""))):
            return _invalid("The photo's source URL is not a valid URL.", "media.source_url")
    return None


def _event_problem(event: Any) -> tuple[str, str] | None:
    if not isinstance(event, dict):
        return "event", "EVENT and OFFER posts need an event."
    title = event.get("title")
    if not isinstance(title, str) or not title.strip() or len(title) > MAX_EVENT_TITLE:
        return "event.title", f"The event needs a title of at most {MAX_EVENT_TITLE} characters."
    schedule = event.get("schedule") if isinstance(event.get("schedule"), dict) else {}
    start, end = _date_of(schedule.get("startDate")), _date_of(schedule.get("endDate"))
    if start is None or end is None:
        return "event.schedule", "The event's schedule needs a valid start_date and end_date."
    start_time, end_time = _time_of(schedule.get("startTime")), _time_of(schedule.get("endTime"))
    if start_time is False or end_time is False:
        return "event.schedule", "The event's times must be valid times of day."
    if (end, end_time or (0, 0, 0)) < (start, start_time or (0, 0, 0)):
        return "event.schedule", "The event ends before it starts."
    return None


def _store_post(
    state: SimulatedAccount, account: str, location: str, body: dict[str, Any], now: datetime
) -> dict[str, Any]:
    global _sequence
    _sequence += 1
    post_id = _digits(19, "post", state.account_id, now.isoformat(), str(_sequence))
    name = f"{account}/{location}/localPosts/{post_id}"
    rejected = bool(_PHONE.search(str(body.get("summary", ""))))
    stamp = now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"
    cid = maps_uri(location).rpartition("=")[2]
    post = {
        "name": name,
        "body": body,
        "createTime": stamp,
        "updateTime": stamp,
        "state": "PROCESSING" if rejected or body.get("media") else "LIVE",
        "review": "REJECTED" if rejected else "LIVE",
        "searchUrl": f"https://local.google.com/place?id={cid}&use=posts&lpsid={post_id}",
    }
    state.posts[name] = post
    return post


def _post_view(post: dict[str, Any]) -> dict[str, Any]:
    view: dict[str, Any] = {
        "name": post["name"],
        **copy.deepcopy(post["body"]),
        "createTime": post["createTime"],
        "updateTime": post["updateTime"],
        "state": post["state"],
    }
    if post["state"] == "LIVE":
        view["searchUrl"] = post["searchUrl"]
    if view.get("media"):
        photo_id = post["name"].rpartition("/")[2]
        view["media"] = [
            {
                "name": f"{post['name'].rsplit('/localPosts/', 1)[0]}/media/localPosts/AF1Qip{photo_id}",
                "mediaFormat": "PHOTO",
                "sourceUrl": view["media"][0]["sourceUrl"],
                "googleUrl": f"https://lh3.googleusercontent.com/p/AF1Qip{photo_id}=s0",
            }
        ]
    return view


# --- views -----------------------------------------------------------------------------------------


def _location_view(name: str, title: str) -> dict[str, Any]:
    location = recorded("get_location")
    place = "ChIJ" + _digits(12, "place", name)
    location["name"], location["title"] = name, title
    location["metadata"].update(
        placeId=place,
        mapsUri=maps_uri(name),
        newReviewUri=f"https://search.google.com/local/writereview?placeid={place}",
    )
    return location


def _masked(location: dict[str, Any], read_mask: str) -> dict[str, Any]:
    fields = {field.strip() for field in read_mask.split(",")}
    return {key: value for key, value in location.items() if key in fields}


def _accounts_page(request: httpx.Request, accounts: list[dict[str, Any]]) -> httpx.Response:
    size = request.url.params.get("pageSize", str(MAX_ACCOUNTS_PAGE))
    if not size.isdigit() or not 1 <= int(size) <= MAX_ACCOUNTS_PAGE:
        return _invalid(f"page_size must be from 1 to {MAX_ACCOUNTS_PAGE}.", "page_size")
    return httpx.Response(200, json={"accounts": accounts} if accounts else {})


def _locations_page(request: httpx.Request, locations: list[dict[str, Any]]) -> httpx.Response:
    params = request.url.params
    if not params.get("readMask"):
        return _invalid("read_mask is required.", "read_mask")
    size = params.get("pageSize", "10")
    if not size.isdigit() or not 1 <= int(size) <= MAX_LOCATIONS_PAGE:
        return _invalid(f"page_size must be from 1 to {MAX_LOCATIONS_PAGE}.", "page_size")
    shown = [_masked(location, params["readMask"]) for location in locations]
    return httpx.Response(200, json={"locations": shown, "totalSize": len(shown)} if shown else {})


def _daily_value(location: str, metric: str, day: date, today: date) -> int:
    """A day's count: none for today and later (not reported yet), and none on some days."""
    if day >= today:
        return 0
    key = f"google_business:{location}:{metric}"
    start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    grown = grown_followers(key, start + timedelta(days=1)) - grown_followers(key, start)
    spread = stable_digest("google-business-day", key, day.isoformat())[0]
    if spread % 5 == 0 or (metric in ("BUSINESS_CONVERSATIONS", "BUSINESS_BOOKINGS") and spread % 3):
        return 0
    scale = 12 if metric.startswith("BUSINESS_IMPRESSIONS") else 1
    return max(1, grown) * (1 + spread % 3) * scale


def _range_day(params: httpx.QueryParams, edge: str) -> date | None:
    values = []
    for part in ("year", "month", "day"):
        value = params.get(f"dailyRange.{edge}_date.{part}") or params.get(f"dailyRange.{edge}Date.{part}")
        if value is None or not value.isdigit():
            return None
        values.append(int(value))
    try:
        return date(*values)
    except ValueError:
        return None


def _date_of(value: Any) -> date | None:
    if not isinstance(value, dict):
        return None
    try:
        return date(int(value["year"]), int(value["month"]), int(value["day"]))
    except (KeyError, TypeError, ValueError):
        return None


def _time_of(value: Any) -> tuple[int, int, int] | None | bool:
    """(hours, minutes, seconds); None when absent; False when not a time of day."""
    if value is None:
        return None
    if not isinstance(value, dict):
        return False
    hours, minutes, seconds = (value.get(part, 0) for part in ("hours", "minutes", "seconds"))
    if not all(isinstance(v, int) for v in (hours, minutes, seconds)):
        return False
    if not (0 <= hours <= 23 and 0 <= minutes <= 59 and 0 <= seconds <= 59):
        return False
    return hours, minutes, seconds


def _display_name(username: str) -> str:
    return username.replace("_", " ").replace(".", " ").strip().title() or username


def _invalid(message: str, field: str) -> httpx.Response:
    body = recorded("error_invalid_argument")
    body["error"]["details"][0]["errorDetails"] = [{"code": 3, "field": field, "message": message}]
    return httpx.Response(400, json=body)


def _unauthenticated() -> httpx.Response:
    return api_error(
        401,
        UNAUTHENTICATED_MESSAGE,
        status_name="UNAUTHENTICATED",
        headers={"WWW-Authenticate": 'Bearer realm="https://accounts.google.com/", error="invalid_token"'},
    )
