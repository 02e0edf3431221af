"""Meta Graph API helpers shared by the Facebook Pages and Instagram adapters, and usable by any
adapter on a Graph-style API (Threads): the API version, calls with a bearer token, following
`paging.next`, error classification by Graph error code and subcode, the Business Use Case
rate-limit header, text matching for reconcile, reading mentions from a newest-first list, and
the Facebook Login steps that Facebook and Instagram both connect with; and `GraphPlatform`, the
base of those two adapters.

Tokens travel in the `Authorization: Bearer` header, never in the query string, so that no URL
(which httpx logs) carries one. The OAuth token endpoint is the exception Meta documents: its
GET takes the app secret and the code as query parameters.

Graph errors come as `{"error": {message, type, code, error_subcode, error_user_msg, fbtrace_id,
is_transient}}` (developers.facebook.com/docs/graph-api/guides/error-handling). The platform
code kept for a target's error is `"{http status} {code}/{subcode}"`."""

from __future__ import annotations

import json
import re
import unicodedata
from abc import abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar

import httpx

from herald.clock import from_iso, to_iso
from herald.platforms import http
from herald.platforms.base import (
    Connection,
    Credentials,
    ErrorClass,
    MentionPage,
    OAuthSpec,
    Platform,
    PlatformError,
    ReceivedMention,
    ReconcileOutcome,
    Reconciliation,
)
from herald.text.counting import characters

if TYPE_CHECKING:
    from herald.platforms.base import AccountIdentity, AppCredentials, PostContent, PublishedPost

GRAPH_VERSION = "v25.0"  # Facebook Pages and Instagram both call this version
GRAPH_HOST = "https://graph.facebook.com"
GRAPH_API = f"{GRAPH_HOST}/{GRAPH_VERSION}"
LOGIN_DIALOG_URL = f"https://www.facebook.com/{GRAPH_VERSION}/dialog/oauth"
TOKEN_URL = f"{GRAPH_API}/oauth/access_token"
BUC_HEADER = "x-business-use-case-usage"  # Page and Instagram tokens: Business Use Case limits
MAX_LIST_PAGES = 5  # pages of a list followed through paging.next before giving up
PAGE_SIZE = 100
RECONCILE_WINDOW = timedelta(hours=1)  # how far back reconcile looks for an earlier attempt's post

# Graph error code -> (class, Herald code). Codes 190 and 102, 200-299 and 100 are decided in
# `_verdict`; subcodes (below) win over codes.
_CODES: dict[int, tuple[ErrorClass, str]] = {
    1: (ErrorClass.RETRY, "platform_unavailable"),  # API Unknown: possibly temporary
    2: (ErrorClass.RETRY, "platform_unavailable"),  # API Service: temporary downtime
    3: (ErrorClass.RECONNECT, "account_disconnected"),  # API Method: capability or permission
    4: (ErrorClass.RETRY, "rate_limited"),  # app request limit
    10: (ErrorClass.RECONNECT, "account_disconnected"),  # permission denied
    17: (ErrorClass.RETRY, "rate_limited"),  # user request limit
    32: (ErrorClass.RETRY, "rate_limited"),  # Page request limit
    341: (ErrorClass.RETRY, "rate_limited"),  # application limit reached
    368: (ErrorClass.PERMANENT, "content_blocked"),  # temporarily blocked for policy violations
    506: (ErrorClass.PERMANENT, "duplicate_content"),  # duplicate post
    613: (ErrorClass.RETRY, "rate_limited"),  # calls within one hour exceeded
    803: (ErrorClass.PERMANENT, "not_found"),  # some of the aliases requested do not exist
    80001: (ErrorClass.RETRY, "rate_limited"),  # Page Business Use Case limit
    80002: (ErrorClass.RETRY, "rate_limited"),  # Instagram Business Use Case limit
    1609005: (ErrorClass.PERMANENT, "invalid_content"),  # the link could not be posted (scrape failed)
}
_SUBCODES: dict[int, tuple[ErrorClass, str]] = {
    33: (ErrorClass.PERMANENT, "not_found"),  # the object does not exist or cannot be loaded
    463: (ErrorClass.REFRESH, "token_expired"),
    458: (ErrorClass.RECONNECT, "account_disconnected"),  # the app was removed
    459: (ErrorClass.RECONNECT, "account_disconnected"),  # the person must log in at facebook.com
    460: (ErrorClass.RECONNECT, "account_disconnected"),  # password changed
    464: (ErrorClass.RECONNECT, "account_disconnected"),  # unconfirmed user
    467: (ErrorClass.RECONNECT, "account_disconnected"),  # invalid token
    492: (ErrorClass.RECONNECT, "account_disconnected"),  # no role on the Page any more
    1390008: (ErrorClass.RETRY, "rate_limited"),  # posting too fast
    1346003: (ErrorClass.PERMANENT, "content_blocked"),  # flagged as abusive
    1363047: (ErrorClass.RETRY, "platform_unavailable"),
    1366046: (ErrorClass.PERMANENT, "media_unsupported"),  # photo over 4 MB or not JPG/PNG
    1366051: (ErrorClass.PERMANENT, "duplicate_content"),  # these photos were already posted
    1404078: (ErrorClass.RECONNECT, "account_disconnected"),  # Page publishing authorization needed
    1609010: (ErrorClass.RETRY, "platform_unavailable"),
    2069019: (ErrorClass.PERMANENT, "media_unsupported"),  # invalid file
    # Instagram content publishing
    2207001: (ErrorClass.PERMANENT, "content_blocked"),  # taken for spam
    2207003: (ErrorClass.RETRY, "media_unreachable"),  # the media download timed out
    2207004: (ErrorClass.PERMANENT, "media_too_large"),
    2207005: (ErrorClass.PERMANENT, "media_unsupported"),  # image format
    2207006: (ErrorClass.RETRY, "media_processing"),  # container not found: start again
    2207008: (ErrorClass.RETRY, "media_processing"),  # container expired: start again
    2207009: (ErrorClass.PERMANENT, "media_unsupported"),  # aspect ratio outside 4:5 to 1.91:1
    2207010: (ErrorClass.PERMANENT, "invalid_content"),  # caption too long
    2207020: (ErrorClass.RETRY, "media_processing"),  # media expired: start again
    2207023: (ErrorClass.PERMANENT, "media_unsupported"),  # unknown media type
    2207026: (ErrorClass.PERMANENT, "media_unsupported"),  # video format
    2207027: (ErrorClass.RETRY, "media_processing"),  # the media is not ready for publishing yet
    2207028: (ErrorClass.PERMANENT, "invalid_content"),  # carousel validation failed
    2207042: (ErrorClass.RETRY, "quota_exceeded"),  # the 24-hour publishing limit
    2207050: (ErrorClass.PERMANENT, "account_restricted"),  # the account is restricted or inactive
    2207051: (ErrorClass.PERMANENT, "content_blocked"),  # action blocked (spam protection)
    2207052: (ErrorClass.RETRY, "media_unreachable"),  # the media could not be fetched
    2207077: (ErrorClass.RETRY, "media_unreachable"),
    2207082: (ErrorClass.RETRY, "media_unreachable"),
    2207085: (ErrorClass.PERMANENT, "media_unsupported"),  # video could not be processed
    36001: (ErrorClass.PERMANENT, "media_unsupported"),  # image resolution
    36003: (ErrorClass.PERMANENT, "media_unsupported"),  # aspect ratio
}
_TOKEN_CODES = frozenset({190, 102})  # OAuthException / API Session: see the subcode, else expired
_STATUS_FALLBACK: dict[int, tuple[ErrorClass, str]] = {
    400: (ErrorClass.PERMANENT, "invalid_content"),
    401: (ErrorClass.REFRESH, "token_expired"),
    404: (ErrorClass.PERMANENT, "not_found"),
    429: (ErrorClass.RETRY, "rate_limited"),
}
_SUBCODE_IN_TEXT = re.compile(r"\b(\d{4,7})\b")
_STEP_SUFFIX = re.compile(r"^[^:]+:[^:]+:\d+$")


# --- calls -----------------------------------------------------------------------------------


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def call(platform: Platform, method: str, url: str, token: str, **kwargs: Any) -> httpx.Response:
    """A Graph call with `token`; any failure is raised classified (`platform.classify_error`)."""
    return http.succeeded(platform, http.send(platform, method, url, headers=bearer(token), **kwargs))


def get_object(platform: Platform, url: str, token: str, **kwargs: Any) -> dict[str, Any]:
    return http.json_object(platform, call(platform, "GET", url, token, **kwargs))


def listing(platform: Platform, url: str, token: str, params: dict[str, str]) -> Iterator[dict[str, Any]]:
    """The items of a Graph list, page after page through `paging.next`, at most MAX_LIST_PAGES
    pages; raises `Truncated` when more pages remain (absence beyond them is not proven)."""
    response = call(platform, "GET", url, token, params=params)
    for page in range(MAX_LIST_PAGES):
        body = http.json_object(platform, response)
        for item in body.get("data") or []:
            if isinstance(item, dict):
                yield item
        next_url = (body.get("paging") or {}).get("next")
        if not isinstance(next_url, str) or not next_url:
            return
        if httpx.URL(next_url).host != httpx.URL(url).host:
            raise http.malformed("Meta", response, "paging.next points at another host")
        if page < MAX_LIST_PAGES - 1:
            response = call(platform, "GET", next_url, token)
    raise Truncated()


class Truncated(Exception):
    """A list went on beyond the pages read."""


def newest_first(platform: Platform, url: str, token: str, params: dict[str, str], pages: int) -> Iterator[dict[str, Any]]:
    """The items of a list Meta gives newest first, page after page through `paging.cursors.after`
    (lists such as /tags, /tagged and /mentions give no `paging.next`) while a page comes full, at
    most `pages` pages. Stop iterating to stop reading."""
    params = dict(params)
    limit = int(params.get("limit", "25"))
    for _ in range(pages):
        response = call(platform, "GET", url, token, params=params)
        body = http.json_object(platform, response)
        data = body.get("data")
        if not isinstance(data, list):
            raise http.malformed("Meta", response, "no data list")
        yield from (item for item in data if isinstance(item, dict))
        paging = body.get("paging") if isinstance(body.get("paging"), dict) else {}
        cursors = paging.get("cursors") if isinstance(paging.get("cursors"), dict) else {}
        after = cursors.get("after")
        if not isinstance(after, str) or not after or (len(data) < limit and not paging.get("next")):
            return
        params["after"] = after


def mention_page(items: Iterator[dict[str, Any]], time_field: str, since: str | None,
                 build: Callable[[dict[str, Any], datetime], ReceivedMention | None]) -> MentionPage:
    """The mentions among `items` (newest first) made at or after the time `since`, each made by
    `build` (None: not a mention, e.g. the account's own); the cursor is the newest time seen. The
    list is read no further than the first item older than `since`."""
    floor = from_iso(since) if since else None
    newest = floor
    found: list[ReceivedMention] = []
    for item in items:
        moment = created_at(item, time_field)
        if moment is None or not isinstance(item.get("id"), str):
            continue
        if floor is not None and moment < floor:
            break
        newest = moment if newest is None else max(newest, moment)
        if (mention := build(item, moment)) is not None:
            found.append(mention)
    return MentionPage(found, to_iso(newest) if newest is not None else None)


def mentions_refusal(error: PlatformError, network: str, permission: str) -> PlatformError:
    """`error` from a mentions read, except a refusal for a missing permission (Graph code 10 or
    200-299): the account still publishes, so it is not disconnected for it; its mentions are not
    read (PERMANENT mentions_not_permitted)."""
    code = _int((error.platform_code or "").partition(" ")[2].partition("/")[0])
    if error.error_class is ErrorClass.RECONNECT and code is not None and (code == 10 or 200 <= code <= 299):
        return PlatformError(
            ErrorClass.PERMANENT,
            "mentions_not_permitted",
            f"{network} refused to show the account's mentions ({permission} is needed): {error.message}",
            platform_code=error.platform_code,
        )
    return error


# --- errors ----------------------------------------------------------------------------------


def classify(network: str, response: httpx.Response | None, exc: Exception | None, now: datetime) -> PlatformError:
    """A failed Graph call as a PlatformError; `network` names it in messages ("Facebook")."""
    if response is None:
        return http.transport_error(network, exc)
    if response.is_success:
        return http.malformed(network, response, "the body is not the JSON object the Graph API documents")
    error = graph_error(response)
    error_class, code = _verdict(response.status_code, error)
    retry_at = usage_reset(response, now) if code in ("rate_limited", "quota_exceeded") else None
    return PlatformError(
        error_class,
        code,
        error_message(error) or f"{network} answered HTTP {response.status_code}.",
        platform_code=platform_code(response.status_code, error),
        retry_at=retry_at,
    )


def refused(code: str, message: str) -> PlatformError:
    return PlatformError(ErrorClass.PERMANENT, code, message)


def classify_subcode(text: str) -> tuple[ErrorClass, str] | None:
    """The verdict for the first known Graph subcode named in `text` (an Instagram container's
    `status`, e.g. "Error: 2207026"); None when it names none."""
    for found in _SUBCODE_IN_TEXT.findall(text):
        if int(found) in _SUBCODES:
            return _SUBCODES[int(found)]
    return None


def graph_error(response: httpx.Response) -> dict[str, Any]:
    error = (http.body_of(response) or {}).get("error")
    return error if isinstance(error, dict) else {}


def error_message(error: dict[str, Any]) -> str:
    """The error's message, followed by the message Meta words for people when it differs."""
    parts = [error.get("message"), error.get("error_user_msg")]
    return " ".join(dict.fromkeys(str(part) for part in parts if part))


def platform_code(status: int, error: dict[str, Any]) -> str:
    code, subcode = _int(error.get("code")), _int(error.get("error_subcode"))
    if code is None:
        return str(status)
    return f"{status} {code}/{subcode}" if subcode is not None else f"{status} {code}"


def usage_reset(response: httpx.Response, now: datetime) -> datetime | None:
    """When a throttled Business Use Case regains access: the largest
    `estimated_time_to_regain_access` (minutes) in the X-Business-Use-Case-Usage header; None
    when the header is absent, unreadable or says 0."""
    try:
        usage = json.loads(response.headers.get(BUC_HEADER, ""))
    except ValueError:
        return None
    minutes = [
        entry.get("estimated_time_to_regain_access")
        for entries in (usage.values() if isinstance(usage, dict) else [])
        for entry in (entries if isinstance(entries, list) else [])
        if isinstance(entry, dict)
    ]
    longest = max((m for m in minutes if isinstance(m, int | float) and not isinstance(m, bool)), default=0)
    return now + timedelta(minutes=longest) if longest > 0 else None


def _verdict(status: int, error: dict[str, Any]) -> tuple[ErrorClass, str]:
    code, subcode = _int(error.get("code")), _int(error.get("error_subcode"))
    if subcode in _SUBCODES:
        return _SUBCODES[subcode]
    if code in _TOKEN_CODES:  # no known subcode: expired, or revoked; a refresh tells which
        return ErrorClass.REFRESH, "token_expired"
    if code in _CODES:
        return _CODES[code]
    if code is not None and 200 <= code <= 299:  # a permission is missing or was removed
        return ErrorClass.RECONNECT, "account_disconnected"
    if error.get("is_transient") is True or status >= 500:
        return ErrorClass.RETRY, "platform_unavailable"
    if code == 100:  # invalid parameter
        return ErrorClass.PERMANENT, "invalid_content"
    return _STATUS_FALLBACK.get(status, (ErrorClass.PERMANENT, "platform_error"))


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


# --- reconcile -------------------------------------------------------------------------------


def same_text(theirs: Any, ours: str) -> bool:
    """Whether a post's text as the network shows it is `ours`: compared after NFC, with line
    breaks unified and the ends trimmed (Meta trims them)."""
    return isinstance(theirs, str) and _plain(theirs) == _plain(ours)


def _plain(text: str) -> str:
    return unicodedata.normalize("NFC", text).replace("\r\n", "\n").strip()


def names_a_later_step(target_key: str) -> bool:
    """Whether `target_key` is a later step's key ("{post}:{account}:{n}", see
    herald.posts.content.Step.key_suffix): on Facebook and Instagram, a first comment."""
    return bool(_STEP_SUFFIX.match(target_key))


def recent_params(fields: str, since: datetime) -> dict[str, str]:
    """The query of a list read for reconcile: `fields` of the items since `since`, a full page at a time."""
    return {"fields": fields, "since": str(int(since.timestamp())), "limit": str(PAGE_SIZE)}


def created_at(item: dict[str, Any], field: str) -> datetime | None:
    """`item[field]` as a time (Graph writes "2030-01-07T08:59:00+0000"); None when absent or unreadable."""
    value = item.get(field)
    try:
        return from_iso(value) if isinstance(value, str) else None
    except ValueError:
        return None


# --- Facebook Login --------------------------------------------------------------------------


def login_oauth(scopes: tuple[str, ...]) -> OAuthSpec:
    """Facebook Login's authorization-code flow: the classic one, without PKCE."""
    return OAuthSpec(authorize_url=LOGIN_DIALOG_URL, token_url=TOKEN_URL, scopes=scopes, pkce=False,
                     scope_separator=",")


@dataclass(frozen=True)
class UserToken:
    """A long-lived Facebook User access token and its lifetime in seconds (about 60 days)."""

    access_token: str
    expires_in: int | None


def exchange_code(platform: Platform, app: AppCredentials, code: str, redirect_uri: str) -> UserToken:
    """The authorization code exchanged for a short-lived User token, then that token for a
    long-lived one (GET oauth/access_token, then grant_type=fb_exchange_token)."""
    secret = app.client_secret or ""
    short = _token_answer(platform, {"client_id": app.client_id, "redirect_uri": redirect_uri,
                                     "client_secret": secret, "code": code})
    return _token_answer(platform, {"grant_type": "fb_exchange_token", "client_id": app.client_id,
                                    "client_secret": secret, "fb_exchange_token": short.access_token})


def _token_answer(platform: Platform, params: dict[str, str]) -> UserToken:
    response = http.succeeded(platform, http.send(platform, "GET", TOKEN_URL, params=params))
    body = http.json_object(platform, response)
    if not isinstance(body.get("access_token"), str):
        raise http.malformed("Facebook", response, "no access_token in the token answer")
    expires_in = body.get("expires_in")
    return UserToken(body["access_token"], expires_in if isinstance(expires_in, int) else None)


def granted_scopes(platform: Platform, user_token: str) -> tuple[str, ...]:
    """The permissions the person granted (GET /me/permissions, status "granted")."""
    body = get_object(platform, f"{GRAPH_API}/me/permissions", user_token)
    return tuple(
        str(entry["permission"])
        for entry in body.get("data") or []
        if isinstance(entry, dict) and entry.get("status") == "granted" and entry.get("permission")
    )


def managed_pages(platform: Platform, user_token: str, fields: str) -> list[dict[str, Any]]:
    """The Pages the person granted the app (GET /me/accounts), each with `fields` (their Page
    access tokens among them)."""
    params = {"fields": fields, "limit": str(PAGE_SIZE)}
    try:
        return [page for page in listing(platform, f"{GRAPH_API}/me/accounts", user_token, params) if page.get("id")]
    except Truncated:
        raise PlatformError(
            ErrorClass.PERMANENT, "too_many_pages", f"More than {MAX_LIST_PAGES * PAGE_SIZE} Pages were granted."
        ) from None


def refreshed_page_credentials(platform: Platform, network: str) -> Credentials:
    """New credentials with the Page access token read again with the stored long-lived User token
    (GET /{page-id}?fields=access_token). A Page token got with a long-lived User token does not
    expire, so the answer has no `expires_at`. A refusal (the User token expired or revoked, the
    Page no longer granted) is RECONNECT; an outage stays RETRY."""
    page_id = platform.token("page_id")
    user_token = platform.token("user_access_token")
    try:
        page = get_object(platform, f"{GRAPH_API}/{page_id}", user_token, params={"fields": "access_token"})
    except PlatformError as error:
        if error.error_class is ErrorClass.RETRY:
            raise
        raise PlatformError(
            ErrorClass.RECONNECT,
            "account_disconnected",
            f"{network} refused to renew the Page token: {error.message}",
            platform_code=error.platform_code,
        ) from error
    if not isinstance(page.get("access_token"), str):
        raise PlatformError(
            ErrorClass.RECONNECT, "account_disconnected", f"{network} no longer gives a token for Page {page_id}."
        )
    credentials = platform.credentials
    tokens = {**credentials.tokens, "access_token": page["access_token"]}
    return Credentials(account_id=credentials.account_id, username=credentials.username, tokens=tokens)


@dataclass(frozen=True)
class PageAccount:
    """The account connecting takes from a granted Page: the Page (its id and Page token), the
    tokens the account adds to the Page's, and who the account is."""

    page: dict[str, Any]
    tokens: dict[str, str]
    identity: AccountIdentity


# --- the adapters ----------------------------------------------------------------------------


class GraphPlatform(Platform):
    """An adapter acting for one account with a Page access token (`access_token`), connected
    through Facebook Login: Facebook Pages and Instagram. A subclass picks its account among the
    granted Pages (`_connected_accounts`) and finds its own posts and comments for `reconcile`."""

    network: ClassVar[str]  # the name people know the network by, in messages ("Facebook")
    page_fields: ClassVar[str]  # the fields /me/accounts is asked for each granted Page

    # --- reconcile ---------------------------------------------------------------------------

    def reconcile(self, content: PostContent, parent: PublishedPost | None = None) -> Reconciliation:
        """FOUND for a post (or, with `parent`, the account's own comment on it) with the same text
        within RECONCILE_WINDOW; ABSENT when the lists were read far enough without one; UNKNOWN
        when they could not be, for a post without text, and for a comment whose parent is not
        given (its comments cannot be searched)."""
        if not content.text.strip() or (parent is None and names_a_later_step(content.target_key)):
            return Reconciliation(ReconcileOutcome.UNKNOWN)
        since = self.clock.now() - RECONCILE_WINDOW
        try:
            if parent is not None:
                found = self._own_comment(parent, content.text, since)
            else:
                found = self._recent_post(content.text, since)
        except (PlatformError, Truncated):
            return Reconciliation(ReconcileOutcome.UNKNOWN)
        if found is None:
            return Reconciliation(ReconcileOutcome.ABSENT)
        return Reconciliation(ReconcileOutcome.FOUND, found)

    @abstractmethod
    def _recent_post(self, text: str, since: datetime) -> PublishedPost | None:
        """The account's post with `text` published since `since`, or None; may raise PlatformError
        or Truncated when that cannot be told."""

    @abstractmethod
    def _own_comment(self, parent: PublishedPost, text: str, since: datetime) -> PublishedPost | None:
        """The account's comment with `text` on `parent` since `since`, or None; may raise as
        `_recent_post`."""

    # --- connecting and credentials ----------------------------------------------------------

    @classmethod
    def connect_with_code(
        cls, client: httpx.Client, app: AppCredentials, code: str, redirect_uri: str, code_verifier: str | None
    ) -> Connection:
        return cls.connect_all_with_code(client, app, code, redirect_uri, code_verifier)[0]

    @classmethod
    def connect_all_with_code(
        cls, client: httpx.Client, app: AppCredentials, code: str, redirect_uri: str, code_verifier: str | None
    ) -> list[Connection]:
        """Facebook Login: the code for a long-lived User token, then one connection for each
        account `_connected_accounts` finds among the granted Pages that give a Page token (the
        person picks the Pages in Facebook's own dialog). `code_verifier` is unused (no PKCE)."""
        connector = cls(client, Credentials(account_id="", username=""), app=app)
        user = exchange_code(connector, app, code, redirect_uri)
        scopes = granted_scopes(connector, user.access_token)
        me = get_object(connector, f"{GRAPH_API}/me", user.access_token, params={"fields": "id,name"})
        pages = managed_pages(connector, user.access_token, cls.page_fields)
        accounts = cls._connected_accounts([p for p in pages if isinstance(p.get("access_token"), str)], scopes)
        shared = {"user_access_token": user.access_token, "user_id": str(me.get("id", ""))}
        if user.expires_in is not None:
            shared["user_token_expires_at"] = to_iso(connector.clock.now() + timedelta(seconds=user.expires_in))
        connections = []
        for account in accounts:
            tokens = {**account.tokens, "page_id": str(account.page["id"]),
                      "access_token": account.page["access_token"], **shared}
            credentials = Credentials(account_id="", username=account.identity.username, tokens=tokens)
            connections.append(Connection(credentials, account.identity))
        return connections

    @classmethod
    @abstractmethod
    def _connected_accounts(cls, pages: list[dict[str, Any]], scopes: tuple[str, ...]) -> list[PageAccount]:
        """The accounts to connect from `pages` (at least one); raises PlatformError when none has one."""

    def revoke(self) -> bool:
        """Not called: Meta revokes per person (DELETE /me/permissions), which would disconnect
        every Page and Instagram account connected through them, not just this one."""
        return False

    def refresh_credentials(self) -> Credentials:
        return refreshed_page_credentials(self, self.network)

    # --- errors and text ---------------------------------------------------------------------

    def classify_error(self, response: httpx.Response | None, exc: Exception | None = None) -> PlatformError:
        return classify(self.network, response, exc, self.clock.now())

    def count_text(self, text: str) -> int:
        return characters(text)

    # --- HTTP --------------------------------------------------------------------------------

    def _call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        return call(self, method, f"{GRAPH_API}/{path}", self.token("access_token"), **kwargs)

    def _object(self, object_id: str, fields: str) -> dict[str, Any]:
        return http.json_object(self, self._call("GET", object_id, params={"fields": fields}))

    def _listing(self, path: str, params: dict[str, str]) -> Iterator[dict[str, Any]]:
        return listing(self, f"{GRAPH_API}/{path}", self.token("access_token"), params)

    def _id_of(self, response: httpx.Response, what: str) -> str:
        body = http.body_of(response) or {}
        if not isinstance(body.get("id"), str):
            raise http.malformed(self.network, response, f"no id for {what}")
        return str(body["id"])
