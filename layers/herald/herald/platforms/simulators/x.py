"""Simulated X API v2 (api.x.com) for test-mode accounts.

Answers the calls `XPlatform` makes, in X's shapes, built from the recorded exchanges in
`recordings/x.json` (the contract tests check the adapter against the same file): 19-digit
snowflake ids, RFC 7807-style problem bodies, `x-rate-limit-*` headers, post text rendered as X
shows it (HTML-escaped, URLs replaced by t.co links with `entities.urls`, a t.co link to the media
appended), and X's refusal of a repeated text (403 duplicate within 24 hours).

Media upload v2: an image in one multipart request (`POST /2/media/upload`, checked with Pillow);
a GIF or a video in chunks (`initialize`, `append`, `finalize`), then processed: the first STATUS
poll answers `in_progress`, the second `succeeded`, or `failed` (InvalidMedia) when the file is not
a GIF or an MP4/QuickTime container. `POST /2/tweets` takes only media ids of the account's own
uploads that have succeeded: up to 4 images, or one GIF or video. Uploads are kept per process
for 24 hours, by size and first bytes only.

Metrics: `GET /2/tweets` answers public_metrics, and non_public_metrics for the account's own posts
of the last 30 days (others get X's not-authorized-for-field error), grown with the time since the
post was created (`common.grown_metrics`); reply_count adds the real simulated replies. The user's
followers_count grows day by day (`common.grown_followers`).

Mentions: `GET /2/users/{id}/mentions` answers the account's made-up mentions as they come with
time (`common.simulated_mentions`: people from `common.MENTIONERS`, a few a day, some replying to
the account's newest post), newest first, with since_id, max_results (5-100), pagination_token,
tweet.fields and expansions=author_id (includes.users), as X's documented example shows.

OAuth 2.0: the test app is a confidential client, so the token and revoke endpoints require HTTP
Basic with TEST_CLIENT_ID and TEST_CLIENT_SECRET. `connect_handler` answers the code exchange
(codes made by `simulated_code`, PKCE verifier checked) and `GET /2/users/me` before the account
exists, with tokens minted from the username that carry it, so any process can check them.
Failure injection: see `herald.platforms.simulators`; it applies to POST /2/tweets only."""

from __future__ import annotations

import base64
import copy
import functools
import io
import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from herald.clock import from_iso, to_iso
from herald.platforms.simulators import (
    LOCK,
    SimulatedAccount,
    accounts_on,
    redeem_code,
    simulated_now,
    stable_digest,
)
from herald.platforms.simulators.common import (
    SimulatedMention,
    Simulator,
    client_authenticated,
    form_body,
    grown_followers,
    grown_metrics,
    reply_target,
    request_json,
    simulated_mentions,
)
from herald.text.twitter import MAX_WEIGHTED_LENGTH, url_spans, weighted_length

HOST = "api.x.com"
RECORDINGS = Path(__file__).with_name("recordings") / "x.json"
TWITTER_EPOCH_MS = 1288834974657
DUPLICATE_WINDOW = timedelta(hours=24)
PRIVATE_METRICS_WINDOW = timedelta(days=30)  # non_public_metrics: only posts this recent
CREATE_LIMIT = 100  # POST /2/tweets per user per 15 minutes, as shown in the headers
TOKEN_LIFETIME_SECONDS = 7200
GRANTED_SCOPES = "tweet.write users.read tweet.read offline.access media.write"
MEDIA_LIFETIME = timedelta(hours=24)
MAX_SEGMENT_BYTES = 5 * 1024 * 1024
MAX_SEGMENTS = 1000  # segment_index 0-999
MAX_ALT_TEXT = 1000
MAX_BYTES = {"tweet_image": 5 * 1024 * 1024, "tweet_gif": 15 * 1024 * 1024, "tweet_video": 512 * 1024 * 1024}
MEDIA_TYPES = {  # media_category -> the media_type values X takes for it in a post
    "tweet_image": ("image/jpeg", "image/png", "image/webp", "image/gif", "image/bmp", "image/pjpeg", "image/tiff"),
    "tweet_gif": ("image/gif",),
    "tweet_video": ("video/mp4", "video/quicktime"),
}
_MEDIA_KEY_PREFIX = {"tweet_image": "3", "tweet_gif": "16", "tweet_video": "7"}
_POST_MEDIA_TYPE = {"tweet_image": "photo", "tweet_gif": "animated_gif", "tweet_video": "video"}
_CONTAINER_BOXES = (b"ftyp", b"moov", b"wide", b"mdat", b"free", b"skip")  # MP4 / QuickTime first box
_PROBLEMS = "https://api.twitter.com/2/problems"
_sequence = 0  # snowflake sequence bits, process-wide (guarded by LOCK)


@functools.cache
def _recordings() -> dict[str, dict[str, Any]]:
    return {entry["name"]: entry for entry in json.loads(RECORDINGS.read_text("utf-8"))}


def recording(name: str) -> dict[str, Any]:
    """A copy of the recorded exchange `name` ({name, request, response}) from recordings/x.json."""
    return copy.deepcopy(_recordings()[name])


def initial_tokens(account_id: str, username: str) -> dict[str, str]:
    return {
        "access_token": _token(account_id, "access", 0),
        "refresh_token": _token(account_id, "refresh", 0),
        "user_id": user_id_for(account_id),
    }


def user_id_for(account_id: str) -> str:
    """A 19-digit numeric user id, the same for the account in every process."""
    return _user_id(stable_digest("x-user", account_id))


def user_id_for_username(username: str) -> str:
    """The user id of an account connected through OAuth in test mode, from its username."""
    return _user_id(stable_digest("x-username", username.lower()))


def _user_id(digest: bytes) -> str:
    return str(10**18 + int.from_bytes(digest[:8], "big") % (9 * 10**18))


def _token(account_id: str, kind: str, generation: int) -> str:
    digest = stable_digest("x-token", account_id, kind, str(generation))
    return base64.urlsafe_b64encode(digest + digest[:12]).decode("ascii").rstrip("=")


def _connect_token(username: str, kind: str) -> str:
    """A token issued at connect time, shaped like X's (base64 of `secret:...:at|rt:1`): it names
    the username it was issued for, so `_token_owner` can check it in any process."""
    secret = base64.urlsafe_b64encode(stable_digest("x-connect", username, kind)[:24]).decode().rstrip("=")
    payload = f"{secret}:{username}:1:1:{kind}:1"
    return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


def _token_owner(token: str, kind: str) -> str | None:
    """The username a connect-time token of `kind` ("at" or "rt") was issued for; None if it was not."""
    try:
        payload = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
    except ValueError:
        return None
    parts = payload.split(":")
    if len(parts) != 6 or _connect_token(parts[1], kind) != token:
        return None
    return parts[1]


# --- connecting (before the account exists) --------------------------------------------------


def connect_handler(request: httpx.Request) -> httpx.Response:
    """Answers the calls `XPlatform.connect_with_code` makes: the code exchange and the identity."""
    if request.url.host != HOST:
        raise httpx.ConnectError(f"the X simulator does not serve {request.url.host}", request=request)
    if (request.method, request.url.path) == ("POST", "/2/oauth2/token"):
        return _exchange_code(request)
    if (request.method, request.url.path) == ("GET", "/2/users/me"):
        username = _token_owner(_bearer(request), "at")
        if username is None:
            return _recorded("error_unauthorized")
        fields = _fields(request, "user.fields")
        return httpx.Response(200, json={"data": _user_view(user_id_for_username(username), username, fields)})
    return _page_not_found()


def _exchange_code(request: httpx.Request) -> httpx.Response:
    form = form_body(request)
    if not client_authenticated(request):
        return _recorded("token_unauthorized_client")
    if form.get("grant_type") != "authorization_code":
        return _oauth_error(400, "unsupported_grant_type", "Unsupported grant type.")
    for required in ("code", "redirect_uri"):
        if not form.get(required):
            return _oauth_error(400, "invalid_request", f"Missing required parameter [{required}].")
    username = redeem_code(form["code"], form.get("code_verifier"))
    if username is None:
        return _oauth_error(400, "invalid_request", "Value passed for the authorization code was invalid.")
    return _token_answer(_connect_token(username, "at"), _connect_token(username, "rt"))


# --- one account -----------------------------------------------------------------------------


class XSimulator(Simulator):
    network = "x"

    def route(self, request: httpx.Request) -> httpx.Response:
        if request.url.host != HOST:
            raise httpx.ConnectError(f"the X simulator does not serve {request.url.host}", request=request)
        method, path = request.method, request.url.path
        parts = path.strip("/").split("/")
        routes = {
            ("POST", "/2/oauth2/token"): self._refresh,
            ("POST", "/2/oauth2/revoke"): self._revoke,
            ("POST", "/2/tweets"): self._create,
            ("GET", "/2/tweets"): self._lookup,
            ("GET", "/2/users/me"): self._me,
            ("POST", "/2/media/upload"): self._upload_whole,
            ("GET", "/2/media/upload"): self._status,
            ("POST", "/2/media/upload/initialize"): self._initialize,
            ("POST", "/2/media/metadata"): self._metadata,
        }
        if (method, path) in routes:
            return routes[method, path](request)
        if method == "DELETE" and len(parts) == 3 and parts[:2] == ["2", "tweets"]:
            return self._delete(request, parts[2])
        if method == "GET" and len(parts) == 4 and parts[:2] == ["2", "users"] and parts[3] == "tweets":
            return self._timeline(request, parts[2])
        if method == "GET" and len(parts) == 4 and parts[:2] == ["2", "users"] and parts[3] == "mentions":
            return self._mentions(request, parts[2])
        if method == "POST" and len(parts) == 5 and parts[:3] == ["2", "media", "upload"]:
            if parts[4] == "append":
                return self._append(request, parts[3])
            if parts[4] == "finalize":
                return self._finalize(request, parts[3])
        return _page_not_found()

    # --- POST /2/tweets ----------------------------------------------------------------------

    def _create(self, request: httpx.Request) -> httpx.Response:
        now = simulated_now()
        with LOCK:
            failure = self.take_create_failure(request)
            if failure == "rate_limited":
                return _recorded("error_rate_limited", headers=_limits(now, 0, 60))
            if failure == "server_error":
                return _recorded("error_service_unavailable")
            if failure == "duplicate":
                return _recorded("error_duplicate")
            state = self.authorized(request)
            body = request_json(request)
            invalid = _invalid_post(body)
            if invalid is not None:
                return invalid
            uploads = _attached(state, body)
            if uploads is None:
                return _invalid_request("media.media_ids", "Your media IDs are invalid.")
            reply_to = (body.get("reply") or {}).get("in_reply_to_tweet_id")
            if reply_to is not None and _find_post(str(reply_to)) is None:
                return _problem(
                    403, "Forbidden", "You attempted to reply to a Tweet that is deleted or not visible to you."
                )
            text = body.get("text") or ""
            if text and _repeats_recent_text(state, text, now):
                return _recorded("error_duplicate")
            post = _store_post(state, text, reply_to, uploads, now)
        if (lost := self.after_write(failure, request, "the post was created")) is not None:
            return lost
        answer = recording("create_post")["response"]["body"]
        answer["data"] = {"id": post["id"], "text": _rendered(post)[0], "edit_history_tweet_ids": [post["id"]]}
        return httpx.Response(201, json=answer, headers=_limits(now, CREATE_LIMIT - 1, 900))

    # --- DELETE /2/tweets/{id} ---------------------------------------------------------------

    def _delete(self, request: httpx.Request, post_id: str) -> httpx.Response:
        with LOCK:
            state = self.authorized(request)
            if post_id in state.posts:
                del state.posts[post_id]
                return _recorded("delete_post")
            if _find_post(post_id) is not None:
                return _problem(403, "Forbidden", "You are not allowed to delete a Tweet you did not create.")
        return httpx.Response(404, json=_not_found_error("tweet", "id", post_id))

    # --- GET /2/tweets?ids= ------------------------------------------------------------------

    def _lookup(self, request: httpx.Request) -> httpx.Response:
        ids = [value for value in request.url.params.get("ids", "").split(",") if value]
        fields = _fields(request, "tweet.fields")
        now = simulated_now()
        with LOCK:
            state = self.authorized(request)
            if not 1 <= len(ids) <= 100 or not all(value.isdigit() for value in ids):
                return _invalid_request("ids", "The `ids` query parameter value must be 1 to 100 numeric post ids.")
            data, errors = [], []
            for post_id in ids:
                post = _find_post(post_id)
                if post is None:
                    errors.append(_not_found_error("tweet", "ids", post_id))
                    continue
                private = "non_public_metrics" in fields
                if private and not _private_metrics_readable(state, post, now):
                    errors.append(_not_authorized_for_field(post_id, "non_public_metrics"))
                    continue
                view: dict[str, Any] = {"id": post_id, "text": _rendered(post)[0], "edit_history_tweet_ids": [post_id]}
                if "public_metrics" in fields:
                    view["public_metrics"] = _public_metrics(post, now)
                if private:
                    view["non_public_metrics"] = _non_public_metrics(post, now)
                data.append(view)
        body: dict[str, Any] = {}
        if data:
            body["data"] = data
        if errors:
            body["errors"] = errors
        return httpx.Response(200, json=body)

    # --- GET /2/users/me and /2/users/{id}/tweets --------------------------------------------

    def _me(self, request: httpx.Request) -> httpx.Response:
        with LOCK:
            state = self.authorized(request)
            user = _user_view(state.tokens["user_id"], state.username, _fields(request, "user.fields"))
        return httpx.Response(200, json={"data": user})

    def _timeline(self, request: httpx.Request, user_id: str) -> httpx.Response:
        params = request.url.params
        fields = _fields(request, "tweet.fields")
        try:
            page_size = int(params.get("max_results", "10"))
            start_time = from_iso(params["start_time"]) if "start_time" in params else None
        except ValueError:
            return _invalid_request("max_results", "max_results and start_time must be a number and a time.")
        if not 5 <= page_size <= 100:
            return _invalid_request(
                "max_results", f"The `max_results` query parameter value [{page_size}] is not between 5 and 100"
            )
        with LOCK:
            self.authorized(request)
            owner = next((s for s in accounts_on("x") if s.tokens.get("user_id") == user_id), None)
            if owner is None:
                return httpx.Response(200, json={"errors": [_not_found_error("user", "id", user_id)]})
            posts = [
                post
                for post in reversed(owner.posts.values())
                if start_time is None or from_iso(post["created_at"]) >= start_time
            ]
            after = params.get("pagination_token")
            if after:
                posts = [post for post in posts if int(post["id"]) < int(after)]
            page, more = posts[:page_size], len(posts) > page_size
            views = [_timeline_view(post, fields) for post in page]
        meta: dict[str, Any] = {"result_count": len(views)}
        if views:
            meta.update(newest_id=views[0]["id"], oldest_id=views[-1]["id"])
        if more:
            meta["next_token"] = views[-1]["id"]
        return httpx.Response(200, json={"data": views, "meta": meta} if views else {"meta": meta})

    def _mentions(self, request: httpx.Request, user_id: str) -> httpx.Response:
        """GET /2/users/{id}/mentions: the user's simulated mentions, newest first."""
        params = request.url.params
        fields, expansions = _fields(request, "tweet.fields"), _fields(request, "expansions")
        try:
            page_size = int(params.get("max_results", "10"))
            since_id = int(params["since_id"]) if "since_id" in params else 0
            before = int(params["pagination_token"]) if "pagination_token" in params else None
        except ValueError:
            return _invalid_request("since_id", "since_id and pagination_token must be post ids.")
        if not 5 <= page_size <= 100:
            return _invalid_request(
                "max_results", f"The `max_results` query parameter value [{page_size}] is not between 5 and 100"
            )
        now = simulated_now()
        with LOCK:
            self.authorized(request)
            owner = next((s for s in accounts_on("x") if s.tokens.get("user_id") == user_id), None)
            if owner is None:
                return httpx.Response(200, json={"errors": [_not_found_error("user", "id", user_id)]})
            own_posts = [(post["id"], from_iso(post["created_at"])) for post in owner.posts.values()]
            username = owner.username
        page: list[dict[str, Any]] = []
        more = False
        for mention in simulated_mentions(f"x:{user_id}", f"@{username}", now):
            post = _mention_post(user_id, mention, own_posts)
            if int(post["id"]) <= since_id:
                break
            if before is not None and int(post["id"]) >= before:
                continue
            if len(page) == page_size:
                more = True
                break
            page.append(post)
        views = [_mention_view(post, fields | ({"author_id"} if "author_id" in expansions else set())) for post in page]
        meta: dict[str, Any] = {"result_count": len(views)}
        if views:
            meta.update(newest_id=views[0]["id"], oldest_id=views[-1]["id"])
        if more:
            meta["next_token"] = views[-1]["id"]
        if not views:
            return httpx.Response(200, json={"meta": meta})
        body: dict[str, Any] = {"data": views}
        if "author_id" in expansions:
            authors = {post["author_id"]: post for post in page}
            body["includes"] = {"users": [{"id": i, "name": post["name"], "username": post["username"]}
                                          for i, post in authors.items()]}
        body["meta"] = meta
        return httpx.Response(200, json=body)

    # --- media upload v2 ---------------------------------------------------------------------

    def _upload_whole(self, request: httpx.Request) -> httpx.Response:
        """POST /2/media/upload: an image in one multipart request."""
        parts = _multipart(request)
        if parts is None or not parts.get("media"):
            return _invalid_request("media", "The request must be multipart/form-data with the file as `media`.")
        category = parts.get("media_category", b"").decode("utf-8", "replace")
        if category != "tweet_image":
            return _invalid_request("media_category", f"media_category [{category}] must be tweet_image here.")
        data = parts["media"]
        if len(data) > MAX_BYTES[category]:
            return _invalid_request("media", f"File size exceeds {MAX_BYTES[category]} bytes.")
        image = _image_header(data)
        if image is None:
            return _invalid_request("media", "media type unrecognized.")
        with LOCK:
            state = self.authorized(request)
            upload = _new_upload(state, category, image["image_type"], len(data), simulated_now())
            upload.received, upload.head, upload.state = len(data), data[:16], "succeeded"
        answer = recording("media_upload_image")["response"]["body"]
        answer["data"].update(_media_ids(upload), size=len(data), image=image)
        answer["data"]["expires_after_secs"] = _expires_after(upload)
        return httpx.Response(200, json=answer)

    def _initialize(self, request: httpx.Request) -> httpx.Response:
        body = request_json(request)
        invalid = _invalid_initialize(body)
        if invalid is not None:
            return invalid
        with LOCK:
            state = self.authorized(request)
            category, media_type, total = body["media_category"], body["media_type"], body["total_bytes"]
            upload = _new_upload(state, category, media_type, total, simulated_now())
        answer = recording("media_initialize")["response"]["body"]
        answer["data"].update(_media_ids(upload), expires_after_secs=_expires_after(upload))
        return httpx.Response(200, json=answer)

    def _append(self, request: httpx.Request, media_id: str) -> httpx.Response:
        parts = _multipart(request)
        if parts is None or "media" not in parts or "segment_index" not in parts:
            return _invalid_request("media", "The request must be multipart/form-data: `segment_index`, `media`.")
        segment = parts["segment_index"].decode("ascii", "replace")
        if not segment.isdigit() or int(segment) >= MAX_SEGMENTS:
            return _invalid_request("segment_index", f"segment_index [{segment}] must be between 0 and 999.")
        if not 0 < len(parts["media"]) <= MAX_SEGMENT_BYTES:
            return _invalid_request("media", f"A segment must hold 1 to {MAX_SEGMENT_BYTES} bytes.")
        with LOCK:
            upload = _upload_of(self.authorized(request), media_id)
            if upload is None or upload.state != "uploading":
                return _invalid_media_id(media_id)
            if int(segment) == 0:
                upload.head = parts["media"][:16]
            upload.received += len(parts["media"])
            expires_at = int((upload.created + MEDIA_LIFETIME).timestamp())
        answer = recording("media_append")["response"]["body"]
        answer["data"]["expires_at"] = expires_at
        return httpx.Response(200, json=answer)

    def _finalize(self, request: httpx.Request, media_id: str) -> httpx.Response:
        with LOCK:
            upload = _upload_of(self.authorized(request), media_id)
            if upload is None or upload.state != "uploading":
                return _invalid_media_id(media_id)
            if upload.received != upload.total_bytes:
                return _invalid_request("media", "Segments do not add up to provided total file size.")
            upload.state = "succeeded" if upload.category == "tweet_image" else "pending"
            answer = recording("media_finalize")["response"]["body"]
            answer["data"].update(_media_ids(upload), size=upload.total_bytes)
            answer["data"]["expires_after_secs"] = _expires_after(upload)
            answer["data"].pop("processing_info")
            if upload.state == "pending":
                answer["data"]["processing_info"] = {"state": "pending", "check_after_secs": 1}
        return httpx.Response(200, json=answer)

    def _status(self, request: httpx.Request) -> httpx.Response:
        """GET /2/media/upload?command=STATUS: pending -> in_progress -> succeeded (or failed), one step per poll."""
        params = request.url.params
        if params.get("command") != "STATUS":
            return _invalid_request("command", "The `command` query parameter value must be STATUS.")
        media_id = params.get("media_id", "")
        with LOCK:
            upload = _upload_of(self.authorized(request), media_id)
            if upload is None or upload.state == "uploading":
                return _invalid_media_id(media_id)
            _process_one_step(upload)
            answer = recording(f"media_status_{upload.state}")["response"]["body"]
            answer["data"].update(_media_ids(upload), expires_after_secs=_expires_after(upload))
            if upload.state == "in_progress":
                answer["data"]["processing_info"].update(check_after_secs=1, progress_percent=50)
            if upload.state == "failed":
                answer["data"]["processing_info"]["error"]["message"] = _unsupported_format(upload)
        return httpx.Response(200, json=answer)

    def _metadata(self, request: httpx.Request) -> httpx.Response:
        body = request_json(request)
        metadata = body.get("metadata") if isinstance(body, dict) else None
        alt = metadata.get("alt_text") if isinstance(metadata, dict) else None
        if not (isinstance(alt, dict) and isinstance(alt.get("text"), str) and isinstance(body.get("id"), str)):
            return _invalid_request("metadata", "The body must be {id, metadata: {alt_text: {text}}}.")
        if len(alt["text"]) > MAX_ALT_TEXT:
            return _invalid_request("metadata.alt_text.text", f"Alt text must be at most {MAX_ALT_TEXT} characters.")
        with LOCK:
            upload = _upload_of(self.authorized(request), body["id"])
            if upload is None:
                return _invalid_media_id(body["id"])
            upload.alt = alt["text"]
        answer = recording("media_metadata")["response"]["body"]
        answer["data"]["associated_metadata"]["alt_text"]["text"] = alt["text"]
        return httpx.Response(200, json=answer)

    # --- POST /2/oauth2/token and /2/oauth2/revoke -------------------------------------------

    def _refresh(self, request: httpx.Request) -> httpx.Response:
        form = form_body(request)
        if not client_authenticated(request):
            return _recorded("token_unauthorized_client")
        if form.get("grant_type") != "refresh_token":
            return _oauth_error(400, "unsupported_grant_type", "Unsupported grant type.")
        with LOCK:
            state = self.state()
            if state.revoked or form.get("refresh_token") != state.tokens["refresh_token"]:
                return _recorded("token_refused")
            state.rotate_tokens(
                "access_token", "refresh_token", lambda kind, generation: _token(state.account_id, kind, generation)
            )
            access, refresh = state.tokens["access_token"], state.tokens["refresh_token"]
        return _token_answer(access, refresh)

    def _revoke(self, request: httpx.Request) -> httpx.Response:
        """Revoking either token ends the grant. An unknown token is answered the same (RFC 7009)."""
        form = form_body(request)
        if not client_authenticated(request):
            return _recorded("token_unauthorized_client")
        if not form.get("token"):
            return _oauth_error(400, "invalid_request", "Missing required parameter [token].")
        with LOCK:
            state = self.state()
            if form["token"] in (state.tokens["access_token"], state.tokens["refresh_token"]):
                state.revoked = state.token_expired = True
        return _recorded("revoke_token")

    def refuse_token(self, state: SimulatedAccount, request: httpx.Request) -> httpx.Response | None:
        if _bearer(request) != state.tokens["access_token"] or state.token_expired:
            return _recorded("error_unauthorized")
        return None


# --- media, called with LOCK held ------------------------------------------------------------


@dataclass
class _Upload:
    """A media upload: what X has received of it (its size and first bytes) and its state:
    uploading -> (pending -> in_progress ->) succeeded | failed."""

    media_id: str
    owner: SimulatedAccount
    category: str
    media_type: str
    total_bytes: int
    created: datetime
    received: int = 0
    head: bytes = b""
    state: str = "uploading"
    alt: str | None = None


_UPLOADS: dict[str, _Upload] = {}


def _new_upload(state: SimulatedAccount, category: str, media_type: str, total: int, now: datetime) -> _Upload:
    """A new upload; expired ones, and those of accounts the simulators forgot, are dropped."""
    live = accounts_on("x")
    for media_id, upload in list(_UPLOADS.items()):
        if now - upload.created > MEDIA_LIFETIME or not any(upload.owner is account for account in live):
            del _UPLOADS[media_id]
    upload = _Upload(_snowflake(state.account_id, now), state, category, media_type, total, now)
    _UPLOADS[upload.media_id] = upload
    return upload


def _upload_of(state: SimulatedAccount, media_id: str) -> _Upload | None:
    upload = _UPLOADS.get(media_id)
    return upload if upload is not None and upload.owner is state else None


def _process_one_step(upload: _Upload) -> None:
    if upload.state == "pending":
        upload.state = "in_progress" if _looks_like(upload) else "failed"
    elif upload.state == "in_progress":
        upload.state = "succeeded"


def _looks_like(upload: _Upload) -> bool:
    """Whether the first bytes are those of the declared kind: a GIF, or an MP4/QuickTime box."""
    if upload.category == "tweet_gif":
        return upload.head.startswith((b"GIF87a", b"GIF89a"))
    return upload.head[4:8] in _CONTAINER_BOXES


def _unsupported_format(upload: _Upload) -> str:
    return "Unsupported gif format" if upload.category == "tweet_gif" else "Unsupported video format"


def _image_header(data: bytes) -> dict[str, Any] | None:
    """{image_type, w, h} of an image Pillow recognises; None for anything else."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            mime = Image.MIME.get(image.format or "")
            width, height = image.size
    except (UnidentifiedImageError, OSError):
        return None
    if mime not in MEDIA_TYPES["tweet_image"]:
        return None
    return {"image_type": mime, "w": width, "h": height}


def _media_ids(upload: _Upload) -> dict[str, str]:
    return {"id": upload.media_id, "media_key": f"{_MEDIA_KEY_PREFIX[upload.category]}_{upload.media_id}"}


def _expires_after(upload: _Upload) -> int:
    return max(0, int((upload.created + MEDIA_LIFETIME - simulated_now()).total_seconds()))


def _attached(state: SimulatedAccount, body: dict[str, Any]) -> list[_Upload] | None:
    """The uploads a post names in media.media_ids ([] without media); None when X would refuse
    them: not the account's, not processed, more than 4, or a GIF or video with anything else."""
    media = body.get("media")
    if media is None:
        return []
    ids = media.get("media_ids") if isinstance(media, dict) else None
    if not isinstance(ids, list) or not 1 <= len(ids) <= 4 or not all(isinstance(i, str) for i in ids):
        return None
    uploads = [_upload_of(state, media_id) for media_id in ids]
    if any(upload is None or upload.state != "succeeded" for upload in uploads):
        return None
    found = [upload for upload in uploads if upload is not None]
    if len(found) > 1 and any(upload.category != "tweet_image" for upload in found):
        return None
    return found


def _invalid_initialize(body: Any) -> httpx.Response | None:
    if not isinstance(body, dict):
        return _invalid_request("body", "The request body is not a JSON object.")
    category, media_type, total = body.get("media_category"), body.get("media_type"), body.get("total_bytes")
    if category not in MEDIA_TYPES:
        return _invalid_request("media_category", f"media_category [{category}] is not one X takes for posts.")
    if media_type not in MEDIA_TYPES[category]:
        return _invalid_request("media_type", f"media_type [{media_type}] does not fit media_category [{category}].")
    if not isinstance(total, int) or isinstance(total, bool) or total <= 0:
        return _invalid_request("total_bytes", "total_bytes must be a positive integer.")
    if total > MAX_BYTES[category]:
        return _invalid_request("total_bytes", f"File size exceeds {MAX_BYTES[category]} bytes.")
    return None


# --- posts, called with LOCK held ------------------------------------------------------------


def _find_post(post_id: str) -> dict[str, Any] | None:
    for state in accounts_on("x"):
        if post_id in state.posts:
            return state.posts[post_id]
    return None


def _repeats_recent_text(state: SimulatedAccount, text: str, now: datetime) -> bool:
    return any(
        post["text"] == text and now - from_iso(post["created_at"]) < DUPLICATE_WINDOW for post in state.posts.values()
    )


def _snowflake(account_id: str, now: datetime) -> str:
    global _sequence
    _sequence = (_sequence + 1) % 4096
    worker = stable_digest("x-worker", account_id)[0] << 2 & 0x3FF
    milliseconds = int(now.timestamp() * 1000) - TWITTER_EPOCH_MS
    return str(milliseconds << 22 | worker << 12 | _sequence)


def _store_post(
    state: SimulatedAccount, text: str, reply_to: Any, uploads: list[_Upload], now: datetime
) -> dict[str, Any]:
    post_id = _snowflake(state.account_id, now)
    post = {
        "id": post_id,
        "text": text,
        "author_id": state.tokens["user_id"],
        "username": state.username,
        "created_at": to_iso(now),
        "in_reply_to_tweet_id": str(reply_to) if reply_to is not None else None,
        "media": [
            {**_media_ids(upload), "type": _POST_MEDIA_TYPE[upload.category], "alt_text": upload.alt}
            for upload in uploads
        ],
    }
    state.posts[post_id] = post
    return post


def _public_metrics(post: dict[str, Any], now: datetime) -> dict[str, int]:
    """The post's public counts at `now`, grown since it was created (`grown_metrics`); the replies
    add the real simulated ones."""
    grown = grown_metrics(post["id"], from_iso(post["created_at"]), now)
    replies = sum(
        1 for state in accounts_on("x") for p in state.posts.values() if p["in_reply_to_tweet_id"] == post["id"]
    )
    return {
        "retweet_count": grown["shares"],
        "reply_count": grown["comments"] + replies,
        "like_count": grown["likes"],
        "quote_count": grown["quotes"],
        "bookmark_count": grown["saves"],
        "impression_count": grown["impressions"],
    }


def _non_public_metrics(post: dict[str, Any], now: datetime) -> dict[str, int]:
    """The counts only the author sees (docs.x.com x-api/fundamentals/metrics), grown as the public ones."""
    grown = grown_metrics(post["id"], from_iso(post["created_at"]), now)
    return {
        "impression_count": grown["impressions"],
        "url_link_clicks": grown["clicks"],
        "user_profile_clicks": grown["profile_clicks"],
    }


def _private_metrics_readable(state: SimulatedAccount, post: dict[str, Any], now: datetime) -> bool:
    """Non-public metrics are shown for the account's own posts of the last 30 days only."""
    return post["author_id"] == state.tokens["user_id"] and now - from_iso(post["created_at"]) <= PRIVATE_METRICS_WINDOW


def _rendered(post: dict[str, Any]) -> tuple[str, list[dict[str, Any]]]:
    """The text as X shows it, and its URL entities: each URL becomes a t.co link (offsets in
    code points of the shown text), &, <, > are HTML-escaped, and a post with media ends with a
    t.co link to them (its entity names the first media_key)."""
    text, shown, entities, position = post["text"], "", [], 0
    for index, (start, end) in enumerate(url_spans(text)):
        shown += _escape(text[position:start])
        original = text[start:end]
        expanded = original if original.lower().startswith(("http://", "https://")) else f"http://{original}"
        entities.append(_link(len(shown), _short_link(post["id"], str(index)), expanded))
        shown += entities[-1]["url"]
        position = end
    shown += _escape(text[position:])
    if post["media"]:
        shown += " " if shown else ""
        kind = "video" if post["media"][0]["type"] != "photo" else "photo"
        expanded = f"https://x.com/{post['username']}/status/{post['id']}/{kind}/1"
        short = _short_link(post["id"], "media")
        media_link = _link(len(shown), short, expanded)
        media_link.update(display_url="pic.x.com/" + short.rsplit("/", 1)[-1], media_key=post["media"][0]["media_key"])
        entities.append(media_link)
        shown += short
    return shown, entities


def _short_link(post_id: str, which: str) -> str:
    return "https://t.co/" + base64.b32encode(stable_digest("t.co", post_id, which)).decode()[:10].lower()


def _link(start: int, short: str, expanded: str) -> dict[str, Any]:
    return {
        "start": start,
        "end": start + len(short),
        "url": short,
        "expanded_url": expanded,
        "display_url": expanded.split("://", 1)[1][:27],
    }


def _timeline_view(post: dict[str, Any], fields: set[str]) -> dict[str, Any]:
    shown, urls = _rendered(post)
    view: dict[str, Any] = {"id": post["id"], "text": shown, "edit_history_tweet_ids": [post["id"]]}
    if "created_at" in fields:
        view["created_at"] = post["created_at"]
    if "attachments" in fields and post["media"]:
        view["attachments"] = {"media_keys": [media["media_key"] for media in post["media"]]}
    if "entities" in fields and urls:
        view["entities"] = {"urls": urls}
    return view


def _mention_post(user_id: str, mention: SimulatedMention, own_posts: list[tuple[str, datetime]]) -> dict[str, Any]:
    """A simulated mention as a post: a snowflake id from its time (the sequence bits from its
    number), by a made-up user, replying to the account's newest post before it when it replies."""
    milliseconds = int(mention.at.timestamp() * 1000) - TWITTER_EPOCH_MS
    worker = stable_digest("x-mentions", user_id)[0] << 2 & 0x3FF
    post_id = str(milliseconds << 22 | worker << 12 | mention.number % 4096)
    target = reply_target(own_posts, mention.at) if mention.reply else None
    return {"id": post_id, "text": mention.text, "author_id": user_id_for_username(mention.author),
            "username": mention.author, "name": mention.author_name, "created_at": to_iso(mention.at),
            "in_reply_to": target,
            "in_reply_to_user_id": user_id if target else None}


def _mention_view(post: dict[str, Any], fields: set[str]) -> dict[str, Any]:
    view: dict[str, Any] = {"id": post["id"], "text": _escape(post["text"]), "edit_history_tweet_ids": [post["id"]]}
    if "author_id" in fields:
        view["author_id"] = post["author_id"]
    if "created_at" in fields:
        view["created_at"] = post["created_at"]
    if "conversation_id" in fields:
        view["conversation_id"] = post["in_reply_to"] or post["id"]
    if "in_reply_to_user_id" in fields and post["in_reply_to_user_id"]:
        view["in_reply_to_user_id"] = post["in_reply_to_user_id"]
    if "referenced_tweets" in fields and post["in_reply_to"]:
        view["referenced_tweets"] = [{"type": "replied_to", "id": post["in_reply_to"]}]
    return view


def _user_view(user_id: str, username: str, fields: set[str]) -> dict[str, Any]:
    """A user as GET /2/users/me shows it, with the optional fields asked for; made-up profile
    details are stable per user id, and its followers grow with time."""
    user: dict[str, Any] = {"id": user_id, "name": username, "username": username}
    seed = stable_digest("x-profile", user_id)
    if "profile_image_url" in fields:
        image = base64.b32encode(seed[:5]).decode().lower()
        user["profile_image_url"] = f"https://pbs.twimg.com/profile_images/{user_id}/{image}_normal.jpg"
    if "public_metrics" in fields:
        recorded = recording("users_me")["response"]["body"]["data"]["public_metrics"]
        user["public_metrics"] = {name: seed[index] * 37 % 5000 for index, name in enumerate(recorded)}
        user["public_metrics"]["followers_count"] = grown_followers(f"x:{user_id}", simulated_now())
    return user


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# --- requests --------------------------------------------------------------------------------


def _bearer(request: httpx.Request) -> str:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token if scheme.lower() == "bearer" else ""




def _multipart(request: httpx.Request) -> dict[str, bytes] | None:
    """The fields of a multipart/form-data body, by name; None for any other body."""
    kind, _, parameters = request.headers.get("content-type", "").partition(";")
    boundary = re.search(r'boundary="?([^";]+)"?', parameters)
    if kind.strip() != "multipart/form-data" or boundary is None:
        return None
    fields = {}
    for part in request.content.split(b"--" + boundary.group(1).encode())[1:-1]:
        head, separator, value = part.partition(b"\r\n\r\n")
        name = re.search(rb'\bname="([^"]*)"', head)
        if not separator or name is None:
            return None
        fields[name.group(1).decode()] = value.removesuffix(b"\r\n")
    return fields


def _fields(request: httpx.Request, parameter: str) -> set[str]:
    return set(request.url.params.get(parameter, "").split(","))


# --- answers ---------------------------------------------------------------------------------


def _recorded(name: str, *, headers: dict[str, str] | None = None) -> httpx.Response:
    """The recorded answer `name`, with `headers` instead of the recorded ones when given."""
    response = recording(name)["response"]
    return httpx.Response(response["status"], json=response["body"], headers=headers or response.get("headers"))


def _token_answer(access_token: str, refresh_token: str) -> httpx.Response:
    answer = recording("token_authorization_code")["response"]["body"]
    answer.update(
        access_token=access_token, refresh_token=refresh_token, expires_in=TOKEN_LIFETIME_SECONDS, scope=GRANTED_SCOPES
    )
    return httpx.Response(200, json=answer)


def _oauth_error(status: int, error: str, description: str) -> httpx.Response:
    return httpx.Response(status, json={"error": error, "error_description": description})


def _invalid_post(body: Any) -> httpx.Response | None:
    if not isinstance(body, dict):
        return _invalid_request("body", "The request body is not a JSON object.")
    text = body.get("text")
    if text is not None and not isinstance(text, str):
        return _invalid_request("text", "Post text must be a string.")
    if not (text or "").strip() and not body.get("media"):
        return _invalid_request("text", "Post text is required when no media is attached.")
    if text and weighted_length(text) > MAX_WEIGHTED_LENGTH:
        return _invalid_request("text", f"Post text is longer than {MAX_WEIGHTED_LENGTH} weighted characters.")
    return None


def _problem(status: int, title: str, detail: str) -> httpx.Response:
    return httpx.Response(status, json={"title": title, "detail": detail, "type": "about:blank", "status": status})


def _page_not_found() -> httpx.Response:
    return httpx.Response(404, json={"errors": [{"message": "Sorry, that page does not exist", "code": 34}]})


def _invalid_request(parameter: str, message: str) -> httpx.Response:
    body = recording("error_invalid_request")["response"]["body"]
    body["errors"] = [{"parameters": {parameter: []}, "message": message}]
    return httpx.Response(400, json=body)


def _invalid_media_id(media_id: str) -> httpx.Response:
    return _invalid_request("media_id", f"Media id [{media_id}] is no upload of this user that can be used here.")


def _not_authorized_for_field(post_id: str, field: str) -> dict[str, Any]:
    """The per-post error X gives instead of a post whose `field` the user may not read."""
    return {
        "value": post_id,
        "detail": f"Sorry, you are not authorized to access '{field}' on the Tweet with ids: [{post_id}].",
        "title": "Authorization Error",
        "resource_type": "tweet",
        "parameter": "tweet.fields",
        "resource_id": post_id,
        "field": field,
        "section": "data",
        "type": f"{_PROBLEMS}/not-authorized-for-field",
    }


def _not_found_error(resource: str, parameter: str, value: str) -> dict[str, Any]:
    return {
        "value": value,
        "detail": f"Could not find {resource} with {parameter}: [{value}].",
        "title": "Not Found Error",
        "resource_type": resource,
        "parameter": parameter,
        "resource_id": value,
        "type": f"{_PROBLEMS}/resource-not-found",
    }


def _limits(now: datetime, remaining: int, reset_in_seconds: int) -> dict[str, str]:
    return {
        "x-rate-limit-limit": str(CREATE_LIMIT),
        "x-rate-limit-remaining": str(remaining),
        "x-rate-limit-reset": str(int(now.timestamp()) + reset_in_seconds),
    }
