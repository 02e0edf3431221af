"""YouTube adapter: the YouTube Data API v3 (`https://www.googleapis.com/youtube/v3`) for one channel,
with Google OAuth (`herald.platforms.google`).

Connecting. Scopes youtube.upload (videos.insert), youtube.force-ssl (comments, delete) and
youtube.readonly (the channel, its uploads, statistics). The channel is read with
`channels.list?part=snippet,statistics&mine=true`: its id (kept in the tokens as `channel_id`),
title, @handle (`customUrl`, the username), thumbnail and subscribers (None when the channel hides
them). A Google account without a channel (no items, or `youtubeSignupRequired`) is refused.

Publishing (one video; `PostContent.title` is the title, the text the description). A resumable
upload: `POST /upload/youtube/v3/videos?uploadType=resumable&part=snippet,status` with the
snippet and status as JSON opens a session (its URI in `Location`); the bytes follow in PUTs of
CHUNK_SIZE (a multiple of 256 KiB, as Google requires of every chunk but the last), each with
`Content-Range`, streamed from the media source. An intermediate chunk is answered 308 with the
`Range` received, the last 200/201 with the video resource. After a 5xx or a dropped connection the
session is asked where it stands (`PUT` with `Content-Range: bytes */TOTAL`) and the upload goes on
from the byte it acknowledged, re-reading the source from there, at most MAX_RESUMES times. A
session Google no longer knows (404/410) means sending the whole post again later: nothing was
published.

After the upload (the video exists from then on, so nothing after it fails the post except a
processing failure YouTube reports):
- processing: `videos.list?part=status,processingDetails` at most PROCESSING_POLLS times;
  uploadStatus `failed` or `rejected` is PERMANENT (a `duplicate` rejection is duplicate_content);
  still processing after the last poll, the video is returned with a notice;
- the thumbnail (option thumbnail_url): `POST /upload/youtube/v3/thumbnails/set?videoId=` with the
  image bytes; a failure becomes a notice on the result.
API projects that YouTube has not audited have every upload locked to private: the app's
`audited` setting says whether it has, and a notice says so (on the account, and on a video asked
to be public or unlisted).

Shorts (option shorts): a vertical or square video of at most 180 seconds (refused otherwise when
the probe measured it), with #Shorts added to the title (or the description when the title has no
room) unless either has it; its URL is `https://www.youtube.com/shorts/{id}`.

Comments. `reply` on a video is a top-level comment (`commentThreads.insert`); on a comment, a reply
to its thread (`comments.insert` with `parentId`: YouTube threads are one level deep). Comment
ids are YouTube's (`Ugz…`, replies `Ugz….…`); a video id is 11 characters.

Quota. The project's daily quota (and the upload bucket) resets at midnight Pacific time:
`quotaExceeded` is retried then. `uploadLimitExceeded` (the channel's own daily cap) is retried a day
later.

Reconcile. YouTube takes no idempotency key. The channel's uploads playlist
(`channels.list?part=contentDetails&mine=true` → `relatedPlaylists.uploads` → `playlistItems.list`)
is searched for a video with the same title added within RECONCILE_WINDOW; a comment step, the
video's comment threads (or the thread's replies) for one by the channel with the same text."""

from __future__ import annotations

import mimetypes
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx

from herald.platforms import google, http
from herald.platforms.base import (
    AccountIdentity,
    AppCredentials,
    Connection,
    Credentials,
    ErrorClass,
    MediaItem,
    MediaLimits,
    PlatformError,
    PostContent,
    PublishedPost,
    ReconcileOutcome,
    Reconciliation,
    TextLimits,
)
from herald.text import counting

API = "https://www.googleapis.com/youtube/v3"
UPLOAD_API = "https://www.googleapis.com/upload/youtube/v3"
VIDEOS_URL = f"{API}/videos"
CHANNELS_URL = f"{API}/channels"
PLAYLIST_ITEMS_URL = f"{API}/playlistItems"
COMMENT_THREADS_URL = f"{API}/commentThreads"
COMMENTS_URL = f"{API}/comments"
UPLOAD_URL = f"{UPLOAD_API}/videos"
THUMBNAIL_URL = f"{UPLOAD_API}/thumbnails/set"
WATCH_URL = "https://www.youtube.com/watch?v="
SHORTS_URL = "https://www.youtube.com/shorts/"
SCOPES = tuple(google.SCOPE_PREFIX + scope for scope in ("youtube.upload", "youtube.force-ssl", "youtube.readonly"))
MAX_TITLE = 100  # characters
MAX_DESCRIPTION_BYTES = 5000
FORBIDDEN_CHARACTERS = "<>"
DEFAULT_CATEGORY = "22"  # People & Blogs
DEFAULT_PRIVACY = "public"
PRIVACIES = ("public", "unlisted", "private")
SHORTS_TAG = "#Shorts"
SHORTS_MAX_SECONDS = 180
UPLOAD_GRANULARITY = 256 * 1024  # every chunk but the last is a multiple of this
CHUNK_SIZE = 32 * UPLOAD_GRANULARITY  # 8 MiB
MAX_RESUMES = 5
RESUME_WAIT_SECONDS = 1.0  # doubled after each resume
PROCESSING_POLLS = 4
PROCESSING_POLL_SECONDS = 5.0
METRICS_BATCH_SIZE = 50  # ids per videos.list
RECONCILE_WINDOW = timedelta(hours=24)
PLAYLIST_PAGE_SIZE = 50
PLAYLIST_MAX_PAGES = 4
COMMENTS_PAGE_SIZE = 100
COMMENTS_MAX_PAGES = 3
UPLOAD_LIMIT_WAIT = timedelta(hours=24)
UNAUDITED_NOTICE = (
    "The YouTube API project is not audited yet: YouTube locks every upload to private until it is "
    "(https://support.google.com/youtube/contact/yt_api_form)."
)
_GB = 1024**3
_NETWORK = "YouTube"
_VIDEO_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")
_SHORTS = re.compile(r"#shorts\b", re.IGNORECASE)
_RESTRICTED = frozenset({"channelClosed", "channelSuspended", "accountClosed", "accountSuspended"})
_REJECTED_AS_DUPLICATE = "duplicate"


class _Interrupted(Exception):
    """An upload request that got no usable answer. `offset`: where to go on from when known
    (None: ask the session); `final`: the last byte may have reached YouTube."""

    def __init__(self, error: PlatformError, *, offset: int | None = None, final: bool = False) -> None:
        super().__init__(error.message)
        self.error = error
        self.offset = offset
        self.final = final


@dataclass(frozen=True)
class _Metadata:
    body: dict[str, Any]
    privacy: str
    shorts: bool


class YouTubePlatform(google.GooglePlatform):
    name = "youtube"
    network = _NETWORK
    text_limits = TextLimits(max_length=MAX_DESCRIPTION_BYTES, counting="utf8_bytes")
    media_limits = MediaLimits(
        max_items=1,
        image_types=(),
        video_types=(
            "video/mp4",
            "video/quicktime",
            "video/webm",
            "video/x-msvideo",
            "video/mpeg",
            "video/x-flv",
            "video/3gpp",
            "video/x-matroska",
        ),
        max_image_bytes=0,
        max_video_bytes=256 * _GB,
    )
    oauth = google.google_oauth(SCOPES)

    # --- connecting --------------------------------------------------------------------------

    @classmethod
    def connect_with_code(
        cls, client: httpx.Client, app: AppCredentials, code: str, redirect_uri: str, code_verifier: str | None
    ) -> Connection:
        """The tokens, then the channel they act for (a Google account without one is refused)."""
        tokens, expires_at = cls.exchange_code(client, app, code, redirect_uri, code_verifier)
        reader = cls(client, Credentials(account_id="", username="", tokens=tokens), app=app)
        channel = reader._channel(part="snippet,statistics", connecting=True)
        tokens["channel_id"] = channel["id"]
        identity = reader._identity_of(channel)
        credentials = Credentials(account_id="", username=identity.username, tokens=tokens, expires_at=expires_at)
        return Connection(credentials=credentials, identity=identity)

    def identity(self) -> AccountIdentity:
        return self._identity_of(self._channel(part="snippet,statistics"))

    def _channel(self, *, part: str, connecting: bool = False) -> dict[str, Any]:
        """The token's channel (`channels.list?mine=true`); refused when the account has none."""
        response = http.send(self, "GET", CHANNELS_URL, params={"part": part, "mine": "true"}, headers=self._headers())
        refusal = google.google_error(http.body_of(response)) if not response.is_success else None
        if refusal is not None and refusal.reason == "youtubeSignupRequired":
            raise _no_channel(connecting, google.platform_code(response.status_code, refusal))
        items = http.json_object(self, http.succeeded(self, response)).get("items", [])  # none: no items at all
        if not isinstance(items, list):
            raise http.malformed(_NETWORK, response, "no items in the channels answer")
        if not items or not isinstance(items[0], dict) or not isinstance(items[0].get("id"), str):
            raise _no_channel(connecting, "200 no channel")
        return items[0]

    def _identity_of(self, channel: dict[str, Any]) -> AccountIdentity:
        snippet = google.as_dict(channel.get("snippet"))
        statistics = google.as_dict(channel.get("statistics"))
        title = _text(snippet.get("title"))
        handle = _text(snippet.get("customUrl"))
        followers = None if statistics.get("hiddenSubscriberCount") is True else _number(statistics, "subscriberCount")
        notices = (UNAUDITED_NOTICE,) if self._unaudited() else ()
        return AccountIdentity(
            platform_user_id=channel["id"],
            username=handle or title or channel["id"],
            display_name=title,
            avatar_url=_thumbnail(snippet),
            followers=followers,
            permissions=google.granted_scopes(self.credentials.tokens),
            notices=notices,
        )

    def _unaudited(self) -> bool:
        return self.app is not None and not self.app.flag("audited")

    # --- publishing --------------------------------------------------------------------------

    def publish(self, content: PostContent) -> PublishedPost:
        item = _the_video(content)
        metadata = _metadata(content, item)
        params = {"uploadType": "resumable", "part": "snippet,status"}
        if content.options.get("notify_subscribers") is False:
            params["notifySubscribers"] = "false"
        self.media_source()  # refused before anything is sent when there is none
        session = self._open_session(item, metadata.body, params)
        video = self._upload(session, item)
        video_id = video.get("id")
        if not isinstance(video_id, str) or not video_id:
            raise PlatformError(
                ErrorClass.RETRY,
                "platform_unavailable",
                "YouTube finished the upload but its answer names no video id.",
                platform_code="200",
            )
        notices: list[str] = []
        if self._unaudited() and metadata.privacy != "private":
            notices.append(f"The video was asked to be {metadata.privacy}, but {UNAUDITED_NOTICE}")
        notices += self._await_processing(video_id)
        thumbnail = content.options.get("thumbnail_url")
        if isinstance(thumbnail, str) and thumbnail:
            notices += self._set_thumbnail(video_id, thumbnail)
        url = (SHORTS_URL if metadata.shorts else WATCH_URL) + video_id
        extra = {"kind": "video", "shorts": metadata.shorts}
        return PublishedPost(platform_post_id=video_id, url=url, extra=extra, notices=tuple(notices))

    def _open_session(self, item: MediaItem, body: dict[str, Any], params: dict[str, str]) -> str:
        headers = {"X-Upload-Content-Type": _upload_type(item)}
        if item.size is not None:
            headers["X-Upload-Content-Length"] = str(item.size)
        response = self._call("POST", UPLOAD_URL, params=params, json=body, headers=headers)
        location = response.headers.get("location")
        if not location:
            raise http.malformed(_NETWORK, response, "no Location header with the upload session URI")
        return location

    # --- the resumable upload ----------------------------------------------------------------

    def _upload(self, session: str, item: MediaItem) -> dict[str, Any]:
        """Send the file to the session, resuming after interruptions; the video resource."""
        total = item.size
        offset: int | None = 0
        resumes = 0
        maybe_complete = False
        while True:
            try:
                if offset is None:
                    status = self._session_status(session, total)
                    if isinstance(status, dict):
                        return status
                    offset = status
                return self._send_from(session, item, offset, total)
            except _Interrupted as interrupted:
                maybe_complete = maybe_complete or interrupted.final
                if resumes == MAX_RESUMES:
                    raise _gave_up(interrupted.error, maybe_complete) from None
                self.clock.sleep(RESUME_WAIT_SECONDS * 2**resumes)
                resumes += 1
                offset = interrupted.offset

    def _send_from(self, session: str, item: MediaItem, offset: int, total: int | None) -> dict[str, Any]:
        """PUT the file from `offset` on, chunk by chunk; the video resource once YouTube has it all."""
        sent = offset
        pieces = _with_last(_from_offset(self.media_source().chunks(item, CHUNK_SIZE), offset, CHUNK_SIZE))
        for piece, last in pieces:
            end = sent + len(piece)
            if total is not None and (end > total or (last and end != total)):
                raise PlatformError(
                    ErrorClass.PERMANENT,
                    "invalid_content",
                    f"The video file is not the {total} bytes it was said to be.",
                )
            shown_total = str(end) if last else (str(total) if total is not None else "*")
            headers = {"Content-Range": f"bytes {sent}-{end - 1}/{shown_total}"}
            response = self._session_put(session, piece, headers, final=last)
            if response.status_code in (200, 201):
                if http.body_of(response) is None:  # the answer is lost, not the upload: ask the session
                    raise _Interrupted(self.classify_error(response), final=True)
                return self._video_resource(response)
            if response.status_code != 308:
                raise self._upload_refused(response, final=last)
            acknowledged = _acknowledged(response)
            if acknowledged != end:  # YouTube kept less than was sent: go on from what it has
                shortfall = PlatformError(
                    ErrorClass.RETRY,
                    "platform_unavailable",
                    f"YouTube acknowledged {acknowledged} of the {end} bytes sent.",
                    platform_code="308",
                )
                raise _Interrupted(shortfall, offset=acknowledged)
            sent = end
        raise PlatformError(
            ErrorClass.RETRY,
            "platform_unavailable",
            f"YouTube acknowledged {sent} bytes without finishing the upload.",
            platform_code="308",
        )

    def _session_status(self, session: str, total: int | None) -> dict[str, Any] | int:
        """Where the session stands: the video resource when the upload is complete, else the
        number of bytes YouTube holds."""
        headers = {"Content-Range": f"bytes */{total if total is not None else '*'}"}
        response = self._session_put(session, b"", headers, final=False)
        if response.status_code in (200, 201):
            return self._video_resource(response)
        if response.status_code == 308:
            return _acknowledged(response)
        raise self._upload_refused(response, final=False)

    def _session_put(self, session: str, data: bytes, headers: dict[str, str], *, final: bool) -> httpx.Response:
        """One PUT to the session URI; a dropped connection is an interruption. The token goes only
        to Google's API hosts."""
        host = httpx.URL(session).host
        if host == "googleapis.com" or host.endswith(".googleapis.com"):
            headers = self._headers(headers)
        try:
            return self.client.request("PUT", session, content=data, headers=headers)
        except httpx.HTTPError as exc:
            raise _Interrupted(self.classify_error(None, exc), final=final) from exc

    def _upload_refused(self, response: httpx.Response, *, final: bool) -> Exception:
        status = response.status_code
        if status in (404, 410):
            return PlatformError(
                ErrorClass.RETRY,
                "upload_session_expired",
                "YouTube no longer knows the upload session; nothing was published, the video will be sent again.",
                platform_code=str(status),
            )
        if status in (500, 502, 503, 504):
            return _Interrupted(self.classify_error(response), final=final)
        return self.classify_error(response)

    def _video_resource(self, response: httpx.Response) -> dict[str, Any]:
        video = http.body_of(response)
        if video is None:
            raise PlatformError(
                ErrorClass.RETRY,
                "platform_unavailable",
                f"YouTube answered HTTP {response.status_code} to the end of the upload with a malformed body.",
                platform_code=str(response.status_code),
            )
        return video

    # --- after the upload --------------------------------------------------------------------

    def _await_processing(self, video_id: str) -> list[str]:
        """Poll the video until YouTube has processed it; a failed or rejected video is PERMANENT.
        Anything else (still processing, a poll that fails) is a notice: the video exists."""
        upload_status = None
        for poll in range(PROCESSING_POLLS):
            if poll:
                self.clock.sleep(PROCESSING_POLL_SECONDS)
            try:
                video = self._video(video_id, "status,processingDetails")
            except PlatformError as error:
                return [f"YouTube's processing of the video could not be checked ({error.message})."]
            status = google.as_dict(video.get("status")) if video else {}
            upload_status = status.get("uploadStatus")
            if upload_status == "processed":
                return []
            if upload_status == "failed":
                reason = status.get("failureReason") or "no reason given"
                raise PlatformError(
                    ErrorClass.PERMANENT,
                    "media_processing_failed",
                    f"YouTube could not process the video (failureReason: {reason}).",
                    platform_code=f"failed {reason}",
                )
            if upload_status == "rejected":
                reason = status.get("rejectionReason") or "no reason given"
                code = "duplicate_content" if reason == _REJECTED_AS_DUPLICATE else "content_rejected"
                raise PlatformError(
                    ErrorClass.PERMANENT,
                    code,
                    f"YouTube rejected the video (rejectionReason: {reason}).",
                    platform_code=f"rejected {reason}",
                )
            if upload_status == "deleted":
                raise PlatformError(
                    ErrorClass.PERMANENT,
                    "not_found",
                    "The video was deleted while YouTube processed it.",
                    platform_code="deleted",
                )
        return [
            f"YouTube was still processing the video after {PROCESSING_POLLS} checks (uploadStatus: "
            f"{upload_status}); it will appear once processed."
        ]

    def _video(self, video_id: str, part: str) -> dict[str, Any] | None:
        items = self._get_json(VIDEOS_URL, params={"part": part, "id": video_id}).get("items")
        if isinstance(items, list):
            for video in items:
                if isinstance(video, dict) and video.get("id") == video_id:
                    return video
        return None

    def _set_thumbnail(self, video_id: str, url: str) -> list[str]:
        """Upload the custom thumbnail; a failure is a notice (the video is out already)."""
        try:
            data = self.media_source().read(MediaItem(url=url, kind="image"))
            headers = {"Content-Type": _image_type(url, data)}
            self._call(
                "POST",
                THUMBNAIL_URL,
                params={"videoId": video_id, "uploadType": "media"},
                content=data,
                headers=headers,
            )
        except PlatformError as error:
            return [f"The video is out, but its thumbnail could not be set: {error.message}"]
        return []

    # --- comments ----------------------------------------------------------------------------

    def reply(self, parent: PublishedPost, content: PostContent) -> PublishedPost:
        """A comment on the parent video, or a reply in the parent comment's thread."""
        if content.media:
            raise PlatformError(ErrorClass.PERMANENT, "media_unsupported", "YouTube comments are text only.")
        if not content.text.strip():
            raise PlatformError(ErrorClass.PERMANENT, "invalid_content", "A YouTube comment needs text.")
        if _is_video(parent):
            video_id = parent.platform_post_id
            body = {"snippet": {"videoId": video_id, "topLevelComment": {"snippet": {"textOriginal": content.text}}}}
            created = http.json_object(
                self, self._call("POST", COMMENT_THREADS_URL, params={"part": "snippet"}, json=body)
            )
        else:
            video_id = _text(parent.extra.get("video_id")) or ""
            body = {"snippet": {"parentId": _thread_of(parent.platform_post_id), "textOriginal": content.text}}
            created = http.json_object(self, self._call("POST", COMMENTS_URL, params={"part": "snippet"}, json=body))
            video_id = _text(google.as_dict(created.get("snippet")).get("videoId")) or video_id
        comment_id = created.get("id")
        if not isinstance(comment_id, str) or not comment_id:
            raise PlatformError(ErrorClass.RETRY, "platform_unavailable", "YouTube's answer names no comment id.")
        return _comment_post(comment_id, video_id)

    # --- delete ------------------------------------------------------------------------------

    def delete(self, platform_post_id: str) -> None:
        """A video (videos.delete) or a comment (comments.delete); one already gone counts as deleted."""
        url = VIDEOS_URL if _VIDEO_ID.match(platform_post_id) else COMMENTS_URL
        try:
            self._call("DELETE", url, params={"id": platform_post_id})
        except PlatformError as error:
            if error.code != "not_found":
                raise

    # --- metrics -----------------------------------------------------------------------------

    def metrics(self, platform_post_ids: list[str]) -> dict[str, dict[str, int]]:
        """views, likes and comments of videos (`videos.list?part=statistics`, 50 ids a call);
        comments have none here, a deleted video is left out, a hidden count is absent."""
        videos = [post_id for post_id in platform_post_ids if _VIDEO_ID.match(post_id)]
        found: dict[str, dict[str, int]] = {}
        for batch in http.batches(videos, METRICS_BATCH_SIZE):
            items = self._get_json(VIDEOS_URL, params={"part": "statistics", "id": ",".join(batch)}).get("items")
            for video in items if isinstance(items, list) else []:
                if isinstance(video, dict) and video.get("id") in batch:
                    statistics = google.as_dict(video.get("statistics"))
                    counts = {
                        name: value
                        for name, field in (
                            ("views", "viewCount"),
                            ("likes", "likeCount"),
                            ("comments", "commentCount"),
                        )
                        if (value := _number(statistics, field)) is not None
                    }
                    found[video["id"]] = counts
        return found

    # --- reconcile ---------------------------------------------------------------------------

    def reconcile(self, content: PostContent, parent: PublishedPost | None = None) -> Reconciliation:
        try:
            if parent is not None:
                return self._find_comment(content, parent)
            return self._find_upload(content)
        except PlatformError:
            return Reconciliation(ReconcileOutcome.UNKNOWN)

    def _find_upload(self, content: PostContent) -> Reconciliation:
        """The channel's uploads, newest first, for a video with the title this post would have."""
        metadata = _metadata(content, _the_video(content))
        ours = google.normalized(metadata.body["snippet"]["title"])
        since = self.clock.now() - RECONCILE_WINDOW
        channel = self._channel(part="contentDetails")
        uploads = google.as_dict(google.as_dict(channel.get("contentDetails")).get("relatedPlaylists")).get("uploads")
        if not isinstance(uploads, str) or not uploads:
            return Reconciliation(ReconcileOutcome.UNKNOWN)
        params = {"part": "snippet", "playlistId": uploads, "maxResults": str(PLAYLIST_PAGE_SIZE)}
        for _ in range(PLAYLIST_MAX_PAGES):
            page = self._get_json(PLAYLIST_ITEMS_URL, params=params)
            older = False
            for entry in page.get("items") or []:
                snippet = google.as_dict(google.as_dict(entry).get("snippet"))
                video_id = _text(google.as_dict(snippet.get("resourceId")).get("videoId"))
                added = google.parsed_time(snippet.get("publishedAt"))
                if added is not None and added < since:
                    older = True
                    continue
                if video_id and google.normalized(str(snippet.get("title") or "")) == ours:
                    url = (SHORTS_URL if metadata.shorts else WATCH_URL) + video_id
                    found = PublishedPost(
                        platform_post_id=video_id, url=url, extra={"kind": "video", "shorts": metadata.shorts}
                    )
                    return Reconciliation(ReconcileOutcome.FOUND, found)
            token = page.get("nextPageToken")
            if older or not isinstance(token, str) or not token:
                return Reconciliation(ReconcileOutcome.ABSENT)
            params["pageToken"] = token
        return Reconciliation(ReconcileOutcome.UNKNOWN)

    def _find_comment(self, content: PostContent, parent: PublishedPost) -> Reconciliation:
        """The parent video's comment threads (or the parent thread's replies), newest first, for one
        by this channel with the same text."""
        channel_id = self.credentials.tokens.get("channel_id") or self._channel(part="id")["id"]
        ours = google.normalized(content.text)
        since = self.clock.now() - RECONCILE_WINDOW
        if _is_video(parent):
            url, video_id = COMMENT_THREADS_URL, parent.platform_post_id
            params = {
                "part": "snippet",
                "videoId": video_id,
                "order": "time",
                "textFormat": "plainText",
                "maxResults": str(COMMENTS_PAGE_SIZE),
            }
        else:
            url, video_id = COMMENTS_URL, _text(parent.extra.get("video_id")) or ""
            params = {
                "part": "snippet",
                "parentId": _thread_of(parent.platform_post_id),
                "textFormat": "plainText",
                "maxResults": str(COMMENTS_PAGE_SIZE),
            }
        for _ in range(COMMENTS_MAX_PAGES):
            page = self._get_json(url, params=params)
            for entry in page.get("items") or []:
                entry = google.as_dict(entry)
                comment = entry
                if url == COMMENT_THREADS_URL:  # a thread: its top-level comment
                    comment = google.as_dict(google.as_dict(entry.get("snippet")).get("topLevelComment"))
                snippet = google.as_dict(comment.get("snippet"))
                author = _text(google.as_dict(snippet.get("authorChannelId")).get("value"))
                text = snippet.get("textOriginal") or snippet.get("textDisplay") or ""
                published = google.parsed_time(snippet.get("publishedAt"))
                if author != channel_id or (published is not None and published < since):
                    continue
                if google.normalized(str(text)) == ours and isinstance(entry.get("id"), str):
                    return Reconciliation(ReconcileOutcome.FOUND, _comment_post(entry["id"], video_id))
            token = page.get("nextPageToken")
            if not isinstance(token, str) or not token:
                return Reconciliation(ReconcileOutcome.ABSENT)
            params["pageToken"] = token
        return Reconciliation(ReconcileOutcome.UNKNOWN)

    # --- errors ------------------------------------------------------------------------------

    def classify_error(self, response: httpx.Response | None, exc: Exception | None = None) -> PlatformError:
        """YouTube's own reasons, then the rows every Google API shares (`google.classify`)."""
        if response is not None and not response.is_success:
            error = google.google_error(http.body_of(response))
            code = google.platform_code(response.status_code, error)
            message = error.message or f"YouTube answered HTTP {response.status_code}."
            if error.has({"uploadLimitExceeded"}):
                return PlatformError(
                    ErrorClass.RETRY,
                    "quota_exceeded",
                    f"{message} (the channel's daily upload limit; tried again in 24 hours)",
                    platform_code=code,
                    retry_at=self.clock.now() + UPLOAD_LIMIT_WAIT,
                )
            if error.has({"youtubeSignupRequired"}):
                return _no_channel(False, code)
            if error.has(_RESTRICTED):
                return PlatformError(ErrorClass.PERMANENT, "account_restricted", message, platform_code=code)
            if error.has({"commentsDisabled"}):
                return PlatformError(ErrorClass.PERMANENT, "comments_disabled", message, platform_code=code)
        return google.classify(
            _NETWORK,
            response,
            exc,
            now=self.clock.now(),
            can_refresh=self._can_refresh(),
            forbidden=ErrorClass.PERMANENT,
        )

    # --- text --------------------------------------------------------------------------------

    def count_text(self, text: str) -> int:
        """The description's limit is in UTF-8 bytes."""
        return counting.utf8_bytes(text)


# --- requests ------------------------------------------------------------------------------------


def _the_video(content: PostContent) -> MediaItem:
    if len(content.media) != 1 or content.media[0].kind != "video":
        raise PlatformError(
            ErrorClass.PERMANENT, "media_unsupported", "A YouTube post is one video (the API makes no other posts)."
        )
    return content.media[0]


def _metadata(content: PostContent, item: MediaItem) -> _Metadata:
    """The video resource's snippet and status for the upload, checked as YouTube checks them."""
    options = content.options
    title = (content.title or "").strip()
    description = content.text
    if not title:
        raise PlatformError(ErrorClass.PERMANENT, "invalid_content", "A YouTube video needs a title.")
    shorts = options.get("shorts") is True
    if shorts:
        _check_short(item)
        if not (_SHORTS.search(title) or _SHORTS.search(description)):
            if counting.characters(f"{title} {SHORTS_TAG}") <= MAX_TITLE:
                title = f"{title} {SHORTS_TAG}"
            elif counting.utf8_bytes(description + f"\n\n{SHORTS_TAG}") <= MAX_DESCRIPTION_BYTES:
                description = f"{description}\n\n{SHORTS_TAG}" if description else SHORTS_TAG
    if counting.characters(title) > MAX_TITLE:
        raise PlatformError(
            ErrorClass.PERMANENT, "invalid_content", f"A YouTube title has at most {MAX_TITLE} characters."
        )
    if counting.utf8_bytes(description) > MAX_DESCRIPTION_BYTES:
        raise PlatformError(
            ErrorClass.PERMANENT,
            "invalid_content",
            f"A YouTube description has at most {MAX_DESCRIPTION_BYTES} bytes (UTF-8).",
        )
    if any(character in FORBIDDEN_CHARACTERS for character in title + description):
        raise PlatformError(
            ErrorClass.PERMANENT, "invalid_content", "YouTube titles and descriptions cannot contain < or >."
        )
    privacy = options.get("privacy", DEFAULT_PRIVACY)
    if privacy not in PRIVACIES:
        raise PlatformError(
            ErrorClass.PERMANENT, "invalid_content", f"YouTube privacy must be one of {', '.join(PRIVACIES)}."
        )
    snippet: dict[str, Any] = {
        "title": title,
        "description": description,
        "categoryId": str(options.get("category_id") or DEFAULT_CATEGORY),
    }
    if options.get("tags"):
        snippet["tags"] = list(options["tags"])
    if options.get("default_language"):
        snippet["defaultLanguage"] = str(options["default_language"])
    status: dict[str, Any] = {"privacyStatus": privacy, "selfDeclaredMadeForKids": options.get("made_for_kids") is True}
    if isinstance(options.get("contains_synthetic_media"), bool):
        status["containsSyntheticMedia"] = options["contains_synthetic_media"]
    return _Metadata(body={"snippet": snippet, "status": status}, privacy=str(privacy), shorts=shorts)


def _check_short(item: MediaItem) -> None:
    """A Short is vertical or square and at most 180 seconds (checked when the probe measured it)."""
    if item.width is not None and item.height is not None and item.width > item.height:
        raise PlatformError(
            ErrorClass.PERMANENT,
            "media_unsupported",
            f"A YouTube Short is vertical or square; this video is {item.width}x{item.height}.",
        )
    if item.duration_seconds is not None and item.duration_seconds > SHORTS_MAX_SECONDS:
        raise PlatformError(
            ErrorClass.PERMANENT,
            "media_unsupported",
            f"A YouTube Short lasts at most {SHORTS_MAX_SECONDS} seconds; this video lasts "
            f"{item.duration_seconds:.0f}.",
        )


def _upload_type(item: MediaItem) -> str:
    return item.mime if item.mime and item.mime.startswith("video/") else "application/octet-stream"


def _image_type(url: str, data: bytes) -> str:
    if data.startswith(b"\x89PNG"):
        return "image/png"
    if data.startswith(b"\xff\xd8"):
        return "image/jpeg"
    guessed, _ = mimetypes.guess_type(httpx.URL(url).path)
    return guessed if guessed in ("image/png", "image/jpeg") else "image/jpeg"


def _from_offset(chunks: Iterable[bytes], offset: int, size: int) -> Iterator[bytes]:
    """The bytes of `chunks` from `offset` on, in pieces of `size` (the last may be shorter)."""
    position = 0
    buffer = bytearray()
    for chunk in chunks:
        start = position
        position += len(chunk)
        if position <= offset:
            continue
        buffer += chunk[max(0, offset - start) :]
        while len(buffer) >= size:
            yield bytes(buffer[:size])
            del buffer[:size]
    if buffer:
        yield bytes(buffer)


def _with_last(pieces: Iterator[bytes]) -> Iterator[tuple[bytes, bool]]:
    """Each piece with whether it is the last (one piece read ahead)."""
    previous: bytes | None = None
    for piece in pieces:
        if previous is not None:
            yield previous, False
        previous = piece
    if previous is not None:
        yield previous, True


def _acknowledged(response: httpx.Response) -> int:
    """Bytes the session holds, from a 308's `Range: bytes=0-N` (none: no byte yet)."""
    match = re.fullmatch(r"bytes=0-(\d+)", response.headers.get("range", "").strip())
    return int(match[1]) + 1 if match else 0


def _gave_up(error: PlatformError, maybe_complete: bool) -> PlatformError:
    if maybe_complete:  # the last byte may have landed: the video may exist, reconcile first
        return PlatformError(
            ErrorClass.RETRY,
            "platform_unavailable",
            f"The upload's end got no answer after {MAX_RESUMES} resumes ({error.message}); the video may exist.",
            platform_code=error.platform_code,
        )
    return PlatformError(
        ErrorClass.RETRY,
        "upload_interrupted",
        f"The upload was interrupted {MAX_RESUMES + 1} times ({error.message}); nothing was published.",
        platform_code=error.platform_code,
    )


def _no_channel(connecting: bool, code: str) -> PlatformError:
    message = (
        "This Google account has no YouTube channel: create one (https://www.youtube.com/create_channel) and "
        "connect again."
    )
    if connecting:
        return PlatformError(ErrorClass.PERMANENT, "youtube_channel_required", message, platform_code=code)
    return PlatformError(ErrorClass.RECONNECT, "account_disconnected", message, platform_code=code)


# --- answers -------------------------------------------------------------------------------------


def _is_video(post: PublishedPost) -> bool:
    kind = post.extra.get("kind")
    if kind in ("video", "comment"):
        return kind == "video"
    return _VIDEO_ID.match(post.platform_post_id) is not None


def _thread_of(comment_id: str) -> str:
    """The top-level comment of a comment's thread (a reply's id is `{thread}.{reply}`)."""
    return comment_id.split(".", 1)[0]


def _comment_post(comment_id: str, video_id: str) -> PublishedPost:
    url = f"{WATCH_URL}{video_id}&lc={comment_id}" if video_id else f"https://www.youtube.com/comment?lc={comment_id}"
    return PublishedPost(platform_post_id=comment_id, url=url, extra={"kind": "comment", "video_id": video_id})


def _thumbnail(snippet: Mapping[str, Any]) -> str | None:
    thumbnails = google.as_dict(snippet.get("thumbnails"))
    for size in ("high", "medium", "default"):
        url = google.as_dict(thumbnails.get(size)).get("url")
        if isinstance(url, str) and url:
            return url
    return None


def _number(values: Mapping[str, Any], field: str) -> int | None:
    """A count YouTube sends as a string of digits (uint64), or a number."""
    value = values.get(field)
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None
