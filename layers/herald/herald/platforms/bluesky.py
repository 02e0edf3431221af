"""Bluesky adapter: AT Protocol XRPC calls to the account's PDS with its session tokens.

Each post is written under a record key derived from the target key (`record_key_for`), so a
second create for the same target cannot make a second post: the PDS refuses a record key that
is taken. Today it refuses with HTTP 500 (bluesky-social/atproto#3718, indigo#873; atproto#4728
proposes a named error). `publish` therefore looks the key up after any failed create and adopts
a record it finds, and `reconcile` decides by the same lookup. Media upload is not built yet:
content with media is refused (`media_unsupported`) before any call.

Rich text. Bluesky does not link anything by itself: the record carries facets (UTF-8 byte
ranges, end exclusive) for the links, @mentions and #tags found in the text, by the rules of
Bluesky's own detector (@atproto/api `RichText.detectFacets`), and none overlapping. Mentions
are resolved to DIDs with `com.atproto.identity.resolveHandle` before the record is written: a
handle the network cannot resolve stays plain text, as in Bluesky's app, while a failed lookup
(5xx, 429, timeout) raises before createRecord, so nothing is written and a retry is safe.
`content.mentions` is not used: Bluesky mentions are the handles in the text.

Cards. `content.link` becomes an `app.bsky.embed.external` card (uri, title, description) when
the post has no media. Its thumbnail (`link.thumbnail`) is left out: a card image is a blob,
and blob upload arrives with media upload."""

from __future__ import annotations

import bisect
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx
import regex

from herald.clock import to_iso
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
MENTION_FEATURE = "app.bsky.richtext.facet#mention"
TAG_FEATURE = "app.bsky.richtext.facet#tag"
EXTERNAL_EMBED = "app.bsky.embed.external"
MAX_TAG_GRAPHEMES = 64  # app.bsky.richtext.facet#tag, without the '#'
MAX_TAG_BYTES = 640
MAX_HANDLE_LENGTH = 253
MAX_DID_LENGTH = 2048
MAX_GRAPHEMES = 300
MAX_BYTES = 3000
METRICS_BATCH_SIZE = 25  # app.bsky.feed.getPosts takes at most 25 uris
TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"
_TID = re.compile(r"^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$")
_LINK = re.compile(r"(?:^|(?<=[\s(]))https?://\S+", re.IGNORECASE)

# Where Bluesky's detector lets a mention or a tag start: after JavaScript's `\s`, spelled out
# because Python's `\s` differs from it (U+0085, U+FEFF).
_SPACE = "\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
# A mention is `@` and a run of handle characters up to a word boundary, so trailing dots and
# hyphens are left out; re.ASCII makes `\b` ASCII-only, as in the detector's (non-Unicode) regex.
_MENTION = re.compile(rf"(?:^|(?<=[{_SPACE}(]))@([a-zA-Z0-9.-]+)\b", re.ASCII)
# Zero-width and invisible characters end a tag as a space does.
_INVISIBLE = "\u00ad\u2060\u200a\u200b\u200c\u200d\u20e2"
# A tag is `#` (or the full-width `＃`) and the run of characters up to a space, not starting with
# U+FE0F (so the keycap #️⃣ is no tag), holding at least one character that is not an ASCII digit
# or punctuation (so #1 and #!! are no tags).
_TAG = regex.compile(
    rf"(?:^|(?<=[{_SPACE}]))[#＃]"
    rf"((?!\ufe0f)[^{_SPACE}{_INVISIBLE}]*[^0-9{_SPACE}{_INVISIBLE}\p{{P}}][^{_SPACE}{_INVISIBLE}]*)?"
)
_TRAILING_PUNCTUATION = regex.compile(r"\p{P}+$")
# https://atproto.com/specs/handle: a domain name of two or more labels; the TLD starts with a letter.
_HANDLE = re.compile(
    r"^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$"
)
# Reserved TLDs no handle may use (.test is allowed, for development).
_DISALLOWED_TLDS = (".alt", ".arpa", ".example", ".internal", ".invalid", ".local", ".localhost", ".onion")
# https://atproto.com/specs/did
_DID = re.compile(r"^did:[a-z]+:[a-zA-Z0-9._:%-]*[a-zA-Z0-9._-]$")

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


def is_valid_handle(handle: str) -> bool:
    """Handle syntax (a domain name, case-insensitive), without the reserved TLDs."""
    return (
        len(handle) <= MAX_HANDLE_LENGTH
        and bool(_HANDLE.match(handle))
        and not handle.lower().endswith(_DISALLOWED_TLDS)
    )


def is_valid_did(did: str) -> bool:
    return len(did) <= MAX_DID_LENGTH and bool(_DID.match(did))


def is_valid_tag(tag: str) -> bool:
    """A tag the lexicon accepts: 1 to 64 graphemes and at most 640 UTF-8 bytes."""
    return 0 < grapheme_count(tag) <= MAX_TAG_GRAPHEMES and utf8_length(tag) <= MAX_TAG_BYTES


@dataclass(frozen=True)
class Span:
    """A facet found in the text: UTF-8 byte offsets (end exclusive), its kind ("link", "mention"
    or "tag") and value (the link's uri, the mention's lower-cased handle, the tag without '#')."""

    start: int
    end: int
    kind: str
    value: str


def link_spans(text: str) -> list[Span]:
    """The http(s) URLs in `text`. Trailing punctuation is trimmed as Bluesky's own detector does:
    one of .,;:!? and then a closing parenthesis the URL did not open."""
    spans = []
    for match in _LINK.finditer(text):
        url = match.group()
        if url[-1] in ".,;:!?":
            url = url[:-1]
        if url.endswith(")") and "(" not in url:
            url = url[:-1]
        host = re.sub(r"^https?://", "", url, flags=re.IGNORECASE).split("/")[0]
        if "." not in host.strip("."):
            continue
        spans.append(_span(text, match.start(), url, "link", url))
    return spans


def mention_spans(text: str) -> list[Span]:
    """The @handle mentions in `text`, the `@` included: `@` at the start or after a space or an
    opening parenthesis (not in an e-mail address), then a valid handle."""
    return [
        _span(text, match.start(), match.group(), "mention", match.group(1).lower())
        for match in _MENTION.finditer(text)
        if is_valid_handle(match.group(1))
    ]


def tag_spans(text: str) -> list[Span]:
    """The #tags in `text`, the `#` included, with trailing punctuation trimmed. A tag longer than
    the lexicon allows is no tag (Bluesky's detector skips it too; it does not cut it)."""
    spans = []
    for match in _TAG.finditer(text):
        if match.group(1) is None:
            continue
        tag = _TRAILING_PUNCTUATION.sub("", match.group(1))
        if is_valid_tag(tag):
            spans.append(_span(text, match.start(), match.group()[0] + tag, "tag", tag))
    return spans


def facet_spans(text: str) -> list[Span]:
    """Links, mentions and tags in `text`, sorted by start and never overlapping. Links win: an `@`
    or `#` inside a URL is part of it. Otherwise the span that starts first wins: in
    `#launch(@herald.test)` the tag runs on to the closing parenthesis and takes the mention in."""
    links = link_spans(text)  # in order, never overlapping one another
    starts = [link.start for link in links]
    kept: list[Span] = []
    for span in sorted(mention_spans(text) + tag_spans(text), key=lambda s: s.start):
        i = bisect.bisect_right(starts, span.start)
        clear_of_links = (i == 0 or links[i - 1].end <= span.start) and (i == len(links) or span.end <= starts[i])
        if clear_of_links and (not kept or kept[-1].end <= span.start):
            kept.append(span)
    return sorted(links + kept, key=lambda s: s.start)


def rich_text_facets(text: str, dids: Mapping[str, str | None]) -> list[dict[str, Any]]:
    """The record's facets for `text`; `dids` maps each mentioned handle to its DID, or to None when
    it cannot be resolved (that mention stays plain text)."""
    facets = []
    for span in facet_spans(text):
        if span.kind == "mention":
            did = dids.get(span.value)
            if did is None:
                continue
            feature = {"$type": MENTION_FEATURE, "did": did}
        elif span.kind == "tag":
            feature = {"$type": TAG_FEATURE, "tag": span.value}
        else:
            feature = {"$type": LINK_FEATURE, "uri": span.value}
        facets.append(_facet(span, feature))
    return facets


def link_facets(text: str) -> list[dict[str, Any]]:
    """Link facets alone, for the http(s) URLs in `text` (see `link_spans`)."""
    return [_facet(span, {"$type": LINK_FEATURE, "uri": span.value}) for span in link_spans(text)]


def external_embed(content: PostContent) -> dict[str, Any] | None:
    """The `app.bsky.embed.external` card for `content.link`; None without a link, or when the post
    has media (a post has one embed, and its media take it). The thumbnail is left out: it would be
    a blob, uploaded first, and blob upload is not built yet."""
    link = content.link
    if link is None or content.media:
        return None
    external = {"uri": link.url, "title": link.title or "", "description": link.description or ""}
    return {"$type": EXTERNAL_EMBED, "external": external}


def _facet(span: Span, feature: dict[str, str]) -> dict[str, Any]:
    return {"index": {"byteStart": span.start, "byteEnd": span.end}, "features": [feature]}


def _span(text: str, start: int, matched: str, kind: str, value: str) -> Span:
    """The span of `matched`, found at character `start` of `text`, in UTF-8 bytes."""
    byte_start = utf8_length(text[:start])
    return Span(byte_start, byte_start + utf8_length(matched), kind, value)


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
        facets = self._facets(content.text)  # resolves mentions: may raise, before anything is written
        record: dict[str, Any] = {"$type": POST_COLLECTION, "text": content.text, "createdAt": to_iso(self.clock.now())}
        if facets:
            record["facets"] = facets
        if reply:
            record["reply"] = reply
        if (embed := external_embed(content)) is not None:
            record["embed"] = embed
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

    def _facets(self, text: str) -> list[dict[str, Any]]:
        """The text's facets, each mentioned handle resolved once (in order of first mention)."""
        handles = dict.fromkeys(span.value for span in facet_spans(text) if span.kind == "mention")
        return rich_text_facets(text, {handle: self._resolve_handle(handle) for handle in handles})

    def _resolve_handle(self, handle: str) -> str | None:
        """The DID of `handle`; None when the network answers that it cannot resolve it (400, e.g.
        InvalidRequest "Unable to resolve handle"). Any other failure is raised, classified: a 5xx,
        429 or timeout is RETRY, and nothing has been written yet."""
        params = {"handle": handle}
        response = self._send("GET", "com.atproto.identity.resolveHandle", authenticated=False, params=params)
        if response.status_code == 400 and self.classify_error(response).code == "invalid_content":
            return None
        answer = http.json_object(self, http.succeeded(self, response))
        did = answer.get("did")
        if not isinstance(did, str) or not is_valid_did(did):
            raise http.malformed(_NETWORK, response, f"no valid did for the handle {handle}")
        return did

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
