"""Simulated Bluesky PDS (XRPC) for test-mode accounts.

Answers the calls `BlueskyPlatform` makes, in the PDS's shapes: `{"error", "message"}` bodies,
`RateLimit-*` headers, at:// uris with TID record keys, `bafyrei...` CIDs, JWT-shaped session
tokens. It validates what the PDS does: the session token, the post record (300 graphemes, 3000
bytes, $type, createdAt, facets, reply refs, the external embed's uri, title and description)
and the record key (a TID, not yet taken). Record problems are answered as the PDS answers a
record that fails lexicon validation: 400 InvalidRequest "Invalid app.bsky.feed.post record: ...".
A taken key is answered as the PDS answers it today: 500 InternalServerError (atproto#3718).

Facets are checked more strictly than the PDS, which checks only their lexicon (integer offsets
of at least 0, a mention's DID syntax, a tag's length): here their byte ranges must also lie inside
the UTF-8 text, on character boundaries, and must not overlap. Bluesky's app ignores or garbles
such facets without an error, so an adapter bug would otherwise publish silently.

`com.atproto.identity.resolveHandle` knows the handles of the accounts this process has seen
(their own DIDs) and, as stand-ins for the rest of the network, every handle ending in
`.bsky.social` or `.test` (a did:plc derived from the handle); any other handle is answered
400 InvalidRequest "Unable to resolve handle", as the PDS answers a handle with no DID.
Failure injection: see `herald.platforms.simulators`; it applies to createRecord only (the handle
lookups before it are never failed); `duplicate` answers that taken-key 500."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from typing import Any

import httpx

from herald.clock import from_iso, to_iso
from herald.platforms.bluesky import (
    DEFAULT_PDS,
    EXTERNAL_EMBED,
    LINK_FEATURE,
    MAX_BYTES,
    MAX_GRAPHEMES,
    MAX_TAG_BYTES,
    MAX_TAG_GRAPHEMES,
    MENTION_FEATURE,
    POST_COLLECTION,
    TAG_FEATURE,
    encode_tid,
    is_valid_did,
    is_valid_handle,
    is_valid_tid,
    utf8_length,
)
from herald.platforms.simulators import LOCK, SimulatedAccount, accounts_on, stable_digest
from herald.platforms.simulators.common import Simulator, request_json
from herald.text.graphemes import grapheme_count

WRITE_POINTS_PER_HOUR = 5000
MAX_POST_URIS = 25
RESOLVABLE_SUFFIXES = (".bsky.social", ".test")  # handles the simulated network knows besides its accounts'
_clock_id = 0  # the low bits of generated TIDs, process-wide (guarded by LOCK)


def initial_tokens(account_id: str, username: str) -> dict[str, str]:
    did = did_for(account_id)
    return {"did": did, "access_jwt": _jwt(did, "access", 0), "refresh_jwt": _jwt(did, "refresh", 0)}


def did_for(account_id: str) -> str:
    """A did:plc (24 base32 characters), the same for the account in every process."""
    return "did:plc:" + base64.b32encode(stable_digest("bsky-did", account_id)[:15]).decode("ascii").lower()


def did_for_handle(handle: str) -> str:
    """The did:plc the simulated network gives a handle that belongs to no account it has seen."""
    return "did:plc:" + base64.b32encode(stable_digest("bsky-handle", handle.lower())[:15]).decode("ascii").lower()


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
            "com.atproto.identity.resolveHandle": ("GET", self._resolve_handle),
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
            return _error(400, "InvalidRequest", "Unable to resolve handle")
        return httpx.Response(200, json={"did": did})

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
    """The external embed's required uri, title and description; a thumb must be a blob."""
    if embed is None:
        return None
    if not isinstance(embed, dict) or not isinstance(embed.get("$type"), str):
        return 'Record/embed must be an object which includes the "$type" property'
    if embed["$type"] != EXTERNAL_EMBED:
        return None
    external = embed.get("external")
    if not isinstance(external, dict):
        return 'Record/embed must have the property "external"'
    for name in ("uri", "title", "description"):
        if name not in external:
            return f'Record/embed/external must have the property "{name}"'
        if not isinstance(external[name], str):
            return f"Record/embed/external/{name} must be a string"
    if not _is_uri(external["uri"]):
        return "Record/embed/external/uri must be a uri"
    thumb = external.get("thumb")
    if thumb is not None and not (isinstance(thumb, dict) and thumb.get("$type") == "blob"):
        return "Record/embed/external/thumb should be a blob ref"
    return None


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_uri(value: str) -> bool:
    """The lexicon's `uri` format, loosely: a scheme, a colon, and no spaces."""
    scheme, colon, rest = value.partition(":")
    return bool(colon and rest and scheme[:1].isalpha() and scheme.isascii() and not any(c.isspace() for c in value))


def _on_boundary(text: bytes, offset: int) -> bool:
    """Whether `offset` falls between two UTF-8 characters (not on a continuation byte)."""
    return offset == len(text) or text[offset] & 0xC0 != 0x80


def _error(status: int, name: str, message: str, *, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(status, json={"error": name, "message": message}, headers=headers)


def _limits(now: datetime, remaining: int) -> dict[str, str]:
    return {
        "RateLimit-Limit": str(WRITE_POINTS_PER_HOUR),
        "RateLimit-Remaining": str(remaining),
        "RateLimit-Reset": str(int(now.timestamp()) + 60),
        "RateLimit-Policy": f"{WRITE_POINTS_PER_HOUR};w=3600",
    }
