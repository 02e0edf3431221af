"""Threads adapter: Meta's Threads API (graph.threads.net/v1.0) with the account's long-lived
user token.

Publishing is a container flow. Each post is a media container (`POST /{user-id}/threads`: TEXT,
IMAGE or VIDEO, or a CAROUSEL of 2 to 20 IMAGE/VIDEO item containers) that Threads builds on its
side, fetching images and videos from their URLs itself. The adapter polls each container
(`GET /{container-id}?fields=status,error_message`) until it is FINISHED, within a bounded number
of polls on the injected clock, then publishes it (`POST /{user-id}/threads_publish`). Replies
(thread parts and first comments) are containers with `reply_to_id`. Nothing is public before
threads_publish, so a failure before it (a container that never finishes, a refused item) leaves
nothing behind: containers that are never published expire after 24 hours.

Meta asks apps to enforce the publishing limit themselves (250 posts and 1,000 replies per profile
in a moving 24 hours). Before creating anything the adapter reads
`GET /{user-id}/threads_publishing_limit`; a profile at its limit is answered `rate_limited`,
to be tried again an hour later, without a container being made.

Threads has no idempotency key: `reconcile` looks for a post with the same text (and kind of media)
among the account's posts (`GET /{user-id}/threads`) and replies (`GET /{user-id}/replies`) of
the last hour. After threads_publish has answered, nothing may raise: the post is out, so its
public URL (`GET /{media-id}?fields=permalink,shortcode`) falls back to one built from what is
known when that lookup fails.

Mentions. `GET /{user-id}/mentions` (public posts by other profiles that @mention the account),
newest first, 100 a page with `since` (Unix seconds of the newest `timestamp` of the last read)
through `paging.cursors.after`, at most MENTION_PAGES pages. It needs `threads_manage_mentions`,
asked for at connect; an account connected before without it is not asked, and a refusal for it
reads no mentions without disconnecting the account. Without advanced access for that permission
Threads shows only mentions by the app's testers.

Tokens. The authorization code gives a short-lived token (one hour), exchanged at once for a
long-lived one (60 days, `th_exchange_token`); a long-lived token that is at least 24 hours old
and not expired is renewed for another 60 days with `th_refresh_token`. Threads has no PKCE and no
revocation endpoint. API calls carry the token as `Authorization: Bearer` (Meta's examples pass
`access_token` as a parameter; the Graph API takes either), so it stays out of URLs; the token
exchange and refresh endpoints take it as a parameter, as documented."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx

from herald.clock import from_iso
from herald.platforms import http, meta
from herald.platforms.base import (
    MENTION_PAGES,
    AccountIdentity,
    AppCredentials,
    Connection,
    Credentials,
    ErrorClass,
    MediaItem,
    MediaLimits,
    MentionPage,
    OAuthSpec,
    Platform,
    PlatformError,
    PostContent,
    PublishedPost,
    ReceivedMention,
    ReconcileOutcome,
    Reconciliation,
    TextLimits,
)
from herald.text import counting

API_HOST = "https://graph.threads.net"
API_BASE = f"{API_HOST}/v1.0"
AUTHORIZE_URL = "https://threads.net/oauth/authorize"
TOKEN_URL = f"{API_HOST}/oauth/access_token"
EXCHANGE_URL = f"{API_HOST}/access_token"  # short-lived -> long-lived (th_exchange_token)
REFRESH_URL = f"{API_HOST}/refresh_access_token"  # long-lived -> renewed (th_refresh_token)
PUBLIC_HOST = "https://www.threads.net"
SCOPES = (
    "threads_basic",
    "threads_content_publish",
    "threads_manage_replies",
    "threads_read_replies",
    "threads_manage_insights",
    "threads_delete",
    "threads_manage_mentions",
)
MENTIONS_PERMISSION = "threads_manage_mentions"
MENTION_FIELDS = "id,text,username,permalink,timestamp,is_reply,replied_to"
MENTIONS_EARLIEST = 1688540400  # the smallest `since` Threads takes (its launch, July 2023)
PROFILE_FIELDS = "id,username,name,threads_profile_picture_url,threads_biography"
LISTING_FIELDS = "id,text,timestamp,media_type,permalink,shortcode"
MEDIA_METRICS = ("views", "likes", "replies", "reposts", "quotes", "shares")
MAX_TEXT_LENGTH = 500
MAX_CAROUSEL_ITEMS = 20
STATUS_POLL_SECONDS = 5.0
STATUS_POLLS = 12  # the first at once, then every STATUS_POLL_SECONDS: under a minute in all
# A long-lived token lapses for good 60 days after it was issued or last renewed: idle accounts are
# renewed this long before, leaving a week of sweeps for a renewal that fails.
REFRESH_AHEAD = timedelta(days=7)
QUOTA_RECHECK = timedelta(hours=1)  # the limit's window rolls: a slot frees as a post turns 24 h old
RECONCILE_WINDOW = timedelta(hours=1)
LISTING_PAGE_SIZE = 100  # the listings' maximum `limit`
LISTING_MAX_PAGES = 5  # beyond 500 posts in the window, absence is not proven: UNKNOWN
_MB = 1024 * 1024

# Options passed through to the container (POST /{user-id}/threads parameters).
_CONTAINER_OPTIONS = ("reply_control", "topic_tag")
# Container error_message values that the same media will meet again (the rest may pass on a retry).
_MEDIA_REFUSALS = ("INVALID_", "FAILED_PROCESSING_")
# Graph error codes (developers.facebook.com/docs/graph-api/guides/error-handling).
_TOKEN_CODE = 190
_DEAD_TOKEN_SUBCODES = frozenset({458, 459, 460, 464, 467})  # app removed, checkpoint, password changed, ...
_THROTTLE_CODES = frozenset({4, 17, 32, 613, 80001})
_TRANSIENT_CODES = frozenset({1, 2})
_PERMISSION_CODE = 10  # and 200-299
_DUPLICATE_CODE = 506
_INVALID_PARAMETER_CODE = 100
_MISSING_OBJECT_SUBCODE = 33  # with code 100: "Object with ID ... does not exist"
_RESTRICTED_SUBCODES = frozenset({2207051, 4279013})  # restricted activity, restricted user
_NETWORK = "Threads"  # in messages


@dataclass(frozen=True)
class GraphError:
    """A Graph API error body, either `{"error": {message, type, code, error_subcode, is_transient}}`
    or the token endpoints' flat `{"error_type", "code", "error_message"}`."""

    code: int | None = None
    subcode: int | None = None
    message: str = ""
    transient: bool = False


def graph_error(body: Mapping[str, Any] | None) -> GraphError:
    body = body or {}
    nested = body.get("error")
    fields = nested if isinstance(nested, dict) else body
    message = fields.get("message") if isinstance(nested, dict) else fields.get("error_message")
    return GraphError(
        code=_integer(fields.get("code")),
        subcode=_integer(fields.get("error_subcode")),
        message=str(fields.get("error_user_msg") or message or ""),
        transient=fields.get("is_transient") is True,
    )


class ThreadsPlatform(Platform):
    name = "threads"
    text_limits = TextLimits(max_length=MAX_TEXT_LENGTH, counting="threads")
    media_limits = MediaLimits(
        max_items=MAX_CAROUSEL_ITEMS,
        image_types=("image/jpeg", "image/png"),
        video_types=("video/mp4", "video/quicktime"),
        max_image_bytes=8 * _MB,
        max_video_bytes=1024 * _MB,
    )
    oauth = OAuthSpec(
        authorize_url=AUTHORIZE_URL, token_url=TOKEN_URL, scopes=SCOPES, pkce=False, scope_separator=","
    )
    refresh_ahead = REFRESH_AHEAD
    reads_mentions = True
    mentions_permission = MENTIONS_PERMISSION

    # --- connecting --------------------------------------------------------------------------

    @classmethod
    def connect_with_code(
        cls, client: httpx.Client, app: AppCredentials, code: str, redirect_uri: str, code_verifier: str | None
    ) -> Connection:
        """Code -> short-lived token -> long-lived token, then the profile. Threads has no PKCE:
        `code_verifier` is not sent."""
        exchange = cls(client, Credentials(account_id="", username="", tokens={}), app=app)
        short_token, user_id = exchange._redeem_code(code, redirect_uri)
        long_token, expires_at = exchange._long_lived(short_token)
        reader = Credentials(account_id="", username="", tokens={"access_token": long_token, "user_id": user_id})
        identity = cls(client, reader, app=app).identity()
        tokens = {"access_token": long_token, "user_id": identity.platform_user_id}
        credentials = Credentials(account_id="", username=identity.username, tokens=tokens, expires_at=expires_at)
        return Connection(credentials=credentials, identity=identity)

    def _redeem_code(self, code: str, redirect_uri: str) -> tuple[str, str]:
        form = {
            "client_id": self._app().client_id,
            "client_secret": self._app_secret(),
            "code": code,
            "grant_type": "authorization_code",
            "redirect_uri": redirect_uri,
        }
        response = http.send(self, "POST", TOKEN_URL, data=form)
        body = http.json_object(self, self._granted(response, "the authorization code"))
        user_id = body.get("user_id")
        if not isinstance(body.get("access_token"), str) or not isinstance(user_id, int | str):
            raise http.malformed(_NETWORK, response, "no access_token and user_id for the code")
        return body["access_token"], str(user_id)

    def _long_lived(self, short_token: str) -> tuple[str, datetime | None]:
        params = {"grant_type": "th_exchange_token", "client_secret": self._app_secret(), "access_token": short_token}
        response = http.send(self, "GET", EXCHANGE_URL, params=params)
        return self._token_answer(self._granted(response, "the short-lived token"))

    def identity(self) -> AccountIdentity:
        """The profile; followers from the account's insights when they can be read (they need
        threads_manage_insights). `permissions` are the scopes Herald asks for: Threads' token
        answers do not list what was granted."""
        response = self._call("GET", "/me", params={"fields": PROFILE_FIELDS})
        profile = http.json_object(self, response)
        user_id, username = profile.get("id"), profile.get("username")
        if not isinstance(user_id, str) or not isinstance(username, str):
            raise http.malformed(_NETWORK, response, "no id and username in the profile")
        return AccountIdentity(
            platform_user_id=user_id,
            username=username,
            display_name=_text_or_none(profile.get("name")),
            avatar_url=_text_or_none(profile.get("threads_profile_picture_url")),
            followers=self._followers(user_id),
            permissions=SCOPES,
        )

    def _followers(self, user_id: str) -> int | None:
        try:
            response = self._call("GET", f"/{user_id}/threads_insights", params={"metric": "followers_count"})
            rows = http.json_object(self, response).get("data")
        except PlatformError:
            return None
        return _insight_values(rows).get("followers_count")

    # --- posts -------------------------------------------------------------------------------

    def publish(self, content: PostContent) -> PublishedPost:
        return self._create_post(content, reply_to=None)

    def reply(self, parent: PublishedPost, content: PostContent) -> PublishedPost:
        return self._create_post(content, reply_to=parent.platform_post_id)

    def _create_post(self, content: PostContent, reply_to: str | None) -> PublishedPost:
        _check_media(content.media)
        self._check_quota(reply=reply_to is not None)
        creation_id = self._container(content, reply_to)
        response = self._call("POST", f"/{self._user_id()}/threads_publish", data={"creation_id": creation_id})
        media_id = http.json_object(self, response).get("id")
        if not isinstance(media_id, str):
            raise http.malformed(_NETWORK, response, "no id for the published post")
        return PublishedPost(platform_post_id=media_id, url=self._permalink(media_id))

    def _check_quota(self, *, reply: bool) -> None:
        """Refuse, before anything is made, a post the profile's publishing limit has no room for.
        An answer without the counts is no refusal: threads_publish enforces the limit anyway."""
        usage_field, config_field = ("reply_quota_usage", "reply_config") if reply else ("quota_usage", "config")
        params = {"fields": f"{usage_field},{config_field}"}
        body = http.json_object(self, self._call("GET", f"/{self._user_id()}/threads_publishing_limit", params=params))
        rows = body.get("data")
        row = rows[0] if isinstance(rows, list) and rows and isinstance(rows[0], dict) else {}
        config = row.get(config_field) if isinstance(row.get(config_field), dict) else {}
        usage, total = http.count(row, usage_field), http.count(config, "quota_total")
        if usage is not None and total is not None and usage >= total:
            kind = "replies" if reply else "posts"
            raise PlatformError(
                ErrorClass.RETRY,
                "rate_limited",
                f"The Threads profile has published {usage} of its {total} {kind} allowed in 24 hours.",
                platform_code=f"{usage_field} {usage}/{total}",
                retry_at=self.clock.now() + QUOTA_RECHECK,
            )

    def _container(self, content: PostContent, reply_to: str | None) -> str:
        """The id of the post's container, FINISHED and ready to publish."""
        fields = _post_fields(content, reply_to)
        if not content.media:
            container = self._create({"media_type": "TEXT", **fields})
        elif len(content.media) == 1:
            container = self._create({**_media_fields(content.media[0]), **fields})
        else:
            children = [self._create({**_media_fields(item), "is_carousel_item": "true"}) for item in content.media]
            self._wait_until_finished(children)
            container = self._create({"media_type": "CAROUSEL", "children": ",".join(children), **fields})
        self._wait_until_finished([container])
        return container

    def _create(self, form: dict[str, str]) -> str:
        response = self._call("POST", f"/{self._user_id()}/threads", data=form)
        container = http.json_object(self, response).get("id")
        if not isinstance(container, str):
            raise http.malformed(_NETWORK, response, "no id for the media container")
        return container

    def _wait_until_finished(self, containers: Sequence[str]) -> None:
        """Poll the containers until every one is FINISHED: at once, then every
        STATUS_POLL_SECONDS, STATUS_POLLS times at most."""
        pending = list(containers)
        for poll in range(STATUS_POLLS):
            if poll:
                self.clock.sleep(STATUS_POLL_SECONDS)
            pending = [container for container in pending if not self._finished(container)]
            if not pending:
                return
        raise PlatformError(
            ErrorClass.RETRY,
            "media_processing",
            f"Threads was still processing the media after {STATUS_POLLS} status checks; nothing was published.",
            platform_code="IN_PROGRESS",
        )

    def _finished(self, container: str) -> bool:
        response = self._call("GET", f"/{container}", params={"fields": "status,error_message"})
        answer = http.json_object(self, response)
        status = answer.get("status")
        if status == "FINISHED":
            return True
        if status == "IN_PROGRESS":
            return False
        if status in ("ERROR", "EXPIRED"):
            raise _container_failed(str(status), str(answer.get("error_message") or "UNKNOWN"))
        raise http.malformed(_NETWORK, response, f"container status {status!r}")

    def _permalink(self, media_id: str) -> str:
        """The post's public URL. Never raises: the post is already out."""
        try:
            response = self._call("GET", f"/{media_id}", params={"fields": "permalink,shortcode"})
            return self._public_url(http.json_object(self, response))
        except PlatformError:
            return self._public_url({})

    def _public_url(self, post: Mapping[str, Any]) -> str:
        """`permalink` (left out for media flagged for copyright), else one built from the
        shortcode, else the profile's URL."""
        if isinstance(post.get("permalink"), str):
            return str(post["permalink"])
        profile = f"{PUBLIC_HOST}/@{self.credentials.username}"
        return f"{profile}/post/{post['shortcode']}" if isinstance(post.get("shortcode"), str) else profile

    def delete(self, platform_post_id: str) -> None:
        """A post that is already gone counts as deleted. Needs threads_delete (100 deletes a day)."""
        try:
            response = self._call("DELETE", f"/{platform_post_id}")
        except PlatformError as error:
            if error.code == "not_found":
                return
            raise
        if http.json_object(self, response).get("success") is not True:
            raise PlatformError(
                ErrorClass.PERMANENT,
                "delete_refused",
                "Threads did not confirm the deletion.",
                platform_code=str(response.status_code),
            )

    # --- metrics -----------------------------------------------------------------------------

    def metrics(self, platform_post_ids: list[str]) -> dict[str, dict[str, int]]:
        """One insights call per post (Threads has no batch); posts that are gone are left out.
        views -> impressions, replies -> comments, reposts + quotes + shares -> shares."""
        found: dict[str, dict[str, int]] = {}
        for post_id in platform_post_ids:
            params = {"metric": ",".join(MEDIA_METRICS)}
            try:
                response = self._call("GET", f"/{post_id}/insights", params=params)
            except PlatformError as error:
                if error.code == "not_found":
                    continue
                raise
            found[post_id] = _normalized_metrics(_insight_values(http.json_object(self, response).get("data")))
        return found

    # --- reconcile ---------------------------------------------------------------------------

    def reconcile(self, content: PostContent, parent: PublishedPost | None = None) -> Reconciliation:
        """The account's posts, then its replies (a thread part or first comment is one), of the
        last RECONCILE_WINDOW: the first with the same text and kind of media is the earlier attempt."""
        since = self.clock.now() - RECONCILE_WINDOW
        try:
            for edge in ("threads", "replies"):
                found = self._search(edge, content, since)
                if found.outcome is not ReconcileOutcome.ABSENT:
                    return found
        except PlatformError:
            return Reconciliation(ReconcileOutcome.UNKNOWN)
        return Reconciliation(ReconcileOutcome.ABSENT)

    def _search(self, edge: str, content: PostContent, since: datetime) -> Reconciliation:
        params = {"fields": LISTING_FIELDS, "since": str(int(since.timestamp())), "limit": str(LISTING_PAGE_SIZE)}
        for _ in range(LISTING_MAX_PAGES):
            response = self._call("GET", f"/{self._user_id()}/{edge}", params=params)
            body = http.json_object(self, response)
            posts = body.get("data")
            if not isinstance(posts, list):
                raise http.malformed(_NETWORK, response, f"no data list of {edge}")
            for post in posts:
                if _matches(post, content, since):
                    published = PublishedPost(platform_post_id=post["id"], url=self._public_url(post))
                    return Reconciliation(ReconcileOutcome.FOUND, published)
            paging = body.get("paging") if isinstance(body.get("paging"), dict) else {}
            cursors = paging.get("cursors") if isinstance(paging.get("cursors"), dict) else {}
            if not paging.get("next") or not isinstance(cursors.get("after"), str):
                return Reconciliation(ReconcileOutcome.ABSENT)
            params["after"] = cursors["after"]
        return Reconciliation(ReconcileOutcome.UNKNOWN)

    # --- mentions ----------------------------------------------------------------------------

    def mentions(self, since: str | None) -> MentionPage:
        """Posts mentioning the account made at or after the time `since`; the cursor is the newest
        `timestamp` seen."""
        params = {"fields": MENTION_FIELDS}
        if since:
            params["since"] = str(max(int(from_iso(since).timestamp()), MENTIONS_EARLIEST))
        params["limit"] = str(LISTING_PAGE_SIZE)
        url = f"{API_BASE}/{self._user_id()}/mentions"
        items = meta.newest_first(self, url, self.token("access_token"), params, MENTION_PAGES if since else 1)
        try:
            return meta.mention_page(items, "timestamp", since, self._mention)
        except PlatformError as error:
            raise meta.mentions_refusal(error, _NETWORK, MENTIONS_PERMISSION) from error

    def _mention(self, post: dict[str, Any], created_at: datetime) -> ReceivedMention | None:
        username = post.get("username") if isinstance(post.get("username"), str) else ""
        if username and username == self.credentials.username:
            return None
        replied = post.get("replied_to") if isinstance(post.get("replied_to"), dict) else {}
        return ReceivedMention(
            platform_mention_id=post["id"],
            author_handle=username,
            author_name=None,
            text=post["text"] if isinstance(post.get("text"), str) else "",
            url=_text_or_none(post.get("permalink")),
            created_at=created_at,
            in_reply_to_platform_post_id=replied["id"] if isinstance(replied.get("id"), str) else None,
        )

    # --- credentials -------------------------------------------------------------------------

    def refresh_credentials(self) -> Credentials:
        """Renew the long-lived token for 60 days. Threads refuses a token that has expired (or is
        less than 24 hours old): that account must be reconnected."""
        params = {"grant_type": "th_refresh_token", "access_token": self.token("access_token")}
        response = http.send(self, "GET", REFRESH_URL, params=params)
        access_token, expires_at = self._token_answer(self._granted(response, "the token refresh", reconnect=True))
        tokens = {**self.credentials.tokens, "access_token": access_token}
        return Credentials(
            account_id=self.credentials.account_id,
            username=self.credentials.username,
            tokens=tokens,
            expires_at=expires_at,
        )

    def _granted(self, response: httpx.Response, what: str, *, reconnect: bool = False) -> httpx.Response:
        """`response` when it is a success. A refusal (400/401 that is not transient) is raised
        as RECONNECT account_disconnected for a refresh (`reconnect`), and as PERMANENT
        authorization_failed for a connection; anything else as classified."""
        if response.status_code in (400, 401):
            error = self.classify_error(response)
            if error.error_class is not ErrorClass.RETRY:
                if reconnect:
                    raise PlatformError(
                        ErrorClass.RECONNECT,
                        "account_disconnected",
                        f"Threads refused {what}: {error.message}",
                        platform_code=error.platform_code,
                    )
                raise PlatformError(
                    ErrorClass.PERMANENT,
                    "authorization_failed",
                    f"Threads refused {what}: {error.message}",
                    platform_code=error.platform_code,
                )
        return http.succeeded(self, response)

    def _token_answer(self, response: httpx.Response) -> tuple[str, datetime | None]:
        """(access_token, when it expires) from a long-lived token answer."""
        body = http.json_object(self, response)
        if not isinstance(body.get("access_token"), str):
            raise http.malformed(_NETWORK, response, "no access_token in the token answer")
        expires_in = http.count(body, "expires_in")
        expires_at = self.clock.now() + timedelta(seconds=expires_in) if expires_in else None
        return body["access_token"], expires_at

    def _app(self) -> AppCredentials:
        if self.app is None:
            raise PlatformError(
                ErrorClass.PERMANENT, "app_not_configured", "Threads needs the deployment's app id and secret."
            )
        return self.app

    def _app_secret(self) -> str:
        secret = self._app().client_secret
        if not secret:
            raise PlatformError(ErrorClass.PERMANENT, "app_not_configured", "Threads needs the app secret.")
        return secret

    # --- errors ------------------------------------------------------------------------------

    def classify_error(self, response: httpx.Response | None, exc: Exception | None = None) -> PlatformError:
        if response is None:
            return http.transport_error(_NETWORK, exc)
        if response.is_success:
            return http.malformed(_NETWORK, response, "the body is not the JSON object Threads documents")
        status = response.status_code
        error = graph_error(http.body_of(response))
        code = _platform_code(status, error)
        message = error.message or f"Threads answered HTTP {status}."
        if error.code == _TOKEN_CODE:
            if error.subcode in _DEAD_TOKEN_SUBCODES:
                return PlatformError(ErrorClass.RECONNECT, "account_disconnected", message, platform_code=code)
            return PlatformError(ErrorClass.REFRESH, "token_expired", message, platform_code=code)
        if status == 429 or error.code in _THROTTLE_CODES:
            return PlatformError(ErrorClass.RETRY, "rate_limited", message, platform_code=code)
        if error.code == _PERMISSION_CODE or (error.code is not None and 200 <= error.code <= 299):
            return PlatformError(ErrorClass.RECONNECT, "account_disconnected", message, platform_code=code)
        if error.code == _DUPLICATE_CODE:
            return PlatformError(ErrorClass.PERMANENT, "duplicate_content", message, platform_code=code)
        if status >= 500 or error.transient or error.code in _TRANSIENT_CODES:
            return PlatformError(ErrorClass.RETRY, "platform_unavailable", message, platform_code=code)
        if status == 404 or (error.code == _INVALID_PARAMETER_CODE and error.subcode == _MISSING_OBJECT_SUBCODE):
            return PlatformError(ErrorClass.PERMANENT, "not_found", message, platform_code=code)
        if error.subcode in _RESTRICTED_SUBCODES:
            return PlatformError(ErrorClass.PERMANENT, "account_restricted", message, platform_code=code)
        if status == 401:
            return PlatformError(ErrorClass.REFRESH, "token_expired", message, platform_code=code)
        if status == 400:
            return PlatformError(ErrorClass.PERMANENT, "invalid_content", message, platform_code=code)
        return PlatformError(ErrorClass.PERMANENT, "platform_error", message, platform_code=code)

    # --- text --------------------------------------------------------------------------------

    def count_text(self, text: str) -> int:
        """Code points, an emoji counting as its UTF-8 byte length (Threads' rule)."""
        return counting.threads(text)

    # --- HTTP --------------------------------------------------------------------------------

    def _user_id(self) -> str:
        return self.credentials.tokens.get("user_id") or "me"

    def _call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.token('access_token')}"}
        return http.succeeded(self, http.send(self, method, API_BASE + path, headers=headers, **kwargs))


def _check_media(media: Sequence[MediaItem]) -> None:
    """Refuse, before any call, media Threads cannot take: GIF files (Threads' GIFs come from its
    GIF providers, not from a URL) and more than MAX_CAROUSEL_ITEMS items."""
    if any(item.kind not in ("image", "video") for item in media):
        raise PlatformError(
            ErrorClass.PERMANENT, "media_unsupported", "Threads takes images (JPEG, PNG) and videos (MP4, MOV) only."
        )
    if len(media) > MAX_CAROUSEL_ITEMS:
        raise PlatformError(
            ErrorClass.PERMANENT,
            "media_unsupported",
            f"A Threads post holds at most {MAX_CAROUSEL_ITEMS} images and videos ({len(media)} given).",
        )


def _post_fields(content: PostContent, reply_to: str | None) -> dict[str, str]:
    """The container parameters of the post itself: text, the post it answers, and options."""
    fields: dict[str, str] = {}
    if content.text:
        fields["text"] = content.text
    if reply_to:
        fields["reply_to_id"] = reply_to
    for option in _CONTAINER_OPTIONS:
        if option in content.options:
            fields[option] = str(content.options[option])
    return fields


def _media_fields(item: MediaItem) -> dict[str, str]:
    if item.kind == "video":
        fields = {"media_type": "VIDEO", "video_url": item.url}
    else:
        fields = {"media_type": "IMAGE", "image_url": item.url}
    if item.alt:
        fields["alt_text"] = item.alt
    return fields


def _container_failed(status: str, error_message: str) -> PlatformError:
    """A container Threads could not build. Media it refuses (bad aspect ratio, codec, duration)
    is PERMANENT; a failed download, an unknown failure or an expired container may pass when
    the post is sent again."""
    code = f"{status} {error_message}"
    if status == "ERROR" and error_message.startswith(_MEDIA_REFUSALS):
        return PlatformError(
            ErrorClass.PERMANENT, "media_unsupported", f"Threads refused the media: {error_message}.", platform_code=code
        )
    return PlatformError(
        ErrorClass.RETRY,
        "media_processing_failed",
        f"Threads could not process the media ({status} {error_message}); nothing was published.",
        platform_code=code,
    )


def _matches(post: Any, content: PostContent, since: datetime) -> bool:
    if not isinstance(post, dict) or not isinstance(post.get("id"), str):
        return False
    timestamp = post.get("timestamp")
    if isinstance(timestamp, str):
        try:
            if from_iso(timestamp) < since:
                return False
        except ValueError:
            pass  # the query's `since` already bounds the window
    if post.get("media_type") not in (None, _listed_media_type(content.media)):
        return False
    return _normalized(str(post.get("text") or "")) == _normalized(content.text)


def _listed_media_type(media: Sequence[MediaItem]) -> str:
    """How the listings name a post made of `media`."""
    if not media:
        return "TEXT_POST"
    if len(media) > 1:
        return "CAROUSEL_ALBUM"
    return "VIDEO" if media[0].kind == "video" else "IMAGE"


def _normalized(text: str) -> str:
    return unicodedata.normalize("NFC", text).strip()


def _insight_values(rows: Any) -> dict[str, int]:
    """metric name -> value, from insights rows: `values[0].value` (media) or `total_value.value`
    (user totals such as followers_count)."""
    values: dict[str, int] = {}
    for row in rows if isinstance(rows, list) else []:
        if not isinstance(row, dict) or not isinstance(row.get("name"), str):
            continue
        points = row.get("values")
        total = row.get("total_value")
        if isinstance(total, dict):
            value = http.count(total, "value")
        elif isinstance(points, list) and points and isinstance(points[0], dict):
            value = http.count(points[0], "value")
        else:
            value = None
        if value is not None:
            values[row["name"]] = value
    return values


def _normalized_metrics(values: Mapping[str, int]) -> dict[str, int]:
    renamed = (("impressions", "views"), ("likes", "likes"), ("comments", "replies"))
    metrics = {name: values[field] for name, field in renamed if field in values}
    shares = [values[field] for field in ("reposts", "quotes", "shares") if field in values]
    if shares:
        metrics["shares"] = sum(shares)
    return metrics


def _platform_code(status: int, error: GraphError) -> str:
    """HTTP status, then the Graph code and subcode: "400 190/463"."""
    if error.code is None:
        return str(status)
    return f"{status} {error.code}" + (f"/{error.subcode}" if error.subcode is not None else "")


def _integer(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.lstrip("-").isdigit():
        return int(value)
    return None


def _text_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None
