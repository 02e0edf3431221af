"""TikTok adapter: the Content Posting API (direct post) and the Display API at
open.tiktokapis.com/v2, for one TikTok account.

Every answer is `{"data": ..., "error": {"code", "message", "log_id"}}`; `error.code` "ok" is a
success, anything else is classified by its code (see `classify_error`).

Publishing. TikTok posts are a video, or 1 to 35 photos; there are no text-only posts. Each post
starts with `POST /v2/post/publish/creator_info/query/`: the privacy levels the creator may use,
whether they turned comments, duets and stitches off, and their longest allowed video. Then:
- a video: `POST /v2/post/publish/video/init/` with `post_info` (the caption is its `title`) and
  `source_info`. The deployment's own uploads, and external URLs whose host is not verified for
  the app, go up as FILE_UPLOAD: a `PUT {upload_url}` per chunk, in order, with Content-Range,
  streamed from the media source (TikTok's chunk rules: 5 to 64 MB, the last up to 128 MB, floor
  (size / chunk) chunks, a file under 5 MB whole). An external URL on a verified domain is handed
  over as PULL_FROM_URL.
- photos: `POST /v2/post/publish/content/init/` (PHOTO, DIRECT_POST), PULL_FROM_URL only: every
  photo URL must be on a domain (or under a URL prefix) verified for the app.
Then `POST /v2/post/publish/status/fetch/` is polled a bounded number of times. PUBLISH_COMPLETE
gives `publicaly_available_post_id` (TikTok's spelling), the post id; private posts get none, so
their id is the publish id and their URL the profile. Once TikTok holds the whole video (the
last chunk is in, or it pulls the URL) it publishes on its own: any failure after that point is
raised as RETRY `platform_unavailable`, an outcome the runner reconciles before sending again.

Audit. TikTok keeps every post of an unaudited app private (SELF_ONLY) and lets it post only to
private accounts. The app's `audited` setting (AppCredentials.flag) says whether TikTok audited
it (False until set: a new TikTok app is unaudited); until then every post is sent SELF_ONLY
with a notice, and the account's identity carries a notice saying so.

Verified domains. The app's `verified_domains` setting lists, comma-separated, what was verified
for the app in TikTok's developer portal: a domain (matches its host and subdomains), a URL
prefix (an entry starting with https://), or "*" (any URL).

Reconcile. TikTok takes no idempotency key. `reconcile` lists the account's recent public videos
(`POST /v2/video/list/`, scope video.list) and looks for one with the same caption created
within RECONCILE_WINDOW. Private posts are never listed, so an account that posts privately (an
unaudited app, a private account, a privacy level other than PUBLIC_TO_EVERYONE) is UNKNOWN
unless its post is found. A public post is looked for RECONCILE_LOOKS times,
RECONCILE_LOOK_SECONDS apart (TikTok lists a post once moderation passes); not found, it is
UNKNOWN too, never ABSENT: moderation can take hours, and a resend would publish twice. A
FILE_UPLOAD that failed before its last chunk never needs reconciling: TikTok cannot publish
without the whole file, so that failure is a plain retry (`upload_incomplete`).

Not available in TikTok's API: deleting a post and commenting (first comments, threads).

Tokens. OAuth 2.0 v2: `client_key` (not client_id), comma-separated scopes. Access tokens last
24 hours and are refreshed with the refresh token (about a year). PKCE: TikTok requires it for
desktop and mobile apps and encodes the challenge as the hex SHA-256 of the verifier (not
base64url); for web apps it is optional. Herald sends it, in TikTok's encoding."""

from __future__ import annotations

import base64
import binascii
import json
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import httpx

from herald.platforms import http
from herald.platforms.base import (
    OUTCOME_UNKNOWN_CODES,
    AccountIdentity,
    AppCredentials,
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

API = "https://open.tiktokapis.com"
AUTHORIZE_URL = "https://www.tiktok.com/v2/auth/authorize/"
TOKEN_URL = f"{API}/v2/oauth/token/"
REVOKE_URL = f"{API}/v2/oauth/revoke/"
USER_INFO_URL = f"{API}/v2/user/info/"
CREATOR_INFO_URL = f"{API}/v2/post/publish/creator_info/query/"
VIDEO_INIT_URL = f"{API}/v2/post/publish/video/init/"
CONTENT_INIT_URL = f"{API}/v2/post/publish/content/init/"
STATUS_URL = f"{API}/v2/post/publish/status/fetch/"
VIDEO_LIST_URL = f"{API}/v2/video/list/"
VIDEO_QUERY_URL = f"{API}/v2/video/query/"
PUBLIC_HOST = "https://www.tiktok.com"
SCOPES = (
    "user.info.basic",
    "user.info.profile",
    "user.info.stats",
    "video.publish",
    "video.upload",
    "video.list",
)
# user/info fields by the scope that shows them.
USER_FIELDS = (
    ("user.info.basic", ("open_id", "union_id", "avatar_url", "display_name")),
    ("user.info.profile", ("username",)),
    ("user.info.stats", ("follower_count",)),
)
LIST_FIELDS = "id,title,video_description,create_time,share_url"
METRIC_FIELDS = "id,view_count,like_count,comment_count,share_count"
JSON_TYPE = "application/json; charset=UTF-8"
PRIVACY_LEVELS = ("PUBLIC_TO_EVERYONE", "MUTUAL_FOLLOW_FRIENDS", "FOLLOWER_OF_CREATOR", "SELF_ONLY")
PUBLIC = "PUBLIC_TO_EVERYONE"
PRIVATE = "SELF_ONLY"
MAX_CAPTION = 2200  # UTF-16 units: a video's title; a photo post's description (TikTok: 4,000) is held to it too
MAX_PHOTOS = 35
MAX_PHOTO_TITLE = 90
MB = 1024 * 1024
CHUNK_BYTES = 10 * MB  # a FILE_UPLOAD's chunk; files under twice this go up whole
MIN_CHUNK_BYTES = 5 * MB
MAX_CHUNK_BYTES = 64 * MB
MAX_LAST_CHUNK_BYTES = 128 * MB
MAX_CHUNKS = 1000
MAX_VIDEO_BYTES = 4 * 1024 * MB
MAX_IMAGE_BYTES = 20 * MB
STATUS_POLL_SECONDS = 5.0
STATUS_POLLS = 24  # the first at once, then every STATUS_POLL_SECONDS: about two minutes
METRICS_BATCH_SIZE = 20  # video_ids per /v2/video/query/
LIST_PAGE_SIZE = 20  # /v2/video/list/ max_count
LIST_MAX_PAGES = 5  # beyond 100 videos in the window, absence is not proven: UNKNOWN
RECONCILE_WINDOW = timedelta(hours=6)
RECONCILE_LOOKS = 3
RECONCILE_LOOK_SECONDS = 30.0
LISTED_TEXT_MAX = 150  # the listing shows at most this much of a title or description
RATE_LIMIT_WAIT = timedelta(minutes=1)  # 6 init calls a minute per token
DAILY_CAP_WAIT = timedelta(days=1)
IMAGE_TYPES = ("image/jpeg", "image/webp")
VIDEO_TYPES = ("video/mp4", "video/quicktime", "video/webm")
UNAUDITED_NOTICE = (
    "The TikTok app is not audited yet: TikTok keeps every post of an unaudited app private (SELF_ONLY) and lets "
    "it post only to private TikTok accounts, so Herald posts privately. Once TikTok has audited the app, set its "
    "`audited` setting to true."
)
UNAUDITED_POST_NOTICE = (
    "The post was made private (SELF_ONLY) because the TikTok app is not audited yet: TikTok keeps an unaudited "
    "app's posts private."
)
_NETWORK = "TikTok"  # in messages
_OK = "ok"

# error.code -> (class, Herald code, what to add to TikTok's message); retry waits in classify_error.
_ERRORS: dict[str, tuple[ErrorClass, str, str]] = {
    "rate_limit_exceeded": (ErrorClass.RETRY, "rate_limited", ""),
    "spam_risk_too_many_posts": (
        ErrorClass.RETRY,
        "quota_exceeded",
        "The TikTok account reached its daily posting cap; trying again tomorrow.",
    ),
    "spam_risk_too_many_pending_share": (
        ErrorClass.RETRY,
        "quota_exceeded",
        "The TikTok account has too many posts waiting in its inbox; trying again tomorrow.",
    ),
    "scope_not_authorized": (
        ErrorClass.RECONNECT,
        "account_disconnected",
        "Reconnect the TikTok account and grant every permission.",
    ),
    "scope_permission_missed": (
        ErrorClass.RECONNECT,
        "account_disconnected",
        "Reconnect the TikTok account and grant every permission.",
    ),
    "spam_risk_user_banned_from_posting": (
        ErrorClass.PERMANENT,
        "account_restricted",
        "TikTok does not let this account post for now.",
    ),
    "spam_risk_text": (ErrorClass.PERMANENT, "invalid_content", "TikTok flagged the text as spam."),
    "spam_risk": (ErrorClass.PERMANENT, "account_restricted", "TikTok refused the post as a spam risk."),
    "unaudited_client_can_only_post_to_private_accounts": (
        ErrorClass.PERMANENT,
        "app_not_configured",
        "The TikTok app is not audited, and an unaudited app can post only to private accounts: make the TikTok "
        "account private, or have TikTok audit the app (then set its `audited` setting to true).",
    ),
    "reached_active_user_cap": (
        ErrorClass.PERMANENT,
        "app_not_configured",
        "The unaudited TikTok app reached its cap of accounts posting in 24 hours: have TikTok audit the app.",
    ),
    "url_ownership_unverified": (
        ErrorClass.PERMANENT,
        "app_not_configured",
        "TikTok pulls media only from domains or URL prefixes verified for the app: verify the media's domain in "
        "the TikTok developer portal and add it to the app's `verified_domains` setting.",
    ),
    "privacy_level_option_mismatch": (ErrorClass.PERMANENT, "invalid_content", ""),
    "invalid_params": (ErrorClass.PERMANENT, "invalid_content", ""),
    "invalid_param": (ErrorClass.PERMANENT, "invalid_content", ""),
    "invalid_file_upload": (ErrorClass.PERMANENT, "media_unsupported", ""),
    "file_format_check_failed": (ErrorClass.PERMANENT, "media_unsupported", "TikTok cannot read the file's format."),
    "duration_check_failed": (ErrorClass.PERMANENT, "media_unsupported", "TikTok refused the video's duration."),
    "frame_rate_check_failed": (ErrorClass.PERMANENT, "media_unsupported", "TikTok refused the video's frame rate."),
    "picture_size_check_failed": (
        ErrorClass.PERMANENT,
        "media_unsupported",
        "TikTok refused the picture or video size.",
    ),
    "video_pull_failed": (ErrorClass.RETRY, "media_unreachable", "TikTok could not download the video."),
    "photo_pull_failed": (ErrorClass.RETRY, "media_unreachable", "TikTok could not download a photo."),
    "internal_error": (ErrorClass.RETRY, "platform_unavailable", ""),
    "internal": (ErrorClass.RETRY, "platform_unavailable", ""),
    "auth_removed": (ErrorClass.RECONNECT, "account_disconnected", "The person removed Herald's access on TikTok."),
    "publish_cancelled": (ErrorClass.PERMANENT, "platform_error", "The post was cancelled on TikTok."),
}


@dataclass(frozen=True)
class CreatorInfo:
    """What /creator_info/query/ says of the account now."""

    username: str | None
    privacy_options: tuple[str, ...]
    comment_disabled: bool
    duet_disabled: bool
    stitch_disabled: bool
    max_duration_seconds: int | None


@dataclass(frozen=True)
class ChunkPlan:
    """A FILE_UPLOAD: `count` chunks of `chunk_size` bytes, the last one holding the rest."""

    size: int
    chunk_size: int
    count: int

    def length(self, index: int) -> int:
        return self.size - (self.count - 1) * self.chunk_size if index == self.count - 1 else self.chunk_size


def chunk_plan(size: int) -> ChunkPlan:
    """How a video of `size` bytes goes up: whole under 2 x CHUNK_BYTES (within TikTok's 64 MB for
    one chunk), else CHUNK_BYTES chunks with the remainder in the last (less than 2 x CHUNK_BYTES)."""
    if size <= 0:
        raise PlatformError(ErrorClass.PERMANENT, "media_unsupported", "The video file is empty.")
    if size > MAX_VIDEO_BYTES:
        raise PlatformError(
            ErrorClass.PERMANENT, "media_too_large", f"TikTok takes videos of at most 4 GB ({size} bytes given)."
        )
    if size < 2 * CHUNK_BYTES:
        return ChunkPlan(size, size, 1)
    return ChunkPlan(size, CHUNK_BYTES, size // CHUNK_BYTES)


class TikTokPlatform(Platform):
    name = "tiktok"
    text_limits = TextLimits(max_length=MAX_CAPTION, counting="utf16_units")
    media_limits = MediaLimits(
        max_items=MAX_PHOTOS,
        image_types=IMAGE_TYPES,
        video_types=VIDEO_TYPES,
        max_image_bytes=MAX_IMAGE_BYTES,
        max_video_bytes=MAX_VIDEO_BYTES,
    )
    oauth = OAuthSpec(authorize_url=AUTHORIZE_URL, token_url=TOKEN_URL, scopes=SCOPES, pkce=True, scope_separator=",")

    # --- connecting --------------------------------------------------------------------------

    @classmethod
    def authorization_url(cls, app: AppCredentials, redirect_uri: str, state: str, code_challenge: str | None) -> str:
        """TikTok's consent page: `client_key`, comma-separated scopes, and the PKCE challenge in
        TikTok's encoding (hex SHA-256 of the verifier, from the standard base64url one)."""
        params = {
            "client_key": app.client_id,
            "scope": ",".join(SCOPES),
            "response_type": "code",
            "redirect_uri": redirect_uri,
            "state": state,
        }
        if code_challenge:
            params |= {"code_challenge": hex_challenge(code_challenge), "code_challenge_method": "S256"}
        return f"{AUTHORIZE_URL}?{urlencode(params)}"

    @classmethod
    def connect_with_code(
        cls, client: httpx.Client, app: AppCredentials, code: str, redirect_uri: str, code_verifier: str | None
    ) -> Connection:
        exchanging = cls(client, Credentials(account_id="", username=""), app=app)
        form = {"code": code, "grant_type": "authorization_code", "redirect_uri": redirect_uri}
        if code_verifier:
            form["code_verifier"] = code_verifier
        tokens, expires_at = exchanging._token_grant(form, {}, "the authorization code")
        reader = cls(client, Credentials(account_id="", username="", tokens=tokens), app=app)
        identity = reader.identity()
        tokens["open_id"] = identity.platform_user_id
        credentials = Credentials(account_id="", username=identity.username, tokens=tokens, expires_at=expires_at)
        return Connection(credentials=credentials, identity=identity)

    def identity(self) -> AccountIdentity:
        """The user from /v2/user/info/, asking only for the fields the granted scopes show."""
        granted = _scopes(self.credentials.tokens)
        fields = [field for scope, names in USER_FIELDS if not granted or scope in granted for field in names]
        response = self._get(USER_INFO_URL, params={"fields": ",".join(fields)})
        user = self._data(response).get("user")
        open_id = user.get("open_id") if isinstance(user, dict) else None
        if not isinstance(user, dict) or not isinstance(open_id, str) or not open_id:
            raise http.malformed(_NETWORK, response, "no data.user.open_id in the user info")
        display = _text(user.get("display_name"))
        username = _text(user.get("username")) or display or self.credentials.username or open_id
        notices = []
        if not self._audited():
            notices.append(UNAUDITED_NOTICE)
        if granted and "video.publish" not in granted:
            notices.append(
                "TikTok did not grant video.publish: Herald cannot post for this account until it is reconnected "
                "with posting allowed."
            )
        return AccountIdentity(
            platform_user_id=open_id,
            username=username,
            display_name=display,
            avatar_url=_text(user.get("avatar_url")),
            followers=http.count(user, "follower_count"),
            permissions=tuple(granted) or SCOPES,
            notices=tuple(notices),
        )

    def revoke(self) -> bool:
        """POST /v2/oauth/revoke/ with the app's credentials; False when the app has none configured."""
        if self.app is None or not self.app.client_secret:
            return False
        form = {
            "client_key": self.app.client_id,
            "client_secret": self.app.client_secret,
            "token": self.token("access_token"),
        }
        response = http.succeeded(self, http.send(self, "POST", REVOKE_URL, data=form))
        error = (http.body_of(response) or {}).get("error")
        if isinstance(error, str) and error:
            raise PlatformError(
                ErrorClass.PERMANENT, "platform_error", f"TikTok refused the revocation: {error}", platform_code=error
            )
        return True

    # --- publishing --------------------------------------------------------------------------

    def publish(self, content: PostContent) -> PublishedPost:
        video = _check_media(content)
        photos = () if video is not None else content.media
        if photos:
            self._check_photos(content, photos)
        creator = self._creator_info()
        privacy, notices = self._privacy(content.options, creator)
        if content.options.get("brand_content_toggle") is True and privacy == PRIVATE:
            raise PlatformError(
                ErrorClass.PERMANENT,
                "invalid_content",
                "TikTok does not let branded content (brand_content_toggle) be private (SELF_ONLY).",
            )
        if video is not None:
            _check_duration(video, creator)
            publish_id = self._post_video(content, video, creator, privacy)
        else:
            publish_id = self._post_photos(content, photos, creator, privacy)
        try:
            return self._await_publish(publish_id, "video" if video is not None else "photo", privacy, notices)
        except PlatformError as error:
            raise _committed(error, publish_id) from error

    def _creator_info(self) -> CreatorInfo:
        response = self._post(CREATOR_INFO_URL, None)
        data = self._data(response)
        options = data.get("privacy_level_options")
        if not isinstance(options, list) or not options or not all(isinstance(o, str) for o in options):
            raise http.malformed(_NETWORK, response, "no privacy_level_options in the creator info")
        maximum = http.count(data, "max_video_post_duration_sec")
        return CreatorInfo(
            username=_text(data.get("creator_username")),
            privacy_options=tuple(options),
            comment_disabled=data.get("comment_disabled") is True,
            duet_disabled=data.get("duet_disabled") is True,
            stitch_disabled=data.get("stitch_disabled") is True,
            max_duration_seconds=maximum if maximum else None,
        )

    def _privacy(self, options: Mapping[str, Any], creator: CreatorInfo) -> tuple[str, list[str]]:
        """The privacy level to send, and what to tell about it. An unaudited app posts SELF_ONLY;
        otherwise the level asked for (one of the creator's), else PUBLIC_TO_EVERYONE where offered,
        else the creator's first."""
        asked = options.get("privacy_level")
        if not self._audited():
            return PRIVATE, [] if asked == PRIVATE else [UNAUDITED_POST_NOTICE]
        offered = creator.privacy_options
        if asked is not None:
            if asked not in offered:
                raise PlatformError(
                    ErrorClass.PERMANENT,
                    "invalid_content",
                    f"This TikTok account can post with the privacy levels {', '.join(offered)} only, not {asked}.",
                    platform_code="privacy_level_option_mismatch",
                )
            return str(asked), []
        if PUBLIC in offered:
            return PUBLIC, []
        return offered[0], [
            f"The TikTok account does not offer {PUBLIC} (it is a private account): the post was made "
            f"{offered[0]}, the first level it offers."
        ]

    def _post_video(self, content: PostContent, item: MediaItem, creator: CreatorInfo, privacy: str) -> str:
        options = content.options
        info: dict[str, Any] = {}
        if content.text:
            info["title"] = content.text
        info["privacy_level"] = privacy
        info |= _interactions(options, creator, video=True)
        if "video_cover_timestamp_ms" in options:
            info["video_cover_timestamp_ms"] = int(options["video_cover_timestamp_ms"])
        for name in ("brand_content_toggle", "brand_organic_toggle", "is_aigc"):
            if name in options:
                info[name] = bool(options[name])
        if not item.uploaded and self._verified(item.url):
            source = {"source": "PULL_FROM_URL", "video_url": item.url}
            response = self._post(VIDEO_INIT_URL, {"post_info": info, "source_info": source})
            return _publish_id(response, self._data(response))
        whole = self.media_source().read(item) if item.size is None else None
        plan = chunk_plan(item.size if item.size is not None else len(whole or b""))
        source = {
            "source": "FILE_UPLOAD",
            "video_size": plan.size,
            "chunk_size": plan.chunk_size,
            "total_chunk_count": plan.count,
        }
        try:
            response = self._post(VIDEO_INIT_URL, {"post_info": info, "source_info": source})
            data = self._data(response)
            publish_id = _publish_id(response, data)
            upload_url = data.get("upload_url")
            if not isinstance(upload_url, str) or not upload_url.startswith("https://"):
                raise http.malformed(_NETWORK, response, "no upload_url for the FILE_UPLOAD")
        except PlatformError as error:
            raise _before_the_whole_file(error) from error
        self._upload(item, upload_url, plan, whole)
        return publish_id

    def _upload(self, item: MediaItem, upload_url: str, plan: ChunkPlan, whole: bytes | None) -> None:
        """PUT each chunk in order. A refused chunk leaves TikTok without the whole video, so
        nothing is published (any failure before the last chunk is a plain retry); a lost answer
        to the last one is a timeout, an unknown outcome."""
        mime = item.mime if item.mime in VIDEO_TYPES else "video/mp4"
        first = 0
        for piece in self._chunks(item, plan, whole):
            last = first + len(piece) - 1
            headers = {
                "Content-Type": mime,
                "Content-Length": str(len(piece)),
                "Content-Range": f"bytes {first}-{last}/{plan.size}",
            }
            try:
                http.succeeded(self, http.send(self, "PUT", upload_url, content=piece, headers=headers))
            except PlatformError as error:
                raise (error if last == plan.size - 1 else _before_the_whole_file(error)) from error
            first = last + 1

    def _chunks(self, item: MediaItem, plan: ChunkPlan, whole: bytes | None) -> Iterator[bytes]:
        """The file cut as `plan` says: streamed from the media source (the last chunk joins the
        source's last two pieces), or sliced from `whole` when it had to be read to learn its size."""
        if whole is not None:
            for index in range(plan.count):
                start = index * plan.chunk_size
                yield whole[start : start + plan.length(index)]
            return
        pieces = self.media_source().chunks(item, plan.chunk_size)
        for _ in range(plan.count - 1):
            piece = next(pieces, None)
            if piece is None or len(piece) != plan.chunk_size:
                raise _size_mismatch()
            yield piece
        last = b"".join(pieces)
        if len(last) != plan.length(plan.count - 1):
            raise _size_mismatch()
        yield last

    def _post_photos(
        self, content: PostContent, photos: Sequence[MediaItem], creator: CreatorInfo, privacy: str
    ) -> str:
        options = content.options
        info: dict[str, Any] = {}
        if content.title:
            info["title"] = content.title
        if content.text:
            info["description"] = content.text
        info["privacy_level"] = privacy
        info |= _interactions(options, creator, video=False)
        for name in ("auto_add_music", "brand_content_toggle", "brand_organic_toggle"):
            if name in options:
                info[name] = bool(options[name])
        source = {
            "source": "PULL_FROM_URL",
            "photo_cover_index": int(options.get("photo_cover_index", 0)),
            "photo_images": [item.url for item in photos],
        }
        body = {"media_type": "PHOTO", "post_mode": "DIRECT_POST", "post_info": info, "source_info": source}
        response = self._post(CONTENT_INIT_URL, body)
        return _publish_id(response, self._data(response))

    def _check_photos(self, content: PostContent, photos: Sequence[MediaItem]) -> None:
        if content.title and counting.utf16_units(content.title) > MAX_PHOTO_TITLE:
            raise PlatformError(
                ErrorClass.PERMANENT,
                "invalid_content",
                f"A TikTok photo post's title is at most {MAX_PHOTO_TITLE} characters.",
            )
        cover = content.options.get("photo_cover_index", 0)
        if not isinstance(cover, int) or not 0 <= cover < len(photos):
            raise PlatformError(
                ErrorClass.PERMANENT,
                "invalid_content",
                f"photo_cover_index must name one of the post's {len(photos)} photos (0 to {len(photos) - 1}).",
            )
        unverified = [item.url for item in photos if not self._verified(item.url)]
        if unverified:
            raise PlatformError(
                ErrorClass.PERMANENT,
                "app_not_configured",
                "TikTok takes photos only from URLs it can pull from a domain or URL prefix verified for the app "
                f"({len(unverified)} of the photos are not): verify the media bucket's URL prefix (or the photos' "
                "domain) in the TikTok developer portal and add it to the app's `verified_domains` setting "
                "(see docs/networks/tiktok.md).",
                platform_code="url_ownership_unverified",
            )

    def _await_publish(self, publish_id: str, kind: str, privacy: str, notices: list[str]) -> PublishedPost:
        """Poll the publish status: at once, then every STATUS_POLL_SECONDS, STATUS_POLLS times at most.
        A public post's id comes once TikTok's moderation has passed it, so a PUBLISH_COMPLETE
        without one is polled on while polls are left."""
        status = None
        completed = False
        for poll in range(STATUS_POLLS):
            if poll:
                self.clock.sleep(STATUS_POLL_SECONDS)
            response = self._post(STATUS_URL, {"publish_id": publish_id})
            data = self._data(response)
            status = data.get("status")
            if status == "FAILED":
                raise _publish_failed(str(data.get("fail_reason") or "unknown"), publish_id)
            if status == "SEND_TO_USER_INBOX":
                notice = "TikTok sent the post to the creator's inbox: it is finished in the TikTok app."
                return self._private_post(publish_id, [*notices, notice])
            if status == "PUBLISH_COMPLETE":
                completed = True
                post_id = _public_id(data.get("publicaly_available_post_id"))
                if post_id is not None:
                    url = f"{self._profile_url()}/{kind}/{post_id}"
                    return PublishedPost(post_id, url, extra={"publish_id": publish_id}, notices=tuple(notices))
                if privacy != PUBLIC:
                    notice = (
                        f"The post is not public ({privacy}): TikTok gives no id for it, so Herald keeps its publish "
                        "id and links the profile; metrics are not available for it."
                    )
                    return self._private_post(publish_id, [*notices, notice])
            elif not isinstance(status, str):
                raise http.malformed(_NETWORK, response, f"status {status!r}")
        if completed:
            notice = (
                "TikTok published the post but had not given its id yet (its moderation was still running): Herald "
                "keeps the publish id and links the profile."
            )
            return self._private_post(publish_id, [*notices, notice])
        raise PlatformError(
            ErrorClass.RETRY,
            "platform_unavailable",
            f"TikTok was still processing the post ({status}) after {STATUS_POLLS} checks; it publishes it on its own "
            "when done, so the next attempt looks for it before sending again.",
            platform_code=str(status),
        )

    def _private_post(self, publish_id: str, notices: list[str]) -> PublishedPost:
        return PublishedPost(publish_id, self._profile_url(), extra={"publish_id": publish_id}, notices=tuple(notices))

    def _profile_url(self) -> str:
        return f"{PUBLIC_HOST}/@{self.credentials.username}"

    def _verified(self, url: str) -> bool:
        settings = self.app.settings if self.app is not None else {}
        return url_verified(url, settings.get("verified_domains", ""))

    def _audited(self) -> bool:
        return self.app is not None and self.app.flag("audited")

    # --- what TikTok's API does not have -----------------------------------------------------

    def delete(self, platform_post_id: str) -> None:
        raise PlatformError(
            ErrorClass.PERMANENT,
            "not_supported",
            "TikTok's API cannot delete posts: delete it in the TikTok app (open the post, then ... > Delete).",
        )

    def reply(self, parent: PublishedPost, content: PostContent) -> PublishedPost:
        raise PlatformError(
            ErrorClass.PERMANENT,
            "not_supported",
            "TikTok's API cannot comment: first comments and threads cannot be posted to TikTok.",
        )

    # --- metrics -----------------------------------------------------------------------------

    def metrics(self, platform_post_ids: list[str]) -> dict[str, dict[str, int]]:
        """Views, likes, comments and shares from /v2/video/query/, 20 videos a call. Publish ids
        (private posts, which have no video id) are left out, as are videos TikTok does not return."""
        found: dict[str, dict[str, int]] = {}
        video_ids = [post_id for post_id in platform_post_ids if post_id.isdigit()]
        for batch in http.batches(video_ids, METRICS_BATCH_SIZE):
            body = {"filters": {"video_ids": batch}}
            data = self._data(self._post(VIDEO_QUERY_URL, body, params={"fields": METRIC_FIELDS}))
            for video in data.get("videos") or []:
                video_id = str(video.get("id")) if isinstance(video, dict) and video.get("id") is not None else None
                if video_id in batch:
                    found[video_id] = _counts(video)
        return found

    # --- reconcile ---------------------------------------------------------------------------

    def reconcile(self, content: PostContent, parent: PublishedPost | None = None) -> Reconciliation:
        if parent is not None or _is_later_step(content.target_key):
            return Reconciliation(ReconcileOutcome.UNKNOWN)
        caption = _normalized(content.text)
        if not caption:  # a post without a caption cannot be told apart from the account's others
            return Reconciliation(ReconcileOutcome.UNKNOWN)
        try:
            if not self._posts_publicly(content.options):  # private posts are never listed
                return Reconciliation(ReconcileOutcome.UNKNOWN)
            for look in range(RECONCILE_LOOKS):
                if look:
                    self.clock.sleep(RECONCILE_LOOK_SECONDS)
                found = self._find_recent(caption)
                if found.outcome is not ReconcileOutcome.ABSENT:
                    return found
        except PlatformError:
            return Reconciliation(ReconcileOutcome.UNKNOWN)
        # Not listed yet is no proof: TikTok lists a post only once its moderation passes, which
        # can take hours, so a resend could publish it twice. A person decides (needs_review).
        return Reconciliation(ReconcileOutcome.UNKNOWN)

    def _posts_publicly(self, options: Mapping[str, Any]) -> bool:
        """Whether the post would have been public: an audited app, PUBLIC_TO_EVERYONE asked for (or
        nothing asked), and offered to the account."""
        if not self._audited() or options.get("privacy_level", PUBLIC) != PUBLIC:
            return False
        return PUBLIC in self._creator_info().privacy_options

    def _find_recent(self, caption: str) -> Reconciliation:
        """Page through the account's public videos, newest first, until one created within the
        window has the caption (FOUND), or they are older than the window (ABSENT)."""
        since = int((self.clock.now() - RECONCILE_WINDOW).timestamp())
        body: dict[str, Any] = {"max_count": LIST_PAGE_SIZE}
        for _ in range(LIST_MAX_PAGES):
            response = self._post(VIDEO_LIST_URL, body, params={"fields": LIST_FIELDS})
            data = self._data(response)
            videos = data.get("videos")
            if not isinstance(videos, list):
                raise http.malformed(_NETWORK, response, "no videos list")
            for video in videos:
                if not isinstance(video, dict) or video.get("id") is None:
                    continue
                created = http.count(video, "create_time")
                if created is not None and created < since:
                    return Reconciliation(ReconcileOutcome.ABSENT)
                if caption and _same_caption(video, caption):
                    return Reconciliation(ReconcileOutcome.FOUND, self._listed_post(video))
            cursor = data.get("cursor")
            if data.get("has_more") is not True or not isinstance(cursor, int):
                return Reconciliation(ReconcileOutcome.ABSENT)
            body = {"max_count": LIST_PAGE_SIZE, "cursor": cursor}
        return Reconciliation(ReconcileOutcome.UNKNOWN)

    def _listed_post(self, video: dict[str, Any]) -> PublishedPost:
        video_id = str(video["id"])
        share = video.get("share_url")
        if isinstance(share, str) and share.startswith(PUBLIC_HOST + "/@") and video_id in share:
            return PublishedPost(video_id, share.partition("?")[0])
        return PublishedPost(video_id, f"{self._profile_url()}/video/{video_id}")

    # --- credentials -------------------------------------------------------------------------

    def refresh_credentials(self) -> Credentials:
        refresh_token = self.credentials.tokens.get("refresh_token")
        if not refresh_token:
            raise PlatformError(
                ErrorClass.RECONNECT, "account_disconnected", "The TikTok account has no refresh token: reconnect it."
            )
        form = {"grant_type": "refresh_token", "refresh_token": refresh_token}
        tokens, expires_at = self._token_grant(form, self.credentials.tokens, "the refresh token")
        return Credentials(
            account_id=self.credentials.account_id,
            username=self.credentials.username,
            tokens=tokens,
            expires_at=expires_at,
        )

    def _token_grant(
        self, form: dict[str, str], previous: Mapping[str, str], what: str
    ) -> tuple[dict[str, str], datetime | None]:
        """POST `form` with the app's client_key and secret to the token endpoint: the new tokens on
        top of `previous`, and when the access token expires. A refusal is RECONNECT."""
        app = self._app()
        form = {"client_key": app.client_id, "client_secret": app.client_secret or "", **form}
        response = http.send(self, "POST", TOKEN_URL, data=form)
        if response.status_code >= 500 or response.status_code == 429:
            raise self.classify_error(response)
        body = http.body_of(response)
        if body is None and response.is_success:
            raise http.malformed(_NETWORK, response, "the token answer is not JSON")
        body = body or {}
        if not isinstance(body.get("access_token"), str) or not body["access_token"]:
            raise self._oauth_error(response, body, what)
        tokens = {**previous, "access_token": body["access_token"]}
        for name in ("refresh_token", "open_id", "scope"):
            if isinstance(body.get(name), str) and body[name]:
                tokens[name] = body[name]
        expires_in = http.count(body, "expires_in")
        return tokens, self.clock.now() + timedelta(seconds=expires_in) if expires_in is not None else None

    def _oauth_error(self, response: httpx.Response, body: Mapping[str, Any], what: str) -> PlatformError:
        """A refused token call: the OAuth `{error, error_description}` (or the API's error object)."""
        error = body.get("error")
        if isinstance(error, dict):
            name, reason = str(error.get("code") or ""), str(error.get("message") or "")
        else:
            name, reason = str(error or ""), str(body.get("error_description") or "")
        return PlatformError(
            ErrorClass.RECONNECT,
            "account_disconnected",
            f"TikTok refused {what}: {reason or name or 'refused'}",
            platform_code=f"{response.status_code} {name}".strip(),
        )

    def _app(self) -> AppCredentials:
        if self.app is None or not self.app.client_secret:
            raise PlatformError(
                ErrorClass.PERMANENT,
                "app_not_configured",
                "The TikTok app's client key and secret are not configured for this deployment.",
            )
        return self.app

    # --- errors ------------------------------------------------------------------------------

    def classify_error(self, response: httpx.Response | None, exc: Exception | None = None) -> PlatformError:
        if response is None:
            return http.transport_error(_NETWORK, exc)
        status = response.status_code
        body = http.body_of(response)
        name, message = _error_of(body)
        if response.is_success and name in (None, _OK):
            return http.malformed(_NETWORK, response, "the body is not the JSON TikTok documents")
        code = f"{status} {name}" if name else str(status)
        message = message or f"TikTok answered HTTP {status}."
        known = _ERRORS.get(name or "")
        if name == "access_token_invalid" or (known is None and status == 401):
            return self._unauthorized(message, code)
        if known is not None:
            error_class, herald_code, advice = known
            return PlatformError(
                error_class,
                herald_code,
                f"{message} {advice}".strip() if advice else message,
                platform_code=code,
                retry_at=self._retry_at(herald_code),
            )
        if status == 429:
            return PlatformError(
                ErrorClass.RETRY, "rate_limited", message, platform_code=code, retry_at=self._retry_at("rate_limited")
            )
        if status >= 500:
            return PlatformError(ErrorClass.RETRY, "platform_unavailable", message, platform_code=code)
        if status == 404:
            return PlatformError(ErrorClass.PERMANENT, "not_found", message, platform_code=code)
        if status in (400, 413, 422):
            herald_code = "media_too_large" if status == 413 else "invalid_content"
            return PlatformError(ErrorClass.PERMANENT, herald_code, message, platform_code=code)
        return PlatformError(ErrorClass.PERMANENT, "platform_error", message, platform_code=code)

    def _unauthorized(self, message: str, code: str) -> PlatformError:
        if self.credentials.tokens.get("refresh_token"):
            return PlatformError(ErrorClass.REFRESH, "token_expired", message, platform_code=code)
        return PlatformError(
            ErrorClass.RECONNECT,
            "account_disconnected",
            f"{message} The account has no refresh token: reconnect it.",
            platform_code=code,
        )

    def _retry_at(self, herald_code: str) -> datetime | None:
        if herald_code == "rate_limited":
            return self.clock.now() + RATE_LIMIT_WAIT
        if herald_code == "quota_exceeded":
            return self.clock.now() + DAILY_CAP_WAIT
        return None

    # --- text --------------------------------------------------------------------------------

    def count_text(self, text: str) -> int:
        """UTF-16 code units (TikTok's "UTF-16 runes"; an emoji outside the BMP is 2)."""
        return counting.utf16_units(text)

    # --- HTTP --------------------------------------------------------------------------------

    def _headers(self, json_body: bool) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.token('access_token')}"}
        if json_body:
            headers["Content-Type"] = JSON_TYPE
        return headers

    def _get(self, url: str, *, params: Mapping[str, str]) -> httpx.Response:
        return http.send(self, "GET", url, params=params, headers=self._headers(False))

    def _post(self, url: str, body: Any, *, params: Mapping[str, str] | None = None) -> httpx.Response:
        content = json.dumps(body, ensure_ascii=False).encode("utf-8") if body is not None else None
        return http.send(self, "POST", url, params=params, content=content, headers=self._headers(True))

    def _data(self, response: httpx.Response) -> dict[str, Any]:
        """The `data` object of an answer whose error.code is "ok"; anything else is raised classified."""
        body = http.body_of(response)
        if body is None or not response.is_success:
            raise self.classify_error(response)
        name, _ = _error_of(body)
        if name not in (None, _OK):
            raise self.classify_error(response)
        data = body.get("data")
        if not isinstance(data, dict):
            raise http.malformed(_NETWORK, response, "no data object")
        return data


# --- helpers -----------------------------------------------------------------------------------


def hex_challenge(code_challenge: str) -> str:
    """The S256 challenge as TikTok reads it (hex SHA-256 of the verifier), from the RFC 7636 one
    (base64url SHA-256 of the verifier): the same digest, another encoding."""
    try:
        digest = base64.urlsafe_b64decode(code_challenge + "=" * (-len(code_challenge) % 4))
    except (binascii.Error, ValueError):
        return code_challenge
    return digest.hex() if len(digest) == 32 else code_challenge


def url_verified(url: str, verified_domains: str) -> bool:
    """Whether `url` is covered by the app's verified domains: "*", a URL prefix (an entry that
    starts with http:// or https://), or a domain (its host or any subdomain of it)."""
    host = (httpx.URL(url).host or "").lower() if url.startswith(("http://", "https://")) else ""
    for entry in (part.strip() for part in verified_domains.split(",")):
        if not entry:
            continue
        if entry == "*":
            return True
        if entry.startswith(("https://", "http://")):
            if url.startswith(entry):
                return True
            continue
        domain = entry.lower().lstrip(".")
        if host and (host == domain or host.endswith("." + domain)):
            return True
    return False


def _check_media(content: PostContent) -> MediaItem | None:
    """The post's video, or None for a photo post; refuses what TikTok cannot post before any call."""
    media = content.media
    if not media:
        raise PlatformError(
            ErrorClass.PERMANENT, "invalid_content", "A TikTok post needs a video or photos: TikTok has no text posts."
        )
    videos = [item for item in media if item.kind == "video"]
    if videos:
        if len(media) > 1:
            raise PlatformError(
                ErrorClass.PERMANENT, "invalid_content", "A TikTok post takes one video alone, or photos only."
            )
        video = videos[0]
        if video.mime and video.mime not in VIDEO_TYPES:
            raise PlatformError(
                ErrorClass.PERMANENT, "media_unsupported", "TikTok takes MP4, MOV and WebM videos only."
            )
        return video
    if any(item.kind != "image" for item in media):
        raise PlatformError(
            ErrorClass.PERMANENT, "media_unsupported", "TikTok takes videos and JPEG or WebP photos only (no GIFs)."
        )
    if len(media) > MAX_PHOTOS:
        raise PlatformError(
            ErrorClass.PERMANENT,
            "invalid_content",
            f"A TikTok photo post holds at most {MAX_PHOTOS} photos ({len(media)} given).",
        )
    if any(item.mime and item.mime not in IMAGE_TYPES for item in media):
        raise PlatformError(ErrorClass.PERMANENT, "media_unsupported", "TikTok photo posts take JPEG and WebP only.")
    return None


def _check_duration(video: MediaItem, creator: CreatorInfo) -> None:
    maximum = creator.max_duration_seconds
    if maximum is not None and video.duration_seconds is not None and video.duration_seconds > maximum:
        raise PlatformError(
            ErrorClass.PERMANENT,
            "media_unsupported",
            f"This TikTok account can post videos of at most {maximum} seconds; the video lasts "
            f"{video.duration_seconds:g} seconds.",
            platform_code="max_video_post_duration_sec",
        )


def _interactions(options: Mapping[str, Any], creator: CreatorInfo, *, video: bool) -> dict[str, bool]:
    """disable_comment (and for videos disable_duet, disable_stitch): as asked, and true wherever
    the creator turned the interaction off in TikTok."""
    flags = {"disable_comment": bool(options.get("disable_comment", False)) or creator.comment_disabled}
    if video:
        flags["disable_duet"] = bool(options.get("disable_duet", False)) or creator.duet_disabled
        flags["disable_stitch"] = bool(options.get("disable_stitch", False)) or creator.stitch_disabled
    return flags


def _publish_id(response: httpx.Response, data: Mapping[str, Any]) -> str:
    publish_id = data.get("publish_id")
    if not isinstance(publish_id, str) or not publish_id:
        raise http.malformed(_NETWORK, response, "no publish_id")
    return publish_id


def _public_id(ids: Any) -> str | None:
    """publicaly_available_post_id[0] (a number or a string), when there is one."""
    if isinstance(ids, list) and ids and isinstance(ids[0], int | str) and not isinstance(ids[0], bool):
        value = str(ids[0])
        return value if value else None
    return None


def _publish_failed(reason: str, publish_id: str) -> PlatformError:
    """A FAILED publish, classified by its fail_reason like an error code."""
    known = _ERRORS.get(reason)
    error_class, code, advice = known if known is not None else (ErrorClass.PERMANENT, "platform_error", "")
    message = f"TikTok could not publish the post {publish_id} ({reason})." + (f" {advice}" if advice else "")
    return PlatformError(error_class, code, message, platform_code=f"FAILED {reason}")


def _before_the_whole_file(error: PlatformError) -> PlatformError:
    """A failure before TikTok has the whole file of a FILE_UPLOAD: it cannot publish anything,
    so an unknown outcome becomes a plain retry (a new upload is safe)."""
    if error.error_class is not ErrorClass.RETRY or error.code not in OUTCOME_UNKNOWN_CODES:
        return error
    return PlatformError(
        ErrorClass.RETRY,
        "upload_incomplete",
        f"TikTok did not get the whole video, so nothing was published: {error.message}",
        platform_code=error.platform_code,
        retry_at=error.retry_at,
    )


def _committed(error: PlatformError, publish_id: str) -> PlatformError:
    """An error met once TikTok holds the post (it publishes on its own): a FAILED status is
    kept as it is; anything else is an unknown outcome (RETRY platform_unavailable), so the
    runner reconciles before sending again."""
    if (error.platform_code or "").startswith("FAILED ") or error.code in ("platform_unavailable", "timeout"):
        return error
    return PlatformError(
        ErrorClass.RETRY,
        "platform_unavailable",
        f"TikTok holds the post ({publish_id}) and may publish it, but following it failed: {error.message}",
        platform_code=error.platform_code,
        retry_at=error.retry_at,
    )


def _error_of(body: Mapping[str, Any] | None) -> tuple[str | None, str]:
    """(error.code, error.message) of an API answer; the OAuth flat `error` as the code."""
    if body is None:
        return None, ""
    error = body.get("error")
    if isinstance(error, dict):
        name = error.get("code")
        return (str(name) if name else None), str(error.get("message") or "")
    if isinstance(error, str) and error:
        return error, str(body.get("error_description") or "")
    return None, ""


def _counts(video: Mapping[str, Any]) -> dict[str, int]:
    fields = (
        ("views", "view_count"),
        ("likes", "like_count"),
        ("comments", "comment_count"),
        ("shares", "share_count"),
    )
    return {name: value for name, field in fields if (value := http.count(video, field)) is not None}


def _same_caption(video: Mapping[str, Any], caption: str) -> bool:
    """Whether a listed video's title or description is the caption (the listing cuts both at
    LISTED_TEXT_MAX characters)."""
    for field in ("title", "video_description"):
        listed = _normalized(str(video.get(field) or ""))
        if not listed:
            continue
        if listed == caption:
            return True
        if len(caption) > LISTED_TEXT_MAX and caption[:LISTED_TEXT_MAX].rstrip() == listed:
            return True
    return False


def _normalized(text: str) -> str:
    return unicodedata.normalize("NFC", text).strip()


def _scopes(tokens: Mapping[str, str]) -> list[str]:
    return [scope.strip() for scope in tokens.get("scope", "").replace(" ", ",").split(",") if scope.strip()]


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _is_later_step(target_key: str) -> bool:
    """Whether the target key names a step after the post ('{post}:{account}:{index}')."""
    return target_key.count(":") >= 2


def _size_mismatch() -> PlatformError:
    return PlatformError(ErrorClass.PERMANENT, "invalid_content", "The video file is not the size it was said to be.")
