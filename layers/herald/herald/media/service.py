"""Uploaded media: hand out a presigned upload, inspect what arrives, answer and delete.

Objects live in the private media bucket under
- `uploads/{workspace}/{media}/{filename}`: the file as uploaded (the inspection finds the media
  item from this key alone);
- `thumbnails/{workspace}/{media}/320.jpg`: the thumbnail.

A media item goes `pending_upload` -> `ready` (inspected) or `rejected` (unsupported, unreadable
or too large; the upload is deleted). An upload may be repeated while its presigned POST is
valid: the latest object is inspected again (its ETag tells a repeated S3 event from a new
upload). An object without a media item (deleted meanwhile, or an unknown key) is removed."""

from __future__ import annotations

import logging
import posixpath
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Protocol

from herald.clock import Clock
from herald.errors import InvalidRequest, MediaUnsupported, NotFound
from herald.ids import new_id
from herald.media.model import (
    SUPPORTED_TYPES,
    Media,
    MediaFacts,
    MediaStatus,
    PresignedUpload,
    Thumbnail,
)

if TYPE_CHECKING:
    from herald.media.inspect import Source

log = logging.getLogger(__name__)

UPLOADS = "uploads"
THUMBNAILS = "thumbnails"
MAX_FILENAME = 100


class MediaNotFound(NotFound):
    code = "media_not_found"


class MediaTooLarge(InvalidRequest):
    code = "media_too_large"


class MediaStore(Protocol):
    def add(self, media: Media, expires_at: datetime) -> None: ...

    def get(self, workspace_id: str, media_id: str) -> Media | None: ...

    def save(self, media: Media) -> None: ...

    def delete(self, workspace_id: str, media_id: str) -> None: ...


class ObjectHead(Protocol):
    size: int
    etag: str


class ObjectStorage(Protocol):
    def presign_post(self, key: str, content_type: str, min_bytes: int, max_bytes: int,
                     expires: timedelta) -> tuple[str, dict[str, str]]: ...

    def presign_get(self, key: str, expires: timedelta) -> str: ...

    def head(self, key: str) -> ObjectHead | None: ...

    def source(self, key: str, size: int, etag: str | None = None) -> Source: ...

    def put(self, key: str, data: bytes, content_type: str) -> None: ...

    def delete(self, keys: list[str]) -> None: ...


def clean_filename(name: str) -> str:
    """A key-safe copy of a file name: its last path part, ASCII letters, digits, `.`, `-`, `_`."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode()
    base = re.sub(r"[^A-Za-z0-9._-]+", "-", base)
    stem, extension = posixpath.splitext(base)
    stem = stem.strip(".-_")[: MAX_FILENAME - 12] or "upload"
    extension = extension if re.fullmatch(r"\.[A-Za-z0-9]{1,10}", extension) else ""
    return stem + extension.lower()


def upload_key(workspace_id: str, media_id: str, filename: str) -> str:
    return f"{UPLOADS}/{workspace_id}/{media_id}/{filename}"


def thumbnail_key(workspace_id: str, media_id: str, size: int) -> str:
    return f"{THUMBNAILS}/{workspace_id}/{media_id}/{size}.jpg"


def parse_upload_key(key: str) -> tuple[str, str] | None:
    """(workspace id, media id) of an upload key, None for any other key."""
    parts = key.split("/")
    if len(parts) != 4 or parts[0] != UPLOADS or not all(parts[1:]):
        return None
    return parts[1], parts[2]


@dataclass(frozen=True)
class Outcome:
    """What processing one uploaded object did (the inspect function's answer, for its logs)."""

    key: str
    result: str  # ready | rejected | unchanged | superseded | orphan_removed | gone | ignored
    media_id: str | None = None

    def as_dict(self) -> dict[str, str | None]:
        return {"key": self.key, "result": self.result, "media_id": self.media_id}


def _is_aws_error(exc: Exception) -> bool:
    return getattr(exc, "response", None) is not None


@dataclass
class MediaService:
    store: MediaStore
    storage: ObjectStorage
    clock: Clock
    max_bytes: int
    upload_seconds: int = 3600  # how long the presigned POST may start
    link_seconds: int = 3600  # how long a thumbnail link works
    pending_days: int = 1  # a pending item lives this long after its upload expired (TTL)

    # -- the API ------------------------------------------------------------------------------

    def create_upload(self, workspace_id: str, profile_id: str, filename: str, content_type: str,
                      size: int | None = None) -> tuple[Media, PresignedUpload]:
        declared = content_type.split(";")[0].strip().lower()
        if declared not in SUPPORTED_TYPES:
            raise MediaUnsupported(
                f"Uploads of {declared or 'that type'} are not supported.",
                details=[{"field": "content_type", "value": content_type, "allowed": sorted(SUPPORTED_TYPES)}],
            )
        if size is not None and size > self.max_bytes:
            raise MediaTooLarge(
                f"The file is {size} bytes; uploads are limited to {self.max_bytes} bytes.",
                details=[{"field": "size", "limit": self.max_bytes, "measured": size}],
            )
        now = self.clock.now()
        media_id = new_id("med")
        key = upload_key(workspace_id, media_id, clean_filename(filename))
        expires = now + timedelta(seconds=self.upload_seconds)
        limit = size if size is not None else self.max_bytes
        url, fields = self.storage.presign_post(key, declared, size or 1, limit,
                                                timedelta(seconds=self.upload_seconds))
        media = Media(id=media_id, workspace_id=workspace_id, profile_id=profile_id, filename=filename,
                      content_type=declared, declared_bytes=size, key=key, created_at=now, updated_at=now)
        self.store.add(media, expires_at=expires + timedelta(days=self.pending_days))
        return media, PresignedUpload(url=url, fields=fields, max_bytes=limit, expires_at=expires)

    def get(self, workspace_id: str, profile_id: str, media_id: str) -> Media:
        media = self.store.get(workspace_id, media_id)
        if media is None or media.profile_id != profile_id:
            raise MediaNotFound(f"No media {media_id}.")
        return media

    def thumbnail_links(self, media: Media) -> tuple[list[tuple[Thumbnail, str]], datetime]:
        """Presigned GET links to the thumbnails, and when they stop working."""
        expires = self.clock.now() + timedelta(seconds=self.link_seconds)
        ttl = timedelta(seconds=self.link_seconds)
        return [(thumb, self.storage.presign_get(thumb.key, ttl)) for thumb in media.thumbnails], expires

    def delete(self, workspace_id: str, profile_id: str, media_id: str) -> Media:
        """Remove the objects, then the item (a failure in between leaves the item to retry with)."""
        media = self.get(workspace_id, profile_id, media_id)
        self.storage.delete([media.key, *(t.key for t in media.thumbnails),
                             thumbnail_key(workspace_id, media_id, _thumbnail_px())])
        self.store.delete(workspace_id, media_id)
        return media

    # -- the inspect function -----------------------------------------------------------------

    def process_upload(self, key: str) -> Outcome:
        """Inspect the object at `key` and settle its media item."""
        parsed = parse_upload_key(key)
        if parsed is None:
            log.warning("ignoring %s: not an upload key", key)
            return Outcome(key, "ignored")
        workspace_id, media_id = parsed
        media = self.store.get(workspace_id, media_id)
        if media is None or media.key != key:
            log.info("removing %s: no media item for it", key)
            self.storage.delete([key])
            return Outcome(key, "orphan_removed", media_id)
        head = self.storage.head(key)
        if head is None:
            return Outcome(key, "gone", media_id)
        if media.etag == head.etag and media.status is not MediaStatus.PENDING_UPLOAD:
            return Outcome(key, "unchanged", media_id)  # a repeated S3 event

        now = self.clock.now()
        base = {"etag": head.etag, "inspected_at": now, "updated_at": now, "thumbnails": [], "compatibility": [],
                "notes": [], "problem": None}
        problem = self._size_problem(media, head.size)
        if problem is not None:
            return self._reject(media, {**base, "facts": MediaFacts(bytes=head.size)}, problem)
        try:
            from herald.media.inspect import inspect_media

            inspection = inspect_media(self.storage.source(key, head.size, head.etag))
        except Exception as exc:
            if _is_aws_error(exc):
                from herald.store.errors import error_code

                if error_code(exc) in ("PreconditionFailed", "NoSuchKey"):
                    return Outcome(key, "superseded", media_id)  # replaced or removed while being read
                raise  # S3 unavailable: let Lambda retry
            log.exception("inspecting %s failed", key)
            return self._reject(media, {**base, "facts": MediaFacts(bytes=head.size)},
                                "The file could not be inspected.")
        if not inspection.usable:
            return self._reject(media, {**base, "facts": inspection.facts}, inspection.problem or "Unusable file.")

        from herald.media import compat

        thumbnails = []
        if inspection.thumbnail is not None and inspection.thumbnail_size is not None:
            thumb_key = thumbnail_key(workspace_id, media_id, _thumbnail_px())
            self.storage.put(thumb_key, inspection.thumbnail, "image/jpeg")
            width, height = inspection.thumbnail_size
            thumbnails.append(Thumbnail(key=thumb_key, width=width, height=height, bytes=len(inspection.thumbnail)))
        notes = list(inspection.notes)
        if inspection.facts.mime and inspection.facts.mime != media.content_type:
            notes.insert(0, f"Declared as {media.content_type}, but the file is {inspection.facts.format} "
                            f"({inspection.facts.mime}).")
        ready = media.model_copy(update={
            **base, "status": MediaStatus.READY, "facts": inspection.facts, "thumbnails": thumbnails,
            "compatibility": compat.report(inspection.facts), "notes": notes,
        })
        return self._settle(ready, extra_keys=[t.key for t in thumbnails])

    def _size_problem(self, media: Media, size: int) -> str | None:
        if size > self.max_bytes:
            return f"The file is {size} bytes; uploads are limited to {self.max_bytes} bytes."
        if media.declared_bytes is not None and size != media.declared_bytes:
            return f"The file is {size} bytes, not the {media.declared_bytes} declared."
        return None

    def _reject(self, media: Media, update: dict[str, object], problem: str) -> Outcome:
        """Rejected media keep no objects: the upload and any earlier thumbnail go."""
        self.storage.delete([media.key, *(t.key for t in media.thumbnails)])
        rejected = media.model_copy(update={**update, "status": MediaStatus.REJECTED, "problem": problem})
        log.info("media %s rejected: %s", media.id, problem)
        return self._settle(rejected, extra_keys=[])

    def _settle(self, media: Media, extra_keys: list[str]) -> Outcome:
        try:
            self.store.save(media)
        except MediaNotFound:  # deleted while being inspected: leave nothing behind
            self.storage.delete([media.key, *extra_keys])
            return Outcome(media.key, "orphan_removed", media.id)
        return Outcome(media.key, media.status.value, media.id)


def _thumbnail_px() -> int:
    from herald.media.inspect import THUMBNAIL_PX

    return THUMBNAIL_PX
