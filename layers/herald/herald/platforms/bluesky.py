"""Bluesky adapter: AT Protocol XRPC calls to the account's PDS with its session tokens.

Each post is written under a record key derived from the target key (`record_key_for`), so a
second create for the same target cannot make a second post: the PDS refuses a record key that
is taken. Today it refuses with HTTP 500 (bluesky-social/atproto#3718, indigo#873; atproto#4728
proposes a named error). `publish` therefore looks the key up after any failed create and adopts
a record it finds, and `reconcile` decides by the same lookup.

Rich text. Bluesky does not link anything by itself: the record carries facets (UTF-8 byte
ranges, end exclusive) for the links, @mentions and #tags found in the text, by the rules of
Bluesky's own detector (@atproto/api `RichText.detectFacets`), and none overlapping. Mentions
are resolved to DIDs with `com.atproto.identity.resolveHandle` before the record is written: a
handle the network cannot resolve stays plain text, as in Bluesky's app, while a failed lookup
(5xx, 429, timeout) raises before createRecord, so nothing is written and a retry is safe.
`content.mentions` is not used: Bluesky mentions are the handles in the text.

Media. A post has one embed: up to 4 images (`app.bsky.embed.images`), or one video alone
(`app.bsky.embed.video`), or else the link card. Images are uploaded to the PDS as blobs
(`com.atproto.repo.uploadBlob`, the raw bytes with their real Content-Type). Videos go through
Bluesky's video service, as its tutorial recommends (docs.bsky.app/docs/tutorials/video): the
daily quota is checked (`app.bsky.video.getUploadLimits`), the file is sent to
`video.bsky.app` with a service token the PDS signs (`com.atproto.server.getServiceAuth`), and
the job is polled until it hands back the processed video's blob. Everything a post needs is
checked (counts, kinds, types, sizes) before the first call, and uploaded before the record is
written, so a failure leaves no post behind. Blobs are content-addressed: uploading the same
file again after a failed attempt gives the same blob, and the video service answers a video it
has processed already with that video's job (`already_exists`).

Cards. `content.link` becomes an `app.bsky.embed.external` card (uri, title, description) when
the post has no media. Its thumbnail (`link.thumbnail`) is read through the media source and
uploaded as a blob; when that fails in any way the card goes out without it.

Mentions. `app.bsky.notification.listNotifications` with `reasons` mention and reply (a post
that @mentions the account, or answers one of its posts), 100 a page, newest first, following
`cursor` until a notification indexed before the last read's newest (`indexedAt`, the cursor), at
most MENTION_PAGES pages. Quotes, likes and reposts are not mentions. App passwords may read them.

Sessions. An account is connected with its handle and an app password: `createSession` on the
entryway (bsky.social) gives the session tokens, and the DID document in its answer names the
account's PDS, which every later call goes to (the entryway guide: non-session calls should go
to the PDS; a PDS forwards session refresh and deletion to the entryway). The app password is
not kept: the refresh token renews the session (`refreshSession`), and disconnecting deletes it
(`deleteSession`). An access token's expiry is read from its JWT `exp` claim, unverified: it
only says when to refresh."""

from __future__ import annotations

import base64
import bisect
import hashlib
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import regex

from herald.clock import from_iso, to_iso
from herald.platforms import http
from herald.platforms.base import (
    MENTION_PAGES,
    AccountIdentity,
    Connection,
    Credentials,
    ErrorClass,
    MediaItem,
    MediaLimits,
    MentionPage,
    Platform,
    PlatformError,
    PostContent,
    PublishedPost,
    ReceivedMention,
    ReconcileOutcome,
    Reconciliation,
    TextLimits,
)
from herald.text.graphemes import grapheme_count

DEFAULT_PDS = "https://bsky.social"  # the entryway of Bluesky-hosted accounts
VIDEO_SERVICE = "https://video.bsky.app"
VIDEO_SERVICE_DID = "did:web:video.bsky.app"
POST_COLLECTION = "app.bsky.feed.post"
IMAGES_EMBED = "app.bsky.embed.images"
VIDEO_EMBED = "app.bsky.embed.video"
UPLOAD_BLOB = "com.atproto.repo.uploadBlob"
UPLOAD_LIMITS = "app.bsky.video.getUploadLimits"
JOB_FAILED = "JOB_STATE_FAILED"
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
NOTIFICATIONS_PAGE_SIZE = 100  # app.bsky.notification.listNotifications: limit 1-100
MENTION_REASONS = ("mention", "reply")
MAX_IMAGES = 4
UPLOAD_TOKEN_SECONDS = 30 * 60  # the service token's lifetime the video tutorial recommends
JOB_POLL_SECONDS = 2.0
JOB_POLL_ATTEMPTS = 45  # 90 s of processing at most, well inside one publish run
VIDEO_CHUNK_BYTES = 1 << 20  # a video is streamed to the video service, not held in memory
PDS_SERVICE_ID = "#atproto_pds"
PDS_SERVICE_TYPE = "AtprotoPersonalDataServer"
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
    """The `app.bsky.embed.external` card for `content.link`, without its thumbnail (a blob the
    adapter uploads); None without a link, or when the post has media (a post has one embed, and
    its media take it)."""
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
    manual_fields = ("handle", "app_password")  # no OAuth app: a handle and an app password
    reads_mentions = True

    # --- posts -------------------------------------------------------------------------------

    def publish(self, content: PostContent) -> PublishedPost:
        return self._create_post(content, reply=None)

    def reply(self, parent: PublishedPost, content: PostContent) -> PublishedPost:
        parent_ref = self._strong_ref(parent)
        root = parent.extra.get("root")
        root_ref = root if _is_strong_ref(root) else parent_ref
        return self._create_post(content, reply={"root": root_ref, "parent": parent_ref})

    def _create_post(self, content: PostContent, reply: dict[str, Any] | None) -> PublishedPost:
        check_media(content.media)  # before any call
        facets = self._facets(content.text)  # resolves mentions: may raise, before anything is written
        record: dict[str, Any] = {"$type": POST_COLLECTION, "text": content.text, "createdAt": to_iso(self.clock.now())}
        if facets:
            record["facets"] = facets
        if reply:
            record["reply"] = reply
        if (embed := self._embed(content)) is not None:
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

    def _embed(self, content: PostContent) -> dict[str, Any] | None:
        """The post's one embed: its images, its video, or its link card; uploads what they need."""
        videos = [item for item in content.media if item.kind == "video"]
        if videos:
            return self._video_embed(videos[0])
        if content.media:
            return {"$type": IMAGES_EMBED, "images": [self._image(item) for item in content.media]}
        card = external_embed(content)
        if card is not None and content.link is not None and content.link.thumbnail:
            thumb = self._card_thumbnail(content.link.thumbnail)
            if thumb is not None:
                card["external"]["thumb"] = thumb
        return card

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

    # --- images -------------------------------------------------------------------------------

    def _image(self, item: MediaItem) -> dict[str, Any]:
        """An `app.bsky.embed.images#image`: the uploaded blob, its alt text and aspect ratio."""
        image: dict[str, Any] = {"alt": item.alt or "", "image": self._upload_image(item)}
        if (ratio := _aspect_ratio(item)) is not None:
            image["aspectRatio"] = ratio
        return image

    def _upload_image(self, item: MediaItem) -> dict[str, Any]:
        data = self.media_source().read(item)
        return self._upload_blob(data, _image_type(item.mime or sniff_image_type(data), len(data)))

    def _upload_blob(self, data: bytes, mime: str) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {self.token('access_jwt')}", "Content-Type": mime}
        response = http.succeeded(self, http.send(self, "POST", self._xrpc(UPLOAD_BLOB), headers=headers, content=data))
        blob = http.json_object(self, response).get("blob")
        if not is_blob(blob):
            raise http.malformed(_NETWORK, response, "no blob for the uploaded file")
        return blob

    def _card_thumbnail(self, url: str) -> dict[str, Any] | None:
        """The card picture's blob; None when it cannot be had. A picture is decoration: whatever
        keeps it from being read or uploaded (a dead link, a wrong type, an outage), the card goes
        out without it rather than holding the post back."""
        try:
            return self._upload_image(MediaItem(url=url, kind="image"))
        except Exception:  # see the docstring
            return None

    # --- video --------------------------------------------------------------------------------

    def _video_embed(self, item: MediaItem) -> dict[str, Any]:
        mime = item.mime or "video/mp4"
        self._check_video_quota(item.size)
        job = self._upload_video(item, mime)
        embed: dict[str, Any] = {"$type": VIDEO_EMBED, "video": self._processed_video(job)}
        if item.alt:
            embed["alt"] = item.alt
        if (ratio := _aspect_ratio(item)) is not None:
            embed["aspectRatio"] = ratio
        return embed

    def _check_video_quota(self, size: int | None) -> None:
        """Raise unless the account may upload a video of `size` bytes today: quota_exceeded
        (RETRY) when the daily videos or bytes are spent, media_unsupported when the account may
        not upload video at all (e.g. its e-mail address is not confirmed)."""
        headers = {"Authorization": f"Bearer {self._service_token(VIDEO_SERVICE_DID, UPLOAD_LIMITS)}"}
        response = http.succeeded(
            self, http.send(self, "GET", f"{VIDEO_SERVICE}/xrpc/{UPLOAD_LIMITS}", headers=headers)
        )
        limits = http.json_object(self, response)
        if not isinstance(limits.get("canUpload"), bool):
            raise http.malformed(_NETWORK, response, "no canUpload in the upload limits")
        videos, room = http.count(limits, "remainingDailyVideos"), http.count(limits, "remainingDailyBytes")
        reason = str(limits.get("message") or limits.get("error") or "")
        if videos == 0 or (room is not None and size is not None and room < size):
            raise PlatformError(
                ErrorClass.RETRY,
                "quota_exceeded",
                f"The account's daily video upload allowance on Bluesky is spent. {reason}".strip(),
                platform_code=str(limits.get("error") or "remainingDaily"),
            )
        if not limits["canUpload"]:
            raise PlatformError(
                ErrorClass.PERMANENT,
                "media_unsupported",
                f"Bluesky does not let this account upload video: {reason or 'canUpload is false'}.",
                platform_code=str(limits.get("error") or "canUpload"),
            )

    def _upload_video(self, item: MediaItem, mime: str) -> dict[str, Any]:
        """Send the video to the video service; its job status. A video the service has processed
        already is answered with that earlier job (`already_exists`, with an error status)."""
        token = self._service_token(f"did:web:{httpx.URL(self._pds()).host}", UPLOAD_BLOB, UPLOAD_TOKEN_SECONDS)
        content, length = self._video_bytes(item)
        headers = {"Authorization": f"Bearer {token}", "Content-Type": mime, "Content-Length": str(length)}
        params = {"did": self.token("did"), "name": video_file_name(item)}
        url = f"{VIDEO_SERVICE}/xrpc/app.bsky.video.uploadVideo"
        response = http.send(self, "POST", url, params=params, headers=headers, content=content)
        job = self._job_answer(response)
        if not isinstance(job.get("jobId"), str) and not is_blob(job.get("blob")):
            raise http.malformed(_NETWORK, response, "no jobId for the uploaded video")
        return job

    def _video_bytes(self, item: MediaItem) -> tuple[Iterator[bytes] | bytes, int]:
        """The video streamed in chunks when its size is known (it was checked), else read whole."""
        if item.size is not None:
            return self.media_source().chunks(item, VIDEO_CHUNK_BYTES), item.size
        data = self.media_source().read(item)
        _check_size(len(data), self.media_limits.max_video_bytes, "video")
        return data, len(data)

    def _processed_video(self, job: dict[str, Any]) -> dict[str, Any]:
        """Poll the job until it hands back the processed video's blob (a finished job may carry a
        blob whatever its state, as for `already_exists`)."""
        job_id = job.get("jobId")
        for attempt in range(JOB_POLL_ATTEMPTS + 1):
            if is_blob(job.get("blob")):
                return job["blob"]
            if job.get("state") == JOB_FAILED:
                raise PlatformError(
                    ErrorClass.PERMANENT,
                    "media_processing_failed",
                    f"Bluesky could not process the video: {job.get('message') or job.get('error') or JOB_FAILED}.",
                    platform_code=str(job.get("error") or JOB_FAILED),
                )
            if attempt == JOB_POLL_ATTEMPTS:
                break
            self.clock.sleep(JOB_POLL_SECONDS)
            url = f"{VIDEO_SERVICE}/xrpc/app.bsky.video.getJobStatus"
            job = {"jobId": job_id, **self._job_answer(http.send(self, "GET", url, params={"jobId": job_id}))}
        raise PlatformError(
            ErrorClass.RETRY,
            "media_processing",
            f"Bluesky was still processing the video after {JOB_POLL_SECONDS * JOB_POLL_ATTEMPTS:.0f} s.",
            platform_code=str(job.get("state") or ""),
        )

    def _job_answer(self, response: httpx.Response) -> dict[str, Any]:
        """The job status in a video-service answer. An error status can still carry a usable job:
        a video processed before is answered `already_exists`, with that job or its blob."""
        job = job_status(http.body_of(response))
        usable = job is not None and (job.get("error") == "already_exists" or is_blob(job.get("blob")))
        if not response.is_success and not usable:
            raise self.classify_error(response)
        if job is None:
            raise http.malformed(_NETWORK, response, "no job status for the video")
        return job

    def _service_token(self, audience: str, method: str, lifetime: int | None = None) -> str:
        """A token the PDS signs for the account, valid at `audience` for the XRPC `method` only
        (`com.atproto.server.getServiceAuth`); for `lifetime` seconds, else the PDS's 60 s."""
        params = [("aud", audience), ("lxm", method)]
        if lifetime is not None:
            params.append(("exp", str(int((self.clock.now() + timedelta(seconds=lifetime)).timestamp()))))
        response = self._call("GET", "com.atproto.server.getServiceAuth", params=params)
        token = http.json_object(self, response).get("token")
        if not isinstance(token, str) or not token:
            raise http.malformed(_NETWORK, response, "no service token")
        return token

    # --- records ------------------------------------------------------------------------------

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

    # --- mentions ----------------------------------------------------------------------------

    def mentions(self, since: str | None) -> MentionPage:
        """Mentions and replies indexed at or after the time `since`; the cursor is the newest
        `indexedAt` seen."""
        params: list[tuple[str, str]] = [("limit", str(NOTIFICATIONS_PAGE_SIZE))]
        params += [("reasons", reason) for reason in MENTION_REASONS]
        floor = from_iso(since) if since else None
        own = self.token("did")
        found: list[ReceivedMention] = []
        newest = floor
        for _ in range(MENTION_PAGES if since else 1):
            response = self._call("GET", "app.bsky.notification.listNotifications", params=params)
            body = http.json_object(self, response)
            notifications = body.get("notifications")
            if not isinstance(notifications, list):
                raise http.malformed(_NETWORK, response, "no notifications list")
            reached = False
            for notification in notifications:
                if not isinstance(notification, dict) or notification.get("reason") not in MENTION_REASONS:
                    continue  # a server that does not filter by reason
                indexed = _time(notification.get("indexedAt"))
                if indexed is None or not isinstance(notification.get("uri"), str):
                    continue
                if floor is not None and indexed < floor:
                    reached = True  # the rest were read before
                    break
                newest = indexed if newest is None else max(newest, indexed)
                author = notification.get("author") if isinstance(notification.get("author"), dict) else {}
                if author.get("did") != own:
                    found.append(_mention(notification, author, indexed))
            cursor = body.get("cursor")
            if reached or not isinstance(cursor, str) or not cursor or not notifications:
                break
            params = [*(pair for pair in params if pair[0] != "cursor"), ("cursor", cursor)]
        return MentionPage(found, to_iso(newest) if newest is not None else None)

    # --- reconcile ---------------------------------------------------------------------------

    def reconcile(self, content: PostContent, parent: PublishedPost | None = None) -> Reconciliation:
        if not content.target_key:  # without a derived record key there is nothing to look up
            return Reconciliation(ReconcileOutcome.UNKNOWN)
        try:
            found = self._find_record(self.token("did"), record_key_for(content.target_key))
        except PlatformError:
            return Reconciliation(ReconcileOutcome.UNKNOWN)
        if found is None:
            return Reconciliation(ReconcileOutcome.ABSENT)
        return Reconciliation(ReconcileOutcome.FOUND, found)

    # --- connecting -------------------------------------------------------------------------

    @classmethod
    def connect_with_fields(cls, client: httpx.Client, fields: Mapping[str, str]) -> Connection:
        """Sign in with a handle and an app password (`createSession` on the entryway), then read
        who the account is. Only the session is kept, never the password."""
        handle = str(fields.get("handle") or "").strip().removeprefix("@")
        password = str(fields.get("app_password") or "").strip()
        if not handle or not password:
            raise PlatformError(
                ErrorClass.PERMANENT, "invalid_credentials", "A Bluesky handle and an app password are needed."
            )
        signing_in = cls(client, Credentials(account_id="", username=handle))
        body = {"identifier": handle, "password": password}
        response = http.send(signing_in, "POST", f"{DEFAULT_PDS}/xrpc/com.atproto.server.createSession", json=body)
        if response.status_code in (400, 401):  # a wrong handle or password, a takedown: a person must act
            raise _sign_in_refused(response.status_code, http.body_of(response) or {})
        session = http.json_object(signing_in, http.succeeded(signing_in, response))
        credentials = signing_in._session_credentials(session, response)
        return Connection(credentials=credentials, identity=cls(client, credentials).identity())

    def identity(self) -> AccountIdentity:
        """The account's profile (`app.bsky.actor.getProfile`, served by the AppView through the
        PDS); its permissions are the session's scope (an app password's `com.atproto.appPass`)."""
        response = self._call("GET", "app.bsky.actor.getProfile", params={"actor": self.token("did")})
        profile = http.json_object(self, response)
        if not isinstance(profile.get("did"), str) or not isinstance(profile.get("handle"), str):
            raise http.malformed(_NETWORK, response, "no did and handle in the profile")
        scope = jwt_claims(self.token("access_jwt")).get("scope")
        return AccountIdentity(
            platform_user_id=profile["did"],
            username=profile["handle"],
            display_name=_text(profile.get("displayName")),
            avatar_url=_text(profile.get("avatar")),
            followers=http.count(profile, "followersCount"),
            permissions=tuple(scope.split()) if isinstance(scope, str) else (),
        )

    def revoke(self) -> bool:
        """Delete the session (`com.atproto.server.deleteSession`, with the refresh token). A
        session the PDS no longer knows (expired, revoked) counts as deleted. The app password
        itself stays valid until the person revokes it in Bluesky's settings."""
        headers = {"Authorization": f"Bearer {self.token('refresh_jwt')}"}
        response = http.send(self, "POST", self._xrpc("com.atproto.server.deleteSession"), headers=headers)
        if response.is_success:
            return True
        refused = self.classify_error(response)
        if refused.error_class in (ErrorClass.REFRESH, ErrorClass.RECONNECT):
            return True
        raise refused

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
        return self._session_credentials(http.json_object(self, http.succeeded(self, response)), response)

    def _session_credentials(self, session: dict[str, Any], response: httpx.Response) -> Credentials:
        """Credentials from a createSession or refreshSession answer: the session tokens, the DID,
        the PDS its DID document names, and when the access token expires."""
        if not isinstance(session.get("accessJwt"), str) or not isinstance(session.get("refreshJwt"), str):
            raise http.malformed(_NETWORK, response, "no accessJwt and refreshJwt in the session")
        tokens = {**self.credentials.tokens, "access_jwt": session["accessJwt"], "refresh_jwt": session["refreshJwt"]}
        if isinstance(session.get("did"), str) and is_valid_did(session["did"]):
            tokens["did"] = session["did"]
        if "did" not in tokens:
            raise http.malformed(_NETWORK, response, "no valid did in the session")
        if (pds := pds_endpoint(session.get("didDoc"), tokens["did"])) is not None:
            tokens["pds"] = pds
        handle = session.get("handle") if isinstance(session.get("handle"), str) else self.credentials.username
        return Credentials(
            account_id=self.credentials.account_id,
            username=handle,
            tokens=tokens,
            expires_at=jwt_expiry(session["accessJwt"]),
        )

    # --- errors ------------------------------------------------------------------------------

    def classify_error(self, response: httpx.Response | None, exc: Exception | None = None) -> PlatformError:
        if response is None:
            return http.transport_error(_NETWORK, exc)
        if response.is_success:
            return http.malformed(_NETWORK, response, "the body is not the JSON object the lexicon describes")
        status = response.status_code
        body = _error_body(response)
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
        if name == "InvalidMimeType":
            return PlatformError(ErrorClass.PERMANENT, "media_unsupported", message, platform_code=code)
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

    def _pds(self) -> str:
        return self.credentials.tokens.get("pds", DEFAULT_PDS).rstrip("/")

    def _xrpc(self, nsid: str) -> str:
        return f"{self._pds()}/xrpc/{nsid}"

    def _send(self, method: str, nsid: str, *, authenticated: bool = True, **kwargs: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.token('access_jwt')}"} if authenticated else {}
        return http.send(self, method, self._xrpc(nsid), headers=headers, **kwargs)

    def _call(self, method: str, nsid: str, **kwargs: Any) -> httpx.Response:
        return http.succeeded(self, self._send(method, nsid, **kwargs))


def _time(value: Any) -> datetime | None:
    try:
        return from_iso(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _mention(notification: dict[str, Any], author: dict[str, Any], indexed: datetime) -> ReceivedMention:
    """A mention or reply notification as a ReceivedMention (its post's uri is its id)."""
    record = notification.get("record") if isinstance(notification.get("record"), dict) else {}
    reply = record.get("reply") if isinstance(record.get("reply"), dict) else {}
    parent = reply.get("parent") if isinstance(reply.get("parent"), dict) else {}
    handle = author.get("handle") if isinstance(author.get("handle"), str) else None
    uri = notification["uri"]
    return ReceivedMention(
        platform_mention_id=uri,
        author_handle=handle or str(author.get("did") or ""),
        author_name=_text(author.get("displayName")),
        text=str(record.get("text") or ""),
        url=f"https://bsky.app/profile/{handle or author.get('did')}/post/{uri.rsplit('/', 1)[-1]}",
        created_at=_time(record.get("createdAt")) or indexed,
        in_reply_to_platform_post_id=parent["uri"] if isinstance(parent.get("uri"), str) else None,
    )


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


# --- media -----------------------------------------------------------------------------------

_IMAGE_SIGNATURES = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)


def check_media(media: tuple[MediaItem, ...]) -> None:
    """Raise PERMANENT, before any call, for media a post cannot carry: up to 4 images (GIFs go
    as still images), or one video alone, of the types and sizes Bluesky takes (where known
    before reading the files: `MediaItem.mime` and `size`)."""
    kinds = [item.kind for item in media]
    if any(kind not in ("image", "gif", "video") for kind in kinds):
        raise PlatformError(ErrorClass.PERMANENT, "media_unsupported", f"Bluesky takes images and video, not {kinds}.")
    if "video" in kinds and len(media) > 1:
        raise PlatformError(ErrorClass.PERMANENT, "invalid_content", "A Bluesky post carries one video alone.")
    if len(media) > MAX_IMAGES:
        raise PlatformError(
            ErrorClass.PERMANENT, "invalid_content", f"A Bluesky post carries at most {MAX_IMAGES} images."
        )
    limits = BlueskyPlatform.media_limits
    for item in media:
        if item.kind == "video":
            _check_type(item.mime, limits.video_types)
            _check_size(item.size, limits.max_video_bytes, "video")
        else:
            _check_type(item.mime, limits.image_types)
            _check_size(item.size, limits.max_image_bytes, "image")


def _image_type(mime: str | None, size: int) -> str:
    """`mime`, once the image it describes (of `size` bytes) is one Bluesky takes."""
    limits = BlueskyPlatform.media_limits
    if mime is None:
        raise PlatformError(
            ErrorClass.PERMANENT, "media_unsupported", f"Not an image Bluesky takes ({', '.join(limits.image_types)})."
        )
    _check_type(mime, limits.image_types)
    _check_size(size, limits.max_image_bytes, "image")
    return mime


def _check_type(mime: str | None, accepted: tuple[str, ...]) -> None:
    if mime is not None and mime.lower() not in accepted:
        raise PlatformError(
            ErrorClass.PERMANENT,
            "media_unsupported",
            f"Bluesky does not take {mime} here; it takes {', '.join(accepted)}.",
        )


def _check_size(size: int | None, limit: int, what: str) -> None:
    if size is not None and size > limit:
        raise PlatformError(
            ErrorClass.PERMANENT,
            "media_too_large",
            f"The {what} is {size:,} bytes; Bluesky takes at most {limit:,}.",
        )


def sniff_image_type(data: bytes) -> str | None:
    """The image type its first bytes show (JPEG, PNG, GIF, WebP); None for anything else."""
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return next((mime for signature, mime in _IMAGE_SIGNATURES if data.startswith(signature)), None)


def is_blob(value: Any) -> bool:
    """Whether `value` is a blob reference as the PDS hands it out: {"$type": "blob", "ref":
    {"$link": cid}, "mimeType", "size"}."""
    return (
        isinstance(value, dict)
        and value.get("$type") == "blob"
        and isinstance(value.get("ref"), dict)
        and isinstance(value["ref"].get("$link"), str)
        and isinstance(value.get("mimeType"), str)
    )


def job_status(body: dict[str, Any] | None) -> dict[str, Any] | None:
    """An `app.bsky.video.defs#jobStatus` from a video-service answer. The lexicon wraps it in
    `jobStatus`; uploadVideo answers it bare (atproto#3026, #3097). Both are taken."""
    if body is None:
        return None
    wrapped = body.get("jobStatus")
    return wrapped if isinstance(wrapped, dict) else body if ("jobId" in body or "state" in body) else None


def video_file_name(item: MediaItem) -> str:
    """The `name` uploadVideo takes: the file's name in its URL, as an .mp4."""
    name = httpx.URL(item.url).path.rsplit("/", 1)[-1] or "video"
    return name if name.lower().endswith(".mp4") else f"{name}.mp4"


def _aspect_ratio(item: MediaItem) -> dict[str, int] | None:
    """`app.bsky.embed.defs#aspectRatio` when both sides are known (left out rather than guessed)."""
    if item.width and item.height and item.width > 0 and item.height > 0:
        return {"width": item.width, "height": item.height}
    return None


# --- sessions --------------------------------------------------------------------------------


def jwt_claims(token: str) -> dict[str, Any]:
    """A JWT's payload, decoded without verifying it (only the PDS can, and need not: it is
    read to know when to refresh and what was granted); {} for anything that is not a JWT."""
    parts = token.split(".")
    if len(parts) != 3:
        return {}
    try:
        claims = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except ValueError:
        return {}
    return claims if isinstance(claims, dict) else {}


def jwt_expiry(token: str) -> datetime | None:
    """When a JWT expires (its `exp` claim); None when it does not say."""
    exp = jwt_claims(token).get("exp")
    if not isinstance(exp, int) or isinstance(exp, bool):
        return None
    try:
        return datetime.fromtimestamp(exp, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def pds_endpoint(did_doc: Any, did: str) -> str | None:
    """The account's PDS, from its DID document: the `#atproto_pds` service of type
    AtprotoPersonalDataServer, an https URL. None without one, or when the document is not
    `did`'s (tokens go to no host the account's own document does not name)."""
    if not isinstance(did_doc, dict) or did_doc.get("id") != did or not isinstance(did_doc.get("service"), list):
        return None
    for service in did_doc["service"]:
        if not isinstance(service, dict) or service.get("id") not in (PDS_SERVICE_ID, did + PDS_SERVICE_ID):
            continue
        endpoint = service.get("serviceEndpoint")
        if service.get("type") == PDS_SERVICE_TYPE and isinstance(endpoint, str) and endpoint.startswith("https://"):
            return endpoint.rstrip("/")
    return None


def _sign_in_refused(status: int, refusal: dict[str, Any]) -> PlatformError:
    """What a person is told when createSession refuses them (PERMANENT: they must fix the input)."""
    if refusal.get("error") == "AuthFactorTokenRequired":
        message = (
            "The account asks for an e-mailed sign-in code, which means its main password was given: "
            "connect with an app password (Bluesky: Settings > Privacy and security > App passwords)."
        )
    else:
        message = (
            f"Bluesky refused the handle and app password: {refusal.get('message') or refusal.get('error') or status}. "
            "Only accounts hosted by Bluesky (signing in at bsky.social) can be connected for now."
        )
    return PlatformError(
        ErrorClass.PERMANENT, "invalid_credentials", message, platform_code=_platform_code(status, refusal)
    )


def _error_body(response: httpx.Response) -> dict[str, Any]:
    """An error answer's {"error", "message"}; the video service may nest them in a job status."""
    body = http.body_of(response) or {}
    job = job_status(body)
    if "error" not in body and job is not None and job.get("error"):
        return job
    return body


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None
