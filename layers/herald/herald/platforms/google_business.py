"""Google Business Profile adapter: local posts for one business location (My Business API v4
localPosts), with Google OAuth (`herald.platforms.google`, scope business.manage).

Connecting. One consent covers every location the person manages: `connect_all_with_code` lists
their accounts (Account Management API v1 `accounts`) and each account's locations (Business
Information API v1 `{account}/locations?readMask=name,title,storefrontAddress,metadata`, paginated),
and answers one connection per location. Its tokens hold the OAuth tokens and `account`
("accounts/A"), `location` ("locations/L") and `maps_uri` (the location's Maps page); its username
and display name are the location's title, its platform user id the location's name.

Publishing. `POST https://mybusiness.googleapis.com/v4/accounts/{A}/locations/{L}/localPosts` with
the summary (the text, at most 1,500 characters), languageCode, topicType (STANDARD, EVENT, OFFER),
an event (title and schedule, for EVENT and OFFER), an offer, a call to action and at most one photo
(`media: [{mediaFormat: PHOTO, sourceUrl}]`: Google fetches the file itself). The call to action's
URL is the `call_to_action_url` option, else the post's link (`PostContent.link`, handed to this
network even with a photo); a link without a `call_to_action` becomes LEARN_MORE; CALL takes no URL.
The answer's `state`: LIVE is done; REJECTED (a content-policy rejection) is PERMANENT; PROCESSING
is looked at again, PROCESSING_POLLS times at most: the post exists, so one still processing is
returned with a notice. The URL is the post's `searchUrl`, else the location's Maps page.

Local posts have no comments (`reply` is PERMANENT) and no per-post insights any more (`metrics`
answers an empty set for every post). `account_metrics` reads the location's daily metrics from the
Business Profile Performance API (`locations/{L}:fetchMultiDailyMetricsTimeSeries`) and sums them
over the days asked: impressions (desktop and mobile, Maps and Search), website clicks, call
clicks, direction requests, conversations and bookings. A day Google has no value for counts 0.

Reconcile. Google takes no idempotency key: the location's local posts (newest first) are searched
for one with the same summary (and topic, and event title) created within RECONCILE_WINDOW."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

import httpx

from herald.platforms import google, http
from herald.platforms.base import (
    AccountIdentity,
    AppCredentials,
    Connection,
    Credentials,
    ErrorClass,
    MediaLimits,
    PlatformError,
    PostContent,
    PublishedPost,
    ReconcileOutcome,
    Reconciliation,
    TextLimits,
)
from herald.text import counting

ACCOUNTS_URL = "https://mybusinessaccountmanagement.googleapis.com/v1/accounts"
INFORMATION_API = "https://mybusinessbusinessinformation.googleapis.com/v1"
POSTS_API = "https://mybusiness.googleapis.com/v4"
PERFORMANCE_API = "https://businessprofileperformance.googleapis.com/v1"
SCOPES = (google.SCOPE_PREFIX + "business.manage",)
READ_MASK = "name,title,storefrontAddress,metadata"
ACCOUNTS_PAGE_SIZE = 20  # the most accounts.list gives a page
LOCATIONS_PAGE_SIZE = 100  # the most locations.list gives a page
MAX_PAGES = 20  # of accounts, and of each account's locations
MAX_SUMMARY = 1500
TOPIC_TYPES = ("STANDARD", "EVENT", "OFFER")
ACTION_TYPES = ("BOOK", "ORDER", "SHOP", "LEARN_MORE", "SIGN_UP", "CALL")
DEFAULT_ACTION = "LEARN_MORE"
DEFAULT_LANGUAGE = "en"
PROCESSING_POLLS = 4
PROCESSING_POLL_SECONDS = 5.0
RECONCILE_WINDOW = timedelta(hours=24)
POSTS_PAGE_SIZE = 100
POSTS_MAX_PAGES = 3
IMPRESSION_METRICS = (
    "BUSINESS_IMPRESSIONS_DESKTOP_MAPS",
    "BUSINESS_IMPRESSIONS_DESKTOP_SEARCH",
    "BUSINESS_IMPRESSIONS_MOBILE_MAPS",
    "BUSINESS_IMPRESSIONS_MOBILE_SEARCH",
)
OTHER_METRICS = {
    "WEBSITE_CLICKS": "website_clicks",
    "CALL_CLICKS": "call_clicks",
    "BUSINESS_DIRECTION_REQUESTS": "direction_requests",
    "BUSINESS_CONVERSATIONS": "conversations",
    "BUSINESS_BOOKINGS": "bookings",
}
DAILY_METRICS = (*IMPRESSION_METRICS, *OTHER_METRICS)
_NETWORK = "Google Business Profile"
_MB = 1024 * 1024
_API_NOT_ENABLED = ("has not been used in project", "it is disabled", "API has not been enabled")


class GoogleBusinessPlatform(google.GooglePlatform):
    name = "google_business"
    network = _NETWORK
    text_limits = TextLimits(max_length=MAX_SUMMARY, counting="characters")
    media_limits = MediaLimits(
        max_items=1,
        image_types=("image/jpeg", "image/png"),
        video_types=(),
        max_image_bytes=5 * _MB,  # third-party figure (unverified)
        max_video_bytes=0,
    )
    oauth = google.google_oauth(SCOPES)

    # --- connecting --------------------------------------------------------------------------

    @classmethod
    def connect_with_code(
        cls, client: httpx.Client, app: AppCredentials, code: str, redirect_uri: str, code_verifier: str | None
    ) -> Connection:
        return cls.connect_all_with_code(client, app, code, redirect_uri, code_verifier)[0]

    @classmethod
    def connect_all_with_code(
        cls, client: httpx.Client, app: AppCredentials, code: str, redirect_uri: str, code_verifier: str | None
    ) -> list[Connection]:
        """One connection per location of every account the person manages."""
        tokens, expires_at = cls.exchange_code(client, app, code, redirect_uri, code_verifier)
        reader = cls(client, Credentials(account_id="", username="", tokens=tokens), app=app)
        connections: list[Connection] = []
        seen: set[str] = set()
        for account in reader._accounts():
            for location in reader._locations(account):
                if location["name"] in seen:
                    continue
                seen.add(location["name"])
                location_tokens = {**tokens, "account": account, "location": location["name"]}
                maps_uri = _maps_uri(location)
                if maps_uri:
                    location_tokens["maps_uri"] = maps_uri
                identity = _identity(location, tokens)
                credentials = Credentials(
                    account_id="", username=identity.username, tokens=location_tokens, expires_at=expires_at
                )
                connections.append(Connection(credentials=credentials, identity=identity))
        if not connections:
            raise PlatformError(
                ErrorClass.PERMANENT,
                "no_locations",
                "This Google account manages no Business Profile location: create or claim one at "
                "https://business.google.com and connect again.",
            )
        return connections

    def _accounts(self) -> list[str]:
        names: list[str] = []
        params = {"pageSize": str(ACCOUNTS_PAGE_SIZE)}
        for _ in range(MAX_PAGES):
            page = self._get_json(ACCOUNTS_URL, params=params)
            for account in page.get("accounts") or []:
                if isinstance(account, dict) and isinstance(account.get("name"), str):
                    names.append(account["name"])
            if not _next_page(page, params):
                break
        return names

    def _locations(self, account: str) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        params = {"readMask": READ_MASK, "pageSize": str(LOCATIONS_PAGE_SIZE)}
        for _ in range(MAX_PAGES):
            page = self._get_json(f"{INFORMATION_API}/{account}/locations", params=params)
            for location in page.get("locations") or []:
                if isinstance(location, dict) and isinstance(location.get("name"), str):
                    found.append(location)
            if not _next_page(page, params):
                break
        return found

    def identity(self) -> AccountIdentity:
        """The location as the Business Information API shows it now."""
        location = self._get_json(f"{INFORMATION_API}/{self.token('location')}", params={"readMask": READ_MASK})
        if not isinstance(location.get("name"), str):
            raise PlatformError(ErrorClass.RETRY, "platform_unavailable", "The location answer names no location.")
        return _identity(location, self.credentials.tokens)

    # --- posts -------------------------------------------------------------------------------

    def publish(self, content: PostContent) -> PublishedPost:
        body = _local_post(content)
        path = f"{POSTS_API}/{self.token('account')}/{self.token('location')}/localPosts"
        response = self._call("POST", path, json=body)
        post = http.json_object(self, response)
        if not isinstance(post.get("name"), str) or not post["name"]:
            raise http.malformed(_NETWORK, response, "no name for the new local post")
        notices: list[str] = []
        if post.get("state") == "PROCESSING":
            post, notices = self._await_processing(post)
        if post.get("state") == "REJECTED":
            raise _rejected(post)
        return PublishedPost(platform_post_id=post["name"], url=self._url_of(post), notices=tuple(notices))

    def _await_processing(self, post: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
        """Look at a PROCESSING post again until it is LIVE or REJECTED; it exists, so a post still
        processing after the last look (or one that cannot be looked at) is returned with a notice."""
        for _ in range(PROCESSING_POLLS):
            self.clock.sleep(PROCESSING_POLL_SECONDS)
            try:
                seen = self._get_json(f"{POSTS_API}/{post['name']}")
            except PlatformError as error:
                return post, [f"Google's review of the post could not be checked ({error.message})."]
            post = {**post, **seen}
            if post.get("state") != "PROCESSING":
                return post, []
        return post, [
            f"Google was still processing the post after {PROCESSING_POLLS} checks; it shows once Google has "
            "reviewed it."
        ]

    def _url_of(self, post: Mapping[str, Any]) -> str:
        search_url = post.get("searchUrl")
        if isinstance(search_url, str) and search_url:
            return search_url
        return self.credentials.tokens.get("maps_uri") or "https://business.google.com/"

    def reply(self, parent: PublishedPost, content: PostContent) -> PublishedPost:
        raise PlatformError(
            ErrorClass.PERMANENT, "not_supported", "Google Business Profile local posts have no comments or replies."
        )

    def delete(self, platform_post_id: str) -> None:
        """A local post already gone counts as deleted."""
        try:
            self._call("DELETE", f"{POSTS_API}/{platform_post_id}")
        except PlatformError as error:
            if error.code != "not_found":
                raise

    # --- metrics -----------------------------------------------------------------------------

    def metrics(self, platform_post_ids: list[str]) -> dict[str, dict[str, int]]:
        """Google no longer reports per-post insights: nothing for any post (the location's own
        metrics come from `account_metrics`)."""
        return {post_id: {} for post_id in platform_post_ids}

    def account_metrics(self, start: date, end: date) -> dict[str, int]:
        """The location's daily metrics from `start` to `end` (inclusive), summed."""
        if start > end:
            return {}
        params: list[tuple[str, str]] = [("dailyMetrics", metric) for metric in DAILY_METRICS]
        for prefix, day in (("dailyRange.start_date", start), ("dailyRange.end_date", end)):
            params += [
                (f"{prefix}.year", str(day.year)),
                (f"{prefix}.month", str(day.month)),
                (f"{prefix}.day", str(day.day)),
            ]
        url = f"{PERFORMANCE_API}/{self.token('location')}:fetchMultiDailyMetricsTimeSeries"
        body = self._get_json(url, params=params)
        sums = dict.fromkeys(DAILY_METRICS, 0)
        for multi in body.get("multiDailyMetricTimeSeries") or []:
            for series in google.as_dict(multi).get("dailyMetricTimeSeries") or []:
                series = google.as_dict(series)
                metric = series.get("dailyMetric")
                if metric not in sums:
                    continue
                for dated in google.as_dict(series.get("timeSeries")).get("datedValues") or []:
                    sums[metric] += _int64(google.as_dict(dated).get("value"))
        totals = {"impressions": sum(sums[metric] for metric in IMPRESSION_METRICS)}
        totals |= {name: sums[metric] for metric, name in OTHER_METRICS.items()}
        return totals

    # --- reconcile ---------------------------------------------------------------------------

    def reconcile(self, content: PostContent, parent: PublishedPost | None = None) -> Reconciliation:
        """A reply step never publishes anything (ABSENT); the post itself is looked for among the
        location's local posts."""
        if parent is not None:
            return Reconciliation(ReconcileOutcome.ABSENT)
        try:
            return self._find_recent(_local_post(content))
        except PlatformError:
            return Reconciliation(ReconcileOutcome.UNKNOWN)

    def _find_recent(self, ours: dict[str, Any]) -> Reconciliation:
        since = self.clock.now() - RECONCILE_WINDOW
        url = f"{POSTS_API}/{self.token('account')}/{self.token('location')}/localPosts"
        params = {"pageSize": str(POSTS_PAGE_SIZE)}
        for _ in range(POSTS_MAX_PAGES):
            page = self._get_json(url, params=params)
            older = False
            for post in page.get("localPosts") or []:
                post = google.as_dict(post)
                created = google.parsed_time(post.get("createTime"))
                if created is not None and created < since:
                    older = True
                    continue
                if _same_post(post, ours) and isinstance(post.get("name"), str):
                    found = PublishedPost(platform_post_id=post["name"], url=self._url_of(post))
                    return Reconciliation(ReconcileOutcome.FOUND, found)
            if older or not _next_page(page, params):
                return Reconciliation(ReconcileOutcome.ABSENT)
        return Reconciliation(ReconcileOutcome.UNKNOWN)

    # --- errors ------------------------------------------------------------------------------

    def classify_error(self, response: httpx.Response | None, exc: Exception | None = None) -> PlatformError:
        """The §13 rows: RESOURCE_EXHAUSTED retry, UNAUTHENTICATED refresh, PERMISSION_DENIED
        reconnect (not a manager of the location) or permanent (the API not enabled or not approved
        for the project), NOT_FOUND and INVALID_ARGUMENT permanent, UNAVAILABLE and 5xx retry."""
        if response is not None and not response.is_success:
            body = http.body_of(response)
            error = google.google_error(body)
            code = google.platform_code(response.status_code, error)
            if error.status == "PERMISSION_DENIED" and any(text in error.message for text in _API_NOT_ENABLED):
                return PlatformError(
                    ErrorClass.PERMANENT,
                    "app_not_configured",
                    f"{error.message} Enable the Business Profile APIs for the app's project (and apply for API "
                    "access).",
                    platform_code=code,
                )
            classified = google.classify(_NETWORK, response, exc, now=self.clock.now(), can_refresh=self._can_refresh())
            problems = _validation_problems(body)
            if classified.code == "invalid_content" and problems:
                return PlatformError(
                    classified.error_class,
                    classified.code,
                    f"{classified.message} ({problems})",
                    platform_code=classified.platform_code,
                )
            return classified
        return google.classify(_NETWORK, response, exc, now=self.clock.now(), can_refresh=self._can_refresh())

    # --- text --------------------------------------------------------------------------------

    def count_text(self, text: str) -> int:
        return counting.characters(text)


# --- the local post ------------------------------------------------------------------------------


def _local_post(content: PostContent) -> dict[str, Any]:
    """The LocalPost to create, checked as Google checks it."""
    options = content.options
    if len(content.media) > 1 or any(item.kind != "image" for item in content.media):
        raise PlatformError(
            ErrorClass.PERMANENT, "media_unsupported", "A Google Business Profile post takes at most one photo."
        )
    if counting.characters(content.text) > MAX_SUMMARY:
        raise PlatformError(
            ErrorClass.PERMANENT, "invalid_content", f"A local post's summary has at most {MAX_SUMMARY} characters."
        )
    topic = options.get("topic_type", "STANDARD")
    if topic not in TOPIC_TYPES:
        raise _invalid(f"topic_type must be one of {', '.join(TOPIC_TYPES)}.")
    if topic == "STANDARD" and not content.text.strip():
        raise _invalid("A standard local post needs text (its summary).")
    body: dict[str, Any] = {"languageCode": str(options.get("language_code") or DEFAULT_LANGUAGE)}
    if content.text:
        body["summary"] = content.text
    body["topicType"] = topic
    if topic in ("EVENT", "OFFER"):
        body["event"] = _event(content, topic)
    if topic == "OFFER":
        offer = {
            field: options[option]
            for option, field in (
                ("offer_coupon_code", "couponCode"),
                ("offer_redeem_url", "redeemOnlineUrl"),
                ("offer_terms", "termsConditions"),
            )
            if options.get(option)
        }
        if offer:
            body["offer"] = offer
    action = _call_to_action(content)
    if action is not None:
        body["callToAction"] = action
    if content.media:
        body["media"] = [{"mediaFormat": "PHOTO", "sourceUrl": content.media[0].url}]
    return body


def _event(content: PostContent, topic: str) -> dict[str, Any]:
    options = content.options
    missing = [name for name in ("event_start", "event_end") if not options.get(name)]
    if missing:
        raise _invalid(f"An {topic} post needs the options {' and '.join(missing)} (ISO 8601 dates or date-times).")
    title = options.get("event_title") or content.title
    if not isinstance(title, str) or not title.strip():
        raise _invalid(f"An {topic} post needs the option event_title.")
    start_day, start_time = _moment(options["event_start"], "event_start")
    end_day, end_time = _moment(options["event_end"], "event_end")
    if (end_day, end_time or (0, 0, 0)) < (start_day, start_time or (0, 0, 0)):
        raise _invalid("event_end is before event_start.")
    schedule: dict[str, Any] = {"startDate": _date(start_day), "endDate": _date(end_day)}
    if start_time is not None:
        schedule["startTime"] = _time_of_day(start_time)
    if end_time is not None:
        schedule["endTime"] = _time_of_day(end_time)
    return {"title": title, "schedule": schedule}


def _moment(value: Any, option: str) -> tuple[date, tuple[int, int, int] | None]:
    """An ISO 8601 date, or date-time read as the location's local time (an offset is ignored)."""
    if isinstance(value, str):
        try:
            if len(value) == 10:
                return date.fromisoformat(value), None
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
            return moment.date(), (moment.hour, moment.minute, moment.second)
        except ValueError:
            pass
    raise _invalid(f"{option} must be an ISO 8601 date (2030-01-31) or date-time (2030-01-31T18:00).")


def _call_to_action(content: PostContent) -> dict[str, str] | None:
    options = content.options
    action = options.get("call_to_action")
    url = options.get("call_to_action_url") or (content.link.url if content.link is not None else None)
    if action is None:
        return {"actionType": DEFAULT_ACTION, "url": url} if url else None
    if action not in ACTION_TYPES:
        raise _invalid(f"call_to_action must be one of {', '.join(ACTION_TYPES)}.")
    if action == "CALL":  # calls the location's phone number: no URL
        return {"actionType": "CALL"}
    if not url:
        raise _invalid(f"The call to action {action} needs the option call_to_action_url (or a link).")
    return {"actionType": action, "url": url}


def _same_post(post: dict[str, Any], ours: dict[str, Any]) -> bool:
    if post.get("state") == "REJECTED":
        return False
    if google.normalized(str(post.get("summary") or "")) != google.normalized(str(ours.get("summary") or "")):
        return False
    if post.get("topicType", "STANDARD") != ours["topicType"]:
        return False
    return google.as_dict(post.get("event")).get("title") == google.as_dict(ours.get("event")).get("title")


def _rejected(post: Mapping[str, Any]) -> PlatformError:
    return PlatformError(
        ErrorClass.PERMANENT,
        "content_rejected",
        "Google rejected the local post under its content policy (no phone numbers, no offensive or misleading "
        "content).",
        platform_code="REJECTED",
    )


def _invalid(message: str) -> PlatformError:
    return PlatformError(ErrorClass.PERMANENT, "invalid_content", message)


# --- answers -------------------------------------------------------------------------------------


def _identity(location: Mapping[str, Any], tokens: Mapping[str, str]) -> AccountIdentity:
    title = location.get("title") if isinstance(location.get("title"), str) and location.get("title") else None
    return AccountIdentity(
        platform_user_id=location["name"],
        username=title or location["name"],
        display_name=title,
        permissions=google.granted_scopes(tokens),
    )


def _maps_uri(location: Mapping[str, Any]) -> str | None:
    uri = google.as_dict(location.get("metadata")).get("mapsUri")
    return uri if isinstance(uri, str) and uri else None


def _next_page(page: Mapping[str, Any], params: dict[str, str]) -> bool:
    token = page.get("nextPageToken")
    if not isinstance(token, str) or not token:
        return False
    params["pageToken"] = token
    return True


def _validation_problems(body: Mapping[str, Any] | None) -> str:
    """The fields a v4 ValidationError names ("summary: too long; ...")."""
    problems = []
    for detail in google.as_dict(google.as_dict(body).get("error")).get("details") or []:
        for item in google.as_dict(detail).get("errorDetails") or []:
            item = google.as_dict(item)
            if item.get("field") or item.get("message"):
                problems.append(f"{item.get('field', '')}: {item.get('message', '')}".strip(": "))
    return "; ".join(problems)


def _date(day: date) -> dict[str, int]:
    return {"year": day.year, "month": day.month, "day": day.day}


def _time_of_day(moment: tuple[int, int, int]) -> dict[str, int]:
    hours, minutes, seconds = moment
    return {"hours": hours, "minutes": minutes, "seconds": seconds, "nanos": 0}


def _int64(value: Any) -> int:
    """A count the Performance API sends as an int64 string; none (a day without data) is 0."""
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return value if isinstance(value, int) and not isinstance(value, bool) else 0
