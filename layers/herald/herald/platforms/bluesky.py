"""Bluesky adapter: AT Protocol XRPC calls to the account's PDS with its session tokens.

Each post is written under a record key derived from the target key (`record_key_for`), so a
second create for the same target cannot make a second post: the PDS refuses a record key that
is taken. Today it refuses with HTTP 500 (bluesky-social/atproto#3718, indigo#873; atproto#4728
proposes a named error). `publish` therefore looks the key up after any failed create and adopts
a record it finds, and `reconcile` decides by the same lookup. Media upload is not built yet:
content with media is refused (`media_unsupported`) before any call."""

from __future__ import annotations

import hashlib
import re
from typing import Any

import httpx

from herald.clock import Clock, SystemClock, to_iso
from herald.platforms import http
from herald.platforms.base import (
    Credentials,
    ErrorClass,
    MediaLimits,
    Platform,
    PlatformError,
    PostContent,
    PublishedPost,
    ReconcileOutcome,
    Reconciliation,
    TextLimits,
)
from herald.text.graphemes import grapheme_count

DEFAULT_PDS = "https://bsky.social"
POST_COLLECTION = "app.bsky.feed.post"
LINK_FEATURE = "app.bsky.richtext.facet#link"
MAX_GRAPHEMES = 300
MAX_BYTES = 3000
METRICS_BATCH_SIZE = 25  # app.bsky.feed.getPosts takes at most 25 uris
TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"
_TID = re.compile(r"^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$")
_LINK = re.compile(r"(?:^|(?<=[\s(]))https?://\S+", re.IGNORECASE)

_REFRESH_NAMES = frozenset({"ExpiredToken"})
_RECONNECT_NAMES = frozenset(
    {"InvalidToken", "AuthenticationRequired", "AuthMissing", "AccountTakedown", "AccountDeactivated"}
)
_TRANSIENT_NAMES = frozenset({"ConcurrentWrites", "InvalidSwap", "UpstreamFailure", "UpstreamTimeout"})
_NETWORK = "Bluesky"  # in messages
_RESET_HEADER = "ratelimit-reset"  # Unix seconds


def record_key_for(target_key: str) -> str:
    """The post's record key: a TID (13 base32-sortable characters) made from SHA-256(target_key).

    The first 8 bytes of the digest, big-endian, with the top 4 bits cleared, are written as 13
    base32-sortable digits. TID syntax requires the top bit 0 (the first character is one of
    2-7a-j); clearing the next three as well puts the TID's timestamp part (microseconds since
    1970) before 2005, so the key never looks like a record from the future. 60 bits remain, so
    two targets of one account collide with probability about n^2 / 2^61."""
    value = int.from_bytes(hashlib.sha256(target_key.encode("utf-8")).digest()[:8], "big") & ((1 << 60) - 1)
    return encode_tid(value)


def encode_tid(value: int) -> str:
    """A 63-bit integer as a TID: 13 base32-sortable digits, most significant first."""
    return "".join(TID_ALPHABET[(value >> shift) & 31] for shift in range(60, -1, -5))


def is_valid_tid(rkey: str) -> bool:
    return bool(_TID.match(rkey))


def utf8_length(text: str) -> int:
    return len(text.encode("utf-8"))


def link_facets(text: str) -> list[dict[str, Any]]:
    """Link facets for the http(s) URLs in `text`, with UTF-8 byte offsets (end exclusive).

    Trailing punctuation is trimmed as Bluesky's own detector does: one of .,;:!? and then a
    closing parenthesis the URL did not open."""
    facets = []
    for match in _LINK.finditer(text):
        url = match.group()
        if url[-1] in ".,;:!?":
            url = url[:-1]
        if url.endswith(")") and "(" not in url:
            url = url[:-1]
        host = re.sub(r"^https?://", "", url, flags=re.IGNORECASE).split("/")[0]
        if "." not in host.strip("."):
            continue
        start = utf8_length(text[: match.start()])
        facets.append(
            {
                "index": {"byteStart": start, "byteEnd": start + utf8_length(url)},
                "features": [{"$type": LINK_FEATURE, "uri": url}],
            }
        )
    return facets


class BlueskyPlatform(Platform):
    name = "bluesky"
    text_limits = TextLimits(max_length=MAX_GRAPHEMES, counting="graphemes")
    # The lexicon allows 2 MB images and 300 MB video; older PDS and AppView deployments
    # still refuse more than 1 MB and 100 MB.
    media_limits = MediaLimits(
        max_items=4,
        image_types=("image/jpeg", "image/png", "image/webp", "image/gif"),
        video_types=("video/mp4",),
        max_image_bytes=1_000_000,
        max_video_bytes=100_000_000,
    )

    def __init__(self, client: httpx.Client, credentials: Credentials, clock: Clock | None = None) -> None:
        super().__init__(client, credentials)
        self.clock = clock or SystemClock()

    # --- posts -------------------------------------------------------------------------------

    def publish(self, content: PostContent) -> PublishedPost:
        return self._create_post(content, reply=None)

    def reply(self, parent: PublishedPost, content: PostContent) -> PublishedPost:
        parent_ref = self._strong_ref(parent)
        root = parent.extra.get("root")
        root_ref = root if _is_strong_ref(root) else parent_ref
        return self._create_post(content, reply={"root": root_ref, "parent": parent_ref})

    def _create_post(self, content: PostContent, reply: dict[str, Any] | None) -> PublishedPost:
        http.refuse_media(content, _NETWORK, "blob upload")
        record: dict[str, Any] = {"$type": POST_COLLECTION, "text": content.text, "createdAt": to_iso(self.clock.now())}
        facets = link_facets(content.text)
        if facets:
            record["facets"] = facets
        if reply:
            record["reply"] = reply
        if content.options.get("langs"):
            record["langs"] = list(content.options["langs"])
        body: dict[str, Any] = {"repo": self.token("did"), "collection": POST_COLLECTION, "record": record}
        rkey = record_key_for(content.target_key) if content.target_key else None
        if rkey:
            body["rkey"] = rkey
        try:
            response = self._call("POST", "com.atproto.repo.createRecord", json=body)
            created = http.json_object(self, response)
            if not isinstance(created.get("uri"), str) or not isinstance(created.get("cid"), str):
                raise http.malformed(_NETWORK, response, "no uri and cid for the created record")
        except PlatformError as refused:
            earlier = self._earlier_attempt(rkey, refused)
            if earlier is None:
                raise
            return earlier
        return self._published(created["uri"], created["cid"], reply)

    def _earlier_attempt(self, rkey: str | None, refused: PlatformError) -> PublishedPost | None:
        """The record an earlier attempt wrote under `rkey`, when the create failed in a way a
        taken key (or a lost answer) can explain; None otherwise, or when that cannot be told."""
        if rkey is None or refused.code == "rate_limited":
            return None
        if refused.error_class not in (ErrorClass.RETRY, ErrorClass.PERMANENT):
            return None
        try:
            return self._find_record(self.token("did"), rkey)
        except PlatformError:
            return None

    def _published(self, uri: str, cid: str, reply: dict[str, Any] | None) -> PublishedPost:
        rkey = uri.rsplit("/", 1)[-1]
        extra: dict[str, Any] = {"uri": uri, "cid": cid}
        if reply:
            extra["root"] = reply["root"]
        return PublishedPost(
            platform_post_id=uri, url=f"https://bsky.app/profile/{self._handle()}/post/{rkey}", extra=extra
        )

    def _find_record(self, repo: str, rkey: str) -> PublishedPost | None:
        """The post at `rkey`, or None when the PDS says there is none; raises when it cannot tell."""
        params = {"repo": repo, "collection": POST_COLLECTION, "rkey": rkey}
        response = self._send("GET", "com.atproto.repo.getRecord", authenticated=False, params=params)
        if response.status_code in (400, 404) and _is_record_not_found(response):
            return None
        found = http.json_object(self, http.succeeded(self, response))
        if not isinstance(found.get("uri"), str) or not isinstance(found.get("cid"), str):
            raise http.malformed(_NETWORK, response, "no uri and cid for the record")
        value = found.get("value") if isinstance(found.get("value"), dict) else {}
        reply = value.get("reply")
        if not (isinstance(reply, dict) and _is_strong_ref(reply.get("root"))):
            reply = None
        return self._published(found["uri"], found["cid"], reply)

    def _strong_ref(self, post: PublishedPost) -> dict[str, str]:
        uri = str(post.extra.get("uri") or post.platform_post_id)
        cid = post.extra.get("cid")
        if isinstance(cid, str) and cid:
            return {"uri": uri, "cid": cid}
        repo, _, rkey = _split_post_uri(uri)
        found = self._find_record(repo, rkey)
        if found is None:
            raise PlatformError(ErrorClass.PERMANENT, "not_found", f"The post to reply to is gone: {uri}.")
        return {"uri": found.extra["uri"], "cid": found.extra["cid"]}

    def delete(self, platform_post_id: str) -> None:
        """Deleting a record that is not there succeeds on the PDS, as it does here."""
        _, collection, rkey = _split_post_uri(self._post_uri(platform_post_id))
        body = {"repo": self.token("did"), "collection": collection, "rkey": rkey}
        self._call("POST", "com.atproto.repo.deleteRecord", json=body)

    def _post_uri(self, platform_post_id: str) -> str:
        """Post ids are at:// uris; a bare record key is accepted too."""
        if platform_post_id.startswith("at://"):
            return platform_post_id
        return f"at://{self.token('did')}/{POST_COLLECTION}/{platform_post_id}"

    # --- metrics -----------------------------------------------------------------------------

    def metrics(self, platform_post_ids: list[str]) -> dict[str, dict[str, int]]:
        """Metrics of the posts the AppView still shows; deleted posts are left out."""
        ids_by_uri = {self._post_uri(post_id): post_id for post_id in platform_post_ids}
        found: dict[str, dict[str, int]] = {}
        for batch in http.batches(list(ids_by_uri), METRICS_BATCH_SIZE):
            response = self._call("GET", "app.bsky.feed.getPosts", params=[("uris", uri) for uri in batch])
            for view in http.json_object(self, response).get("posts") or []:
                if isinstance(view, dict) and view.get("uri") in ids_by_uri:
                    found[ids_by_uri[view["uri"]]] = _normalized_metrics(view)
        return found

    # --- reconcile ---------------------------------------------------------------------------

    def reconcile(self, content: PostContent) -> Reconciliation:
        if not content.target_key:  # without a derived record key there is nothing to look up
            return Reconciliation(ReconcileOutcome.UNKNOWN)
        try:
            found = self._find_record(self.token("did"), record_key_for(content.target_key))
        except PlatformError:
            return Reconciliation(ReconcileOutcome.UNKNOWN)
        if found is None:
            return Reconciliation(ReconcileOutcome.ABSENT)
        return Reconciliation(ReconcileOutcome.FOUND, found)

    # --- credentials -------------------------------------------------------------------------

    def refresh_credentials(self) -> Credentials:
        refresh_jwt = self.token("refresh_jwt")
        headers = {"Authorization": f"Bearer {refresh_jwt}"}
        response = http.send(self, "POST", self._xrpc("com.atproto.server.refreshSession"), headers=headers)
        if response.status_code in (400, 401):
            refusal = http.body_of(response) or {}
            raise PlatformError(
                ErrorClass.RECONNECT,
                "account_disconnected",
                f"Bluesky refused the session refresh: {refusal.get('message') or refusal.get('error') or 'refused'}",
                platform_code=_platform_code(response.status_code, refusal),
            )
        session = http.json_object(self, http.succeeded(self, response))
        if not isinstance(session.get("accessJwt"), str) or not isinstance(session.get("refreshJwt"), str):
            raise http.malformed(_NETWORK, response, "no accessJwt and refreshJwt in the session")
        tokens = {**self.credentials.tokens, "access_jwt": session["accessJwt"], "refresh_jwt": session["refreshJwt"]}
        if isinstance(session.get("did"), str):
            tokens["did"] = session["did"]
        handle = session.get("handle") if isinstance(session.get("handle"), str) else self.credentials.username
        return Credentials(account_id=self.credentials.account_id, username=handle, tokens=tokens)

    # --- errors ------------------------------------------------------------------------------

    def classify_error(self, response: httpx.Response | None, exc: Exception | None = None) -> PlatformError:
        if response is None:
            return http.transport_error(_NETWORK, exc)
        if response.is_success:
            return http.malformed(_NETWORK, response, "the body is not the JSON object the lexicon describes")
        status = response.status_code
        body = http.body_of(response) or {}
        name = str(body.get("error") or "")
        code = _platform_code(status, body)
        message = str(body.get("message") or name or f"Bluesky answered HTTP {status}.")
        if name in _REFRESH_NAMES:
            return PlatformError(ErrorClass.REFRESH, "token_expired", message, platform_code=code)
        if name in _RECONNECT_NAMES or status == 403:
            return PlatformError(ErrorClass.RECONNECT, "account_disconnected", message, platform_code=code)
        if status == 429 or name == "RateLimitExceeded":
            retry_at = http.reset_time(response, _RESET_HEADER)
            return PlatformError(ErrorClass.RETRY, "rate_limited", message, platform_code=code, retry_at=retry_at)
        if status >= 500 or name in _TRANSIENT_NAMES:
            return PlatformError(ErrorClass.RETRY, "platform_unavailable", message, platform_code=code)
        if status == 401:  # unnamed: the token may just have expired; a refresh tells
            return PlatformError(ErrorClass.REFRESH, "token_expired", message, platform_code=code)
        if name == "RecordNotFound" or status == 404:
            return PlatformError(ErrorClass.PERMANENT, "not_found", message, platform_code=code)
        if status == 413 or name == "BlobTooLarge":
            return PlatformError(ErrorClass.PERMANENT, "media_too_large", message, platform_code=code)
        if status == 400:
            return PlatformError(ErrorClass.PERMANENT, "invalid_content", message, platform_code=code)
        return PlatformError(ErrorClass.PERMANENT, "platform_error", message, platform_code=code)

    # --- text --------------------------------------------------------------------------------

    def count_text(self, text: str) -> int:
        """Graphemes; the text must also stay within MAX_BYTES UTF-8 bytes (`utf8_length`)."""
        return grapheme_count(text)

    # --- HTTP --------------------------------------------------------------------------------

    def _handle(self) -> str:
        return self.credentials.username or self.credentials.tokens.get("handle") or self.token("did")

    def _xrpc(self, nsid: str) -> str:
        return f"{self.credentials.tokens.get('pds', DEFAULT_PDS).rstrip('/')}/xrpc/{nsid}"

    def _send(self, method: str, nsid: str, *, authenticated: bool = True, **kwargs: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.token('access_jwt')}"} if authenticated else {}
        return http.send(self, method, self._xrpc(nsid), headers=headers, **kwargs)

    def _call(self, method: str, nsid: str, **kwargs: Any) -> httpx.Response:
        return http.succeeded(self, self._send(method, nsid, **kwargs))


def _is_record_not_found(response: httpx.Response) -> bool:
    body = http.body_of(response) or {}
    if body.get("error") == "RecordNotFound":
        return True
    # PDS versions before the lexicon named the error answer InvalidRequest with this message.
    return body.get("error") == "InvalidRequest" and str(body.get("message", "")).startswith("Could not locate record")


def _is_strong_ref(value: Any) -> bool:
    return isinstance(value, dict) and isinstance(value.get("uri"), str) and isinstance(value.get("cid"), str)


def _split_post_uri(uri: str) -> tuple[str, str, str]:
    """at://{repo}/{collection}/{rkey} -> (repo, collection, rkey)."""
    parts = uri.removeprefix("at://").split("/")
    if not uri.startswith("at://") or len(parts) != 3 or not all(parts):
        raise PlatformError(ErrorClass.PERMANENT, "invalid_content", f"Not a Bluesky record uri: {uri!r}.")
    return parts[0], parts[1], parts[2]


def _platform_code(status: int, body: dict[str, Any]) -> str:
    name = body.get("error")
    return f"{status} {name}" if name else str(status)


def _normalized_metrics(view: dict[str, Any]) -> dict[str, int]:
    metrics: dict[str, int] = {}
    for name, field in (("likes", "likeCount"), ("comments", "replyCount"), ("bookmarks", "bookmarkCount")):
        if (value := http.count(view, field)) is not None:
            metrics[name] = value
    shares = [value for field in ("repostCount", "quoteCount") if (value := http.count(view, field)) is not None]
    if shares:
        metrics["shares"] = sum(shares)
    return metrics
