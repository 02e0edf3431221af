"""Simulated Bluesky (the entryway, a PDS, the video service) for test-mode accounts.

Answers the calls `BlueskyPlatform` makes, in the shapes of `recordings/bluesky.json` (the
documented example exchanges; the contract tests check the adapter against the same file):
`{"error", "message"}` bodies, `RateLimit-*` headers, at:// uris with TID record keys,
`bafyrei...` record CIDs and `bafkrei...` blob CIDs, JWT session and service tokens. An answer
carries only fields its recording shows (`shaped`). It validates what the network does: the
session token, the post record (300 graphemes, 3000 bytes, $type, createdAt, facets, reply refs,
the images, video and external embeds) and the record key (a TID, not yet taken). Record
problems are answered as the PDS answers a record that fails lexicon validation: 400
InvalidRequest "Invalid app.bsky.feed.post record: ...". A taken key is answered as the PDS
answers it today: 500 InternalServerError (atproto#3718). Blobs a record refers to must have
been uploaded by the account (in this process), of the type and size the embed accepts: 400
BlobNotFound, InvalidMimeType or BlobTooLarge, as the PDS checks blobs after the lexicon (those
names and messages are from the PDS's source, unverified against a live PDS).

Facets are checked more strictly than the PDS, which checks only their lexicon (integer offsets
of at least 0, a mention's DID syntax, a tag's length): here their byte ranges must also lie inside
the UTF-8 text, on character boundaries, and must not overlap. Bluesky's app ignores or garbles
such facets without an error, so an adapter bug would otherwise publish silently.

Mentions. `app.bsky.notification.listNotifications` answers the account's made-up mentions as
they come with time (`common.simulated_mentions`: people from `common.MENTIONERS` with
`.bsky.social` handles, a few a day), as `mention` notifications, or `reply` ones answering the
account's newest post before them; newest first, `limit` 1-100, `reasons` honoured, and a cursor
(the last one's time in microseconds) for the older ones.

`com.atproto.identity.resolveHandle` knows the handles of the accounts this process has seen
(their own DIDs) and, as stand-ins for the rest of the network, every handle ending in
`.bsky.social` or `.test` (a did:plc derived from the handle); any other handle is answered
400 InvalidRequest "Unable to resolve handle", as the PDS answers a handle with no DID.

Video. `com.atproto.server.getServiceAuth` signs service tokens (at most an hour ahead, a minute
without a method); video.bsky.app takes them for `getUploadLimits` (audience the video service)
and `uploadVideo` (audience the account's PDS, method uploadBlob). A job is created, encoding at
the first `getJobStatus` and finished at the second: completed with the processed video's blob,
or failed when the upload was no MP4 (no `ftyp` box first). The same video again is answered
`already_exists` (409, unverified) with the finished job.

Connecting (`connect_handler`): `createSession` on bsky.social takes any valid handle with a
password shaped like an app password (xxxx-xxxx-xxxx-xxxx); anything else is answered 401
AuthenticationRequired "Invalid identifier or password". The session's DID document names
`SIMULATED_PDS` as the account's PDS, and its tokens are honoured by the account's simulator once
the account is stored with them.

Counts: a post view's likeCount, repostCount, quoteCount, bookmarkCount and replyCount grow with
the time since the post was indexed (`common.grown_metrics`; replyCount adds the real simulated
replies), and a profile's followersCount grows day by day (`common.grown_followers`).

Failure injection: see `herald.platforms.simulators`; it applies to createRecord only (the handle
lookups and uploads before it are never failed); `duplicate` answers that taken-key 500."""

from __future__ import annotations

import base64
import copy
import functools
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from herald.clock import from_iso, to_iso
from herald.platforms.bluesky import (
    DEFAULT_PDS,
    EXTERNAL_EMBED,
    IMAGES_EMBED,
    LINK_FEATURE,
    MAX_BYTES,
    MAX_GRAPHEMES,
    MAX_IMAGES,
    MAX_TAG_BYTES,
    MAX_TAG_GRAPHEMES,
    MENTION_FEATURE,
    POST_COLLECTION,
    TAG_FEATURE,
    UPLOAD_BLOB,
    UPLOAD_LIMITS,
    VIDEO_EMBED,
    VIDEO_SERVICE,
    VIDEO_SERVICE_DID,
    BlueskyPlatform,
    encode_tid,
    is_blob,
    is_valid_did,
    is_valid_handle,
    is_valid_tid,
    utf8_length,
)
from herald.platforms.simulators import LOCK, SimulatedAccount, accounts_on, simulated_now, stable_digest
from herald.platforms.simulators.common import (
    SimulatedMention,
    Simulator,
    grown_followers,
    grown_metrics,
    reply_target,
    request_json,
    simulated_mentions,
)
from herald.text.graphemes import grapheme_count

RECORDINGS = Path(__file__).with_name("recordings") / "bluesky.json"
SIMULATED_PDS = "https://puffball.us-east.host.bsky.network"  # connected accounts' PDS
WRITE_POINTS_PER_HOUR = 5000
MAX_POST_URIS = 25
RESOLVABLE_SUFFIXES = (".bsky.social", ".test")  # handles the simulated network knows besides its accounts'
ACCESS_LIFETIME = timedelta(hours=2)  # the PDS defaults
REFRESH_LIFETIME = timedelta(days=90)
APP_PASSWORD_SCOPE = "com.atproto.appPass"
MAX_SERVICE_TOKEN_LIFETIME = timedelta(hours=1)
MAX_METHODLESS_TOKEN_LIFETIME = timedelta(minutes=1)
DAILY_VIDEOS = 25
DAILY_VIDEO_BYTES = 10 * 1024**3
_APP_PASSWORD = re.compile(r"^[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}$")
_ENTRYWAY_HOST = httpx.URL(DEFAULT_PDS).host
_VIDEO_HOST = httpx.URL(VIDEO_SERVICE).host
_MAX_IMAGE_BYTES = BlueskyPlatform.media_limits.max_image_bytes
_MAX_VIDEO_BYTES = BlueskyPlatform.media_limits.max_video_bytes
_clock_id = 0  # the low bits of generated TIDs, process-wide (guarded by LOCK)
_job_sequence = 0  # process-wide (guarded by LOCK)
_CONNECTED: dict[str, str] = {}  # did -> handle of the sessions connect_handler made (guarded by LOCK)


# --- recordings ------------------------------------------------------------------------------


@functools.cache
def _recordings() -> dict[str, dict[str, Any]]:
    return {entry["name"]: entry for entry in json.loads(RECORDINGS.read_text("utf-8"))}


def recording(name: str) -> dict[str, Any]:
    """A copy of the recorded exchange `name` ({name, source, request, response})."""
    return copy.deepcopy(_recordings()[name])


def shaped(name: str, *path: str | int, **fields: Any) -> dict[str, Any]:
    """`fields`, in the order the recorded answer `name` shows them (at `path` inside its body).
    A field the recording does not show is refused: the simulator invents no field the
    documented example lacks. Recorded fields not given are left out (they are optional)."""
    recorded: Any = _recordings()[name]["response"]["body"]
    for step in path:
        recorded = recorded[step]
    unknown = set(fields) - set(recorded)
    if unknown:
        raise ValueError(f"the recording {name} shows no {sorted(unknown)}")
    return {key: fields[key] for key in recorded if key in fields}


# --- tokens ----------------------------------------------------------------------------------


def initial_tokens(account_id: str, username: str) -> dict[str, str]:
    """A session as a main password gives it, without expiry claims so every process mints the
    same tokens."""
    did = did_for(account_id)
    claims = {"scope": "com.atproto.access", "sub": did, "aud": "did:web:bsky.social", "jti": "access-0"}
    refresh = {"scope": "com.atproto.refresh", "sub": did, "aud": "did:web:bsky.social", "jti": "refresh-0"}
    return {"did": did, "access_jwt": _jwt("at+jwt", claims), "refresh_jwt": _jwt("refresh+jwt", refresh)}


def did_for(account_id: str) -> str:
    """A did:plc (24 base32 characters), the same for the account in every process."""
    return "did:plc:" + base64.b32encode(stable_digest("bsky-did", account_id)[:15]).decode("ascii").lower()


def did_for_handle(handle: str) -> str:
    """The did:plc the simulated network gives a handle that belongs to no account it has seen (and
    to an account connected with that handle)."""
    return "did:plc:" + base64.b32encode(stable_digest("bsky-handle", handle.lower())[:15]).decode("ascii").lower()


def _session_tokens(did: str, pds: str, scope: str, generation: int, now: datetime) -> tuple[str, str]:
    """A new access and refresh JWT, with the PDS's default lifetimes in their claims."""
    issued = int(now.timestamp())
    access = {
        "scope": scope,
        "sub": did,
        "iat": issued,
        "exp": issued + int(ACCESS_LIFETIME.total_seconds()),
        "aud": f"did:web:{httpx.URL(pds).host}",
    }
    refresh = {
        "scope": "com.atproto.refresh",
        "sub": did,
        "aud": "did:web:bsky.social",
        "jti": f"refresh-{generation}-{issued}",
        "iat": issued,
        "exp": issued + int(REFRESH_LIFETIME.total_seconds()),
    }
    return _jwt("at+jwt", access), _jwt("refresh+jwt", refresh)


def _jwt(kind: str, claims: dict[str, Any]) -> str:
    """A JWT of type `kind` whose signature is a digest of its header and claims (`_verified`)."""
    signed = f"{_part({'typ': kind, 'alg': 'ES256K'})}.{_part(claims)}"
    return f"{signed}.{_signature(signed)}"


def _verified(token: str) -> dict[str, Any] | None:
    """The claims of a JWT this simulator signed; None for anything else."""
    signed, _, signature = token.rpartition(".")
    if not signed or signature != _signature(signed):
        return None
    payload = signed.split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return claims if isinstance(claims, dict) else None


def _part(value: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(value, separators=(",", ":")).encode()).decode().rstrip("=")


def _signature(signed: str) -> str:
    return base64.urlsafe_b64encode(stable_digest("bsky-jwt", signed)).decode().rstrip("=")


def _bearer(request: httpx.Request) -> str:
    return request.headers.get("authorization", "").removeprefix("Bearer ")


def _cid(value: Any) -> str:
    """A record CIDv1 (dag-cbor, sha-256) in base32, over the JSON form of `value`."""
    digest = stable_digest("bsky-cid", json.dumps(value, sort_keys=True, ensure_ascii=False))
    return "b" + base64.b32encode(b"\x01\x71\x12\x20" + digest).decode("ascii").lower().rstrip("=")


def _blob_cid(digest: bytes) -> str:
    """A blob CIDv1 (raw, sha-256) in base32: `bafkrei...`."""
    return "b" + base64.b32encode(b"\x01\x55\x12\x20" + digest).decode("ascii").lower().rstrip("=")


def _blob(digest: bytes, mime: str, size: int) -> dict[str, Any]:
    ref = {"$link": _blob_cid(digest)}
    return shaped("uploadBlob", "blob", **{"$type": "blob", "ref": ref, "mimeType": mime, "size": size})


# --- connecting ------------------------------------------------------------------------------


def connect_handler(request: httpx.Request) -> httpx.Response:
    """Answers the calls `BlueskyPlatform.connect_with_fields` makes: the sign-in on the entryway
    and the profile on the account's PDS."""
    if request.url.host not in (_ENTRYWAY_HOST, httpx.URL(SIMULATED_PDS).host):
        raise httpx.ConnectError(f"the Bluesky simulator does not serve {request.url.host}", request=request)
    nsid = request.url.path.removeprefix("/xrpc/")
    if (request.method, nsid) == ("POST", "com.atproto.server.createSession"):
        return _create_session(request)
    if (request.method, nsid) == ("GET", "app.bsky.actor.getProfile"):
        return _connected_profile(request)
    return _error(501, "MethodNotImplemented", "Method Not Implemented")


def _create_session(request: httpx.Request) -> httpx.Response:
    body = request_json(request)
    for name in ("identifier", "password"):
        if not isinstance(body, dict) or not isinstance(body.get(name), str):
            return _error(400, "InvalidRequest", f'Input must have the property "{name}"')
    handle = body["identifier"].lower()
    if not is_valid_handle(handle) or not _APP_PASSWORD.match(body["password"]):
        return _recorded("createSession_wrong_password")
    did = did_for_handle(handle)
    access, refresh = _session_tokens(did, SIMULATED_PDS, APP_PASSWORD_SCOPE, 0, simulated_now())
    with LOCK:
        _CONNECTED[did] = handle
    session = shaped(
        "createSession",
        did=did,
        didDoc=_did_document(did, handle, SIMULATED_PDS),
        handle=handle,
        emailConfirmed=True,
        emailAuthFactor=False,
        accessJwt=access,
        refreshJwt=refresh,
        active=True,
    )
    return httpx.Response(200, json=session)


def _connected_profile(request: httpx.Request) -> httpx.Response:
    claims = _verified(_bearer(request))
    if claims is None or claims.get("scope") == "com.atproto.refresh":
        return _error(401, "InvalidToken", "Token could not be verified")
    did = str(claims.get("sub"))
    with LOCK:
        handle = _CONNECTED.get(did)
    if handle is None or request.url.params.get("actor") not in (did, handle):
        return _error(400, "InvalidRequest", "Profile not found")
    return httpx.Response(200, json=_profile_view(did, handle, posts=0))


def _did_document(did: str, handle: str, pds: str) -> dict[str, Any]:
    recorded = recording("createSession")["response"]["body"]["didDoc"]
    method = {**recorded["verificationMethod"][0], "id": f"{did}#atproto", "controller": did}
    service = {**recorded["service"][0], "serviceEndpoint": pds}
    fields = {"id": did, "alsoKnownAs": [f"at://{handle}"], "verificationMethod": [method], "service": [service]}
    return shaped("createSession", "didDoc", **{"@context": recorded["@context"], **fields})


def _profile_view(did: str, handle: str, *, posts: int) -> dict[str, Any]:
    """An app.bsky.actor.defs#profileViewDetailed with stable made-up counts; the followers grow
    with time."""
    seed = stable_digest("bsky-profile", did)
    avatar_cid = _blob_cid(stable_digest("bsky-avatar", did))
    return shaped(
        "getProfile",
        did=did,
        handle=handle,
        displayName=handle.split(".")[0].capitalize(),
        avatar=f"https://cdn.bsky.app/img/avatar/plain/{did}/{avatar_cid}@jpeg",
        followersCount=grown_followers(f"bluesky:{did}", simulated_now()),
        followsCount=seed[2],
        postsCount=posts,
        labels=[],
    )


# --- one account -----------------------------------------------------------------------------


@dataclass
class _Media:
    """The blobs an account may refer to and its video jobs, for one SimulatedAccount."""

    owner: SimulatedAccount
    blobs: dict[str, dict[str, Any]] = field(default_factory=dict)  # by CID
    jobs: dict[str, dict[str, Any]] = field(default_factory=dict)  # by job id


_MEDIA: dict[str, _Media] = {}


def _media_of(state: SimulatedAccount) -> _Media:
    """The account's media. A reset makes a new state, whose media start empty. Call with LOCK held."""
    media = _MEDIA.get(state.account_id)
    if media is None or media.owner is not state:
        media = _MEDIA[state.account_id] = _Media(state)
    return media


class BlueskySimulator(Simulator):
    network = "bluesky"

    def route(self, request: httpx.Request) -> httpx.Response:
        with LOCK:
            pds = self.state().tokens.get("pds", DEFAULT_PDS)
        if request.url.host not in (httpx.URL(pds).host, _ENTRYWAY_HOST, _VIDEO_HOST):
            raise httpx.ConnectError(f"the Bluesky simulator does not serve {request.url.host}", request=request)
        if not request.url.path.startswith("/xrpc/"):
            return httpx.Response(404, text="Not Found")
        nsid = request.url.path.removeprefix("/xrpc/")
        routes = self._video_routes() if request.url.host == _VIDEO_HOST else self._pds_routes()
        if nsid not in routes:
            return _error(501, "MethodNotImplemented", "Method Not Implemented")
        method, handler = routes[nsid]
        if request.method != method:
            return _error(400, "InvalidRequest", f"Incorrect HTTP method ({request.method}) expected {method}")
        return handler(request)

    def _pds_routes(self) -> dict[str, Any]:
        return {
            "com.atproto.repo.createRecord": ("POST", self._create),
            "com.atproto.repo.getRecord": ("GET", self._get),
            "com.atproto.repo.deleteRecord": ("POST", self._delete),
            UPLOAD_BLOB: ("POST", self._upload_blob),
            "app.bsky.feed.getPosts": ("GET", self._get_posts),
            "app.bsky.actor.getProfile": ("GET", self._get_profile),
            "app.bsky.notification.listNotifications": ("GET", self._list_notifications),
            "com.atproto.server.refreshSession": ("POST", self._refresh),
            "com.atproto.server.deleteSession": ("POST", self._delete_session),
            "com.atproto.server.getServiceAuth": ("GET", self._service_auth),
            "com.atproto.identity.resolveHandle": ("GET", self._resolve_handle),
        }

    def _video_routes(self) -> dict[str, Any]:
        return {
            UPLOAD_LIMITS: ("GET", self._upload_limits),
            "app.bsky.video.uploadVideo": ("POST", self._upload_video),
            "app.bsky.video.getJobStatus": ("GET", self._job_status),
        }

    # --- com.atproto.repo.createRecord -------------------------------------------------------

    def _create(self, request: httpx.Request) -> httpx.Response:
        now = simulated_now()
        with LOCK:
            failure = self.take_create_failure(request)
            if failure == "rate_limited":
                return _recorded("rate_limited", headers=_limits(now, 0))
            if failure == "server_error":
                return _error(503, "NotEnoughResources", "Service Unavailable")
            if failure == "duplicate":
                return _error(500, "InternalServerError", "Internal Server Error")
            state = self.authorized(request)
            body = request_json(request)
            invalid = _invalid_create(state, body) or _blob_refusal(body["record"].get("embed"), _media_of(state))
            if invalid is not None:
                return invalid
            rkey = body.get("rkey") or _new_tid(now)
            if rkey in state.posts:
                return _error(500, "InternalServerError", "Internal Server Error")
            post = _store_post(state, rkey, body["record"], now)
        if (lost := self.after_write(failure, request, "the record was written")) is not None:
            return lost
        answer = shaped(
            "createRecord",
            uri=post["uri"],
            cid=post["cid"],
            commit={"cid": _cid({"commit": post["uri"]}), "rev": _new_tid(now)},
            validationStatus="valid",
        )
        return httpx.Response(200, json=answer, headers=_limits(now, WRITE_POINTS_PER_HOUR - 3))

    # --- com.atproto.repo.getRecord ----------------------------------------------------------

    def _get(self, request: httpx.Request) -> httpx.Response:
        params = request.url.params
        for name in ("repo", "collection", "rkey"):
            if not params.get(name):
                return _error(400, "InvalidRequest", f'Error: Params must have the property "{name}"')
        with LOCK:
            owner = _owner(params["repo"])
            if owner is None:
                return _error(400, "InvalidRequest", f"Could not find repo: {params['repo']}")
            uri = f"at://{owner.tokens['did']}/{params['collection']}/{params['rkey']}"
            post = owner.posts.get(params["rkey"]) if params["collection"] == POST_COLLECTION else None
            if post is None:
                return _error(400, "RecordNotFound", f"Could not locate record: {uri}")
            answer = shaped("getRecord", uri=post["uri"], cid=post["cid"], value=post["record"])
        return httpx.Response(200, json=answer)

    # --- com.atproto.repo.deleteRecord -------------------------------------------------------

    def _delete(self, request: httpx.Request) -> httpx.Response:
        body = request_json(request)
        with LOCK:
            state = self.authorized(request)
            if not isinstance(body, dict) or not all(
                isinstance(body.get(k), str) for k in ("repo", "collection", "rkey")
            ):
                return _error(400, "InvalidRequest", "Input must have the properties repo, collection and rkey")
            if body["repo"] not in (state.tokens["did"], state.username):
                return _error(401, "AuthenticationRequired", "Authentication Required")
            if body["collection"] != POST_COLLECTION or state.posts.pop(body["rkey"], None) is None:
                return httpx.Response(200, json=shaped("deleteRecord"))  # nothing there: the PDS makes no commit
        commit = {"cid": _cid({"deleted": body["rkey"]}), "rev": _new_tid(simulated_now())}
        return httpx.Response(200, json=shaped("deleteRecord", commit=commit))

    # --- com.atproto.repo.uploadBlob ---------------------------------------------------------

    def _upload_blob(self, request: httpx.Request) -> httpx.Response:
        mime = request.headers.get("content-type", "")
        with LOCK:
            media = _media_of(self.authorized(request))
            if not mime or mime == "*/*":
                return _error(400, "InvalidRequest", "Request encoding (Content-Type) required but not provided")
            if not request.content:
                return _error(400, "InvalidRequest", "Request body is empty")
            blob = _blob(stable_digest("bsky-blob", request.content.hex()), mime, len(request.content))
            media.blobs[blob["ref"]["$link"]] = blob
        return httpx.Response(200, json=shaped("uploadBlob", blob=blob))

    # --- app.bsky.feed.getPosts --------------------------------------------------------------

    def _get_posts(self, request: httpx.Request) -> httpx.Response:
        uris = request.url.params.get_list("uris")
        with LOCK:
            self.authorized(request)
            if len(uris) > MAX_POST_URIS:
                return _error(400, "InvalidRequest", f"Error: uris must not have more than {MAX_POST_URIS} elements")
            found = [hit for uri in uris if (hit := _find_post(uri)) is not None]
            now = simulated_now()
            views = [_post_view(owner, post, now) for owner, post in found]
        return httpx.Response(200, json=shaped("getPosts", posts=views))

    # --- app.bsky.notification.listNotifications ---------------------------------------------

    def _list_notifications(self, request: httpx.Request) -> httpx.Response:
        params = request.url.params
        reasons = set(params.get_list("reasons")) or {"mention", "reply"}
        try:
            limit = int(params.get("limit", "50"))
            before = int(params["cursor"]) if "cursor" in params else None
        except ValueError:
            return _error(400, "InvalidRequest", "Error: limit must be an integer")
        if not 1 <= limit <= 100:
            return _error(400, "InvalidRequest", "Error: limit can not be greater than 100" if limit > 100
                          else "Error: limit can not be less than 1")
        now = simulated_now()
        with LOCK:
            state = self.authorized(request)
            did, handle = state.tokens["did"], state.username
            own = {post["uri"]: post for post in state.posts.values()}
        own_posts = [(uri, from_iso(post["indexed_at"])) for uri, post in own.items()]
        notifications: list[dict[str, Any]] = []
        more = False
        for mention in simulated_mentions(f"bluesky:{did}", f"@{handle}", now):
            if before is not None and _micros(mention.at) >= before:
                continue
            target = own.get(reply_target(own_posts, mention.at) or "") if mention.reply else None
            if ("reply" if target else "mention") not in reasons:
                continue
            if len(notifications) == limit:
                more = True
                break
            notifications.append(_notification(mention, target))
        body: dict[str, Any] = {"notifications": notifications}
        if more:
            body["cursor"] = str(_micros(from_iso(notifications[-1]["indexedAt"])))
        return httpx.Response(200, json=shaped("listNotifications", **body))

    # --- app.bsky.actor.getProfile -----------------------------------------------------------

    def _get_profile(self, request: httpx.Request) -> httpx.Response:
        actor = request.url.params.get("actor")
        if not actor:
            return _error(400, "InvalidRequest", 'Error: Params must have the property "actor"')
        with LOCK:
            self.authorized(request)
            owner = _owner(actor) or _owner(actor.lower())
            if owner is None:
                return _error(400, "InvalidRequest", "Profile not found")
            view = _profile_view(owner.tokens["did"], owner.username, posts=len(owner.posts))
        return httpx.Response(200, json=view)

    # --- com.atproto.identity.resolveHandle -------------------------------------------------

    def _resolve_handle(self, request: httpx.Request) -> httpx.Response:
        """No session needed, as on the PDS."""
        handle = request.url.params.get("handle")
        if not handle:
            return _error(400, "InvalidRequest", 'Error: Params must have the property "handle"')
        if not is_valid_handle(handle):
            return _error(400, "InvalidRequest", "Error: handle must be a valid handle")
        with LOCK:
            did = _did_of(self.state(), handle.lower())
        if did is None:
            return _recorded("resolveHandle_unknown")
        return httpx.Response(200, json=shaped("resolveHandle", did=did))

    # --- sessions ----------------------------------------------------------------------------

    def _refresh(self, request: httpx.Request) -> httpx.Response:
        presented = _bearer(request)
        now = simulated_now()
        with LOCK:
            state = self.state()
            if state.revoked:
                return _recorded("refreshSession_revoked")
            did, pds = state.tokens["did"], state.tokens.get("pds", DEFAULT_PDS)
            if presented == state.tokens["refresh_jwt"]:
                scope = (_verified(state.tokens["access_jwt"]) or {}).get("scope", "com.atproto.access")
                access, refresh = _session_tokens(did, pds, scope, state.token_generation + 1, now)
                state.rotate_tokens(
                    "access_jwt", "refresh_jwt", lambda kind, _: access if kind == "access" else refresh
                )
            elif presented != state.previous_tokens.get("refresh_jwt"):  # reuse within the grace period is fine
                return _error(401, "InvalidToken", "Token could not be verified")
            session = shaped(
                "refreshSession",
                accessJwt=state.tokens["access_jwt"],
                refreshJwt=state.tokens["refresh_jwt"],
                handle=state.username,
                did=did,
                didDoc=_did_document(did, state.username, pds),
                active=True,
            )
        return httpx.Response(200, json=session)

    def _delete_session(self, request: httpx.Request) -> httpx.Response:
        """Revokes the refresh token; the access token stops working too."""
        with LOCK:
            state = self.state()
            if state.revoked:
                return _recorded("refreshSession_revoked")
            if _bearer(request) != state.tokens["refresh_jwt"]:
                return _error(401, "InvalidToken", "Token could not be verified")
            state.revoked = state.token_expired = True
        return httpx.Response(200)

    def _service_auth(self, request: httpx.Request) -> httpx.Response:
        params = request.url.params
        now = simulated_now()
        with LOCK:
            did = self.authorized(request).tokens["did"]
        audience, method = params.get("aud", ""), params.get("lxm")
        if not is_valid_did(audience):
            return _error(400, "InvalidRequest", "Error: aud must be a valid did")
        try:
            expires = (
                datetime.fromtimestamp(int(params["exp"]), UTC) if "exp" in params else now + timedelta(seconds=60)
            )
        except ValueError:
            return _error(400, "InvalidRequest", "Error: exp must be an integer")
        if expires < now:
            return _error(400, "BadExpiration", "expiration is in past")
        if expires - now > (MAX_SERVICE_TOKEN_LIFETIME if method else MAX_METHODLESS_TOKEN_LIFETIME):
            return _error(400, "BadExpiration", "cannot request a token with an expiration that far in the future")
        claims = {"iat": int(now.timestamp()), "iss": did, "aud": audience, "exp": int(expires.timestamp())}
        if method:
            claims["lxm"] = method
        return httpx.Response(200, json=shaped("getServiceAuth_video_upload", token=_jwt("JWT", claims)))

    def refuse_token(self, state: SimulatedAccount, request: httpx.Request) -> httpx.Response | None:
        header = request.headers.get("authorization")
        if not header:
            return _error(401, "AuthMissing", "Authentication Required")
        presented = header.removeprefix("Bearer ")
        if presented == state.tokens["access_jwt"] and not state.token_expired:
            return None
        if presented in (state.tokens["access_jwt"], state.previous_tokens.get("access_jwt")):
            return _recorded("expired_token")
        return _error(401, "InvalidToken", "Token could not be verified")

    # --- video.bsky.app ----------------------------------------------------------------------

    def _upload_limits(self, request: httpx.Request) -> httpx.Response:
        with LOCK:
            state = self.state()
            refused = _refuse_service_token(request, state, VIDEO_SERVICE_DID, UPLOAD_LIMITS)
            if refused is not None:
                return refused
            jobs = _media_of(state).jobs.values()
            videos = max(DAILY_VIDEOS - len(jobs), 0)
            room = max(DAILY_VIDEO_BYTES - sum(job["size"] for job in jobs), 0)
        limits = shaped("getUploadLimits", canUpload=videos > 0, remainingDailyVideos=videos, remainingDailyBytes=room)
        return httpx.Response(200, json=limits)

    def _upload_video(self, request: httpx.Request) -> httpx.Response:
        params = request.url.params
        with LOCK:
            state = self.state()
            audience = f"did:web:{httpx.URL(state.tokens.get('pds', DEFAULT_PDS)).host}"
            refused = _refuse_service_token(request, state, audience, UPLOAD_BLOB)
            if refused is not None:
                return refused
            for name in ("did", "name"):
                if not params.get(name):
                    return _error(400, "InvalidRequest", f'Error: Params must have the property "{name}"')
            if params["did"] != state.tokens["did"]:
                return _error(401, "InvalidToken", "Token could not be verified")
            if request.headers.get("content-type") != "video/mp4" or not request.content:
                return _error(400, "InvalidRequest", "A video/mp4 body is required")
            return _new_or_earlier_job(_media_of(state), state.tokens["did"], request.content)

    def _job_status(self, request: httpx.Request) -> httpx.Response:
        """No session needed, as on video.bsky.app. Each poll moves the job on one step."""
        job_id = request.url.params.get("jobId")
        if not job_id:
            return _error(400, "InvalidRequest", 'Error: Params must have the property "jobId"')
        with LOCK:
            media = _media_of(self.state())
            job = media.jobs.get(job_id)
            if job is None:
                return _error(404, "NotFound", "Job not found")
            job["polls"] += 1
            if job["polls"] >= 2 and job["playable"]:
                media.blobs[job["blob"]["ref"]["$link"]] = job["blob"]
            return httpx.Response(200, json={"jobStatus": _job_view(job)})


# --- video jobs, called with LOCK held ---------------------------------------------------------


def _new_or_earlier_job(media: _Media, did: str, content: bytes) -> httpx.Response:
    """A new job for `content`, or the account's earlier one for the same video: still running
    (answered as uploaded), or finished (`already_exists`); a failed one is tried again."""
    digest = stable_digest("bsky-video", content.hex())
    earlier = next((job for job in media.jobs.values() if job["digest"] == digest and not _failed(job)), None)
    if earlier is not None and earlier["polls"] >= 2:
        answer = recording("uploadVideo_already_exists")["response"]
        body = shaped("uploadVideo_already_exists", did=did, jobId=earlier["id"], **_fixed(answer["body"]))
        return httpx.Response(answer["status"], json=body)
    job = earlier or _new_job(media, did, digest, content)
    return httpx.Response(200, json=shaped("uploadVideo", did=did, jobId=job["id"], state="JOB_STATE_CREATED"))


def _new_job(media: _Media, did: str, digest: bytes, content: bytes) -> dict[str, Any]:
    global _job_sequence
    _job_sequence += 1
    job_id = base64.b32hexencode(stable_digest("bsky-job", did, str(_job_sequence))[:12]).decode().lower()[:20]
    job = {
        "id": job_id,
        "did": did,
        "digest": digest,
        "size": len(content),
        "polls": 0,
        "playable": content[4:8] == b"ftyp",  # an MP4's first box
        "blob": _blob(stable_digest("bsky-processed", digest.hex()), "video/mp4", len(content)),
    }
    media.jobs[job_id] = job
    return job


def _failed(job: dict[str, Any]) -> bool:
    return job["polls"] >= 2 and not job["playable"]


def _job_view(job: dict[str, Any]) -> dict[str, Any]:
    """The job's app.bsky.video.defs#jobStatus: encoding at the first poll, finished at the second."""
    if job["polls"] < 2:
        return shaped(
            "getJobStatus_processing",
            "jobStatus",
            jobId=job["id"],
            did=job["did"],
            state="JOB_STATE_ENCODING",
            progress=50,
        )
    if job["playable"]:
        return shaped(
            "getJobStatus_completed",
            "jobStatus",
            jobId=job["id"],
            did=job["did"],
            state="JOB_STATE_COMPLETED",
            progress=100,
            blob=job["blob"],
        )
    failed = recording("getJobStatus_failed")["response"]["body"]["jobStatus"]
    return shaped(
        "getJobStatus_failed",
        "jobStatus",
        jobId=job["id"],
        did=job["did"],
        state=failed["state"],
        error=f"video processing error for job: {job['id']}",
        message=failed["message"],
    )


def _fixed(recorded: dict[str, Any]) -> dict[str, Any]:
    """A recorded answer's fields that are the same in every answer (error, message, state)."""
    return {key: recorded[key] for key in ("error", "message", "state") if key in recorded}


def _refuse_service_token(
    request: httpx.Request, state: SimulatedAccount, audience: str, method: str
) -> httpx.Response | None:
    """The video service's answer to a service token that is not this account's, for `audience`
    and `method`, unexpired; None when it is."""
    claims = _verified(_bearer(request))
    if claims is None or claims.get("iss") != state.tokens["did"]:
        return _error(401, "InvalidToken", "Token could not be verified")
    if claims.get("aud") != audience or claims.get("lxm") != method:
        return _error(401, "InvalidToken", f"Token is not for {audience} {method}")
    if not isinstance(claims.get("exp"), int) or claims["exp"] < simulated_now().timestamp():
        return _error(400, "ExpiredToken", "Token has expired")
    return None


# --- state, called with LOCK held ------------------------------------------------------------


def _owner(repo: str) -> SimulatedAccount | None:
    return next((s for s in accounts_on("bluesky") if repo in (s.tokens["did"], s.username)), None)


def _did_of(state: SimulatedAccount, handle: str) -> str | None:
    """The DID of a lower-cased handle: the account's own, another account's seen by this process,
    a stand-in for the rest of the network, or None."""
    for account in [state, *accounts_on("bluesky")]:
        if account.username.lower() == handle:
            return account.tokens["did"]
    return did_for_handle(handle) if handle.endswith(RESOLVABLE_SUFFIXES) else None


def _find_post(uri: str) -> tuple[SimulatedAccount, dict[str, Any]] | None:
    parts = uri.removeprefix("at://").split("/")
    if len(parts) != 3 or parts[1] != POST_COLLECTION:
        return None
    owner = _owner(parts[0])
    post = owner.posts.get(parts[2]) if owner else None
    return (owner, post) if owner and post else None


def _new_tid(now: datetime) -> str:
    global _clock_id
    _clock_id = (_clock_id + 1) % 1024
    return encode_tid(int(now.timestamp() * 1_000_000) << 10 | _clock_id)


def _store_post(state: SimulatedAccount, rkey: str, record: dict[str, Any], now: datetime) -> dict[str, Any]:
    uri = f"at://{state.tokens['did']}/{POST_COLLECTION}/{rkey}"
    post = {"uri": uri, "cid": _cid(record), "rkey": rkey, "record": record, "indexed_at": to_iso(now)}
    state.posts[rkey] = post
    return post


def _post_view(owner: SimulatedAccount, post: dict[str, Any], now: datetime) -> dict[str, Any]:
    """An app.bsky.feed.defs#postView with its counts at `now`, grown since the post was indexed;
    replyCount adds the real simulated replies."""
    grown = grown_metrics(post["uri"], from_iso(post["indexed_at"]), now)
    replies = sum(
        1
        for state in accounts_on("bluesky")
        for other in state.posts.values()
        if (other["record"].get("reply") or {}).get("parent", {}).get("uri") == post["uri"]
    )
    return shaped(
        "getPosts",
        "posts",
        0,
        uri=post["uri"],
        cid=post["cid"],
        author={"did": owner.tokens["did"], "handle": owner.username},
        record=post["record"],
        replyCount=grown["comments"] + replies,
        repostCount=grown["shares"],
        likeCount=grown["likes"],
        quoteCount=grown["quotes"],
        bookmarkCount=grown["saves"],
        indexedAt=post["indexed_at"],
        labels=[],
    )


def _micros(moment: datetime) -> int:
    return int(moment.timestamp() * 1_000_000)


def _notification(mention: SimulatedMention, target: dict[str, Any] | None) -> dict[str, Any]:
    """A simulated mention as a notification: a post by a made-up `.bsky.social` account, `reply`
    when it answers the account's post `target`."""
    handle = f"{mention.author.replace('_', '-')}.bsky.social"
    author_did = did_for_handle(handle)
    record: dict[str, Any] = {"$type": POST_COLLECTION, "text": mention.text, "createdAt": to_iso(mention.at)}
    if target is not None:
        parent = {"uri": target["uri"], "cid": target["cid"]}
        root = (target["record"].get("reply") or {}).get("root") or parent
        record["reply"] = {"root": root, "parent": parent}
    rkey = encode_tid(_micros(mention.at) << 10 | mention.number % 1024)
    fields: dict[str, Any] = {
        "uri": f"at://{author_did}/{POST_COLLECTION}/{rkey}", "cid": _cid(record),
        "author": {"did": author_did, "handle": handle, "displayName": mention.author_name},
        "reason": "reply" if target is not None else "mention", "record": record, "isRead": False,
        "indexedAt": to_iso(mention.at), "labels": [],
    }
    if target is not None:
        fields["reasonSubject"] = target["uri"]
    return shaped("listNotifications", "notifications", 0, **fields)


# --- validation and answers ------------------------------------------------------------------


def _invalid_create(state: SimulatedAccount, body: Any) -> httpx.Response | None:
    if not isinstance(body, dict):
        return _error(400, "InvalidRequest", "Input must be a JSON object")
    for name in ("repo", "collection", "record"):
        if name not in body:
            return _error(400, "InvalidRequest", f'Input must have the property "{name}"')
    if body["repo"] not in (state.tokens["did"], state.username):
        return _error(401, "AuthenticationRequired", "Authentication Required")
    if body["collection"] != POST_COLLECTION:
        return _error(400, "InvalidRequest", f"Lexicon not found: lex:{body['collection']}")
    rkey = body.get("rkey")
    if rkey is not None and (not isinstance(rkey, str) or not is_valid_tid(rkey)):
        return _error(400, "InvalidRequest", f"Invalid record key for {POST_COLLECTION}: {rkey!r} is not a TID")
    problem = _record_problem(body["record"])
    if problem:
        return _error(400, "InvalidRequest", f"Invalid {POST_COLLECTION} record: {problem}")
    return None


def _record_problem(record: Any) -> str | None:
    if not isinstance(record, dict):
        return "Record must be an object"
    if record.get("$type") != POST_COLLECTION:
        return f"Record/$type must be {POST_COLLECTION}"
    text = record.get("text")
    if not isinstance(text, str):
        return 'Record must have the property "text"'
    if grapheme_count(text) > MAX_GRAPHEMES:
        return f"Record/text must not be longer than {MAX_GRAPHEMES} graphemes"
    if utf8_length(text) > MAX_BYTES:
        return f"Record/text must not be longer than {MAX_BYTES} characters"
    try:
        from_iso(str(record.get("createdAt")))
    except ValueError:
        return "Record/createdAt must be an valid atproto datetime (both RFC-3339 and ISO-8601)"
    problem = _facets_problem(record.get("facets"), text.encode("utf-8")) or _embed_problem(record.get("embed"))
    if problem:
        return problem
    reply = record.get("reply")
    if reply is not None:
        refs = [reply.get(k) if isinstance(reply, dict) else None for k in ("root", "parent")]
        if not all(
            isinstance(ref, dict) and isinstance(ref.get("uri"), str) and isinstance(ref.get("cid"), str)
            for ref in refs
        ):
            return "Record/reply must have root and parent, each with uri and cid"
    return None


def _facets_problem(facets: Any, text: bytes) -> str | None:
    """What is wrong with the record's facets (lexicon, then ranges inside `text` and apart)."""
    if facets is None:
        return None
    if not isinstance(facets, list):
        return "Record/facets must be an array"
    ranges = []
    for n, facet in enumerate(facets):
        problem = _facet_problem(facet, f"Record/facets/{n}", text)
        if problem:
            return problem
        ranges.append((facet["index"]["byteStart"], facet["index"]["byteEnd"], n))
    ranges.sort()
    for (_, end, first), (start, _, second) in zip(ranges, ranges[1:], strict=False):
        if start < end:
            return f"Record/facets/{second} overlaps Record/facets/{first}"
    return None


def _facet_problem(facet: Any, path: str, text: bytes) -> str | None:
    index = facet.get("index") if isinstance(facet, dict) else None
    if not isinstance(index, dict) or not all(
        _is_int(index.get(k)) and index[k] >= 0 for k in ("byteStart", "byteEnd")
    ):
        return f"{path}/index must have byteStart and byteEnd, integers of at least 0"
    start, end = index["byteStart"], index["byteEnd"]
    if not start < end <= len(text):
        return f"{path}/index must be a byte range inside the text's {len(text)} UTF-8 bytes"
    if not (_on_boundary(text, start) and _on_boundary(text, end)):
        return f"{path}/index must start and end between UTF-8 characters"
    features = facet.get("features")
    if not isinstance(features, list) or not features:
        return f'{path} must have the property "features"'
    for n, feature in enumerate(features):
        problem = _feature_problem(feature, f"{path}/features/{n}")
        if problem:
            return problem
    return None


def _feature_problem(feature: Any, path: str) -> str | None:
    """A known feature's required property; other $types pass (the union is open)."""
    if not isinstance(feature, dict) or not isinstance(feature.get("$type"), str):
        return f'{path} must be an object which includes the "$type" property'
    kind = feature["$type"]
    if kind == MENTION_FEATURE and not (isinstance(feature.get("did"), str) and is_valid_did(feature["did"])):
        return f"{path}/did must be a valid did"
    if kind == LINK_FEATURE and not (isinstance(feature.get("uri"), str) and _is_uri(feature["uri"])):
        return f"{path}/uri must be a uri"
    if kind == TAG_FEATURE:
        tag = feature.get("tag")
        if not isinstance(tag, str):
            return f'{path} must have the property "tag"'
        if grapheme_count(tag) > MAX_TAG_GRAPHEMES or utf8_length(tag) > MAX_TAG_BYTES:
            return f"{path}/tag must not be longer than {MAX_TAG_GRAPHEMES} graphemes"
    return None


def _embed_problem(embed: Any) -> str | None:
    """The lexicon of the embeds Herald sends (images, video, external); other $types pass."""
    if embed is None:
        return None
    if not isinstance(embed, dict) or not isinstance(embed.get("$type"), str):
        return 'Record/embed must be an object which includes the "$type" property'
    kind = embed["$type"]
    if kind == EXTERNAL_EMBED:
        return _external_problem(embed.get("external"))
    if kind == IMAGES_EMBED:
        return _images_problem(embed.get("images"))
    if kind == VIDEO_EMBED:
        if not is_blob(embed.get("video")):
            return "Record/embed/video should be a blob ref"
        if "alt" in embed and not isinstance(embed["alt"], str):
            return "Record/embed/alt must be a string"
        return _aspect_ratio_problem(embed.get("aspectRatio"), "Record/embed/aspectRatio")
    return None


def _external_problem(external: Any) -> str | None:
    if not isinstance(external, dict):
        return 'Record/embed must have the property "external"'
    for name in ("uri", "title", "description"):
        if name not in external:
            return f'Record/embed/external must have the property "{name}"'
        if not isinstance(external[name], str):
            return f"Record/embed/external/{name} must be a string"
    if not _is_uri(external["uri"]):
        return "Record/embed/external/uri must be a uri"
    if "thumb" in external and not is_blob(external["thumb"]):
        return "Record/embed/external/thumb should be a blob ref"
    return None


def _images_problem(images: Any) -> str | None:
    if not isinstance(images, list):
        return 'Record/embed must have the property "images"'
    if len(images) > MAX_IMAGES:
        return f"Record/embed/images must not have more than {MAX_IMAGES} elements"
    for n, image in enumerate(images):
        path = f"Record/embed/images/{n}"
        if not isinstance(image, dict) or not isinstance(image.get("alt"), str):
            return f'{path} must have the property "alt"'
        if not is_blob(image.get("image")):
            return f"{path}/image should be a blob ref"
        if problem := _aspect_ratio_problem(image.get("aspectRatio"), f"{path}/aspectRatio"):
            return problem
    return None


def _aspect_ratio_problem(ratio: Any, path: str) -> str | None:
    if ratio is None:
        return None
    if not isinstance(ratio, dict) or not all(_is_int(ratio.get(k)) and ratio[k] >= 1 for k in ("width", "height")):
        return f"{path} must have width and height, integers of at least 1"
    return None


def _blob_refusal(embed: Any, media: _Media) -> httpx.Response | None:
    """The PDS's answer when a blob the embed refers to was not uploaded by the account, or is
    not of the type or size the embed takes; None when they all are."""
    for blob, accepted, limit in _embedded_blobs(embed):
        cid = blob["ref"]["$link"]
        held = media.blobs.get(cid)
        if held is None:
            return _error(400, "BlobNotFound", f"Could not find blob: {cid}")
        if not held["mimeType"].startswith(accepted):
            return _error(
                400, "InvalidMimeType", f"Wrong type of file. It is {held['mimeType']} but it must match {accepted}*."
            )
        if held["size"] > limit:
            return _error(
                400, "BlobTooLarge", f"This file is too large. It is {held['size']} but the maximum size is {limit}."
            )
    return None


def _embedded_blobs(embed: Any) -> list[tuple[dict[str, Any], str, int]]:
    """Each blob in a (valid) embed, with the type prefix and size its lexicon accepts."""
    if not isinstance(embed, dict):
        return []
    if embed.get("$type") == IMAGES_EMBED:
        return [(image["image"], "image/", _MAX_IMAGE_BYTES) for image in embed["images"]]
    if embed.get("$type") == VIDEO_EMBED:
        return [(embed["video"], "video/mp4", _MAX_VIDEO_BYTES)]
    if embed.get("$type") == EXTERNAL_EMBED and "thumb" in embed["external"]:
        return [(embed["external"]["thumb"], "image/", _MAX_IMAGE_BYTES)]
    return []


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_uri(value: str) -> bool:
    """The lexicon's `uri` format, loosely: a scheme, a colon, and no spaces."""
    scheme, colon, rest = value.partition(":")
    return bool(colon and rest and scheme[:1].isalpha() and scheme.isascii() and not any(c.isspace() for c in value))


def _on_boundary(text: bytes, offset: int) -> bool:
    """Whether `offset` falls between two UTF-8 characters (not on a continuation byte)."""
    return offset == len(text) or text[offset] & 0xC0 != 0x80


def _error(status: int, name: str, message: str) -> httpx.Response:
    return httpx.Response(status, json={"error": name, "message": message})


def _recorded(name: str, *, headers: dict[str, str] | None = None) -> httpx.Response:
    """The recorded answer `name`, with `headers` instead of the recorded ones when given."""
    response = recording(name)["response"]
    return httpx.Response(response["status"], json=response["body"], headers=headers or response.get("headers"))


def _limits(now: datetime, remaining: int) -> dict[str, str]:
    return {
        "RateLimit-Limit": str(WRITE_POINTS_PER_HOUR),
        "RateLimit-Remaining": str(remaining),
        "RateLimit-Reset": str(int(now.timestamp()) + 60),
        "RateLimit-Policy": f"{WRITE_POINTS_PER_HOUR};w=3600",
    }
