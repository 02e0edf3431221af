"""X (Twitter) API v2 adapter, acting for one account with its OAuth 2.0 user-context token.

X has no idempotency key: `reconcile` looks for a post with the same text among the account's
posts of the last hour. X also refuses to post the same text twice in a row (403 duplicate),
which backs that check up. Media upload is not built yet: content with media is refused
(`media_unsupported`) before any call."""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from herald.clock import from_iso, to_iso
from herald.platforms import http
from herald.platforms.base import (
    Credentials,
    ErrorClass,
    MediaLimits,
    Platform,
    PlatformError,
    PostContent,
    PublishedPost,
    ReconcileOutcome,
    Reconciliation,
    TextLimits,
)
from herald.text.twitter import MAX_WEIGHTED_LENGTH, url_spans, weighted_length

API_BASE = "https://api.x.com"
TOKEN_URL = f"{API_BASE}/2/oauth2/token"
METRICS_BATCH_SIZE = 100  # GET /2/tweets takes 1-100 ids
RECONCILE_WINDOW = timedelta(hours=1)
TIMELINE_PAGE_SIZE = 100
TIMELINE_MAX_PAGES = 5  # beyond 500 posts in the window, absence is not proven: UNKNOWN
_MB = 1024 * 1024

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
_NETWORK = "X"  # in messages
_RESET_HEADER = "x-rate-limit-reset"  # Unix seconds


class XPlatform(Platform):
    name = "x"
    text_limits = TextLimits(max_length=MAX_WEIGHTED_LENGTH, counting="weighted")
    media_limits = MediaLimits(
        max_items=4,
        image_types=("image/jpeg", "image/png", "image/gif", "image/webp"),
        video_types=("video/mp4", "video/quicktime"),
        max_image_bytes=5 * _MB,
        max_video_bytes=512 * _MB,
    )

    # --- posts -------------------------------------------------------------------------------

    def publish(self, content: PostContent) -> PublishedPost:
        return self._create_post(content, in_reply_to=None)

    def reply(self, parent: PublishedPost, content: PostContent) -> PublishedPost:
        return self._create_post(content, in_reply_to=parent.platform_post_id)

    def _create_post(self, content: PostContent, in_reply_to: str | None) -> PublishedPost:
        http.refuse_media(content, _NETWORK, "media upload")
        body: dict[str, Any] = {"text": content.text}
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

    # --- reconcile ---------------------------------------------------------------------------

    def reconcile(self, content: PostContent) -> Reconciliation:
        since = self.clock.now() - RECONCILE_WINDOW
        try:
            user_id = self.credentials.tokens.get("user_id") or self._own_user_id()
            params = {
                "max_results": str(TIMELINE_PAGE_SIZE),
                "start_time": since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "tweet.fields": "created_at,entities",
            }
            for _ in range(TIMELINE_MAX_PAGES):
                body = http.json_object(self, self._call("GET", f"/2/users/{user_id}/tweets", params=params))
                if body.get("errors"):
                    return Reconciliation(ReconcileOutcome.UNKNOWN)
                for post in body.get("data") or []:
                    if _created_since(post, since) and _same_text(post, content.text):
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

    # --- credentials -------------------------------------------------------------------------

    def refresh_credentials(self) -> Credentials:
        tokens = self.credentials.tokens
        refresh_token = self.token("refresh_token")
        form = {"grant_type": "refresh_token", "refresh_token": refresh_token}
        client_id = tokens.get("client_id")
        if client_id:
            form["client_id"] = client_id
        extra: dict[str, Any] = {}
        if client_id and tokens.get("client_secret"):  # a confidential client authenticates itself
            extra["auth"] = (client_id, tokens["client_secret"])
        response = http.send(self, "POST", TOKEN_URL, data=form, **extra)
        if response.status_code in (400, 401):
            refusal = http.body_of(response) or {}
            raise PlatformError(
                ErrorClass.RECONNECT,
                "account_disconnected",
                f"X refused the refresh token: {refusal.get('error_description') or refusal.get('error') or 'refused'}",
                platform_code=f"{response.status_code} {refusal.get('error', '')}".strip(),
            )
        body = http.json_object(self, http.succeeded(self, response))
        if not isinstance(body.get("access_token"), str):
            raise http.malformed(_NETWORK, response, "no access_token in the token answer")
        renewed = {**tokens, "access_token": body["access_token"]}
        if isinstance(body.get("refresh_token"), str):  # X rotates refresh tokens on use
            renewed["refresh_token"] = body["refresh_token"]
        if isinstance(body.get("expires_in"), int):
            renewed["expires_at"] = to_iso(self.clock.now() + timedelta(seconds=body["expires_in"]))
        return Credentials(account_id=self.credentials.account_id, username=self.credentials.username, tokens=renewed)

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


def _same_text(post: dict[str, Any], text: str) -> bool:
    """Whether X's rendering of a post is `text`. X shows text HTML-escaped (&amp; &lt; &gt;),
    with each URL replaced by a t.co link (the original in entities.urls[].expanded_url), and
    with a reply's automatic leading @mentions."""
    ours = unicodedata.normalize("NFC", text).strip()
    theirs = unicodedata.normalize("NFC", _unescape(str(post.get("text", "")))).strip()
    without_mentions = _LEADING_MENTIONS.sub("", theirs)
    if _mask_urls(ours) not in (_mask_urls(theirs), _mask_urls(without_mentions)):
        return False
    their_links = url_spans(theirs)
    entities = (post.get("entities") or {}).get("urls") or []
    expanded = [
        str(entity.get("expanded_url") or entity.get("url") or "")
        for entity in entities
        if isinstance(entity, dict) and "media_key" not in entity
    ]
    our_links = [ours[start:end] for start, end in url_spans(ours)]
    if len(expanded) != len(their_links):  # entities missing: only the number of links can be compared
        return len(their_links) == len(our_links)
    return [_url_key(url) for url in expanded] == [_url_key(url) for url in our_links]


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
