"""X (Twitter) API v2 adapter, acting for one account with its OAuth 2.0 user-context token.

Posts. `POST /2/tweets`, with `media.media_ids` for media uploaded first (media upload v2):
an image goes up in one request (`POST /2/media/upload`, multipart); a GIF or a video in chunks
(`initialize`, `append` per chunk, `finalize`), after which X processes it and
`GET /2/media/upload?command=STATUS` is polled (waiting `check_after_secs`, a bounded number of
times) until it has succeeded. Alt text goes on images and GIFs through `POST /2/media/metadata`.
Nothing is posted before every file of the post is ready, so a failed upload leaves nothing behind
but unused media, which X drops when they expire.

X has no idempotency key: `reconcile` looks for a post with the same text among the account's
posts of the last hour. X also refuses to post the same text twice in a row (403 duplicate),
which backs that check up.

Mentions. `GET /2/users/{id}/mentions` (the posts that @mention the account, replies to it
included), newest first, from `since_id` (the newest post id of the last read), 100 a page,
following `meta.next_token` for at most MENTION_PAGES pages; each post's author from
`includes.users` (expansions=author_id). The account's own posts are left out.

Connecting. OAuth 2.0 authorization code with PKCE (`oauth`). The deployment's app
(`self.app`) authenticates to the token and revoke endpoints with HTTP Basic (a confidential
client: a client secret is configured) or, as a public client, sends its client id in the form.
App credentials never live in the account's tokens: those hold `access_token`, `refresh_token`
and the account's `user_id`."""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from herald.clock import from_iso
from herald.platforms import http
from herald.platforms.base import (
    MENTION_PAGES,
    AccountIdentity,
    AppCredentials,
    Connection,
    Credentials,
    ErrorClass,
    MediaItem,
    MediaLimits,
    MediaSource,
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
from herald.text.twitter import MAX_WEIGHTED_LENGTH, url_spans, weighted_length

API_BASE = "https://api.x.com"
AUTHORIZE_URL = "https://x.com/i/oauth2/authorize"
TOKEN_URL = f"{API_BASE}/2/oauth2/token"
REVOKE_URL = f"{API_BASE}/2/oauth2/revoke"
SCOPES = ("tweet.read", "tweet.write", "users.read", "offline.access", "media.write")
USER_FIELDS = "profile_image_url,public_metrics,name,username"
METRICS_BATCH_SIZE = 100  # GET /2/tweets takes 1-100 ids
RECONCILE_WINDOW = timedelta(hours=1)
TIMELINE_PAGE_SIZE = 100
TIMELINE_MAX_PAGES = 5  # beyond 500 posts in the window, absence is not proven: UNKNOWN
MENTIONS_PAGE_SIZE = 100  # GET /2/users/:id/mentions takes max_results 5-100
MENTION_FIELDS = "created_at,author_id,conversation_id,in_reply_to_user_id,referenced_tweets"
_MB = 1024 * 1024

MAX_MEDIA_ITEMS = 4  # 4 images, or 1 GIF, or 1 video
CHUNK_SIZE = 4 * _MB  # an APPEND segment may hold up to 5 MB
# Media processing is waited for inside the publish run (300 s for the whole post), so the wait is
# bounded; a file X has not finished processing by then is retried later, uploaded anew.
MAX_STATUS_POLLS = 20
MAX_PROCESSING_WAIT_SECONDS = 150.0
DEFAULT_CHECK_AFTER_SECONDS = 5
MAX_CHECK_AFTER_SECONDS = 30
_MEDIA_CATEGORIES = {"image": "tweet_image", "gif": "tweet_gif", "video": "tweet_video"}
_DEFAULT_MEDIA_TYPES = {"gif": "image/gif", "video": "video/mp4"}  # when the item's mime is unknown
_ALONE_KINDS = ("gif", "video")  # a post carries one of these and nothing else

# public_metrics field -> Herald metric; shares add reposts and quotes.
_METRIC_FIELDS = (
    ("likes", "like_count"),
    ("comments", "reply_count"),
    ("impressions", "impression_count"),
    ("bookmarks", "bookmark_count"),
)
_SHARE_FIELDS = ("retweet_count", "quote_count")
_LEADING_MENTIONS = re.compile(r"^(?:@\w{1,15}\s+)+")
# X says so only in prose; no problem type or code marks a duplicate.
_DUPLICATE_DETAIL = "duplicate content"
# Keys earlier versions kept in the account's tokens; app credentials now come from `self.app`.
_RETIRED_TOKENS = frozenset({"client_id", "client_secret", "expires_at"})
_NETWORK = "X"  # in messages
_RESET_HEADER = "x-rate-limit-reset"  # Unix seconds


@dataclass(frozen=True)
class _Grant:
    """What X's token endpoint issued: the tokens, when the access token expires, the scopes."""

    tokens: dict[str, str]
    expires_at: datetime | None
    scopes: tuple[str, ...]


class XPlatform(Platform):
    name = "x"
    text_limits = TextLimits(max_length=MAX_WEIGHTED_LENGTH, counting="weighted")
    media_limits = MediaLimits(
        max_items=MAX_MEDIA_ITEMS,
        image_types=("image/jpeg", "image/png", "image/gif", "image/webp"),
        video_types=("video/mp4", "video/quicktime"),
        max_image_bytes=5 * _MB,
        max_video_bytes=512 * _MB,
    )
    oauth = OAuthSpec(authorize_url=AUTHORIZE_URL, token_url=TOKEN_URL, scopes=SCOPES, pkce=True)
    reads_mentions = True  # with tweet.read and users.read, which publishing asks for already

    # --- posts -------------------------------------------------------------------------------

    def publish(self, content: PostContent) -> PublishedPost:
        return self._create_post(content, in_reply_to=None)

    def reply(self, parent: PublishedPost, content: PostContent) -> PublishedPost:
        return self._create_post(content, in_reply_to=parent.platform_post_id)

    def _create_post(self, content: PostContent, in_reply_to: str | None) -> PublishedPost:
        body: dict[str, Any] = {}
        if content.text or not content.media:  # with media, X takes a post without text
            body["text"] = content.text
        if content.media:
            body["media"] = {"media_ids": self._upload_media(content.media)}
        for option in ("reply_settings", "made_with_ai", "paid_partnership"):  # checked in herald.text.options
            if option in content.options:
                body[option] = content.options[option]
        if in_reply_to:
            body["reply"] = {"in_reply_to_tweet_id": in_reply_to}
        response = self._call("POST", "/2/tweets", json=body)
        data = http.json_object(self, response).get("data")
        if not isinstance(data, dict) or not isinstance(data.get("id"), str):
            raise http.malformed(_NETWORK, response, "no data.id in the created post")
        return self._published(data["id"])

    def _published(self, post_id: str) -> PublishedPost:
        return PublishedPost(
            platform_post_id=post_id, url=f"https://x.com/{self.credentials.username}/status/{post_id}"
        )

    def delete(self, platform_post_id: str) -> None:
        """A post that is already gone counts as deleted."""
        try:
            response = self._call("DELETE", f"/2/tweets/{platform_post_id}")
        except PlatformError as error:
            if error.code == "not_found":
                return
            raise
        data = http.json_object(self, response).get("data")
        if not isinstance(data, dict) or data.get("deleted") is not True:
            raise PlatformError(
                ErrorClass.PERMANENT,
                "delete_refused",
                "X did not confirm the deletion.",
                platform_code=str(response.status_code),
            )

    # --- media -------------------------------------------------------------------------------

    def _upload_media(self, items: tuple[MediaItem, ...]) -> list[str]:
        """The media ids of `items`, each uploaded and processed, in order."""
        _check_media(items)
        source = self.media_source()  # refused before anything is uploaded when there is none
        ids = []
        for item in items:
            if item.kind == "image":
                media_id, processing = self._upload_whole(item, source.read(item))
            else:
                media_id, processing = self._upload_in_chunks(item, source)
            self._await_processing(media_id, processing)
            if item.alt and item.kind != "video":  # X takes alt text for images and GIFs
                metadata = {"id": media_id, "metadata": {"alt_text": {"text": item.alt}}}
                self._call("POST", "/2/media/metadata", json=metadata)
            ids.append(media_id)
        return ids

    def _upload_whole(self, item: MediaItem, data: bytes) -> tuple[str, dict[str, Any] | None]:
        """One request: the file and its category, as multipart/form-data."""
        files = {"media": (_file_name(item), data, item.mime or "application/octet-stream")}
        response = self._upload_call("POST", "/2/media/upload", data={"media_category": "tweet_image"}, files=files)
        return self._uploaded(response)

    def _upload_in_chunks(self, item: MediaItem, source: MediaSource) -> tuple[str, dict[str, Any] | None]:
        """initialize (type, size, category), one append per CHUNK_SIZE bytes, finalize."""
        chunks: Iterable[bytes]
        if item.size is None:  # the size must be declared first: read the file to learn it
            whole = source.read(item)
            total, chunks = len(whole), [whole[at : at + CHUNK_SIZE] for at in range(0, len(whole), CHUNK_SIZE)]
        else:
            total, chunks = item.size, source.chunks(item, CHUNK_SIZE)
        initialize = {
            "media_type": item.mime or _DEFAULT_MEDIA_TYPES[item.kind],
            "total_bytes": total,
            "media_category": _MEDIA_CATEGORIES[item.kind],
        }
        media_id, _ = self._uploaded(self._upload_call("POST", "/2/media/upload/initialize", json=initialize))
        for index, chunk in enumerate(chunks):
            files = {"media": ("chunk", chunk, "application/octet-stream")}
            segment = {"segment_index": str(index)}
            self._upload_call("POST", f"/2/media/upload/{media_id}/append", data=segment, files=files)
        return self._uploaded(self._upload_call("POST", f"/2/media/upload/{media_id}/finalize"))

    def _uploaded(self, response: httpx.Response) -> tuple[str, dict[str, Any] | None]:
        """The media id of an upload answer, and its processing_info when X is still working on it."""
        data = http.json_object(self, response).get("data")
        if not isinstance(data, dict) or not isinstance(data.get("id"), str):
            raise http.malformed(_NETWORK, response, "no data.id for the media")
        processing = data.get("processing_info")
        return data["id"], processing if isinstance(processing, dict) else None

    def _await_processing(self, media_id: str, processing: dict[str, Any] | None) -> None:
        """Poll STATUS until the media has succeeded (an answer without processing_info is ready).
        A failed processing is PERMANENT media_unsupported; one still running after
        MAX_STATUS_POLLS polls or MAX_PROCESSING_WAIT_SECONDS is RETRY media_processing."""
        polls, waited = 0, 0.0
        while processing is not None and processing.get("state") != "succeeded":
            if processing.get("state") == "failed":
                raise _processing_failed(media_id, processing)
            delay = _check_after(processing)
            if polls == MAX_STATUS_POLLS or waited + delay > MAX_PROCESSING_WAIT_SECONDS:
                raise PlatformError(
                    ErrorClass.RETRY,
                    "media_processing",
                    f"X had not finished processing media {media_id} after {waited:.0f} s; it will be uploaded again.",
                    platform_code=str(processing.get("state")),
                )
            self.clock.sleep(delay)
            polls, waited = polls + 1, waited + delay
            params = {"command": "STATUS", "media_id": media_id}
            _, processing = self._uploaded(self._upload_call("GET", "/2/media/upload", params=params))

    def _upload_call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """`_call` for the upload endpoints, where a refused request means X refused the file."""
        try:
            return self._call(method, path, **kwargs)
        except PlatformError as error:
            if error.code != "invalid_content":
                raise
            raise PlatformError(
                ErrorClass.PERMANENT, "media_unsupported", error.message, platform_code=error.platform_code
            ) from error

    # --- metrics -----------------------------------------------------------------------------

    def metrics(self, platform_post_ids: list[str]) -> dict[str, dict[str, int]]:
        """Metrics of the posts X still shows; deleted or hidden posts are left out."""
        found: dict[str, dict[str, int]] = {}
        for batch in http.batches(platform_post_ids, METRICS_BATCH_SIZE):
            params = {"ids": ",".join(batch), "tweet.fields": "public_metrics"}
            response = self._call("GET", "/2/tweets", params=params)
            body = http.json_object(self, response)
            _raise_for_request_errors(response, body)  # per-post errors only drop that post
            for post in body.get("data") or []:
                if isinstance(post, dict) and isinstance(post.get("id"), str):
                    found[post["id"]] = _normalized_metrics(post.get("public_metrics") or {})
        return found

    # --- mentions ----------------------------------------------------------------------------

    def mentions(self, since: str | None) -> MentionPage:
        """Posts mentioning the account newer than the post id `since`; the cursor is the newest
        post id seen."""
        user_id = self.credentials.tokens.get("user_id") or self._own_user_id()
        params = {"max_results": str(MENTIONS_PAGE_SIZE), "tweet.fields": MENTION_FIELDS, "expansions": "author_id"}
        if since:
            params["since_id"] = since
        found: list[ReceivedMention] = []
        newest = since
        for _ in range(MENTION_PAGES if since else 1):
            response = self._call("GET", f"/2/users/{user_id}/mentions", params=params)
            body = http.json_object(self, response)
            _raise_for_request_errors(response, body)
            includes = body.get("includes") if isinstance(body.get("includes"), dict) else {}
            users = {user["id"]: user for user in includes.get("users") or []
                     if isinstance(user, dict) and isinstance(user.get("id"), str)}
            for post in body.get("data") or []:
                if not isinstance(post, dict) or not isinstance(post.get("id"), str) or not post["id"].isdigit():
                    continue
                if newest is None or int(post["id"]) > int(newest):
                    newest = post["id"]
                if post.get("author_id") != user_id:  # the account's own replies in its threads
                    found.append(self._mention(post, users.get(str(post.get("author_id")), {})))
            next_token = (body.get("meta") or {}).get("next_token")
            if not isinstance(next_token, str) or not next_token:
                break
            params["pagination_token"] = next_token
        return MentionPage(found, newest)

    def _mention(self, post: dict[str, Any], author: dict[str, Any]) -> ReceivedMention:
        username = author.get("username") if isinstance(author.get("username"), str) else None
        replied = [ref.get("id") for ref in post.get("referenced_tweets") or []
                   if isinstance(ref, dict) and ref.get("type") == "replied_to" and isinstance(ref.get("id"), str)]
        try:
            created_at = from_iso(str(post["created_at"]))
        except (KeyError, ValueError):
            created_at = self.clock.now()
        return ReceivedMention(
            platform_mention_id=post["id"],
            author_handle=username or str(post.get("author_id") or ""),
            author_name=author["name"] if isinstance(author.get("name"), str) else None,
            text=_unescape(str(post.get("text") or "")),
            url=f"https://x.com/{username or 'i/web'}/status/{post['id']}",
            created_at=created_at,
            in_reply_to_platform_post_id=replied[0] if replied else None,
        )

    # --- reconcile ---------------------------------------------------------------------------

    def reconcile(self, content: PostContent, parent: PublishedPost | None = None) -> Reconciliation:
        since = self.clock.now() - RECONCILE_WINDOW
        try:
            user_id = self.credentials.tokens.get("user_id") or self._own_user_id()
            params = {
                "max_results": str(TIMELINE_PAGE_SIZE),
                "start_time": since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "tweet.fields": "created_at,entities,attachments",
            }
            for _ in range(TIMELINE_MAX_PAGES):
                body = http.json_object(self, self._call("GET", f"/2/users/{user_id}/tweets", params=params))
                if body.get("errors"):
                    return Reconciliation(ReconcileOutcome.UNKNOWN)
                for post in body.get("data") or []:
                    if _created_since(post, since) and _same_post(post, content):
                        if not content.text.strip():  # media without text: any such post could be it
                            return Reconciliation(ReconcileOutcome.UNKNOWN)
                        return Reconciliation(ReconcileOutcome.FOUND, self._published(post["id"]))
                next_token = (body.get("meta") or {}).get("next_token")
                if not next_token:
                    return Reconciliation(ReconcileOutcome.ABSENT)
                params["pagination_token"] = next_token
        except PlatformError:
            return Reconciliation(ReconcileOutcome.UNKNOWN)
        return Reconciliation(ReconcileOutcome.UNKNOWN)

    def _own_user_id(self) -> str:
        response = self._call("GET", "/2/users/me")
        data = http.json_object(self, response).get("data")
        if not isinstance(data, dict) or not isinstance(data.get("id"), str):
            raise http.malformed(_NETWORK, response, "no data.id for the user")
        return data["id"]

    # --- connecting and credentials ----------------------------------------------------------

    @classmethod
    def connect_with_code(
        cls, client: httpx.Client, app: AppCredentials, code: str, redirect_uri: str, code_verifier: str | None
    ) -> Connection:
        connecting = cls(client, Credentials(account_id="", username=""), app=app)
        form = {"code": code, "grant_type": "authorization_code", "redirect_uri": redirect_uri}
        if code_verifier:
            form["code_verifier"] = code_verifier
        response = connecting._token_request(TOKEN_URL, form)
        if response.status_code in (400, 401):
            raise _refusal(response, ErrorClass.PERMANENT, "authorization_failed", "X refused the authorization code")
        grant = connecting._grant(response)
        granted = Credentials(account_id="", username="", tokens=grant.tokens, expires_at=grant.expires_at)
        identity = cls(client, granted, app=app).identity()
        tokens = {**grant.tokens, "user_id": identity.platform_user_id}
        credentials = dataclasses.replace(granted, username=identity.username, tokens=tokens)
        return Connection(credentials=credentials, identity=dataclasses.replace(identity, permissions=grant.scopes))

    def identity(self) -> AccountIdentity:
        """The account as X shows it; the granted scopes are known only when tokens are issued."""
        response = self._call("GET", "/2/users/me", params={"user.fields": USER_FIELDS})
        user = http.json_object(self, response).get("data")
        if not (isinstance(user, dict) and isinstance(user.get("id"), str) and isinstance(user.get("username"), str)):
            raise http.malformed(_NETWORK, response, "no data.id and data.username for the user")
        public = user.get("public_metrics") if isinstance(user.get("public_metrics"), dict) else {}
        return AccountIdentity(
            platform_user_id=user["id"],
            username=user["username"],
            display_name=user["name"] if isinstance(user.get("name"), str) else None,
            avatar_url=user["profile_image_url"] if isinstance(user.get("profile_image_url"), str) else None,
            followers=http.count(public, "followers_count"),
        )

    def revoke(self) -> bool:
        """Revokes the refresh token (what keeps the access going), then the access token."""
        for hint in ("refresh_token", "access_token"):
            token = self.credentials.tokens.get(hint)
            if token:
                response = self._token_request(REVOKE_URL, {"token": token, "token_type_hint": hint})
                if response.status_code != 400:  # 400: X no longer honours the token, which is the point
                    http.succeeded(self, response)
        return True

    def refresh_credentials(self) -> Credentials:
        form = {"refresh_token": self.token("refresh_token"), "grant_type": "refresh_token"}
        response = self._token_request(TOKEN_URL, form)
        if response.status_code in (400, 401):
            raise _refusal(response, ErrorClass.RECONNECT, "account_disconnected", "X refused the refresh token")
        grant = self._grant(response)
        kept = {key: value for key, value in self.credentials.tokens.items() if key not in _RETIRED_TOKENS}
        return Credentials(
            account_id=self.credentials.account_id,
            username=self.credentials.username,
            tokens=kept | grant.tokens,  # X rotates refresh tokens on use; one not sent keeps the old
            expires_at=grant.expires_at,
        )

    def _token_request(self, url: str, form: dict[str, str]) -> httpx.Response:
        """A call to X's token or revoke endpoint as the deployment's app: a confidential client
        (with a client secret) authenticates with HTTP Basic, a public client sends its client_id."""
        if self.app is None:
            raise PlatformError(
                ErrorClass.RECONNECT,
                "account_disconnected",
                "No X app is configured (client id and secret): the account's token cannot be renewed.",
            )
        if self.app.client_secret:
            return http.send(self, "POST", url, data=form, auth=(self.app.client_id, self.app.client_secret))
        return http.send(self, "POST", url, data={**form, "client_id": self.app.client_id})

    def _grant(self, response: httpx.Response) -> _Grant:
        body = http.json_object(self, http.succeeded(self, response))
        if not isinstance(body.get("access_token"), str) or not body["access_token"]:
            raise http.malformed(_NETWORK, response, "no access_token in the token answer")
        tokens = {"access_token": body["access_token"]}
        if isinstance(body.get("refresh_token"), str) and body["refresh_token"]:
            tokens["refresh_token"] = body["refresh_token"]
        lifetime = http.count(body, "expires_in")
        expires_at = self.clock.now() + timedelta(seconds=lifetime) if lifetime is not None else None
        return _Grant(tokens, expires_at, tuple(str(body.get("scope") or "").split()))

    # --- errors ------------------------------------------------------------------------------

    def classify_error(self, response: httpx.Response | None, exc: Exception | None = None) -> PlatformError:
        if response is None:
            return http.transport_error(_NETWORK, exc)
        status = response.status_code
        problem = http.body_of(response)
        if response.is_success:
            return http.malformed(_NETWORK, response, "the body is not the JSON object X documents")
        problem = problem or {}
        code = _platform_code(status, problem)
        message = _problem_message(problem) or f"X answered HTTP {status}."
        problem_type = str(problem.get("type") or "")
        if status == 429:
            retry_at = http.reset_time(response, _RESET_HEADER)
            if problem_type.endswith("/usage-capped"):
                return PlatformError(ErrorClass.RETRY, "quota_exceeded", message, platform_code=code, retry_at=retry_at)
            return PlatformError(ErrorClass.RETRY, "rate_limited", message, platform_code=code, retry_at=retry_at)
        if status == 401:
            return PlatformError(ErrorClass.REFRESH, "token_expired", message, platform_code=code)
        if status == 403:
            if _DUPLICATE_DETAIL in message.lower():
                return PlatformError(ErrorClass.PERMANENT, "duplicate_content", message, platform_code=code)
            return PlatformError(ErrorClass.PERMANENT, "forbidden", message, platform_code=code)
        if status == 400:
            return PlatformError(ErrorClass.PERMANENT, "invalid_content", message, platform_code=code)
        if status == 413:
            return PlatformError(ErrorClass.PERMANENT, "media_too_large", message, platform_code=code)
        if status == 404:
            return PlatformError(ErrorClass.PERMANENT, "not_found", message, platform_code=code)
        if status >= 500:
            return PlatformError(ErrorClass.RETRY, "platform_unavailable", message, platform_code=code)
        return PlatformError(ErrorClass.PERMANENT, "platform_error", message, platform_code=code)

    # --- text --------------------------------------------------------------------------------

    def count_text(self, text: str) -> int:
        return weighted_length(text)

    # --- HTTP --------------------------------------------------------------------------------

    def _call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.token('access_token')}"}
        return http.succeeded(self, http.send(self, method, API_BASE + path, headers=headers, **kwargs))


def _check_media(items: tuple[MediaItem, ...]) -> None:
    """Refuse, before any upload, what X would refuse at POST /2/tweets: more than 4 files, a GIF
    or a video with anything else, a kind X does not take."""
    unknown = sorted({item.kind for item in items} - set(_MEDIA_CATEGORIES))
    if unknown:
        raise PlatformError(ErrorClass.PERMANENT, "media_unsupported", f"X does not take media of kind {unknown}.")
    if len(items) > MAX_MEDIA_ITEMS:
        message = f"X takes at most {MAX_MEDIA_ITEMS} media per post ({len(items)} given)."
        raise PlatformError(ErrorClass.PERMANENT, "invalid_content", message)
    if len(items) > 1 and any(item.kind in _ALONE_KINDS for item in items):
        raise PlatformError(ErrorClass.PERMANENT, "invalid_content", "X takes a GIF or a video alone in a post.")


def _file_name(item: MediaItem) -> str:
    """The file's name for the multipart part: the last segment of its URL's path."""
    return httpx.URL(item.url).path.rsplit("/", 1)[-1] or "media"


def _check_after(processing: dict[str, Any]) -> int:
    """Seconds to wait before the next STATUS poll: X's check_after_secs, within 1 and MAX_CHECK_AFTER_SECONDS."""
    seconds = http.count(processing, "check_after_secs")
    if seconds is None:
        return DEFAULT_CHECK_AFTER_SECONDS
    return min(max(seconds, 1), MAX_CHECK_AFTER_SECONDS)


def _processing_failed(media_id: str, processing: dict[str, Any]) -> PlatformError:
    error = processing.get("error") if isinstance(processing.get("error"), dict) else {}
    name = error.get("name") or error.get("code")
    detail = error.get("message") or "no reason given"
    return PlatformError(
        ErrorClass.PERMANENT,
        "media_unsupported",
        f"X could not process media {media_id}: {detail}.",
        platform_code=f"failed {name}" if name else "failed",
    )


def _refusal(response: httpx.Response, error_class: ErrorClass, code: str, what: str) -> PlatformError:
    """A token endpoint's OAuth error answer ({error, error_description}) as a PlatformError."""
    refusal = http.body_of(response) or {}
    return PlatformError(
        error_class,
        code,
        f"{what}: {refusal.get('error_description') or refusal.get('error') or 'refused'}",
        platform_code=f"{response.status_code} {refusal.get('error', '')}".strip(),
    )


def _platform_code(status: int, problem: dict[str, Any]) -> str:
    """HTTP status plus the problem's type (or its title when the type is about:blank)."""
    problem_type = problem.get("type")
    label = problem_type if problem_type and problem_type != "about:blank" else problem.get("title")
    errors = problem.get("errors")
    if not label and isinstance(errors, list) and errors and isinstance(errors[0], dict):
        label = errors[0].get("code") or errors[0].get("message")  # legacy v1.1-style bodies
    return f"{status} {label}" if label else str(status)


def _problem_message(problem: dict[str, Any]) -> str:
    """The problem's detail (or title), followed by the first listed error's own message."""
    errors = problem.get("errors")
    first = errors[0] if isinstance(errors, list) and errors and isinstance(errors[0], dict) else {}
    parts = [problem.get("detail") or problem.get("title"), first.get("message")]
    return " ".join(str(part) for part in parts if part)


def _raise_for_request_errors(response: httpx.Response, body: dict[str, Any]) -> None:
    """A 200 can carry `errors`: per-post ones (deleted, hidden) are expected; others are not."""
    for error in body.get("errors") or []:
        if not isinstance(error, dict) or not (error.get("resource_id") or error.get("value")):
            problem = error if isinstance(error, dict) else {}
            raise PlatformError(
                ErrorClass.PERMANENT,
                "platform_error",
                str(problem.get("detail") or problem.get("message") or "X reported an error."),
                platform_code=_platform_code(response.status_code, problem),
            )


def _normalized_metrics(public: dict[str, Any]) -> dict[str, int]:
    metrics = {name: value for name, field in _METRIC_FIELDS if (value := http.count(public, field)) is not None}
    shares = [value for field in _SHARE_FIELDS if (value := http.count(public, field)) is not None]
    if shares:
        metrics["shares"] = sum(shares)
    return metrics


def _created_since(post: dict[str, Any], since: datetime) -> bool:
    if not isinstance(post, dict) or not isinstance(post.get("id"), str):
        return False
    created_at = post.get("created_at")
    if not isinstance(created_at, str):
        return True  # the query's start_time already bounds the window
    try:
        return from_iso(created_at) >= since
    except ValueError:
        return True


def _same_post(post: dict[str, Any], content: PostContent) -> bool:
    """Whether `post` (from the timeline) shows `content`: the same text and as many media."""
    attachments = post.get("attachments") if isinstance(post.get("attachments"), dict) else {}
    media_keys = attachments.get("media_keys") if isinstance(attachments.get("media_keys"), list) else []
    return len(media_keys) == len(content.media) and _same_text(post, content.text)


def _same_text(post: dict[str, Any], text: str) -> bool:
    """Whether X's rendering of a post is `text`. X shows text HTML-escaped (&amp; &lt; &gt;),
    with each URL replaced by a t.co link (the original in entities.urls[].expanded_url), with a
    reply's automatic leading @mentions, and with a t.co link to the media appended (its entity
    carries a media_key)."""
    entities = [entity for entity in (post.get("entities") or {}).get("urls") or [] if isinstance(entity, dict)]
    ours = unicodedata.normalize("NFC", text).strip()
    theirs = unicodedata.normalize("NFC", _without_media_links(_unescape(str(post.get("text", ""))), entities)).strip()
    without_mentions = _LEADING_MENTIONS.sub("", theirs)
    if _mask_urls(ours) not in (_mask_urls(theirs), _mask_urls(without_mentions)):
        return False
    their_links = url_spans(theirs)
    expanded = [
        str(entity.get("expanded_url") or entity.get("url") or "")
        for entity in entities
        if "media_key" not in entity
    ]
    our_links = [ours[start:end] for start, end in url_spans(ours)]
    if len(expanded) != len(their_links):  # entities missing: only the number of links can be compared
        return len(their_links) == len(our_links)
    return [_url_key(url) for url in expanded] == [_url_key(url) for url in our_links]


def _without_media_links(text: str, entities: list[dict[str, Any]]) -> str:
    for entity in entities:
        if "media_key" in entity and isinstance(entity.get("url"), str):
            text = text.replace(entity["url"], "")
    return text


def _unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _mask_urls(text: str) -> str:
    parts = []
    position = 0
    for start, end in url_spans(text):
        parts.append(text[position:start] + "\x00")
        position = end
    return "".join(parts) + text[position:]


def _url_key(url: str) -> str:
    """A URL without scheme, `www.` or trailing slash, host lower-cased: X may add a scheme."""
    bare = re.sub(r"^https?://", "", url.strip(), flags=re.IGNORECASE)
    host, slash, rest = bare.partition("/")
    host = host.lower().removeprefix("www.")
    return (host + slash + rest).rstrip("/")
