"""Simulated LinkedIn (the versioned REST API at api.linkedin.com/rest, OpenID userinfo, and the
OAuth endpoints at www.linkedin.com/oauth/v2) for test-mode accounts.

Answers are built from the recorded exchanges in `recordings/linkedin.json` (LinkedIn's documented
examples), which the contract tests read too: 201 with the new URN in `x-restli-id`; time-based
numeric ids as LinkedIn's; `urn:li:share` for posts (`urn:li:ugcPost` for video posts); comments as
`urn:li:comment:(urn:li:activity:..,..)`; Rest.li error bodies {status, serviceErrorCode, code,
message}; upload URLs under www.linkedin.com/dms-uploads; an ETag per uploaded video part; a video
PROCESSING for one look after finalizeUpload, then AVAILABLE.

What it checks, as LinkedIn does: the LinkedIn-Version header (a YYYYMM month no older than a year,
else 426) and X-Restli-Protocol-Version 2.0.0; the bearer token; the post schema (author,
commentary, visibility, distribution, lifecycleState); that the author is the token's member or
page with the write permission for it; CONNECTIONS for a member only; media the author uploaded
(images and videos AVAILABLE), 2 to 20 images in a multiImage, an article's source and title.
Stricter than LinkedIn: a post naming a video that is still processing is refused, so an adapter
that does not wait shows.

Commentary is read as "little" text: like LinkedIn, the stored post is cut at the first reserved
character that is neither escaped nor part of a mention annotation, a #hashtag or a URL. An
escaping bug shows as a cut post in `published()`. A repeated commentary by the same author within
24 hours is refused 422 DUPLICATE_POST.

Permissions follow the token's `scope`: listing an author's posts and reading social actions or
share statistics need r_member_social (a member; LinkedIn grants it to few apps) or
r_organization_social (a page); without it they answer 403 ACCESS_DENIED. Test accounts start as
members with `openid profile w_member_social`, and with a refresh token (as an app approved for
programmatic refresh has).

Counts (social actions' likes and comments, a page's share statistics) grow with the time since
the post was created (`common.grown_metrics`); comments add the real simulated ones. The identity
LinkedIn answers (userinfo, an organization) has no follower count.

Failure injection (see `herald.platforms.simulators`) applies to creating a post or a comment."""

from __future__ import annotations

import base64
import copy
import functools
import importlib.resources
import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, unquote, urlencode

import httpx

from herald.platforms.linkedin import (
    COMMENT_PREFIX,
    MAX_COMMENTARY,
    MAX_IMAGES,
    ORGANIZATION_PREFIX,
    PERSON_PREFIX,
    RESTLI_PROTOCOL,
    SHARE_PREFIX,
    UGC_POST_PREFIX,
)
from herald.platforms.simulators import (
    LOCK,
    TEST_CLIENT_ID,
    TEST_CLIENT_SECRET,
    SimulatedAccount,
    accounts_on,
    redeem_code,
    simulated_now,
    stable_digest,
)
from herald.platforms.simulators.common import Simulator, grown_metrics, request_json
from herald.text.linkedin import RESERVED
from herald.text.twitter import url_spans

API_HOST = "api.linkedin.com"
WWW_HOST = "www.linkedin.com"
RECORDINGS = "recordings/linkedin.json"
MEMBER_SCOPE = "openid,profile,w_member_social"
ACCESS_SECONDS = 60 * 24 * 3600  # access tokens live 60 days
REFRESH_SECONDS = 365 * 24 * 3600
VIDEO_PART_BYTES = 4 * 1024 * 1024  # LinkedIn's upload instructions cut videos in 4 MiB ranges
VIDEO_PROCESSING_LOOKS = 1  # GETs answered PROCESSING after finalizeUpload
DUPLICATE_WINDOW = timedelta(hours=24)
MAX_FINDER_COUNT = 100
SUPPORTED_MONTHS = 12  # a LinkedIn-Version is served for a year after its release
_WRITE_SCOPES = {"person": "w_member_social", "organization": "w_organization_social"}
_READ_SCOPES = {"person": "r_member_social", "organization": "r_organization_social"}
_VISIBILITIES = ("PUBLIC", "CONNECTIONS", "LOGGED_IN")
_VERSION = re.compile(r"^(?P<year>20\d\d)(?P<month>0[1-9]|1[0-2])$")
_MENTION = re.compile(r"@\[[^\]\\]*\]\(urn:li:[A-Za-z]+:[^)\s]+\)")
_HASHTAG = re.compile(r"(?<![\w#])#\w+")
_UPLOAD_PATH = re.compile(r"^/dms-uploads/sp/v2/(?P<asset>[A-Za-z0-9_-]+)/(?:uploaded-image/0|uploadedVideo)$")

# Process-wide, guarded by LOCK: uploaded images and videos by their URN, and id sequences.
_ASSETS: dict[str, dict[str, Any]] = {}
_sequence = 0


@functools.cache
def _recordings() -> dict[str, dict[str, Any]]:
    text = importlib.resources.files("herald.platforms.simulators").joinpath(RECORDINGS).read_text("utf-8")
    return {entry["name"]: entry for entry in json.loads(text)}


def recorded(name: str) -> dict[str, Any]:
    """A copy of the recorded exchange `name` ({name, request, response}) from recordings/linkedin.json."""
    return copy.deepcopy(_recordings()[name])


def initial_tokens(account_id: str, username: str) -> dict[str, str]:
    return {
        "access_token": _token(account_id, "access", 0),
        "refresh_token": _token(account_id, "refresh", 0),
        "author": PERSON_PREFIX + _member_id(account_id),
        "scope": MEMBER_SCOPE,
    }


def _member_id(seed: str) -> str:
    """A member id like LinkedIn's (10 URL-safe characters), the same in every process."""
    return base64.urlsafe_b64encode(stable_digest("linkedin-member", seed)).decode("ascii")[:10]


def _token(account_id: str, kind: str, generation: int) -> str:
    digest = stable_digest("linkedin-token", account_id, kind, str(generation))
    return "AQ" + base64.urlsafe_b64encode(digest + digest[:24]).decode("ascii").rstrip("=")


# --- connecting, before any account exists -----------------------------------------------------


def _connect_token(username: str, kind: str) -> str:
    """A token minted at connect time; it names the member it was issued for, so userinfo can
    answer for it in any process."""
    payload = base64.urlsafe_b64encode(json.dumps({"u": username, "k": kind}).encode()).decode().rstrip("=")
    signature = base64.urlsafe_b64encode(stable_digest("linkedin-connect", username, kind)).decode().rstrip("=")
    return f"AQ{payload}.{signature[:22]}"


def _connect_username(token: str) -> str | None:
    payload, _, signature = token.removeprefix("AQ").partition(".")
    try:
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except ValueError:
        return None
    username = claims.get("u") if isinstance(claims, dict) else None
    if not isinstance(username, str) or token != _connect_token(username, "access") or not signature:
        return None
    return username


def connect_handler(request: httpx.Request) -> httpx.Response:
    """The token exchange (authorization_code) and the OpenID userinfo of a member who just consented."""
    if (request.method, request.url.host, request.url.path) == ("POST", WWW_HOST, "/oauth/v2/accessToken"):
        return _exchange_code(_form(request))
    if (request.method, request.url.host, request.url.path) == ("GET", API_HOST, "/v2/userinfo"):
        username = _connect_username(_bearer(request) or "")
        if username is None:
            return _from_recorded("error_invalid_token")
        return _userinfo(_member_id("connect:" + username), username)
    return _error(404, "Not Found", code="NOT_FOUND")


def _exchange_code(form: dict[str, str]) -> httpx.Response:
    refused = _refuse_client(form)
    if refused is not None:
        return refused
    if form.get("grant_type") != "authorization_code" or not form.get("redirect_uri"):
        return _oauth_error(400, "invalid_request", "A required parameter \"redirect_uri\" is missing")
    username = redeem_code(form.get("code", ""), form.get("code_verifier"))
    if username is None:
        return _oauth_error(
            400,
            "invalid_request",
            "Unable to retrieve access token: appid/redirect uri/code verifier does not match authorization code. "
            "Or authorization code expired.",
        )
    answer = recorded("exchange_authorization_code")["response"]["body"]
    answer.update(
        access_token=_connect_token(username, "access"),
        refresh_token=_connect_token(username, "refresh"),
        expires_in=ACCESS_SECONDS,
        refresh_token_expires_in=REFRESH_SECONDS,
        scope=MEMBER_SCOPE,
    )
    return httpx.Response(200, json=answer)


# --- the account's simulator ---------------------------------------------------------------------


class LinkedInSimulator(Simulator):
    network = "linkedin"

    def route(self, request: httpx.Request) -> httpx.Response:
        host, path = request.url.host, request.url.path
        if host == WWW_HOST:
            return self._www(request)
        if host != API_HOST:
            raise httpx.ConnectError(f"the LinkedIn simulator does not serve {host}", request=request)
        if path == "/v2/userinfo" and request.method == "GET":
            with LOCK:
                state = self.authorized(request)
                author = state.tokens["author"]
                member = author.removeprefix(PERSON_PREFIX) if author.startswith(PERSON_PREFIX) else None
                return _userinfo(member or _member_id(state.account_id), state.username)
        if not path.startswith("/rest/"):
            return _error(404, "Not Found", code="NOT_FOUND")
        refused = _refuse_headers(request)
        if refused is not None:
            return refused
        return self._rest(request, _rest_path(request))

    def _rest(self, request: httpx.Request, parts: list[str]) -> httpx.Response:
        method, resource = request.method, parts[0]
        action = request.url.params.get("action")
        if (method, parts) == ("POST", ["posts"]):
            return self._create_post(request)
        if (method, parts) == ("GET", ["posts"]):
            return self._find_posts(request)
        if (method, resource, len(parts)) == ("DELETE", "posts", 2):
            return self._delete_post(request, parts[1])
        if (method, parts, action) == ("POST", ["images"], "initializeUpload"):
            return self._initialize_image(request)
        if (method, parts, action) == ("POST", ["videos"], "initializeUpload"):
            return self._initialize_video(request)
        if (method, parts, action) == ("POST", ["videos"], "finalizeUpload"):
            return self._finalize_video(request)
        if (method, resource, len(parts)) == ("GET", "videos", 2):
            return self._get_video(request, parts[1])
        if (method, resource, len(parts)) == ("POST", "socialActions", 3) and parts[2] == "comments":
            return self._create_comment(request, parts[1])
        if (method, resource, len(parts)) == ("DELETE", "socialActions", 4) and parts[2] == "comments":
            return self._delete_comment(request, parts[1], parts[3])
        if (method, parts) == ("GET", ["socialActions"]):
            return self._social_actions(request)
        if (method, parts) == ("GET", ["organizationalEntityShareStatistics"]):
            return self._share_statistics(request)
        if (method, resource, len(parts)) == ("GET", "organizations", 2):
            return self._organization(request, parts[1])
        return _error(404, f"No resource found for {method} /rest/{'/'.join(parts)}", code="NOT_FOUND")

    def _www(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if (request.method, path) == ("POST", "/oauth/v2/accessToken"):
            form = _form(request)
            return self._refresh(form) if form.get("grant_type") == "refresh_token" else _exchange_code(form)
        if (request.method, path) == ("POST", "/oauth/v2/revoke"):
            return self._revoke(_form(request))
        match = _UPLOAD_PATH.match(path)
        if request.method == "PUT" and match:
            return self._upload(request, match["asset"])
        return _error(404, "Not Found", code="NOT_FOUND")

    # --- POST /rest/posts --------------------------------------------------------------------

    def _create_post(self, request: httpx.Request) -> httpx.Response:
        now = simulated_now()
        with LOCK:
            failure = self.take_create_failure(request)
            if (injected := _injected(failure)) is not None:
                return injected
            state = self.authorized(request)
            body = request_json(request)
            invalid = _invalid_post(state, body)
            if invalid is not None:
                return invalid
            shown = _little_cut(body["commentary"])
            earlier = _recent_duplicate(state, shown, now)
            if earlier is not None:
                return _duplicate(earlier)
            post = _store_post(state, body, shown, now)
        if (lost := self.after_write(failure, request, "the post was created")) is not None:
            return lost
        return httpx.Response(201, headers={"x-restli-id": post["id"]})

    # --- GET /rest/posts?q=author ------------------------------------------------------------

    def _find_posts(self, request: httpx.Request) -> httpx.Response:
        params = request.url.params
        if params.get("q") != "author" or not params.get("author"):
            return _error(400, "Invalid query: the author finder needs q=author and author", code="ILLEGAL_ARGUMENT")
        try:
            start, count = int(params.get("start", "0")), int(params.get("count", "10"))
        except ValueError:
            return _error(400, "start and count must be integers", code="ILLEGAL_ARGUMENT")
        if start < 0 or not 1 <= count <= MAX_FINDER_COUNT:
            return _error(400, f"count must be between 1 and {MAX_FINDER_COUNT}", code="ILLEGAL_ARGUMENT")
        with LOCK:
            state = self.authorized(request)
            if not _may_read(state, params["author"]):
                return _access_denied("partnerApiPostsExternal.FINDER-author")
            key = "createdAt" if params.get("sortBy") == "CREATED" else "lastModifiedAt"
            posts = sorted(_posts_by(params["author"]), key=lambda post: post[key], reverse=True)
            elements = [_post_view(post) for post in posts[start : start + count]]
        answer = recorded("find_posts_by_author")["response"]["body"]
        answer["paging"].update(start=start, count=count, total=len(posts))
        answer["elements"] = elements
        return httpx.Response(200, json=answer)

    # --- DELETE /rest/posts/{urn} ------------------------------------------------------------

    def _delete_post(self, request: httpx.Request, urn: str) -> httpx.Response:
        with LOCK:
            state = self.authorized(request)
            if urn in state.posts:
                del state.posts[urn]
                return httpx.Response(204)
            if _find_post(urn) is not None:
                return _access_denied("partnerApiPostsExternal.DELETE")
        return _error(404, f"Post {urn} does not exist", code="NOT_FOUND")

    # --- images and videos -------------------------------------------------------------------

    def _initialize_image(self, request: httpx.Request) -> httpx.Response:
        now = simulated_now()
        with LOCK:
            state = self.authorized(request)
            owner = _owner_of(request_json(request))
            if owner is None:
                return _schema_error("/initializeUploadRequest/owner")
            if not _may_write(state, owner):
                return _access_denied("images.ACTION-initializeUpload")
            asset = _new_asset(state, "image", owner, size=None)
        answer = recorded("initialize_image_upload")["response"]["body"]
        answer["value"].update(
            uploadUrlExpiresAt=int((now + timedelta(days=1)).timestamp() * 1000),
            uploadUrl=_upload_url(asset, "uploaded-image/0"),
            image=asset["urn"],
        )
        return httpx.Response(200, json=answer)

    def _initialize_video(self, request: httpx.Request) -> httpx.Response:
        now = simulated_now()
        body = request_json(request)
        upload = body.get("initializeUploadRequest") if isinstance(body, dict) else None
        size = upload.get("fileSizeBytes") if isinstance(upload, dict) else None
        if not isinstance(size, int) or isinstance(size, bool) or size <= 0:
            return _schema_error("/initializeUploadRequest/fileSizeBytes")
        with LOCK:
            state = self.authorized(request)
            owner = _owner_of(body)
            if owner is None:
                return _schema_error("/initializeUploadRequest/owner")
            if not _may_write(state, owner):
                return _access_denied("videos.ACTION-initializeUpload")
            asset = _new_asset(state, "video", owner, size=size)
            instructions = [
                {
                    "uploadUrl": _upload_url(asset, "uploadedVideo", part=n),
                    "lastByte": min(first + VIDEO_PART_BYTES, size) - 1,
                    "firstByte": first,
                }
                for n, first in enumerate(range(0, size, VIDEO_PART_BYTES))
            ]
            asset["etags"] = [None] * len(instructions)
        answer = recorded("initialize_video_upload")["response"]["body"]
        answer["value"].update(
            uploadUrlsExpireAt=int((now + timedelta(days=1)).timestamp() * 1000),
            video=asset["urn"],
            uploadInstructions=instructions,
            uploadToken="",
        )
        return httpx.Response(200, json=answer)

    def _upload(self, request: httpx.Request, asset_key: str) -> httpx.Response:
        with LOCK:
            asset = next((a for a in _ASSETS.values() if a["key"] == asset_key), None)
            if asset is None:
                return _error(404, "Upload URL not found", code="NOT_FOUND")
            if request.headers.get("authorization"):
                self.authorized(request)
            if asset["kind"] == "image":
                if not request.content:
                    return _error(400, "The uploaded image is empty", code="ILLEGAL_ARGUMENT")
                asset["status"] = "AVAILABLE"
                return httpx.Response(201)
            part = int(request.url.params.get("part", "0"))
            first = part * VIDEO_PART_BYTES
            expected = min(first + VIDEO_PART_BYTES, asset["size"]) - first
            if part >= len(asset["etags"]) or len(request.content) != expected:
                return _error(400, f"Part {part} must be {expected} bytes", code="ILLEGAL_ARGUMENT")
            etag = "/ambry-video/signedId/" + base64.urlsafe_b64encode(
                stable_digest("linkedin-etag", asset["urn"], str(part), request.content.hex()[:64])
            ).decode().rstrip("=") + f"/{part + 1}"
            asset["etags"][part] = etag
        return httpx.Response(200, headers={"etag": etag})

    def _finalize_video(self, request: httpx.Request) -> httpx.Response:
        body = request_json(request)
        finalize = body.get("finalizeUploadRequest") if isinstance(body, dict) else None
        if not isinstance(finalize, dict) or not isinstance(finalize.get("video"), str):
            return _schema_error("/finalizeUploadRequest/video")
        with LOCK:
            state = self.authorized(request)
            asset = _ASSETS.get(finalize["video"])
            if asset is None or asset["account_id"] != state.account_id:
                return _error(404, f"Video {finalize['video']} not found", code="NOT_FOUND")
            if finalize.get("uploadToken") != "" or None in asset["etags"]:
                return _error(400, "Every part must be uploaded before finalizeUpload", code="ILLEGAL_ARGUMENT")
            if finalize.get("uploadedPartIds") != asset["etags"]:
                return _error(400, "uploadedPartIds must list the parts' ETags in order", code="ILLEGAL_ARGUMENT")
            asset.update(status="PROCESSING", looks=0)
        return httpx.Response(200)

    def _get_video(self, request: httpx.Request, urn: str) -> httpx.Response:
        with LOCK:
            state = self.authorized(request)
            asset = _ASSETS.get(urn)
            if asset is None or asset["account_id"] != state.account_id:
                return _error(404, f"Video {urn} not found", code="NOT_FOUND")
            if asset["status"] == "PROCESSING":
                asset["looks"] += 1
                if asset["looks"] > VIDEO_PROCESSING_LOOKS:
                    asset["status"] = "AVAILABLE"
            answer = recorded("get_video_available")["response"]["body"]
            answer.update(id=urn, owner=asset["owner"], status=asset["status"])
        if answer["status"] != "AVAILABLE":
            for field in ("downloadUrl", "thumbnail", "duration"):
                answer.pop(field, None)
        return httpx.Response(200, json=answer)

    # --- comments ----------------------------------------------------------------------------

    def _create_comment(self, request: httpx.Request, target: str) -> httpx.Response:
        now = simulated_now()
        with LOCK:
            failure = self.take_create_failure(request)
            if (injected := _injected(failure)) is not None:
                return injected
            state = self.authorized(request)
            body = request_json(request)
            message = body.get("message") if isinstance(body, dict) else None
            if not isinstance(message, dict) or not isinstance(message.get("text"), str):
                return _schema_error("/message/text")
            if body.get("object") != target:
                return _error(422, "object must be the entity in the URL", code="ILLEGAL_ARGUMENT")
            if not _may_write(state, body.get("actor")):
                return _access_denied("comments.CREATE")
            post = _find_post(target)
            if post is None:
                return _error(404, f"Entity {target} not found", code="NOT_FOUND")
            comment = _store_comment(post, body["actor"], _little_cut(message["text"]), now)
        if (lost := self.after_write(failure, request, "the comment was created")) is not None:
            return lost
        answer = recorded("create_comment")["response"]["body"]
        millis = comment["created"]
        answer.update(
            actor=comment["actor"],
            agent=state.tokens["author"] if state.tokens["author"].startswith(PERSON_PREFIX) else comment["actor"],
            commentUrn=comment["urn"],
            id=comment["id"],
            message={"text": comment["text"]},
            object=post["activity"],
        )
        answer["created"].update(actor=answer["agent"], impersonator=comment["actor"], time=millis)
        answer["lastModified"].update(actor=answer["agent"], impersonator=comment["actor"], time=millis)
        return httpx.Response(201, json=answer, headers={"x-restli-id": comment["id"]})

    def _delete_comment(self, request: httpx.Request, target: str, comment_id: str) -> httpx.Response:
        actor = request.url.params.get("actor")
        with LOCK:
            self.authorized(request)
            post = _find_post(target)
            comment = next((c for c in post["comments"] if c["id"] == comment_id), None) if post else None
            if comment is None:
                return _error(404, f"Comment {comment_id} not found", code="NOT_FOUND")
            if comment["actor"] != actor:
                return _access_denied("comments.DELETE")
            post["comments"].remove(comment)
        return httpx.Response(204)

    # --- metrics -----------------------------------------------------------------------------

    def _social_actions(self, request: httpx.Request) -> httpx.Response:
        urns = _list_param(request, "ids")
        if not urns:
            return _error(400, "ids must be a List(...) of URNs", code="ILLEGAL_ARGUMENT")
        with LOCK:
            state = self.authorized(request)
            if not _may_read(state, state.tokens["author"]):
                return _access_denied("socialActions.BATCH_GET")
            template = recorded("batch_get_social_actions")["response"]["body"]
            summary_template = next(iter(template["results"].values()))
            answer: dict[str, Any] = {"statuses": {}, "results": {}, "errors": {}}
            now = simulated_now()
            for urn in urns:
                post = _find_post(urn)
                if post is None:
                    answer["statuses"][urn] = 404
                    answer["errors"][urn] = {"status": 404, "message": "Not Found"}
                    continue
                answer["statuses"][urn] = 200
                answer["results"][urn] = _social_summary(copy.deepcopy(summary_template), urn, post, now)
        return httpx.Response(200, json=answer)

    def _share_statistics(self, request: httpx.Request) -> httpx.Response:
        params = request.url.params
        organization = params.get("organizationalEntity", "")
        if params.get("q") != "organizationalEntity" or not organization.startswith(ORGANIZATION_PREFIX):
            return _error(400, "q=organizationalEntity and an organization URN are required", code="ILLEGAL_ARGUMENT")
        urns = _list_param(request, "shares") + _list_param(request, "ugcPosts")
        with LOCK:
            state = self.authorized(request)
            if not _may_read(state, organization):
                return _access_denied("organizationalEntityShareStatistics.FINDER-organizationalEntity")
            template = recorded("organization_share_statistics")["response"]["body"]
            element_template = template["elements"][0]
            now = simulated_now()
            elements = [
                _statistics(copy.deepcopy(element_template), urn, post, organization, now)
                for urn in urns
                if (post := _find_post(urn)) is not None and post["author"] == organization
            ]
        template["elements"] = elements
        return httpx.Response(200, json=template)

    # --- identity and tokens -----------------------------------------------------------------

    def _organization(self, request: httpx.Request, organization_id: str) -> httpx.Response:
        urn = ORGANIZATION_PREFIX + organization_id
        with LOCK:
            self.authorized(request)
            page = next((s for s in accounts_on("linkedin") if s.tokens.get("author") == urn), None)
            if page is None:
                return _error(404, f"Organization {organization_id} not found", code="NOT_FOUND")
            name = page.username
        answer = recorded("get_organization")["response"]["body"]
        answer.update(localizedName=name, vanityName=re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-"),
                      id=int(organization_id) if organization_id.isdigit() else organization_id, **{"$URN": urn})
        answer["name"]["localized"] = {"en_US": name}
        return httpx.Response(200, json=answer)

    def _refresh(self, form: dict[str, str]) -> httpx.Response:
        refused = _refuse_client(form)
        if refused is not None:
            return refused
        with LOCK:
            state = self.state()
            if state.revoked or form.get("refresh_token") != state.tokens.get("refresh_token"):
                return _from_recorded("refresh_refused")
            state.rotate_tokens(
                "access_token", "refresh_token", lambda kind, generation: _token(state.account_id, kind, generation)
            )
            answer = recorded("refresh_access_token")["response"]["body"]
            answer.update(
                access_token=state.tokens["access_token"],
                refresh_token=state.tokens["refresh_token"],
                expires_in=ACCESS_SECONDS,
                refresh_token_expires_in=REFRESH_SECONDS,
                scope=state.tokens.get("scope", MEMBER_SCOPE),
            )
        return httpx.Response(200, json=answer)

    def _revoke(self, form: dict[str, str]) -> httpx.Response:
        refused = _refuse_client(form)
        if refused is not None:
            return refused
        with LOCK:
            state = self.state()
            if form.get("token") == state.tokens.get("access_token"):
                state.revoked = True
        return httpx.Response(200)

    def refuse_token(self, state: SimulatedAccount, request: httpx.Request) -> httpx.Response | None:
        """Expired (an injected expiry, or the token a refresh replaced), revoked (through
        /oauth/v2/revoke), or unknown; an expiry is answered before a revocation, so an injected
        revoked_token looks expired until the refresh is refused."""
        presented = _bearer(request)
        if presented is None:
            return httpx.Response(401, json={"message": "Empty oauth2_access_token", "serviceErrorCode": 401, "status": 401})
        current = state.tokens["access_token"]
        if presented == current and not state.token_expired and not state.revoked:
            return None
        if presented == state.previous_tokens.get("access_token") or (presented == current and state.token_expired):
            return _from_recorded("error_expired_token")
        if presented == current:
            return _from_recorded("error_revoked_token")
        return _from_recorded("error_invalid_token")


# --- state, called with LOCK held ----------------------------------------------------------------


def _kind(urn: Any) -> str | None:
    """"person" or "organization" for an author URN."""
    if isinstance(urn, str) and urn.startswith(PERSON_PREFIX):
        return "person"
    if isinstance(urn, str) and urn.startswith(ORGANIZATION_PREFIX):
        return "organization"
    return None


def _scopes(state: SimulatedAccount) -> set[str]:
    return set(re.split(r"[\s,]+", state.tokens.get("scope", "")))


def _may_write(state: SimulatedAccount, author: Any) -> bool:
    kind = _kind(author)
    return kind is not None and author == state.tokens["author"] and _WRITE_SCOPES[kind] in _scopes(state)


def _may_read(state: SimulatedAccount, author: str) -> bool:
    kind = _kind(author)
    return kind is not None and author == state.tokens["author"] and _READ_SCOPES[kind] in _scopes(state)


def _next_id(now: datetime) -> str:
    """A 19-digit id as LinkedIn makes them: milliseconds since 1970, shifted 22 bits, and a sequence."""
    global _sequence
    _sequence = (_sequence + 1) % (1 << 22)
    return str(int(now.timestamp() * 1000) << 22 | _sequence)


def _new_asset(state: SimulatedAccount, kind: str, owner: str, size: int | None) -> dict[str, Any]:
    global _sequence
    _sequence = (_sequence + 1) % (1 << 22)
    digest = stable_digest("linkedin-asset", state.account_id, kind, str(_sequence), str(len(_ASSETS)))
    key = ("C4E10AQ" if kind == "image" else "C5F10AQ") + base64.urlsafe_b64encode(digest).decode()[:12]
    asset = {"key": key, "urn": f"urn:li:{kind}:{key}", "kind": kind, "owner": owner, "account_id": state.account_id,
             "size": size, "status": "WAITING_UPLOAD"}
    _ASSETS[asset["urn"]] = asset
    return asset


def _upload_url(asset: dict[str, Any], tail: str, part: int | None = None) -> str:
    query = {"ca": "vector_ads", "cn": "uploads", "sync": "0", "v": "beta",
             "ut": base64.urlsafe_b64encode(stable_digest("linkedin-ut", asset["urn"])).decode()[:14]}
    if part is not None:
        query["part"] = str(part)
    return f"https://{WWW_HOST}/dms-uploads/sp/v2/{asset['key']}/{tail}?{urlencode(query)}"


def _store_post(state: SimulatedAccount, body: dict[str, Any], shown: str, now: datetime) -> dict[str, Any]:
    content = body.get("content") or {}
    is_video = _ASSETS.get((content.get("media") or {}).get("id", ""), {}).get("kind") == "video"
    number = _next_id(now)
    millis = int(now.timestamp() * 1000)
    post = {
        "id": (UGC_POST_PREFIX if is_video else SHARE_PREFIX) + number,
        "activity": f"urn:li:activity:{_next_id(now)}",
        "author": body["author"],
        "commentary": shown,
        "sent_commentary": body["commentary"],
        "visibility": body["visibility"],
        "content": content,
        "lifecycleState": body["lifecycleState"],
        "createdAt": millis,
        "lastModifiedAt": millis,
        "comments": [],
    }
    state.posts[post["id"]] = post
    return post


def _store_comment(post: dict[str, Any], actor: str, text: str, now: datetime) -> dict[str, Any]:
    comment_id = _next_id(now)
    comment = {
        "id": comment_id,
        "urn": f"{COMMENT_PREFIX}({post['activity']},{comment_id})",
        "actor": actor,
        "text": text,
        "created": int(now.timestamp() * 1000),
    }
    post["comments"].append(comment)
    return comment


def _find_post(urn: str) -> dict[str, Any] | None:
    """A live post by its share, ugcPost or activity URN, on any account (posts are public)."""
    for state in accounts_on("linkedin"):
        for post in state.posts.values():
            if urn in (post["id"], post["activity"]):
                return post
    return None


def _posts_by(author: str) -> list[dict[str, Any]]:
    return [post for state in accounts_on("linkedin") for post in state.posts.values() if post["author"] == author]


def _recent_duplicate(state: SimulatedAccount, shown: str, now: datetime) -> dict[str, Any] | None:
    since = int((now - DUPLICATE_WINDOW).timestamp() * 1000)
    return next(
        (p for p in state.posts.values() if shown and p["commentary"] == shown and p["createdAt"] >= since), None
    )


# --- validation ------------------------------------------------------------------------------------


def _invalid_post(state: SimulatedAccount, body: Any) -> httpx.Response | None:
    if not isinstance(body, dict):
        return _error(400, "Request body could not be converted to data map", code="ILLEGAL_ARGUMENT")
    for field in ("author", "commentary", "visibility", "distribution", "lifecycleState"):
        if field not in body:
            return _schema_error(f"/{field}")
    if not _may_write(state, body["author"]):
        return _access_denied("partnerApiPostsExternal.CREATE")
    if not isinstance(body["commentary"], str) or len(_little_plain(body["commentary"])) > MAX_COMMENTARY:
        return _error(422, f"/commentary :: must be text of at most {MAX_COMMENTARY} characters", code="ILLEGAL_ARGUMENT")
    if body["visibility"] not in _VISIBILITIES:
        return _schema_error("/visibility", f"{body['visibility']!r} is not an enum symbol")
    if body["visibility"] == "CONNECTIONS" and _kind(body["author"]) != "person":
        return _error(422, "CONNECTIONS visibility is only for a member's posts", code="ILLEGAL_ARGUMENT")
    distribution = body["distribution"]
    if not isinstance(distribution, dict) or distribution.get("feedDistribution") not in ("MAIN_FEED", "NONE"):
        return _schema_error("/distribution/feedDistribution")
    if body["lifecycleState"] not in ("PUBLISHED", "DRAFT"):
        return _schema_error("/lifecycleState", f"{body['lifecycleState']!r} is not an enum symbol")
    problem = _content_problem(state, body.get("content"))
    return _error(422, problem, code="ILLEGAL_ARGUMENT") if problem else None


def _content_problem(state: SimulatedAccount, content: Any) -> str | None:
    if content is None:
        return None
    if not isinstance(content, dict) or len(content) != 1:
        return "/content :: must hold exactly one of media, multiImage or article"
    kind, value = next(iter(content.items()))
    if kind == "media":
        return _asset_problem(state, value, "/content/media", ("image", "video"))
    if kind == "multiImage":
        images = value.get("images") if isinstance(value, dict) else None
        if not isinstance(images, list) or not 2 <= len(images) <= MAX_IMAGES:
            return f"/content/multiImage/images :: must hold 2 to {MAX_IMAGES} images"
        problems = (_asset_problem(state, image, f"/content/multiImage/images/{n}", ("image",)) for n, image in enumerate(images))
        return next((problem for problem in problems if problem), None)
    if kind == "article":
        source = value.get("source") if isinstance(value, dict) else None
        if not isinstance(source, str) or not source.startswith(("http://", "https://")):
            return "/content/article/source :: must be a URL"
        if not isinstance(value.get("title"), str) or not value["title"]:
            return "/content/article/title :: field is required but not found and has no default value"
        if "thumbnail" in value:
            return _asset_problem(state, {"id": value["thumbnail"]}, "/content/article/thumbnail", ("image",))
        return None
    return f"/content/{kind} :: is not a content type this simulator knows"


def _asset_problem(state: SimulatedAccount, media: Any, path: str, kinds: tuple[str, ...]) -> str | None:
    asset = _ASSETS.get(media.get("id", "")) if isinstance(media, dict) and isinstance(media.get("id"), str) else None
    if asset is None or asset["account_id"] != state.account_id or asset["kind"] not in kinds:
        return f"{path}/id :: is not a {' or '.join(kinds)} this author uploaded"
    if asset["status"] != "AVAILABLE":
        return f"{path}/id :: {asset['urn']} is {asset['status']}, not AVAILABLE"
    return None


def _little_cut(text: str) -> str:
    """`text` as LinkedIn keeps it: up to the first reserved character that is not escaped and not
    in a mention annotation, a hashtag or a URL."""
    kept = [(m.start(), m.end()) for m in _MENTION.finditer(text)]
    kept += [(m.start(), m.end()) for m in _HASHTAG.finditer(text)] + url_spans(text)
    ends: dict[int, int] = {}
    for start, end in kept:
        ends[start] = max(end, ends.get(start, start))
    position = 0
    while position < len(text):
        if position in ends:
            position = ends[position]
        elif text[position] == "\\":
            position += 2
        elif text[position] in RESERVED:
            return text[:position]
        else:
            position += 1
    return text


def _little_plain(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text, flags=re.DOTALL)


# --- answers ---------------------------------------------------------------------------------------


def _injected(failure: str | None) -> httpx.Response | None:
    """The answer to an injected rate_limited, server_error or duplicate; None for the others."""
    if failure == "rate_limited":
        return _from_recorded("error_throttled")
    if failure == "server_error":
        return _from_recorded("error_server")
    if failure == "duplicate":
        return _from_recorded("error_duplicate_post")
    return None


def _post_view(post: dict[str, Any]) -> dict[str, Any]:
    view = copy.deepcopy(recorded("find_posts_by_author")["response"]["body"]["elements"][0])
    view.update(
        id=post["id"],
        author=post["author"],
        commentary=post["commentary"],
        visibility=post["visibility"],
        lifecycleState=post["lifecycleState"],
        createdAt=post["createdAt"],
        lastModifiedAt=post["lastModifiedAt"],
        publishedAt=post["createdAt"],
    )
    if post["content"]:
        view["content"] = post["content"]
    return view


def _social_summary(summary: dict[str, Any], urn: str, post: dict[str, Any], now: datetime) -> dict[str, Any]:
    """A post's social actions at `now`: likes and comments grown since it was created (the
    comments add the real simulated ones, which are the ones selected)."""
    likes, comments = _likes_and_comments(post, now)
    summary["likesSummary"].update(totalLikes=likes, aggregatedTotalLikes=likes, selectedLikes=[])
    summary["commentsSummary"].update(
        totalFirstLevelComments=comments,
        aggregatedTotalComments=comments,
        selectedComments=[comment["urn"] for comment in post["comments"][:10]],
    )
    summary.update(target=urn, **{"$URN": f"urn:li:socialActions:{urn}"})
    return summary


def _statistics(
    element: dict[str, Any], urn: str, post: dict[str, Any], organization: str, now: datetime
) -> dict[str, Any]:
    """A page post's lifetime share statistics at `now`, grown since it was created; likes and
    comments as its social actions show them, engagement as LinkedIn works it out (clicks, likes,
    comments and shares over impressions)."""
    grown = grown_metrics(post["id"], _created(post), now)
    likes, comments = _likes_and_comments(post, now)
    impressions, clicks, shares = grown["impressions"], grown["clicks"], grown["shares"]
    engaged = clicks + likes + comments + shares
    element["totalShareStatistics"].update(
        impressionCount=impressions,
        uniqueImpressionsCount=grown["reach"],
        clickCount=clicks,
        shareCount=shares,
        likeCount=likes,
        commentCount=comments,
        engagement=round(engaged / impressions, 4) if impressions else 0.0,
    )
    element.pop("share", None)
    element["ugcPost" if urn.startswith(UGC_POST_PREFIX) else "share"] = urn
    element["organizationalEntity"] = organization
    return element


def _likes_and_comments(post: dict[str, Any], now: datetime) -> tuple[int, int]:
    grown = grown_metrics(post["id"], _created(post), now)
    return grown["likes"], grown["comments"] + len(post["comments"])


def _created(post: dict[str, Any]) -> datetime:
    return datetime.fromtimestamp(post["createdAt"] / 1000, UTC)


def _userinfo(member_id: str, name: str) -> httpx.Response:
    answer = recorded("userinfo")["response"]["body"]
    given, _, family = name.partition(" ")
    answer.update(sub=member_id, name=name, given_name=given, family_name=family)
    return httpx.Response(200, json=answer)


def _refuse_headers(request: httpx.Request) -> httpx.Response | None:
    version = request.headers.get("linkedin-version")
    if not version:
        return _error(400, "A version must be present. Please specify a version by adding the LinkedIn-Version header.",
                      code="VERSION_MISSING")
    match = _VERSION.match(version)
    now = datetime.now(UTC)  # the calendar, not the simulated time: the version is the adapter code's
    months = (now.year * 12 + now.month) - (int(match["year"]) * 12 + int(match["month"])) if match else -1
    if not 0 <= months < SUPPORTED_MONTHS:
        return _error(426, f"Requested version {version} is not active", code="NONEXISTENT_VERSION")
    if request.headers.get("x-restli-protocol-version") != RESTLI_PROTOCOL:
        return _error(400, f"X-Restli-Protocol-Version {RESTLI_PROTOCOL} is required", code="ILLEGAL_ARGUMENT")
    return None


def _refuse_client(form: dict[str, str]) -> httpx.Response | None:
    if form.get("client_id") != TEST_CLIENT_ID or form.get("client_secret") != TEST_CLIENT_SECRET:
        return _oauth_error(401, "invalid_client", "Client authentication failed")
    return None


def _owner_of(body: Any) -> str | None:
    upload = body.get("initializeUploadRequest") if isinstance(body, dict) else None
    owner = upload.get("owner") if isinstance(upload, dict) else None
    return owner if _kind(owner) is not None else None


def _list_param(request: httpx.Request, name: str) -> list[str]:
    """The URNs of a Rest.li List(...) query parameter, read from the raw query: each URN is
    escaped, the List syntax is not."""
    for pair in request.url.query.decode().split("&"):
        key, _, value = pair.partition("=")
        if key == name and value.startswith("List(") and value.endswith(")"):
            return [unquote(urn) for urn in value[5:-1].split(",") if urn]
    return []


def _rest_path(request: httpx.Request) -> list[str]:
    """The path after /rest/, a segment each, unescaped: URNs travel escaped, so every raw '/'
    separates segments."""
    raw = request.url.raw_path.decode().partition("?")[0]
    return [unquote(part) for part in raw.split("/")[2:]]


def _bearer(request: httpx.Request) -> str | None:
    header = request.headers.get("authorization", "")
    return header.removeprefix("Bearer ") if header.startswith("Bearer ") else None


def _form(request: httpx.Request) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(request.content.decode("utf-8")).items()}


def _from_recorded(name: str) -> httpx.Response:
    response = recorded(name)["response"]
    return httpx.Response(response["status"], json=response["body"], headers=response.get("headers"))


def _duplicate(earlier: dict[str, Any]) -> httpx.Response:
    response = recorded("error_duplicate_post")["response"]
    body = response["body"]
    body["message"] = re.sub(r"urn:li:\w+:\d+", earlier["id"], body["message"])
    return httpx.Response(response["status"], json=body)


def _access_denied(resource: str) -> httpx.Response:
    body = recorded("error_access_denied")["response"]["body"]
    body["message"] = f"Not enough permissions to access: {resource}"
    return httpx.Response(403, json=body)


def _schema_error(path: str, problem: str = "field is required but not found and has no default value") -> httpx.Response:
    return httpx.Response(422, json={"message": f"ERROR :: {path} :: {problem}\n", "status": 422})


def _error(status: int, message: str, *, code: str | None = None) -> httpx.Response:
    body: dict[str, Any] = {"status": status, "message": message}
    if code:
        body["code"] = code
    return httpx.Response(status, json=body)


def _oauth_error(status: int, error: str, description: str) -> httpx.Response:
    return httpx.Response(status, json={"error": error, "error_description": description})
