"""Pinterest adapter: the Pinterest REST API v5 (`https://api.pinterest.com/v5`) for one account.

Boards. Every pin goes to a board the person picks: the `board_id` option (and optionally
`board_section_id`), one of the boards `boards()` lists (`GET /v5/boards`, 250 a page, with their
sections from `GET /v5/boards/{board_id}/sections`; the API shows them as
`GET /v1/accounts/{id}/boards`). A post without `board_id` is refused before any call.

Pins. `POST /v5/pins` with `board_id`, `title` (PostContent.title, 100 characters), `description`
(the text, 500), `link` (the `link` option, else PostContent.link's URL, 2,048; shown on media posts too),
`alt_text` (the option, else the first media item's alt text) and `media_source`:
- one image (or GIF): `image_url` with the media URL (Pinterest fetches it);
- 2 to 5 images: `multiple_image_urls`, one item per image with its `url` (and the post's `link`);
- one video: uploaded first. `POST /v5/media {"media_type": "video"}` registers it and answers a
  `media_id`, an `upload_url` (a signed S3 form) and its `upload_parameters`; the file is POSTed
  there as multipart/form-data with every parameter and then `file` (streamed with a known length
  when the item's size is known, else read whole); `GET /v5/media/{media_id}` is polled on the
  injected clock until `succeeded` (`failed` is permanent, still `registered`/`processing` after
  the last poll is retried later: nothing was published either way); then the pin is made with
  `{"source_type": "video_id", "media_id", "cover_image_url" | "cover_image_key_frame_time"}`.
  Pinterest needs a cover: the `cover_image_url` option, else `cover_image_key_frame_time` (the
  option, in seconds, else 0: the first frame).
A pin is made by one call, so a failure before it leaves nothing published.

Trial access. Pins made by an app with Trial access are visible only to their creator. An app
whose `audited` setting is not true is taken to have Trial access: identity() and every published
pin say so in their notices.

Reconcile. Pinterest takes no idempotency key. `reconcile` lists the target board's pins
(`GET /v5/boards/{board_id}/pins`, newest first) back to an hour ago: a pin with the same title,
description and kind of media made in that hour is the earlier attempt (FOUND); a listing read
to the end of the window without one is ABSENT (a pin is made by a single call, nothing is
published in steps); a failed listing, or more pins in the hour than the pages read, is UNKNOWN.

Metrics. `GET /v5/pins/{pin_id}/analytics` per pin (the multi-pin endpoint is in beta), from 89
days back (Pinterest looks back 90 at most) to today, for IMPRESSION, SAVE, PIN_CLICK,
OUTBOUND_CLICK and VIDEO_MRC_VIEW: the answer's lifetime totals (its summary where a lifetime
value is missing). impressions = IMPRESSION, saves = SAVE, clicks = PIN_CLICK (every click on the
pin, outbound ones included), outbound_clicks = OUTBOUND_CLICK (clicks to the pin's link), views
= VIDEO_MRC_VIEW once a video pin has some (an image pin's 0 is left out). A pin whose analytics
fail is left out, never zeroed.

Tokens. OAuth 2.0 authorization code (no PKCE: Pinterest documents none), exchanged at
`POST /v5/oauth/token` with HTTP Basic client_id:client_secret. Access tokens last 30 days;
refresh tokens are renewed with each refresh (continuous refresh; 60 days) or last a year (legacy
apps): idle accounts are refreshed a week before their access token expires. Pinterest has no
revocation endpoint. There are no comments in API v5: `reply` is refused."""

from __future__ import annotations

import secrets
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import httpx

from herald.platforms import http
from herald.platforms.base import (
    AccountIdentity,
    AppCredentials,
    Board,
    BoardSection,
    Connection,
    Credentials,
    ErrorClass,
    MediaItem,
    MediaLimits,
    OAuthSpec,
    Platform,
    PlatformError,
    PostContent,
    PublishedPost,
    ReconcileOutcome,
    Reconciliation,
    TextLimits,
)
from herald.text import counting

API_HOST = "api.pinterest.com"
API = f"https://{API_HOST}/v5"
AUTHORIZE_URL = "https://www.pinterest.com/oauth/"
TOKEN_URL = f"{API}/oauth/token"
PIN_URL = "https://www.pinterest.com/pin/{pin_id}/"
SCOPES = ("boards:read", "boards:write", "pins:read", "pins:write", "user_accounts:read")
MAX_TITLE = 100
MAX_DESCRIPTION = 500
MAX_ALT_TEXT = 500
MAX_LINK = 2048
MIN_CAROUSEL = 2
MAX_CAROUSEL = 5
PAGE_SIZE = 250  # the listings' largest page_size
BOARD_PAGES = 20  # 5,000 boards at most
SECTION_PAGES = 4  # 1,000 sections a board at most
MEDIA_POLL_SECONDS = 5.0
MEDIA_POLLS = 24  # the first at once, then every MEDIA_POLL_SECONDS: under two minutes in all
ANALYTICS_DAYS_BACK = 89  # Pinterest refuses a start_date more than 90 days back
ANALYTICS_METRICS = ("IMPRESSION", "SAVE", "PIN_CLICK", "OUTBOUND_CLICK", "VIDEO_MRC_VIEW")
RECONCILE_WINDOW = timedelta(hours=1)
RECONCILE_PAGE_SIZE = 50
RECONCILE_PAGES = 4  # beyond 200 pins on the board in the window, absence is not proven: UNKNOWN
DEFAULT_COVER_KEY_FRAME = 0  # seconds into the video
REFRESH_AHEAD = timedelta(days=7)
TRIAL_NOTICE = (
    "The Pinterest app has Trial access: the pins it creates are visible only to their creator until Pinterest "
    "grants Standard access (then set the app's audited setting to true)."
)
PIN_TRIAL_NOTICE = "This pin is visible only to its creator: the Pinterest app has Trial access."
_MB = 1024 * 1024
_NETWORK = "Pinterest"  # in messages
_RATE_LIMIT_CODE = 8
_NOT_PERMITTED_CODE = 29
_BOARD_NOT_FOUND_CODE = 40
_PIN_NOT_FOUND_CODE = 50
_SECTION_NOT_FOUND_CODE = 2031
_IMAGE_REFUSED_CODES = frozenset({233, 235})  # image too small, too large or broken
_MEDIA_WAITING = ("registered", "processing")
_LISTED_MEDIA_TYPES = {"image": ("image",), "video": ("video",), "carousel": ("multiple_images", "multiple_mixed")}


class PinterestPlatform(Platform):
    name = "pinterest"
    text_limits = TextLimits(max_length=MAX_DESCRIPTION, counting="characters")
    # Pinterest's help centre: images up to 20 MB, videos up to 2 GB (unverified against the API).
    media_limits = MediaLimits(
        max_items=MAX_CAROUSEL,
        image_types=("image/jpeg", "image/png", "image/gif", "image/webp", "image/bmp", "image/tiff"),
        video_types=("video/mp4", "video/quicktime", "video/x-m4v"),
        max_image_bytes=20 * _MB,
        max_video_bytes=2048 * _MB,
    )
    oauth = OAuthSpec(authorize_url=AUTHORIZE_URL, token_url=TOKEN_URL, scopes=SCOPES, pkce=False, scope_separator=",")
    refresh_ahead = REFRESH_AHEAD

    # --- connecting --------------------------------------------------------------------------

    @classmethod
    def connect_with_code(
        cls, client: httpx.Client, app: AppCredentials, code: str, redirect_uri: str, code_verifier: str | None
    ) -> Connection:
        """The code's tokens, then the account. Pinterest documents no PKCE: `code_verifier` is not sent."""
        exchanging = cls(client, Credentials(account_id="", username=""), app=app)
        form = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri}
        tokens, expires_at = exchanging._token_grant(form, {}, "the authorization code", reconnect=False)
        reader = cls(client, Credentials(account_id="", username="", tokens=tokens), app=app)
        identity = reader.identity()
        tokens["user_id"] = identity.platform_user_id
        credentials = Credentials(account_id="", username=identity.username, tokens=tokens, expires_at=expires_at)
        return Connection(credentials=credentials, identity=identity)

    def identity(self) -> AccountIdentity:
        """GET /v5/user_account: the username, business name, avatar and follower count."""
        response = self._call("GET", "/user_account")
        account = http.json_object(self, response)
        username = account.get("username")
        if not isinstance(username, str) or not username:
            raise http.malformed(_NETWORK, response, "no username in the user account")
        user_id = account.get("id")
        return AccountIdentity(
            platform_user_id=user_id if isinstance(user_id, str) and user_id else username,
            username=username,
            display_name=_text_or_none(account.get("business_name")),
            avatar_url=_text_or_none(account.get("profile_image")),
            followers=http.count(account, "follower_count"),
            permissions=_scopes(self.credentials.tokens),
            notices=(TRIAL_NOTICE,) if self._trial() else (),
        )

    def boards(self) -> list[Board]:
        """Every board of the account (its own and the group boards it collaborates on), each with
        its sections."""
        found = []
        for board in list(self._paged("/boards", BOARD_PAGES, "boards")):  # every page, then the sections
            board_id, name = board.get("id"), board.get("name")
            if not isinstance(board_id, str) or not isinstance(name, str):
                continue
            found.append(
                Board(
                    id=board_id,
                    name=name,
                    description=_text_or_none(board.get("description")),
                    privacy=_text_or_none(board.get("privacy")),
                    sections=tuple(self._sections(board_id)),
                )
            )
        return found

    def _sections(self, board_id: str) -> Iterator[BoardSection]:
        for section in self._paged(f"/boards/{_segment(board_id)}/sections", SECTION_PAGES, "board sections"):
            if isinstance(section.get("id"), str) and isinstance(section.get("name"), str):
                yield BoardSection(id=section["id"], name=section["name"])

    def _paged(self, path: str, max_pages: int, what: str) -> Iterator[dict[str, Any]]:
        """The items of a bookmark-paginated listing, PAGE_SIZE a page, `max_pages` pages at most."""
        params = {"page_size": str(PAGE_SIZE)}
        for _ in range(max_pages):
            response = self._call("GET", path, params=params)
            body = http.json_object(self, response)
            items = body.get("items")
            if not isinstance(items, list):
                raise http.malformed(_NETWORK, response, f"no items list of {what}")
            yield from (item for item in items if isinstance(item, dict))
            bookmark = body.get("bookmark")
            if not isinstance(bookmark, str) or not bookmark:
                return
            params["bookmark"] = bookmark

    # --- pins --------------------------------------------------------------------------------

    def publish(self, content: PostContent) -> PublishedPost:
        body = self._pin_fields(content)
        body["media_source"] = self._media_source(content)  # a video is uploaded first
        response = self._call("POST", "/pins", json=body)
        pin_id = http.json_object(self, response).get("id")
        if not isinstance(pin_id, str) or not pin_id:
            raise http.malformed(_NETWORK, response, "no id for the new pin")
        return self._published(pin_id, body["board_id"])

    def _published(self, pin_id: str, board_id: str) -> PublishedPost:
        notices = (PIN_TRIAL_NOTICE,) if self._trial() else ()
        return PublishedPost(pin_id, PIN_URL.format(pin_id=pin_id), extra={"board_id": board_id}, notices=notices)

    def _pin_fields(self, content: PostContent) -> dict[str, Any]:
        """The pin's fields besides its media, checked before any call."""
        options = content.options
        board_id = _option(options, "board_id")
        if board_id is None:
            account = self.credentials.account_id or "{id}"
            raise PlatformError(
                ErrorClass.PERMANENT,
                "invalid_content",
                "A Pinterest pin goes to a board: set the board_id option to one of the account's boards "
                f"(GET /v1/accounts/{account}/boards).",
            )
        _check_media(content.media)
        body: dict[str, Any] = {"board_id": board_id}
        section = _option(options, "board_section_id")
        if section is not None:
            body["board_section_id"] = section
        if content.title:
            body["title"] = content.title
        if content.text:
            body["description"] = content.text
        link = _link(content)
        if link is not None:
            if len(link) > MAX_LINK:
                raise PlatformError(
                    ErrorClass.PERMANENT, "invalid_content", f"A Pinterest pin's link is at most {MAX_LINK} characters."
                )
            body["link"] = link
        alt_text = _option(options, "alt_text") or content.media[0].alt
        if alt_text:
            if len(alt_text) > MAX_ALT_TEXT:
                raise PlatformError(
                    ErrorClass.PERMANENT,
                    "invalid_content",
                    f"A Pinterest pin's alt text is at most {MAX_ALT_TEXT} characters ({len(alt_text)} given).",
                )
            body["alt_text"] = alt_text
        return body

    def _media_source(self, content: PostContent) -> dict[str, Any]:
        media = content.media
        if media[0].kind == "video":
            return {"source_type": "video_id", "media_id": self._upload_video(media[0]), **_cover(content.options)}
        if len(media) == 1:
            return {"source_type": "image_url", "url": media[0].url}
        items = []
        link = _link(content)
        for item in media:
            entry = {"url": item.url}
            if link is not None:
                entry["link"] = link
            items.append(entry)
        return {"source_type": "multiple_image_urls", "items": items}

    def reply(self, parent: PublishedPost, content: PostContent) -> PublishedPost:
        raise PlatformError(
            ErrorClass.PERMANENT,
            "not_supported",
            "Pinterest's API has no comments: a pin takes no replies or first comment.",
        )

    def delete(self, platform_post_id: str) -> None:
        """DELETE /v5/pins/{pin_id} (204); a pin that is already gone counts as deleted."""
        try:
            self._call("DELETE", f"/pins/{_segment(platform_post_id)}")
        except PlatformError as error:
            if error.code != "not_found":
                raise

    # --- video upload ------------------------------------------------------------------------

    def _upload_video(self, item: MediaItem) -> str:
        """Register, upload and wait: the media id of a video Pinterest has processed."""
        if item.size is not None and item.size > self.media_limits.max_video_bytes:
            raise PlatformError(
                ErrorClass.PERMANENT,
                "media_too_large",
                f"A Pinterest video is at most {self.media_limits.max_video_bytes // _MB} MB ({item.size} bytes given).",
            )
        response = self._call("POST", "/media", json={"media_type": "video"})
        registered = http.json_object(self, response)
        media_id, upload_url = registered.get("media_id"), registered.get("upload_url")
        parameters = registered.get("upload_parameters")
        if (
            not isinstance(media_id, str)
            or not isinstance(upload_url, str)
            or not upload_url.startswith("https://")
            or not isinstance(parameters, dict)
            or not all(isinstance(value, str) for value in parameters.values())
        ):
            raise http.malformed(_NETWORK, response, "no media_id, https upload_url and upload_parameters")
        self._upload(upload_url, parameters, item)
        self._await_media(media_id)
        return media_id

    def _upload(self, upload_url: str, parameters: Mapping[str, str], item: MediaItem) -> None:
        """POST the file to the signed upload form: every upload parameter, then `file`. The
        signature in the parameters authorizes it: no token goes there."""
        if item.size is not None:
            size, pieces = item.size, _exactly(self.media_source().chunks(item, _MB), item.size)
        else:
            data = self.media_source().read(item)
            size, pieces = len(data), iter((data,))
        mime = item.mime or "video/mp4"
        boundary = secrets.token_hex(16)
        fields = {name: value for name, value in parameters.items() if name.lower() != "content-type"}
        head, tail = _multipart_frame(boundary, fields, _filename(mime), mime)
        headers = {
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "Content-Length": str(len(head) + size + len(tail)),
        }
        body = _chained(head, pieces, tail)
        response = http.send(self, "POST", upload_url, content=body, headers=headers)
        if not response.is_success:
            raise _upload_refused(response)

    def _await_media(self, media_id: str) -> None:
        """Poll the upload until Pinterest has processed it: at once, then every MEDIA_POLL_SECONDS,
        MEDIA_POLLS times at most."""
        status = None
        for poll in range(MEDIA_POLLS):
            if poll:
                self.clock.sleep(MEDIA_POLL_SECONDS)
            response = self._call("GET", f"/media/{_segment(media_id)}")
            status = http.json_object(self, response).get("status")
            if status == "succeeded":
                return
            if status == "failed":
                raise PlatformError(
                    ErrorClass.PERMANENT,
                    "media_unsupported",
                    "Pinterest could not process the video (media status failed); nothing was published.",
                    platform_code="failed",
                )
            if status not in _MEDIA_WAITING:
                raise http.malformed(_NETWORK, response, f"media status {status!r}")
        raise PlatformError(
            ErrorClass.RETRY,
            "media_processing",
            f"Pinterest was still processing the video after {MEDIA_POLLS} status checks; nothing was published, "
            "so it is safe to send again.",
            platform_code=str(status),
        )

    # --- metrics -----------------------------------------------------------------------------

    def metrics(self, platform_post_ids: list[str]) -> dict[str, dict[str, int]]:
        """One analytics call per pin. A pin whose analytics fail is left out; a refused token is
        raised (refresh or reconnect), and a rate limit ends the round with what was read."""
        today = self.clock.now().astimezone(UTC).date()
        params = {
            "start_date": (today - timedelta(days=ANALYTICS_DAYS_BACK)).isoformat(),
            "end_date": today.isoformat(),
            "metric_types": ",".join(ANALYTICS_METRICS),
        }
        found: dict[str, dict[str, int]] = {}
        for pin_id in platform_post_ids:
            try:
                response = self._call("GET", f"/pins/{_segment(pin_id)}/analytics", params=params)
                values = _analytics_values(http.json_object(self, response))
            except PlatformError as error:
                if error.error_class in (ErrorClass.REFRESH, ErrorClass.RECONNECT):
                    raise
                if error.code == "rate_limited":
                    break
                continue
            found[pin_id] = _normalized_metrics(values)
        return found

    # --- reconcile ---------------------------------------------------------------------------

    def reconcile(self, content: PostContent, parent: PublishedPost | None = None) -> Reconciliation:
        if parent is not None:  # Pinterest has no replies: no such step is ever sent
            return Reconciliation(ReconcileOutcome.UNKNOWN)
        board_id = _option(content.options, "board_id")
        if board_id is None:  # refused before any call: nothing can have been made
            return Reconciliation(ReconcileOutcome.ABSENT)
        try:
            return self._find_recent(board_id, content, self.clock.now() - RECONCILE_WINDOW)
        except PlatformError:
            return Reconciliation(ReconcileOutcome.UNKNOWN)

    def _find_recent(self, board_id: str, content: PostContent, since: datetime) -> Reconciliation:
        """The board's pins, newest first, back to `since`: the first made since then with our
        title, description and kind of media."""
        kinds = _LISTED_MEDIA_TYPES[_media_kind(content.media)]
        ours = (_normalized(content.title), _normalized(content.text))
        params = {"page_size": str(RECONCILE_PAGE_SIZE)}
        for _ in range(RECONCILE_PAGES):
            response = self._call("GET", f"/boards/{_segment(board_id)}/pins", params=params)
            body = http.json_object(self, response)
            pins = body.get("items")
            if not isinstance(pins, list):
                return Reconciliation(ReconcileOutcome.UNKNOWN)
            for pin in pins:
                if not isinstance(pin, dict) or not isinstance(pin.get("id"), str):
                    continue
                created = _created_at(pin)
                if created is not None and created < since:
                    return Reconciliation(ReconcileOutcome.ABSENT)  # newest first: the rest is older
                if _same_pin(pin, ours, kinds):
                    if ours == ("", ""):  # nothing to tell a media-only pin from another
                        return Reconciliation(ReconcileOutcome.UNKNOWN)
                    return Reconciliation(ReconcileOutcome.FOUND, self._published(pin["id"], board_id))
            bookmark = body.get("bookmark")
            if not isinstance(bookmark, str) or not bookmark:
                return Reconciliation(ReconcileOutcome.ABSENT)
            params["bookmark"] = bookmark
        return Reconciliation(ReconcileOutcome.UNKNOWN)

    # --- credentials -------------------------------------------------------------------------

    def refresh_credentials(self) -> Credentials:
        """A new access token for the refresh token (and a new refresh token, when Pinterest's
        continuous refresh hands one out). A refused refresh means the person must reconnect."""
        refresh_token = self.credentials.tokens.get("refresh_token")
        if not refresh_token:
            raise PlatformError(
                ErrorClass.RECONNECT,
                "account_disconnected",
                "The Pinterest account has no refresh token: reconnect it.",
            )
        form = {"grant_type": "refresh_token", "refresh_token": refresh_token}
        tokens, expires_at = self._token_grant(form, self.credentials.tokens, "the token refresh", reconnect=True)
        return Credentials(
            account_id=self.credentials.account_id,
            username=self.credentials.username,
            tokens=tokens,
            expires_at=expires_at,
        )

    def _token_grant(
        self, form: dict[str, str], previous: Mapping[str, str], what: str, *, reconnect: bool
    ) -> tuple[dict[str, str], datetime | None]:
        """POST `form` to the token endpoint with the app's credentials (HTTP Basic): the new tokens
        on top of `previous`, and when the access token expires. A refusal (400, 401, 403) is
        RECONNECT for a refresh, PERMANENT authorization_failed for a connection."""
        app = self._app()
        response = http.send(self, "POST", TOKEN_URL, data=form, auth=(app.client_id, app.client_secret or ""))
        if response.status_code in (400, 401, 403):
            refusal = http.body_of(response) or {}
            reason = refusal.get("message") or refusal.get("error_description") or refusal.get("error") or "refused"
            code = f"{response.status_code} {refusal.get('code', refusal.get('error', ''))}".strip()
            if reconnect:
                raise PlatformError(
                    ErrorClass.RECONNECT,
                    "account_disconnected",
                    f"Pinterest refused {what}: {reason}",
                    platform_code=code,
                )
            raise PlatformError(
                ErrorClass.PERMANENT, "authorization_failed", f"Pinterest refused {what}: {reason}", platform_code=code
            )
        grant = http.json_object(self, http.succeeded(self, response))
        if not isinstance(grant.get("access_token"), str) or not grant["access_token"]:
            raise http.malformed(_NETWORK, response, "no access_token in the token answer")
        tokens = {**previous, "access_token": grant["access_token"]}
        for name in ("refresh_token", "scope"):
            if isinstance(grant.get(name), str) and grant[name]:
                tokens[name] = grant[name]
        expires_in = http.count(grant, "expires_in")
        return tokens, self.clock.now() + timedelta(seconds=expires_in) if expires_in else None

    def _app(self) -> AppCredentials:
        if self.app is None or not self.app.client_secret:
            raise PlatformError(
                ErrorClass.PERMANENT,
                "app_not_configured",
                "The Pinterest app's id and secret are not configured for this deployment.",
            )
        return self.app

    def _trial(self) -> bool:
        """Whether the deployment's app has Pinterest's Trial access (not marked audited)."""
        return self.app is not None and not self.app.flag("audited")

    # --- errors ------------------------------------------------------------------------------

    def classify_error(self, response: httpx.Response | None, exc: Exception | None = None) -> PlatformError:
        if response is None:
            return http.transport_error(_NETWORK, exc)
        if response.is_success:
            return http.malformed(_NETWORK, response, "the body is not the JSON Pinterest documents")
        status = response.status_code
        body = http.body_of(response) or {}
        error_code = http.count(body, "code")
        code = f"{status} {error_code}" if error_code is not None else str(status)
        message = str(body.get("message") or f"Pinterest answered HTTP {status}.")
        lowered = message.lower()
        if status == 429 or error_code == _RATE_LIMIT_CODE:
            return PlatformError(
                ErrorClass.RETRY, "rate_limited", message, platform_code=code, retry_at=self._retry_at(response)
            )
        if status == 401:
            if self.credentials.tokens.get("refresh_token"):
                return PlatformError(ErrorClass.REFRESH, "token_expired", message, platform_code=code)
            return PlatformError(ErrorClass.RECONNECT, "account_disconnected", message, platform_code=code)
        if status >= 500 or status == 409:  # 409: Pinterest could not get exclusive access this time
            return PlatformError(ErrorClass.RETRY, "platform_unavailable", message, platform_code=code)
        if error_code in (_BOARD_NOT_FOUND_CODE, _SECTION_NOT_FOUND_CODE) or "board not found" in lowered:
            account = self.credentials.account_id or "{id}"
            return PlatformError(
                ErrorClass.PERMANENT,
                "invalid_content",
                f"{message} Pick a board (and section) from GET /v1/accounts/{account}/boards.",
                platform_code=code,
            )
        if status == 403:
            return _forbidden(error_code, message, code)
        if status == 404 or error_code == _PIN_NOT_FOUND_CODE:
            return PlatformError(ErrorClass.PERMANENT, "not_found", message, platform_code=code)
        if status == 413:
            return PlatformError(ErrorClass.PERMANENT, "media_too_large", message, platform_code=code)
        if status in (400, 422):  # maxItems=5, Unable to reach the URL, a video without a cover, ...
            return PlatformError(ErrorClass.PERMANENT, "invalid_content", message, platform_code=code)
        return PlatformError(ErrorClass.PERMANENT, "platform_error", message, platform_code=code)

    def _retry_at(self, response: httpx.Response) -> datetime | None:
        """When to try again: Retry-After (seconds), else X-RateLimit-Reset (seconds to wait, or a
        Unix time when it reads as one); None when neither says."""
        now = self.clock.now()
        retry_after = response.headers.get("retry-after", "").strip()
        if retry_after.isdigit():
            return now + timedelta(seconds=int(retry_after))
        reset = response.headers.get("x-ratelimit-reset", "").strip()
        if reset.isdigit():
            value = int(reset)
            return http.reset_time(response, "x-ratelimit-reset") if value > 10**9 else now + timedelta(seconds=value)
        return None

    # --- text --------------------------------------------------------------------------------

    def count_text(self, text: str) -> int:
        """Code points after NFC."""
        return counting.characters(text)

    # --- HTTP --------------------------------------------------------------------------------

    def _call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.token('access_token')}"}
        return http.succeeded(self, http.send(self, method, API + path, headers=headers, **kwargs))


# --- requests --------------------------------------------------------------------------------


def _option(options: Mapping[str, Any], name: str) -> str | None:
    value = options.get(name)
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return None
    return value.strip() or None


def _check_media(media: Sequence[MediaItem]) -> None:
    """One image, one video, or 2 to 5 images: anything else is refused before any call."""
    if not media:
        raise PlatformError(ErrorClass.PERMANENT, "invalid_content", "A Pinterest pin needs an image or a video.")
    videos = sum(1 for item in media if item.kind == "video")
    if videos and len(media) > 1:
        raise PlatformError(
            ErrorClass.PERMANENT, "invalid_content", "A Pinterest video pin takes one video and nothing else."
        )
    if len(media) > MAX_CAROUSEL:
        raise PlatformError(
            ErrorClass.PERMANENT,
            "invalid_content",
            f"A Pinterest carousel holds {MIN_CAROUSEL} to {MAX_CAROUSEL} images ({len(media)} given; maxItems=5).",
        )
    if any(item.kind not in ("image", "gif", "video") for item in media):
        raise PlatformError(ErrorClass.PERMANENT, "media_unsupported", "Pinterest takes images and videos only.")


def _cover(options: Mapping[str, Any]) -> dict[str, Any]:
    """A video pin's cover: the cover_image_url option, else cover_image_key_frame_time (seconds;
    0, the first frame, when not given). Pinterest requires one of them."""
    url = _option(options, "cover_image_url")
    if url is not None:
        return {"cover_image_url": url}
    key_frame = options.get("cover_image_key_frame_time")
    if isinstance(key_frame, int) and not isinstance(key_frame, bool) and key_frame >= 0:
        return {"cover_image_key_frame_time": key_frame}
    return {"cover_image_key_frame_time": DEFAULT_COVER_KEY_FRAME}


def _media_kind(media: Sequence[MediaItem]) -> str:
    if media and media[0].kind == "video":
        return "video"
    return "carousel" if len(media) > 1 else "image"


def _segment(value: str) -> str:
    return quote(value, safe="")


def _multipart_frame(boundary: str, fields: Mapping[str, str], filename: str, mime: str) -> tuple[bytes, bytes]:
    """The multipart/form-data body around the file: every field, then the `file` part's header
    (S3 ignores fields after the file); and the closing delimiter."""
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{_quoted_name(name)}"\r\n\r\n{value}\r\n'
        for name, value in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
        f"Content-Type: {mime}\r\n\r\n"
    )
    return "".join(parts).encode("utf-8"), f"\r\n--{boundary}--\r\n".encode()


def _quoted_name(name: str) -> str:
    return name.replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A")


def _filename(mime: str) -> str:
    extension = {"video/quicktime": "mov", "video/x-m4v": "m4v"}.get(mime, "mp4")
    return f"video.{extension}"


def _chained(head: bytes, pieces: Iterator[bytes], tail: bytes) -> Iterator[bytes]:
    yield head
    yield from pieces
    yield tail


def _exactly(pieces: Iterator[bytes], size: int) -> Iterator[bytes]:
    """The pieces, checked to add up to `size` bytes (the Content-Length already sent says so)."""
    sent = 0
    for piece in pieces:
        sent += len(piece)
        if sent > size:
            raise _size_mismatch()
        yield piece
    if sent != size:
        raise _size_mismatch()


def _size_mismatch() -> PlatformError:
    return PlatformError(ErrorClass.PERMANENT, "invalid_content", "The video file is not the size it was said to be.")


def _upload_refused(response: httpx.Response) -> PlatformError:
    """The upload form's refusal (S3 answers XML): too large is permanent; anything else is retried
    with a new registration, since nothing was published."""
    text = response.text
    code = str(response.status_code)
    if response.status_code == 413 or "EntityTooLarge" in text:
        return PlatformError(
            ErrorClass.PERMANENT,
            "media_too_large",
            "The upload form refused the video as too large.",
            platform_code=code,
        )
    if response.status_code >= 500:
        return PlatformError(
            ErrorClass.RETRY, "platform_unavailable", "The video upload failed on the storage side.", platform_code=code
        )
    reason = _xml_text(text, "Code") or "refused"
    return PlatformError(
        ErrorClass.RETRY,
        "media_upload_failed",
        f"The upload form refused the video ({reason}); nothing was published.",
        platform_code=f"{code} {reason}",
    )


def _xml_text(text: str, tag: str) -> str | None:
    start, end = text.find(f"<{tag}>"), text.find(f"</{tag}>")
    return text[start + len(tag) + 2 : end] if 0 <= start < end else None


def _forbidden(error_code: int | None, message: str, code: str) -> PlatformError:
    """403: an image Pinterest refuses, a scope missing (reconnect), an app Trial access keeps from
    doing this, or a board or pin that is not the account's (fix the settings)."""
    lowered = message.lower()
    if error_code in _IMAGE_REFUSED_CODES or "image" in lowered:
        return PlatformError(ErrorClass.PERMANENT, "media_unsupported", message, platform_code=code)
    if "scope" in lowered:
        return PlatformError(ErrorClass.RECONNECT, "account_disconnected", message, platform_code=code)
    if "consumer type" in lowered or "trial" in lowered:
        return PlatformError(
            ErrorClass.PERMANENT,
            "forbidden",
            f"{message} The Pinterest app's Trial access does not allow this: ask Pinterest for Standard access.",
            platform_code=code,
        )
    if error_code == _NOT_PERMITTED_CODE or "board" in lowered:
        return PlatformError(
            ErrorClass.PERMANENT,
            "forbidden",
            f"{message} The board or pin is not the account's (or a group board it may not pin to).",
            platform_code=code,
        )
    return PlatformError(ErrorClass.PERMANENT, "forbidden", message, platform_code=code)


# --- answers ---------------------------------------------------------------------------------


def _analytics_values(body: Mapping[str, Any]) -> dict[str, int]:
    """metric -> lifetime total from the analytics answer (`{"all": {lifetime_metrics,
    summary_metrics, daily_metrics}}`): the lifetime value, else the summary over the period."""
    split = body.get("all") if isinstance(body.get("all"), dict) else {}
    values: dict[str, int] = {}
    for field in ("summary_metrics", "lifetime_metrics"):  # lifetime last: it wins
        metrics = split.get(field)
        if isinstance(metrics, dict):
            for name, value in metrics.items():
                number = _whole(value)
                if number is not None:
                    values[name] = number
    return values


def _normalized_metrics(values: Mapping[str, int]) -> dict[str, int]:
    renamed = (
        ("impressions", "IMPRESSION"),
        ("saves", "SAVE"),
        ("clicks", "PIN_CLICK"),
        ("outbound_clicks", "OUTBOUND_CLICK"),
    )
    metrics = {name: values[field] for name, field in renamed if field in values}
    if values.get("VIDEO_MRC_VIEW"):  # an image pin answers 0 (or nothing): views are a video's
        metrics["views"] = values["VIDEO_MRC_VIEW"]
    return metrics


def _whole(value: Any) -> int | None:
    """A non-negative count from a metric value (an integer, or a float with no fraction)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, float) and value.is_integer() and value >= 0:
        return int(value)
    return None


def _created_at(pin: Mapping[str, Any]) -> datetime | None:
    """The pin's created_at (Pinterest writes UTC without an offset); None when absent or unreadable."""
    text = pin.get("created_at")
    if not isinstance(text, str):
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _same_pin(pin: Mapping[str, Any], ours: tuple[str, str], kinds: tuple[str, ...]) -> bool:
    media = pin.get("media") if isinstance(pin.get("media"), dict) else {}
    listed = media.get("media_type")
    if isinstance(listed, str) and listed not in kinds:
        return False
    return (_normalized(pin.get("title")), _normalized(pin.get("description"))) == ours


def _normalized(text: Any) -> str:
    return unicodedata.normalize("NFC", text).strip() if isinstance(text, str) else ""


def _scopes(tokens: Mapping[str, str]) -> tuple[str, ...]:
    """The scopes the token answer granted (comma-separated); those asked for when it did not say."""
    granted = tuple(scope.strip() for scope in tokens.get("scope", "").replace(" ", ",").split(",") if scope.strip())
    return granted or SCOPES


def _text_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _link(content: PostContent) -> str | None:
    """The pin's destination: the `link` option, else the post's link."""
    chosen = content.options.get("link")
    if isinstance(chosen, str) and chosen:
        return chosen
    return content.link.url if content.link is not None else None
