"""Simulated TikTok (the v2 API at open.tiktokapis.com and its upload host
open-upload.tiktokapis.com) for test-mode accounts.

Answers the calls `TikTokPlatform` makes in the shapes of the recorded exchanges
(`recordings/tiktok.json`, TikTok's documented examples; `recorded()` hands out copies): every
answer `{"data": ..., "error": {"code": "ok", "message": "", "log_id"}}`, errors with their
documented codes and HTTP statuses, `act.`/`rft.` tokens, open ids, publish ids such as
`v_pub_file~v2-1.{n}`, and 19-digit video ids whose high bits are the Unix time, as TikTok's are.

What it checks, as TikTok documents: the bearer token and the scope each call needs
(scope_not_authorized otherwise); creator_info before posting (the privacy level must be one of
the creator's options: privacy_level_option_mismatch); the post_info fields (a video title of at
most 2,200 UTF-16 units, a photo title of 90 and description of 4,000); a FILE_UPLOAD's declared
sizes against the chunk rules (chunks of 5 to 64 MB, the last up to 128 MB, floor(size / chunk)
chunks from 1 to 1,000, a file under 5 MB whole); then each `PUT` to the upload URL: the
Content-Type, the Content-Range in order (416 otherwise), each chunk's length (206 until the last,
201 then); PULL_FROM_URL sources (https URLs; a host with "unverified" in it answers
url_ownership_unverified, as a domain not verified for the app does); photo posts (PHOTO,
DIRECT_POST, PULL_FROM_URL, 1 to 35 images, a photo_cover_index among them). Stricter than TikTok:
a post that leaves comments, duets or stitches on when the creator turned them off is refused
invalid_params, and so is an unknown post_info field, so an adapter that ignores creator_info
shows.

Accounts: a username containing "private" is a private TikTok account (privacy options
FOLLOWER_OF_CREATOR and SELF_ONLY only); one containing "quiet" has comments, duets and stitches
turned off. Every creator may post videos of up to 600 seconds.

Processing. A publish is PROCESSING_UPLOAD until its last chunk is in (PROCESSING_DOWNLOAD for a
pull), then answers one more status poll as processing and is PUBLISH_COMPLETE from the next one;
TikTok publishes on its own, so it is also complete PROCESSING_SECONDS after it had its media,
whether anyone polls or not (reads settle it). Only PUBLIC_TO_EVERYONE posts get a
`publicaly_available_post_id` and are listed and measured; other posts complete with an empty list.
Test hooks: `fail_next_publish(account_id, fail_reason)` makes the account's next publish FAILED
with that fail_reason; `stall_next_publish(account_id)` keeps it processing for STALLED_SECONDS.

Failure injection (see `herald.platforms.simulators`) answers the init calls (video/init,
content/init), where TikTok creates the publish: `rate_limited` is 429 rate_limit_exceeded (TikTok
sends no reset header), `server_error` a 503 internal_error, `expired_token` and `revoked_token`
401 access_token_invalid (TikTok names no other), `timeout` and `malformed` lose the answer after
the publish was created (a pull then publishes by itself; a FILE_UPLOAD never gets its chunks).
`duplicate` changes nothing: TikTok documents no duplicate refusal.

Connecting (`connect_handler`): the token endpoint takes codes made by `simulated_code` (PKCE
checked) with the test app's client_key and secret; its tokens name who consented, so user/info
answers for them in any process. Counts: a public video's view, like, comment and share counts grow
with the time since it was posted (`common.grown_metrics`); follower_count day by day."""

from __future__ import annotations

import base64
import copy
import json
import re
from collections import deque
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode

import httpx

from herald.platforms.simulators import (
    LOCK,
    TEST_CLIENT_ID,
    TEST_CLIENT_SECRET,
    SimulatedAccount,
    redeem_code,
    simulated_now,
    stable_digest,
)
from herald.platforms.simulators.common import Refused, Simulator, grown_followers, grown_metrics, request_json
from herald.platforms.tiktok import (
    MAX_CHUNK_BYTES,
    MAX_CHUNKS,
    MAX_LAST_CHUNK_BYTES,
    MAX_PHOTO_TITLE,
    MAX_PHOTOS,
    MIN_CHUNK_BYTES,
    PRIVACY_LEVELS,
    PUBLIC,
    SCOPES,
    VIDEO_TYPES,
)
from herald.text.counting import utf16_units

HOST = "open.tiktokapis.com"
UPLOAD_HOST = "open-upload.tiktokapis.com"
RECORDINGS = Path(__file__).with_name("recordings") / "tiktok.json"
SCOPE = ",".join(SCOPES)
ACCESS_SECONDS = 86_400
REFRESH_SECONDS = 31_536_000
MAX_DURATION_SECONDS = 600
MAX_VIDEO_TITLE = 2200
MAX_PHOTO_DESCRIPTION = 4000
MAX_VIDEO_BYTES = 4 * 1024 * 1024 * 1024
PROCESSING_POLLS = 1  # status polls answered "processing" once the media is in
PROCESSING_SECONDS = 30  # ...or this long after it, whether anyone polls or not
STALLED_SECONDS = 600  # a publish `stall_next_publish` holds back
PUBLISH_LIFETIME = timedelta(days=1)  # publishes kept for status polls and uploads
MAX_LIST_COUNT = 20
MAX_QUERY_IDS = 20
PUBLIC_HOST = "https://www.tiktok.com"
# Fields each read serves, and the scope a user/info field needs.
USER_FIELD_SCOPES = {
    "open_id": "user.info.basic",
    "union_id": "user.info.basic",
    "avatar_url": "user.info.basic",
    "avatar_url_100": "user.info.basic",
    "avatar_large_url": "user.info.basic",
    "display_name": "user.info.basic",
    "username": "user.info.profile",
    "bio_description": "user.info.profile",
    "profile_deep_link": "user.info.profile",
    "is_verified": "user.info.profile",
    "follower_count": "user.info.stats",
    "following_count": "user.info.stats",
    "likes_count": "user.info.stats",
    "video_count": "user.info.stats",
}
VIDEO_FIELDS = frozenset(
    {
        "id",
        "create_time",
        "cover_image_url",
        "share_url",
        "video_description",
        "duration",
        "height",
        "width",
        "title",
        "embed_html",
        "embed_link",
        "like_count",
        "comment_count",
        "share_count",
        "view_count",
    }
)
VIDEO_POST_INFO = frozenset(
    {
        "title",
        "privacy_level",
        "disable_duet",
        "disable_comment",
        "disable_stitch",
        "video_cover_timestamp_ms",
        "brand_content_toggle",
        "brand_organic_toggle",
        "is_aigc",
    }
)
PHOTO_POST_INFO = frozenset(
    {
        "title",
        "description",
        "privacy_level",
        "disable_comment",
        "auto_add_music",
        "brand_content_toggle",
        "brand_organic_toggle",
    }
)
_RANGE = re.compile(r"^bytes (\d+)-(\d+)/(\d+)$")
_MB = 1000 * 1000  # TikTok's "5 MB" read in the way that allows the most

# Process-wide, guarded by LOCK: publishes by id, the next publish's forced outcome per account,
# and the sequence that keeps ids apart.
_PUBLISHES: dict[str, dict[str, Any]] = {}
_NEXT_OUTCOME: dict[str, tuple[SimulatedAccount, deque[str]]] = {}
_sequence = 0


@cache
def _recordings() -> dict[str, dict[str, Any]]:
    return {entry["name"]: entry for entry in json.loads(RECORDINGS.read_text(encoding="utf-8"))}


def recorded(name: str) -> dict[str, Any]:
    """A copy of the recorded exchange `name` ({name, source, request, response})."""
    return copy.deepcopy(_recordings()[name])


def initial_tokens(account_id: str, username: str) -> dict[str, str]:
    return {
        "access_token": _token(account_id, "access", 0),
        "refresh_token": _token(account_id, "refresh", 0),
        "open_id": open_id_for(account_id),
        "scope": SCOPE,
    }


def open_id_for(subject: str) -> str:
    """An open id shaped like TikTok's (a UUID), the same for `subject` in every process."""
    hexed = stable_digest("tiktok-open-id", subject)[:16].hex()
    return f"{hexed[:8]}-{hexed[8:12]}-{hexed[12:16]}-{hexed[16:20]}-{hexed[20:32]}"


def _token(subject: str, kind: str, generation: int) -> str:
    prefix = "act." if kind == "access" else "rft."
    digest = stable_digest("tiktok-token", subject, kind, str(generation))
    return prefix + base64.urlsafe_b64encode(digest + digest[:12]).decode("ascii").rstrip("=")


# --- test hooks ------------------------------------------------------------------------------------


def fail_next_publish(account_id: str, fail_reason: str) -> None:
    """Make the account's next publish end FAILED with `fail_reason` (e.g. duration_check_failed).
    The account must have been seen (`TikTokSimulator.for_account`)."""
    _queue_outcome(account_id, fail_reason)


def stall_next_publish(account_id: str) -> None:
    """Keep the account's next publish processing for STALLED_SECONDS (polls do not hurry it)."""
    _queue_outcome(account_id, "stall")


def _queue_outcome(account_id: str, outcome: str) -> None:
    from herald.platforms.simulators import state_of

    with LOCK:
        state = state_of(account_id)
        held = _NEXT_OUTCOME.get(account_id)
        if held is None or held[0] is not state:  # a reset since: start afresh
            held = (state, deque())
            _NEXT_OUTCOME[account_id] = held
        held[1].append(outcome)


def _take_outcome(state: SimulatedAccount) -> str | None:
    held = _NEXT_OUTCOME.get(state.account_id)
    if held is None or held[0] is not state or not held[1]:
        return None
    return held[1].popleft()


# --- connecting, before any account exists -----------------------------------------------------


def _connect_token(username: str, kind: str) -> str:
    """A token minted at connect time that names the person it was issued for."""
    claims = base64.urlsafe_b64encode(json.dumps({"u": username, "k": kind}).encode()).decode().rstrip("=")
    signature = base64.urlsafe_b64encode(stable_digest("tiktok-connect", username, kind)).decode().rstrip("=")
    return ("act." if kind == "access" else "rft.") + f"{claims}.{signature[:22]}"


def _connect_username(token: str) -> str | None:
    claims, _, _ = token.removeprefix("act.").partition(".")
    try:
        payload = json.loads(base64.urlsafe_b64decode(claims + "=" * (-len(claims) % 4)))
    except ValueError:
        return None
    username = payload.get("u") if isinstance(payload, dict) else None
    return username if isinstance(username, str) and token == _connect_token(username, "access") else None


def connect_handler(request: httpx.Request) -> httpx.Response:
    """The code exchange and the user info of someone who just consented."""
    if request.url.host != HOST:
        raise httpx.ConnectError(f"the TikTok simulator does not serve {request.url.host}", request=request)
    if (request.method, request.url.path) == ("POST", "/v2/oauth/token/"):
        return _exchange_code(_form(request))
    if (request.method, request.url.path) == ("GET", "/v2/user/info/"):
        username = _connect_username(_bearer(request) or "")
        if username is None:
            return _error("error_access_token_invalid")
        return _user_info(request, open_id_for("connect:" + username), username, SCOPE)
    return _error("error_invalid_params", message=f"{request.method} {request.url.path} is not simulated")


def _exchange_code(form: dict[str, str]) -> httpx.Response:
    refused = _refuse_client(form)
    if refused is not None:
        return refused
    if form.get("grant_type") != "authorization_code" or not form.get("redirect_uri") or not form.get("code"):
        return _oauth_error("invalid_request", "The request parameters are malformed.")
    username = redeem_code(form["code"], form.get("code_verifier"))
    if username is None:
        return _oauth_error("invalid_grant", "Authorization code is expired or the code verifier does not match.")
    answer = recorded("oauth_token")["response"]["body"]
    answer.update(
        access_token=_connect_token(username, "access"),
        refresh_token=_connect_token(username, "refresh"),
        open_id=open_id_for("connect:" + username),
        expires_in=ACCESS_SECONDS,
        refresh_expires_in=REFRESH_SECONDS,
        scope=SCOPE,
    )
    return httpx.Response(200, json=answer)


# --- one account -----------------------------------------------------------------------------------


class TikTokSimulator(Simulator):
    network = "tiktok"

    def route(self, request: httpx.Request) -> httpx.Response:
        host, path, method = request.url.host, request.url.path, request.method
        if host == UPLOAD_HOST and method == "PUT":
            return self._upload(request)
        if host != HOST:
            raise httpx.ConnectError(f"the TikTok simulator does not serve {host}", request=request)
        if (method, path) == ("POST", "/v2/oauth/token/"):
            form = _form(request)
            return self._refresh(form) if form.get("grant_type") == "refresh_token" else _exchange_code(form)
        if (method, path) == ("POST", "/v2/oauth/revoke/"):
            return self._revoke(_form(request))
        if (method, path) == ("POST", "/v2/post/publish/video/init/"):
            return self._init(request, photo=False)
        if (method, path) == ("POST", "/v2/post/publish/content/init/"):
            return self._init(request, photo=True)
        with LOCK:
            if (method, path) == ("GET", "/v2/user/info/"):
                state = self._scoped(request, "user.info.basic")
                return _user_info(request, state.tokens["open_id"], state.username, state.tokens.get("scope", ""))
            if (method, path) == ("POST", "/v2/post/publish/creator_info/query/"):
                state = self._scoped(request, "video.publish")
                return _ok(_creator_info(state))
            if (method, path) == ("POST", "/v2/post/publish/status/fetch/"):
                return self._status(request, self._scoped(request, "video.publish"))
            if (method, path) == ("POST", "/v2/video/list/"):
                return self._list(request, self._scoped(request, "video.list"))
            if (method, path) == ("POST", "/v2/video/query/"):
                return self._query(request, self._scoped(request, "video.list"))
        return _error("error_invalid_params", status=404, message=f"{method} {path} is not simulated")

    # --- tokens ------------------------------------------------------------------------------

    def refuse_token(self, state: SimulatedAccount, request: httpx.Request) -> httpx.Response | None:
        if _bearer(request) != state.tokens["access_token"] or state.token_expired:
            return _error("error_access_token_invalid")
        return None

    def _scoped(self, request: httpx.Request, scope: str) -> SimulatedAccount:
        state = self.authorized(request)
        if scope not in _granted(state.tokens.get("scope", "")):
            raise Refused(_error("error_scope_not_authorized"))
        return state

    def _refresh(self, form: dict[str, str]) -> httpx.Response:
        refused = _refuse_client(form)
        if refused is not None:
            return refused
        with LOCK:
            state = self.state()
            if state.revoked or form.get("refresh_token") != state.tokens["refresh_token"]:
                return _from_recorded("oauth_refresh_refused")
            state.rotate_tokens("access_token", "refresh_token", lambda kind, n: _token(state.account_id, kind, n))
            answer = recorded("oauth_refresh")["response"]["body"]
            answer.update(
                access_token=state.tokens["access_token"],
                refresh_token=state.tokens["refresh_token"],
                open_id=state.tokens["open_id"],
                scope=state.tokens.get("scope", SCOPE),
                expires_in=ACCESS_SECONDS,
                refresh_expires_in=REFRESH_SECONDS,
            )
        return httpx.Response(200, json=answer)

    def _revoke(self, form: dict[str, str]) -> httpx.Response:
        refused = _refuse_client(form)
        if refused is not None:
            return refused
        with LOCK:
            state = self.state()
            if form.get("token") != state.tokens["access_token"]:
                return _oauth_error("invalid_request", "The token is invalid.")
            state.revoked = True
            state.token_expired = True
        return httpx.Response(200, json={})

    # --- POST /v2/post/publish/{video,content}/init/ ----------------------------------------

    def _init(self, request: httpx.Request, *, photo: bool) -> httpx.Response:
        now = simulated_now()
        with LOCK:
            failure = self.take_create_failure(request)
            if failure == "rate_limited":
                return _from_recorded("error_rate_limit_exceeded")
            if failure == "server_error":
                return _error("error_internal", status=503)
            state = self._scoped(request, "video.publish")
            body = request_json(request)
            refused = _invalid_photo(state, body) if photo else _invalid_video(state, body)
            if refused is not None:
                return refused
            publish = _new_publish(state, body, now, photo=photo)
        lost = self.after_write(failure, request, "the publish was created")
        if lost is not None:
            return lost
        data = {"publish_id": publish["id"]}
        if publish["upload_url"]:
            data["upload_url"] = publish["upload_url"]
        return _ok(data)

    # --- PUT {upload_url} ----------------------------------------------------------------------

    def _upload(self, request: httpx.Request) -> httpx.Response:
        params = request.url.params
        now = simulated_now()
        with LOCK:
            publish = next(
                (p for p in _PUBLISHES.values() if p["upload_id"] and p["upload_id"] == params.get("upload_id")), None
            )
            if publish is None or params.get("upload_token") != publish["upload_token"]:
                return _error("error_invalid_file_upload", status=404, message="The upload URL is not valid.")
            problem, status = _chunk_problem(request, publish)
            if problem is not None:
                return _error("error_invalid_file_upload", status=status, message=problem)
            publish["received"] += len(request.content)
            if publish["received"] < publish["video_size"]:
                return httpx.Response(206)
            publish["ready_at"] = now
        return httpx.Response(201)

    # --- POST /v2/post/publish/status/fetch/ -------------------------------------------------

    def _status(self, request: httpx.Request, state: SimulatedAccount) -> httpx.Response:
        body = request_json(request)
        publish_id = body.get("publish_id") if isinstance(body, dict) else None
        publish = _PUBLISHES.get(publish_id) if isinstance(publish_id, str) else None
        if publish is None or publish["state"] is not state:
            return _error("error_invalid_params", message="publish_id is not valid.")
        _advance(publish, simulated_now(), polled=True)
        return _ok(_status_view(publish))

    # --- POST /v2/video/list/ and /v2/video/query/ ------------------------------------------

    def _list(self, request: httpx.Request, state: SimulatedAccount) -> httpx.Response:
        fields, refused = _video_fields(request)
        if refused is not None:
            return refused
        body = request_json(request)
        body = body if isinstance(body, dict) else {}
        count, cursor = body.get("max_count", 10), body.get("cursor")
        if not isinstance(count, int) or not 1 <= count <= MAX_LIST_COUNT:
            return _error("error_invalid_params", message=f"max_count must be 1 to {MAX_LIST_COUNT}.")
        if cursor is not None and not isinstance(cursor, int):
            return _error("error_invalid_params", message="cursor must be a Unix time in milliseconds.")
        now = simulated_now()
        _settle(state, now)
        videos = sorted(_public_posts(state), key=lambda post: (post["create_time"], post["id"]), reverse=True)
        if cursor is not None:
            videos = [post for post in videos if post["create_time"] * 1000 < cursor]
        page = videos[:count]
        answer = recorded("video_list")["response"]["body"]
        answer["data"] = {
            "videos": [_video_view(post, fields, now) for post in page],
            "cursor": page[-1]["create_time"] * 1000 if page else (cursor or 0),
            "has_more": len(videos) > count,
        }
        return httpx.Response(200, json=answer)

    def _query(self, request: httpx.Request, state: SimulatedAccount) -> httpx.Response:
        fields, refused = _video_fields(request)
        if refused is not None:
            return refused
        body = request_json(request)
        filters = body.get("filters") if isinstance(body, dict) else None
        ids = filters.get("video_ids") if isinstance(filters, dict) else None
        if not isinstance(ids, list) or not ids or not all(isinstance(i, str) for i in ids):
            return _error("error_invalid_params", message="filters.video_ids must list video ids.")
        if len(ids) > MAX_QUERY_IDS:
            return _error("error_invalid_params", message=f"At most {MAX_QUERY_IDS} video_ids a request.")
        now = simulated_now()
        _settle(state, now)
        public = {post["id"]: post for post in _public_posts(state)}
        videos = [_video_view(public[i], fields, now) for i in ids if i in public]
        return _ok({"videos": videos})


# --- publishes, called with LOCK held ----------------------------------------------------------------


def _new_publish(state: SimulatedAccount, body: dict[str, Any], now: datetime, *, photo: bool) -> dict[str, Any]:
    for old in [key for key, kept in _PUBLISHES.items() if now - kept["created_at"] > PUBLISH_LIFETIME]:
        del _PUBLISHES[old]  # TikTok forgets publish ids after a while; so does this process
    source = body["source_info"]
    number = _new_number(now)
    pull = source["source"] == "PULL_FROM_URL"
    prefix = "p_pub_url~v2." if photo else ("v_pub_url~v2-1." if pull else "v_pub_file~v2-1.")
    upload_id = None if pull else str(number % 10**12)
    token = base64.urlsafe_b64encode(stable_digest("tiktok-upload", str(number))[:12]).decode() if upload_id else None
    publish = {
        "id": f"{prefix}{number}",
        "state": state,
        "kind": "photo" if photo else "video",
        "post_info": body["post_info"],
        "source": source,
        "video_size": source.get("video_size", 0),
        "chunk_size": source.get("chunk_size", 0),
        "total_chunk_count": source.get("total_chunk_count", 0),
        "received": 0,
        "upload_id": upload_id,
        "upload_token": token,
        "upload_url": f"https://{UPLOAD_HOST}/video/?{urlencode({'upload_id': upload_id, 'upload_token': token})}"
        if upload_id
        else None,
        "created_at": now,
        "ready_at": now if pull else None,
        "polls": 0,
        "outcome": _take_outcome(state),
        "status": None,
        "post_id": None,
        "fail_reason": None,
    }
    _PUBLISHES[publish["id"]] = publish
    return publish


def _advance(publish: dict[str, Any], now: datetime, *, polled: bool) -> None:
    """Move a publish on: complete once its media is in and it was polled as processing
    PROCESSING_POLLS times, or PROCESSING_SECONDS passed (STALLED_SECONDS for a stalled one)."""
    if publish["status"] is not None or publish["ready_at"] is None:
        return
    stalled = publish["outcome"] == "stall"
    wait = timedelta(seconds=STALLED_SECONDS if stalled else PROCESSING_SECONDS)
    due = publish["ready_at"] + wait
    if now >= due:
        _complete(publish, due)
    elif polled and not stalled:
        if publish["polls"] >= PROCESSING_POLLS:
            _complete(publish, now)
        else:
            publish["polls"] += 1


def _settle(state: SimulatedAccount, now: datetime) -> None:
    for publish in _PUBLISHES.values():
        if publish["state"] is state:
            _advance(publish, now, polled=False)


def _complete(publish: dict[str, Any], at: datetime) -> None:
    outcome = publish["outcome"]
    if outcome not in (None, "stall"):
        publish["status"], publish["fail_reason"] = "FAILED", outcome
        return
    state: SimulatedAccount = publish["state"]
    info = publish["post_info"]
    number = _new_number(at)
    post_id = str(number)
    photo = publish["kind"] == "photo"
    post = {
        "id": post_id,
        "publish_id": publish["id"],
        "kind": publish["kind"],
        "title": info.get("title", ""),
        "description": info.get("description", "") if photo else info.get("title", ""),
        "privacy_level": info["privacy_level"],
        "disable_comment": info.get("disable_comment", False),
        "disable_duet": info.get("disable_duet"),
        "disable_stitch": info.get("disable_stitch"),
        "source": publish["source"]["source"],
        "video_size": publish["video_size"] or None,
        "photo_images": publish["source"].get("photo_images"),
        "create_time": int(at.timestamp()),
        "username": state.username,
    }
    state.posts[post_id] = post
    publish["status"], publish["post_id"] = "PUBLISH_COMPLETE", post_id


def _status_view(publish: dict[str, Any]) -> dict[str, Any]:
    if publish["status"] == "FAILED":
        return {"status": "FAILED", "fail_reason": publish["fail_reason"]}
    pull = publish["source"]["source"] == "PULL_FROM_URL"
    progress = {"downloaded_bytes": 0} if pull else {"uploaded_bytes": publish["received"]}
    if publish["status"] == "PUBLISH_COMPLETE":
        post = publish["state"].posts.get(publish["post_id"])
        public = post is not None and post["privacy_level"] == PUBLIC
        return {
            "status": "PUBLISH_COMPLETE",
            "publicaly_available_post_id": [int(publish["post_id"])] if public else [],
            **progress,
        }
    return {"status": "PROCESSING_DOWNLOAD" if pull else "PROCESSING_UPLOAD", **progress}


def _public_posts(state: SimulatedAccount) -> list[dict[str, Any]]:
    return [post for post in state.posts.values() if post["privacy_level"] == PUBLIC]


def _new_number(now: datetime) -> int:
    """A 19-digit id as TikTok's: the Unix time in the high 32 bits, then a sequence and a digest."""
    global _sequence
    _sequence = (_sequence + 1) % 65536
    low = (int.from_bytes(stable_digest("tiktok-id", str(_sequence), now.isoformat())[:2], "big") << 16) | _sequence
    return (int(now.timestamp()) << 32) | low


# --- validation, called with LOCK held ---------------------------------------------------------------


def _creator_info(state: SimulatedAccount) -> dict[str, Any]:
    data = recorded("creator_info")["response"]["body"]["data"]
    name = state.username.lower()
    private = "private" in name
    quiet = "quiet" in name
    data.update(
        creator_username=state.username,
        creator_nickname=state.username,
        creator_avatar_url=_avatar(state.tokens["open_id"]),
        privacy_level_options=["FOLLOWER_OF_CREATOR", "SELF_ONLY"] if private else list(PRIVACY_LEVELS),
        comment_disabled=quiet,
        duet_disabled=quiet,
        stitch_disabled=quiet,
        max_video_post_duration_sec=MAX_DURATION_SECONDS,
    )
    return data


def _invalid_post_info(state: SimulatedAccount, info: Any, allowed: frozenset[str]) -> httpx.Response | None:
    if not isinstance(info, dict):
        return _error("error_invalid_params", message="post_info is required.")
    unknown = sorted(set(info) - allowed)
    if unknown:
        return _error("error_invalid_params", message=f"post_info has unknown fields: {', '.join(unknown)}.")
    creator = _creator_info(state)
    if info.get("privacy_level") not in creator["privacy_level_options"]:
        return _error("error_privacy_level_option_mismatch")
    for name in allowed - {"title", "description", "privacy_level", "video_cover_timestamp_ms"}:
        if name in info and not isinstance(info[name], bool):
            return _error("error_invalid_params", message=f"post_info.{name} must be a boolean.")
    for flag, off in (
        ("disable_comment", "comment_disabled"),
        ("disable_duet", "duet_disabled"),
        ("disable_stitch", "stitch_disabled"),
    ):
        if flag in allowed and creator[off] and info.get(flag) is not True:
            return _error("error_invalid_params", message=f"The creator turned this off: {flag} must be true.")
    if info.get("brand_content_toggle") is True and info["privacy_level"] == "SELF_ONLY":
        return _error("error_invalid_params", message="Branded content cannot be private (SELF_ONLY).")
    return None


def _invalid_video(state: SimulatedAccount, body: Any) -> httpx.Response | None:
    if not isinstance(body, dict) or not isinstance(body.get("source_info"), dict):
        return _error("error_invalid_params", message="post_info and source_info are required.")
    info = body.get("post_info")
    refused = _invalid_post_info(state, info, VIDEO_POST_INFO)
    if refused is not None:
        return refused
    title = info.get("title", "")
    if not isinstance(title, str) or utf16_units(title) > MAX_VIDEO_TITLE:
        return _error("error_invalid_params", message=f"title must be text of at most {MAX_VIDEO_TITLE} runes.")
    cover = info.get("video_cover_timestamp_ms", 0)
    if not isinstance(cover, int) or isinstance(cover, bool) or cover < 0:
        return _error("error_invalid_params", message="video_cover_timestamp_ms must be a time in milliseconds.")
    source = body["source_info"]
    if source.get("source") == "PULL_FROM_URL":
        return _invalid_url(source.get("video_url"), "video_url")
    if source.get("source") != "FILE_UPLOAD":
        return _error("error_invalid_params", message="source must be FILE_UPLOAD or PULL_FROM_URL.")
    problem = _plan_problem(source.get("video_size"), source.get("chunk_size"), source.get("total_chunk_count"))
    return _error("error_invalid_params", message=problem) if problem else None


def _plan_problem(size: Any, chunk: Any, count: Any) -> str | None:
    """What breaks TikTok's chunk rules in a FILE_UPLOAD's declared sizes (None: nothing)."""
    if not all(isinstance(value, int) and not isinstance(value, bool) and value > 0 for value in (size, chunk, count)):
        return "video_size, chunk_size and total_chunk_count must be positive integers."
    if size > MAX_VIDEO_BYTES:
        return "The video is larger than 4 GB."
    if size < 5 * _MB and (chunk != size or count != 1):
        return "A video under 5 MB is uploaded whole: chunk_size must be video_size and total_chunk_count 1."
    if chunk > size:
        return "chunk_size cannot be larger than video_size."
    if chunk != size and not MIN_CHUNK_BYTES <= chunk <= MAX_CHUNK_BYTES:
        return "chunk_size must be 5 MB to 64 MB."
    if chunk > MAX_CHUNK_BYTES:
        return "A video over 64 MB is uploaded in several chunks of at most 64 MB."
    if count != size // chunk or not 1 <= count <= MAX_CHUNKS:
        return f"total_chunk_count must be video_size / chunk_size rounded down, 1 to {MAX_CHUNKS}."
    if size - (count - 1) * chunk > MAX_LAST_CHUNK_BYTES:
        return "The last chunk would be larger than 128 MB."
    return None


def _invalid_photo(state: SimulatedAccount, body: Any) -> httpx.Response | None:
    if not isinstance(body, dict) or not isinstance(body.get("source_info"), dict):
        return _error("error_invalid_params", message="post_info and source_info are required.")
    if body.get("media_type") != "PHOTO":
        return _error("error_invalid_params", message="media_type must be PHOTO.")
    if body.get("post_mode") != "DIRECT_POST":
        return _error("error_invalid_params", message="post_mode must be DIRECT_POST (MEDIA_UPLOAD is not simulated).")
    info = body.get("post_info")
    refused = _invalid_post_info(state, info, PHOTO_POST_INFO)
    if refused is not None:
        return refused
    title, description = info.get("title", ""), info.get("description", "")
    if not isinstance(title, str) or utf16_units(title) > MAX_PHOTO_TITLE:
        return _error("error_invalid_params", message=f"title must be text of at most {MAX_PHOTO_TITLE} runes.")
    if not isinstance(description, str) or utf16_units(description) > MAX_PHOTO_DESCRIPTION:
        return _error("error_invalid_params", message=f"description must be at most {MAX_PHOTO_DESCRIPTION} runes.")
    source = body["source_info"]
    if source.get("source") != "PULL_FROM_URL":
        return _error("error_invalid_params", message="Photos can only be posted with PULL_FROM_URL.")
    images = source.get("photo_images")
    if not isinstance(images, list) or not 1 <= len(images) <= MAX_PHOTOS:
        return _error("error_invalid_params", message=f"photo_images must list 1 to {MAX_PHOTOS} URLs.")
    cover = source.get("photo_cover_index")
    if not isinstance(cover, int) or isinstance(cover, bool) or not 0 <= cover < len(images):
        return _error("error_invalid_params", message="photo_cover_index must be the index of one of the photos.")
    for image in images:
        refused = _invalid_url(image, "photo_images")
        if refused is not None:
            return refused
    return None


def _invalid_url(url: Any, field: str) -> httpx.Response | None:
    if not isinstance(url, str) or not url.startswith("https://") or not httpx.URL(url).host:
        return _error("error_invalid_params", message=f"{field} must hold https URLs.")
    if "unverified" in httpx.URL(url).host:
        return _error("error_url_ownership_unverified")
    return None


def _chunk_problem(request: httpx.Request, publish: dict[str, Any]) -> tuple[str | None, int]:
    """What is wrong with an uploaded chunk (and the HTTP status for it); (None, 0) when nothing."""
    if publish["ready_at"] is not None:
        return "Every chunk was uploaded already.", 400
    if request.headers.get("content-type") not in VIDEO_TYPES:
        return f"Content-Type must be one of {', '.join(VIDEO_TYPES)}.", 400
    match = _RANGE.match(request.headers.get("content-range", ""))
    if match is None:
        return "Content-Range must be bytes {first}-{last}/{total}.", 400
    first, last, total = (int(group) for group in match.groups())
    length = len(request.content)
    if total != publish["video_size"]:
        return f"The total in Content-Range must be video_size ({publish['video_size']}).", 400
    if first != publish["received"]:
        return f"Chunks go up in order: the next one starts at byte {publish['received']}.", 416
    if request.headers.get("content-length") != str(length) or last - first + 1 != length:
        return "Content-Length and Content-Range must match the chunk's bytes.", 400
    chunk, count = publish["chunk_size"], publish["total_chunk_count"]
    index = first // chunk
    expected = publish["video_size"] - (count - 1) * chunk if index == count - 1 else chunk
    if first != index * chunk or length != expected:
        return f"Chunk {index + 1} of {count} must be {expected} bytes.", 400
    return None, 0


# --- answers -----------------------------------------------------------------------------------------


def _user_info(request: httpx.Request, open_id: str, username: str, scope: str) -> httpx.Response:
    names = [name for name in request.url.params.get("fields", "").split(",") if name]
    if not names or any(name not in USER_FIELD_SCOPES for name in names):
        return _error("error_invalid_params", message="fields must name user fields.")
    granted = _granted(scope)
    if any(USER_FIELD_SCOPES[name] not in granted for name in names):
        return _error("error_scope_not_authorized")
    values = {
        "open_id": open_id,
        "union_id": open_id_for("union:" + open_id),
        "avatar_url": _avatar(open_id),
        "avatar_url_100": _avatar(open_id),
        "avatar_large_url": _avatar(open_id),
        "display_name": username,
        "username": username,
        "bio_description": "",
        "profile_deep_link": f"{PUBLIC_HOST}/@{username}",
        "is_verified": False,
        "follower_count": grown_followers(f"tiktok:{open_id}", simulated_now()),
        "following_count": 0,
        "likes_count": 0,
        "video_count": 0,
    }
    return _ok({"user": {name: values[name] for name in names}})


def _video_fields(request: httpx.Request) -> tuple[list[str], httpx.Response | None]:
    names = [name for name in request.url.params.get("fields", "").split(",") if name]
    if not names or any(name not in VIDEO_FIELDS for name in names):
        return names, _error("error_invalid_params", message="fields must name video fields.")
    return names, None


def _video_view(post: dict[str, Any], fields: list[str], now: datetime) -> dict[str, Any]:
    created = datetime.fromtimestamp(post["create_time"], now.tzinfo)
    grown = grown_metrics(post["id"], created, now)
    kind = post["kind"]
    values = {
        "id": post["id"],
        "create_time": post["create_time"],
        "cover_image_url": f"https://p16-sign.tiktokcdn-us.com/obj/{post['id']}~tplv-cover.jpeg",
        "share_url": f"{PUBLIC_HOST}/@{post['username']}/{kind}/{post['id']}?utm_campaign=tt4d_open_api"
        f"&utm_source={TEST_CLIENT_ID}",
        "video_description": post["description"][:150],
        "title": post["title"][:150] if kind == "photo" else "",
        "duration": 15,
        "height": 1920,
        "width": 1080,
        "embed_html": f'<blockquote class="tiktok-embed" data-video-id="{post["id"]}"></blockquote>',
        "embed_link": f"{PUBLIC_HOST}/player/v1/{post['id']}",
        "like_count": grown["likes"],
        "comment_count": grown["comments"],
        "share_count": grown["shares"],
        "view_count": grown["impressions"],
    }
    return {name: values[name] for name in fields}


def _avatar(open_id: str) -> str:
    return f"https://p16-sign.tiktokcdn-us.com/tos-useast5-avt-0068-tx/{open_id.replace('-', '')}~c5_168x168.jpeg"


def _granted(scope: str) -> set[str]:
    return {part.strip() for part in scope.replace(" ", ",").split(",") if part.strip()}


def _refuse_client(form: dict[str, str]) -> httpx.Response | None:
    if form.get("client_key") != TEST_CLIENT_ID or form.get("client_secret") != TEST_CLIENT_SECRET:
        return _oauth_error("invalid_client", "Client key or secret is invalid.")
    return None


def _ok(data: dict[str, Any]) -> httpx.Response:
    return httpx.Response(200, json={"data": data, "error": {"code": "ok", "message": "", "log_id": _log_id()}})


def _error(name: str, *, status: int | None = None, message: str | None = None) -> httpx.Response:
    """The recorded error answer `name`, with another status or message when given."""
    response = recorded(name)["response"]
    body = response["body"]
    body["error"]["log_id"] = _log_id()
    if message is not None:
        body["error"]["message"] = message
    return httpx.Response(status or response["status"], json=body)


def _from_recorded(name: str) -> httpx.Response:
    response = recorded(name)["response"]
    return httpx.Response(response["status"], json=response["body"], headers=response.get("headers"))


def _oauth_error(error: str, description: str) -> httpx.Response:
    return httpx.Response(400, json={"error": error, "error_description": description, "log_id": _log_id()})


def _log_id() -> str:
    now = simulated_now()
    return now.strftime("%Y%m%d%H%M%S") + stable_digest("tiktok-log", now.isoformat()).hex()[:18].upper()


def _bearer(request: httpx.Request) -> str | None:
    header = request.headers.get("authorization", "")
    return header.removeprefix("Bearer ") if header.startswith("Bearer ") else None


def _form(request: httpx.Request) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(request.content.decode("utf-8")).items()}
