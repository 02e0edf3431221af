"""Simulated Pinterest API v5 (api.pinterest.com/v5) and its video upload form (a simulated S3
host) for test-mode accounts.

Answers are built from the recorded exchanges in `recordings/pinterest.json` (Pinterest's
documented examples and its OpenAPI description; each entry names its source), which the
contract tests read too: Error bodies `{"code", "message"}`, 18-digit pin and board ids,
bookmark pagination (`items`, `bookmark`), pins as the API shows them, AnalyticsResponse bodies
(`{"all": {daily_metrics, summary_metrics, lifetime_metrics}}`).

Boards. Every account has two boards whose ids are derived from the account id (the same in
every process, so a person can list them and post): "Ideas" (with the sections "Recipes" and
"Travel") and "Inspiration" (no sections), both public: secret boards are listed only to tokens
with boards:read_secret, which Herald does not ask for; `board_ids(account_id)` names them.

What it checks, as Pinterest documents: the bearer token (401 otherwise); page_size from 1 to 250;
a pin's board (unknown: 404 code 40; another account's: 403 code 29) and section
(404 code 2031); title (100), description (500, Herald's rule; the OpenAPI description says 800),
alt_text (500) and link (an http(s) URL of at most 2,048: 400 code 1); media_source: an http(s)
`image_url` (a host ending in `.invalid` cannot be reached: 400 "Unable to reach the URL"), 2 to 5
`multiple_image_urls` items (more: 400 "maxItems=5"), or a `video_id` whose upload this account
registered and Pinterest processed, with a cover (`cover_image_url` or
`cover_image_key_frame_time`; neither: 400). Analytics: start_date no more than 90 days back,
end_date from start_date to 90 days after it, known metric_types.

Video uploads. `POST /v5/media` registers one and answers an `upload_url` on
pinterest-media-upload.s3-accelerate.amazonaws.com with signed `upload_parameters`; the upload is
a multipart/form-data POST with every parameter (S3 refuses a form whose fields do not match its
policy: 403 AccessDenied, XML), the `file` part last and a Content-Length that is the body's
(400 IncompleteBody otherwise); the policy expires an hour after registration. `GET
/v5/media/{media_id}` answers `registered` until the file is uploaded, `processing` for
PROCESSING_LOOKS looks after it, then `succeeded` (`failed` for an upload `fail_next_video`
marked).

Failure injection (see `herald.platforms.simulators`) answers `POST /v5/pins`: `rate_limited` is
429 code 8 with X-RateLimit-* and Retry-After headers, `server_error` a 503, `timeout` and
`malformed` lose the answer after the pin is made, `expired_token` and `revoked_token` answer 401
until a refresh (refused for a revoked one: 400). `duplicate` changes nothing: Pinterest takes a
repeated pin.

Counts: a pin's analytics grow with the time since it was made (`common.grown_metrics`:
IMPRESSION the impressions, SAVE the saves, PIN_CLICK the clicks, OUTBOUND_CLICK two fifths of
them, VIDEO_MRC_VIEW the reach of a video pin and 0 for an image pin), and the account's
follower_count day by day (`common.grown_followers`).

Before an account exists, `connect_handler` answers the code exchange (codes made by
`simulated_code`, app credentials TEST_CLIENT_ID/TEST_CLIENT_SECRET in HTTP Basic) and the user
account; its tokens name the person they were issued for, so every process agrees on them."""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import re
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import httpx

from herald.platforms.pinterest import MAX_ALT_TEXT, MAX_CAROUSEL, MAX_DESCRIPTION, MAX_LINK, MAX_TITLE, MIN_CAROUSEL
from herald.platforms.simulators import (
    LOCK,
    TEST_CLIENT_ID,
    TEST_CLIENT_SECRET,
    SimulatedAccount,
    accounts_on,
    redeem_code,
    simulated_now,
    stable_digest,
)
from herald.platforms.simulators.common import Simulator, form_body, grown_followers, grown_metrics, request_json

HOST = "api.pinterest.com"
UPLOAD_HOST = "pinterest-media-upload.s3-accelerate.amazonaws.com"
VERSION_PREFIX = "/v5/"
RECORDINGS = Path(__file__).with_name("recordings") / "pinterest.json"
SCOPE = "boards:read,boards:write,pins:read,pins:write,user_accounts:read"
ACCESS_SECONDS = 30 * 24 * 3600
REFRESH_SECONDS = 60 * 24 * 3600  # continuous refresh: renewed with every refresh
MAX_PAGE_SIZE = 250
DEFAULT_PAGE_SIZE = 25
PROCESSING_LOOKS = 1  # status reads answered `processing` after the upload
UPLOAD_POLICY_LIFETIME = timedelta(hours=1)
ANALYTICS_DAYS = 90
PIN_METRICS = (
    "IMPRESSION",
    "OUTBOUND_CLICK",
    "PIN_CLICK",
    "SAVE",
    "SAVE_RATE",
    "TOTAL_COMMENTS",
    "TOTAL_REACTIONS",
    "USER_FOLLOW",
    "PROFILE_VISIT",
    "VIDEO_MRC_VIEW",
    "VIDEO_10S_VIEW",
    "QUARTILE_95_PERCENT_VIEW",
    "VIDEO_V50_WATCH_TIME",
    "VIDEO_START",
    "VIDEO_AVG_WATCH_TIME",
)
# (name, description, privacy, section names): each account's boards, in this order.
BOARDS = (
    ("Ideas", "Everything worth trying", "PUBLIC", ("Recipes", "Travel")),
    ("Inspiration", None, "PUBLIC", ()),
)
_URL = re.compile(r"^https?://[^\s/?#]+\.[^\s/?#]+(?:[/?#]\S*)?$", re.IGNORECASE)
_PIN_PATH = re.compile(r"^pins/(?P<pin>[^/]+)(?P<analytics>/analytics)?$")
_BOARD_PATH = re.compile(r"^boards/(?P<board>[^/]+)/(?P<edge>sections|pins)$")
_MEDIA_PATH = re.compile(r"^media/(?P<media>[^/]+)$")
_MEDIA: dict[str, dict[str, Any]] = {}  # media id -> upload, process-wide (guarded by LOCK)
_FAILING: set[str] = set()  # accounts whose next registered video fails processing (guarded by LOCK)
_sequence = 0  # the low digits of generated ids, process-wide (guarded by LOCK)


@cache
def recordings() -> dict[str, dict[str, Any]]:
    """The recorded exchanges by name (loaded once)."""
    return {entry["name"]: entry for entry in json.loads(RECORDINGS.read_text(encoding="utf-8"))}


def recorded(name: str) -> Any:
    """A copy of the recorded response body `name`: the shape an answer is built from."""
    return copy.deepcopy(recordings()[name]["response"]["body"])


def recorded_response(name: str, message: str | None = None) -> httpx.Response:
    """The recorded answer `name` (status, headers, body), with another message when given."""
    response = recordings()[name]["response"]
    body = recorded(name)
    if message is not None:
        body["message"] = message
    return httpx.Response(response["status"], json=body, headers=response.get("headers"))


def initial_tokens(account_id: str, username: str) -> dict[str, str]:
    return {
        "access_token": _token(account_id, "access", 0),
        "refresh_token": _token(account_id, "refresh", 0),
        "scope": SCOPE,
        "user_id": user_id_for(account_id),
    }


def user_id_for(subject: str) -> str:
    """An 18-digit Pinterest user id, the same for `subject` (an account id, or "@" and a username
    for a connection) in every process."""
    return _digits("pinterest-user", subject)


def board_ids(account_id: str) -> list[str]:
    """The ids of the account's simulated boards, in BOARDS' order."""
    return [board["id"] for board in boards_of(account_id)]


def boards_of(account_id: str) -> list[dict[str, Any]]:
    """The account's boards as `GET /v5/boards` shows them, each with `sections` (its sections as
    `GET /v5/boards/{id}/sections` shows them) added."""
    shapes = recorded("list_boards")["items"]
    found = []
    for index, (name, description, privacy, sections) in enumerate(BOARDS):
        board = shapes[min(index, len(shapes) - 1)]
        board_id = _digits("pinterest-board", account_id, str(index))
        board.update(id=board_id, name=name, description=description, privacy=privacy)
        board["sections"] = [
            {"id": _digits("pinterest-section", account_id, str(index), str(number)), "name": section}
            for number, section in enumerate(sections)
        ]
        found.append(board)
    return found


def fail_next_video(account_id: str) -> None:
    """Make the next video the account registers fail Pinterest's processing (status `failed`)."""
    with LOCK:
        _FAILING.add(account_id)


def _digits(*parts: str) -> str:
    return str(10**17 + int.from_bytes(stable_digest(*parts)[:8], "big") % (9 * 10**17))


def _token(subject: str, kind: str, generation: int) -> str:
    """A token that names its subject, kind ("access" or "refresh") and generation, so connect
    calls can be answered in any process: `pina_…` access tokens and `pinr_…` refresh tokens."""
    claims = base64.urlsafe_b64encode(f"{kind}:{generation}:{subject}".encode()).decode().rstrip("=")
    signature = base64.urlsafe_b64encode(stable_digest("pinterest-token", subject, kind, str(generation))[:24])
    return f"{'pina' if kind == 'access' else 'pinr'}_{claims}.{signature.decode()}"


def _token_claims(token: str) -> tuple[str, str] | None:
    """(kind, subject) of a token `_token` made; None for any other string."""
    claims = token.partition("_")[2].partition(".")[0]
    try:
        kind, generation, subject = base64.urlsafe_b64decode(claims + "=" * (-len(claims) % 4)).decode().split(":", 2)
        genuine = _token(subject, kind, int(generation)) == token
    except ValueError:
        return None
    return (kind, subject) if genuine else None


# --- connecting, before any account exists -----------------------------------------------------


def connect_handler(request: httpx.Request) -> httpx.Response:
    """The token exchange (authorization_code) and the user account of a person who just consented."""
    if request.url.host != HOST:
        raise httpx.ConnectError(f"the Pinterest simulator does not serve {request.url.host}", request=request)
    if (request.method, request.url.path) == ("POST", "/v5/oauth/token"):
        return _exchange_code(request)
    claims = _token_claims(_bearer(request) or "")
    if claims is None or claims[0] != "access":
        return recorded_response("error_unauthorized")
    if (request.method, request.url.path) == ("GET", "/v5/user_account"):
        subject = claims[1]
        return _user_account(user_id_for(subject), subject.removeprefix("@"), pins=0)
    return _not_found(request)


def _exchange_code(request: httpx.Request) -> httpx.Response:
    refused = _refuse_client(request)
    if refused is not None:
        return refused
    form = form_body(request)
    if form.get("grant_type") != "authorization_code" or not form.get("redirect_uri") or not form.get("code"):
        return _oauth_error("Invalid request: grant_type, code and redirect_uri are required.")
    username = redeem_code(form["code"], form.get("code_verifier"))
    if username is None:
        return _oauth_error("Invalid authorization code: it was not issued to this app, or it was used or expired.")
    answer = recorded("oauth_token_code")
    answer.update(
        access_token=_token(f"@{username}", "access", 0),
        refresh_token=_token(f"@{username}", "refresh", 0),
        expires_in=ACCESS_SECONDS,
        refresh_token_expires_in=REFRESH_SECONDS,
        scope=SCOPE,
    )
    return httpx.Response(200, json=answer)


# --- one account -------------------------------------------------------------------------------


class PinterestSimulator(Simulator):
    network = "pinterest"

    def route(self, request: httpx.Request) -> httpx.Response:
        host, path, method = request.url.host, request.url.path, request.method
        if host == UPLOAD_HOST and (method, path) == ("POST", "/"):
            return self._upload(request)
        if host != HOST:
            raise httpx.ConnectError(f"the Pinterest simulator does not serve {host}", request=request)
        if (method, path) == ("POST", "/v5/oauth/token"):
            grant = form_body(request).get("grant_type")
            return self._refresh(request) if grant == "refresh_token" else _exchange_code(request)
        if not path.startswith(VERSION_PREFIX):
            return _not_found(request)
        resource = path.removeprefix(VERSION_PREFIX)
        if (method, resource) == ("POST", "pins"):
            return self._create_pin(request)
        if (method, resource) == ("POST", "media"):
            return self._register_media(request)
        with LOCK:
            state = self.authorized(request)
            if (method, resource) == ("GET", "user_account"):
                return _user_account(state.tokens["user_id"], state.username, pins=len(state.posts))
            if (method, resource) == ("GET", "boards"):
                return _page(request, [_board_view(board) for board in boards_of(state.account_id)])
            if (match := _BOARD_PATH.match(resource)) and method == "GET":
                return _board_edge(request, state, unquote(match["board"]), match["edge"])
            if (match := _PIN_PATH.match(resource)) is not None:
                return _pin_route(request, state, unquote(match["pin"]), analytics=bool(match["analytics"]))
            if (match := _MEDIA_PATH.match(resource)) and method == "GET":
                return _media_status(state, unquote(match["media"]))
        return _not_found(request)

    def refuse_token(self, state: SimulatedAccount, request: httpx.Request) -> httpx.Response | None:
        if _bearer(request) != state.tokens["access_token"] or state.token_expired:
            return recorded_response("error_unauthorized")
        return None

    # --- POST /v5/pins -----------------------------------------------------------------------

    def _create_pin(self, request: httpx.Request) -> httpx.Response:
        now = simulated_now()
        with LOCK:
            failure = self.take_create_failure(request)
            if failure == "rate_limited":
                return recorded_response("error_rate_limited")
            if failure == "server_error":
                return recorded_response("error_server")
            state = self.authorized(request)  # `duplicate` changes nothing: Pinterest takes a repeated pin
            body = request_json(request)
            refused = _invalid_pin(state, body)
            if refused is not None:
                return refused
            pin = _store_pin(state, body, now)
        if (lost := self.after_write(failure, request, "the pin was created")) is not None:
            return lost
        return httpx.Response(201, json=_pin_view(pin, state.username))

    # --- POST /v5/media, and the upload form -------------------------------------------------

    def _register_media(self, request: httpx.Request) -> httpx.Response:
        now = simulated_now()
        with LOCK:
            state = self.authorized(request)
            body = request_json(request)
            if not isinstance(body, dict) or body.get("media_type") != "video":
                return _invalid("Invalid request: media_type must be video.")
            media_id = _new_id()
            answer = recorded("register_media")
            key = f"uploads/{media_id[-2:]}/{media_id[-4:-2]}/{media_id[-6:-4]}/3:video:{state.tokens['user_id']}:{media_id}"
            expires = now + UPLOAD_POLICY_LIFETIME
            policy = base64.b64encode(
                json.dumps(
                    {
                        "expiration": expires.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                        "conditions": [{"key": key}, ["content-length-range", 1, 2048 * 1024 * 1024]],
                    }
                ).encode()
            ).decode()
            parameters = answer["upload_parameters"]
            parameters.update(
                key=key,
                policy=policy,
                **{
                    "x-amz-date": now.strftime("%Y%m%dT%H%M%SZ"),
                    "x-amz-signature": hashlib.sha256(f"{key}:{policy}".encode()).hexdigest(),
                },
            )
            _MEDIA[media_id] = {
                "account_id": state.account_id,
                "key": key,
                "parameters": dict(parameters),
                "expires": expires,
                "uploaded": False,
                "looks_left": PROCESSING_LOOKS,
                "fails": state.account_id in _FAILING,
                "size": 0,
            }
            _FAILING.discard(state.account_id)
        answer.update(media_id=media_id, media_type="video", upload_url=f"https://{UPLOAD_HOST}/")
        return httpx.Response(201, json=answer)

    def _upload(self, request: httpx.Request) -> httpx.Response:
        """The signed S3 form: every policy field, `file` last, a Content-Length that is the body's."""
        boundary = _boundary(request.headers.get("content-type", ""))
        if boundary is None:
            return _s3_error(400, "InvalidArgument", "Bucket POST must be of the enclosure-type multipart/form-data")
        body = request.content
        if request.headers.get("content-length") != str(len(body)):
            return _s3_error(400, "IncompleteBody", "The request body terminated unexpectedly")
        fields, file = _form_parts(body, boundary)
        if file is None:
            return _s3_error(400, "InvalidArgument", "POST requires exactly one file upload per request.")
        with LOCK:
            upload = next((media for media in _MEDIA.values() if media["key"] == fields.get("key")), None)
            if upload is None:
                return _s3_error(
                    403, "AccessDenied", 'Invalid according to Policy: Policy Condition failed: ["eq", "$key", ""]'
                )
            for name, value in upload["parameters"].items():
                if name.lower() != "content-type" and fields.get(name) != value:
                    return _s3_error(
                        403,
                        "AccessDenied",
                        f'Invalid according to Policy: Policy Condition failed: ["eq", "${name}", "{value}"]',
                    )
            if simulated_now() > upload["expires"]:
                return _s3_error(403, "AccessDenied", "Invalid according to Policy: Policy expired.")
            if not file:
                return _s3_error(400, "EntityTooSmall", "Your proposed upload is smaller than the minimum allowed size")
            upload.update(uploaded=True, size=len(file))
        return httpx.Response(204)

    # --- POST /v5/oauth/token (refresh) ------------------------------------------------------

    def _refresh(self, request: httpx.Request) -> httpx.Response:
        refused = _refuse_client(request)
        if refused is not None:
            return refused
        with LOCK:
            state = self.state()
            if form_body(request).get("refresh_token") != state.tokens["refresh_token"] or state.revoked:
                return recorded_response("oauth_token_refused")
            state.rotate_tokens(
                "access_token", "refresh_token", lambda kind, generation: _token(state.account_id, kind, generation)
            )
            answer = recorded("oauth_token_refresh")
            answer.update(
                access_token=state.tokens["access_token"],
                refresh_token=state.tokens["refresh_token"],
                expires_in=ACCESS_SECONDS,
                refresh_token_expires_in=REFRESH_SECONDS,
                scope=state.tokens.get("scope", SCOPE),
            )
        return httpx.Response(200, json=answer)


# --- pins, called with LOCK held ----------------------------------------------------------------


def _invalid_pin(state: SimulatedAccount, body: Any) -> httpx.Response | None:
    if not isinstance(body, dict):
        return _invalid("Invalid request: the body must be a JSON object.")
    board_id = body.get("board_id")
    board = next((b for b in boards_of(state.account_id) if b["id"] == board_id), None)
    if board is None:
        if isinstance(board_id, str) and _board_owner(board_id) is not None:
            return recorded_response("error_not_permitted")
        return recorded_response("error_board_not_found")
    section = body.get("board_section_id")
    if section is not None and section not in {s["id"] for s in board["sections"]}:
        return recorded_response("error_section_not_found")
    for field, limit in (("title", MAX_TITLE), ("description", MAX_DESCRIPTION), ("alt_text", MAX_ALT_TEXT)):
        value = body.get(field)
        if value is not None and (not isinstance(value, str) or len(value) > limit):
            return _invalid(f"Invalid request: {field} must be text of at most {limit} characters.")
    link = body.get("link")
    if link is not None and (not isinstance(link, str) or len(link) > MAX_LINK or not _URL.match(link)):
        return recorded_response("error_invalid_url")
    return _invalid_media(state, body.get("media_source"))


def _invalid_media(state: SimulatedAccount, source: Any) -> httpx.Response | None:
    if not isinstance(source, dict):
        return _invalid("Invalid request: media_source is required.")
    kind = source.get("source_type")
    if kind == "image_url":
        return _unreachable(source.get("url"))
    if kind == "multiple_image_urls":
        items = source.get("items")
        if not isinstance(items, list):
            return _invalid("Invalid request: media_source.items is required.")
        if len(items) > MAX_CAROUSEL:
            return recorded_response("error_max_items")
        if len(items) < MIN_CAROUSEL:
            return _invalid(f"Invalid request: media_source.items: minItems={MIN_CAROUSEL}")
        for item in items:
            refused = _unreachable(item.get("url") if isinstance(item, dict) else None)
            if refused is None and isinstance(item, dict) and item.get("link") is not None:
                refused = None if _URL.match(str(item["link"])) else recorded_response("error_invalid_url")
            if refused is not None:
                return refused
        return None
    if kind == "video_id":
        upload = _MEDIA.get(str(source.get("media_id")))
        if upload is None or upload["account_id"] != state.account_id:
            return _invalid(f"Invalid request: media {source.get('media_id')} is not an upload of this account.")
        if upload["uploaded"] is False or upload["looks_left"] or upload["fails"]:
            return _invalid(
                f"Invalid request: media {source.get('media_id')} has not been processed (its status is "
                f"{_status(upload)}, not succeeded)."
            )
        key_frame = source.get("cover_image_key_frame_time")
        has_frame = isinstance(key_frame, int) and not isinstance(key_frame, bool) and key_frame >= 0
        cover_url = source.get("cover_image_url")
        if cover_url is not None and (not isinstance(cover_url, str) or not _URL.match(cover_url)):
            return recorded_response("error_invalid_url")
        if cover_url is None and not has_frame:
            return recorded_response("error_missing_cover")
        return None
    return _invalid(f"Invalid request: media_source.source_type {kind!r} is not one this simulator takes.")


def _unreachable(url: Any) -> httpx.Response | None:
    if not isinstance(url, str) or not _URL.match(url):
        return recorded_response("error_invalid_url")
    host = httpx.URL(url).host
    if host.endswith(".invalid"):
        return recorded_response("error_unreachable_url", f"Unable to reach the URL: {url}")
    return None


def _store_pin(state: SimulatedAccount, body: dict[str, Any], now: datetime) -> dict[str, Any]:
    source = body["media_source"]
    kind = {"image_url": "image", "multiple_image_urls": "multiple_images", "video_id": "video"}[source["source_type"]]
    pin = {
        "id": _new_id(),
        "created_at": now.strftime("%Y-%m-%dT%H:%M:%S"),
        "title": body.get("title"),
        "description": body.get("description"),
        "link": body.get("link"),
        "alt_text": body.get("alt_text"),
        "board_id": body["board_id"],
        "board_section_id": body.get("board_section_id"),
        "media_type": kind,
        "media_source": copy.deepcopy(source),
    }
    state.posts[pin["id"]] = pin
    return pin


def _pin_view(pin: dict[str, Any], username: str) -> dict[str, Any]:
    shape = {"image": "create_image_pin", "multiple_images": "create_carousel_pin", "video": "create_video_pin"}
    view = recorded(shape[pin["media_type"]])
    view.update(
        id=pin["id"],
        created_at=pin["created_at"],
        title=pin["title"],
        description=pin["description"],
        link=pin["link"],
        alt_text=pin["alt_text"],
        board_id=pin["board_id"],
        board_section_id=pin["board_section_id"],
        board_owner={"username": username},
        creative_type={"image": "REGULAR", "multiple_images": "CAROUSEL", "video": "VIDEO"}[pin["media_type"]],
    )
    return view


def _pin_route(request: httpx.Request, state: SimulatedAccount, pin_id: str, *, analytics: bool) -> httpx.Response:
    pin = state.posts.get(pin_id)
    if pin is None:
        if any(pin_id in other.posts for other in accounts_on("pinterest")):
            return recorded_response("error_board_forbidden")
        return recorded_response("error_pin_not_found")
    if analytics and request.method == "GET":
        return _analytics(request, pin)
    if analytics:
        return _not_found(request)
    if request.method == "DELETE":
        del state.posts[pin_id]
        return httpx.Response(204)
    if request.method == "GET":
        return httpx.Response(200, json=_pin_view(pin, state.username))
    return _not_found(request)


def _board_edge(request: httpx.Request, state: SimulatedAccount, board_id: str, edge: str) -> httpx.Response:
    board = next((b for b in boards_of(state.account_id) if b["id"] == board_id), None)
    if board is None:
        if _board_owner(board_id) is not None:
            return recorded_response("error_not_permitted")
        return recorded_response("error_board_not_found")
    if edge == "sections":
        return _page(request, board["sections"])
    pins = [_pin_view(pin, state.username) for pin in reversed(state.posts.values()) if pin["board_id"] == board_id]
    return _page(request, pins)  # newest first


def _board_owner(board_id: str) -> SimulatedAccount | None:
    return next((state for state in accounts_on("pinterest") if board_id in board_ids(state.account_id)), None)


def _board_view(board: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in board.items() if name != "sections"}


# --- analytics -------------------------------------------------------------------------------------


def _analytics(request: httpx.Request, pin: dict[str, Any]) -> httpx.Response:
    params = request.url.params
    today = simulated_now().date()
    try:
        start, end = date.fromisoformat(params.get("start_date", "")), date.fromisoformat(params.get("end_date", ""))
    except ValueError:
        return _invalid("Invalid pins analytics parameters: start_date and end_date must be dates (YYYY-MM-DD).")
    if start < today - timedelta(days=ANALYTICS_DAYS):
        return _invalid(
            f"Invalid pins analytics parameters: start_date cannot be more than {ANALYTICS_DAYS} days back from today."
        )
    if end < start or end > start + timedelta(days=ANALYTICS_DAYS):
        return _invalid("Invalid pins analytics parameters: end_date must be from start_date to 90 days after it.")
    metrics = [name for name in params.get("metric_types", "").split(",") if name]
    if not metrics or any(name not in PIN_METRICS for name in metrics):
        return _invalid(f"Invalid pins analytics parameters: metric_types must be among {', '.join(PIN_METRICS)}.")
    now = simulated_now()
    created = datetime.fromisoformat(pin["created_at"]).replace(tzinfo=UTC)
    daily = []
    day = start
    while day <= end:
        begin, finish = _midnight(day), min(_midnight(day + timedelta(days=1)), now)
        before = _midnight(day + timedelta(days=1)) <= created
        status = "BEFORE_PIN_CREATED" if before else ("READY" if day < today else "PROCESSING")
        daily.append(
            {"data_status": status, "date": day.isoformat(), "metrics": _between(pin, metrics, begin, finish, now)}
        )
        day += timedelta(days=1)
    summary = _between(pin, metrics, _midnight(start), min(_midnight(end + timedelta(days=1)), now), now)
    lifetime = _counts(pin, metrics, now)
    answer = recorded("pin_analytics")
    answer["all"].update(daily_metrics=daily, summary_metrics=summary, lifetime_metrics=lifetime)
    return httpx.Response(200, json=answer)


def _counts(pin: dict[str, Any], metrics: list[str], at: datetime) -> dict[str, int]:
    """The pin's lifetime counts at `at`, grown since it was made."""
    created = datetime.fromisoformat(pin["created_at"]).replace(tzinfo=UTC)
    grown = grown_metrics(pin["id"], created, at)
    values = {
        "IMPRESSION": grown["impressions"],
        "SAVE": grown["saves"],
        "PIN_CLICK": grown["clicks"],
        "OUTBOUND_CLICK": grown["clicks"] * 2 // 5,
        "VIDEO_MRC_VIEW": grown["reach"] if pin["media_type"] == "video" else 0,
    }
    return {name: values.get(name, 0) for name in metrics}


def _between(pin: dict[str, Any], metrics: list[str], begin: datetime, end: datetime, now: datetime) -> dict[str, int]:
    if end <= begin:
        return dict.fromkeys(metrics, 0)
    before, after = _counts(pin, metrics, min(begin, now)), _counts(pin, metrics, end)
    return {name: max(0, after[name] - before[name]) for name in metrics}


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


# --- media, called with LOCK held ---------------------------------------------------------------


def _status(upload: dict[str, Any]) -> str:
    if not upload["uploaded"]:
        return "registered"
    if upload["looks_left"]:
        return "processing"
    return "failed" if upload["fails"] else "succeeded"


def _media_status(state: SimulatedAccount, media_id: str) -> httpx.Response:
    upload = _MEDIA.get(media_id)
    if upload is None or upload["account_id"] != state.account_id:
        return httpx.Response(404, json={"code": 404, "message": "Media upload not found"})
    status = _status(upload)
    if status == "processing":
        upload["looks_left"] -= 1
    answer = recorded("media_succeeded")
    answer.update(media_id=media_id, status=status)
    return httpx.Response(200, json=answer)


def _boundary(content_type: str) -> str | None:
    kind, _, rest = content_type.partition(";")
    if kind.strip().lower() != "multipart/form-data":
        return None
    match = re.search(r'boundary="?([^";]+)"?', rest)
    return match[1] if match else None


def _form_parts(body: bytes, boundary: str) -> tuple[dict[str, str], bytes | None]:
    """The form's fields before the file, and the file's bytes (None when there is no `file` part).
    Fields after the file are ignored, as S3 ignores them."""
    fields: dict[str, str] = {}
    delimiter = b"--" + boundary.encode()
    for part in body.split(delimiter)[1:]:
        if part.startswith(b"--"):
            break
        head, _, content = part.removeprefix(b"\r\n").partition(b"\r\n\r\n")
        content = content.removesuffix(b"\r\n")
        disposition = next(
            (
                line
                for line in head.decode("utf-8", "replace").split("\r\n")
                if line.lower().startswith("content-disposition:")
            ),
            "",
        )
        name = re.search(r'\bname="([^"]*)"', disposition)
        if name is None:
            continue
        if name[1] == "file":
            return fields, content
        fields[name[1]] = content.decode("utf-8", "replace")
    return fields, None


def _s3_error(status: int, code: str, message: str) -> httpx.Response:
    xml = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code><Message>{message}</Message>'
        "<RequestId>4442587FB7D0A2F9</RequestId><HostId>Z3JpbmdvbGQ=</HostId></Error>"
    )
    return httpx.Response(status, text=xml, headers={"Content-Type": "application/xml"})


# --- answers shared by both handlers -----------------------------------------------------------


def _user_account(user_id: str, username: str, *, pins: int) -> httpx.Response:
    answer = recorded("user_account")
    picture = hashlib.sha256(f"pinterest-avatar:{user_id}".encode()).hexdigest()
    answer.update(
        id=user_id,
        username=username,
        business_name=username.replace("_", " ").title(),
        profile_image=f"https://i.pinimg.com/280x280_RS/{picture[:2]}/{picture[2:4]}/{picture[4:6]}/{picture[:32]}.jpg",
        website_url=None,
        board_count=len(BOARDS),
        pin_count=pins,
        follower_count=grown_followers(f"pinterest:{user_id}", simulated_now()),
    )
    return httpx.Response(200, json=answer)


def _page(request: httpx.Request, items: list[dict[str, Any]]) -> httpx.Response:
    """One page of a bookmark-paginated listing (`page_size`, `bookmark`)."""
    size = request.url.params.get("page_size", str(DEFAULT_PAGE_SIZE))
    if not size.isdigit() or not 1 <= int(size) <= MAX_PAGE_SIZE:
        return _invalid(f"Invalid request: page_size must be from 1 to {MAX_PAGE_SIZE}.")
    start = 0
    if "bookmark" in request.url.params:
        start = _bookmark_offset(request.url.params["bookmark"])
        if start is None:
            return _invalid("Invalid request: the bookmark is not one this listing gave.")
    end = start + int(size)
    bookmark = _bookmark(end) if end < len(items) else None
    return httpx.Response(200, json={"items": items[start:end], "bookmark": bookmark})


def _bookmark(offset: int) -> str:
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode()


def _bookmark_offset(bookmark: str) -> int | None:
    try:
        text = base64.urlsafe_b64decode(bookmark.encode()).decode()
    except ValueError:
        return None
    value = text.removeprefix("offset:")
    return int(value) if text.startswith("offset:") and value.isdigit() else None


def _new_id() -> str:
    """An 18-digit id from the time and a process-wide sequence. Call with LOCK held."""
    global _sequence
    _sequence = (_sequence + 1) % 1000
    return str(10**17 + (int(simulated_now().timestamp() * 1000) * 1000 + _sequence) % (9 * 10**17))


def _refuse_client(request: httpx.Request) -> httpx.Response | None:
    expected = base64.b64encode(f"{TEST_CLIENT_ID}:{TEST_CLIENT_SECRET}".encode()).decode()
    if request.headers.get("authorization") != f"Basic {expected}":
        return httpx.Response(401, json={"code": 2, "message": "Authentication failed: invalid client credentials."})
    return None


def _oauth_error(message: str) -> httpx.Response:
    return recorded_response("oauth_token_refused", message)


def _invalid(message: str) -> httpx.Response:
    return httpx.Response(400, json={"code": 1, "message": message})


def _not_found(request: httpx.Request) -> httpx.Response:
    return httpx.Response(404, json={"code": 404, "message": f"No such endpoint: {request.method} {request.url.path}"})



def _bearer(request: httpx.Request) -> str | None:
    header = request.headers.get("authorization", "")
    return header.removeprefix("Bearer ") if header.startswith("Bearer ") else None
