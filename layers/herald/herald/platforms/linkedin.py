"""LinkedIn adapter: the versioned REST API (`https://api.linkedin.com/rest/...`, Posts API and its
companions) for one member or one organization page.

Author. The account's tokens hold `author`, the URN every post and comment is made as:
`urn:li:person:{id}` for a member (the OpenID `sub` read at connect time) or
`urn:li:organization:{id}` for a page the member administers (w_organization_social).

Text. Commentary and comments are LinkedIn's "little" text format: `herald.text.linkedin.commentary`
escapes every reserved character except in Herald's mention annotations (`content.mentions`),
hashtags and URLs. LinkedIn cuts a post at the first unescaped one and still answers 201.

Media. Every upload is made before the post is created, so a failed upload publishes nothing.
Images (and GIFs): `/rest/images?action=initializeUpload`, then one PUT of the file; two to twenty
make a multiImage post. Video: `/rest/videos?action=initializeUpload`, a PUT per byte range (each
answer's ETag kept), `finalizeUpload` with those ETags, then `GET /rest/videos/{urn}` until the
video is AVAILABLE (PROCESSING_FAILED is permanent; still processing after the last poll is
retried later).

Cards. `content.link` becomes `content.article` {source, title, description}; its thumbnail is an
uploaded image, made when `link.thumbnail` is set and a media source is available.

Threads and first comments. LinkedIn has no reply chains: `reply` comments on the post through
`/rest/socialActions/{urn}/comments`, and a reply to a comment comments on that comment's post.

Reconcile. LinkedIn takes no idempotency key. `reconcile` lists the author's recent posts
(`GET /rest/posts?q=author`) and looks for the same commentary created within the last hour.
Listing a member's posts needs r_member_social, which LinkedIn grants to few apps: without it
the answer is UNKNOWN (a person decides), never a guess. A comment cannot be looked up without
its post, so a later step (a first comment) is UNKNOWN as well.

Tokens. Access tokens last 60 days. Refresh tokens exist only for apps LinkedIn approved for
programmatic refresh: with one an expired token is refreshed, without one the account must be
reconnected. Standard apps use no PKCE (LinkedIn offers it to native apps only)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, time, timedelta
from typing import Any
from urllib.parse import quote

import httpx

from herald.platforms import http
from herald.platforms.base import (
    AccountIdentity,
    AppCredentials,
    Connection,
    Credentials,
    ErrorClass,
    LinkPreview,
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
from herald.text.linkedin import commentary

API = "https://api.linkedin.com"
REST = f"{API}/rest"
USERINFO_URL = f"{API}/v2/userinfo"
OAUTH = "https://www.linkedin.com/oauth/v2"
AUTHORIZE_URL = f"{OAUTH}/authorization"
TOKEN_URL = f"{OAUTH}/accessToken"
REVOKE_URL = f"{OAUTH}/revoke"
POST_URL = "https://www.linkedin.com/feed/update/"
# The Marketing API version every /rest call names (Marketing March 2026, active until 2027-03-16).
# LinkedIn retires each monthly version about a year after release (HTTP 426): keep it current.
LINKEDIN_VERSION = "202603"
RESTLI_PROTOCOL = "2.0.0"
MEMBER_SCOPES = ("openid", "profile", "w_member_social")
MAX_COMMENTARY = 3000
MAX_IMAGES = 20
VISIBILITIES = ("PUBLIC", "CONNECTIONS")
RECONCILE_WINDOW = timedelta(hours=1)
POSTS_PAGE_SIZE = 50
POSTS_MAX_PAGES = 4  # beyond 200 posts touched in the window, absence is not proven: UNKNOWN
METRICS_BATCH_SIZE = 20  # URNs per batch call (LinkedIn documents no cap; the URL stays short)
VIDEO_POLL_SECONDS = 5.0
VIDEO_POLL_ATTEMPTS = 36  # three minutes of processing before the publish is retried later
PERSON_PREFIX = "urn:li:person:"
ORGANIZATION_PREFIX = "urn:li:organization:"
SHARE_PREFIX = "urn:li:share:"
UGC_POST_PREFIX = "urn:li:ugcPost:"
COMMENT_PREFIX = "urn:li:comment:"
_MB = 1024 * 1024
_NETWORK = "LinkedIn"  # in messages
_COMMENT_URN = re.compile(r"^urn:li:comment:\((?P<object>urn:li:[A-Za-z]+:[^,]+),(?P<id>[^)]+)\)$")
_ESCAPE = re.compile(r"\\(.)", re.DOTALL)
_HASHTAG_TEMPLATE = re.compile(r"\{hashtag\|\\?[#＃]\|(?P<tag>[^}]*)\}")
_REVOKED = "REVOKED_ACCESS_TOKEN"
_REVOKED_SERVICE_CODE = 65601
_THROTTLE_SERVICE_CODE = 101  # "Resource level throttle ... DAY limit ... is reached"
_DUPLICATE = "DUPLICATE_POST"
_FOUND_STATES = ("PUBLISHED", "PUBLISH_REQUESTED")


class LinkedInPlatform(Platform):
    name = "linkedin"
    text_limits = TextLimits(max_length=MAX_COMMENTARY, counting="characters")
    # LinkedIn caps images by pixels (36,152,320), not bytes; the 10 MB bound is Herald's own.
    media_limits = MediaLimits(
        max_items=MAX_IMAGES,
        image_types=("image/jpeg", "image/png", "image/gif"),
        video_types=("video/mp4",),
        max_image_bytes=10 * _MB,
        max_video_bytes=500 * _MB,
    )
    oauth = OAuthSpec(authorize_url=AUTHORIZE_URL, token_url=TOKEN_URL, scopes=MEMBER_SCOPES, pkce=False)

    # --- connecting --------------------------------------------------------------------------

    @classmethod
    def connect_with_code(
        cls, client: httpx.Client, app: AppCredentials, code: str, redirect_uri: str, code_verifier: str | None
    ) -> Connection:
        """The member's tokens and identity; they post as `urn:li:person:{sub}`. `code_verifier` is
        not sent: LinkedIn takes PKCE from native apps only, web apps authenticate with the secret."""
        exchanging = cls(client, Credentials(account_id="", username=""), app=app)
        form = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri}
        tokens, expires_at = exchanging._token_grant(form, {}, "the authorization code")
        person = cls(client, Credentials(account_id="", username="", tokens=tokens), app=app)._userinfo()
        tokens["author"] = PERSON_PREFIX + person["sub"]
        identity = _person_identity(person, tokens)
        credentials = Credentials(account_id="", username=identity.username, tokens=tokens, expires_at=expires_at)
        return Connection(credentials=credentials, identity=identity)

    def identity(self) -> AccountIdentity:
        """A member from OpenID userinfo; a page from the organizations API. LinkedIn shows neither's
        follower count to these scopes, so `followers` stays None."""
        author = self.token("author")
        if not author.startswith(ORGANIZATION_PREFIX):
            return _person_identity(self._userinfo(), self.credentials.tokens)
        organization_id = author.removeprefix(ORGANIZATION_PREFIX)
        response = self._call("GET", f"/organizations/{quote(organization_id, safe='')}")
        organization = http.json_object(self, response)
        name = organization.get("localizedName")
        vanity = organization.get("vanityName")
        display = name if isinstance(name, str) and name else None
        return AccountIdentity(
            platform_user_id=author,
            username=vanity if isinstance(vanity, str) and vanity else display or organization_id,
            display_name=display,
            permissions=_scopes(self.credentials.tokens),
        )

    def revoke(self) -> bool:
        """POST /oauth/v2/revoke with the app's credentials; False when the app has none configured."""
        if self.app is None or not self.app.client_secret:
            return False
        form = {"client_id": self.app.client_id, "client_secret": self.app.client_secret,
                "token": self.token("access_token")}
        http.succeeded(self, http.send(self, "POST", REVOKE_URL, data=form))
        return True

    # --- posts -------------------------------------------------------------------------------

    def publish(self, content: PostContent) -> PublishedPost:
        author = self.token("author")
        body: dict[str, Any] = {
            "author": author,
            "commentary": _commentary(content),
            "visibility": _visibility(content.options, author),
            "distribution": {"feedDistribution": "MAIN_FEED", "targetEntities": [], "thirdPartyDistributionChannels": []},
            "lifecycleState": "PUBLISHED",
            "isReshareDisabledByAuthor": False,
        }
        attached = self._attachment(content, author)  # uploads: before the post, so a failure posts nothing
        if attached is not None:
            body["content"] = attached
        response = self._call("POST", "/posts", json=body)
        urn = response.headers.get("x-restli-id")
        if not urn:
            raise http.malformed(_NETWORK, response, "no x-restli-id header with the new post's URN")
        return PublishedPost(platform_post_id=urn, url=POST_URL + urn)

    def reply(self, parent: PublishedPost, content: PostContent) -> PublishedPost:
        """A comment on the parent's post (a comment's own post when the parent is a comment)."""
        if content.media:
            raise PlatformError(
                ErrorClass.PERMANENT, "media_unsupported", "LinkedIn comments are posted as text only here."
            )
        root = _root_of(parent)
        body = {"actor": self.token("author"), "object": root, "message": {"text": _commentary(content)}}
        response = self._call("POST", f"/socialActions/{_quoted(root)}/comments", json=body)
        comment = _comment_urn(response, root)
        return PublishedPost(
            platform_post_id=comment,
            url=f"{POST_URL}{root}?commentUrn={_quoted(comment)}",
            extra={"root": root},
        )

    def delete(self, platform_post_id: str) -> None:
        """A post or comment that is already gone counts as deleted."""
        if platform_post_id.startswith(COMMENT_PREFIX):
            target, comment_id = _split_comment(platform_post_id)
            actor = _quoted(self.token("author"))
            path = f"/socialActions/{_quoted(target)}/comments/{_quoted(comment_id)}?actor={actor}"
        else:
            path = f"/posts/{_quoted(platform_post_id)}"
        try:
            self._call("DELETE", path, headers={"X-RestLi-Method": "DELETE"})
        except PlatformError as error:
            if error.code != "not_found":
                raise

    # --- media -------------------------------------------------------------------------------

    def _attachment(self, content: PostContent, author: str) -> dict[str, Any] | None:
        """The post's `content`: one video, one image, a multiImage, or the link's article card."""
        media = content.media
        if any(item.kind == "video" for item in media):
            if len(media) > 1:
                raise PlatformError(
                    ErrorClass.PERMANENT, "invalid_content", "A LinkedIn post takes one video and nothing else."
                )
            video: dict[str, Any] = {"id": self._upload_video(media[0], author)}
            if content.title:
                video["title"] = content.title
            return {"media": video}
        if len(media) > MAX_IMAGES:
            raise PlatformError(
                ErrorClass.PERMANENT, "invalid_content", f"A LinkedIn post takes at most {MAX_IMAGES} images."
            )
        images = [_with_alt({"id": self._upload_image(item, author)}, item.alt) for item in media]
        if len(images) == 1:
            return {"media": images[0]}
        if images:
            return {"multiImage": {"images": images}}
        return {"article": self._article(content.link, author)} if content.link is not None else None

    def _article(self, link: LinkPreview, author: str) -> dict[str, Any]:
        """An article card; LinkedIn requires a title, so the URL stands in for a missing one."""
        article = {"source": link.url, "title": link.title or link.url}
        if link.description:
            article["description"] = link.description
        if link.thumbnail and self.media is not None:
            article["thumbnail"] = self._upload_image(MediaItem(url=link.thumbnail, kind="image"), author)
        return article

    def _upload_image(self, item: MediaItem, author: str) -> str:
        data = self.media_source().read(item)
        request = {"initializeUploadRequest": {"owner": author}}
        response = self._call("POST", "/images?action=initializeUpload", json=request)
        value = _value(self, response)
        upload_url, image = value.get("uploadUrl"), value.get("image")
        if not isinstance(upload_url, str) or not isinstance(image, str):
            raise http.malformed(_NETWORK, response, "no uploadUrl and image URN for the image upload")
        self._put(upload_url, data, item.mime or "application/octet-stream")
        return image

    def _upload_video(self, item: MediaItem, author: str) -> str:
        data = None if item.size is not None else self.media_source().read(item)
        size = item.size if item.size is not None else len(data or b"")
        request = {
            "initializeUploadRequest": {
                "owner": author, "fileSizeBytes": size, "uploadCaptions": False, "uploadThumbnail": False
            }
        }
        response = self._call("POST", "/videos?action=initializeUpload", json=request)
        value = _value(self, response)
        video, upload_token = value.get("video"), value.get("uploadToken", "")
        parts = _upload_parts(value.get("uploadInstructions"), size)
        if not isinstance(video, str) or not isinstance(upload_token, str) or parts is None:
            raise http.malformed(_NETWORK, response, "no video URN, upload token and byte ranges covering the file")
        pieces = self._pieces(item, data, parts)
        etags = [self._upload_part(url, next(pieces, None), last - first + 1) for url, first, last in parts]
        if next(pieces, None) is not None:
            raise _size_mismatch()
        finalize = {"finalizeUploadRequest": {"video": video, "uploadToken": upload_token, "uploadedPartIds": etags}}
        self._call("POST", "/videos?action=finalizeUpload", json=finalize)
        self._await_video(video)
        return video

    def _pieces(self, item: MediaItem, data: bytes | None, parts: list[tuple[str, int, int]]) -> Iterator[bytes]:
        """The file cut along LinkedIn's byte ranges: streamed in equal pieces when the ranges allow
        it (every range but the last the same length), else read whole and sliced."""
        lengths = [last - first + 1 for _, first, last in parts]
        if data is None and len(set(lengths[:-1])) <= 1 and lengths[-1] <= lengths[0]:
            yield from self.media_source().chunks(item, lengths[0])
            return
        whole = data if data is not None else self.media_source().read(item)
        yield from (whole[first : last + 1] for _, first, last in parts)

    def _upload_part(self, url: str, piece: bytes | None, expected: int) -> str:
        if piece is None or len(piece) != expected:
            raise _size_mismatch()
        response = self._put(url, piece, "application/octet-stream")
        etag = response.headers.get("etag")
        if not etag:
            raise http.malformed(_NETWORK, response, "no ETag for an uploaded video part")
        return etag

    def _await_video(self, video: str) -> None:
        """Poll the video until LinkedIn has processed it (`VIDEO_POLL_ATTEMPTS` looks)."""
        status = None
        for attempt in range(VIDEO_POLL_ATTEMPTS):
            answer = http.json_object(self, self._call("GET", f"/videos/{_quoted(video)}"))
            status = answer.get("status")
            if status == "AVAILABLE":
                return
            if status == "PROCESSING_FAILED":
                reason = answer.get("processingFailureReason") or "no reason given"
                raise PlatformError(
                    ErrorClass.PERMANENT,
                    "media_processing_failed",
                    f"LinkedIn could not process the video: {reason}.",
                    platform_code=status,
                )
            if attempt < VIDEO_POLL_ATTEMPTS - 1:
                self.clock.sleep(VIDEO_POLL_SECONDS)
        raise PlatformError(
            ErrorClass.RETRY,
            "media_processing",
            f"LinkedIn was still processing the video after {VIDEO_POLL_ATTEMPTS} checks.",
            platform_code=str(status),
        )

    def _put(self, url: str, data: bytes, content_type: str) -> httpx.Response:
        """An upload to the URL LinkedIn handed out; the token goes only to LinkedIn's own hosts."""
        headers = {"Content-Type": content_type}
        host = httpx.URL(url).host
        if host == "linkedin.com" or host.endswith(".linkedin.com"):
            headers["Authorization"] = f"Bearer {self.token('access_token')}"
        return http.succeeded(self, http.send(self, "PUT", url, content=data, headers=headers))

    # --- metrics -----------------------------------------------------------------------------

    def metrics(self, platform_post_ids: list[str]) -> dict[str, dict[str, int]]:
        """Likes and comments from social actions; for a page's posts also impressions, clicks and
        shares from its share statistics. Reading them needs r_member_social (members, a restricted
        permission) or r_organization_social (pages): when LinkedIn refuses (403) there are none."""
        found: dict[str, dict[str, int]] = {}
        for batch in http.batches(platform_post_ids, METRICS_BATCH_SIZE):
            summaries = self._readable(f"/socialActions?ids={_list(batch)}")
            if summaries is None:
                break
            for urn, summary in (summaries.get("results") or {}).items():
                if urn in batch and isinstance(summary, dict) and (counts := _social_counts(summary)):
                    found[urn] = counts
        if self.token("author").startswith(ORGANIZATION_PREFIX):
            self._add_share_statistics(found, platform_post_ids)
        return found

    def _add_share_statistics(self, found: dict[str, dict[str, int]], urns: list[str]) -> None:
        organization = _quoted(self.token("author"))
        for field, prefix in (("shares", SHARE_PREFIX), ("ugcPosts", UGC_POST_PREFIX)):
            for batch in http.batches([urn for urn in urns if urn.startswith(prefix)], METRICS_BATCH_SIZE):
                query = f"q=organizationalEntity&organizationalEntity={organization}&{field}={_list(batch)}"
                statistics = self._readable(f"/organizationalEntityShareStatistics?{query}")
                if statistics is None:
                    return
                for element in statistics.get("elements") or []:
                    urn = (element.get("share") or element.get("ugcPost")) if isinstance(element, dict) else None
                    if urn in batch:
                        counts = _statistics_counts(element.get("totalShareStatistics") or {})
                        found[urn] = {**counts, **found.get(urn, {})}

    def _readable(self, path: str) -> dict[str, Any] | None:
        """The JSON object at `path`; None when LinkedIn refuses to show it (403: not permitted)."""
        response = http.send(self, "GET", REST + path, headers=self._headers())
        if response.status_code == 403:
            return None
        return http.json_object(self, http.succeeded(self, response))

    # --- reconcile ---------------------------------------------------------------------------

    def reconcile(self, content: PostContent, parent: PublishedPost | None = None) -> Reconciliation:
        if _is_later_step(content.target_key):  # a comment: its post is not known here
            return Reconciliation(ReconcileOutcome.UNKNOWN)
        try:
            return self._find_recent(_plain(_commentary(content)), self.clock.now() - RECONCILE_WINDOW)
        except PlatformError:
            return Reconciliation(ReconcileOutcome.UNKNOWN)

    def _find_recent(self, ours: str, since: datetime) -> Reconciliation:
        """Page through the author's posts, most recently modified first, until one created since
        `since` has our commentary, or the posts are older than the window."""
        since_ms = int(since.timestamp() * 1000)
        params = {"author": self.token("author"), "q": "author", "count": str(POSTS_PAGE_SIZE), "start": "0",
                  "sortBy": "LAST_MODIFIED"}
        for page in range(POSTS_MAX_PAGES):
            params["start"] = str(page * POSTS_PAGE_SIZE)
            response = self._call("GET", "/posts", params=params, headers={"X-RestLi-Method": "FINDER"})
            elements = http.json_object(self, response).get("elements")
            if not isinstance(elements, list):
                return Reconciliation(ReconcileOutcome.UNKNOWN)
            posts = [post for post in elements if isinstance(post, dict) and isinstance(post.get("id"), str)]
            same = [post for post in posts if _created_since(post, since_ms) and _same_commentary(post, ours)]
            if same:
                if not ours:  # media-only posts cannot be told apart by their text
                    return Reconciliation(ReconcileOutcome.UNKNOWN)
                urn = same[0]["id"]
                return Reconciliation(ReconcileOutcome.FOUND, PublishedPost(platform_post_id=urn, url=POST_URL + urn))
            if len(elements) < POSTS_PAGE_SIZE or any(_touched_before(post, since_ms) for post in posts):
                return Reconciliation(ReconcileOutcome.ABSENT)
        return Reconciliation(ReconcileOutcome.UNKNOWN)

    # --- credentials -------------------------------------------------------------------------

    def refresh_credentials(self) -> Credentials:
        """Only apps LinkedIn approved for programmatic refresh hold a refresh token; without one the
        member must consent again (RECONNECT)."""
        refresh_token = self.credentials.tokens.get("refresh_token")
        if not refresh_token:
            raise PlatformError(
                ErrorClass.RECONNECT,
                "account_disconnected",
                "LinkedIn gives this app no refresh token: reconnect the account to renew its access.",
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
        """POST `form` (with the app's credentials) to the token endpoint: the new tokens on top of
        `previous`, and when the access token expires. A refusal (400, 401) is RECONNECT."""
        app = self._app()
        form = {**form, "client_id": app.client_id, "client_secret": app.client_secret or ""}
        response = http.send(self, "POST", TOKEN_URL, data=form)
        if response.status_code in (400, 401):
            refusal = http.body_of(response) or {}
            reason = refusal.get("error_description") or refusal.get("error") or "refused"
            raise PlatformError(
                ErrorClass.RECONNECT,
                "account_disconnected",
                f"LinkedIn refused {what}: {reason}",
                platform_code=f"{response.status_code} {refusal.get('error', '')}".strip(),
            )
        grant = http.json_object(self, http.succeeded(self, response))
        if not isinstance(grant.get("access_token"), str):
            raise http.malformed(_NETWORK, response, "no access_token in the token answer")
        tokens = {**previous, "access_token": grant["access_token"]}
        for name in ("refresh_token", "scope"):
            if isinstance(grant.get(name), str):
                tokens[name] = grant[name]
        expires_in = http.count(grant, "expires_in")
        return tokens, self.clock.now() + timedelta(seconds=expires_in) if expires_in is not None else None

    def _app(self) -> AppCredentials:
        if self.app is None or not self.app.client_secret:
            raise PlatformError(
                ErrorClass.PERMANENT,
                "app_not_configured",
                "The LinkedIn app's client id and secret are not configured for this deployment.",
            )
        return self.app

    def _userinfo(self) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {self.token('access_token')}"}
        response = http.succeeded(self, http.send(self, "GET", USERINFO_URL, headers=headers))
        person = http.json_object(self, response)
        if not isinstance(person.get("sub"), str) or not person["sub"]:
            raise http.malformed(_NETWORK, response, "no sub in the userinfo answer")
        return person

    # --- errors ------------------------------------------------------------------------------

    def classify_error(self, response: httpx.Response | None, exc: Exception | None = None) -> PlatformError:
        if response is None:
            return http.transport_error(_NETWORK, exc)
        if response.is_success:
            return http.malformed(_NETWORK, response, "the body is not the JSON LinkedIn documents")
        status = response.status_code
        body = http.body_of(response) or {}
        name = _error_name(body)
        code = f"{status} {name}" if name else str(status)
        message = str(body.get("message") or f"LinkedIn answered HTTP {status}.")
        if status == 429:
            return PlatformError(
                ErrorClass.RETRY, "rate_limited", message, platform_code=code, retry_at=self._retry_at(response, body)
            )
        if status == 401:
            return self._unauthorized(body, message, code)
        if status == 403:  # ACCESS_DENIED: a permission missing, or no longer the page's admin
            return PlatformError(ErrorClass.RECONNECT, "account_disconnected", message, platform_code=code)
        if name == _DUPLICATE or "content is a duplicate" in message.lower():
            return PlatformError(ErrorClass.PERMANENT, "duplicate_content", message, platform_code=code)
        if status == 404:
            return PlatformError(ErrorClass.PERMANENT, "not_found", message, platform_code=code)
        if status == 413:
            return PlatformError(ErrorClass.PERMANENT, "media_too_large", message, platform_code=code)
        if status in (400, 422):
            return PlatformError(ErrorClass.PERMANENT, "invalid_content", message, platform_code=code)
        if status >= 500:
            return PlatformError(ErrorClass.RETRY, "platform_unavailable", message, platform_code=code)
        return PlatformError(ErrorClass.PERMANENT, "platform_error", message, platform_code=code)

    def _unauthorized(self, body: dict[str, Any], message: str, code: str) -> PlatformError:
        """Revoked: reconnect. Expired (or unnamed): refresh, which only a refresh token can do."""
        if body.get("code") == _REVOKED or body.get("serviceErrorCode") == _REVOKED_SERVICE_CODE:
            return PlatformError(ErrorClass.RECONNECT, "account_disconnected", message, platform_code=code)
        if self.credentials.tokens.get("refresh_token"):
            return PlatformError(ErrorClass.REFRESH, "token_expired", message, platform_code=code)
        return PlatformError(
            ErrorClass.RECONNECT,
            "account_disconnected",
            f"{message} LinkedIn gives this app no refresh token: reconnect the account.",
            platform_code=code,
        )

    def _retry_at(self, response: httpx.Response, body: dict[str, Any]) -> datetime | None:
        """LinkedIn sends no rate-limit headers. Its daily limits reset at midnight UTC; a Retry-After,
        when one comes, is honoured; any other 429 (infrastructure protection) clears by itself."""
        now = self.clock.now()
        retry_after = response.headers.get("retry-after", "")
        if retry_after.isdigit():
            return now + timedelta(seconds=int(retry_after))
        if body.get("serviceErrorCode") == _THROTTLE_SERVICE_CODE or "throttle" in str(body.get("message", "")).lower():
            return datetime.combine(now.astimezone(UTC).date() + timedelta(days=1), time.min, tzinfo=UTC)
        return None

    # --- text --------------------------------------------------------------------------------

    def count_text(self, text: str) -> int:
        """Code points after NFC, as written (the escapes the little format adds are not counted)."""
        return counting.characters(text)

    # --- HTTP --------------------------------------------------------------------------------

    def _headers(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        return {
            "Authorization": f"Bearer {self.token('access_token')}",
            "LinkedIn-Version": LINKEDIN_VERSION,
            "X-Restli-Protocol-Version": RESTLI_PROTOCOL,
            **(extra or {}),
        }

    def _call(
        self, method: str, path: str, *, headers: Mapping[str, str] | None = None, **kwargs: Any
    ) -> httpx.Response:
        return http.succeeded(self, http.send(self, method, REST + path, headers=self._headers(headers), **kwargs))


# --- requests --------------------------------------------------------------------------------


def _commentary(content: PostContent) -> str:
    return commentary(content.text, [mention.text for mention in content.mentions])


def _visibility(options: Mapping[str, Any], author: str) -> str:
    """`options["visibility"]`: PUBLIC (the default) or CONNECTIONS, which only a member's post can be."""
    value = options.get("visibility", "PUBLIC")
    visibility = value.upper() if isinstance(value, str) else value
    if visibility not in VISIBILITIES:
        raise PlatformError(
            ErrorClass.PERMANENT, "invalid_content", f"LinkedIn visibility must be PUBLIC or CONNECTIONS, not {value!r}."
        )
    if visibility == "CONNECTIONS" and not author.startswith(PERSON_PREFIX):
        raise PlatformError(
            ErrorClass.PERMANENT, "invalid_content", "A LinkedIn page posts publicly: CONNECTIONS is for members."
        )
    return str(visibility)


def _with_alt(image: dict[str, str], alt: str | None) -> dict[str, str]:
    return {**image, "altText": alt} if alt else image


def _quoted(value: str) -> str:
    """A URN (or id) as one path segment or query value: every reserved character escaped."""
    return quote(value, safe="")


def _list(urns: list[str]) -> str:
    """Rest.li 2.0's List(...) of URNs for a query string: the URNs escaped, the syntax not."""
    return "List(" + ",".join(_quoted(urn) for urn in urns) + ")"


def _root_of(parent: PublishedPost) -> str:
    root = parent.extra.get("root")
    if isinstance(root, str) and root:
        return root
    if parent.platform_post_id.startswith(COMMENT_PREFIX):
        return _split_comment(parent.platform_post_id)[0]
    return parent.platform_post_id


def _split_comment(urn: str) -> tuple[str, str]:
    """urn:li:comment:({object},{id}) -> (object, id)."""
    match = _COMMENT_URN.match(urn)
    if match is None:
        raise PlatformError(ErrorClass.PERMANENT, "invalid_content", f"Not a LinkedIn comment URN: {urn!r}.")
    return match["object"], match["id"]


def _is_later_step(target_key: str) -> bool:
    """Whether the target key names a step after the post (the runner appends ':{index}' to
    '{post_id}:{account_id}' for every step but the first)."""
    return target_key.count(":") >= 2


# --- answers ---------------------------------------------------------------------------------


def _value(platform: Platform, response: httpx.Response) -> dict[str, Any]:
    """The `value` object of an action's answer (initializeUpload)."""
    value = http.json_object(platform, response).get("value")
    if not isinstance(value, dict):
        raise http.malformed(_NETWORK, response, "no value object in the action's answer")
    return value


def _upload_parts(instructions: Any, size: int) -> list[tuple[str, int, int]] | None:
    """(uploadUrl, firstByte, lastByte) in byte order, when they cover bytes 0..size-1 exactly."""
    if not isinstance(instructions, list) or not instructions:
        return None
    parts = []
    for instruction in instructions:
        if not isinstance(instruction, dict) or not isinstance(instruction.get("uploadUrl"), str):
            return None
        first, last = http.count(instruction, "firstByte"), http.count(instruction, "lastByte")
        if first is None or last is None or last < first:
            return None
        parts.append((instruction["uploadUrl"], first, last))
    parts.sort(key=lambda part: part[1])
    expected = 0
    for _, first, last in parts:
        if first != expected:
            return None
        expected = last + 1
    return parts if expected == size else None


def _comment_urn(response: httpx.Response, root: str) -> str:
    """The new comment's URN: the answer's commentUrn, else built from the x-restli-id comment id."""
    body = http.body_of(response) or {}
    urn = body.get("commentUrn") or body.get("$URN")
    if isinstance(urn, str) and urn.startswith(COMMENT_PREFIX):
        return urn
    comment_id = response.headers.get("x-restli-id") or body.get("id")
    if not comment_id:
        raise http.malformed(_NETWORK, response, "no commentUrn or x-restli-id for the new comment")
    return f"{COMMENT_PREFIX}({root},{comment_id})"


def _social_counts(summary: dict[str, Any]) -> dict[str, int]:
    likes_summary = summary.get("likesSummary") if isinstance(summary.get("likesSummary"), dict) else {}
    comments_summary = summary.get("commentsSummary") if isinstance(summary.get("commentsSummary"), dict) else {}
    counts: dict[str, int] = {}
    likes = http.count(likes_summary, "totalLikes")
    if likes is None:
        likes = http.count(likes_summary, "aggregatedTotalLikes")
    comments = http.count(comments_summary, "aggregatedTotalComments")  # replies to comments included
    if comments is None:
        comments = http.count(comments_summary, "totalFirstLevelComments")
    if likes is not None:
        counts["likes"] = likes
    if comments is not None:
        counts["comments"] = comments
    return counts


def _statistics_counts(statistics: dict[str, Any]) -> dict[str, int]:
    fields = (
        ("impressions", "impressionCount"),
        ("clicks", "clickCount"),
        ("shares", "shareCount"),
        ("likes", "likeCount"),
        ("comments", "commentCount"),
    )
    return {name: value for name, field in fields if (value := http.count(statistics, field)) is not None}


def _error_name(body: dict[str, Any]) -> str | None:
    """The error's name: `code`, else the first input error's code, else the serviceErrorCode."""
    if isinstance(body.get("code"), str):
        return str(body["code"])
    details = body.get("errorDetails") if isinstance(body.get("errorDetails"), dict) else {}
    inputs = details.get("inputErrors")
    if isinstance(inputs, list) and inputs and isinstance(inputs[0], dict) and isinstance(inputs[0].get("code"), str):
        return str(inputs[0]["code"])
    service_code = http.count(body, "serviceErrorCode")
    return str(service_code) if service_code is not None else None


def _scopes(tokens: Mapping[str, str]) -> tuple[str, ...]:
    """The granted scopes; LinkedIn lists them separated by commas."""
    return tuple(scope for scope in re.split(r"[\s,]+", tokens.get("scope", "")) if scope)


def _person_identity(person: dict[str, Any], tokens: Mapping[str, str]) -> AccountIdentity:
    """A member as OpenID userinfo shows them: no handle, so the name serves as the username."""
    name = person.get("name") if isinstance(person.get("name"), str) and person.get("name") else None
    picture = person.get("picture") if isinstance(person.get("picture"), str) else None
    return AccountIdentity(
        platform_user_id=PERSON_PREFIX + person["sub"],
        username=name or person["sub"],
        display_name=name,
        avatar_url=picture,
        permissions=_scopes(tokens),
    )


def _plain(little: str) -> str:
    """Little text as read: hashtag templates (`{hashtag|\\#|tag}`, how LinkedIn may hand a #tag
    back) as #tags, escapes removed, NFC, outer whitespace trimmed."""
    text = _HASHTAG_TEMPLATE.sub(lambda match: "#" + match["tag"], little)
    return unicodedata.normalize("NFC", _ESCAPE.sub(r"\1", text)).strip()


def _same_commentary(post: dict[str, Any], ours: str) -> bool:
    return post.get("lifecycleState", "PUBLISHED") in _FOUND_STATES and _plain(str(post.get("commentary", ""))) == ours


def _created_since(post: dict[str, Any], since_ms: int) -> bool:
    created = http.count(post, "createdAt")
    if created is None:
        created = http.count(post, "publishedAt")
    return created is None or created >= since_ms  # without a time the finder's order bounds it


def _touched_before(post: dict[str, Any], since_ms: int) -> bool:
    """Whether the post was last modified (the finder's sort key) before `since_ms`: every post
    after it on the list is older still."""
    for field in ("lastModifiedAt", "createdAt"):
        if (value := http.count(post, field)) is not None:
            return value < since_ms
    return False


def _size_mismatch() -> PlatformError:
    return PlatformError(ErrorClass.PERMANENT, "invalid_content", "The video file is not the size it was said to be.")
