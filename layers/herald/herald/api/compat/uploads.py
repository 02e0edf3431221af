"""Ayrshare's upload flow on Herald's media: `GET /api/media/uploadUrl` hands out a presigned S3
PUT for a new Herald media item (its key is the one the inspection expects) and an `accessUrl`
on this API naming the item. An `accessUrl` given back in `mediaUrls` becomes the media id, so the
post uses the inspected upload (a presigned link is made at publish time, as for native posts)."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

FILES_PATH = "/api/media/files/"
_ACCESS = re.compile(r"^/api/media/files/(?P<id>med_[0-9a-z]+)(?:/[^/]*)?$")


def access_url(base: str, media_id: str, filename: str | None = None) -> str:
    return f"{base.rstrip('/')}{FILES_PATH}{media_id}" + (f"/{filename}" if filename else "")


def media_id_in(url: str, bases: list[str]) -> str | None:
    """The media id an `accessUrl` of this API names, else None (an ordinary media URL)."""
    parts = urlsplit(url)
    match = _ACCESS.match(parts.path)
    if match is None:
        return None
    hosts = {urlsplit(base).netloc.lower() for base in bases if base}
    return match["id"] if parts.netloc.lower() in hosts else None


def native_media(urls: list[str], bases: list[str]) -> list[str]:
    return [media_id_in(url, bases) or url for url in urls]


def presign_put(key: str, content_type: str, expires: timedelta) -> str:
    """A presigned S3 PUT of the media bucket's `key` (the client sends the same Content-Type)."""
    from herald.media.storage import s3_client
    from herald.settings import get_settings

    return str(s3_client().generate_presigned_url(
        "put_object",
        Params={"Bucket": get_settings().media_bucket, "Key": key, "ContentType": content_type},
        ExpiresIn=int(expires.total_seconds()),
    ))


def presign_get(key: str, expires: timedelta) -> str:
    from herald.media.storage import S3Storage, s3_client
    from herald.settings import get_settings

    return S3Storage(s3_client(), get_settings().media_bucket).presign_get(key, expires)
