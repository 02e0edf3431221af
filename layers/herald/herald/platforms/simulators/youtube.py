"""Simulated YouTube Data API v3 (www.googleapis.com/youtube/v3 and its upload host) and Google's
OAuth endpoints, for test-mode accounts.

Answers are built from the recorded exchanges in `recordings/youtube.json` (the API reference's
resources and error bodies; each entry names its source page), which the contract tests replay too:
11-character video ids, `UC…` channel ids with their `UU…` uploads playlist, `Ugz…` comment ids
(replies `{thread}.{id}`), counts as strings, and Google's error envelope with `errors[].reason`.

Uploads are resumable sessions, kept per process: `POST /upload/youtube/v3/videos?uploadType=
resumable` checks the metadata as YouTube does (a title of 1 to 100 characters, a description of at
most 5,000 bytes, neither with < or >, tags of at most 500 characters, a known category, a privacy
status) and the X-Upload-Content-Type (video/* or application/octet-stream), and answers the
session URI in `Location`. Each `PUT` to it must carry a `Content-Range` that starts where the
session stands and the bytes it names; every chunk but the last must be a multiple of 256 KiB. An
intermediate chunk is answered 308 with `Range: bytes=0-N`, the last 201 with the video resource;
`Content-Range: bytes */TOTAL` asks where the session stands (308, or 200 with the resource once
complete). The bytes are not kept: their count and SHA-256 are (`published()` shows them).

A new video is processing: its first status read answers uploadStatus `uploaded` (processingDetails
`processing`), later reads `processed` (or `rejected`, see duplicate). Videos of a deployment whose
test app is not audited (HERALD_YOUTUBE_AUDITED=false) are locked to private, as YouTube does.
Thumbnails are taken for the account's own videos (JPEG or PNG, at most 2 MB). Statistics grow
with time (`common.grown_metrics`: views are the impressions; comments add the real ones); the
channel's subscribers grow day by day.

Failure injection (see `herald.platforms.simulators`) applies to starting an upload and to inserting
a comment: `rate_limited` is the 403 rateLimitExceeded YouTube answers (`exhaust_quota` makes the
next one a 403 quotaExceeded instead); `server_error`, on an upload, fails a later chunk with 503
backendError after keeping half of it, so the adapter's status query and resume are exercised (on a
comment it is a 503); `timeout` and `malformed` create the video (or comment) and lose the answer to
the last chunk; `duplicate` makes YouTube reject the video as a duplicate once processed (a
comment: 409 ALREADY_EXISTS); `expired_token` and `revoked_token` answer 401 authError (the refresh
of a revoked grant is refused invalid_grant).

Before an account exists, `connect_handler` answers the code exchange and the channel of the person
who consented; a username starting with "nochannel" is a Google account without a channel."""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import re
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import httpx

from herald.clock import from_iso
from herald.platforms.simulators import LOCK, SimulatedAccount, accounts_on, simulated_now, stable_digest, state_of
from herald.platforms.simulators.common import grown_followers, grown_metrics, request_json
from herald.platforms.simulators.google import (
    OAUTH_HOST,
    GoogleSimulator,
    api_error,
    bearer,
    connect_username,
    exchange_code,
    form_of,
    mint,
)
from herald.platforms.youtube import MAX_DESCRIPTION_BYTES, MAX_TITLE, SCOPES, UPLOAD_GRANULARITY

NETWORK = "youtube"
HOST = "www.googleapis.com"
API_PREFIX = "/youtube/v3/"
UPLOAD_PREFIX = "/upload/youtube/v3/"
RECORDINGS = Path(__file__).with_name("recordings") / "youtube.json"
SCOPE = " ".join(SCOPES)
CATEGORIES = frozenset({"1", "2", "10", "15", "17", "19", "20", "22", "23", "24", "25", "26", "27", "28", "29"})
PRIVACIES = frozenset({"public", "unlisted", "private"})
MAX_TAGS = 500
MAX_COMMENT = 10_000
MAX_IDS = 50
MAX_PLAYLIST_RESULTS = 50
MAX_COMMENT_RESULTS = 100
MAX_THUMBNAIL_BYTES = 2 * 1024 * 1024
PROCESSING_READS = 1  # status reads answered "uploaded" (processing) before the video is processed
SESSION_LIFETIME = timedelta(days=7)  # an upload session's URI works for a week
PROCESSING_SECONDS = 120  # ... or until this long after the upload
UPLOAD_TYPES = ("video/", "application/octet-stream")
_RANGE = re.compile(r"^bytes (?:(?P<first>\d+)-(?P<last>\d+)|\*)/(?P<total>\d+|\*)$")
_SESSIONS: dict[str, dict[str, Any]] = {}  # upload id -> session, process-wide (guarded by LOCK)
_QUOTA_EXHAUSTED: set[str] = set()  # accounts whose next create answers quotaExceeded
_sequence = 0


@cache
def recordings() -> dict[str, dict[str, Any]]:
    return {entry["name"]: entry for entry in json.loads(RECORDINGS.read_text(encoding="utf-8"))}


def recorded(name: str) -> Any:
    """A copy of the recorded response body `name`."""
    return copy.deepcopy(recordings()[name]["response"]["body"])


def _answer(name: str, message: str | None = None) -> httpx.Response:
    """The recorded answer `name` (status, headers, body), with another message when given."""
    response = recordings()[name]["response"]
    body = recorded(name)
    if message is not None and isinstance(body, dict) and isinstance(body.get("error"), dict):
        body["error"]["message"] = message
        for item in body["error"].get("errors", []):
            item["message"] = message
    return httpx.Response(response["status"], json=body, headers=response.get("headers"))


def initial_tokens(account_id: str, username: str) -> dict[str, str]:
    return {
        "access_token": mint(NETWORK, account_id, "access", 0),
        "refresh_token": mint(NETWORK, account_id, "refresh", 0),
        "channel_id": channel_id_for(account_id),
        "scope": SCOPE,
    }


def channel_id_for(seed: str) -> str:
    """A channel id like YouTube's (UC and 22 characters), the same for `seed` in every process."""
    encoded = base64.urlsafe_b64encode(stable_digest("youtube-channel", seed)).decode()
    return "UC" + encoded[:21] + "AQgw"[stable_digest("youtube-channel-end", seed)[0] % 4]


def exhaust_quota(account_id: str) -> None:
    """Make the account's next create (an upload or a comment) answer 403 quotaExceeded."""
    with LOCK:
        _QUOTA_EXHAUSTED.add(account_id)


# --- connecting, before any account exists -----------------------------------------------------


def connect_handler(request: httpx.Request) -> httpx.Response:
    host, path = request.url.host, request.url.path
    if host == OAUTH_HOST and (request.method, path) == ("POST", "/token"):
        return exchange_code(NETWORK, form_of(request), SCOPE)
    if host != HOST:
        raise httpx.ConnectError(f"the YouTube simulator does not serve {host}", request=request)
    username = connect_username(NETWORK, bearer(request) or "")
    if username is None:
        return _answer("error_auth")
    if (request.method, path) == ("GET", API_PREFIX + "channels"):
        if username.lower().startswith("nochannel"):
            return httpx.Response(200, json=recorded("channels_mine_without_channel"))
        return _channels(request, channel_id_for("connect:" + username), username, [])
    return _not_found(request)


# --- one account -------------------------------------------------------------------------------


class YouTubeSimulator(GoogleSimulator):
    network = NETWORK
    scope = SCOPE

    def route(self, request: httpx.Request) -> httpx.Response:
        host, path, method = request.url.host, request.url.path, request.method
        if host == OAUTH_HOST:
            return self.oauth(request)
        if host != HOST:
            raise httpx.ConnectError(f"the YouTube simulator does not serve {host}", request=request)
        if path == UPLOAD_PREFIX + "videos" and method == "POST":
            return self._start_upload(request)
        if path == UPLOAD_PREFIX + "videos" and method == "PUT":
            return self._upload_put(request)
        if path == UPLOAD_PREFIX + "thumbnails/set" and method == "POST":
            return self._set_thumbnail(request)
        if (method, path) == ("POST", API_PREFIX + "commentThreads"):
            return self._insert_comment(request, thread=True)
        if (method, path) == ("POST", API_PREFIX + "comments"):
            return self._insert_comment(request, thread=False)
        handlers = {
            ("GET", "channels"): self._channels,
            ("GET", "videos"): self._videos,
            ("DELETE", "videos"): self._delete_video,
            ("GET", "playlistItems"): self._playlist_items,
            ("GET", "commentThreads"): self._list_threads,
            ("GET", "comments"): self._list_replies,
            ("DELETE", "comments"): self._delete_comment,
        }
        handler = handlers.get((method, path.removeprefix(API_PREFIX))) if path.startswith(API_PREFIX) else None
        if handler is None:
            return _not_found(request)
        with LOCK:
            state = self.authorized(request)
            return handler(request, state)

    # --- reads, with LOCK held ----------------------------------------------------------------

    def _channels(self, request: httpx.Request, state: SimulatedAccount) -> httpx.Response:
        if request.url.params.get("mine") != "true":
            return _bad_request("The simulator lists the token's own channel only (mine=true).", "invalidFilters")
        return _channels(request, state.tokens["channel_id"], state.username, list(state.posts.values()))

    def _videos(self, request: httpx.Request, state: SimulatedAccount) -> httpx.Response:
        parts = _parts(request)
        ids = [video_id for video_id in request.url.params.get("id", "").split(",") if video_id]
        if not parts or not ids:
            return _bad_request("No filter selected. Expected one of: myRating, id, chart", "missingRequiredParameter")
        if len(ids) > MAX_IDS:
            return _bad_request(f"The request specifies more than {MAX_IDS} video ids.", "invalidValue")
        items = []
        now = simulated_now()
        for video_id in ids:
            found = _find_video(video_id)
            if found is not None:
                owner, video = found
                items.append(_video_view(video, parts, owner is state, now, advance=True))
        answer = {
            "kind": "youtube#videoListResponse",
            "etag": _etag("videos", *ids),
            "items": items,
            "pageInfo": {"totalResults": len(items), "resultsPerPage": len(items)},
        }
        return httpx.Response(200, json=answer)

    def _playlist_items(self, request: httpx.Request, state: SimulatedAccount) -> httpx.Response:
        params = request.url.params
        limit = params.get("maxResults", "5")
        if not limit.isdigit() or int(limit) > MAX_PLAYLIST_RESULTS:
            return _bad_request(f"maxResults must be from 0 to {MAX_PLAYLIST_RESULTS}.", "invalidValue")
        owner = next(
            (s for s in accounts_on(NETWORK) if "UU" + s.tokens["channel_id"][2:] == params.get("playlistId")), None
        )
        if owner is None:
            return api_error(
                404,
                "The playlist identified with the request's <code>playlistId</code> parameter cannot be found.",
                reason="playlistNotFound",
                domain="youtube.playlistItem",
            )
        videos = [v for v in reversed(owner.posts.values()) if owner is state or v["privacyStatus"] == "public"]
        start = _page_start(params.get("pageToken"))
        page = videos[start : start + int(limit)]
        template = recorded("playlist_items_uploads")
        item_template = template["items"][0]
        items = []
        for position, video in enumerate(page, start=start):
            item = copy.deepcopy(item_template)
            item["snippet"].update(
                publishedAt=video["publishedAt"],
                channelId=video["channel_id"],
                title=video["title"],
                description=video["description"],
                thumbnails=_thumbnails(video["id"]),
                playlistId=params["playlistId"],
                position=position,
                resourceId={"kind": "youtube#video", "videoId": video["id"]},
                videoOwnerChannelId=video["channel_id"],
            )
            item["id"] = base64.b64encode(f"{params['playlistId']}.{video['id']}".encode()).decode().rstrip("=")
            items.append(item)
        template.update(items=items, pageInfo={"totalResults": len(videos), "resultsPerPage": int(limit)})
        if start + int(limit) < len(videos):
            template["nextPageToken"] = _page_token(start + int(limit))
        return httpx.Response(200, json=template)

    def _list_threads(self, request: httpx.Request, state: SimulatedAccount) -> httpx.Response:
        params = request.url.params
        found = _find_video(params.get("videoId", ""))
        if found is None:
            return _answer("error_video_not_found", "The video identified by the videoId parameter could not be found.")
        threads = [c for c in reversed(found[1]["comments"]) if c["parent"] is None]
        return _comment_page(request, "list_comment_threads", [_thread_view(found[1], c) for c in threads])

    def _list_replies(self, request: httpx.Request, state: SimulatedAccount) -> httpx.Response:
        parent = request.url.params.get("parentId", "")
        if not parent:
            return _bad_request("The simulator lists replies by parentId only.", "missingRequiredParameter")
        found = _find_comment(parent)
        if found is None:
            return _answer("error_comment_not_found")
        video, _ = found
        replies = [c for c in video["comments"] if c["parent"] == parent]
        return _comment_page(request, "list_comment_replies", [_comment_view(video, c) for c in replies])

    # --- deletes, with LOCK held --------------------------------------------------------------

    def _delete_video(self, request: httpx.Request, state: SimulatedAccount) -> httpx.Response:
        video_id = request.url.params.get("id", "")
        if video_id in state.posts:
            del state.posts[video_id]
            return httpx.Response(204)
        if _find_video(video_id) is not None:
            return _answer(
                "error_forbidden",
                "The video that you are trying to delete cannot be deleted. The request "
                "might not be properly authorized.",
            )
        return _answer("error_video_not_found")

    def _delete_comment(self, request: httpx.Request, state: SimulatedAccount) -> httpx.Response:
        comment_id = request.url.params.get("id", "")
        found = _find_comment(comment_id)
        if found is None:
            return _answer("error_comment_not_found")
        video, comment = found
        if comment["author"] != state.tokens["channel_id"]:
            return _answer(
                "error_forbidden", "The comment could not be deleted: the request is not properly authorized."
            )
        video["comments"] = [c for c in video["comments"] if comment_id not in (c["id"], c["parent"])]
        return httpx.Response(204)

    # --- creates --------------------------------------------------------------------------------

    def _take(self, request: httpx.Request) -> tuple[str | None, httpx.Response | None]:
        """The failure injected into this create, and the answer when it ends the call. LOCK held."""
        failure = self.take_create_failure(request)
        if self.account_id in _QUOTA_EXHAUSTED:
            _QUOTA_EXHAUSTED.discard(self.account_id)
            return failure, _answer("error_quota_exceeded")
        if failure == "rate_limited":
            return failure, _answer("error_rate_limit_exceeded")
        return failure, None

    def _start_upload(self, request: httpx.Request) -> httpx.Response:
        params = request.url.params
        with LOCK:
            failure, refused = self._take(request)
            if refused is not None:
                return refused
            state = self.authorized(request)
            if params.get("uploadType") != "resumable":
                return _bad_request("The simulator takes resumable uploads only (uploadType=resumable).", "badRequest")
            parts = _parts(request)
            if "snippet" not in parts or not set(parts) <= {"snippet", "status", "contentDetails", "id"}:
                return _bad_request("part must name snippet (and status).", "unexpectedPart")
            invalid = _invalid_metadata(request_json(request))
            if invalid is not None:
                return invalid
            mime = request.headers.get("x-upload-content-type", "")
            if not mime.startswith(UPLOAD_TYPES):
                return _bad_request(
                    f"Media type '{mime}' is not supported. Valid media types: [video/*, application/octet-stream]",
                    "badContent",
                )
            declared = request.headers.get("x-upload-content-length")
            if declared is not None and not declared.isdigit():
                return _bad_request("X-Upload-Content-Length must be a number of bytes.", "badRequest")
            _forget_old_sessions()
            upload_id = _new_upload_id(state)
            _SESSIONS[upload_id] = {
                "account_id": state.account_id,
                "metadata": request_json(request),
                "mime": mime,
                "total": int(declared) if declared is not None else None,
                "received": 0,
                "sha256": hashlib.sha256(),
                "failure": failure if failure in ("timeout", "malformed") else None,
                "fail_chunk": failure == "server_error",
                "rejection": "duplicate" if failure == "duplicate" else None,
                "notify": params.get("notifySubscribers", "true") != "false",
                "video_id": None,
                "started": simulated_now(),
            }
        location = (
            f"https://{HOST}{UPLOAD_PREFIX}videos?uploadType=resumable&part={params['part']}&upload_id={upload_id}"
        )
        return httpx.Response(200, headers={"Location": location, "X-GUploader-UploadID": upload_id})

    def _upload_put(self, request: httpx.Request) -> httpx.Response:
        upload_id = request.url.params.get("upload_id", "")
        content_range = _RANGE.match(request.headers.get("content-range", ""))
        with LOCK:
            session = _SESSIONS.get(upload_id)
            if session is None or session["account_id"] != self.account_id:
                return _answer("upload_session_gone")
            if content_range is None:
                return _bad_request("Failed to parse Content-Range header.", "badRequest")
            total = None if content_range["total"] == "*" else int(content_range["total"])
            if content_range["first"] is None:  # bytes */TOTAL: where does the session stand?
                return _session_status(session)
            if session["video_id"] is not None:
                return _session_status(session)
            refused = _refuse_chunk(
                session, request.content, int(content_range["first"]), int(content_range["last"]), total
            )
            if refused is not None:
                return refused
            data = request.content
            final = total is not None and session["received"] + len(data) == total
            if session["fail_chunk"] and (session["received"] > 0 or final):
                session["fail_chunk"] = False
                kept = len(data) // 2 // UPLOAD_GRANULARITY * UPLOAD_GRANULARITY
                _receive(session, data[:kept])
                return _answer("error_backend")
            _receive(session, data)
            if not final:
                return httpx.Response(308, headers={"Range": f"bytes=0-{session['received'] - 1}"})
            session["total"] = total
            video = _store_video(state_of(session["account_id"]), session, simulated_now())
            answer = _video_view(video, ["snippet", "status"], True, simulated_now())
            failure = session["failure"]
        if (lost := self.after_write(failure, request, "the video was uploaded")) is not None:
            return lost
        return httpx.Response(201, json=answer)

    def _set_thumbnail(self, request: httpx.Request) -> httpx.Response:
        video_id = request.url.params.get("videoId", "")
        with LOCK:
            state = self.authorized(request)
            found = _find_video(video_id)
            if found is None:
                return _answer(
                    "error_video_not_found", "The video identified by the videoId parameter could not be found."
                )
            if found[0] is not state:
                return _answer("error_thumbnail_forbidden")
            content_type = request.headers.get("content-type", "").split(";")[0].strip()
            if not request.content:
                return _bad_request("The request does not include the image content.", "mediaBodyRequired")
            if content_type not in ("image/jpeg", "image/png", "application/octet-stream"):
                return _bad_request("The image is not a JPEG or PNG.", "invalidImage")
            if len(request.content) > MAX_THUMBNAIL_BYTES:
                return api_error(413, f"Media larger than: {MAX_THUMBNAIL_BYTES}", reason="uploadTooLarge")
            found[1]["thumbnail"] = {
                "type": content_type,
                "size": len(request.content),
                "sha256": hashlib.sha256(request.content).hexdigest(),
            }
        answer = recorded("set_thumbnail")
        answer["items"] = [
            {
                size: {**value, "url": f"https://i.ytimg.com/vi/{video_id}/{size}.jpg?custom=true"}
                for size, value in answer["items"][0].items()
            }
        ]
        return httpx.Response(200, json=answer)

    def _insert_comment(self, request: httpx.Request, *, thread: bool) -> httpx.Response:
        if request.url.params.get("part") != "snippet":
            return _bad_request("part must be snippet.", "unexpectedPart")
        now = simulated_now()
        with LOCK:
            failure, refused = self._take(request)
            if refused is not None:
                return refused
            if failure == "server_error":
                return _answer("error_backend")
            if failure == "duplicate":
                return api_error(
                    409, "The comment duplicates one just posted.", reason="duplicate", domain="youtube.comment"
                )
            state = self.authorized(request)
            snippet = (request_json(request) or {}).get("snippet")
            snippet = snippet if isinstance(snippet, dict) else {}
            if thread:
                top = snippet.get("topLevelComment") if isinstance(snippet.get("topLevelComment"), dict) else {}
                text = (top.get("snippet") or {}).get("textOriginal") if isinstance(top.get("snippet"), dict) else None
                found = _find_video(str(snippet.get("videoId") or ""))
                if found is None:
                    return _answer(
                        "error_video_not_found", "The video identified by the videoId parameter could not be found."
                    )
                video, parent = found[1], None
            else:
                text = snippet.get("textOriginal")
                located = _find_comment(str(snippet.get("parentId") or ""))
                if located is None or located[1]["parent"] is not None:
                    return api_error(
                        404,
                        "The parent comment could not be found.",
                        reason="parentCommentNotFound",
                        domain="youtube.comment",
                    )
                video, parent = located[0], located[1]["id"]
            if not isinstance(text, str) or not text.strip():
                return _bad_request("The comment has no text.", "invalidCommentMetadata")
            if len(text) > MAX_COMMENT:
                return _bad_request("The comment's text is too long.", "commentTextTooLong")
            comment = _store_comment(state, video, text, parent, now)
            answer = _thread_view(video, comment) if thread else _comment_view(video, comment)
        if (lost := self.after_write(failure, request, "the comment was posted")) is not None:
            return lost
        return httpx.Response(200, json=answer)


# --- uploads, with LOCK held -------------------------------------------------------------------


def _invalid_metadata(body: Any) -> httpx.Response | None:
    if not isinstance(body, dict) or not isinstance(body.get("snippet"), dict):
        return _answer("error_invalid_title")
    snippet, status = body["snippet"], body.get("status") or {}
    title, description = snippet.get("title"), snippet.get("description", "")
    if not isinstance(title, str) or not title.strip() or len(title) > MAX_TITLE or set(title) & set("<>"):
        return _answer("error_invalid_title")
    if (
        not isinstance(description, str)
        or len(description.encode()) > MAX_DESCRIPTION_BYTES
        or set(description) & set("<>")
    ):
        return api_error(
            400,
            "The request metadata specifies an invalid video description.",
            reason="invalidDescription",
            domain="youtube.video",
        )
    tags = snippet.get("tags", [])
    if (
        not isinstance(tags, list)
        or not all(isinstance(t, str) for t in tags)
        or sum(len(t) + (2 if " " in t else 0) for t in tags) + max(len(tags) - 1, 0) > MAX_TAGS
    ):
        return _answer("error_invalid_tags")
    if str(snippet.get("categoryId", "22")) not in CATEGORIES:
        return _answer("error_invalid_category")
    if not isinstance(status, dict) or status.get("privacyStatus", "public") not in PRIVACIES:
        return api_error(
            400,
            "The request metadata specifies an invalid privacy status.",
            reason="invalidVideoMetadata",
            domain="youtube.video",
        )
    for flag in ("selfDeclaredMadeForKids", "containsSyntheticMedia"):
        if flag in status and not isinstance(status[flag], bool):
            return api_error(
                400, f"status.{flag} must be true or false.", reason="invalidVideoMetadata", domain="youtube.video"
            )
    return None


def _refuse_chunk(
    session: dict[str, Any], data: bytes, first: int, last: int, total: int | None
) -> httpx.Response | None:
    if first != session["received"]:
        return _bad_request(
            f"The chunk starts at byte {first}, but the session holds {session['received']} bytes.", "badRequest"
        )
    if last < first or len(data) != last - first + 1:
        return _bad_request("The Content-Range does not match the bytes sent.", "badRequest")
    if total is not None and (last + 1 > total or (session["total"] is not None and total != session["total"])):
        return _bad_request(f"The Content-Range total {total} does not match the upload's size.", "badRequest")
    final = total is not None and last + 1 == total
    if not final and len(data) % UPLOAD_GRANULARITY:
        return _bad_request(f"Every chunk but the last must be a multiple of {UPLOAD_GRANULARITY} bytes.", "badRequest")
    return None


def _forget_old_sessions() -> None:
    """Sessions end a week after they start, as YouTube's do."""
    now = simulated_now()
    for upload_id in [key for key, session in _SESSIONS.items() if now - session["started"] > SESSION_LIFETIME]:
        del _SESSIONS[upload_id]


def _receive(session: dict[str, Any], data: bytes) -> None:
    session["received"] += len(data)
    session["sha256"].update(data)


def _session_status(session: dict[str, Any]) -> httpx.Response:
    if session["video_id"] is not None:
        found = _find_video(session["video_id"])
        if found is None:
            return _answer("upload_session_gone")
        return httpx.Response(200, json=_video_view(found[1], ["snippet", "status"], True, simulated_now()))
    if not session["received"]:
        return httpx.Response(308)
    return httpx.Response(308, headers={"Range": f"bytes=0-{session['received'] - 1}"})


def _store_video(state: SimulatedAccount, session: dict[str, Any], now: datetime) -> dict[str, Any]:
    snippet, status = session["metadata"]["snippet"], session["metadata"].get("status") or {}
    video_id = _new_video_id(state)
    asked = status.get("privacyStatus", "public")
    video = {
        "id": video_id,
        "channel_id": state.tokens["channel_id"],
        "channel_title": _display_name(state.username),
        "title": snippet["title"],
        "description": snippet.get("description", ""),
        "tags": list(snippet.get("tags", [])),
        "categoryId": str(snippet.get("categoryId", "22")),
        "defaultLanguage": snippet.get("defaultLanguage"),
        "requested_privacy": asked,
        "privacyStatus": asked if _audited() else "private",
        "selfDeclaredMadeForKids": status.get("selfDeclaredMadeForKids", False),
        "containsSyntheticMedia": status.get("containsSyntheticMedia"),
        "notify_subscribers": session["notify"],
        "publishedAt": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "size": session["received"],
        "sha256": session["sha256"].hexdigest(),
        "mime": session["mime"],
        "reads_left": PROCESSING_READS,
        "rejection": session["rejection"],
        "thumbnail": None,
        "comments": [],
    }
    state.posts[video_id] = video
    session["video_id"] = video_id
    return video


def _audited() -> bool:
    from herald.platforms.apps import test_app

    return test_app(NETWORK).flag("audited")


def _store_comment(
    state: SimulatedAccount, video: dict[str, Any], text: str, parent: str | None, now: datetime
) -> dict[str, Any]:
    global _sequence
    _sequence += 1
    digest = stable_digest("youtube-comment", state.account_id, now.isoformat(), str(_sequence))
    encoded = base64.urlsafe_b64encode(digest).decode()
    comment_id = f"{parent}.9{encoded[:21]}" if parent else f"Ugz{encoded[:17]}4AaABAg"
    comment = {
        "id": comment_id,
        "parent": parent,
        "text": text,
        "author": state.tokens["channel_id"],
        "author_name": "@" + _handle(state.username),
        "publishedAt": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    video["comments"].append(comment)
    return comment


# --- views -----------------------------------------------------------------------------------------


def _channels(request: httpx.Request, channel_id: str, username: str, videos: list[dict[str, Any]]) -> httpx.Response:
    parts = _parts(request)
    if not parts:
        return _bad_request("The part parameter is required.", "missingRequiredParameter")
    template = recorded("channels_mine")
    channel = template["items"][0]
    view: dict[str, Any] = {"kind": channel["kind"], "etag": _etag("channel", channel_id), "id": channel_id}
    if "snippet" in parts:
        snippet = channel["snippet"]
        name = _display_name(username)
        picture = f"https://yt3.ggpht.com/ytc/{channel_id}"
        snippet.update(
            title=name,
            description="",
            customUrl="@" + _handle(username),
            localized={"title": name, "description": ""},
            thumbnails={
                size: {**value, "url": f"{picture}=s{value['width']}-c-k-c0x00ffffff-no-rj"}
                for size, value in snippet["thumbnails"].items()
            },
        )
        view["snippet"] = snippet
    if "statistics" in parts:
        now = simulated_now()
        views = sum(grown_metrics(v["id"], from_iso(v["publishedAt"]), now)["impressions"] for v in videos)
        view["statistics"] = {
            "viewCount": str(views),
            "subscriberCount": str(grown_followers(f"youtube:{channel_id}", now)),
            "hiddenSubscriberCount": False,
            "videoCount": str(len(videos)),
        }
    if "contentDetails" in parts:
        view["contentDetails"] = {"relatedPlaylists": {"likes": "", "uploads": "UU" + channel_id[2:]}}
    template["items"] = [view]
    return httpx.Response(200, json=template)


def _video_view(
    video: dict[str, Any], parts: list[str], owner: bool, now: datetime, *, advance: bool = False
) -> dict[str, Any]:
    """The video resource's `parts`; `advance`: a status read by its owner, which moves processing along."""
    template = recorded("upload_last_chunk")
    view: dict[str, Any] = {
        "kind": "youtube#video",
        "etag": _etag("video", video["id"], str(len(parts))),
        "id": video["id"],
    }
    if "snippet" in parts:
        snippet = template["snippet"]
        snippet.update(
            publishedAt=video["publishedAt"],
            channelId=video["channel_id"],
            title=video["title"],
            description=video["description"],
            thumbnails=_thumbnails(video["id"]),
            channelTitle=video["channel_title"],
            tags=video["tags"],
            categoryId=video["categoryId"],
            localized={"title": video["title"], "description": video["description"]},
        )
        if not video["tags"]:
            snippet.pop("tags")
        if video["defaultLanguage"]:
            snippet["defaultLanguage"] = video["defaultLanguage"]
        view["snippet"] = snippet
    processing = "status" in parts or "processingDetails" in parts
    upload_status, detail = _processing(video, now, advance=advance and owner and processing)
    if "status" in parts:
        status = template["status"]
        status.update(
            uploadStatus=upload_status,
            privacyStatus=video["privacyStatus"],
            selfDeclaredMadeForKids=video["selfDeclaredMadeForKids"],
        )
        if video["containsSyntheticMedia"] is not None:
            status["containsSyntheticMedia"] = video["containsSyntheticMedia"]
        if upload_status == "rejected":
            status["rejectionReason"] = video["rejection"]
        if not owner:
            status.pop("selfDeclaredMadeForKids", None)
        view["status"] = status
    if "processingDetails" in parts and owner:
        view["processingDetails"] = {"processingStatus": detail}
    if "statistics" in parts:
        grown = grown_metrics(video["id"], from_iso(video["publishedAt"]), now)
        view["statistics"] = {
            "viewCount": str(grown["impressions"]),
            "likeCount": str(grown["likes"]),
            "favoriteCount": "0",
            "commentCount": str(grown["comments"] + len(video["comments"])),
        }
    return view


def _processing(video: dict[str, Any], now: datetime, *, advance: bool) -> tuple[str, str]:
    """(uploadStatus, processingDetails.processingStatus) now; an owner's status read moves
    processing along."""
    elapsed = now - from_iso(video["publishedAt"]) >= timedelta(seconds=PROCESSING_SECONDS)
    if video["reads_left"] > 0 and not elapsed:
        if advance:
            video["reads_left"] -= 1
        return "uploaded", "processing"
    if video["rejection"]:
        return "rejected", "terminated"
    return "processed", "succeeded"


def _thread_view(video: dict[str, Any], comment: dict[str, Any]) -> dict[str, Any]:
    thread = recorded("insert_comment_thread")
    thread["id"] = comment["id"]
    thread["etag"] = _etag("thread", comment["id"])
    thread["snippet"].update(
        channelId=video["channel_id"],
        videoId=video["id"],
        totalReplyCount=sum(1 for c in video["comments"] if c["parent"] == comment["id"]),
        topLevelComment=_comment_view(video, comment),
    )
    return thread


def _comment_view(video: dict[str, Any], comment: dict[str, Any]) -> dict[str, Any]:
    if comment["parent"]:
        view = recorded("insert_comment_reply")
    else:
        view = recorded("insert_comment_thread")["snippet"]["topLevelComment"]
    view["id"] = comment["id"]
    view["etag"] = _etag("comment", comment["id"])
    view["snippet"].update(
        channelId=video["channel_id"],
        textDisplay=comment["text"],
        textOriginal=comment["text"],
        authorDisplayName=comment["author_name"],
        authorChannelId={"value": comment["author"]},
        authorChannelUrl="http://www.youtube.com/" + comment["author_name"],
        publishedAt=comment["publishedAt"],
        updatedAt=comment["publishedAt"],
    )
    if comment["parent"]:
        view["snippet"]["parentId"] = comment["parent"]
    else:
        view["snippet"]["videoId"] = video["id"]
    return view


def _comment_page(request: httpx.Request, name: str, items: list[dict[str, Any]]) -> httpx.Response:
    limit = request.url.params.get("maxResults", "20")
    if not limit.isdigit() or not 1 <= int(limit) <= MAX_COMMENT_RESULTS:
        return _bad_request(f"maxResults must be from 1 to {MAX_COMMENT_RESULTS}.", "invalidValue")
    start = _page_start(request.url.params.get("pageToken"))
    answer = recorded(name)
    answer["items"] = items[start : start + int(limit)]
    answer["pageInfo"] = {"totalResults": len(answer["items"]), "resultsPerPage": int(limit)}
    if start + int(limit) < len(items):
        answer["nextPageToken"] = _page_token(start + int(limit))
    return httpx.Response(200, json=answer)


def _thumbnails(video_id: str) -> dict[str, Any]:
    sizes = recorded("upload_last_chunk")["snippet"]["thumbnails"]
    return {size: {**value, "url": value["url"].replace("Ks-_Mh1QhMc", video_id)} for size, value in sizes.items()}


# --- lookups, with LOCK held ---------------------------------------------------------------------


def _find_video(video_id: str) -> tuple[SimulatedAccount, dict[str, Any]] | None:
    for state in accounts_on(NETWORK):
        if video_id in state.posts:
            return state, state.posts[video_id]
    return None


def _find_comment(comment_id: str) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """(video, comment) for a comment id, on any account's video."""
    if not comment_id:
        return None
    for state in accounts_on(NETWORK):
        for video in state.posts.values():
            for comment in video["comments"]:
                if comment["id"] == comment_id:
                    return video, comment
    return None


# --- helpers -----------------------------------------------------------------------------------


def _new_video_id(state: SimulatedAccount) -> str:
    global _sequence
    _sequence += 1
    digest = stable_digest("youtube-video", state.account_id, simulated_now().isoformat(), str(_sequence))
    return base64.urlsafe_b64encode(digest).decode()[:10] + "AEIMQUYcgkosw"[digest[-1] % 13]


def _new_upload_id(state: SimulatedAccount) -> str:
    global _sequence
    _sequence += 1
    digest = stable_digest("youtube-upload", state.account_id, simulated_now().isoformat(), str(_sequence))
    return "ADPycd" + base64.urlsafe_b64encode(digest).decode().rstrip("=")


def _handle(username: str) -> str:
    handle = re.sub(r"[^a-z0-9._-]", "", username.lower().removeprefix("@"))
    return (handle or "channel")[:30].ljust(3, "0")


def _display_name(username: str) -> str:
    return username.removeprefix("@").replace("_", " ").replace(".", " ").title() or username


def _parts(request: httpx.Request) -> list[str]:
    return [part for part in request.url.params.get("part", "").split(",") if part]


def _etag(*parts: str) -> str:
    return base64.urlsafe_b64encode(stable_digest("youtube-etag", *parts)).decode()[:27]


def _page_token(offset: int) -> str:
    return base64.urlsafe_b64encode(f"CAUQ:{offset}".encode()).decode().rstrip("=")


def _page_start(token: str | None) -> int:
    if not token:
        return 0
    try:
        decoded = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
    except ValueError:
        return 0
    prefix, _, offset = decoded.partition(":")
    return int(offset) if prefix == "CAUQ" and offset.isdigit() else 0


def _bad_request(message: str, reason: str) -> httpx.Response:
    return api_error(400, message, reason=reason, domain="youtube.parameter", status_name="INVALID_ARGUMENT")


def _not_found(request: httpx.Request) -> httpx.Response:
    return api_error(404, f"Method not found: {request.method} {request.url.path}", reason="notFound")
