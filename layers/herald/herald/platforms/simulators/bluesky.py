"""Simulated Bluesky PDS (XRPC) for test-mode accounts.

Answers the calls `BlueskyPlatform` makes, in the PDS's shapes: `{"error", "message"}` bodies,
`RateLimit-*` headers, at:// uris with TID record keys, `bafyrei...` CIDs, JWT-shaped session
tokens. It validates what the PDS does: the session token, the post record (300 graphemes, 3000
bytes, $type, createdAt, facets, reply refs) and the record key (a TID, not yet taken). A taken
key is answered as the PDS answers it today: 500 InternalServerError (atproto#3718).
Failure injection: see `herald.platforms.simulators`; `duplicate` answers that taken-key 500."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from typing import Any

import httpx

from herald.clock import from_iso, to_iso
from herald.platforms.bluesky import (
    DEFAULT_PDS,
    MAX_BYTES,
    MAX_GRAPHEMES,
    POST_COLLECTION,
    encode_tid,
    is_valid_tid,
    utf8_length,
)
from herald.platforms.simulators import LOCK, SimulatedAccount, accounts_on, stable_digest
from herald.platforms.simulators.common import Simulator, request_json
from herald.text.graphemes import grapheme_count

WRITE_POINTS_PER_HOUR = 5000
MAX_POST_URIS = 25
_clock_id = 0  # the low bits of generated TIDs, process-wide (guarded by LOCK)


def initial_tokens(account_id: str, username: str) -> dict[str, str]:
    did = did_for(account_id)
    return {"did": did, "access_jwt": _jwt(did, "access", 0), "refresh_jwt": _jwt(did, "refresh", 0)}


def did_for(account_id: str) -> str:
    """A did:plc (24 base32 characters), the same for the account in every process."""
    return "did:plc:" + base64.b32encode(stable_digest("bsky-did", account_id)[:15]).decode("ascii").lower()


def _jwt(did: str, kind: str, generation: int) -> str:
    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value, separators=(",", ":")).encode()).decode().rstrip("=")

    header = {"typ": "at+jwt" if kind == "access" else "refresh+jwt", "alg": "ES256K"}
    scope = "com.atproto.access" if kind == "access" else "com.atproto.refresh"
    claims = {"scope": scope, "sub": did, "aud": "did:web:bsky.social", "jti": f"{kind}-{generation}"}
    signature = base64.urlsafe_b64encode(stable_digest("bsky-jwt", did, kind, str(generation))).decode().rstrip("=")
    return f"{part(header)}.{part(claims)}.{signature}"


def _cid(value: Any) -> str:
    """A CIDv1 (dag-cbor, sha-256) in base32, over the JSON form of `value`."""
    digest = stable_digest("bsky-cid", json.dumps(value, sort_keys=True, ensure_ascii=False))
    return "b" + base64.b32encode(b"\x01\x71\x12\x20" + digest).decode("ascii").lower().rstrip("=")


class BlueskySimulator(Simulator):
    network = "bluesky"

    def route(self, request: httpx.Request) -> httpx.Response:
        with LOCK:
            pds = self.state().tokens.get("pds", DEFAULT_PDS)
        if request.url.host not in (httpx.URL(pds).host, httpx.URL(DEFAULT_PDS).host):
            raise httpx.ConnectError(f"the Bluesky simulator does not serve {request.url.host}", request=request)
        if not request.url.path.startswith("/xrpc/"):
            return httpx.Response(404, text="Not Found")
        nsid = request.url.path.removeprefix("/xrpc/")
        routes = {
            "com.atproto.repo.createRecord": ("POST", self._create),
            "com.atproto.repo.getRecord": ("GET", self._get),
            "com.atproto.repo.deleteRecord": ("POST", self._delete),
            "app.bsky.feed.getPosts": ("GET", self._get_posts),
            "com.atproto.server.refreshSession": ("POST", self._refresh),
        }
        if nsid not in routes:
            return _error(501, "MethodNotImplemented", "Method Not Implemented")
        method, handler = routes[nsid]
        if request.method != method:
            return _error(400, "InvalidRequest", f"Incorrect HTTP method ({request.method}) expected {method}")
        return handler(request)

    # --- com.atproto.repo.createRecord -------------------------------------------------------

    def _create(self, request: httpx.Request) -> httpx.Response:
        now = datetime.now(UTC)
        with LOCK:
            failure = self.take_create_failure(request)
            if failure == "rate_limited":
                return _error(429, "RateLimitExceeded", "Rate Limit Exceeded", headers=_limits(now, 0))
            if failure == "server_error":
                return _error(503, "NotEnoughResources", "Service Unavailable")
            if failure == "duplicate":
                return _error(500, "InternalServerError", "Internal Server Error")
            state = self.authorized(request)
            body = request_json(request)
            invalid = _invalid_create(state, body)
            if invalid is not None:
                return invalid
            rkey = body.get("rkey") or _new_tid(now)
            if rkey in state.posts:
                return _error(500, "InternalServerError", "Internal Server Error")
            post = _store_post(state, rkey, body["record"], now)
        if (lost := self.after_write(failure, request, "the record was written")) is not None:
            return lost
        answer = {
            "uri": post["uri"],
            "cid": post["cid"],
            "commit": {"cid": _cid({"commit": post["uri"]}), "rev": _new_tid(now)},
            "validationStatus": "valid",
        }
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
            answer = {"uri": post["uri"], "cid": post["cid"], "value": post["record"]}
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
                return httpx.Response(200, json={})  # nothing there: the PDS makes no commit
        return httpx.Response(
            200, json={"commit": {"cid": _cid({"deleted": body["rkey"]}), "rev": _new_tid(datetime.now(UTC))}}
        )

    # --- app.bsky.feed.getPosts --------------------------------------------------------------

    def _get_posts(self, request: httpx.Request) -> httpx.Response:
        uris = request.url.params.get_list("uris")
        with LOCK:
            self.authorized(request)
            if len(uris) > MAX_POST_URIS:
                return _error(400, "InvalidRequest", f"Error: uris must not have more than {MAX_POST_URIS} elements")
            found = [hit for uri in uris if (hit := _find_post(uri)) is not None]
            views = [_post_view(owner, post) for owner, post in found]
        return httpx.Response(200, json={"posts": views})

    # --- com.atproto.server.refreshSession ---------------------------------------------------

    def _refresh(self, request: httpx.Request) -> httpx.Response:
        presented = request.headers.get("authorization", "").removeprefix("Bearer ")
        with LOCK:
            state = self.state()
            if state.revoked:
                return _error(400, "ExpiredToken", "Token has been revoked")
            if presented == state.tokens["refresh_jwt"]:
                did = state.tokens["did"]
                state.rotate_tokens("access_jwt", "refresh_jwt", lambda kind, generation: _jwt(did, kind, generation))
            elif presented != state.previous_tokens.get("refresh_jwt"):  # reuse within the grace period is fine
                return _error(401, "InvalidToken", "Token could not be verified")
            session = {
                "accessJwt": state.tokens["access_jwt"],
                "refreshJwt": state.tokens["refresh_jwt"],
                "handle": state.username,
                "did": state.tokens["did"],
                "active": True,
            }
        return httpx.Response(200, json=session)

    def refuse_token(self, state: SimulatedAccount, request: httpx.Request) -> httpx.Response | None:
        header = request.headers.get("authorization")
        if not header:
            return _error(401, "AuthMissing", "Authentication Required")
        presented = header.removeprefix("Bearer ")
        if presented == state.tokens["access_jwt"] and not state.token_expired:
            return None
        if presented in (state.tokens["access_jwt"], state.previous_tokens.get("access_jwt")):
            return _error(400, "ExpiredToken", "Token has expired")
        return _error(401, "InvalidToken", "Token could not be verified")


# --- state, called with LOCK held ------------------------------------------------------------


def _owner(repo: str) -> SimulatedAccount | None:
    return next((s for s in accounts_on("bluesky") if repo in (s.tokens["did"], s.username)), None)


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


def _post_view(owner: SimulatedAccount, post: dict[str, Any]) -> dict[str, Any]:
    """An app.bsky.feed.defs#postView with stable made-up counts; replies are the real ones."""
    seed = stable_digest("bsky-metrics", post["uri"])
    replies = sum(
        1
        for state in accounts_on("bluesky")
        for other in state.posts.values()
        if (other["record"].get("reply") or {}).get("parent", {}).get("uri") == post["uri"]
    )
    return {
        "uri": post["uri"],
        "cid": post["cid"],
        "author": {"did": owner.tokens["did"], "handle": owner.username},
        "record": post["record"],
        "replyCount": replies,
        "repostCount": seed[0] % 20,
        "likeCount": seed[1] % 100,
        "quoteCount": seed[2] % 5,
        "bookmarkCount": seed[3] % 10,
        "indexedAt": post["indexed_at"],
        "labels": [],
    }


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
    for facet in record.get("facets") or []:
        index = facet.get("index") if isinstance(facet, dict) else None
        if not isinstance(index, dict) or not all(
            isinstance(index.get(k), int) and index[k] >= 0 for k in ("byteStart", "byteEnd")
        ):
            return "Record/facets/index must have byteStart and byteEnd, integers of at least 0"
        if not facet.get("features"):
            return 'Record/facets must have the property "features"'
    reply = record.get("reply")
    if reply is not None:
        refs = [reply.get(k) if isinstance(reply, dict) else None for k in ("root", "parent")]
        if not all(
            isinstance(ref, dict) and isinstance(ref.get("uri"), str) and isinstance(ref.get("cid"), str)
            for ref in refs
        ):
            return "Record/reply must have root and parent, each with uri and cid"
    return None


def _error(status: int, name: str, message: str, *, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(status, json={"error": name, "message": message}, headers=headers)


def _limits(now: datetime, remaining: int) -> dict[str, str]:
    return {
        "RateLimit-Limit": str(WRITE_POINTS_PER_HOUR),
        "RateLimit-Remaining": str(remaining),
        "RateLimit-Reset": str(int(now.timestamp()) + 60),
        "RateLimit-Policy": f"{WRITE_POINTS_PER_HOUR};w=3600",
    }
