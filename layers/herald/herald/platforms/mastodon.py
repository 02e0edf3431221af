"""Mastodon adapter: the REST API of the account's own instance (`instance_url` in its tokens).

Connecting. A person pastes the instance URL and an access token made in their instance's
Preferences > Development (`manual_fields`); `connect_with_fields` reads who the token belongs to
(`verify_credentials`) and the instance's limits (`GET /api/v2/instance`), which are kept in the
account's tokens for the content rules (`max_characters`, `characters_reserved_per_url`,
`max_media_attachments`, `image_size_limit`, `video_size_limit`). OAuth is left out: every
instance needs its own app (`POST /api/v1/apps` returns a client id and secret per instance),
which Herald's one-app-per-network configuration cannot hold. Mastodon tokens do not expire, so
`refresh_credentials` always asks for a reconnect.

No double posts. Each status is created with an `Idempotency-Key` derived from the target key
(`idempotency_key_for`): Mastodon keeps the key an hour and answers a repeat with the status
first created under it, so `publish` itself is safe to repeat. `reconcile` never re-sends (that
would publish when the status is absent); it looks for a status with the same source text among
the account's statuses of the last hour, and answers UNKNOWN when it cannot read them all.

Media. Each file is uploaded with `POST /api/v2/media` (multipart, alt text as `description`).
Images are usually processed at once (200, `url` set); video and GIFs answer 202 with `url` null,
and `GET /api/v1/media/{id}` is polled (206 while processing, 200 when done, 422 when processing
failed) a bounded number of times before the status is created with `media_ids`.

Mentions. `GET /api/v1/notifications?types[]=mention` (statuses that mention the account, replies
to it included), newest first, from `since_id` (the newest notification id of the last read), 40
a page, following `max_id` for at most MENTION_PAGES pages. The token needs `read:notifications`;
one without it is refused (403) and its mentions are not read (PERMANENT mentions_not_permitted),
which does not disconnect the account. The status `content` is HTML: its text is kept."""

from __future__ import annotations

import hashlib
import mimetypes
import re
import unicodedata
from collections.abc import Iterator, Mapping
from datetime import datetime, timedelta
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

import httpx

from herald.clock import from_iso
from herald.platforms import http
from herald.platforms.base import (
    MENTION_PAGES,
    AccountIdentity,
    Connection,
    Credentials,
    ErrorClass,
    MediaItem,
    MediaLimits,
    MentionPage,
    Platform,
    PlatformError,
    PostContent,
    PublishedPost,
    ReceivedMention,
    ReconcileOutcome,
    Reconciliation,
    TextLimits,
)
from herald.text.counting import MASTODON_URL_WEIGHT
from herald.text.counting import mastodon as mastodon_length

DEFAULT_MAX_CHARACTERS = 500
DEFAULT_MAX_MEDIA = 4
METRICS_BATCH_SIZE = 20  # GET /api/v1/statuses refuses more than 20 id[] (DEFAULT_STATUSES_LIMIT)
RECONCILE_WINDOW = timedelta(hours=1)  # as long as Mastodon keeps an Idempotency-Key
TIMELINE_PAGE_SIZE = 20  # GET /api/v1/accounts/{id}/statuses: 20 by default, 40 at most
MAX_SOURCE_LOOKUPS = 40  # statuses in the window whose source text is read; beyond, UNKNOWN
NOTIFICATIONS_PAGE_SIZE = 40  # GET /api/v1/notifications: 40 by default, 80 at most
MENTIONS_SCOPE = "read:notifications"
MEDIA_POLL_ATTEMPTS = 20
MEDIA_POLL_SECONDS = 3.0
VISIBILITIES = ("public", "unlisted", "private", "direct")
# Limits of GET /api/v2/instance kept in the tokens: token name -> path in `configuration`.
INSTANCE_LIMITS = {
    "max_characters": ("statuses", "max_characters"),
    "characters_reserved_per_url": ("statuses", "characters_reserved_per_url"),
    "max_media_attachments": ("statuses", "max_media_attachments"),
    "image_size_limit": ("media_attachments", "image_size_limit"),
    "video_size_limit": ("media_attachments", "video_size_limit"),
}
_MB = 1024 * 1024

# Doorkeeper's 401 descriptions: only an expired token is worth a refresh (which then asks for a
# reconnect: Mastodon has no refresh); "The access token is invalid" or "... was revoked" reconnect.
_EXPIRED = "The access token expired"
# Refusals only a person can fix: scopes missing (403), the login disabled, unconfirmed or pending
# approval (403), a token without a user (422). Any other 403 ("This action is not allowed", or a
# proxy's page) is about the request.
_ACCOUNT_REFUSALS = (
    "This action is outside the authorized scopes",
    "Your login is",
    "This method requires an authenticated user",
)
# Mastodon's answers to a file it cannot process (upload 500 or 422, media lookup 422).
_UNPROCESSABLE_MEDIA = ("Error processing thumbnail for uploaded media", "File type of uploaded media could not be verified")
_FILE_INVALID = "Validation failed: File"  # the upload's own validation (type, size)
_NOT_PROCESSED = "Cannot attach files that have not finished processing"
_OAUTH_ERROR = re.compile(r"^[a-z_]+$")  # OAuth error names (unauthorized_client), not prose
_NETWORK = "Mastodon"  # in messages
_RESET_HEADER = "x-ratelimit-reset"  # an ISO 8601 time


def idempotency_key_for(target_key: str) -> str:
    """The `Idempotency-Key` of a target step: SHA-256 of its target key, in hex. Mastodon takes any
    string and suggests "a hash or UUID generated client-side"."""
    return hashlib.sha256(target_key.encode("utf-8")).hexdigest()


def instance_limits(instance: dict[str, Any]) -> dict[str, str]:
    """The instance's limits as tokens (strings), Mastodon's defaults for those it does not show."""
    configuration = instance.get("configuration") if isinstance(instance.get("configuration"), dict) else {}
    defaults = {"max_characters": DEFAULT_MAX_CHARACTERS, "characters_reserved_per_url": MASTODON_URL_WEIGHT,
                "max_media_attachments": DEFAULT_MAX_MEDIA}
    limits: dict[str, str] = {}
    for token, (section, field) in INSTANCE_LIMITS.items():
        values = configuration.get(section) if isinstance(configuration.get(section), dict) else {}
        value = http.count(values, field)
        if value is None:
            value = defaults.get(token)
        if value is not None:
            limits[token] = str(value)
    return limits


def instance_url_from(value: str) -> str:
    """`https://host[:port]` from what a person typed ("mastodon.social", "https://mastodon.social/").
    Anything else (plain http, a path, credentials, a query) is refused: PERMANENT invalid_instance_url."""
    text = value.strip()
    parts = urlsplit(text if "://" in text else f"https://{text}")
    try:
        host, port = parts.hostname, parts.port
    except ValueError:  # a port that is not a number
        host, port = None, None
    if parts.scheme != "https" or not host or parts.username is not None or any(
        (parts.path.strip("/"), parts.query, parts.fragment)
    ):
        raise PlatformError(
            ErrorClass.PERMANENT,
            "invalid_instance_url",
            f"Not a Mastodon instance address: {value!r} (expected e.g. https://mastodon.social).",
        )
    return f"https://{host}" + (f":{port}" if port else "")


_OPTION_RULES: dict[str, tuple[Any, str]] = {
    "visibility": (lambda value: value in VISIBILITIES, "one of " + ", ".join(VISIBILITIES)),
    "spoiler_text": (lambda value: isinstance(value, str), "text"),
    "sensitive": (lambda value: isinstance(value, bool), "true or false"),
    "language": (lambda value: isinstance(value, str) and bool(re.fullmatch(r"[a-z]{2,3}", value)),
                 "an ISO 639 language code such as en"),
}


def status_options(options: Mapping[str, Any]) -> dict[str, Any]:
    """The status fields set by Herald's Mastodon options (visibility, spoiler_text, sensitive,
    language); a value Mastodon would refuse or misread is refused here, before any call."""
    fields: dict[str, Any] = {}
    for name, (valid, expected) in _OPTION_RULES.items():
        if name not in options:
            continue
        if not valid(options[name]):
            raise PlatformError(
                ErrorClass.PERMANENT, "invalid_content", f"The Mastodon option {name} must be {expected}."
            )
        fields[name] = options[name]
    return fields


class MastodonPlatform(Platform):
    name = "mastodon"
    # The instance decides both; these are Mastodon's defaults (the tokens hold the instance's own).
    text_limits = TextLimits(max_length=DEFAULT_MAX_CHARACTERS, counting="mastodon")
    media_limits = MediaLimits(
        max_items=DEFAULT_MAX_MEDIA,
        image_types=("image/jpeg", "image/png", "image/gif", "image/webp", "image/heic", "image/heif"),
        video_types=("video/mp4", "video/quicktime", "video/webm", "video/ogg"),
        max_image_bytes=16 * _MB,
        max_video_bytes=99 * _MB,
    )
    manual_fields = ("instance_url", "access_token")
    reads_mentions = True

    # --- connecting --------------------------------------------------------------------------

    @classmethod
    def connect_with_fields(cls, client: httpx.Client, fields: Mapping[str, str]) -> Connection:
        """Check the pasted token against its instance and read the instance's limits. A refused
        token is PERMANENT invalid_credentials (the person must paste another)."""
        instance_url = instance_url_from(fields.get("instance_url", ""))
        token = (fields.get("access_token") or "").strip()
        if not token:
            raise PlatformError(ErrorClass.PERMANENT, "invalid_credentials", "Paste the account's access token.")
        probe = cls(client, Credentials("", "", {"instance_url": instance_url, "access_token": token}))
        try:
            account = probe._own_account()
        except PlatformError as refused:
            if refused.error_class not in (ErrorClass.REFRESH, ErrorClass.RECONNECT):
                raise
            raise PlatformError(
                ErrorClass.PERMANENT,
                "invalid_credentials",
                f"{instance_url} refused the access token: {refused.message}",
                platform_code=refused.platform_code,
            ) from refused
        instance = probe._instance()
        tokens = {"instance_url": instance_url, "access_token": token, "user_id": account["id"],
                  **instance_limits(instance)}
        domain = instance.get("domain")
        if isinstance(domain, str) and domain:
            tokens["domain"] = domain
        identity = _identity(account, tokens)
        return Connection(Credentials("", identity.username, tokens), identity)

    def identity(self) -> AccountIdentity:
        return _identity(self._own_account(), self.credentials.tokens)

    def revoke(self) -> bool:
        """Revoke the token with the app credentials Herald was given (`self.app`); False without
        them, or when the instance answers that the token belongs to another app (a token pasted
        from the person's own app is revoked by deleting that app in their instance's settings)."""
        if self.app is None or not self.app.client_secret:
            return False
        form = {"client_id": self.app.client_id, "client_secret": self.app.client_secret,
                "token": self.token("access_token")}
        response = http.send(self, "POST", self._url("/oauth/revoke"), data=form)
        if response.status_code == 403:
            return False
        http.succeeded(self, response)
        return True

    def _own_account(self) -> dict[str, Any]:
        response = self._call("GET", "/api/v1/accounts/verify_credentials")
        account = http.json_object(self, response)
        if not isinstance(account.get("id"), str) or not isinstance(account.get("username"), str):
            raise http.malformed(_NETWORK, response, "no id and username for the account")
        return account

    def _instance(self) -> dict[str, Any]:
        """GET /api/v2/instance (Mastodon 4.0+); {} from a server without it, whose limits are then
        taken to be Mastodon's defaults."""
        response = self._send("GET", "/api/v2/instance", authenticated=False)
        if response.status_code == 404:
            return {}
        return http.json_object(self, http.succeeded(self, response))

    # --- posts -------------------------------------------------------------------------------

    def publish(self, content: PostContent) -> PublishedPost:
        return self._create_status(content, in_reply_to=None)

    def reply(self, parent: PublishedPost, content: PostContent) -> PublishedPost:
        return self._create_status(content, in_reply_to=parent.platform_post_id)

    def _create_status(self, content: PostContent, in_reply_to: str | None) -> PublishedPost:
        body: dict[str, Any] = {"status": content.text, **status_options(content.options)}
        self._check_media_count(content.media)
        media_ids = [self._upload(item) for item in content.media]
        if media_ids:
            body["media_ids"] = media_ids
        if in_reply_to:
            body["in_reply_to_id"] = in_reply_to
        headers = {"Idempotency-Key": idempotency_key_for(content.target_key)} if content.target_key else {}
        response = self._call("POST", "/api/v1/statuses", json=body, headers=headers)
        return self._published(_status(response, http.json_object(self, response)))

    def _check_media_count(self, media: tuple[MediaItem, ...]) -> None:
        allowed = _int_token(self.credentials.tokens, "max_media_attachments", DEFAULT_MAX_MEDIA)
        if len(media) > allowed:
            raise PlatformError(
                ErrorClass.PERMANENT,
                "invalid_content",
                f"This Mastodon instance takes at most {allowed} attachments per post; got {len(media)}.",
            )

    def _published(self, status: dict[str, Any]) -> PublishedPost:
        url = status.get("url")
        if not isinstance(url, str) or not url:
            local = self.credentials.username.split("@")[0]
            url = f"{self._url('')}/@{local}/{status['id']}"
        return PublishedPost(platform_post_id=status["id"], url=url)

    def delete(self, platform_post_id: str) -> None:
        """A status that is already gone counts as deleted."""
        try:
            self._call("DELETE", f"/api/v1/statuses/{platform_post_id}")
        except PlatformError as error:
            if error.code != "not_found":
                raise

    # --- media -------------------------------------------------------------------------------

    def _upload(self, item: MediaItem) -> str:
        """Upload one file and wait until Mastodon has processed it; its attachment id."""
        data = self.media_source().read(item)
        files = {"file": (_filename(item), data, _mime(item))}
        form = {"description": item.alt} if item.alt else {}
        response = self._call("POST", "/api/v2/media", files=files, data=form)
        attachment = http.json_object(self, response)
        if not isinstance(attachment.get("id"), str):
            raise http.malformed(_NETWORK, response, "no id for the uploaded media")
        if response.status_code == 202 or not attachment.get("url"):
            self._await_processing(attachment["id"])
        return attachment["id"]

    def _await_processing(self, media_id: str) -> None:
        """Poll until the attachment has its url. Processing that fails is raised as Mastodon
        answers it (422: PERMANENT media_unsupported); processing still running after the last poll
        is RETRY media_processing (no status was created: sending again is safe)."""
        for _ in range(MEDIA_POLL_ATTEMPTS):
            self.clock.sleep(MEDIA_POLL_SECONDS)
            response = self._call("GET", f"/api/v1/media/{media_id}")
            if response.status_code != 206 and http.json_object(self, response).get("url"):
                return
        raise PlatformError(
            ErrorClass.RETRY,
            "media_processing",
            f"Mastodon was still processing media {media_id} after {MEDIA_POLL_ATTEMPTS * MEDIA_POLL_SECONDS:.0f} s.",
        )

    # --- metrics -----------------------------------------------------------------------------

    def metrics(self, platform_post_ids: list[str]) -> dict[str, dict[str, int]]:
        """Metrics of the statuses the instance still shows, 20 at a time with GET /api/v1/statuses
        (Mastodon 4.3+), or one by one where that answers 404 (older servers)."""
        found: dict[str, dict[str, int]] = {}
        wanted = set(platform_post_ids)
        for batch in http.batches(platform_post_ids, METRICS_BATCH_SIZE):
            response = self._send("GET", "/api/v1/statuses", params=[("id[]", post_id) for post_id in batch])
            if response.status_code == 404:
                return self._metrics_one_by_one(platform_post_ids)
            for status in _json_list(http.succeeded(self, response)):
                if isinstance(status, dict) and status.get("id") in wanted:
                    found[status["id"]] = _normalized_metrics(status)
        return found

    def _metrics_one_by_one(self, platform_post_ids: list[str]) -> dict[str, dict[str, int]]:
        found: dict[str, dict[str, int]] = {}
        for post_id in platform_post_ids:
            response = self._send("GET", f"/api/v1/statuses/{post_id}")
            if response.status_code == 404:
                continue  # deleted, or no longer visible
            found[post_id] = _normalized_metrics(http.json_object(self, http.succeeded(self, response)))
        return found

    # --- reconcile ---------------------------------------------------------------------------

    def reconcile(self, content: PostContent, parent: PublishedPost | None = None) -> Reconciliation:
        """Look for the status among the account's own of the last hour, comparing the source text
        each was posted with (GET /api/v1/statuses/{id}/source: the `content` shown is HTML). Never
        re-sends: a repeat with the key would publish the status when it is absent."""
        wanted = _comparable(content.text)
        if not wanted:  # a media-only status: its text cannot tell it from another
            return Reconciliation(ReconcileOutcome.UNKNOWN)
        try:
            recent = self._recent_statuses(self.clock.now() - RECONCILE_WINDOW)
            for lookups, status in enumerate(recent, start=1):
                if lookups > MAX_SOURCE_LOOKUPS:
                    return Reconciliation(ReconcileOutcome.UNKNOWN)
                if self._source_text(status["id"]) == wanted:
                    return Reconciliation(ReconcileOutcome.FOUND, self._published(status))
        except PlatformError:
            return Reconciliation(ReconcileOutcome.UNKNOWN)
        return Reconciliation(ReconcileOutcome.ABSENT)

    def _recent_statuses(self, since: datetime) -> Iterator[dict[str, Any]]:
        """The account's statuses created since `since`, newest first (reblogs left out), page by page."""
        user_id = self.credentials.tokens.get("user_id") or self._own_account()["id"]
        params = {"limit": str(TIMELINE_PAGE_SIZE), "exclude_reblogs": "true"}
        while True:
            response = self._call("GET", f"/api/v1/accounts/{user_id}/statuses", params=params)
            page = [_status(response, status) for status in _json_list(response)]
            for status in page:
                if _created_at(status) < since:
                    return  # the rest are older still
                yield status
            if len(page) < TIMELINE_PAGE_SIZE:
                return
            params["max_id"] = page[-1]["id"]

    def _source_text(self, status_id: str) -> str:
        response = self._call("GET", f"/api/v1/statuses/{status_id}/source")
        text = http.json_object(self, response).get("text")
        if not isinstance(text, str):
            raise http.malformed(_NETWORK, response, "no text in the status source")
        return _comparable(text)

    # --- mentions ----------------------------------------------------------------------------

    def mentions(self, since: str | None) -> MentionPage:
        """Statuses mentioning the account in notifications newer than the notification id `since`;
        the cursor is the newest notification id seen."""
        own = self.credentials.tokens.get("user_id")
        params: list[tuple[str, str]] = [("types[]", "mention"), ("limit", str(NOTIFICATIONS_PAGE_SIZE))]
        if since:
            params.append(("since_id", since))
        found: list[ReceivedMention] = []
        newest = since
        for _ in range(MENTION_PAGES if since else 1):
            try:
                response = self._call("GET", "/api/v1/notifications", params=params)
            except PlatformError as error:
                raise _mentions_refusal(error) from error
            page = [n for n in _json_list(response) if isinstance(n, dict) and isinstance(n.get("id"), str)]
            for notification in page:
                if newest is None or _id_order(notification["id"]) > _id_order(newest):
                    newest = notification["id"]
                status = notification.get("status")
                account = notification.get("account") if isinstance(notification.get("account"), dict) else {}
                if notification.get("type") != "mention" or not isinstance(status, dict):
                    continue
                if isinstance(status.get("id"), str) and (own is None or account.get("id") != own):
                    found.append(_mention(status, account, self.clock.now()))
            if len(page) < NOTIFICATIONS_PAGE_SIZE:
                break
            params = [*(pair for pair in params if pair[0] != "max_id"), ("max_id", page[-1]["id"])]
        return MentionPage(found, newest)

    # --- credentials -------------------------------------------------------------------------

    def refresh_credentials(self) -> Credentials:
        raise PlatformError(
            ErrorClass.RECONNECT,
            "account_disconnected",
            "Mastodon access tokens cannot be refreshed: reconnect the account with a new token.",
        )

    # --- errors ------------------------------------------------------------------------------

    def classify_error(self, response: httpx.Response | None, exc: Exception | None = None) -> PlatformError:
        if response is None:
            return http.transport_error(_NETWORK, exc)
        if response.is_success:
            return http.malformed(_NETWORK, response, "the body is not the JSON Mastodon documents")
        status = response.status_code
        body = http.body_of(response) or {}
        error = str(body.get("error") or "")
        code = _platform_code(status, error)
        message = str(body.get("error_description") or error or f"Mastodon answered HTTP {status}.")
        error_class, herald_code = _class_and_code(status, error)
        retry_at = _reset_at(response) if herald_code == "rate_limited" else None
        return PlatformError(error_class, herald_code, message, platform_code=code, retry_at=retry_at)

    # --- text --------------------------------------------------------------------------------

    def count_text(self, text: str) -> int:
        """Mastodon's count: graphemes, each http(s) URL as the instance's characters_reserved_per_url,
        a remote mention as its local part (herald.text.counting.mastodon)."""
        weight = _int_token(self.credentials.tokens, "characters_reserved_per_url", MASTODON_URL_WEIGHT)
        return mastodon_length(text, url_weight=weight)

    # --- HTTP --------------------------------------------------------------------------------

    def _url(self, path: str) -> str:
        return self.token("instance_url").rstrip("/") + path

    def _send(self, method: str, path: str, *, authenticated: bool = True, headers: dict[str, str] | None = None,
              **kwargs: Any) -> httpx.Response:
        sent = dict(headers or {})
        if authenticated:
            sent["Authorization"] = f"Bearer {self.token('access_token')}"
        return http.send(self, method, self._url(path), headers=sent, **kwargs)

    def _call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        return http.succeeded(self, self._send(method, path, **kwargs))


def _mentions_refusal(error: PlatformError) -> PlatformError:
    """A token refused only for lacking the scope notifications need reads no mentions; it still
    publishes, so the account is not disconnected for it."""
    if error.error_class is ErrorClass.RECONNECT and error.message.startswith(_ACCOUNT_REFUSALS[0]):
        return PlatformError(
            ErrorClass.PERMANENT,
            "mentions_not_permitted",
            f"The access token lacks {MENTIONS_SCOPE}: {error.message}",
            platform_code=error.platform_code,
        )
    return error


def _id_order(notification_id: str) -> tuple[int, str]:
    """Mastodon ids are strings that sort by length, then character by character."""
    return len(notification_id), notification_id


def _mention(status: dict[str, Any], account: dict[str, Any], now: datetime) -> ReceivedMention:
    try:
        created_at = from_iso(str(status.get("created_at")))
    except ValueError:
        created_at = now
    url = status.get("url") or status.get("uri")
    in_reply_to = status.get("in_reply_to_id")
    return ReceivedMention(
        platform_mention_id=status["id"],
        author_handle=str(account.get("acct") or account.get("username") or account.get("id") or ""),
        author_name=_text(account, "display_name"),
        text=plain_text(str(status.get("content") or "")),
        url=url if isinstance(url, str) and url else None,
        created_at=created_at,
        in_reply_to_platform_post_id=in_reply_to if isinstance(in_reply_to, str) else None,
    )


class _TextOf(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.parts.append("\n")
        elif tag == "p" and self.parts:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def plain_text(content: str) -> str:
    """A status's HTML `content` as text: paragraphs apart by a blank line, <br> as a line break,
    tags dropped (a mention's or a link's text stays), entities decoded."""
    parser = _TextOf()
    parser.feed(content)
    parser.close()
    return "".join(parser.parts).strip()


def _status(response: httpx.Response, status: Any) -> dict[str, Any]:
    """`status` when it is a Status (an object with a string id); otherwise a malformed answer."""
    if not isinstance(status, dict) or not isinstance(status.get("id"), str):
        raise http.malformed(_NETWORK, response, "no id for the status")
    return status


def _json_list(response: httpx.Response) -> list[Any]:
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, list):
        raise http.malformed(_NETWORK, response, "not the JSON array Mastodon documents")
    return body


def _identity(account: dict[str, Any], tokens: Mapping[str, str]) -> AccountIdentity:
    """Who `account` (a CredentialAccount) is; the username is `user@domain`, the domain being the one
    the instance names itself by (`domain` in the tokens), else its host."""
    domain = tokens.get("domain") or urlsplit(tokens.get("instance_url", "")).hostname or ""
    return AccountIdentity(
        platform_user_id=account["id"],
        username=f"{account['username']}@{domain}" if domain else account["username"],
        display_name=_text(account, "display_name"),
        avatar_url=_text(account, "avatar"),
        followers=http.count(account, "followers_count"),
        limits={name: _int_token(tokens, name, default) for name, default in
                (("max_characters", DEFAULT_MAX_CHARACTERS), ("max_media_attachments", DEFAULT_MAX_MEDIA))},
    )


def _int_token(tokens: Mapping[str, str], name: str, default: int) -> int:
    try:
        return int(tokens[name])
    except (KeyError, ValueError):
        return default


def _text(values: Mapping[str, Any], field: str) -> str | None:
    value = values.get(field)
    return value if isinstance(value, str) and value else None


def _filename(item: MediaItem) -> str:
    """The upload's file name: the URL's last path segment, or `media` with the MIME type's extension."""
    name = urlsplit(item.url).path.rsplit("/", 1)[-1]
    if name and "." in name:
        return name
    return "media" + (mimetypes.guess_extension(_mime(item)) or "")


def _mime(item: MediaItem) -> str:
    """Mastodon requires the file part's MIME type; guessed from the URL when the item has none."""
    return item.mime or mimetypes.guess_type(urlsplit(item.url).path)[0] or "application/octet-stream"


def _comparable(text: str) -> str:
    return unicodedata.normalize("NFC", text.replace("\r\n", "\n")).strip()


def _created_at(status: dict[str, Any]) -> datetime:
    try:
        return from_iso(str(status.get("created_at")))
    except ValueError as exc:
        raise PlatformError(ErrorClass.RETRY, "platform_unavailable", "A status without a valid created_at.") from exc


def _reset_at(response: httpx.Response) -> datetime | None:
    """X-RateLimit-Reset: an ISO 8601 time on Mastodon (Unix seconds accepted too, as some forks send)."""
    value = response.headers.get(_RESET_HEADER)
    if value is None:
        return None
    try:
        return from_iso(value)
    except ValueError:
        return http.reset_time(response, _RESET_HEADER)


def _class_and_code(status: int, error: str) -> tuple[ErrorClass, str]:
    """How a refusal (HTTP status, Mastodon's `error` text) is handled, and Herald's code for it."""
    if status == 429:
        return ErrorClass.RETRY, "rate_limited"
    if error.startswith(_UNPROCESSABLE_MEDIA):
        return ErrorClass.PERMANENT, "media_unsupported"
    if status >= 500:
        return ErrorClass.RETRY, "platform_unavailable"
    if error.startswith(_NOT_PROCESSED):  # nothing was created: sending again is safe
        return ErrorClass.RETRY, "media_processing"
    if status == 401 and error.startswith(_EXPIRED):
        return ErrorClass.REFRESH, "token_expired"
    if status == 401 or error.startswith(_ACCOUNT_REFUSALS):
        return ErrorClass.RECONNECT, "account_disconnected"
    if status == 403:
        return ErrorClass.PERMANENT, "forbidden"
    if status in (404, 410):
        return ErrorClass.PERMANENT, "not_found"
    if status == 413 or (error.startswith(_FILE_INVALID) and "size" in error):
        return ErrorClass.PERMANENT, "media_too_large"
    if error.startswith(_FILE_INVALID):
        return ErrorClass.PERMANENT, "media_unsupported"
    if status in (400, 422):
        return ErrorClass.PERMANENT, "invalid_content"
    return ErrorClass.PERMANENT, "platform_error"


def _platform_code(status: int, error: str) -> str:
    """The HTTP status, with the error's name when it is an OAuth error name rather than prose."""
    return f"{status} {error}" if _OAUTH_ERROR.match(error) else str(status)


def _normalized_metrics(status: dict[str, Any]) -> dict[str, int]:
    metrics: dict[str, int] = {}
    for name, field in (("likes", "favourites_count"), ("comments", "replies_count")):
        if (value := http.count(status, field)) is not None:
            metrics[name] = value
    shares = [value for field in ("reblogs_count", "quotes_count") if (value := http.count(status, field)) is not None]
    if shares:
        metrics["shares"] = sum(shares)
    return metrics
