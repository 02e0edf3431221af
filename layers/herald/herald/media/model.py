"""Uploaded media as the domain sees them: the item, what the inspection found, the thumbnails and
the per-network compatibility report."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Literal

from pydantic import ConfigDict, Field

from herald.pydantic_base import Model

Kind = Literal["image", "gif", "video"]  # "gif": an animated GIF (a still GIF is an image)

# What POST /v1/media accepts as a declared type (the inspection then reads the real one).
SUPPORTED_TYPES: dict[str, str] = {
    "image/jpeg": "image",
    "image/png": "image",
    "image/gif": "image",
    "image/webp": "image",
    "image/heic": "image",
    "image/heif": "image",
    "image/avif": "image",
    "video/mp4": "video",
    "video/quicktime": "video",
    "video/x-m4v": "video",
    "video/webm": "video",
}


class MediaStatus(StrEnum):
    PENDING_UPLOAD = "pending_upload"  # the presigned upload was handed out; nothing inspected yet
    READY = "ready"  # inspected: facts, thumbnails and the compatibility report are in
    REJECTED = "rejected"  # not usable (unsupported type, unreadable, too large): `problem` says why


class MediaFacts(Model):
    """What the inspection read from the file itself (None: could not be read)."""

    model_config = ConfigDict(frozen=True)

    kind: Kind | None = None
    mime: str | None = None  # from the file's content, not the declared type
    format: str | None = None  # PNG, JPEG, GIF, WEBP, HEIF, AVIF, MP4, MOV, WEBM
    bytes: int
    width: int | None = None  # as displayed (EXIF orientation and video rotation applied)
    height: int | None = None
    frames: int | None = None  # images: 1 unless animated
    duration_seconds: float | None = None
    video_codec: str | None = None  # the sample entry, e.g. avc1 (H.264), hvc1 (HEVC)
    audio_codec: str | None = None


class Thumbnail(Model):
    model_config = ConfigDict(frozen=True)

    key: str
    width: int
    height: int
    content_type: str = "image/jpeg"
    bytes: int


class NetworkCompatibility(Model):
    model_config = ConfigDict(frozen=True)

    network: str
    ok: bool
    reasons: list[str] = Field(default_factory=list)  # why the network would refuse it
    suggestions: list[str] = Field(default_factory=list)  # how to fix it (also advice when ok)


class Media(Model):
    model_config = ConfigDict(frozen=True)

    id: str
    workspace_id: str
    profile_id: str
    filename: str  # as given (the S3 key uses a cleaned copy)
    content_type: str  # as declared when the upload was requested
    declared_bytes: int | None = None
    key: str  # uploads/{workspace}/{media}/{filename}
    status: MediaStatus = MediaStatus.PENDING_UPLOAD
    created_at: datetime
    updated_at: datetime
    inspected_at: datetime | None = None
    facts: MediaFacts | None = None
    thumbnails: list[Thumbnail] = Field(default_factory=list)
    compatibility: list[NetworkCompatibility] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)  # what the inspection could not do, and why
    problem: str | None = None  # why it was rejected
    etag: str | None = None  # of the object inspected


class PresignedUpload(Model):
    """A browser-ready S3 POST: send `fields` plus `file` (last) as multipart/form-data to `url`."""

    model_config = ConfigDict(frozen=True)

    url: str
    fields: dict[str, str]
    max_bytes: int
    expires_at: datetime
